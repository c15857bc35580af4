# ruff: noqa: F811 - the shared fixtures are imported from test_staff_views
"""Driving requests through every branch of the workflow from the staff pages (HTTP only): the
部分公开 happy path, correction and abandonment, consultation, extension, fees, conflicts,
reveal, bulk assignment, the role matrix and another organisation's requests."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.disclosure.models import Consultation, DisclosureRequest, FeeNotice, Reply, RequestEvent
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import workflow
from gongkai.disclosure.staff_urls import _REQUEST_ACTIONS
from gongkai.disclosure.tests.conftest import ID_NUMBER, PERSON, PHONE, register
from gongkai.disclosure.tests.test_staff_views import (  # noqa: F401 - fixtures
    ScanningClient,
    as_,
    drafted,
    fixed_today,
    in_handling,
    post,
    reload,
    url,
)

pytestmark = pytest.mark.django_db


def move_clock(monkeypatch: Any, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


def test_partial_disclosure_happy_path_through_http(world, as_, monkeypatch):
    registrar, handler, reviewer, head = (as_(u) for u in (world.registrar, world.handler, world.reviewer, world.head))
    response = registrar.post(reverse("disclosure_staff:register"), {
        **PERSON, "organisation": world.org.pk, "channel": "in_person", "arrived_at": "2026-06-01 10:00",
        "form_wanted": "paper", "delivery_method": "post", "idempotency_key": "happy-path-key-0001"})
    assert response.status_code == 200
    req = DisclosureRequest.objects.get()
    assert req.status == "registered"

    assert post(registrar, "assign", req, {"department": world.dept_a.pk, "note": "教育类"}).status_code == 302
    assert reload(req).status == "in_handling" and reload(req).handling_department == world.dept_a

    assert post(handler, "draft", req, {"outcome": "partial", "reasons": "部分内容涉及第三方商业秘密，依法区分处理。"}
                ).status_code == 302
    assert post(handler, "submit_review", req).status_code == 302
    assert reload(req).status == "legal_review"  # 部分公开 needs 法制审核

    assert post(reviewer, "legal_review", req, {"decision": "approve", "comment": "同意"}).status_code == 302
    assert reload(req).status == "awaiting_approval"
    assert post(head, "approve", req, {"decision": "approve"}).status_code == 302
    assert reload(req).status == "approved"

    assert post(handler, "deliver", req, {"method": "post", "tracking_no": "EMS1234567890CN"}).status_code == 302
    req = reload(req)
    assert req.status == "delivered" and req.outcome == "partial" and req.closed_on == date(2026, 6, 3)
    assert post(registrar, "archive", req).status_code == 302
    assert reload(req).status == "archived"

    reply = Reply.objects.get(request=req)
    assert reply.drafted_by == world.handler and reply.legal_reviewed_by == world.reviewer
    assert reply.approved_by == world.head and reply.state == "delivered"
    body = registrar.get(url("detail", req)).content.decode()
    for label in ("提交申请", "分办", "拟定答复", "提交审核", "法制审核", "负责人审批", "办结", "归档"):
        assert label in body
    assert "EMS1234567890CN" in body and "部分公开" in body
    assert AuditEvent.objects.filter(action="disclosure.deliver").exists()


def test_rejection_sends_the_draft_back_with_a_required_comment(world, as_):
    req = drafted(world)
    workflow.reply_submit_for_review(actor=world.handler, request=req)
    reviewer = as_(world.reviewer)
    response = post(reviewer, "legal_review", req, {"decision": "reject", "comment": ""})
    assert response.status_code == 400 and "退回意见" in response.content.decode()
    assert reload(req).status == "legal_review"
    assert post(reviewer, "legal_review", req, {"decision": "reject", "comment": "理由不充分，请补充"}).status_code == 302
    assert reload(req).status == "in_handling"
    assert Reply.objects.get(request=req).state == "rejected"


def test_correction_then_abandonment(world, as_, monkeypatch):
    req = register(world, arrived=date(2026, 6, 1)).request
    registrar = as_(world.registrar)
    response = post(registrar, "ask_correction", req, {"items": "请写明文件名称\n请写明年份", "period_days": 2})
    assert response.status_code == 302
    req = reload(req)
    assert req.status == "awaiting_correction" and req.due_date is None
    # Too early: the period still runs.
    response = post(registrar, "abandon", req, {})
    assert response.status_code == 400 and "期限届满前" in response.content.decode()
    assert reload(req).status == "awaiting_correction"
    move_clock(monkeypatch, date(2026, 6, 10))
    assert 'id="action-abandon"' in registrar.get(url("detail", req)).content.decode()
    assert post(registrar, "abandon", req, {}).status_code == 302
    req = reload(req)
    assert req.status == "abandoned" and req.outcome == "other_no_correction"


def test_correction_received_restarts_the_clock(world, as_, monkeypatch):
    req = in_handling(world)
    handler = as_(world.handler)
    assert post(handler, "ask_correction", req, {"items": "请写明文号", "period_days": 15}).status_code == 302
    move_clock(monkeypatch, date(2026, 6, 5))
    response = post(handler, "receive_correction", req, {"description": "2025年招生计划（教发〔2025〕3号）"})
    assert response.status_code == 302
    req = reload(req)
    assert req.status == "in_handling" and req.description.startswith("2025年招生计划")
    assert req.due_date is not None and req.due_date > date(2026, 6, 29)
    # Only once: the panel no longer offers it and the service refuses it.
    assert 'id="action-ask_correction"' not in handler.get(url("detail", req)).content.decode()
    assert post(handler, "ask_correction", req, {"items": "再补", "period_days": 5}).status_code == 400


def test_consultation_start_deliver_end(world, as_):
    req = in_handling(world)
    handler = as_(world.handler)
    assert post(handler, "consultation_start", req, {"kind": "third_party", "party": "某某有限公司"}).status_code == 302
    c = Consultation.objects.get(request=req)
    assert reload(req).status == "consulting" and reload(req).clock_paused
    assert post(handler, "consultation_deliver", req, consultation_id=c.pk).status_code == 302
    assert Consultation.objects.get(pk=c.pk).reply_due is not None
    response = post(handler, "consultation_end", req, {"reply_text": "不同意公开", "decision": ""},
                    consultation_id=c.pk)
    assert response.status_code == 400 and "处理决定" in response.content.decode()
    response = post(handler, "consultation_end", req, {"reply_text": "不同意公开", "decision": "涉及商业秘密部分不予公开"},
                    consultation_id=c.pk)
    assert response.status_code == 302 and reload(req).status == "in_handling"
    # A consultation of another request is not reachable through this one.
    other = in_handling(world)
    assert post(handler, "consultation_end", other, {"decision": "x"}, consultation_id=c.pk).status_code == 404


def test_extension_by_the_office_head_and_refused_after_the_due_date(world, as_, monkeypatch):
    req = in_handling(world)
    head = as_(world.head)
    assert post(as_(world.handler), "extend", req, {"days": 10, "reason": "需要调取多个档案"}).status_code == 403
    late = in_handling(world, arrived=date(2026, 4, 1))
    assert reload(late).overdue
    assert 'id="action-extend"' not in head.get(url("detail", late)).content.decode()
    response = post(head, "extend", late, {"days": 10, "reason": "需要调取多个档案"})
    assert response.status_code == 400
    assert "存在以下问题" in response.content.decode()
    assert not RequestEvent.objects.filter(request=late, kind="extended").exists()
    before = reload(req).due_date
    assert post(head, "extend", req, {"days": 10, "reason": "需要调取多个档案"}).status_code == 302
    assert reload(req).due_date > before
    assert 'id="action-extend"' not in head.get(url("detail", req)).content.decode()  # once


def test_fee_quote_notice_paid_and_never_both_methods(world, as_, monkeypatch):
    req = in_handling(world)
    handler = as_(world.handler)
    response = post(handler, "fee_notice", req, {"method": "per_request", "pages": 120})
    assert response.status_code == 400 and "按件和按量不能同时计收" in response.content.decode()
    response = post(handler, "fee_notice", req, {"method": "per_volume", "pages": 120, "preview": "1"})
    assert response.status_code == 200 and "试算结果：1100 元" in response.content.decode()
    assert not FeeNotice.objects.exists()
    response = post(handler, "fee_notice", req, {"method": "per_request"})
    assert response.status_code == 400 and "无需收费" in response.content.decode()
    assert post(handler, "fee_notice", req, {"method": "per_volume", "pages": 120}).status_code == 302
    notice = FeeNotice.objects.get()
    assert notice.amount == 1100 and reload(req).status == "awaiting_fee"
    assert 'id="action-stop"' not in handler.get(url("detail", req)).content.decode()
    assert post(as_(world.registrar), "fee_paid", req, {}).status_code == 302
    assert reload(req).status == "in_handling" and FeeNotice.objects.get().paid_on == date(2026, 6, 3)


def test_unpaid_fee_stops_the_request(world, as_, monkeypatch):
    req = in_handling(world)
    handler = as_(world.handler)
    assert post(handler, "fee_notice", req, {"method": "per_volume", "pages": 40}).status_code == 302
    assert post(handler, "stop", req, {}).status_code == 400
    move_clock(monkeypatch, date(2026, 7, 10))
    assert post(handler, "stop", req, {}).status_code == 302
    req = reload(req)
    assert req.status == "stopped" and req.outcome == "other_fee_unpaid"


def test_withdraw_on_the_applicants_word_and_reopen(world, as_):
    req = in_handling(world)
    registrar = as_(world.registrar)
    assert post(registrar, "withdraw", req, {"reason": ""}).status_code == 400
    assert post(registrar, "withdraw", req, {"reason": "申请人6月3日来电撤回"}).status_code == 302
    assert reload(req).status == "withdrawn"
    done = drafted(world, "disclosed")
    workflow.reply_submit_for_review(actor=world.handler, request=done)
    workflow.reply_approve(actor=world.head, request=reload(done), approve=True)
    workflow.request_deliver(actor=world.handler, request=reload(done), method="pickup")
    head = as_(world.head)
    assert post(head, "reopen", done, {"reason": "短"}).status_code == 400
    response = post(head, "reopen", done, {"reason": "复议决定书责令重新答复（某复决字〔2026〕1号）", "days": 20})
    assert response.status_code == 302, response.content.decode().split('id="error-summary"')[1][:600]
    done = reload(done)
    assert done.status == "in_handling" and done.outcome == ""


# --- Conflicts ---------------------------------------------------------------------------------------------------


def test_a_stale_form_is_a_conflict_and_changes_nothing(world, as_):
    req = in_handling(world)
    stale = req.version
    workflow.request_add_note(actor=world.registrar, request=req, text="不改变版本")
    workflow.request_assign(actor=world.registrar, request=req, department=world.dept_b)  # someone else acted
    handler_b = as_(world.handler_b)
    response = handler_b.post(url("draft", req), {"expected_version": stale, "outcome": "disclosed",
                                                  "reasons": "予以公开。"})
    assert response.status_code == 409
    assert "该申请已被他人更新，请刷新后重试" in response.content.decode()
    assert not Reply.objects.filter(request=req).exists()
    response = as_(world.registrar).post(url("assign", req), {"expected_version": stale,
                                                              "department": world.dept_a.pk})
    assert response.status_code == 409 and reload(req).handling_department == world.dept_b


# --- Reveal -------------------------------------------------------------------------------------------------------


def test_reveal_is_for_the_handler_only_and_audited(world, as_):
    req = in_handling(world)
    for user in (world.registrar, world.head, world.reviewer):
        response = as_(user).post(url("reveal", req), {"field": "id_number"})
        assert response.status_code == 403
        assert ID_NUMBER not in response.content.decode()
    assert as_(world.handler_b).post(url("reveal", req), {"field": "id_number"}).status_code == 404
    assert not AuditEvent.objects.filter(action="disclosure.reveal").exists()
    handler = as_(world.handler)
    response = handler.post(url("reveal", req), {"field": "id_number"})
    assert response.status_code == 200 and ID_NUMBER in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    response = handler.post(url("reveal", req), {"field": "phone"})
    assert PHONE in response.content.decode() and ID_NUMBER not in response.content.decode()
    rows = AuditEvent.objects.filter(action="disclosure.reveal", actor=world.handler)
    assert rows.count() == 2 and all(ID_NUMBER not in str(r.after) + r.detail for r in rows)
    # The request page after a reveal is masked again (the scanning client checks it).
    assert handler.get(url("detail", req)).status_code == 200
    assert handler.post(url("reveal", req), {"field": "description"}).status_code == 302


# --- Bulk assignment ---------------------------------------------------------------------------------------------


def test_bulk_assignment_reports_failures_per_row(world, as_):
    a = register(world, arrived=date(2026, 6, 1)).request
    b = register(world, arrived=date(2026, 6, 2)).request
    closed = register(world, arrived=date(2026, 6, 2)).request
    workflow.request_withdraw(actor=world.registrar, request=closed, reason="申请人当面撤回")
    foreign = register(world, arrived=date(2026, 6, 1), org=world.other, actor=world.outsider).request
    client = as_(world.registrar)
    response = client.post(reverse("disclosure_staff:bulk_assign"), {
        "uids": [str(a.uid), str(b.uid), str(closed.uid), str(foreign.uid)], "department": world.dept_a.pk,
        "next": reverse("disclosure_staff:queue") + "?status=registered"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("?status=registered")
    body = response.content.decode()
    assert "已将 2 件申请分办至测试市教育局" in body
    assert f"{closed.receipt_no}：" in body and "不能分办" in body
    assert "未找到申请" in body and foreign.receipt_no not in body
    assert reload(a).handling_department == world.dept_a and reload(b).status == "in_handling"
    assert reload(closed).status == "withdrawn" and reload(foreign).handling_department is None
    # Handlers cannot bulk-assign (no department choices of their own).
    response = as_(world.handler).post(reverse("disclosure_staff:bulk_assign"),
                                       {"uids": [str(a.uid)], "department": world.dept_b.pk}, follow=True)
    assert "请选择承办部门" in response.content.decode() and reload(a).handling_department == world.dept_a


def test_bulk_assignment_needs_a_selection(world, as_):
    response = as_(world.registrar).post(reverse("disclosure_staff:bulk_assign"),
                                         {"department": world.dept_a.pk}, follow=True)
    assert "请勾选要分办的申请" in response.content.decode()


# --- Settings -------------------------------------------------------------------------------------------------------


def test_office_head_sets_legal_review_for_all_replies(world, as_):
    page = reverse("disclosure_staff:settings", kwargs={"org_id": world.org.pk})
    for user in (world.registrar, world.handler, world.outsider_head):
        assert as_(user).get(page).status_code == 404
    head = as_(world.head)
    assert head.get(page).status_code == 200
    assert head.post(page, {"legal_review_all_replies": "on"}).status_code == 302
    req = drafted(world, "disclosed")
    assert post(as_(world.handler), "submit_review", req).status_code == 302
    assert reload(req).status == "legal_review"  # even 予以公开 now
    assert AuditEvent.objects.filter(action="disclosure.settings").exists()


# --- Role matrix ------------------------------------------------------------------------------------------------------

ROLES = ("registrar", "handler", "handler_b", "reviewer", "head", "publisher", "outsider")


def _setup(world: Any, state: str) -> DisclosureRequest:
    if state == "registered":
        return register(world, arrived=date(2026, 6, 1)).request
    if state == "in_handling":
        return in_handling(world)
    req = drafted(world)
    if state == "draft":
        return req
    workflow.reply_submit_for_review(actor=world.handler, request=req)
    if state == "legal_review":
        return reload(req)
    workflow.reply_legal_review(actor=world.reviewer, request=reload(req), approve=True)
    if state == "awaiting_approval":
        return reload(req)
    workflow.reply_approve(actor=world.head, request=reload(req), approve=True)
    return reload(req)


# action, state, data, the roles that succeed; roles that can open the request but may not act
# get 403, roles that cannot open it get 404.
MATRIX = [
    ("assign", "registered", {"department": "dept_a"}, {"registrar", "head"}),
    ("ask_correction", "registered", {"items": "请写明文号", "period_days": 10}, {"registrar"}),
    ("draft", "in_handling", {"outcome": "disclosed", "reasons": "予以公开。"}, {"handler"}),
    ("consultation_start", "in_handling", {"kind": "other_agency", "party": "市财政局"}, {"handler"}),
    ("extend", "in_handling", {"days": 5, "reason": "需要调取多个档案"}, {"head"}),
    ("submit_review", "draft", {}, {"handler"}),
    ("legal_review", "legal_review", {"decision": "approve"}, {"reviewer"}),
    ("approve", "awaiting_approval", {"decision": "approve"}, {"head"}),
    ("deliver", "approved", {"method": "pickup"}, {"handler", "registrar"}),
    ("withdraw", "in_handling", {"reason": "申请人来电撤回"}, {"registrar", "handler"}),
    ("note", "in_handling", {"text": "备注内容", "audience": "internal"}, {"registrar", "handler", "reviewer", "head"}),
]
VIEWERS = {"registered": {"registrar", "reviewer", "head"}}


@pytest.mark.parametrize(("action", "state", "data", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_role_matrix(world, as_, action, state, data, allowed):
    for role in ROLES:
        req = _setup(world, state)
        viewers = VIEWERS.get(state, {"registrar", "reviewer", "head", "handler"})
        body = {k: (getattr(world, v).pk if k == "department" else v) for k, v in data.items()}
        response = post(as_(getattr(world, role)), action, req, body)
        expected = 302 if role in allowed else (403 if role in viewers else 404)
        assert response.status_code == expected, (role, response.status_code)
        if expected != 302:
            assert reload(req).version == req.version  # nothing changed


# --- Another organisation ----------------------------------------------------------------------------------------------


def test_every_request_url_is_a_404_for_another_organisation(world, as_):
    req = drafted(world)
    workflow.consultation_start(actor=world.handler, request=req, party="某公司")
    consultation = Consultation.objects.get(request=req)
    from gongkai.disclosure.services.attachments import attachment_add

    attachment = attachment_add(actor=world.handler, request=req, name="a.pdf", data=b"%PDF-1.4\n%%EOF\n")
    req = reload(req)
    urls = [url("detail", req), url("reveal", req), url("attachment", req, file_id=attachment.pk),
            *[url(name, req) for name in _REQUEST_ACTIONS],
            url("consultation_deliver", req, consultation_id=consultation.pk),
            url("consultation_end", req, consultation_id=consultation.pk)]
    for user in (world.outsider, world.outsider_head, world.publisher):
        client = as_(user)
        for address in urls:
            assert client.get(address).status_code == 404, (user, address)
            assert client.post(address, {"expected_version": req.version, "field": "id_number"}).status_code == 404
    assert reload(req).version == req.version
    denied = AuditEvent.objects.filter(action="access.denied", object_type="disclosure.DisclosureRequest")
    assert denied.count() >= len(urls)


def test_masking_scan_over_every_staff_page(world, as_):
    """Explicit scan (the scanning client also checks every page of these tests): full ID and
    phone numbers appear only on the reveal response."""
    from gongkai.disclosure.tests.test_staff_views import assert_masked

    req = drafted(world)
    registered = register(world, arrived=date(2026, 6, 2)).request
    pages = []
    for user in (world.registrar, world.handler, world.head, world.reviewer):
        client = as_(user)
        pages += [client.get(reverse("disclosure_staff:queue")), client.get(reverse("staff:workbench")),
                  client.get(url("detail", req)), client.get(url("detail", registered))]
    registrar = as_(world.registrar)
    pages.append(registrar.get(reverse("disclosure_staff:register")))
    pages.append(registrar.post(reverse("disclosure_staff:register"), {**PERSON, "organisation": world.org.pk,
                                                                        "channel": "fax", "arrived_at": "x"}))
    pages.append(post(as_(world.handler), "draft", req, {"outcome": "", "reasons": ""}))
    # The handler cannot open the unassigned request (index 7); every other page renders.
    assert [p.status_code for p in pages] == [200] * 7 + [404] + [200] * 8 + [200, 400, 400]
    for page in pages:
        assert_masked(page.content.decode())
    revealed = as_(world.handler).post(url("reveal", req), {"field": "id_number"}).content.decode()
    assert re.search(r"\d{17}[\dX]", revealed)  # the scan would catch it anywhere else
