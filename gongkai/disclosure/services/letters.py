"""告知书 services: preview, draft generation, freezing at approval, notices after their service
ran, and the integrity check of stored letters (issue 4 §3).

- ``letter_preview`` renders without storing (the handler checks the wording, and may pass edited
  ``reasons`` before saving them with ``workflow.reply_draft``);
- ``letter_generate`` stores a DRAFT (regenerated in place, version + 1, old files removed);
- ``approve_reply_and_issue_letter`` = ``workflow.reply_approve`` + ``letter_freeze_for_reply`` in
  one transaction: the approved reply's letter is generated from the approved text and frozen
  (status approved, SHA-256 of both files stored; the row refuses any later save or delete);
- ``letter_for_event`` issues the 补正/延期/征求意见/收费 letter once the service recorded the act
  (these acts are already decided, so the letter is frozen at once; calling it again returns it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.roles import Perm
from gongkai.core.audit import record
from gongkai.disclosure.letters.build import LetterSource, build_letter
from gongkai.disclosure.letters.definitions import TEMPLATES
from gongkai.disclosure.letters.render import RenderedLetter, render
from gongkai.disclosure.models import DisclosureRequest, Letter, Reply
from gongkai.disclosure.services import workflow
from gongkai.disclosure.services.common import lock, require

FORMATS = ("pdf", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
NOTICE_KINDS = (Letter.Kind.CORRECTION, Letter.Kind.EXTENSION, Letter.Kind.CONSULTATION, Letter.Kind.FEE)
APPLICANT_KINDS = tuple(k for k, t in TEMPLATES.items() if t.applicant_visible)
WRITER_PERMS = (Perm.HANDLE_REQUEST, Perm.REGISTER_REQUEST, Perm.APPROVE)


class LetterIntegrityError(Exception):
    """A stored letter's file no longer matches its SHA-256."""


def _check_kind(kind: str) -> str:
    if kind not in TEMPLATES:
        raise ValidationError("没有这种告知书。")
    return kind


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError("告知书只能生成 PDF 或 DOCX 格式。")
    return fmt


def letter_preview(request: DisclosureRequest, kind: str, *, fmt: str = "pdf", ref: str | None = None,
                   reasons: str | None = None) -> bytes:
    """The letter as it would be generated now (nothing stored). The caller has loaded
    ``request`` with ``access_request``. ``reasons`` previews an edited reply text."""
    _, letter = build_letter(request, _check_kind(kind), ref=ref, reasons=reasons)
    return render(letter, _check_format(fmt))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _store(row: Letter, letter: RenderedLetter) -> list[str]:
    """Write both files (server-generated names) and their hashes onto ``row``; returns the names
    of the files they replace (deleted once the transaction commits)."""
    old = [name for name in (row.docx.name, row.pdf.name) if name]
    docx = render(letter, "docx")
    pdf = render(letter, "pdf")
    row.title = letter.title[:100]
    row.docx.save("letter.docx", ContentFile(docx), save=False)
    row.pdf.save("letter.pdf", ContentFile(pdf), save=False)
    row.docx_sha256 = _sha256(docx)
    row.pdf_sha256 = _sha256(pdf)
    return old


def _delete_files_on_commit(names: list[str]) -> None:
    for name in names:
        transaction.on_commit(lambda n=name: default_storage.delete(n))  # type: ignore[misc]


def _approved(request: DisclosureRequest, kind: str, ref: str) -> Letter | None:
    return Letter.objects.filter(request=request, kind=kind, ref=ref, status=Letter.Status.APPROVED).first()


def _save_letter(obj: DisclosureRequest, source: LetterSource, letter: RenderedLetter, *, actor: Any,
                 approve: bool, http_request: HttpRequest | None) -> Letter:
    """Create or regenerate the (request, kind, ref) draft; with ``approve`` freeze it."""
    row = (Letter.objects.select_for_update()
           .filter(request=obj, kind=source.kind, ref=source.ref, status=Letter.Status.DRAFT).first())
    if row is None:
        previous = Letter.objects.filter(request=obj, kind=source.kind, ref=source.ref).count()
        row = Letter(request=obj, kind=source.kind, ref=source.ref, reply=source.reply, version=previous + 1)
    else:
        row.version += 1
    before = {"status": row.status, "version": row.version - 1} if row.pk else {}
    row.created_by = actor if getattr(actor, "pk", None) else None
    written: list[str] = []
    try:
        old = _store(row, letter)
        written = [name for name in (row.docx.name, row.pdf.name) if name]
        if approve:
            row.status = Letter.Status.APPROVED
            row.approved_by = row.created_by
            row.approved_at = timezone.now()
        row.save()
    except Exception:
        # The files were written before the row; nothing may point at them now.
        for name in written:
            default_storage.delete(name)
        raise
    _delete_files_on_commit(old)
    record("disclosure.letter_freeze" if approve else "disclosure.letter_generate", request=http_request,
           actor=row.created_by, organisation=obj.organisation, obj=row, before=before,
           after={"request": obj.receipt_no, "kind": row.kind, "ref": row.ref, "version": row.version,
                  "status": row.status, "docx_sha256": row.docx_sha256, "pdf_sha256": row.pdf_sha256})
    return row


