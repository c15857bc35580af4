"""Pages for policy items (政策事项, issue 6 §2–§3). Thin: forms in, one access function and one
service per request.

- Staff (``/staff/enterprise/items/``): the items of the user's organisations, create and edit,
  申报条件, publish / withdraw, the match snapshot with counts by region and size, and the push
  audience (推送对象) restricted to the enterprises of the viewer's own area.
- Public: the 政策计算器 (anonymous, nothing stored), an item's page, and 我可以享受的政策 for the
  signed-in enterprise account's verified enterprise.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.accounts.access import organisations_for
from gongkai.accounts.roles import Perm
from gongkai.core.models import AuditEvent
from gongkai.core.permissions import staff_required
from gongkai.domain.eligibility import FIELDS, Op
from gongkai.domain.enterprise_size import SIZE_LABELS, SizeClass
from gongkai.enterprise import item_selectors as sel
from gongkai.enterprise import item_services as svc
from gongkai.enterprise import matching
from gongkai.enterprise.access import enterprises_for
from gongkai.enterprise.item_forms import (
    CalculatorForm,
    ConditionFormSet,
    ItemCreateForm,
    ItemEditForm,
    WithdrawForm,
    condition_initial,
    value_text,
)
from gongkai.enterprise.models import MatchSnapshot, PolicyItem
from gongkai.policies.access import documents_for
from gongkai.policies.selectors import public_documents

ITEM_FIELDS = svc.ITEM_FIELDS


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error.message % (error.params or {}))
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _conditions(item: PolicyItem) -> list[dict[str, Any]]:
    return [{"field": FIELDS[c.field][0], "op": Op(c.op).label, "value": value_text(c.field, c.value),
             "hard": c.hard, "text": c.source_text} for c in item.conditions.all()]


# --- Staff ------------------------------------------------------------------------------------

@staff_required
def item_list(request: HttpRequest) -> HttpResponse:
    items = (sel.items_for(request.user).select_related("document", "department", "match_snapshot")
             .defer("match_snapshot__qualify_bits", "match_snapshot__might_bits").order_by("-id"))
    doc_id = request.GET.get("doc", "")
    document = None
    if doc_id.isdigit():
        document = documents_for(request.user).filter(pk=int(doc_id)).first() or public_documents().filter(
            pk=int(doc_id)).first()
        items = items.filter(document_id=int(doc_id))
    status = request.GET.get("status", "")
    if status in PolicyItem.Status.values:
        items = items.filter(status=status)
    return render(request, "enterprise/items/list.html", {
        "items": items[:200], "document": document, "status": status, "statuses": PolicyItem.Status.choices,
        "can_create": organisations_for(request.user, Perm.PUBLISH).exists(),
    })


@staff_required
def item_new(request: HttpRequest) -> HttpResponse:
    departments = organisations_for(request.user, Perm.PUBLISH)
    if not departments.exists():
        raise PermissionDenied("您不是任何部门的信息发布员，不能新建政策事项。")
    initial: dict[str, Any] = {}
    doc_id = request.GET.get("doc", "")
    if doc_id.isdigit():
        doc = (documents_for(request.user) | public_documents()).filter(pk=int(doc_id)).first()
        if doc is not None:
            initial["index_no"] = doc.index_no
    form = ItemCreateForm(request.POST or None, initial=initial, departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visible = documents_for(request.user) | public_documents()
        document = visible.filter(index_no=data["index_no"].strip()).first()
        if document is None:
            form.add_error("index_no", "未找到该索引号对应的政策文件，请检查后重试。")
        else:
            try:
                item = svc.item_create(actor=request.user, request=request, document=document,
                                       department=data["department"], **{k: data[k] for k in ITEM_FIELDS})
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"已新建政策事项“{item.title}”（草稿）。请设置申报条件。")
                return redirect("enterprise_items:conditions", item_id=item.pk)
    return render(request, "enterprise/items/form.html", {"form": form, "title": "新建政策事项"},
                  status=400 if form.errors else 200)


@staff_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = sel.access_item(request.user, item_id, request=request)
    snapshot = sel.snapshot_of(item)
    history = AuditEvent.objects.filter(object_type="enterprise.PolicyItem", object_id=str(item.pk)).order_by("seq")
    return render(request, "enterprise/items/detail.html", {
        "item": item, "conditions": _conditions(item), "snapshot": snapshot,
        "regions": sel.region_rows(snapshot.by_region) if snapshot else [],
        "sizes": sel.size_rows(snapshot.by_size) if snapshot else [],
        "can_manage": svc.can_manage_item(request.user, item.department), "withdraw_form": WithdrawForm(),
        "history": history, "today": timezone.localdate(),
    })


@staff_required
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = sel.access_item(request.user, item_id, Perm.PUBLISH, request=request)
    initial = {k: getattr(item, k) for k in ITEM_FIELDS}
    initial["department"] = item.department
    departments = organisations_for(request.user, Perm.PUBLISH)
    form = ItemEditForm(request.POST or None, initial=initial, departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.item_update(actor=request.user, request=request, item=item, department=data["department"],
                            expected_version=_version(request), **{k: data[k] for k in ITEM_FIELDS})
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("enterprise_items:detail", item_id=item.pk)
    return render(request, "enterprise/items/form.html", {
        "form": form, "title": f"修改政策事项：{item.title}", "item": item}, status=400 if form.errors else 200)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@staff_required
def item_conditions(request: HttpRequest, item_id: int) -> HttpResponse:
    item = sel.access_item(request.user, item_id, Perm.PUBLISH, request=request)
    errors: list[str] = []
    if request.method == "POST":
        formset = ConditionFormSet(request.POST)
        if formset.is_valid():
            rows = [row for row in (f.cleaned_row() for f in formset.forms) if row is not None]
            try:
                svc.item_replace_conditions(actor=request.user, request=request, item=item, conditions=rows,
                                            expected_version=_version(request))
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, f"已保存{len(rows)}条申报条件。")
                return redirect("enterprise_items:detail", item_id=item.pk)
        else:
            errors = [str(e) for e in formset.non_form_errors()] or ["请检查标出的条件。"]
    else:
        formset = ConditionFormSet(initial=condition_initial(list(item.conditions.all())))
    return render(request, "enterprise/items/conditions.html", {
        "item": item, "formset": formset, "errors": errors, "fields": FIELDS.items()},
        status=400 if errors else 200)


def _service_post(request: HttpRequest, item_id: int, call: Any, done: str) -> HttpResponse:
    item = sel.access_item(request.user, item_id, request=request)
    try:
        call(item)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, done)
    return redirect("enterprise_items:detail", item_id=item.pk)


@staff_required
@require_POST
def item_publish(request: HttpRequest, item_id: int) -> HttpResponse:
    return _service_post(request, item_id, lambda item: svc.item_publish(
        actor=request.user, request=request, item=item, expected_version=_version(request)),
        "已发布。匹配结果已计算。")


@staff_required
@require_POST
def item_withdraw(request: HttpRequest, item_id: int) -> HttpResponse:
    return _service_post(request, item_id, lambda item: svc.item_withdraw(
        actor=request.user, request=request, item=item, reason=request.POST.get("reason", ""),
        expected_version=_version(request)), "已撤回。")


@staff_required
@require_POST
def item_recompute(request: HttpRequest, item_id: int) -> HttpResponse:
    return _service_post(request, item_id, lambda item: svc.item_recompute(
        actor=request.user, request=request, item=item), "已重新计算匹配结果。")


@staff_required
def item_audience(request: HttpRequest, item_id: int) -> HttpResponse:
    """推送对象: the enterprises that qualify (or might), of the viewer's own area."""
    item = sel.access_item(request.user, item_id, request=request)
    snapshot = sel.snapshot_of(item)
    might = request.GET.get("might") == "1"
    page_no = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
    page = None
    if snapshot is not None:
        full = MatchSnapshot.objects.get(pk=snapshot.pk)
        page = sel.audience_page(full, enterprises_for(request.user), might=might, page=page_no)
    return render(request, "enterprise/items/audience.html", {
        "item": item, "snapshot": snapshot, "page": page, "might": might})


