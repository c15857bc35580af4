"""Paying the 信息处理费 (《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号; regulation.md §2):
the applicant's fee box on the tracking page, 我已缴费 through HTTP and the API, staff confirming
with ``fee_paid`` or rejecting the report, the organisation's payment instructions, and the rule
that only the office's confirmation resumes the clock."""

from __future__ import annotations

import base64
import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gongkai.accounts.tests.factories import OrganisationFactory
from gongkai.core.models import AuditEvent
from gongkai.disclosure.models import DisclosureRequest, FeePaymentReport, RequestAttachment, RequestEvent
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import payments, workflow
from gongkai.disclosure.services.deadlines import clock_events, deadline_state
from gongkai.disclosure.templatetags.disclosure_public import cn_date
from gongkai.disclosure.tests.conftest import register
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db

LOOKUP = reverse("disclosure_public:lookup")
API = "/api/v1/disclosure"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
INSTRUCTIONS = "收款单位：测试市财政局非税收入专户\n开户银行：测试银行府前支行 账号 6222000011112222"
FULL_ID_RE = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
FULL_PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def move_clock(monkeypatch: Any, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


def reload(req: DisclosureRequest) -> DisclosureRequest:
    return DisclosureRequest.objects.get(pk=req.pk)


def status_url(req: DisclosureRequest) -> str:
    return reverse("disclosure_public:status", args=[req.uid])


def pay_url(req: DisclosureRequest) -> str:
    return reverse("disclosure_public:payment", args=[req.uid])


@pytest.fixture
def noticed(world: SimpleNamespace, monkeypatch: Any) -> SimpleNamespace:
    """A request received Mon 2026-06-01, assigned, with a 按量 fee notice of 2026-06-03 (120
    pages: 1100 元); the applicant has looked it up with the 查询码 in ``client``."""
    move_clock(monkeypatch, date(2026, 6, 3))
    sub = register(world, arrived=date(2026, 6, 1))
    req = workflow.request_assign(actor=world.registrar, request=sub.request, department=world.dept_a)
    notice = workflow.fee_notice(actor=world.handler, request=req, method="per_volume", pages=120,
                                 on=date(2026, 6, 3))
    client = Client()
    response = client.post(LOOKUP, {"receipt_no": req.receipt_no, "query_code": sub.query_code})
    assert response.status_code == 302
    return SimpleNamespace(req=reload(req), notice=notice, code=sub.query_code, client=client)


def staff(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def staff_post(client: Client, name: str, req: DisclosureRequest, data: dict[str, Any] | None = None) -> Any:
    body = {"expected_version": reload(req).version, **(data or {})}
    return client.post(reverse(f"disclosure_staff:{name}", kwargs={"uid": req.uid}), body)


def scan(html: str) -> None:
    assert not FULL_ID_RE.search(html) and not FULL_PHONE_RE.search(html)


# --- The applicant's fee box -------------------------------------------------------------------------------


def test_status_page_shows_amount_method_computation_deadline_and_instructions(world, noticed):
    """国办函〔2020〕109号第三、五条 and regulation.md §2.2: the notice states basis, method, amount
    and how to pay; the deadline is the replayed clock's (20 working days from receipt)."""
    workflow.disclosure_settings_update(actor=world.head, organisation=world.org, legal_review_all_replies=False,
                                        payment_instructions=INSTRUCTIONS)
    html = noticed.client.get(status_url(noticed.req)).content.decode()
    state = deadline_state(noticed.req)
    assert state is not None and state.fee_payment_due is not None
    assert "人民币 1100 元" in html and "按量计收" in html
    for line in noticed.notice.explanation:
        assert line in html
    assert f">{cn_date(state.fee_payment_due)}</time>前" in html
    assert "测试市财政局非税收入专户" in html and "6222000011112222" in html
    assert "我已缴费" in html and 'name="reference"' in html
    scan(html)


def test_default_instructions_and_inherited_from_the_parent_organisation(world, noticed):
    html = noticed.client.get(status_url(noticed.req)).content.decode()
    assert payments.DEFAULT_PAYMENT_INSTRUCTIONS in html
    child = OrganisationFactory(name="测试市教育局直属中心", slug="d-edu-centre", parent=world.dept_a)
    assert payments.payment_instructions_for(child) == ""
    workflow.disclosure_settings_update(actor=world.head, organisation=world.org, legal_review_all_replies=False,
                                        payment_instructions=INSTRUCTIONS)
    assert payments.payment_instructions_for(child) == INSTRUCTIONS


def test_head_edits_payment_instructions_on_the_settings_page(world):
    head = staff(world.head)
    url = reverse("disclosure_staff:settings", kwargs={"org_id": world.org.pk})
    page = head.get(url).content.decode()
    assert 'name="payment_instructions"' in page and 'for="id_payment_instructions"' in page
    response = head.post(url, {"payment_instructions": INSTRUCTIONS})
    assert response.status_code == 302
    assert payments.payment_instructions_for(world.org) == INSTRUCTIONS
    assert AuditEvent.objects.filter(action="disclosure.settings", after__payment_instructions_changed=True).exists()
    assert staff(world.handler).post(url, {"payment_instructions": "别的"}).status_code == 404


# --- 我已缴费 through HTTP, staff confirm -------------------------------------------------------------------


def test_applicant_reports_payment_and_the_clock_resumes_only_on_staff_confirmation(world, noticed, monkeypatch):
    """国办函〔2020〕109号 / regulation.md §2.2: the time from issuing the 收费通知 until the office
    *receives* the fee is not counted. The applicant's report is their word, not the receipt: the
    clock stays paused until staff confirm it with ``fee_paid``, and resumes from the payment day
    they record."""
    req = noticed.req
    events_before = clock_events(req)
    assert req.status == "awaiting_fee" and req.clock_paused
    move_clock(monkeypatch, date(2026, 6, 5))
    response = noticed.client.post(pay_url(req), {"reference": "２０２６０６０５ABC-001",
                                                  "receipt": _upload("回单.pdf", PDF_BYTES)})
    assert response.status_code == 302, response.content.decode()[:3000]
    report = FeePaymentReport.objects.get(request=req)
    assert report.reference == "20260605ABC-001" and report.state == "pending" and not report.after_due
    assert report.receipt is not None and report.receipt.kind == RequestAttachment.Kind.PAYMENT
    event = RequestEvent.objects.get(request=req, kind="payment_reported")
    assert event.visible_to_applicant and not event.is_clock_event
    assert AuditEvent.objects.filter(action="disclosure.applicant_payment_report").count() == 1

    # Days pass; the report alone does not move the clock: no clock event, still paused.
    move_clock(monkeypatch, date(2026, 6, 12))
    after_report = reload(req)
    assert clock_events(after_report) == events_before
    assert after_report.status == "awaiting_fee" and after_report.clock_paused
    state = deadline_state(after_report)
    assert state is not None and state.paused and state.awaiting_fee and state.fee_noticed_on == date(2026, 6, 3)
    html = noticed.client.get(status_url(req)).content.decode()
    assert "待核实" in html and "20260605ABC-001" in html and "我已缴费</button>" not in html
    assert "您报告已缴费" in html

    again = noticed.client.post(pay_url(req), {"reference": "SECOND-0001"})
    assert again.status_code == 400 and "等待机关核实" in again.content.decode()
    assert FeePaymentReport.objects.filter(request=req).count() == 1

    # Staff see the report with its receipt and confirm with the existing 登记缴费 (fee_paid).
    registrar = staff(world.registrar)
    page = registrar.get(reverse("disclosure_staff:detail", kwargs={"uid": req.uid})).content.decode()
    assert "20260605ABC-001" in page and "缴费凭证（PDF）" in page and 'id="action-reject_payment"' in page
    assert 'id="action-stop"' not in page
    assert staff_post(registrar, "fee_paid", req, {"on": "2026-06-08"}).status_code == 302
    confirmed = reload(req)
    assert confirmed.status == "in_handling" and not confirmed.clock_paused
    assert len(clock_events(confirmed)) == len(events_before) + 1  # the FeePaid of 2026-06-08
    resumed = deadline_state(confirmed)
    assert resumed is not None and not resumed.paused and not resumed.awaiting_fee
    # 20 working days from 2026-06-01 end on 06-29; the notice-to-payment span (06-03 → 06-08) is added.
    assert confirmed.due_date == resumed.due and confirmed.due_date > date(2026, 6, 29)
    report.refresh_from_db()
    assert report.state == "confirmed" and report.decided_by == world.registrar
    html = noticed.client.get(status_url(req)).content.decode()
    assert "已确认缴费" in html and "答复期限已恢复计算" in html
    scan(html)


def test_staff_reject_the_report_with_a_reason_the_applicant_sees_then_a_new_report(world, noticed):
    req = noticed.req
    assert noticed.client.post(pay_url(req), {"reference": "WRONG-REF-01"}).status_code == 302
    handler = staff(world.handler)
    short = staff_post(handler, "reject_payment", req, {"reason": "不对"})
    assert short.status_code == 400 and "不少于5个字" in short.content.decode()
    reviewer = staff(world.reviewer).post(reverse("disclosure_staff:reject_payment", kwargs={"uid": req.uid}),
                                          {"reason": "未查到该笔到账记录，请核对"})
    assert reviewer.status_code == 403  # may open the request, may not check payments
    assert FeePaymentReport.objects.get(request=req).state == "pending"
    response = staff_post(handler, "reject_payment", req, {"reason": "未查到该交易流水号的到账记录，请核对后重新报告。"})
    assert response.status_code == 302
    report = FeePaymentReport.objects.get(request=req)
    assert report.state == "rejected" and report.decided_by == world.handler
    assert reload(req).status == "awaiting_fee" and reload(req).clock_paused
    html = noticed.client.get(status_url(req)).content.decode()
    assert "未通过核实" in html and "未查到该交易流水号的到账记录" in html and "我已缴费</button>" in html
    assert noticed.client.post(pay_url(req), {"reference": "RIGHT-REF-02"}).status_code == 302
    assert FeePaymentReport.objects.filter(request=req, state="pending").count() == 1
    assert AuditEvent.objects.filter(action="disclosure.payment_report_reject").count() == 1


def test_bad_reference_and_receipt_checked_by_content(world, noticed):
    req = noticed.req
    empty = noticed.client.post(pay_url(req), {"reference": ""})
    assert empty.status_code == 400 and "请填写交易流水号" in empty.content.decode()
    bad = noticed.client.post(pay_url(req), {"reference": "流水号！"})
    assert bad.status_code == 400 and "4至64位字母、数字" in bad.content.decode()
    fake = noticed.client.post(pay_url(req), {"reference": "ABCD-1234", "receipt": _upload("回单.pdf", b"MZ\x90\x00")})
    assert fake.status_code == 400 and "类型不受支持" in fake.content.decode()
    assert not FeePaymentReport.objects.exists()
    assert not RequestAttachment.objects.filter(request=req, kind=RequestAttachment.Kind.PAYMENT).exists()


def test_report_after_the_stop_is_refused_in_chinese(world, noticed, monkeypatch):
    """国办函〔2020〕109号 (regulation.md §2.2, row 三(六)2): unpaid within 20 working days of
    receiving the notice → the office no longer processes the request; a later report changes
    nothing."""
    req = noticed.req
    state = deadline_state(req)
    assert state is not None and state.fee_payment_due is not None
    move_clock(monkeypatch, date(2026, 7, 10))
    assert state.fee_payment_due < date(2026, 7, 10)
    workflow.request_mark_stopped(actor=world.handler, request=req)
    assert reload(req).status == "stopped"
    response = noticed.client.post(pay_url(req), {"reference": "LATE-000001"})
    assert response.status_code == 400
    assert "不再处理这件申请" in response.content.decode()
    assert "我已缴费</button>" not in noticed.client.get(status_url(req)).content.decode()
    with pytest.raises(ValidationError, match="不能再报告缴费"):
        payments.applicant_report_payment(request=reload(req), reference="LATE-000002")
    assert not FeePaymentReport.objects.exists()
    assert reload(req).status == "stopped"


def test_stop_waits_while_a_report_is_pending(world, noticed, monkeypatch):
    """A report made before the stop must be checked first (confirmed or rejected)."""
    req = noticed.req
    move_clock(monkeypatch, date(2026, 7, 10))
    report = payments.applicant_report_payment(request=req, reference="LAST-DAY-001")
    assert report.after_due  # reported after the period: staff see it flagged
    with pytest.raises(ValidationError, match="请先核实"):
        workflow.request_mark_stopped(actor=world.handler, request=reload(req))
    payments.payment_report_reject(actor=world.handler, request=reload(req), reason="经核实未在期限内到账。")
    assert workflow.request_mark_stopped(actor=world.handler, request=reload(req)).status == "stopped"


def test_no_report_without_an_outstanding_fee(world, monkeypatch):
    move_clock(monkeypatch, date(2026, 6, 3))
    req = register(world, arrived=date(2026, 6, 1)).request
    with pytest.raises(ValidationError, match="没有待缴纳的信息处理费"):
        payments.applicant_report_payment(request=req, reference="NO-FEE-0001")
    with pytest.raises(ValidationError, match="没有待核实的缴费报告"):
        payments.payment_report_reject(actor=world.registrar, request=req, reason="没有这个报告的。")


def test_only_the_looked_up_applicant_can_report(world, noticed):
    stranger = Client()
    assert stranger.post(pay_url(noticed.req), {"reference": "STRANGER-01"}).status_code == 404
    assert stranger.get(pay_url(noticed.req)).status_code == 405
    assert not FeePaymentReport.objects.exists()


def test_another_organisation_cannot_reach_the_reject_action(world, noticed):
    req = noticed.req
    payments.applicant_report_payment(request=req, reference="OUTSIDE-0001")
    response = staff(world.outsider).post(reverse("disclosure_staff:reject_payment", kwargs={"uid": req.uid}),
                                          {"reason": "越权操作测试", "expected_version": reload(req).version})
    assert response.status_code == 404
    assert FeePaymentReport.objects.get(request=req).state == "pending"


# --- API ---------------------------------------------------------------------------------------------------


def test_api_report_uses_the_tracking_auth_and_shows_the_fee(client, world, noticed):
    req = noticed.req
    url = f"{API}/requests/{req.receipt_no}/payment"
    wrong = client.post(url, {"code": "AAAAAAAAAA", "reference": "API-REF-0001"}, content_type="application/json")
    assert wrong.status_code == 404 and not FeePaymentReport.objects.exists()
    track = client.get(f"{API}/requests/{req.receipt_no}", {"code": noticed.code}).json()
    state = deadline_state(req)
    assert state is not None
    assert track["fee"]["amount"] == 1100 and track["fee"]["method"] == "per_volume"
    assert track["fee"]["payment_due"] == state.fee_payment_due.isoformat()
    assert track["fee"]["can_report_payment"] is True
    bad_file = client.post(url, {"code": noticed.code, "reference": "API-REF-0001", "receipt_base64": "%%%"},
                           content_type="application/json")
    assert bad_file.status_code == 422 and "Base64" in bad_file.json()["detail"]
    ok = client.post(url, {"code": noticed.code, "reference": "API-REF-0001", "receipt_name": "回单.pdf",
                           "receipt_base64": base64.b64encode(PDF_BYTES).decode()}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["status"] == "awaiting_fee" and body["fee"]["can_report_payment"] is False
    assert body["fee"]["reports"][0]["state"] == "pending" and body["fee"]["reports"][0]["reference"] == "API-REF-0001"
    assert any(e["kind"] == "payment_reported" for e in body["timeline"])
    twice = client.post(url, {"code": noticed.code, "reference": "API-REF-0002"}, content_type="application/json")
    assert twice.status_code == 422 and "等待机关核实" in twice.json()["detail"]
    assert FeePaymentReport.objects.get().receipt is not None


def test_api_staff_reject_report(client, world, noticed):
    from gongkai.api.services import api_token_create

    req = noticed.req
    payments.applicant_report_payment(request=req, reference="API-REF-0003")

    def act(user: Any, **body: Any) -> Any:
        _, token = api_token_create(actor=None, user=user, name="测试")
        return client.post(f"{API}/staff/requests/{req.uid}/fee/reject-report", body, content_type="application/json",
                           headers={"authorization": f"Bearer {token}"})

    assert act(world.outsider, expected_version=reload(req).version, reason="越权操作测试").status_code == 404
    assert act(world.reviewer, expected_version=reload(req).version, reason="无权核实缴费").status_code == 403
    response = act(world.handler, expected_version=reload(req).version, reason="未查到到账记录，请核对。")
    assert response.status_code == 200 and response.json()["status"] == "awaiting_fee"
    assert FeePaymentReport.objects.get().state == "rejected"


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
