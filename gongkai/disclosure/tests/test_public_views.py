"""The applicant side through HTTP: guide, online form, check answers, idempotent submission,
confirmation with the 查询码 shown once, 回执 PDF, tracking, corrections, messages, withdrawal,
我的申请, IDOR and the masking scan."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from gongkai.accounts.tests.factories import PublicUserFactory
from gongkai.disclosure.models import DisclosureRequest, RequestAttachment, RequestEvent
from gongkai.disclosure.public_views import ACCESS_KEY, DRAFT_KEY
from gongkai.disclosure.services import submission, workflow
from gongkai.disclosure.services.deadlines import today
from gongkai.disclosure.tests.conftest import CREDIT_CODE, ID_NUMBER, PHONE

pytestmark = pytest.mark.django_db

APPLY = reverse("disclosure_public:apply")
CHECK = reverse("disclosure_public:check")
DONE = reverse("disclosure_public:done")
LOOKUP = reverse("disclosure_public:lookup")
KEY_RE = re.compile(r'name="idempotency_key" value="([^"]+)"')
CODE_RE = re.compile(r'<p class="query-code"[^>]*><span class="visually-hidden">查询码：</span>(\w{5}) (\w{5})</p>')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
# The masking scan: a full 18-digit ID number or an 11-digit mobile number anywhere in the page
# (form fields echoing what the visitor typed in this session are removed first).
FULL_ID_RE = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
FULL_PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
INPUT_VALUE_RE = re.compile(r'<input[^>]*>|<textarea[^>]*>.*?</textarea>', re.S)

PERSON_FORM = {
    "applicant_type": "natural_person", "applicant_name": "张三", "id_type": "resident_id",
    "id_number": ID_NUMBER, "phone": PHONE, "email": "zhangsan@example.com",
    "address": "广东省广州市越秀区府前路1号", "postcode": "510000",
    "description": "2025年本市义务教育阶段学校招生计划及划片方案", "purpose": "了解子女入学安排",
    "form_wanted": "electronic", "delivery_method": "email",
}
COMPANY_FORM = {
    "applicant_type": "organisation", "organisation_kind": "legal_service", "applicant_name": "某某律师事务所",
    "credit_code": CREDIT_CODE, "contact_person": "李律师", "phone": "020-12345678", "id_type": "resident_id",
    "address": "广东省广州市天河区珠江新城", "description": "某项目环境影响评价批复文件",
    "form_wanted": "paper", "delivery_method": "post",
}
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def scan(html: str) -> None:
    body = INPUT_VALUE_RE.sub("", html)
    assert not FULL_ID_RE.search(body), FULL_ID_RE.search(body)
    assert not FULL_PHONE_RE.search(body), FULL_PHONE_RE.search(body)


def fill(client: Client, org: Any, data: dict[str, Any], **files: Any) -> Any:
    return client.post(APPLY, {"organisation": org.pk, **data, **files})


def submit(client: Client, org: Any, data: dict[str, Any] = PERSON_FORM) -> SimpleNamespace:
    """Fill, check and submit; returns the request, the code and the pages seen."""
    pages = [client.get(APPLY).content.decode()]
    response = fill(client, org, data)
    assert response.status_code == 302 and response["Location"] == CHECK, response.content.decode()[:2000]
    check = client.get(CHECK).content.decode()
    pages.append(check)
    key = KEY_RE.search(check).group(1)
    response = client.post(CHECK, {"idempotency_key": key})
    assert response.status_code == 302 and response["Location"] == DONE
    done = client.get(DONE).content.decode()
    pages.append(done)
    match = CODE_RE.search(done)
    assert match, done
    req = DisclosureRequest.objects.get(idempotency_key=key)
    return SimpleNamespace(request=req, code=match.group(1) + match.group(2), key=key, pages=pages, done=done)


def test_guide_page_explains_and_lists_each_organisations_channels(world: SimpleNamespace) -> None:
    world.org.office_address = "测试市府前路1号"
    world.org.fax = "020-83330000"
    world.org.save()
    response = Client().get(reverse("portal:gongkai_ysqgk"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{APPLY}"' in html and "在线提交申请" in html
    assert "第二十九条" in html and "20个工作日" in html and "国办函〔2020〕109号" in html
    assert "测试市府前路1号" in html and "020-83330000" in html
    assert f"{APPLY}?org={world.org.pk}" in html


def test_person_submits_online_and_gets_receipt_and_code_once(world: SimpleNamespace) -> None:
    client = Client()
    result = submit(client, world.org)
    req = result.request
    assert DisclosureRequest.objects.count() == 1
    assert req.applicant_type == "natural_person" and req.channel == "online" and req.status == "submitted"
    assert req.id_number_cipher and ID_NUMBER not in req.id_number_cipher
    assert req.receipt_no in result.done
    assert "查询码只显示这一次" in result.done
    assert "待机关确认收到" in result.done  # online: received when both sides confirm (Art. 31(3))
    assert "期限如何计算" in result.done
    # The code is the real one: it opens the request.
    assert submission.crypto.check_query_code(result.code, req.query_code_hash)
    # Shown once: a reload no longer shows it.
    again = client.get(DONE).content.decode()
    assert req.receipt_no in again and not CODE_RE.search(again) and "不再显示" in again
    for page in result.pages + [again]:
        scan(page)


def test_legal_person_submits_online(world: SimpleNamespace) -> None:
    result = submit(Client(), world.org, COMPANY_FORM)
    req = result.request
    assert req.applicant_type == "organisation" and req.organisation_kind == "legal_service"
    assert req.credit_code == CREDIT_CODE and req.delivery_method == "post" and req.id_number_cipher == ""
    assert "某某律师事务所" in result.pages[1] and "法律服务机构" in result.pages[1]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"id_number": "110105194912310021"}, "id_number", "校验位"),
    ({"id_number": "11010519491231002Y"}, "id_number", "应为18位"),
    ({"id_number": "110105194913310028"}, "id_number", "出生日期"),
    ({"description": "短"}, "description", "不少于5个字"),
    ({"phone": "", "email": "", "address": ""}, "phone", "至少填写一种联系方式"),
    ({"delivery_method": "email", "email": ""}, "email", "请填写电子邮箱"),
    ({"applicant_type": "organisation", "organisation_kind": "", "credit_code": "123"}, "credit_code",
     "统一社会信用代码"),
    ({"form_wanted": ""}, "form_wanted", "请选择信息的提供形式"),
])
def test_invalid_answers_are_refused_in_chinese_and_create_nothing(world: SimpleNamespace, changes: dict[str, str],
                                                                   field: str, message: str) -> None:
    client = Client()
    response = fill(client, world.org, {**PERSON_FORM, **changes})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>错误：" in html
    assert 'class="error-summary"' in html and "存在以下问题" in html
    anchor = f"#id_{field}_0" if field == "form_wanted" else f"#id_{field}"
    assert f'href="{anchor}"' in html
    assert message in html
    assert 'aria-invalid="true"' in html or field == "form_wanted"
    assert DRAFT_KEY not in client.session
    assert DisclosureRequest.objects.count() == 0
    scan(html)


def test_missing_organisation_is_refused(world: SimpleNamespace) -> None:
    response = Client().post(APPLY, PERSON_FORM)
    assert response.status_code == 400 and "请选择受理申请的机关" in response.content.decode()
    assert DisclosureRequest.objects.count() == 0


def test_double_submit_creates_one_request_with_the_same_code(world: SimpleNamespace) -> None:
    client = Client()
    assert fill(client, world.org, PERSON_FORM).status_code == 302
    # The draft waits in the session sealed: no plaintext ID or phone number in the session table.
    stored = str(client.session[DRAFT_KEY])
    assert ID_NUMBER not in stored and PHONE not in stored and "张三" not in stored
    key = KEY_RE.search(client.get(CHECK).content.decode()).group(1)
    first = client.post(CHECK, {"idempotency_key": key})
    second = client.post(CHECK, {"idempotency_key": key})
    assert first.status_code == second.status_code == 302
    assert DisclosureRequest.objects.count() == 1
    assert "sealed" not in client.session[DRAFT_KEY]  # submitted: the answers left the session
    done = client.get(DONE).content.decode()
    match = CODE_RE.search(done)
    assert match
    req = DisclosureRequest.objects.get()
    assert submission.crypto.check_query_code(match.group(1) + match.group(2), req.query_code_hash)
    # A stale or forged key is not accepted.
    assert client.post(CHECK, {"idempotency_key": "x" * 32}).status_code == 302
    assert DisclosureRequest.objects.count() == 1


def test_editing_after_submission_starts_a_new_application(world: SimpleNamespace) -> None:
    client = Client()
    first = submit(client, world.org)
    second = submit(client, world.org, {**PERSON_FORM, "description": "2026年本市学前教育收费标准文件"})
    assert first.request.pk != second.request.pk and first.key != second.key
    assert DisclosureRequest.objects.count() == 2


def test_attachments_are_checked_by_content(world: SimpleNamespace, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = Client()
    fake = SimpleUploadedFile("证明.pdf", b"this is not a pdf at all", content_type="application/pdf")
    response = fill(client, world.org, PERSON_FORM, attachments=fake)
    assert response.status_code == 400 and "类型不受支持" in response.content.decode()
    real = SimpleUploadedFile("身份证明.pdf", PDF_BYTES, content_type="application/octet-stream")
    assert fill(client, world.org, PERSON_FORM, attachments=real).status_code == 302
    check = client.get(CHECK).content.decode()
    assert "身份证明.pdf" in check
    client.post(CHECK, {"idempotency_key": KEY_RE.search(check).group(1)})
    req = DisclosureRequest.objects.get()
    files = list(req.attachments.all())
    assert [(f.original_name, f.kind, f.extension) for f in files] == [("身份证明.pdf", "applicant", "pdf")]
    download = client.get(reverse("disclosure_public:attachment", args=[req.uid, files[0].pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES


def test_check_page_shows_published_documents_that_may_answer(world: SimpleNamespace, taxonomy: None,
                                                              search_index: Any) -> None:
    from gongkai.policies.tests.fixtures import make_document

    document = make_document(world.org, title="测试市义务教育阶段学校招生入学工作实施方案")
    search_index.apply()
    client = Client()
    fill(client, world.org, {**PERSON_FORM, "description": "义务教育阶段学校招生入学工作实施方案"})
    html = client.get(CHECK).content.decode()
    assert "这些信息可能已经公开" in html
    assert reverse("policies:document", args=[document.pk]) in html

    other = Client()
    fill(other, world.org, {**PERSON_FORM, "description": "某某水库除险加固工程竣工验收报告"})
    assert "这些信息可能已经公开" not in other.get(CHECK).content.decode()


def test_receipt_pdf_has_receipt_number_and_masked_data_only(world: SimpleNamespace) -> None:
    client = Client()
    req = submit(client, world.org).request
    response = client.get(reverse("disclosure_public:receipt", args=[req.uid]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert req.receipt_no in text
    assert ID_NUMBER not in text and PHONE not in text
    assert "回执" in text and req.id_number_masked in text
    # Nobody else gets it.
    assert Client().get(reverse("disclosure_public:receipt", args=[req.uid])).status_code == 404


def test_tracking_with_wrong_code_is_the_same_404_as_a_missing_number(world: SimpleNamespace) -> None:
    req = submit(Client(), world.org).request
    wrong = Client().post(LOOKUP, {"receipt_no": req.receipt_no, "query_code": "ABCDEFGHJK"})
    missing = Client().post(LOOKUP, {"receipt_no": "000000000-2026-99999", "query_code": "ABCDEFGHJK"})
    assert wrong.status_code == missing.status_code == 404
    normalise = lambda r: CSRF_RE.sub("", r.content.decode()).replace(req.receipt_no, "").replace(  # noqa: E731
        "000000000-2026-99999", "")
    assert normalise(wrong) == normalise(missing)
    assert "受理编号或查询码不正确" in wrong.content.decode()


def test_tracking_with_the_code_opens_the_status_page_without_code_in_urls(world: SimpleNamespace) -> None:
    result = submit(Client(), world.org)
    req = result.request
    visitor = Client()
    assert visitor.get(reverse("disclosure_public:status", args=[req.uid])).status_code == 404
    response = visitor.post(LOOKUP, {"receipt_no": req.receipt_no.lower(), "query_code": result.code})
    assert response.status_code == 302
    assert response["Location"] == reverse("disclosure_public:status", args=[req.uid])
    assert result.code not in response["Location"]
    page = visitor.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "待确认收到" in html and "提交申请" in html and req.id_number_masked in html
    assert result.code not in html
    assert str(req.uid) in visitor.session[ACCESS_KEY]
    scan(html)


def test_no_other_applicants_request_is_reachable_by_changing_ids(world: SimpleNamespace, settings: Any,
                                                                   tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    mine = Client()
    a = submit(mine, world.org).request
    b = submission.request_submit_online(organisation=world.org, data={**submission_data(), "applicant_name": "王五"},
                                         idempotency_key="other-applicant-key-0001").request
    from gongkai.disclosure.services.attachments import attachment_add

    submission.request_confirm_receipt(actor=world.registrar, request=b, confirmed_at=today())
    b.refresh_from_db()
    file_b = attachment_add(actor=world.registrar, request=b, name="b.pdf", data=PDF_BYTES)
    assert mine.get(reverse("disclosure_public:status", args=[a.uid])).status_code == 200
    for name, args in [("status", [b.uid]), ("receipt", [b.uid]), ("withdraw", [b.uid]),
                       ("attachment", [b.uid, file_b.pk])]:
        assert mine.get(reverse(f"disclosure_public:{name}", args=args)).status_code == 404, name
    for name in ("message", "correction", "withdraw"):
        response = mine.post(reverse(f"disclosure_public:{name}", args=[b.uid]), {"text": "x", "confirm": "on"})
        assert response.status_code == 404, name
    # A's own page does not serve B's file either.
    assert mine.get(reverse("disclosure_public:attachment", args=[a.uid, file_b.pk])).status_code == 404
    b.refresh_from_db()
    assert b.status == "registered"
    assert not RequestEvent.objects.filter(request=b, kind="applicant_message").exists()


def submission_data() -> dict[str, Any]:
    return {**PERSON_FORM, "id_number": "110101199003074477", "phone": "13900001111"}


def _registered_online(world: SimpleNamespace) -> tuple[Client, DisclosureRequest]:
    client = Client()
    req = submit(client, world.org).request
    req = submission.request_confirm_receipt(actor=world.registrar, request=req, confirmed_at=today())
    return client, req


def test_applicant_submits_the_requested_correction(world: SimpleNamespace) -> None:
    client, req = _registered_online(world)
    status_url = reverse("disclosure_public:status", args=[req.uid])
    assert "提交补正" not in client.get(status_url).content.decode()
    workflow.request_ask_correction(actor=world.registrar, request=req, items=["请写明招生计划所属学年和区县"],
                                    period_days=15)
    html = client.get(status_url).content.decode()
    assert "提交补正" in html and "请写明招生计划所属学年和区县" in html and "待补正" in html
    bad = client.post(reverse("disclosure_public:correction", args=[req.uid]), {"description": "短"})
    assert bad.status_code == 400 and "不少于5个字" in bad.content.decode()
    req.refresh_from_db()
    assert req.status == "awaiting_correction"
    response = client.post(reverse("disclosure_public:correction", args=[req.uid]),
                           {"description": "2025学年越秀区义务教育阶段学校招生计划", "note": "已补充学年和区县"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "registered" and req.description == "2025学年越秀区义务教育阶段学校招生计划"
    assert req.due_date is not None
    html = client.get(status_url).content.decode()
    assert "收到补正" in html and "补正已提交" in html


def test_applicant_sends_a_message(world: SimpleNamespace) -> None:
    client, req = _registered_online(world)
    url = reverse("disclosure_public:message", args=[req.uid])
    empty = client.post(url, {"text": ""})
    assert empty.status_code == 400 and "请填写留言内容" in empty.content.decode()
    assert client.post(url, {"text": "请问能否提供电子版？"}).status_code == 302
    event = RequestEvent.objects.get(request=req, kind="applicant_message")
    assert event.note == "请问能否提供电子版？" and event.visible_to_applicant
    assert "请问能否提供电子版？" in client.get(reverse("disclosure_public:status", args=[req.uid])).content.decode()


def test_applicant_withdraws_after_confirming(world: SimpleNamespace) -> None:
    client, req = _registered_online(world)
    url = reverse("disclosure_public:withdraw", args=[req.uid])
    page = client.get(url)
    assert page.status_code == 200 and "撤回不能恢复" in page.content.decode()
    refused = client.post(url, {"reason": "不需要了", "version": req.version})
    assert refused.status_code == 400 and "请勾选确认撤回" in refused.content.decode()
    req.refresh_from_db()
    assert req.status == "registered"
    done = client.post(url, {"reason": "不需要了", "confirm": "on", "version": req.version})
    assert done.status_code == 302
    req.refresh_from_db()
    assert req.status == "withdrawn" and req.outcome
    html = client.get(reverse("disclosure_public:status", args=[req.uid])).content.decode()
    assert "已撤回" in html and reverse("disclosure_public:withdraw", args=[req.uid]) not in html
    assert client.get(url).status_code == 302  # nothing more to withdraw


def test_withdraw_with_a_stale_version_changes_nothing(world: SimpleNamespace) -> None:
    client, req = _registered_online(world)
    response = client.post(reverse("disclosure_public:withdraw", args=[req.uid]),
                           {"confirm": "on", "version": req.version - 1})
    assert response.status_code == 400 and "已被他人处理" in response.content.decode()
    req.refresh_from_db()
    assert req.status == "registered"


def test_my_requests_need_login_and_show_only_my_own(world: SimpleNamespace) -> None:
    url = reverse("disclosure_public:mine")
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    owner = PublicUserFactory(username="gongmin")
    other = PublicUserFactory(username="lingyige")
    owner_client = Client()
    owner_client.force_login(owner)
    req = submit(owner_client, world.org).request
    assert req.submitted_by == owner
    fresh = Client()
    fresh.force_login(owner)  # a new session: access through the account, not the session grant
    html = fresh.get(url).content.decode()
    assert req.receipt_no in html
    assert fresh.get(reverse("disclosure_public:status", args=[req.uid])).status_code == 200
    scan(html)
    other_client = Client()
    other_client.force_login(other)
    assert req.receipt_no not in other_client.get(url).content.decode()
    assert other_client.get(reverse("disclosure_public:status", args=[req.uid])).status_code == 404


def test_masking_scan_over_every_public_page(world: SimpleNamespace, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    client, req = _registered_online(world)
    workflow.request_ask_correction(actor=world.registrar, request=req, items="请写明学年", period_days=15)
    pages = [
        reverse("portal:gongkai_ysqgk"), APPLY, CHECK, DONE, LOOKUP,
        reverse("disclosure_public:status", args=[req.uid]),
        reverse("disclosure_public:withdraw", args=[req.uid]),
    ]
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        scan(response.content.decode())
    # A refused correction re-renders the status page: still masked.
    scan(client.post(reverse("disclosure_public:correction", args=[req.uid]), {"description": "短"}).content.decode())
    assert RequestAttachment.objects.count() == 0


def test_public_pages_have_no_inline_script_or_style(world: SimpleNamespace) -> None:
    client, req = _registered_online(world)
    for url in [reverse("portal:gongkai_ysqgk"), APPLY, LOOKUP, reverse("disclosure_public:status", args=[req.uid])]:
        html = client.get(url).content.decode()
        assert "style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<fieldset" in html or url != APPLY


def test_status_page_links_the_applicants_letters(world: SimpleNamespace, settings: Any, tmp_path: Any) -> None:
    from gongkai.disclosure.services.letters import letter_for_event

    settings.MEDIA_ROOT = tmp_path
    client, req = _registered_online(world)
    req = workflow.request_ask_correction(actor=world.registrar, request=req, items=["请写明文件名称"])
    letter = letter_for_event(actor=world.registrar, request=req, kind="correction")
    html = client.get(reverse("disclosure_public:status", args=[req.uid])).content.decode()
    url = reverse("disclosure_letters:public_download", kwargs={"uid": req.uid, "letter_id": letter.pk, "fmt": "pdf"})
    assert letter.title in html and url in html
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert Client().get(url).status_code == 404