# --- Public -----------------------------------------------------------------------------------

@login_not_required
def item_public(request: HttpRequest, item_id: int) -> HttpResponse:
    item = sel.get_public_item(item_id)
    return render(request, "enterprise/items/public_item.html", {
        "item": item, "conditions": _conditions(item), "today": timezone.localdate(),
    })


@login_not_required
def calculator(request: HttpRequest) -> HttpResponse:
    """政策计算器: an anonymous visitor enters a few facts and sees the items in force that fit,
    might fit (which facts are missing) or do not (why). Nothing is stored: no row, no session."""
    kinds, tags = sel.calculator_choices()
    form = CalculatorForm(request.POST or None, qualification_kinds=kinds, tag_names=tags)
    result = None
    size = None
    if request.method == "POST" and form.is_valid():
        profile, size = form.profile()
        result = sel.matches_for_profile(profile)
    return render(request, "enterprise/calculator.html", {
        "form": form, "result": result, "size": size, "size_label": _size_label(size),
        "nav_url": "enterprise_public:calculator"}, status=400 if form.errors else 200)


def _size_label(size: str | None) -> str:
    return SIZE_LABELS[SizeClass(size)] if size else ""


def my_policies(request: HttpRequest) -> HttpResponse:
    """我可以享受的政策: the signed-in enterprise account's verified enterprise against every item
    in force, each condition met / failed / unknown (login required by the middleware)."""
    enterprises = list(sel.own_enterprises(request.user))
    results = [{"enterprise": e, "result": sel.matches_for_profile(matching.profile_of(e)), "prefix": f"ent{e.pk}"}
               for e in enterprises]
    return render(request, "enterprise/items/mine.html", {
        "results": results, "is_enterprise_account": request.user.account_type == "enterprise",  # type: ignore[union-attr]
    })
