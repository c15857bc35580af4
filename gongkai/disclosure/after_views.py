"""Staff pages for what happens after the reply (issue 4 §6), mounted at ``/staff/disclosure/after/``:
行政复议/行政诉讼 records of a request, the table-4 preview and the 条例第四十四条 candidates.

Thin views: requests are loaded only through ``access_request`` (another organisation's request
is a 404); every change goes through ``services.remedies`` or ``services.art44``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gongkai.accounts.access import deny, user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.permissions import staff_required
from gongkai.disclosure.access import access_request
from gongkai.disclosure.after_models import Litigation, Reconsideration, RemedyResult
from gongkai.disclosure.after_selectors import COLUMNS, remedies_of, table4_counts
from gongkai.disclosure.models import DisclosureRequest
from gongkai.disclosure.services import art44, remedies
from gongkai.disclosure.services import deadlines as clock
from gongkai.domain.disclosure_deadlines import REPLY_DAYS

DATE_ERRORS = {"required": "请填写日期。", "invalid": "请按 2026-03-01 的格式填写日期。"}


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, error_messages=DATE_ERRORS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _add_errors(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or "您无权进行此操作。")
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


# --- Forms ---------------------------------------------------------------------------------------------------


class ReconsiderationForm(forms.Form):
    filed_on = _date_field("申请复议日期")
    review_body = forms.CharField(label="复议机关", max_length=200,
                                  error_messages={"required": "请填写复议机关。"})
    case_number = forms.CharField(label="复议案号（可选）", max_length=100, required=False)
    note = forms.CharField(label="说明（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LitigationForm(forms.Form):
    filed_on = _date_field("起诉日期")
    court = forms.CharField(label="受理法院", max_length=200, error_messages={"required": "请填写受理法院。"})
    case_number = forms.CharField(label="案号（可选）", max_length=100, required=False)
    reconsideration = forms.ChoiceField(label="起诉方式", required=False)
    note = forms.CharField(label="说明（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, reconsiderations: list[Reconsideration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reconsiderations = {str(r.pk): r for r in reconsiderations}
        field = self.fields["reconsideration"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "未经复议直接起诉"), *[
            (str(r.pk), f"复议后起诉：{r.review_body}{' ' + r.case_number if r.case_number else ''}"
                        f"（{r.filed_on.isoformat()} 申请）") for r in reconsiderations]]

    def chosen_reconsideration(self) -> Reconsideration | None:
        return self.reconsiderations.get(self.cleaned_data.get("reconsideration") or "")


class ResultForm(forms.Form):
    result = forms.ChoiceField(label="结果", choices=RemedyResult.choices,
                               error_messages={"required": "请选择结果。", "invalid_choice": "请选择有效的结果。"})
    decided_on = _date_field("决定或裁判日期（已审结时填写）", required=False)
    case_number = forms.CharField(label="案号", max_length=100, required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReopenForm(forms.Form):
    days = forms.IntegerField(label="重新答复期限（工作日）", min_value=1, max_value=60, initial=REPLY_DAYS,
                              error_messages={"required": "请填写期限。", "invalid": "请填写整数。",
                                              "min_value": "期限至少1个工作日。", "max_value": "期限不超过60个工作日。"})
    reason = forms.CharField(label="补充说明（可选）", required=False, max_length=500)


class ProposeForm(forms.Form):
    title = forms.CharField(label="拟公开的文件标题", max_length=300, required=False)
    summary = forms.CharField(label="内容概述（可选，留空则自动生成）", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label="文件类别", choices=list(art44.CATEGORIES.items()),
                                 error_messages={"invalid_choice": "请选择文件类别：其他政策文件或通知公告。"})


# --- 行政复议 / 行政诉讼 of one request ----------------------------------------------------------------------------


def _record_forms(req: DisclosureRequest, recons: list[Reconsideration], cases: list[Litigation],
                  bound: tuple[str, forms.Form] | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for kind, records in (("recon", recons), ("litig", cases)):
        for rec in records:
            prefix = f"{kind}-{rec.pk}"
            initial = {"result": rec.result, "decided_on": rec.decided_on, "case_number": rec.case_number,
                       "note": rec.note, "version": rec.version}
            result_form: forms.Form = ResultForm(prefix=prefix, initial=initial)
            reopen_form: forms.Form = ReopenForm(prefix=f"reopen-{prefix}")
            if bound and bound[0] == prefix:
                result_form = bound[1]
            if bound and bound[0] == f"reopen-{prefix}":
                reopen_form = bound[1]
            rows.append({"kind": kind, "record": rec, "result_form": result_form, "reopen_form": reopen_form,
                         "can_reopen": remedies.can_reopen(rec)})
    return rows


@staff_required
def remedies_view(request: HttpRequest, uid: Any) -> HttpResponse:
    """行政复议、行政诉讼情况 of one request: the records, and forms to add and update them."""
    user: Any = request.user
    req = access_request(user, uid, request=request)
    may_record = remedies.can_record(user, req)
    recons, cases = remedies_of(req)
    recon_form = ReconsiderationForm(prefix="new-recon")
    litig_form = LitigationForm(prefix="new-litig", reconsiderations=recons)
    bound: tuple[str, forms.Form] | None = None
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(remedies.NO_PERMISSION)
        outcome = _handle_post(request, req, recons, cases)
        if isinstance(outcome, HttpResponse):
            return outcome
        bound = outcome
        if bound[0] == "new-recon":
            recon_form = bound[1]  # type: ignore[assignment]
        elif bound[0] == "new-litig":
            litig_form = bound[1]  # type: ignore[assignment]
    failed = bound[1] if bound else None
    return render(request, "disclosure/after/remedies.html", {
        "req": req, "may_record": may_record, "recon_form": recon_form, "litig_form": litig_form,
        "rows": _record_forms(req, recons, cases, bound), "failed_form": failed,
    }, status=400 if failed is not None else 200)


def _handle_post(request: HttpRequest, req: DisclosureRequest, recons: list[Reconsideration],
                 cases: list[Litigation]) -> HttpResponse | tuple[str, forms.Form]:
    user: Any = request.user
    action = request.POST.get("action", "")
    here = reverse("disclosure_after:remedies", kwargs={"uid": req.uid})
    form: forms.Form
    if action == "reconsideration":
        form = ReconsiderationForm(request.POST, prefix="new-recon")
        if form.is_valid():
            try:
                remedies.reconsideration_record(actor=user, request=req, http_request=request, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "已登记行政复议。")
                return redirect(here)
        return "new-recon", form
    if action == "litigation":
        form = LitigationForm(request.POST, prefix="new-litig", reconsiderations=recons)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["reconsideration"] = form.chosen_reconsideration()
            try:
                remedies.litigation_record(actor=user, request=req, http_request=request, **data)
            except (ValidationError, PermissionDenied) as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "已登记行政诉讼。")
                return redirect(here)
        return "new-litig", form
    kind, _, pk = request.POST.get("record", "").partition("-")
    records: dict[str, Reconsideration | Litigation] = (
        {str(r.pk): r for r in recons} if kind == "recon" else {str(c.pk): c for c in cases} if kind == "litig"
        else {})
    record = records.get(pk)
    if record is None or action not in {"result", "reopen"}:
        raise Http404("未找到该记录。")
    prefix = f"{kind}-{record.pk}"
    if action == "result":
        form = ResultForm(request.POST, prefix=prefix)
        if form.is_valid():
            data = form.cleaned_data
            kwargs = {"actor": user, "result": data["result"], "decided_on": data["decided_on"],
                      "case_number": data["case_number"], "note": data["note"],
                      "expected_version": data["version"], "http_request": request}
            try:
                if isinstance(record, Reconsideration):
                    remedies.reconsideration_update_result(reconsideration=record, **kwargs)
                else:
                    remedies.litigation_update_result(litigation=record, **kwargs)
            except (ValidationError, PermissionDenied) as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"已更新{record.kind_label}结果。")
                return redirect(here)
        return prefix, form
    form = ReopenForm(request.POST, prefix=f"reopen-{prefix}")
    if form.is_valid():
        try:
            remedies.remedy_reopen(actor=user, remedy=record, days=form.cleaned_data["days"],
                                   reason=form.cleaned_data["reason"], http_request=request)
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已根据纠正结果重新办理该申请。")
            return redirect(here)
    return f"reopen-{prefix}", form


# --- Table 4 -----------------------------------------------------------------------------------------------------


def _report_organisations(user: Any) -> list[Organisation]:
    orgs = art44.viewable_organisations(user)
    if not orgs:
        raise PermissionDenied("只有登记员、公开办负责人或法制审核员可以查看。")
    return sorted(orgs, key=lambda o: o.tree_path)


@staff_required
def table4_view(request: HttpRequest) -> HttpResponse:
    """年度报告表四预览: 政府信息公开行政复议、行政诉讼情况 of one organisation and year."""
    user: Any = request.user
    orgs = _report_organisations(user)
    errors: list[str] = []
    current = clock.today().year
    year = current
    raw_year = request.GET.get("year", "").strip()
    if raw_year:
        if raw_year.isdigit() and 2008 <= int(raw_year) <= current + 1:
            year = int(raw_year)
        else:
            errors.append(f"年度应为 2008 至 {current + 1} 之间的四位数字，已显示 {current} 年。")
    org = orgs[0]
    raw_org = request.GET.get("org", "").strip()
    if raw_org:
        chosen = next((o for o in orgs if str(o.pk) == raw_org), None)
        if chosen is None:
            raise deny(request, user, object_type="accounts.Organisation", object_id=raw_org[:40],
                       detail="disclosure.table4")
        org = chosen
    return render(request, "disclosure/after/table4.html", {
        "orgs": orgs, "org": org, "year": year, "table": table4_counts(org, year), "columns": COLUMNS,
        "errors": errors, "years": list(range(current, current - 6, -1)),
    })


# --- 条例第四十四条 ------------------------------------------------------------------------------------------------


@staff_required
def art44_view(request: HttpRequest) -> HttpResponse:
    """拟转为主动公开: groups of requests asking for the same information, with a proposal form."""
    user: Any = request.user
    if not art44.may_view_candidates(user):
        raise PermissionDenied("只有登记员、公开办负责人或法制审核员可以查看。")
    failed: tuple[str, forms.Form] | None = None
    if request.method == "POST":
        uids = request.POST.getlist("requests")
        posted = ProposeForm(request.POST)
        reqs = [access_request(user, uid, request=request) for uid in uids[:50]]
        if posted.is_valid():
            try:
                document = art44.art44_propose(actor=user, requests=reqs, http_request=request,
                                               **posted.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                _add_errors(posted, exc)
            else:
                messages.success(request, f"已在政策文件库中创建草稿“{document.title}”（索引号 {document.index_no}），"
                                          "请完善后按发布流程审核公开。")
                return redirect("disclosure_after:art44")
        failed = (",".join(sorted(str(r.uid) for r in reqs)), posted)
    groups = art44.art44_candidates(user)
    rows: list[dict[str, Any]] = []
    for group in groups:
        form: forms.Form = ProposeForm(initial={"title": group.suggested_title, "category": "other_policy"},
                           prefix=None, auto_id=f"g{len(rows)}-%s")
        if failed and failed[0] == group.key:
            form = failed[1]
            form.auto_id = f"g{len(rows)}-%s"
        rows.append({"group": group, "form": form,
                     "can_publish": user_has_org_perm(user, group.organisation, Perm.PUBLISH)})
    failed_form = failed[1] if failed else None
    if failed_form is not None and not any(r["form"] is failed_form for r in rows):
        failed_form.auto_id = "failed-%s"
    return render(request, "disclosure/after/art44.html", {
        "rows": rows, "failed_form": failed_form, "proposals": art44.proposals_for(user),
        "threshold": int(art44.SIMILARITY_THRESHOLD * 100),
    }, status=400 if failed_form is not None else 200)

