"""告知书 over HTTP: staff preview and download only within their organisation; the applicant
downloads only their own frozen letters after looking the request up."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.accounts.tests.factories import PublicUserFactory
from gongkai.disclosure.models import Letter
from gongkai.disclosure.services import letters, workflow
from gongkai.disclosure.tests.conftest import PERSON, register
from gongkai.disclosure.tests.test_letters import docx_text, pdf_text
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def staff_client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def approved_reply(w, req, outcome="withheld_process_info"):
    workflow.reply_draft(actor=w.handler, request=req, outcome=outcome, reasons="属于过程性信息，依法不予公开。")
    req = workflow.reply_submit_for_review(actor=w.handler, request=req)
    if req.status == "legal_review":
        req = workflow.reply_legal_review(actor=w.reviewer, request=req, approve=True, comment="同意")
    req = letters.approve_reply_and_issue_letter(actor=w.head, request=req, approve=True)
    return req, Letter.objects.get(request=req, kind="reply", status="approved")


def download_url(letter, fmt="pdf"):
    return reverse("disclosure_letters:staff_download",
                   kwargs={"uid": letter.request.uid, "letter_id": letter.pk, "fmt": fmt})


def public_url(letter, fmt=None):
    kwargs = {"uid": letter.request.uid, "letter_id": letter.pk}
    if fmt:
        kwargs["fmt"] = fmt
    return reverse("disclosure_letters:public_download", kwargs=kwargs)


def test_staff_of_the_organisation_preview_generate_and_download(world, registered):
    req, letter = approved_reply(world, registered)
    client = staff_client(world.handler)
    page = client.get(reverse("disclosure_letters:staff_list", kwargs={"uid": req.uid}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "政府信息公开申请答复告知书" in body and download_url(letter) in body and "已定稿" in body

    response = client.get(download_url(letter))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content == letter.pdf.read()
    docx = client.get(download_url(letter, "docx"))
    assert docx.status_code == 200 and req.receipt_no in docx_text(docx.content)
    assert client.get(download_url(letter, "exe")).status_code == 404

    # The registrar and the head see it too (organisation-wide roles).
    for user in (world.registrar, world.head):
        assert staff_client(user).get(download_url(letter)).status_code == 200


def test_preview_inline_and_with_edited_reasons_before_saving(world, registered):
    workflow.reply_draft(actor=world.handler, request=registered, outcome="partial", reasons="第三页涉及个人隐私。")
    client = staff_client(world.handler)
    url = reverse("disclosure_letters:staff_preview",
                  kwargs={"uid": registered.uid, "letter_kind": "reply", "fmt": "pdf"})
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    text = pdf_text(response.content)
    assert registered.receipt_no in text and "第三十七条" in text and "第三页涉及个人隐私" in text
    edited = client.post(url, {"reasons": "第三页和第五页涉及个人隐私。"})
    assert "第三页和第五页涉及个人隐私" in pdf_text(edited.content)
    assert not Letter.objects.exists()  # previews store nothing
    # Nothing to preview yet: back to the letter page with the reason.
    missing = client.get(reverse("disclosure_letters:staff_preview",
                                 kwargs={"uid": registered.uid, "letter_kind": "fee", "fmt": "pdf"}))
    assert missing.status_code == 302

    generate = reverse("disclosure_letters:staff_generate", kwargs={"uid": registered.uid, "letter_kind": "reply"})
    assert client.get(generate).status_code == 405
    assert client.post(generate).status_code == 302
    draft = Letter.objects.get(request=registered)
    assert draft.status == "draft" and draft.created_by == world.handler


def test_staff_of_another_organisation_or_department_get_404(world, registered):
    _, letter = approved_reply(world, registered)
    urls = [
        download_url(letter), download_url(letter, "docx"),
        reverse("disclosure_letters:staff_list", kwargs={"uid": registered.uid}),
        reverse("disclosure_letters:staff_preview", kwargs={"uid": registered.uid, "letter_kind": "reply",
                                                             "fmt": "pdf"}),
    ]
    for user in (world.outsider, world.outsider_head, world.handler_b, world.publisher):
        client = staff_client(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
    # A letter id under another request's uid is not found either.
    other = register(world, arrived=date(2026, 6, 2)).request
    wrong = reverse("disclosure_letters:staff_download",
                    kwargs={"uid": other.uid, "letter_id": letter.pk, "fmt": "pdf"})
    assert staff_client(world.registrar).get(wrong).status_code == 404


def test_tampered_file_is_refused_not_served(world, registered):
    from django.core.files.storage import default_storage

    _, letter = approved_reply(world, registered)
    with open(default_storage.path(letter.docx.name), "wb") as handle:
        handle.write(b"PK not the letter")
    response = staff_client(world.handler).get(download_url(letter, "docx"))
    assert response.status_code == 409 and "校验失败" in response.content.decode()


def test_applicant_downloads_own_approved_letters_after_lookup(world):
    submission = register(world, arrived=date(2026, 6, 1))
    req = workflow.request_assign(actor=world.registrar, request=submission.request, department=world.dept_a)
    c = workflow.consultation_start(actor=world.handler, request=req, party="某某公司", on=date(2026, 6, 3))
    third_party = letters.letter_for_event(actor=world.handler, request=req, kind="consultation")
    workflow.consultation_end(actor=world.handler, consultation=c, on=date(2026, 6, 5), decision="第三方同意公开")
    workflow.request_extend(actor=world.head, request=req, days=10, reason="需要调取档案核实", on=date(2026, 6, 10))
    extension = letters.letter_for_event(actor=world.head, request=req, kind="extension")
    req, reply_letter = approved_reply(world, req, outcome="disclosed")

    anonymous = Client()
    assert anonymous.get(public_url(reply_letter)).status_code == 404  # not looked up yet

    client = Client()
    assert submission.query_code
    lookup = client.post(reverse("disclosure_public:lookup"),
                         {"receipt_no": req.receipt_no, "query_code": submission.query_code})
    assert lookup.status_code == 302
    status_page = client.get(reverse("disclosure_public:status", kwargs={"uid": req.uid})).content.decode()
    assert public_url(reply_letter) in status_page and public_url(third_party) not in status_page
    response = client.get(public_url(reply_letter))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert req.receipt_no in pdf_text(response.content)
    assert client.get(public_url(reply_letter, "docx")).status_code == 200
    assert client.get(public_url(extension)).status_code == 200
    # The third party's letter is not the applicant's to read.
    assert client.get(public_url(third_party)).status_code == 404

    # Another applicant's request: its letters stay out of reach for this session.
    other_sub = register(world, arrived=date(2026, 6, 1), data={**PERSON, "applicant_name": "李四"})
    other = workflow.request_assign(actor=world.registrar, request=other_sub.request, department=world.dept_a)
    workflow.request_extend(actor=world.head, request=other, days=5, reason="需要调取档案核实", on=date(2026, 6, 10))
    other_letter = letters.letter_for_event(actor=world.head, request=other, kind="extension")
    assert client.get(public_url(other_letter)).status_code == 404
    # Swapping the uid in the URL does not help.
    swapped = reverse("disclosure_letters:public_download", kwargs={"uid": req.uid, "letter_id": other_letter.pk})
    assert client.get(swapped).status_code == 404


def test_applicant_does_not_get_drafts_and_signed_in_applicant_gets_own(world):
    applicant = PublicUserFactory()
    data = {**PERSON}
    from gongkai.disclosure.services import submission as submission_service

    sub = submission_service.request_submit_online(organisation=world.org, data=data,
                                                   idempotency_key="letters-test-key-0001", user=applicant,
                                                   arrived_at=timezone.make_aware(datetime(2026, 6, 1, 10)))
    req = workflow_confirm_and_assign(world, sub.request)
    workflow.reply_draft(actor=world.handler, request=req, outcome="disclosed", reasons="予以公开。")
    draft_letter = letters.letter_generate(actor=world.handler, request=req, kind="reply")
    client = Client()
    client.force_login(applicant)
    assert client.get(public_url(draft_letter)).status_code == 404
    req = workflow.reply_submit_for_review(actor=world.handler, request=req)
    req = letters.approve_reply_and_issue_letter(actor=world.head, request=req, approve=True)
    frozen = Letter.objects.get(request=req, status="approved")
    assert frozen.pk == draft_letter.pk  # the draft row became the frozen letter
    assert client.get(public_url(frozen)).status_code == 200
    stranger = Client()
    stranger.force_login(PublicUserFactory())
    assert stranger.get(public_url(frozen)).status_code == 404


def workflow_confirm_and_assign(w, req):
    from gongkai.disclosure.services import submission as submission_service

    submission_service.request_confirm_receipt(actor=w.registrar, request=req, confirmed_at=timezone.make_aware(datetime(2026, 6, 1, 11)))
    req.refresh_from_db()
    return workflow.request_assign(actor=w.registrar, request=req, department=w.dept_a)
