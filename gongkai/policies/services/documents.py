"""Creating and editing documents (政府信息). Every change writes an audit row and a search
change-log row in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.audit import AuditEntry, model_snapshot, record, record_many
from gongkai.domain.documents import DocStatus, DocumentError, index_number, parse_doc_number
from gongkai.policies.models import Document, DocumentRelation, IndexNumberSequence, SearchChange, Tag
from gongkai.policies.sanitize import html_to_text, sanitize_html

# Fields staff may set through create/update (status and disclosure change only via workflow).
EDITABLE_FIELDS = [
    "title", "issuers", "doc_number", "written_on", "effective_on", "repeal_on", "subject", "category",
    "art20_item", "level", "keywords", "summary", "body_html", "source", "validity", "needs_interpretation",
]
AUDIT_FIELDS = [*EDITABLE_FIELDS, "index_no", "status", "disclosure", "disclosure_ground", "published_at"]
# Set directly only by the system (import, demo loader: ``actor=None``); staff go through the workflow.
SYSTEM_FIELDS = ["status", "published_at", "disclosure", "disclosure_ground", "disclosure_explanation",
                 "disclosure_review_on", "withdrawn_reason"]


def log_search_change(document_id: int) -> None:
    """Record that the search index must look at this document again. Call inside the same
    transaction as the change; the indexer is nudged after commit."""
    SearchChange.objects.create(document_id=document_id)
    transaction.on_commit(_nudge_indexer)


def _nudge_indexer() -> None:
    from gongkai.policies.search.indexer import apply_pending_changes_soon

    apply_pending_changes_soon()


def org_code(organisation: Organisation) -> str:
    """The 9-character 组织机构代码 inside the 统一社会信用代码 (as gov.cn's 000014349)."""
    return organisation.credit_code[8:17]


def allocate_index_no(organisation: Organisation, year: int) -> str:
    """Next 索引号 for the organisation and year: gapless, safe under concurrency (the sequence
    row is locked; on SQLite the IMMEDIATE transaction serialises writers)."""
    with transaction.atomic():
        seq, _ = IndexNumberSequence.objects.select_for_update().get_or_create(organisation=organisation, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
        return index_number(org_code(organisation), year, seq.last)


def _reserve_index_no(organisation: Organisation, index_no: str) -> None:
    """An imported 索引号 in the organisation's own series moves the sequence past it, so numbers
    allocated later never collide with it."""
    code, _, rest = index_no.partition("/")
    year, _, seq = rest.partition("-")
    if code != org_code(organisation) or not (year.isdigit() and seq.isdigit()):
        return
    row, _ = IndexNumberSequence.objects.select_for_update().get_or_create(organisation=organisation, year=int(year))
    if row.last < int(seq):
        row.last = int(seq)
        row.save(update_fields=["last"])


def _apply_system_fields(document: Document, actor: Any, system_fields: dict[str, Any] | None) -> None:
    if not system_fields:
        return
    if actor is not None:
        raise PermissionDenied("状态和公开属性须经审核流程变更。")
    unknown = set(system_fields) - set(SYSTEM_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接修改这些字段：{'、'.join(sorted(unknown))}。")
    for name, value in system_fields.items():
        setattr(document, name, value)


def _apply_fields(document: Document, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"tags"}
    if unknown:
        raise ValidationError(f"不能直接修改这些字段：{'、'.join(sorted(unknown))}。")
    for name, value in fields.items():
        if name == "tags":
            continue
        setattr(document, name, value)
    issuers = [str(i).strip() for i in (document.issuers or []) if str(i).strip()]
    if not issuers:
        raise ValidationError({"issuers": "请填写发文机关。"})
    document.issuers = issuers
    document.lead_issuer = issuers[0][:100]
    try:
        number = parse_doc_number(document.doc_number) if document.doc_number.strip() else None
    except DocumentError as exc:
        raise ValidationError({"doc_number": str(exc)}) from None
    document.doc_number = str(number) if number else ""
    document.doc_number_agency = number.agency if number else ""
    document.doc_number_year = number.year if number else None
    document.doc_number_seq = number.seq if number else None
    document.body_html = sanitize_html(document.body_html)
    document.body_text = html_to_text(document.body_html)
    errors: dict[str, str] = {}
    if document.effective_on and document.written_on and document.effective_on < document.written_on:
        errors["effective_on"] = "实施日期不能早于成文日期。"
    if document.repeal_on and document.effective_on and document.repeal_on < document.effective_on:
        errors["repeal_on"] = "废止日期不能早于实施日期。"
    if errors:
        raise ValidationError(errors)


def _set_tags(document: Document, tags: Iterable[Tag] | None) -> None:
    if tags is not None:
        document.tags.set(list(tags))


@transaction.atomic
def document_create(
    *, actor: Any, organisation: Organisation, request: HttpRequest | None = None, index_no: str | None = None,
    status: str = DocStatus.DRAFT, published_at: datetime | None = None,
    system_fields: dict[str, Any] | None = None, **fields: Any,
) -> Document:
    """新建文件 (a draft). ``index_no``, ``status`` and ``published_at`` are for the import path and
    the demo loader only (``actor=None`` or an importer with the publish permission)."""
    if actor is not None and not user_has_org_perm(actor, organisation, Perm.PUBLISH):
        raise PermissionDenied("您无权为该机关录入文件。")
    if actor is not None and (status != DocStatus.DRAFT or index_no):
        raise PermissionDenied("新建的文件只能是草稿；发布须经审核流程。")
    tags = fields.pop("tags", None)
    document = Document(organisation=organisation, created_by=actor if actor is not None else None,
                        status=status, published_at=published_at)
    _apply_fields(document, fields)
    _apply_system_fields(document, actor, system_fields)
    written_on: date = document.written_on
    if index_no:
        _reserve_index_no(organisation, index_no)
    document.index_no = index_no or allocate_index_no(organisation, written_on.year)
    document.full_clean(exclude=["body_text"])
    document.save()
    _set_tags(document, tags)
    record("document.create", request=request, actor=actor, organisation=organisation, obj=document,
           after=model_snapshot(document, AUDIT_FIELDS))
    log_search_change(document.pk)
    return document


@dataclass
class NewDocument:
    """One document for ``documents_create_many``: ``document_create``'s arguments."""

    organisation: Organisation
    fields: dict[str, Any]
    index_no: str | None = None
    status: str = DocStatus.DRAFT
    published_at: datetime | None = None
    system_fields: dict[str, Any] | None = None


@transaction.atomic
def documents_create_many(*, actor: Any, items: list[NewDocument], batch_size: int = 500,
                          on_item: Callable[[int], None] | None = None) -> list[Document]:
    """新建多个文件 (the import path): the same checks, 索引号 allocation, audit rows and search
    change-log rows as calling ``document_create`` once per item, in order, but each kind of row is
    written in batches and every 索引号 sequence is locked once. 索引号 uniqueness is left to the
    database constraint (the importer has already checked its file and the database). ``on_item(i)``
    is called before item ``i`` is checked, so a caller can name the row an error belongs to."""
    documents: list[Document] = []
    tag_lists: list[list[Tag] | None] = []
    sequences: dict[tuple[int, int], IndexNumberSequence] = {}
    allowed: dict[int, bool] = {}

    def sequence(organisation: Organisation, year: int) -> IndexNumberSequence:
        key = (organisation.pk, year)
        if key not in sequences:
            sequences[key], _ = IndexNumberSequence.objects.select_for_update().get_or_create(
                organisation=organisation, year=year)
        return sequences[key]

    for i, item in enumerate(items):
        if on_item is not None:
            on_item(i)
        organisation = item.organisation
        if actor is not None:
            if organisation.pk not in allowed:
                allowed[organisation.pk] = user_has_org_perm(actor, organisation, Perm.PUBLISH)
            if not allowed[organisation.pk]:
                raise PermissionDenied("您无权为该机关录入文件。")
            if item.status != DocStatus.DRAFT or item.index_no:
                raise PermissionDenied("新建的文件只能是草稿；发布须经审核流程。")
        fields = dict(item.fields)
        tag_lists.append(fields.pop("tags", None))
        document = Document(organisation=organisation, created_by=actor if actor is not None else None,
                            status=item.status, published_at=item.published_at)
        _apply_fields(document, fields)
        _apply_system_fields(document, actor, item.system_fields)
        if item.index_no:
            code, _, rest = item.index_no.partition("/")
            year, _, number = rest.partition("-")
            if code == org_code(organisation) and year.isdigit() and number.isdigit():
                seq = sequence(organisation, int(year))
                seq.last = max(seq.last, int(number))
            document.index_no = item.index_no
        else:
            seq = sequence(organisation, document.written_on.year)
            seq.last += 1
            document.index_no = index_number(org_code(organisation), document.written_on.year, seq.last)
        # The organisation and creator are objects the caller holds, not ids to look up.
        document.full_clean(exclude=["body_text", "organisation", "created_by"], validate_unique=False)
        documents.append(document)
    for seq in sequences.values():
        seq.save(update_fields=["last"])
    Document.objects.bulk_create(documents, batch_size=batch_size)
    Through = Document.tags.through
    Through.objects.bulk_create(
        [Through(document_id=doc.pk, tag_id=tag.pk) for doc, tags in zip(documents, tag_lists, strict=True)
         for tag in (tags or [])], batch_size=batch_size * 4)
    record_many([AuditEntry("document.create", actor=actor, organisation=doc.organisation, obj=doc,
                            after=model_snapshot(doc, AUDIT_FIELDS)) for doc in documents], batch_size=batch_size)
    SearchChange.objects.bulk_create([SearchChange(document_id=doc.pk) for doc in documents], batch_size=batch_size)
    if documents:
        transaction.on_commit(_nudge_indexer)
    return documents


@transaction.atomic
def document_update(
    *, actor: Any, document: Document, expected_version: int | None = None, request: HttpRequest | None = None,
    system_fields: dict[str, Any] | None = None, **fields: Any,
) -> Document:
    """修改文件. Published documents may be corrected too (the change is audited and re-indexed);
    ``expected_version`` detects two people editing at once."""
    locked = Document.objects.select_for_update().select_related("organisation").get(pk=document.pk)
    if actor is not None and not user_has_org_perm(actor, locked.organisation, Perm.PUBLISH):
        raise PermissionDenied("您无权修改该文件。")
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError("该文件已被他人修改，请刷新后重新编辑。")
    before = model_snapshot(locked, AUDIT_FIELDS)
    tags = fields.pop("tags", None)
    _apply_fields(locked, fields)
    _apply_system_fields(locked, actor, system_fields)
    locked.version += 1
    locked.full_clean(exclude=["body_text"])
    locked.save()
    _set_tags(locked, tags)
    after = model_snapshot(locked, AUDIT_FIELDS)
    changed = [k for k in after if before.get(k) != after[k]]
    record("document.update", request=request, actor=actor, organisation=locked.organisation, obj=locked,
           before={k: before.get(k) for k in changed}, after={k: after[k] for k in changed})
    log_search_change(locked.pk)
    return locked


@transaction.atomic
def document_relate(
    *, actor: Any, source: Document, target: Document, kind: str, request: HttpRequest | None = None,
) -> DocumentRelation:
    """修改/废止 link. Repealing or amending sets the target's validity."""
    from gongkai.domain.documents import Validity

    if actor is not None and not user_has_org_perm(actor, source.organisation, Perm.PUBLISH):
        raise PermissionDenied("您无权建立该文件关系。")
    if source.pk == target.pk:
        raise ValidationError("文件不能修改或废止自身。")
    relation, _ = DocumentRelation.objects.get_or_create(source=source, target=target, kind=kind)
    new_validity = Validity.REPEALED if kind == DocumentRelation.Kind.REPEALS else Validity.AMENDED
    locked = Document.objects.select_for_update().get(pk=target.pk)
    before = locked.validity
    locked.validity = new_validity
    locked.version += 1
    locked.save(update_fields=["validity", "version", "updated_at"])
    record(f"document.{kind}", request=request, actor=actor, organisation=source.organisation, obj=locked,
           before={"validity": before}, after={"validity": new_validity, "by": source.index_no})
    log_search_change(locked.pk)
    log_search_change(source.pk)
    return relation
