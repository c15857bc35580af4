"""The staff workbench for requests through HTTP: queue, registration, the request page and its
action panel, role matrix, another organisation's requests, conflicts, reveal and the masking
scan (every HTML page these tests render is scanned for full ID and phone numbers)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.disclosure.models import DisclosureRequest, RequestEvent
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import submission, workflow
from gongkai.disclosure.tests.conftest import ADDRESS, PERSON, register
from gongkai.domain.disclosure_deadlines import reply_due
from gongkai.portal.tests.helpers import login_verified
from gongkai.workcalendar.selectors import working_calendar

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 3)
FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
FULL_PHONE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def assert_masked(body: str, where: str = "") -> None:
    assert not FULL_ID.search(body), f"完整证件号码出现在页面上：{where}"
    assert not FULL_PHONE.search(body), f"完整手机号码出现在页面上：{where}"
    assert ADDRESS not in body, f"完整地址出现在页面上：{where}"


class ScanningClient(Client):
    """Every HTML response except the reveal response is scanned for unmasked personal data."""

    pages = 0

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        path = request.get("PATH_INFO", "")
        if response.get("Content-Type", "").startswith("text/html") and not path.endswith("/reveal/"):
            assert_masked(response.content.decode(), path)
            ScanningClient.pages += 1
        return response


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def as_(db: Any) -> Any:
    def make(user: Any) -> ScanningClient:
        client = ScanningClient()
        login_verified(client, user)
        return client
    return make


def url(name: str, req: DisclosureRequest, **kw: Any) -> str:
    return reverse(f"disclosure_staff:{name}", kwargs={"uid": req.uid, **kw})


def reload(req: DisclosureRequest) -> DisclosureRequest:
    return DisclosureRequest.objects.get(pk=req.pk)


def post(client: Client, name: str, req: DisclosureRequest, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    body = {"expected_version": reload(req).version, **(data or {})}
    return client.post(url(name, req, **kw), body)


def in_handling(world: Any, arrived: date = date(2026, 6, 1), data: dict[str, Any] | None = None) -> DisclosureRequest:
    req = register(world, arrived=arrived, data=data).request
    return workflow.request_assign(actor=world.registrar, request=req, department=world.dept_a)


def drafted(world: Any, outcome: str = "partial") -> DisclosureRequest:
    req = in_handling(world)
    workflow.reply_draft(actor=world.handler, request=req, outcome=outcome, reasons="部分内容涉及第三方商业秘密，依法区分处理。")
    return reload(req)


# --- Queue ------------------------------------------------------------------------------------------------


def _arrival_due_within(days: int, today: date) -> date:
    """An arrival day whose 20-working-day due date is 1..``days`` working days after ``today``."""
    cal = working_calendar()
    d = today
    while True:
        d -= timedelta(days=1)
        due = reply_due(cal, d)
        if today < due and cal.working_days_between(today, due) <= days:
            return d


def test_queue_sorted_by_due_date_with_risk_text(world, as_, monkeypatch):
    later = date(2026, 7, 20)
    monkeypatch.setattr(clock, "today", lambda: later)
    normal = register(world, arrived=date(2026, 7, 15)).request
    soon = register(world, arrived=_arrival_due_within(3, later)).request
    late = register(world, arrived=date(2026, 6, 1)).request
    assert reload(late).overdue and reload(soon).due_soon and not reload(normal).due_soon
    body = as_(world.registrar).get(reverse("disclosure_staff:queue")).content.decode()
    assert body.index(late.receipt_no) < body.index(soon.receipt_no) < body.index(normal.receipt_no)
    # Colour plus text, never colour alone.
    assert re.search(r'class="risk risk-overdue">已超期 \d+ 个工作日', body)
    assert re.search(r'class="risk risk-due-soon">即将到期：剩余 [123] 个工作日', body)
    assert "剩余" in body and 'aria-sort="ascending"' in body


def test_queue_filters_and_free_text(world, as_):
    letter = register(world, channel="ordinary_letter", arrived=date(2026, 6, 1), confirmed=date(2026, 6, 1)).request
    person = register(world, arrived=date(2026, 6, 2), data={**PERSON, "description": "城市道路维修年度计划文件"}).request
    client = as_(world.registrar)
    queue = reverse("disclosure_staff:queue")
    body = client.get(queue, {"channel": "ordinary_letter"}).content.decode()
    assert letter.receipt_no in body and person.receipt_no not in body
    body = client.get(queue, {"q": "道路维修"}).content.decode()
    assert person.receipt_no in body and letter.receipt_no not in body
    body = client.get(queue, {"q": letter.receipt_no}).content.decode()
    assert letter.receipt_no in body and person.receipt_no not in body
    body = client.get(queue, {"status": "in_handling"}).content.decode()
    assert "没有符合条件的申请" in body
    body = client.get(queue, {"overdue": "on"}).content.decode()
    assert "没有符合条件的申请" in body
    body = client.get(queue, {"applicant_type": "organisation"}).content.decode()
    assert letter.receipt_no not in body


def test_queue_pagination(world, as_):
    for i in range(32):
        register(world, arrived=date(2026, 6, 1), data={**PERSON, "description": f"第{i}号文件的全文内容"})
    client = as_(world.registrar)
    first = client.get(reverse("disclosure_staff:queue")).content.decode()
    assert "第 1 / 2 页" in first and "下一页" in first
    second = client.get(reverse("disclosure_staff:queue"), {"page": 2}).content.decode()
    assert second.count('name="uids"') == 2


def test_handler_queue_shows_only_their_department(world, as_):
    mine = in_handling(world)
    other = register(world, arrived=date(2026, 6, 1)).request
    body = as_(world.handler).get(reverse("disclosure_staff:queue")).content.decode()
    assert mine.receipt_no in body and other.receipt_no not in body
    assert 'name="uids"' not in body  # handlers do not assign
    body = as_(world.handler_b).get(reverse("disclosure_staff:queue")).content.decode()
    assert mine.receipt_no not in body
    body = as_(world.outsider).get(reverse("disclosure_staff:queue")).content.decode()
    assert mine.receipt_no not in body and other.receipt_no not in body


def test_workbench_shows_request_counts(world, as_):
    submission.request_submit_online(organisation=world.org, data=PERSON, idempotency_key="k" * 20,
                                        arrived_at=date(2026, 6, 2))
    in_handling(world)
    body = as_(world.registrar).get(reverse("staff:workbench")).content.decode()
    assert "依申请公开" in body
    assert re.search(r"待确认收到（待登记）</a>：1 件", body)
    body = as_(world.handler).get(reverse("staff:workbench")).content.decode()
    assert re.search(r"我承办的未办结申请</a>：1 件", body) and "待确认收到" not in body
    assert "依申请公开" not in as_(world.publisher).get(reverse("staff:workbench")).content.decode()


# --- Registration ----------------------------------------------------------------------------------------


def _registration(**over: Any) -> dict[str, Any]:
    data = {**PERSON, "channel": "ordinary_letter", "arrived_at": "2026-06-02 09:00",
            "confirmed_at": "2026-06-02 15:30", "form_wanted": "paper", "delivery_method": "post",
            "idempotency_key": "reg-key-0123456789abcdef"}
    data.update(over)
    return data


def test_registrar_registers_a_letter(world, as_):
    client = as_(world.registrar)
    page = client.get(reverse("disclosure_staff:register"))
    assert page.status_code == 200 and "平常信函" in page.content.decode()
    response = client.post(reverse("disclosure_staff:register"), _registration(organisation=world.org.pk))
    assert response.status_code == 200
    req = DisclosureRequest.objects.get()
    body = response.content.decode()
    assert req.receipt_no in body and "查询码" in body and "只显示这一次" in body
    assert req.status == "registered" and req.channel == "ordinary_letter"
    assert req.received_on == date(2026, 6, 2) and not req.same_day_breach
    assert req.id_number_masked in as_(world.registrar).get(url("detail", req)).content.decode()
    # The same form posted again (double click) is the same request.
    again = client.post(reverse("disclosure_staff:register"), _registration(organisation=world.org.pk))
    assert again.status_code == 200 and DisclosureRequest.objects.count() == 1


def test_registration_errors_are_chinese_and_change_nothing(world, as_):
    client = as_(world.registrar)
    response = client.post(reverse("disclosure_staff:register"), _registration(
        organisation=world.org.pk, description="短", id_number="110105194912310021", arrived_at="明天"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "存在以下问题" in body and "<title>错误：" in body
    assert "格式不正确" in body
    assert not DisclosureRequest.objects.exists()
    response = client.post(reverse("disclosure_staff:register"), _registration(organisation=world.org.pk,
                                                                                 description="短"))
    assert response.status_code == 400 and "不少于5个字" in response.content.decode()
    assert not DisclosureRequest.objects.exists()


def test_only_registrars_register(world, as_):
    for user in (world.handler, world.head, world.reviewer, world.publisher):
        assert as_(user).get(reverse("disclosure_staff:register")).status_code == 403
    # A registrar of another organisation cannot register for this one.
    response = as_(world.outsider).post(reverse("disclosure_staff:register"), _registration(organisation=world.org.pk))
    assert response.status_code == 400 and not DisclosureRequest.objects.exists()


def test_registrar_confirms_receipt_of_an_online_submission(world, as_):
    req = submission.request_submit_online(organisation=world.org, data=PERSON, idempotency_key="o" * 20,
                                              arrived_at=date(2026, 6, 2)).request
    assert req.status == "submitted"
    page = as_(world.registrar).get(url("detail", req)).content.decode()
    assert 'id="action-confirm_receipt"' in page
    response = post(as_(world.registrar), "confirm_receipt", req, {"confirmed_at": "2026-06-02 10:00"})
    assert response.status_code == 302
    req = reload(req)
    assert req.status == "registered" and req.received_on == date(2026, 6, 2)
    assert post(as_(world.head), "confirm_receipt", req, {"confirmed_at": "2026-06-02"}).status_code == 403


# --- The request page -----------------------------------------------------------------------------------------


def test_request_page_shows_summary_timeline_and_explanation(world, as_):
    req = in_handling(world)
    body = as_(world.handler).get(url("detail", req)).content.decode()
    assert "110105********002X" in body and "138****5678" in body
    assert "答复期限如何计算" in body and "收到申请之日" in body
    assert "分办" in body and "办理记录" in body
    assert "显示完整信息" in body  # the assigned handler may reveal
    body = as_(world.registrar).get(url("detail", req)).content.decode()
    assert "显示完整信息" not in body
    assert "disclosure/staff/_letters.html" not in body  # the letters block renders (empty), not its name


def test_panel_offers_exactly_the_actions_of_role_and_state(world, as_):
    def actions(user: Any, req: DisclosureRequest) -> set[str]:
        body = as_(user).get(url("detail", req)).content.decode()
        return set(re.findall(r'<details id="action-([a-z_]+)"', body))

    req = register(world, arrived=date(2026, 6, 1)).request
    assert actions(world.registrar, req) == {"assign", "ask_correction", "withdraw", "attachment", "note"}
    assert actions(world.head, req) == {"assign", "extend", "note"}
    assert actions(world.reviewer, req) == {"note"}
    req = in_handling(world)
    assert actions(world.handler, req) == {"ask_correction", "consultation_start", "fee_notice", "draft", "withdraw",
                                           "attachment", "note"}
    workflow.reply_draft(actor=world.handler, request=req, outcome="disclosed", reasons="予以公开。")
    assert "submit_review" in actions(world.handler, req)
    workflow.reply_submit_for_review(actor=world.handler, request=reload(req))
    assert "approve" in actions(world.head, req) and "approve" not in actions(world.reviewer, req)
    assert actions(world.handler, req) == {"withdraw", "attachment", "note"}


def test_draft_outcome_select_is_grouped_by_the_six_groups(world, as_):
    req = in_handling(world)
    body = as_(world.handler).get(url("detail", req)).content.decode()
    groups = re.findall(r'<optgroup label="([^"]+)">', body)
    assert groups == ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    assert "不予公开：属于国家秘密" in body and "不予处理：重复申请" in body
    assert "视为放弃申请" not in body.split('id="action-draft"')[1].split("</details>")[0]


def test_notes_are_separate_from_messages_to_the_applicant(world, as_):
    req = in_handling(world)
    client = as_(world.handler)
    assert post(client, "note", req, {"text": "内部：先查档案室", "audience": "internal"}).status_code == 302
    assert post(client, "note", req, {"text": "您好，正在办理中", "audience": "applicant"}).status_code == 302
    events = {e.note: e.visible_to_applicant for e in RequestEvent.objects.filter(kind__in=["note", "message"])}
    assert events == {"内部：先查档案室": False, "您好，正在办理中": True}
    body = client.get(url("detail", req)).content.decode()
    notes = body.split('id="notes-heading"')[1].split("</section>")[0]
    messages = body.split('id="messages-heading"')[1].split("</section>")[0]
    assert "先查档案室" in notes and "先查档案室" not in messages
    assert "正在办理中" in messages and "正在办理中" not in notes


def test_applicant_history_and_possible_duplicates(world, as_):
    first = register(world, arrived=date(2026, 6, 1)).request
    second = register(world, arrived=date(2026, 6, 2), data={**PERSON, "description": PERSON["description"] + "。"}).request
    body = as_(world.registrar).get(url("detail", second)).content.decode()
    history = body.split('id="history-heading"')[1].split("</section>")[0]
    assert first.receipt_no in history
    dup = body.split('id="dup-heading"')[1].split("</section>")[0]
    assert first.receipt_no in dup and "不予处理：重复申请" in dup


def test_attachment_upload_and_download(world, as_):
    req = in_handling(world)
    client = as_(world.handler)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url("attachment", req), {"expected_version": req.version, "kind": "released",
                                                     "file": SimpleUploadedFile("公开文件.pdf", pdf)})
    assert response.status_code == 302
    attachment = req.attachments.get()
    download = client.get(url("attachment", req, file_id=attachment.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    assert as_(world.handler_b).get(url("attachment", req, file_id=attachment.pk)).status_code == 404
