"""Policy interpretations (政策解读): 文字解读, 图解, 访谈, 视频, 问答.

The publisher (信息发布员) of the interpreting organisation creates, edits, publishes and
withdraws interpretations; every step is audited. An interpretation links to one or more
documents the publisher can see — their own organisation's, or any public document (a joint
document is interpreted by its lead department, which is often not the owner in Gongkai).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

import filetype
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import organisations_for, user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.audit import model_snapshot, record
from gongkai.policies.models import Document, Interpretation, InterpretationImage, InterviewQA, Tag
from gongkai.policies.sanitize import sanitize_html
from gongkai.policies.selectors import public_document_filter
from gongkai.policies.services.documents import log_search_change

EDITABLE_FIELDS = ["kind", "title", "summary", "body_html", "video_url", "host", "guests"]
AUDIT_FIELDS = [*EDITABLE_FIELDS, "status", "published_at"]
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MIN_ALT_TEXT = 4


def linkable_documents(actor: Any) -> Any:
    """Documents ``actor`` may link an interpretation to: their organisations' documents (drafts
    included, for 同步部署) and every public document."""
    return Document.objects.filter(Q(organisation__in=organisations_for(actor)) | public_document_filter())


def _require_publisher(actor: Any, organisation: Organisation) -> None:
    if actor is None or not user_has_org_perm(actor, organisation, Perm.PUBLISH):
        raise PermissionDenied("只有本机关的信息发布员可以编辑政策解读。")


def _resolve_documents(actor: Any, documents: Iterable[Document | int]) -> list[Document]:
    ids = sorted({d.pk if isinstance(d, Document) else int(d) for d in documents})
    if not ids:
        raise ValidationError({"documents": "请至少关联一份被解读的文件。"})
    found = list(linkable_documents(actor).filter(pk__in=ids).distinct())
    if len(found) != len(ids):
        raise ValidationError({"documents": "关联的文件不存在或您无权查看。"})
    return found


def _apply(interpretation: Interpretation, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接修改这些字段：{'、'.join(sorted(unknown))}。")
    for name, value in fields.items():
        setattr(interpretation, name, value.strip() if isinstance(value, str) and name != "body_html" else value)
    interpretation.body_html = sanitize_html(interpretation.body_html or "")
    errors: dict[str, str] = {}
    if interpretation.kind not in Interpretation.Kind.values:
        errors["kind"] = "请选择解读形式。"
    if not interpretation.title:
        errors["title"] = "请填写标题。"
    if interpretation.video_url and urlparse(interpretation.video_url).scheme not in {"http", "https"}:
        errors["video_url"] = "视频链接须以 http:// 或 https:// 开头。"
    if errors:
        raise ValidationError(errors)


def _publish_problems(interpretation: Interpretation) -> list[str]:
    """What a kind needs before it can go public."""
    kind = interpretation.kind
    problems = []
    if kind == Interpretation.Kind.TEXT and not interpretation.body_html.strip():
        problems.append("文字解读须填写正文。")
    if kind == Interpretation.Kind.GRAPHIC and not interpretation.images.exists():
        problems.append("图解须至少上传一张图片（附替代文字）。")
    if kind == Interpretation.Kind.VIDEO and not interpretation.video_url:
        problems.append("视频解读须填写视频链接。")
    if kind in (Interpretation.Kind.INTERVIEW, Interpretation.Kind.QA) and not interpretation.qas.exists():
        problems.append("访谈和问答须至少有一组问答。")
    if kind == Interpretation.Kind.INTERVIEW and not (interpretation.host and interpretation.guests):
        problems.append("访谈须填写主持人和嘉宾。")
    if not interpretation.documents.exists():
        problems.append("请至少关联一份被解读的文件。")
    return problems


def _log_documents(interpretation: Interpretation) -> None:
    # Document pages and the index show a document's interpretations.
    for document_id in interpretation.documents.values_list("pk", flat=True):
        log_search_change(document_id)


@transaction.atomic
def interpretation_create(
    *, actor: Any, organisation: Organisation, documents: Iterable[Document | int],
    themes: Iterable[Tag] | None = None, request: HttpRequest | None = None, **fields: Any,
) -> Interpretation:
    """新建解读 (草稿)."""
    _require_publisher(actor, organisation)
    linked = _resolve_documents(actor, documents)
    interpretation = Interpretation(organisation=organisation, created_by=actor)
    _apply(interpretation, {"kind": "", "title": "", **fields})
    interpretation.save()
    interpretation.documents.set(linked)
    if themes is not None:
        interpretation.themes.set(list(themes))
    record("interpretation.create", request=request, actor=actor, organisation=organisation, obj=interpretation,
           after={**model_snapshot(interpretation, AUDIT_FIELDS), "documents": [d.pk for d in linked]})
    return interpretation


@transaction.atomic
def interpretation_update(
    *, actor: Any, interpretation: Interpretation, documents: Iterable[Document | int] | None = None,
    themes: Iterable[Tag] | None = None, request: HttpRequest | None = None, **fields: Any,
) -> Interpretation:
    """修改解读. A published interpretation may be corrected; the change is audited."""
    locked = Interpretation.objects.select_for_update().select_related("organisation").get(pk=interpretation.pk)
    _require_publisher(actor, locked.organisation)
    before = {**model_snapshot(locked, AUDIT_FIELDS), "documents": sorted(locked.documents.values_list("pk", flat=True))}
    _apply(locked, fields)
    linked = _resolve_documents(actor, documents) if documents is not None else None
    if locked.status == Interpretation.Status.PUBLISHED:
        if linked is not None:
            locked.documents.set(linked)
        problems = _publish_problems(locked)
        if problems:
            raise ValidationError(problems)
    locked.save()
    if linked is not None:
        previously = set(before["documents"])
        locked.documents.set(linked)
        for document_id in previously - {d.pk for d in linked}:
            log_search_change(document_id)
    if themes is not None:
        locked.themes.set(list(themes))
    after = {**model_snapshot(locked, AUDIT_FIELDS), "documents": sorted(locked.documents.values_list("pk", flat=True))}
    changed = [k for k in after if before.get(k) != after[k]]
    record("interpretation.update", request=request, actor=actor, organisation=locked.organisation, obj=locked,
           before={k: before.get(k) for k in changed}, after={k: after[k] for k in changed})
    if locked.status == Interpretation.Status.PUBLISHED:
        _log_documents(locked)
    return locked


@transaction.atomic
def interpretation_publish(*, actor: Any, interpretation: Interpretation,
                           request: HttpRequest | None = None) -> Interpretation:
    """发布解读 — by the publisher, audited; each kind must be complete."""
    locked = Interpretation.objects.select_for_update().select_related("organisation").get(pk=interpretation.pk)
    _require_publisher(actor, locked.organisation)
    if locked.status == Interpretation.Status.PUBLISHED:
        raise ValidationError("该解读已发布。")
    problems = _publish_problems(locked)
    if problems:
        raise ValidationError(problems)
    before = {"status": locked.status}
    locked.status = Interpretation.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated_at"])
    record("interpretation.publish", request=request, actor=actor, organisation=locked.organisation, obj=locked,
           before=before, after={"status": locked.status, "published_at": locked.published_at})
    _log_documents(locked)
    return locked


@transaction.atomic
def interpretation_withdraw(*, actor: Any, interpretation: Interpretation, reason: str,
                            request: HttpRequest | None = None) -> Interpretation:
    """撤回解读, with the reason on record."""
    text = (reason or "").strip()
    if len(text) < 5:
        raise ValidationError("请填写撤回原因（不少于5个字）。")
    locked = Interpretation.objects.select_for_update().select_related("organisation").get(pk=interpretation.pk)
    _require_publisher(actor, locked.organisation)
    if locked.status != Interpretation.Status.PUBLISHED:
        raise ValidationError("只有已发布的解读可以撤回。")
    locked.status = Interpretation.Status.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    record("interpretation.withdraw", request=request, actor=actor, organisation=locked.organisation, obj=locked,
           before={"status": Interpretation.Status.PUBLISHED}, after={"status": locked.status}, detail=text)
    _log_documents(locked)
    return locked


@transaction.atomic
def interpretation_reopen(*, actor: Any, interpretation: Interpretation,
                          request: HttpRequest | None = None) -> Interpretation:
    """A withdrawn interpretation goes back to draft."""
    locked = Interpretation.objects.select_for_update().select_related("organisation").get(pk=interpretation.pk)
    _require_publisher(actor, locked.organisation)
    if locked.status != Interpretation.Status.WITHDRAWN:
        raise ValidationError("只有已撤回的解读可以重新编辑。")
    locked.status = Interpretation.Status.DRAFT
    locked.save(update_fields=["status", "updated_at"])
    record("interpretation.reopen", request=request, actor=actor, organisation=locked.organisation, obj=locked,
           before={"status": Interpretation.Status.WITHDRAWN}, after={"status": locked.status})
    return locked


@transaction.atomic
def interpretation_add_image(*, actor: Any, interpretation: Interpretation, uploaded_file: UploadedFile[Any],
                             alt_text: str, request: HttpRequest | None = None) -> InterpretationImage:
    """图解图片: type checked by content (PNG, JPEG, GIF, WebP), at most 5 MB, alt text required."""
    _require_publisher(actor, interpretation.organisation)
    alt = (alt_text or "").strip()
    if len(alt) < MIN_ALT_TEXT:
        raise ValidationError({"alt_text": f"请为图片填写替代文字（不少于{MIN_ALT_TEXT}个字），说明图片的内容。"})
    if uploaded_file.size is None or uploaded_file.size > MAX_IMAGE_BYTES:
        raise ValidationError({"image": "图片不能超过 5 MB。"})
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise ValidationError({"image": "只能上传 PNG、JPEG、GIF 或 WebP 图片。"})
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    # Server-generated file name (ASVS 5.3.2); the client's name is not used.
    uploaded_file.name = f"{digest.hexdigest()}.{IMAGE_TYPES[kind.mime]}"
    sort = interpretation.images.count()
    image = InterpretationImage.objects.create(interpretation=interpretation, image=uploaded_file,
                                               alt_text=alt, sort=sort)
    record("interpretation.image_add", request=request, actor=actor, organisation=interpretation.organisation,
           obj=interpretation, after={"image": image.image.name, "alt_text": alt})
    return image


@transaction.atomic
def interpretation_remove_image(*, actor: Any, image: InterpretationImage,
                                request: HttpRequest | None = None) -> None:
    interpretation = image.interpretation
    _require_publisher(actor, interpretation.organisation)
    if interpretation.status == Interpretation.Status.PUBLISHED and interpretation.images.count() <= 1 \
            and interpretation.kind == Interpretation.Kind.GRAPHIC:
        raise ValidationError("已发布的图解至少要保留一张图片。")
    record("interpretation.image_remove", request=request, actor=actor, organisation=interpretation.organisation,
           obj=interpretation, before={"image": image.image.name, "alt_text": image.alt_text})
    image.delete()


@transaction.atomic
def interpretation_add_qa(*, actor: Any, interpretation: Interpretation, question: str, answer: str,
                          asked_by: str = "", answered_by: str = "",
                          request: HttpRequest | None = None) -> InterviewQA:
    """访谈/问答: one question and its answer."""
    _require_publisher(actor, interpretation.organisation)
    errors = {}
    if not question.strip():
        errors["question"] = "请填写问题。"
    if not answer.strip():
        errors["answer"] = "请填写回答。"
    if errors:
        raise ValidationError(errors)
    qa = InterviewQA.objects.create(interpretation=interpretation, question=question.strip(), answer=answer.strip(),
                                    asked_by=asked_by.strip()[:100], answered_by=answered_by.strip()[:100],
                                    sort=interpretation.qas.count())
    record("interpretation.qa_add", request=request, actor=actor, organisation=interpretation.organisation,
           obj=interpretation, after={"question": qa.question, "answer": qa.answer})
    if interpretation.status == Interpretation.Status.PUBLISHED:
        _log_documents(interpretation)
    return qa


@transaction.atomic
def interpretation_remove_qa(*, actor: Any, qa: InterviewQA, request: HttpRequest | None = None) -> None:
    interpretation = qa.interpretation
    _require_publisher(actor, interpretation.organisation)
    if interpretation.status == Interpretation.Status.PUBLISHED and interpretation.qas.count() <= 1 \
            and interpretation.kind in (Interpretation.Kind.INTERVIEW, Interpretation.Kind.QA):
        raise ValidationError("已发布的访谈或问答至少要保留一组问答。")
    record("interpretation.qa_remove", request=request, actor=actor, organisation=interpretation.organisation,
           obj=interpretation, before={"question": qa.question, "answer": qa.answer})
    qa.delete()
