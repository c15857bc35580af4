"""告知书: every letter type renders to DOCX and PDF from its one template, cites its article,
states reasons and remedies, carries no personal numbers; the approved reply letter is frozen
with its hashes; notices are issued once after their service ran."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from docx import Document
from pypdf import PdfReader

from gongkai.core.models import AuditEvent
from gongkai.disclosure.letters.build import scrub
from gongkai.disclosure.letters.definitions import TEMPLATES, cite
from gongkai.disclosure.models import Letter
from gongkai.disclosure.services import letters, workflow
from gongkai.disclosure.tests.conftest import ID_NUMBER, PERSON, PHONE, register
from gongkai.domain.disclosure_outcomes import (
    OUTCOMES,
    Outcome,
    needs_remedies,
    remedies_text,
    reply_outcomes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return flat("".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    return flat("\n".join(p.text for p in Document(BytesIO(data)).paragraphs))


def both(data_pdf: bytes, data_docx: bytes) -> list[str]:
    return [pdf_text(data_pdf), docx_text(data_docx)]


def assert_no_personal_numbers(text: str) -> None:
    assert ID_NUMBER not in text and PHONE not in text
    assert not re.search(r"\d{17}[\dX]", text)
    assert not re.search(r"1[3-9]\d{9}", text)


def draft(w, req, outcome: Outcome, reasons: str = "该信息系内部讨论记录，依法不予公开。"):
    extra = {}
    if outcome is Outcome.ALREADY_PUBLIC:
        extra["public_location"] = "本机关门户网站“政府信息公开”栏目，2025年5月发布"
    if outcome is Outcome.UNABLE_NOT_THIS_AGENCY:
        extra.update(responsible_agency="测试市自然资源局", responsible_agency_contact="020-83330000")
    return workflow.reply_draft(actor=w.handler, request=req, outcome=outcome, reasons=reasons, **extra)


def approve(w, req):
    req = workflow.reply_submit_for_review(actor=w.handler, request=req)
    if req.status == "legal_review":
        req = workflow.reply_legal_review(actor=w.reviewer, request=req, approve=True, comment="同意")
    return letters.approve_reply_and_issue_letter(actor=w.head, request=req, approve=True, comment="同意")


# --- Reply letters: every outcome -------------------------------------------------------------------


@pytest.mark.parametrize("outcome", reply_outcomes(), ids=lambda o: o.value)
def test_every_reply_outcome_renders_both_formats_with_article_reasons_and_remedies(world, registered, outcome):
    draft(world, registered, outcome, reasons="经审查，所需信息属于内部讨论的过程稿。")
    info = OUTCOMES[outcome]
    article = flat(cite(info.article))
    for text in both(letters.letter_preview(registered, "reply", fmt="pdf"),
                     letters.letter_preview(registered, "reply", fmt="docx")):
        assert "政府信息公开申请答复告知书" in text
        assert registered.receipt_no in text
        assert "测试市人民政府" in text and "（印章）" in text and "张三" in text
        assert "2026年6月1日" in text  # the date received
        assert flat(PERSON["description"]) in text
        assert article in text
        assert "所需信息属于内部讨论的过程稿" in text
        assert (flat(remedies_text()) in text) is needs_remedies(outcome)
        assert ("行政复议" in text) is needs_remedies(outcome)
        assert_no_personal_numbers(text)
    # The decision the outcome calls for.
    text = docx_text(letters.letter_preview(registered, "reply", fmt="docx"))
    expected = {
        Outcome.DISCLOSED: "本机关决定予以公开",
        Outcome.ALREADY_PUBLIC: "本机关门户网站“政府信息公开”栏目",
        Outcome.PARTIAL: "不予公开的内容及理由",
        Outcome.UNABLE_NOT_THIS_AGENCY: "该政府信息由测试市自然资源局负责公开（联系方式：020-83330000）",
        Outcome.WITHHELD_STATE_SECRET: "属于国家秘密",
        Outcome.NOT_PROCESSED_REPEAT: "本机关不予处理",
        Outcome.UNABLE_NOT_HELD: "本机关无法提供",
    }
    if outcome in expected:
        assert flat(expected[outcome]) in text


def test_delivery_note_for_a_disclosure_says_how_the_applicant_gets_it(world, registered):
    draft(world, registered, Outcome.DISCLOSED, reasons="予以公开。")
    text = docx_text(letters.letter_preview(registered, "reply", fmt="docx"))
    assert "提供形式：电子；获取方式：电子邮件" in text
    assert "通过您提供的电子邮箱发送" in text
    assert "说明：予以公开。" in text


def test_personal_numbers_typed_into_free_text_are_masked(world):
    data = {**PERSON, "description": f"本人（身份证{ID_NUMBER}，电话{PHONE}）的低保审批材料"}
    req = register(world, arrived=date(2026, 6, 1), data=data).request
    req = workflow.request_assign(actor=world.registrar, request=req, department=world.dept_a)
    draft(world, req, Outcome.WITHHELD_THIRD_PARTY, reasons=f"涉及他人隐私；如有疑问请拨打{PHONE}。")
    for text in both(letters.letter_preview(req, "reply", fmt="pdf"), letters.letter_preview(req, "reply", fmt="docx")):
        assert_no_personal_numbers(text)
        assert "110105********002X" in text and "138****5678" in text
    assert scrub("电话 020-12345678", landlines=True) == "电话 020*****5678"
    assert scrub("办公电话 020-12345678") == "办公电话 020-12345678"


def test_every_template_cites_an_article_and_ends_with_seal_and_date():
    assert set(TEMPLATES) == {k.value for k in Letter.Kind}
    for template in TEMPLATES.values():
        texts = "".join(b.text for b in template.blocks)
        assert "{article}" in texts, template.kind
        assert "{receipt_no}" in texts, template.kind


# --- Preview with edited reasons, drafts, freezing ---------------------------------------------------


def test_handler_previews_edited_reasons_and_drafts_regenerate_in_place(world, registered, media,
                                                                         django_capture_on_commit_callbacks):
    draft(world, registered, Outcome.WITHHELD_PROCESS_INFO, reasons="初稿理由：过程稿。")
    preview = docx_text(letters.letter_preview(registered, "reply", fmt="docx", reasons="修改后的理由：会议纪要尚未定稿。"))
    assert "修改后的理由：会议纪要尚未定稿。" in preview and "初稿理由" not in preview

    with django_capture_on_commit_callbacks(execute=True):
        first = letters.letter_generate(actor=world.handler, request=registered, kind="reply")
    assert first.status == "draft" and first.version == 1 and first.reply is not None
    assert first.docx.name.startswith(f"letters/{registered.uid}/reply-") and first.pdf.name.endswith(".pdf")
    assert "初稿理由" in docx_text(first.docx.read())
    old_files = [first.docx.name, first.pdf.name]

    draft(world, registered, Outcome.WITHHELD_PROCESS_INFO, reasons="修改后的理由：会议纪要尚未定稿。")
    with django_capture_on_commit_callbacks(execute=True):
        second = letters.letter_generate(actor=world.handler, request=registered, kind="reply")
    assert second.pk == first.pk and second.version == 2
    assert Letter.objects.filter(request=registered).count() == 1
    assert "会议纪要尚未定稿" in pdf_text(second.pdf.read())
    assert not any(default_storage.exists(name) for name in old_files)
    assert letters.letter_verify(second)
    assert AuditEvent.objects.filter(action="disclosure.letter_generate").count() == 2


def test_approval_freezes_the_reply_letter_with_hashes_and_refuses_any_change(world, registered):
    draft(world, registered, Outcome.WITHHELD_PROCESS_INFO, reasons="属于请示报告，依法不予公开。")
    letters.letter_generate(actor=world.handler, request=registered, kind="reply")
    req = approve(world, registered)
    assert req.status == "approved"
    letter = Letter.objects.get(request=req, kind="reply")
    assert letter.status == "approved" and letter.is_frozen
    assert letter.approved_by == world.head and letter.version == 2
    assert len(letter.docx_sha256) == 64 and len(letter.pdf_sha256) == 64
    assert letters.letter_verify(letter) and letters.verify_letters() == []
    text = pdf_text(letter.pdf.read())
    assert "属于请示报告，依法不予公开。" in text and flat(remedies_text()) in text
    audit = AuditEvent.objects.get(action="disclosure.letter_freeze")
    assert audit.after["pdf_sha256"] == letter.pdf_sha256

    with pytest.raises(ValidationError, match="已定稿"):
        letters.letter_freeze_for_reply(actor=world.head, request=req)
    with pytest.raises(ValidationError):
        letters.letter_generate(actor=world.handler, request=req, kind="reply")
    letter.title = "改过的标题"
    with pytest.raises(ValueError, match="已定稿"):
        letter.save()
    with pytest.raises(ValueError, match="已定稿"):
        Letter.objects.get(pk=letter.pk).delete()
    assert Letter.objects.get(pk=letter.pk).title == "政府信息公开申请答复告知书"

    # Changing the stored file is detected.
    path = default_storage.path(letter.pdf.name)
    with open(path, "ab") as handle:
        handle.write(b"tampered")
    assert not letters.letter_verify(letter)
    assert [x.pk for x in letters.verify_letters()] == [letter.pk]
    with pytest.raises(letters.LetterIntegrityError):
        letters.letter_file(letter, "pdf")
    assert AuditEvent.objects.filter(action="disclosure.letter_integrity", result="failure").exists()
    assert letters.letter_file(letter, "docx").data.startswith(b"PK")


def test_rejected_approval_issues_no_letter_and_failed_freeze_rolls_back_approval(world, registered):
    draft(world, registered, Outcome.DISCLOSED, reasons="予以公开。")
    req = workflow.reply_submit_for_review(actor=world.handler, request=registered)
    req = letters.approve_reply_and_issue_letter(actor=world.head, request=req, approve=False, comment="请补充依据")
    assert req.status == "in_handling"
    assert not Letter.objects.filter(request=req).exists()
    # The approver must differ from the drafter: refused, and nothing is stored.
    draft(world, req, Outcome.DISCLOSED, reasons="予以公开。")
    req = workflow.reply_submit_for_review(actor=world.handler, request=req)
    with pytest.raises(PermissionDenied):
        letters.approve_reply_and_issue_letter(actor=world.handler, request=req, approve=True)
    assert not Letter.objects.filter(request=req).exists()
    req.refresh_from_db()
    assert req.status == "awaiting_approval"


def test_only_request_roles_generate_and_only_the_head_freezes(world, registered):
    draft(world, registered, Outcome.DISCLOSED, reasons="予以公开。")
    for who in (world.outsider, world.publisher, world.handler_b):
        with pytest.raises(PermissionDenied):
            letters.letter_generate(actor=who, request=registered, kind="reply")
    req = workflow.reply_submit_for_review(actor=world.handler, request=registered)
    req = workflow.reply_approve(actor=world.head, request=req, approve=True)
    with pytest.raises(PermissionDenied):
        letters.letter_freeze_for_reply(actor=world.handler, request=req)
    # Approved without the wrapper: the head can still freeze it afterwards, once.
    letter = letters.letter_freeze_for_reply(actor=world.head, request=req)
    assert letter.is_frozen and letter.version == 1
    with pytest.raises(ValidationError):
        letters.letter_generate(actor=world.handler, request=req, kind="reply")
    with pytest.raises(ValidationError):
        letters.letter_for_event(actor=world.handler, request=req, kind="reply")


def test_no_reply_yet_and_unknown_kind_are_clear_errors(world, registered):
    with pytest.raises(ValidationError, match="尚未拟定答复"):
        letters.letter_preview(registered, "reply")
    with pytest.raises(ValidationError, match="没有补正告知"):
        letters.letter_preview(registered, "correction")
    with pytest.raises(ValidationError, match="没有这种告知书"):
        letters.letter_preview(registered, "nonsense")
    with pytest.raises(ValidationError, match="PDF 或 DOCX"):
        draft(world, registered, Outcome.DISCLOSED, reasons="予以公开。")
        letters.letter_preview(registered, "reply", fmt="html")


# --- Notices -----------------------------------------------------------------------------------------


def test_correction_notice_lists_items_and_period(world):
    req = register(world, arrived=date(2026, 6, 1)).request
    req = workflow.request_ask_correction(actor=world.registrar, request=req,
                                          items=["请写明文件名称或文号", "请说明所需信息的时间范围"],
                                          period_days=10, on=date(2026, 6, 3))
    letter = letters.letter_for_event(actor=world.registrar, request=req, kind="correction")
    assert letter.is_frozen and letter.ref.startswith("e") and letter.approved_by == world.registrar
    for text in both(letter.pdf.read(), letter.docx.read()):
        assert "政府信息公开申请补正告知书" in text and req.receipt_no in text
        assert "《中华人民共和国政府信息公开条例》第三十条" in text
        assert "1.请写明文件名称或文号" in text and "2.请说明所需信息的时间范围" in text
        assert "10个工作日内" in text and "视为放弃申请" in text
        assert "2026年6月3日" in text  # dated the day of the notice
        assert "行政复议" not in text
        assert_no_personal_numbers(text)
    # Idempotent: the same event gives the same frozen letter.
    assert letters.letter_for_event(actor=world.registrar, request=req, kind="correction").pk == letter.pk


def test_extension_notice_gives_reason_days_and_new_due_date(world, registered):
    req = workflow.request_extend(actor=world.head, request=registered, days=15, reason="需要调取历史档案逐件核实",
                                  on=date(2026, 6, 20))
    letter = letters.letter_for_event(actor=world.head, request=req, kind="extension")
    new_due = req.due_date
    assert new_due is not None
    for text in both(letter.pdf.read(), letter.docx.read()):
        assert "延期答复告知书" in text and req.receipt_no in text
        assert "第三十三条第二款" in text and "需要调取历史档案逐件核实" in text
        assert "延长15个工作日" in text
        assert f"{new_due.year}年{new_due.month}月{new_due.day}日" in text


def test_third_party_letter_gives_the_15_working_days_and_not_the_applicant(world, registered):
    c = workflow.consultation_start(actor=world.handler, request=registered, party="某某建设有限公司",
                                    on=date(2026, 6, 5))
    workflow.consultation_deliver(actor=world.handler, consultation=c, on=date(2026, 6, 8))
    letter = letters.letter_for_event(actor=world.handler, request=registered, kind="consultation")
    assert letter.ref == f"c{c.pk}"
    for text in both(letter.pdf.read(), letter.docx.read()):
        assert "征求意见函" in text and "某某建设有限公司" in text and registered.receipt_no in text
        assert "第三十二条" in text and "15个工作日内" in text
        assert "张三" not in text
        assert_no_personal_numbers(text)
    other = workflow.consultation_start(actor=world.handler, request=registered, party="测试市财政局",
                                        kind="other_agency", on=date(2026, 6, 9))
    text = docx_text(letters.letter_for_event(actor=world.handler, request=registered, kind="consultation",
                                              ref=f"c{other.pk}").docx.read())
    assert "第三十四条" in text and "视为同意公开" in text
    assert Letter.objects.filter(request=registered, kind="consultation").count() == 2


def test_fee_notice_states_method_amount_basis_and_payment_period(world, registered):
    workflow.fee_notice(actor=world.handler, request=registered, method="per_volume", pages=50,
                        on=date(2026, 6, 10))
    letter = letters.letter_for_event(actor=world.handler, request=registered, kind="fee")
    for text in both(letter.pdf.read(), letter.docx.read()):
        assert "信息处理费缴费通知书" in text and registered.receipt_no in text
        assert "第四十二条" in text and "国办函〔2020〕109号" in text and "第五条" in text
        assert "按量计收" in text and "人民币200元" in text
        assert "20个工作日内" in text and "不计算在答复期限内" in text


def test_notice_kinds_only_after_their_service(world, registered):
    for kind in ("correction", "extension", "consultation", "fee"):
        with pytest.raises(ValidationError):
            letters.letter_for_event(actor=world.handler, request=registered, kind=kind)
    assert not Letter.objects.exists()
