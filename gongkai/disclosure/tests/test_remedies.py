"""行政复议/行政诉讼 records (services.remedies) and the annual report's table 4
(after_selectors.table4_counts): every cell, the year boundary, permissions, bad input and
reopening after a 纠正 result."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.core.models import AuditEvent
from gongkai.disclosure.after_models import Litigation, Reconsideration
from gongkai.disclosure.after_selectors import table4_counts
from gongkai.disclosure.models import DisclosureRequest, RequestEvent
from gongkai.disclosure.services import remedies, workflow
from gongkai.disclosure.tests.conftest import register

pytestmark = pytest.mark.django_db


def delivered(w: SimpleNamespace, *, arrived: date, on: date, org: Any = None, registrar: Any = None,
              handler: Any = None, head: Any = None, department: Any = None) -> DisclosureRequest:
    """A request driven through the real services to 已答复送达 (予以公开)."""
    req = register(w, arrived=arrived, org=org, actor=registrar).request
    req = workflow.request_assign(actor=registrar or w.registrar, request=req, department=department or w.dept_a)
    workflow.reply_draft(actor=handler or w.handler, request=req, outcome="disclosed", reasons="予以公开，见附件。")
    req = workflow.reply_submit_for_review(actor=handler or w.handler, request=req)
    req = workflow.reply_approve(actor=head or w.head, request=req, approve=True)
    workflow.request_deliver(actor=handler or w.handler, request=req, method="pickup", on=on)
    req.refresh_from_db()
    assert req.status == "delivered"
    return req


def recon(w: SimpleNamespace, req: DisclosureRequest, filed: date, result: str = "pending",
          decided: date | None = None) -> Reconsideration:
    r = remedies.reconsideration_record(actor=w.registrar, request=req, filed_on=filed, review_body="测试市人民政府")
    if result != "pending":
        r = remedies.reconsideration_update_result(actor=w.head, reconsideration=r, result=result, decided_on=decided)
    return r


def suit(w: SimpleNamespace, req: DisclosureRequest, filed: date, result: str = "pending",
         decided: date | None = None, after: Reconsideration | None = None) -> Litigation:
    case = remedies.litigation_record(actor=w.registrar, request=req, filed_on=filed, court="测试市中级人民法院",
                                      reconsideration=after)
    if result != "pending":
        case = remedies.litigation_update_result(actor=w.registrar, litigation=case, result=result, decided_on=decided)
    return case


@pytest.fixture
def replied(world: SimpleNamespace) -> DisclosureRequest:
    return delivered(world, arrived=date(2025, 12, 1), on=date(2025, 12, 10))


# --- Table 4 -------------------------------------------------------------------------------------------------


def test_table4_counts_every_cell_by_filing_year_with_the_state_at_31_december(
        world, replied, django_assert_num_queries):
    w, req = world, replied
    r_upheld = recon(w, req, date(2026, 1, 5), "upheld", date(2026, 3, 1))
    recon(w, req, date(2026, 2, 1), "corrected", date(2026, 4, 1))
    recon(w, req, date(2026, 3, 1), "other", date(2026, 5, 1))
    recon(w, req, date(2026, 4, 1))
    # Filed in 2025, decided in 2026: 尚未审结 in the 2025 report and not counted again in 2026.
    r_late = recon(w, req, date(2025, 12, 20), "upheld", date(2026, 1, 10))
    # Filed and decided on the last day of 2025: a 2025 case, 结果维持.
    recon(w, req, date(2025, 12, 31), "upheld", date(2025, 12, 31))
    suit(w, req, date(2026, 1, 10), "upheld", date(2026, 2, 1))
    suit(w, req, date(2026, 1, 1), "corrected", date(2026, 2, 1))  # first day of the year
    suit(w, req, date(2026, 6, 1))
    suit(w, req, date(2026, 3, 10), "other", date(2026, 5, 5), after=r_upheld)
    suit(w, req, date(2026, 1, 20), after=r_late)  # after a 2025 reconsideration, filed in 2026
    # Another organisation's case is never counted.
    other_req = delivered(w, arrived=date(2026, 3, 2), on=date(2026, 3, 9), org=w.other, registrar=w.outsider,
                          department=w.other, handler=_member(w.other, "handler", "o_handler"),
                          head=w.outsider_head)
    remedies.reconsideration_record(actor=w.outsider, request=other_req, filed_on=date(2026, 4, 1), review_body="省政府")

    with django_assert_num_queries(3):  # one aggregate query per column group
        t2026 = table4_counts(w.org, 2026)
    assert t2026.reconsideration.cells == (1, 1, 1, 1, 4)
    assert t2026.litigation_direct.cells == (1, 1, 0, 1, 3)
    assert t2026.litigation_after_reconsideration.cells == (0, 0, 1, 1, 2)
    assert t2026.numbers == (1, 1, 1, 1, 4, 1, 1, 0, 1, 3, 0, 0, 1, 1, 2)

    t2025 = table4_counts(w.org, 2025)
    assert t2025.reconsideration.cells == (1, 0, 0, 1, 2)
    assert t2025.litigation_direct.cells == (0, 0, 0, 0, 0)
    assert t2025.litigation_after_reconsideration.cells == (0, 0, 0, 0, 0)
    assert table4_counts(w.other, 2026).reconsideration.cells == (0, 0, 0, 1, 1)
    for table in (t2026, t2025):
        assert len(table.numbers) == 15
        for group in table.groups:
            assert group.total == group.upheld + group.corrected + group.other + group.pending


def _member(org: Any, role: str, username: str) -> Any:
    from gongkai.disclosure.tests.conftest import member

    return member(org, role, username)


def test_empty_year_is_fifteen_zeros(world):
    assert table4_counts(world.org, 2024).numbers == (0,) * 15


# --- Recording ---------------------------------------------------------------------------------------------


def test_recording_is_audited_and_on_the_internal_timeline(world, replied):
    r = remedies.reconsideration_record(actor=world.head, request=replied, filed_on=date(2026, 1, 5),
                                        review_body="测试市人民政府", case_number="测复〔2026〕1号")
    row = AuditEvent.objects.filter(action="disclosure.reconsideration_record").latest("seq")
    assert row.actor == world.head and row.object_id == str(r.pk) and row.organisation == world.org
    assert row.after["review_body"] == "测试市人民政府" and row.after["result"] == "pending"
    event = RequestEvent.objects.filter(request=replied, kind="reconsideration").get()
    assert not event.visible_to_applicant
    r = remedies.reconsideration_update_result(actor=world.registrar, reconsideration=r, result="upheld",
                                               decided_on=date(2026, 3, 1), expected_version=1)
    row = AuditEvent.objects.filter(action="disclosure.reconsideration_result").latest("seq")
    assert row.before == {"result": "pending", "decided_on": None, "version": 1}
    assert row.after == {"result": "upheld", "decided_on": "2026-03-01", "version": 2}
    case = remedies.litigation_record(actor=world.registrar, request=replied, filed_on=date(2026, 3, 10),
                                      court="测试市中级人民法院", reconsideration=r)
    assert case.route_label == "复议后起诉"
    assert AuditEvent.objects.filter(action="disclosure.litigation_record", object_id=str(case.pk)).exists()


def test_only_registrar_or_office_head_of_the_organisation_may_record(world, replied):
    for actor in (world.handler, world.reviewer, world.publisher, world.outsider, world.outsider_head, None):
        with pytest.raises(PermissionDenied):
            remedies.reconsideration_record(actor=actor, request=replied, filed_on=date(2026, 1, 5),
                                            review_body="测试市人民政府")
        with pytest.raises(PermissionDenied):
            remedies.litigation_record(actor=actor, request=replied, filed_on=date(2026, 1, 5), court="某法院")
    r = recon(world, replied, date(2026, 1, 5))
    with pytest.raises(PermissionDenied):
        remedies.reconsideration_update_result(actor=world.outsider_head, reconsideration=r, result="upheld",
                                               decided_on=date(2026, 2, 1))
    assert Reconsideration.objects.count() == 1 and Litigation.objects.count() == 0
    r.refresh_from_db()
    assert r.result == "pending"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"filed_on": date(2099, 1, 1)}, "晚于今天"),
    ({"filed_on": date(2025, 11, 1)}, "不能早于收到申请之日"),
    ({"filed_on": None}, "请填写申请复议日期"),
    ({"review_body": " "}, "请填写复议机关"),
    ({"review_body": "机" * 201}, "不能超过200个字"),
])
def test_bad_reconsideration_input_is_refused_in_chinese_and_creates_nothing(world, replied, kwargs, message):
    audit_rows, events = AuditEvent.objects.count(), RequestEvent.objects.count()
    data = {"filed_on": date(2026, 1, 5), "review_body": "测试市人民政府", **kwargs}
    with pytest.raises(ValidationError, match=message):
        remedies.reconsideration_record(actor=world.registrar, request=replied, **data)
    assert Reconsideration.objects.count() == 0
    assert (AuditEvent.objects.count(), RequestEvent.objects.count()) == (audit_rows, events)


def test_no_remedy_before_a_reply_unless_overdue(world):
    registered = register(world, arrived=date(2026, 11, 23)).request
    assert not registered.overdue
    with pytest.raises(ValidationError, match="尚未答复"):
        remedies.reconsideration_record(actor=world.registrar, request=registered, filed_on=date(2026, 11, 24),
                                        review_body="测试市人民政府")
    DisclosureRequest.objects.filter(pk=registered.pk).update(overdue=True)
    registered.refresh_from_db()
    # 逾期不答复 may itself be challenged.
    r = remedies.reconsideration_record(actor=world.registrar, request=registered, filed_on=date(2026, 11, 24),
                                        review_body="测试市人民政府")
    assert r.pk


def test_bad_result_and_litigation_input(world, replied):
    r = recon(world, replied, date(2026, 1, 5))
    cases = [
        ({"result": "corrected", "decided_on": None}, "请填写复议决定日期"),
        ({"result": "upheld", "decided_on": date(2026, 1, 4)}, "不能早于申请复议日期"),
        ({"result": "pending", "decided_on": date(2026, 2, 1)}, "不应填写"),
        ({"result": "won", "decided_on": date(2026, 2, 1)}, "请选择结果"),
        ({"result": "upheld", "decided_on": date(2099, 1, 1)}, "晚于今天"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError, match=message):
            remedies.reconsideration_update_result(actor=world.registrar, reconsideration=r, **kwargs)
    remedies.reconsideration_update_result(actor=world.registrar, reconsideration=r, result="upheld",
                                           decided_on=date(2026, 2, 1))
    with pytest.raises(ValidationError) as info:
        remedies.reconsideration_update_result(actor=world.registrar, reconsideration=r, result="other",
                                               decided_on=date(2026, 2, 1), expected_version=1)
    assert info.value.code == "conflict"
    r.refresh_from_db()
    assert (r.result, r.decided_on, r.version) == ("upheld", date(2026, 2, 1), 2)

    other = delivered(world, arrived=date(2026, 3, 2), on=date(2026, 3, 9))
    foreign = recon(world, other, date(2026, 4, 1))
    with pytest.raises(ValidationError, match="不属于该申请"):
        remedies.litigation_record(actor=world.registrar, request=replied, filed_on=date(2026, 5, 1), court="某法院",
                                   reconsideration=foreign)
    with pytest.raises(ValidationError, match="不能早于申请复议日期"):
        remedies.litigation_record(actor=world.registrar, request=replied, filed_on=date(2026, 1, 2), court="某法院",
                                   reconsideration=r)
    with pytest.raises(ValidationError, match="请填写受理法院"):
        remedies.litigation_record(actor=world.registrar, request=replied, filed_on=date(2026, 5, 1), court="")
    assert Litigation.objects.count() == 0


# --- 纠正 → 重新办理 ---------------------------------------------------------------------------------------------


def test_corrected_result_reopens_the_request_once(world, replied):
    r = recon(world, replied, date(2026, 1, 5), "upheld", date(2026, 2, 1))
    assert not remedies.can_reopen(r)
    with pytest.raises(ValidationError, match="只有结果为纠正"):
        remedies.remedy_reopen(actor=world.head, remedy=r)
    r = remedies.reconsideration_update_result(actor=world.head, reconsideration=r, result="corrected",
                                               decided_on=date(2026, 2, 1), case_number="测复〔2026〕7号")
    assert remedies.can_reopen(r)
    with pytest.raises(PermissionDenied):
        remedies.remedy_reopen(actor=world.handler, remedy=r)
    req = remedies.remedy_reopen(actor=world.head, remedy=r, days=15, on=date(2026, 8, 3))
    assert (req.status, req.outcome, req.closed_on) == ("in_handling", "", None)
    assert req.due_date == date(2026, 8, 24)
    r.refresh_from_db()
    assert r.reopened_on == date(2026, 8, 3) and not remedies.can_reopen(r)
    reopen_event = RequestEvent.objects.filter(request=replied, kind="reopened").get()
    assert "测复〔2026〕7号" in reopen_event.note
    assert AuditEvent.objects.filter(action="disclosure.reopen", object_id=str(replied.pk)).exists()
    assert AuditEvent.objects.filter(action="disclosure.remedy_reopen", object_id=str(r.pk)).exists()
    with pytest.raises(ValidationError, match="已于 2026-08-03"):
        remedies.remedy_reopen(actor=world.head, remedy=r)
    with pytest.raises(ValidationError, match="结果不能再改"):
        remedies.reconsideration_update_result(actor=world.head, reconsideration=r, result="upheld",
                                               decided_on=date(2026, 2, 1))


def test_court_correction_reopens_too(world, replied):
    case = suit(world, replied, date(2026, 1, 10), "corrected", date(2026, 5, 1))
    req = remedies.remedy_reopen(actor=world.registrar, remedy=case)
    assert req.status == "in_handling"
    assert "人民法院裁判纠正原答复" in RequestEvent.objects.filter(request=replied, kind="reopened").get().note
