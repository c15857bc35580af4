"""专题库 (special libraries): creating, editing, curating and putting them online. Only the
publishers (信息发布员) of the owning organisation may change a library; every change is audited.

What a library *shows* is decided by ``gongkai.policies.selectors.library_documents``, which only
ever returns public documents, so curating a document that is not (yet) public is harmless: it
appears the moment it becomes public and disappears if it is withdrawn."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.audit import model_snapshot, record
from gongkai.policies.access import documents_for
from gongkai.policies.models import Document, Level, SpecialLibrary, Tag
from gongkai.policies.selectors import is_public

LIBRARY_FIELDS = ["slug", "name", "description", "kind", "rule_levels", "sort"]


def _check(actor: Any, organisation: Organisation) -> None:
    if actor is not None and not user_has_org_perm(actor, organisation, Perm.PUBLISH):
        raise PermissionDenied("您无权管理该机关的专题库。")


def _snapshot(library: SpecialLibrary) -> dict[str, Any]:
    data = model_snapshot(library, [*LIBRARY_FIELDS, "is_published"])
    data["rule_tags"] = sorted(library.rule_tags.values_list("id", flat=True)) if library.pk else []
    return data


def _validate(library: SpecialLibrary, rule_tags: list[Tag] | None) -> None:
    errors: dict[str, str] = {}
    library.name = (library.name or "").strip()
    if not library.name:
        errors["name"] = "请填写专题库名称。"
    levels = list(library.rule_levels or [])
    unknown = [lv for lv in levels if lv not in Level.values]
    if unknown:
        errors["rule_levels"] = f"未知的层级：{'、'.join(map(str, unknown))}。"
    # Keep the stored order stable (national first) so audit rows compare cleanly.
    library.rule_levels = [lv for lv in Level.values if lv in levels]
    if library.kind not in SpecialLibrary.Kind.values:
        errors["kind"] = "请选择专题库方式。"
    if library.kind == SpecialLibrary.Kind.RULE and rule_tags is not None and not rule_tags:
        errors["rule_tags"] = "按规则汇集的专题库至少要选择一个标签。"
    clash = SpecialLibrary.objects.filter(slug=library.slug).exclude(pk=library.pk)
    if library.slug and clash.exists():
        errors["slug"] = f"网址标识“{library.slug}”已被其他专题库使用。"
    if errors:
        raise ValidationError(errors)
    library.full_clean(exclude=["organisation", "documents", "rule_tags"])


@transaction.atomic
def library_create(
    *, actor: Any, organisation: Organisation, slug: str, name: str, description: str = "",
    kind: str = SpecialLibrary.Kind.RULE, rule_tags: Iterable[Tag] = (), rule_levels: Iterable[str] = (),
    sort: int = 0, request: HttpRequest | None = None,
) -> SpecialLibrary:
    """新建专题库 (offline until published)."""
    _check(actor, organisation)
    tags = list(rule_tags)
    library = SpecialLibrary(organisation=organisation, slug=slug.strip(), name=name, description=description,
                             kind=kind, rule_levels=list(rule_levels), sort=sort)
    _validate(library, tags if kind == SpecialLibrary.Kind.RULE else None)
    library.save()
    library.rule_tags.set(tags)
    record("library.create", request=request, actor=actor, organisation=organisation, obj=library,
           after=_snapshot(library))
    return library


@transaction.atomic
def library_update(
    *, actor: Any, library: SpecialLibrary, request: HttpRequest | None = None,
    rule_tags: Iterable[Tag] | None = None, **fields: Any,
) -> SpecialLibrary:
    """修改专题库. ``fields`` may be any of name, slug, description, kind, rule_levels, sort."""
    _check(actor, library.organisation)
    unknown = set(fields) - set(LIBRARY_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接修改这些字段：{'、'.join(sorted(unknown))}。")
    library = SpecialLibrary.objects.select_for_update().get(pk=library.pk)
    before = _snapshot(library)
    for name, value in fields.items():
        setattr(library, name, value.strip() if isinstance(value, str) else value)
    tags = list(rule_tags) if rule_tags is not None else list(library.rule_tags.all())
    _validate(library, tags if library.kind == SpecialLibrary.Kind.RULE else None)
    library.save()
    if rule_tags is not None:
        library.rule_tags.set(tags)
    record("library.update", request=request, actor=actor, organisation=library.organisation, obj=library,
           before=before, after=_snapshot(library))
    return library


def _curatable(actor: Any, document: Document) -> bool:
    # A public document of any organisation, or a not-yet-public one the actor may already see.
    return is_public(document) or actor is None or documents_for(actor).filter(pk=document.pk).exists()


@transaction.atomic
def library_add_document(
    *, actor: Any, library: SpecialLibrary, document: Document, request: HttpRequest | None = None
) -> None:
    """收录文件 into a curated library."""
    _check(actor, library.organisation)
    if library.kind != SpecialLibrary.Kind.CURATED:
        raise ValidationError("按规则汇集的专题库不能手工收录文件，请修改其标签和层级规则。")
    if not _curatable(actor, document):
        raise ValidationError("未找到该文件。")
    if library.documents.filter(pk=document.pk).exists():
        raise ValidationError("该文件已在本专题库中。")
    library.documents.add(document)
    record("library.add_document", request=request, actor=actor, organisation=library.organisation,
           obj=library, after={"document_id": document.pk, "index_no": document.index_no})


@transaction.atomic
def library_remove_document(
    *, actor: Any, library: SpecialLibrary, document: Document, request: HttpRequest | None = None
) -> None:
    """移出文件 from a curated library."""
    _check(actor, library.organisation)
    if not library.documents.filter(pk=document.pk).exists():
        raise ValidationError("该文件不在本专题库中。")
    library.documents.remove(document)
    record("library.remove_document", request=request, actor=actor, organisation=library.organisation,
           obj=library, before={"document_id": document.pk, "index_no": document.index_no})


@transaction.atomic
def library_publish(
    *, actor: Any, library: SpecialLibrary, publish: bool = True, request: HttpRequest | None = None
) -> SpecialLibrary:
    """上线 (or take offline) a library."""
    _check(actor, library.organisation)
    library = SpecialLibrary.objects.select_for_update().get(pk=library.pk)
    if library.is_published == publish:
        raise ValidationError("该专题库已上线。" if publish else "该专题库尚未上线。")
    library.is_published = publish
    library.save(update_fields=["is_published"])
    record("library.publish" if publish else "library.unpublish", request=request, actor=actor,
           organisation=library.organisation, obj=library,
           before={"is_published": not publish}, after={"is_published": publish})
    return library