@transaction.atomic
def letter_generate(*, actor: Any, request: DisclosureRequest, kind: str, ref: str | None = None,
                    http_request: HttpRequest | None = None) -> Letter:
    """生成告知书草稿 (registrar, handler or office head): stored as a draft, regenerated in place
    on every call until it is frozen. A frozen letter is never regenerated."""
    obj = lock(request, None)
    require(actor, obj, *WRITER_PERMS, message="只有登记员、承办人或公开办负责人可以生成告知书。")
    source, letter = build_letter(obj, _check_kind(kind), ref=ref)
    if _approved(obj, kind, source.ref) is not None:
        raise ValidationError("该告知书已定稿，不能重新生成或修改。")
    if source.reply is not None and source.reply.state in (Reply.State.APPROVED, Reply.State.DELIVERED):
        raise ValidationError("答复已审批，答复告知书在审批时定稿，不能再生成草稿。")
    return _save_letter(obj, source, letter, actor=actor, approve=False, http_request=http_request)


@transaction.atomic
def letter_freeze_for_reply(*, actor: Any, request: DisclosureRequest,
                            http_request: HttpRequest | None = None) -> Letter:
    """定稿 the letter of the approved reply (office head): generated from the approved text,
    dated the day of approval, stored with its hashes and unchangeable from then on."""
    obj = lock(request, None)
    require(actor, obj, Perm.APPROVE, message="只有公开办负责人可以定稿答复告知书。")
    reply = (Reply.objects.filter(request=obj, state__in=[Reply.State.APPROVED, Reply.State.DELIVERED])
             .order_by("-id").first())
    if reply is None:
        raise ValidationError("答复尚未审批，不能定稿答复告知书。")
    source, letter = build_letter(obj, Letter.Kind.REPLY, ref=f"r{reply.pk}")
    if _approved(obj, Letter.Kind.REPLY, source.ref) is not None:
        raise ValidationError("该答复告知书已定稿，不能重新生成或修改。")
    return _save_letter(obj, source, letter, actor=actor, approve=True, http_request=http_request)


@transaction.atomic
def approve_reply_and_issue_letter(*, actor: Any, request: DisclosureRequest, approve: bool, comment: str = "",
                                   expected_version: int | None = None,
                                   http_request: HttpRequest | None = None) -> DisclosureRequest:
    """审批答复 and, when approved, 定稿 its letter — both or neither. Use this instead of
    ``workflow.reply_approve`` wherever a head approves a reply."""
    obj = workflow.reply_approve(actor=actor, request=request, approve=approve, comment=comment,
                                 expected_version=expected_version, http_request=http_request)
    if approve:
        letter_freeze_for_reply(actor=actor, request=obj, http_request=http_request)
    return obj


@transaction.atomic
def letter_for_event(*, actor: Any, request: DisclosureRequest, kind: str, ref: str | None = None,
                     http_request: HttpRequest | None = None) -> Letter:
    """Issue the notice of an act the workflow has recorded — 补正告知书 after
    ``request_ask_correction``, 延期答复告知书 after ``request_extend``, 征求意见函 after
    ``consultation_start`` (``ref`` = ``f"c{consultation.pk}"``, default the latest), 缴费通知书
    after ``fee_notice``. Frozen at once; a second call returns the same letter."""
    if kind not in NOTICE_KINDS:
        raise ValidationError("答复告知书在审批时定稿，请使用审批功能。")
    obj = lock(request, None)
    require(actor, obj, *WRITER_PERMS, message="只有登记员、承办人或公开办负责人可以生成告知书。")
    source, letter = build_letter(obj, kind, ref=ref)
    existing = _approved(obj, kind, source.ref)
    if existing is not None:
        return existing
    return _save_letter(obj, source, letter, actor=actor, approve=True, http_request=http_request)


