"""regulation.md §6 cases 1–10 and 12–15 through the service layer: requests are created with the
channel and dates of each case, events are recorded by the services, and the cached due date
and outcome are asserted."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.disclosure.models import Consultation
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import submission, workflow
from gongkai.disclosure.services.deadlines import deadline_state
from gongkai.disclosure.tests.conftest import LAW_FIRM, PERSON, register
from gongkai.domain.disclosure_outcomes import Outcome, ReportColumn, report_column, report_rows
from gongkai.domain.disclosure_receipt import CHINA_TZ

pytestmark = pytest.mark.django_db


def _approve_and_deliver(w, req, outcome, on, reasons="经审查，部分内容涉及个人隐私，已作区分处理。", **kw):
    if req.handling_department_id is None:
        req = workflow.request_assign(actor=w.registrar, request=req, department=w.dept_a)
    workflow.reply_draft(actor=w.handler, request=req, outcome=outcome, reasons=reasons, **kw)
    req = workflow.reply_submit_for_review(actor=w.handler, request=req)
    if req.status == "legal_review":
        req = workflow.reply_legal_review(actor=w.reviewer, request=req, approve=True)
    req = workflow.reply_approve(actor=w.head, request=req, approve=True)
    workflow.request_deliver(actor=w.handler, request=req, method="email", tracking_no="mail-1", on=on)
    req.refresh_from_db()
    return req


def test_case1_in_person(world):
    req = register(world, channel="in_person", arrived=date(2026, 1, 5)).request
    assert req.received_on == date(2026, 1, 5)
    assert req.due_date == date(2026, 2, 2)
    assert req.status == "registered" and not req.due_provisional


def test_case2_online_weekend_confirmed_monday(world):
    sub = submission.request_submit_online(
        organisation=world.org, data=PERSON, idempotency_key="case2-key-0000000001",
        arrived_at=datetime(2026, 3, 7, 10, 0, tzinfo=CHINA_TZ))
    req = sub.request
    assert req.status == "submitted" and req.received_on is None and req.due_date is None
    req = submission.request_confirm_receipt(actor=world.registrar, request=req, confirmed_at=date(2026, 3, 9))
    assert req.received_on == date(2026, 3, 9)
    assert req.due_date == date(2026, 4, 7)


def test_case3_online_on_makeup_working_saturday(world):
    sub = submission.request_submit_online(
        organisation=world.org, data=PERSON, idempotency_key="case3-key-0000000001",
        arrived_at=datetime(2026, 2, 14, 9, 0, tzinfo=CHINA_TZ))
    req = submission.request_confirm_receipt(actor=world.registrar, request=sub.request,
                                             confirmed_at=datetime(2026, 2, 14, 11, 0, tzinfo=CHINA_TZ))
    assert req.received_on == date(2026, 2, 14)
    assert req.due_date == date(2026, 3, 20)


def test_case4_registered_post(world):
    req = register(world, channel="registered_post", arrived=date(2026, 4, 3)).request
    assert (req.received_on, req.due_date) == (date(2026, 4, 3), date(2026, 5, 7))


def test_case5_ordinary_letter_same_day_and_late_confirmation(world):
    req = register(world, channel="ordinary_letter", arrived=date(2026, 9, 21), confirmed=date(2026, 9, 21)).request
    assert (req.received_on, req.due_date, req.same_day_breach) == (date(2026, 9, 21), date(2026, 10, 26), False)
    late = register(world, channel="ordinary_letter", arrived=date(2026, 9, 21), confirmed=date(2026, 9, 22)).request
    assert late.received_on == date(2026, 9, 22)
    assert late.same_day_breach is True
    # Not yet confirmed: waits, and is flagged once the arrival day has passed.
    waiting = register(world, channel="ordinary_letter", arrived=date(2026, 9, 21)).request
    assert waiting.status == "submitted" and waiting.same_day_breach and waiting.due_date is None


def test_case6_fax(world):
    req = register(world, channel="fax", arrived=date(2026, 4, 30), confirmed=date(2026, 4, 30)).request
    assert req.due_date == date(2026, 6, 1)


def test_case7_correction_restarts_clock(world):
    req = register(world, arrived=date(2026, 3, 2)).request
    with pytest.raises(ValidationError, match="7个工作日"):
        workflow.request_ask_correction(actor=world.registrar, request=req, items=["请写明文件名称"],
                                        on=date(2026, 3, 12))
    req = workflow.request_ask_correction(actor=world.registrar, request=req, items=["请写明文件名称或文号"],
                                          period_days=10, on=date(2026, 3, 11))
    assert req.status == "awaiting_correction" and req.due_date is None
    req = workflow.request_receive_correction(actor=world.registrar, request=req, on=date(2026, 3, 20),
                                              description="2025年本市义务教育招生计划（教发〔2025〕3号）")
    assert req.status == "registered"
    assert req.due_date == date(2026, 4, 20)
    with pytest.raises(ValidationError, match="一次性"):
        workflow.request_ask_correction(actor=world.registrar, request=req, items=["再补"], on=date(2026, 3, 23))
    assert req.description.startswith("2025年本市义务教育招生计划")


def test_case7_no_correction_is_abandonment(world):
    req = register(world, arrived=date(2026, 3, 2)).request
    req = workflow.request_ask_correction(actor=world.registrar, request=req, items=["请写明文件名称"],
                                          period_days=10, on=date(2026, 3, 5))
    # Period: 10 working days after 3/5 → 3/19.
    with pytest.raises(ValidationError, match="期限届满前"):
        workflow.request_mark_abandoned(actor=world.registrar, request=req, on=date(2026, 3, 19))
    req = workflow.request_mark_abandoned(actor=world.registrar, request=req, on=date(2026, 3, 20))
    assert req.status == "abandoned"
    assert req.outcome == Outcome.OTHER_NO_CORRECTION
    assert Outcome(req.outcome).row == "三(六)1"
    assert req.closed_on == date(2026, 3, 20)


def test_case8_extension(world, registered):
    req = registered
    assert req.due_date == date(2026, 6, 30)
    with pytest.raises(PermissionDenied):
        workflow.request_extend(actor=world.handler, request=req, days=20, reason="需要调取档案核实")
    late = workflow.request_extend
    with pytest.raises(ValidationError, match="届满"):
        late(actor=world.head, request=req, days=20, reason="需要调取档案核实", on=date(2026, 7, 1))
    req = workflow.request_extend(actor=world.head, request=req, days=20, reason="需要调取档案核实",
                                  on=date(2026, 6, 29))
    assert req.due_date == date(2026, 7, 28)
    with pytest.raises(ValidationError, match="只能延长一次"):
        workflow.request_extend(actor=world.head, request=req, days=5, reason="再次延长试试", on=date(2026, 6, 30))


def test_case9_third_party_consultation(world):
    req = register(world, arrived=date(2026, 7, 1)).request
    req = workflow.request_assign(actor=world.registrar, request=req, department=world.dept_a)
    assert req.due_date == date(2026, 7, 29)
    c = workflow.consultation_start(actor=world.handler, request=req, party="某公司", on=date(2026, 7, 3))
    req.refresh_from_db()
    assert req.status == "consulting" and req.clock_paused
    workflow.consultation_deliver(actor=world.handler, consultation=c, on=date(2026, 7, 6))
    c.refresh_from_db()
    assert c.reply_due == date(2026, 7, 27)
    workflow.consultation_end(actor=world.handler, consultation=c, on=date(2026, 7, 14),
                              reply_text="不同意公开商业秘密部分", decision="商业秘密部分不予公开，其余公开")
    req.refresh_from_db()
    assert req.status == "in_handling"
    assert req.due_date == date(2026, 8, 7)
    assert Consultation.objects.get(pk=c.pk).decision.startswith("商业秘密")


def test_case10_across_year_boundary(world):
    req = register(world, arrived=date(2025, 12, 22)).request
    assert req.due_date == date(2026, 1, 20)


def test_case12_per_request_fee_counts_per_applicant_per_month(world):
    requests = [register(world, arrived=date(2026, 3, 2 + i % 25)).request for i in range(45)]
    quotes = {r.pk: workflow.fee_quote(r, "per_request") for r in requests}
    assert sum(q.amount for q in quotes.values()) == 5500
    ordered = sorted(requests, key=lambda r: (r.received_on, r.pk))
    assert [quotes[r.pk].quantity for r in ordered] == list(range(1, 46))
    assert quotes[ordered[-1].pk].amount == 300
    # Another applicant's requests do not count.
    other = register(world, arrived=date(2026, 3, 31), data=LAW_FIRM).request
    assert workflow.fee_quote(other, "per_request").quantity == 1
    # April starts again at #1: nothing to charge, so no notice.
    april = register(world, arrived=date(2026, 4, 1)).request
    april = workflow.request_assign(actor=world.registrar, request=april, department=world.dept_a)
    assert workflow.fee_quote(april, "per_request").amount == 0
    with pytest.raises(ValidationError, match="无需收费"):
        workflow.fee_notice(actor=world.handler, request=april, method="per_request", on=date(2026, 4, 2))
    # The 45th is charged once, by one method only.
    last = workflow.request_assign(actor=world.registrar, request=ordered[-1], department=world.dept_a)
    notice = workflow.fee_notice(actor=world.handler, request=last, method="per_request", on=date(2026, 4, 3))
    assert notice.amount == 300
    with pytest.raises(ValidationError):
        workflow.fee_notice(actor=world.handler, request=last, method="per_volume", pages=250, on=date(2026, 4, 3))


def test_case13_per_volume_fee(world, registered):
    assert workflow.fee_quote(registered, "per_volume", pages=30).amount == 0
    assert workflow.fee_quote(registered, "per_volume", pages=31).amount == 10
    assert workflow.fee_quote(registered, "per_volume", pages=100).amount == 700
    with pytest.raises(ValidationError, match="不能同时计收"):
        workflow.fee_quote(registered, "per_request", pages=10)
    notice = workflow.fee_notice(actor=world.handler, request=registered, method="per_volume", pages=250,
                                 on=date(2026, 6, 5))
    assert notice.amount == 4700
    registered.refresh_from_db()
    assert registered.status == "awaiting_fee" and registered.clock_paused
    req = workflow.fee_paid(actor=world.handler, request=registered, on=date(2026, 6, 10))
    # 3 working days of pause (6/8, 6/9, 6/10) move the due date from 6/30 to 7/3.
    assert req.status == "in_handling" and req.due_date == date(2026, 7, 3)


def test_case14_law_firm_partial_disclosure_report_rows(world):
    req = register(world, arrived=date(2025, 12, 29), data=LAW_FIRM).request
    assert req.due_date == date(2026, 1, 27)
    req = _approve_and_deliver(world, req, "partial", date(2026, 1, 15))
    assert req.outcome == "partial" and req.closed_on == date(2026, 1, 15)
    assert report_column(req.applicant_type, req.organisation_kind) is ReportColumn.LEGAL_SERVICE
    assert report_rows(req.received_on, req.closed_on, Outcome(req.outcome), 2025) == ("一", "四")
    rows_2026 = report_rows(req.received_on, req.closed_on, Outcome(req.outcome), 2026)
    assert rows_2026 == ("二", "三(二)", "三(七)")
    assert "三(三)4" not in rows_2026


def test_case15_outcome_rows(world):
    petition = _approve_and_deliver(world, register(world, arrived=date(2026, 5, 6)).request,
                                    "not_processed_petition", date(2026, 5, 20),
                                    reasons="您反映的是邻里纠纷投诉，不属于政府信息公开申请，请通过信访渠道反映。")
    assert Outcome(petition.outcome).row == "三(五)1"
    not_held = _approve_and_deliver(world, register(world, arrived=date(2026, 5, 6)).request,
                                    "unable_not_held", date(2026, 5, 21), reasons="经检索，本机关未制作或获取该信息。")
    assert Outcome(not_held.outcome).row == "三(四)1"

    unpaid = register(world, arrived=date(2026, 5, 6)).request
    unpaid = workflow.request_assign(actor=world.registrar, request=unpaid, department=world.dept_a)
    notice = workflow.fee_notice(actor=world.handler, request=unpaid, method="per_volume", pages=50,
                                 on=date(2026, 5, 8))
    assert notice.amount == 200
    with pytest.raises(ValidationError, match="期限届满前"):
        workflow.request_mark_stopped(actor=world.handler, request=unpaid, on=notice.payment_due)
    unpaid = workflow.request_mark_stopped(actor=world.handler, request=unpaid, on=date(2026, 7, 1))
    assert unpaid.status == "stopped" and Outcome(unpaid.outcome).row == "三(六)2"


def test_case15_unloaded_year_is_provisional_until_loaded(world, monkeypatch, settings,
                                                          django_capture_on_commit_callbacks):
    from gongkai.workcalendar import services as calendar_services
    from gongkai.workcalendar.selectors import working_calendar
    from gongkai.workcalendar.tests.helpers import CSV_2027

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(clock, "today", lambda: date(2027, 1, 5))
    req = register(world, arrived=date(2027, 1, 4)).request
    assert req.due_provisional is True
    assert req.due_date == date(2027, 2, 1)
    state = deadline_state(req)
    assert state is not None and "待确认" in "".join(state.explanation)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_services.arrangement_import(actor=None, file=CSV_2027)
    req.refresh_from_db()
    assert req.due_provisional is False
    expected = working_calendar().add_working_days(date(2027, 1, 4), 20).due
    assert req.due_date == expected
