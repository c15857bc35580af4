"""Staff pages for special libraries (专题库管理), for publishers (信息发布员) of the owning
organisation. Thin: forms in, service functions do the checking, auditing and saving."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.accounts.access import organisations_for
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.permissions import staff_required
from gongkai.policies.access import access_special_library, documents_for
from gongkai.policies.models import Level, SpecialLibrary, Tag
from gongkai.policies.selectors import counts_by_level, library_documents, public_documents
from gongkai.policies.services.libraries import (
    library_add_document,
    library_create,
    library_publish,
    library_remove_document,
    library_update,
)


class LibraryForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    slug = forms.SlugField(label="网址标识", max_length=60, help_text="小写字母、数字和连字符，例如 fugong。")
    description = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="方式", choices=SpecialLibrary.Kind.choices, widget=forms.RadioSelect)
    rule_tags = forms.ModelMultipleChoiceField(
        label="包含标签（任一）", queryset=Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="按规则汇集时，收录带有任一所选标签的公开文件。")
    rule_levels = forms.MultipleChoiceField(
        label="包含层级", choices=Level.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="不选表示全部层级；省级库通常包含国家、省级、市级。")


class LibraryCreateForm(LibraryForm):
    organisation = forms.ModelChoiceField(label="主办机关", queryset=Organisation.objects.none(), empty_label=None)

    field_order = ["organisation"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error.message % (error.params or {}))
    else:
        for message in exc.messages:
            form.add_error(None, message)


@staff_required
def library_list(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for(request.user, Perm.PUBLISH)
    libraries = SpecialLibrary.objects.filter(organisation__in=orgs).select_related("organisation")
    return render(request, "policies/library_staff/list.html", {
        "libraries": libraries, "can_create": orgs.exists(),
    })


@staff_required
def library_new(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for(request.user, Perm.PUBLISH)
    if not orgs.exists():
        raise PermissionDenied("您没有可管理专题库的机关。")
    form = LibraryCreateForm(request.POST or None, organisations=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            library = library_create(
                actor=request.user, request=request, organisation=data["organisation"], slug=data["slug"],
                name=data["name"], description=data["description"], kind=data["kind"],
                rule_tags=data["rule_tags"], rule_levels=data["rule_levels"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已新建专题库“{library.name}”（尚未上线）。")
            return redirect("libraries_staff:edit", library_id=library.pk)
    return render(request, "policies/library_staff/form.html", {"form": form, "title": "新建专题库"})


@staff_required
def library_edit(request: HttpRequest, library_id: int) -> HttpResponse:
    library = access_special_library(request.user, library_id, request=request)
    initial = {"name": library.name, "slug": library.slug, "description": library.description,
               "kind": library.kind, "rule_tags": library.rule_tags.all(), "rule_levels": library.rule_levels}
    form = LibraryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            library_update(actor=request.user, request=request, library=library, rule_tags=data["rule_tags"],
                           name=data["name"], slug=data["slug"], description=data["description"],
                           kind=data["kind"], rule_levels=data["rule_levels"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("libraries_staff:edit", library_id=library.pk)
    return render(request, "policies/library_staff/form.html", {
        "form": form, "title": f"修改专题库：{library.name}", "library": library,
        "level_counts": counts_by_level(library_documents(library)),
    })


@staff_required
def library_documents_page(request: HttpRequest, library_id: int) -> HttpResponse:
    """收录文件 of a curated library; add by 索引号."""
    library = access_special_library(request.user, library_id, request=request)
    error = ""
    if request.method == "POST":
        index_no = request.POST.get("index_no", "").strip()
        visible = public_documents() | documents_for(request.user)
        document = visible.filter(index_no=index_no).first() if index_no else None
        if document is None:
            error = "未找到该索引号对应的文件，请检查后重试。" if index_no else "请填写索引号。"
        else:
            try:
                library_add_document(actor=request.user, request=request, library=library, document=document)
            except ValidationError as exc:
                error = "；".join(exc.messages)
            else:
                messages.success(request, f"已收录“{document.title}”。")
                return redirect("libraries_staff:documents", library_id=library.pk)
    return render(request, "policies/library_staff/documents.html", {
        "library": library, "documents": library.documents.select_related("organisation").order_by("-id"),
        "error": error, "index_no": request.POST.get("index_no", ""),
    }, status=400 if error else 200)


@require_POST
@staff_required
def library_document_remove(request: HttpRequest, library_id: int, doc_id: int) -> HttpResponse:
    library = access_special_library(request.user, library_id, request=request)
    document = library.documents.filter(pk=doc_id).first()
    if document is None:
        raise Http404("该文件不在本专题库中。")
    library_remove_document(actor=request.user, request=request, library=library, document=document)
    messages.success(request, f"已移出“{document.title}”。")
    return redirect("libraries_staff:documents", library_id=library.pk)


@require_POST
@staff_required
def library_publish_toggle(request: HttpRequest, library_id: int) -> HttpResponse:
    library = access_special_library(request.user, library_id, request=request)
    publish = request.POST.get("publish") == "1"
    try:
        library_publish(actor=request.user, request=request, library=library, publish=publish)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "专题库已上线。" if publish else "专题库已下线。")
    return redirect("libraries_staff:edit", library_id=library.pk)