# --- Reading and verifying -----------------------------------------------------------------------


def letters_for_request(request: DisclosureRequest, *, applicant_view: bool = False) -> QuerySet[Letter]:
    """The letters of a request, newest first; the applicant sees only frozen letters addressed
    to them (not the 征求意见函 to a third party)."""
    qs = Letter.objects.filter(request=request).order_by("-created_at", "-id")
    if applicant_view:
        qs = qs.filter(status=Letter.Status.APPROVED, kind__in=APPLICANT_KINDS)
    return qs


def _read(name: str) -> bytes | None:
    try:
        with default_storage.open(name, "rb") as handle:
            return bytes(handle.read())
    except (FileNotFoundError, OSError, ValueError):
        return None


def letter_verify(letter: Letter) -> bool:
    """Both stored files exist and match their SHA-256."""
    for field, digest in ((letter.docx, letter.docx_sha256), (letter.pdf, letter.pdf_sha256)):
        data = _read(field.name) if field.name else None
        if data is None or _sha256(data) != digest:
            return False
    return True


def verify_letters(queryset: QuerySet[Letter] | None = None) -> list[Letter]:
    """The frozen letters whose files are missing or changed (empty when all is well)."""
    qs = queryset if queryset is not None else Letter.objects.filter(status=Letter.Status.APPROVED)
    return [letter for letter in qs.iterator() if not letter_verify(letter)]


@dataclass(frozen=True)
class LetterFile:
    data: bytes
    filename: str
    content_type: str


def letter_file(letter: Letter, fmt: str, *, http_request: HttpRequest | None = None) -> LetterFile:
    """A stored letter's bytes for download, checked against its hash (a mismatch is audited and
    raises ``LetterIntegrityError``)."""
    fmt = _check_format(fmt)
    field, digest = (letter.pdf, letter.pdf_sha256) if fmt == "pdf" else (letter.docx, letter.docx_sha256)
    data = _read(field.name) if field.name else None
    if data is None or _sha256(data) != digest:
        from gongkai.core.models import AuditEvent

        record("disclosure.letter_integrity", request=http_request, obj=letter,
               organisation=letter.request.organisation, result=AuditEvent.Result.FAILURE,
               detail=f"{fmt} 文件与存档摘要不符")
        raise LetterIntegrityError(f"告知书 {letter.uid} 的 {fmt} 文件与存档摘要不符。")
    name = f"{letter.title}-{letter.request.receipt_no}-v{letter.version}.{fmt}"
    return LetterFile(data, name, CONTENT_TYPES[fmt])


# --- Acts that send a notice: the act and its frozen letter commit together ---------------------


@transaction.atomic
def ask_correction_and_notify(**kwargs: Any) -> DisclosureRequest:
    """一次性补正告知 (条例第三十条) with its 补正告知书."""
    obj = workflow.request_ask_correction(**kwargs)
    letter_for_event(actor=kwargs["actor"], request=obj, kind=Letter.Kind.CORRECTION,
                     http_request=kwargs.get("http_request"))
    return obj


@transaction.atomic
def extend_and_notify(**kwargs: Any) -> DisclosureRequest:
    """延期答复 (条例第三十三条第二款) with its 延期答复告知书."""
    obj = workflow.request_extend(**kwargs)
    letter_for_event(actor=kwargs["actor"], request=obj, kind=Letter.Kind.EXTENSION,
                     http_request=kwargs.get("http_request"))
    return obj


@transaction.atomic
def consultation_start_and_notify(**kwargs: Any) -> Any:
    """征求第三方或其他机关意见 (条例第三十二条、第三十四条) with its 征求意见函."""
    consultation = workflow.consultation_start(**kwargs)
    letter_for_event(actor=kwargs["actor"], request=consultation.request, kind=Letter.Kind.CONSULTATION,
                     ref=f"c{consultation.pk}", http_request=kwargs.get("http_request"))
    return consultation


@transaction.atomic
def fee_notice_and_notify(**kwargs: Any) -> Any:
    """收费通知 (国办函〔2020〕109号) with its 缴费通知书."""
    notice = workflow.fee_notice(**kwargs)
    letter_for_event(actor=kwargs["actor"], request=notice.request, kind=Letter.Kind.FEE,
                     http_request=kwargs.get("http_request"))
    return notice
