"""Pages of 一件事一次办: public (the list, the 一次告知 page and its print version, the 政务服务
一本通 DOCX, the statistics), the enterprise applicant's (apply, draft form, progress, receipt) and
staff's (acceptance queue and decision, department task queue and decision, payouts and 免申即享).
Thin: an access function, a service, a template."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.accounts.access import organisations_for
from gongkai.core.permissions import staff_required
from gongkai.domain.things_workflow import ApplicationStatus, PayoutStatus, TaskStatus, mask
from gongkai.things import access, documents, forms, selectors, services
from gongkai.things.models import Application, Thing, Window
from gongkai.workcalendar.selectors import working_calendar


def _qr_svg(url: str) -> str:
    """QR code as inline SVG (segno writes attributes only: no inline style, CSP-safe)."""
    return str(segno.make(url, error="m").svg_inline(scale=3, title="本页二维码", svgclass="qr-code",
                                                    lineclass="qr-line"))


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def form_rows(application: Application) -> list[tuple[str, str]]:
    """The merged form's answers for display, personal data masked."""
    data = application.form_data or {}
    return [(f.label, mask(data.get(f.key, ""), f.type) or "—") for f in selectors.merged_fields(application.thing)]


# ---------------------------------------------------------------- public


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    things = list(selectors.public_things().prefetch_related("thing_items__item__department"))
    return render(request, "things/index.html", {"things": things, "nav_section": "services"})


def _public_thing(slug: str) -> Thing:
    return get_object_or_404(selectors.public_things(), slug=slug)


@login_not_required
def detail(request: HttpRequest, thing_slug: str, print_view: bool = False) -> HttpResponse:
    thing = _public_thing(thing_slug)
    page_url = request.build_absolute_uri(reverse("things:detail", args=[thing.slug]))
    return render(request, "things/detail.html", {
        "thing": thing, "info": selectors.notice(thing), "qr": _qr_svg(page_url), "page_url": page_url,
        "print_view": print_view, "nav_section": "services",
    })


@login_not_required
def print_view(request: HttpRequest, thing_slug: str) -> HttpResponse:
    return detail(request, thing_slug, print_view=True)


@login_not_required
def guide_docx(request: HttpRequest) -> HttpResponse:
    data = documents.guide_docx(lambda t: request.build_absolute_uri(reverse("things:detail", args=[t.slug])))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E6%94%BF%E5%8A%A1%E6%9C%8D%E5%8A%A1" \
                                      "%E4%B8%80%E6%9C%AC%E9%80%9A.docx"
    return response


@login_not_required
def statistics(request: HttpRequest) -> HttpResponse:
    return render(request, "things/statistics.html", {"stats": selectors.statistics(), "nav_section": "services"})


# ---------------------------------------------------------------- applicant


def _require_enterprise(request: HttpRequest) -> None:
    if not access.is_enterprise_user(request.user):
        raise PermissionDenied("只有法人或其他组织账号可以申请“一件事”。")


def apply(request: HttpRequest, thing_slug: str) -> HttpResponse:
    _require_enterprise(request)
    thing = _public_thing(thing_slug)
    enterprises = list(access.applicant_enterprises(request.user))
    if request.method == "POST":
        chosen = next((e for e in enterprises if str(e.pk) == request.POST.get("enterprise")), None)
        if chosen is None:
            messages.error(request, "请选择申请企业。")
        else:
            try:
                app = services.application_start(actor=request.user, thing=thing, enterprise=chosen, request=request)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, "；".join(_errors(exc)) if isinstance(exc, ValidationError) else str(exc))
            else:
                return redirect("things:application", application_uid=app.uid)
    return render(request, "things/apply.html", {"thing": thing, "enterprises": enterprises,
                                                 "nav_section": "services"})


def mine(request: HttpRequest) -> HttpResponse:
    _require_enterprise(request)
    apps = Application.objects.filter(applicant_id=request.user.pk).select_related("thing", "enterprise")
    page = Paginator(apps.order_by("-id"), 30).get_page(request.GET.get("page"))
    return render(request, "things/mine.html", {"page": page, "nav_section": "services"})


def application(request: HttpRequest, application_uid: str) -> HttpResponse:
    _require_enterprise(request)
    app = access.access_own_application(request.user, application_uid, request=request)
    thing = app.thing
    fields = selectors.merged_fields(thing)
    materials = selectors.merged_materials(thing)
    editable = app.status in (ApplicationStatus.DRAFT, ApplicationStatus.REJECTED)
    form_class = forms.application_form_class(fields, materials, selectors.help_texts(f.key for f in fields))
    extra_errors: list[str] = []
    if request.method == "POST" and editable:
        form = form_class(request.POST, request.FILES)
        form.is_valid()
        data = {f.key: form.cleaned_data.get(f.key, "") or "" for f in fields}
        files = {}
        for m in materials:
            upload = request.FILES.get(f"material__{m.key}")
            if upload is not None:
                files[m.key] = (upload.name or "材料", upload.read())
        submit = request.POST.get("action") == "submit"
        try:
            app = services.application_save(actor=request.user, application=app, data=data, files=files,
                                             expected_version=_version(request), submit=submit, request=request)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errs in exc.message_dict.items():
                    if key in form.fields:
                        for e in errs:
                            form.add_error(key, e)
                    else:
                        extra_errors.extend(errs)
            else:
                extra_errors.extend(_errors(exc))
        else:
            messages.success(request, "申请已提交，请等待受理。" if submit else "草稿已保存。")
            return redirect("things:application", application_uid=app.uid)
    else:
        form = form_class(initial=app.form_data)
    uploads = {u.material.key: u for u in app.materials.select_related("material")}
    calendar = working_calendar()
    today = timezone.localdate()
    tasks = [(t, selectors.flags_for(t, calendar, today))
             for t in app.tasks.select_related("item", "department").order_by("due_date", "id")]
    return render(request, "things/application.html", {
        "app": app, "thing": thing, "form": form, "editable": editable, "materials": materials,
        "uploads": uploads, "tasks": tasks, "rows": form_rows(app), "extra_errors": extra_errors,
        "acceptances": list(app.acceptances.select_related("window", "window__hall")),
        "payouts": list(app.payouts.filter(status=PayoutStatus.CONFIRMED).select_related("item")),
        "nav_section": "services",
    })


def receipt(request: HttpRequest, application_uid: str) -> HttpResponse:
    _require_enterprise(request)
    app = access.access_own_application(request.user, application_uid, request=request)
    if not app.receipt_no:
        raise Http404("该申请尚未受理，没有受理回执。")
    url = request.build_absolute_uri(reverse("things:application", args=[app.uid]))
    response = HttpResponse(documents.receipt_pdf(app, progress_url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{app.receipt_no}.pdf"'
    return response


def material_file(request: HttpRequest, thing_file_id: int) -> FileResponse:
    upload = access.access_material_file(request.user, thing_file_id, request=request)
    return FileResponse(upload.file.open("rb"), content_type=upload.content_type, as_attachment=True,
                        filename=f"{upload.material.name}.{upload.extension}")


# ---------------------------------------------------------------- staff: 一次受理


@staff_required
def acceptance_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ApplicationStatus.SUBMITTED)
    if status not in ApplicationStatus.__members__.values():
        status = ApplicationStatus.SUBMITTED
    apps = (access.applications_to_accept(request.user).filter(status=status)
            .select_related("thing", "enterprise").order_by("submitted_at", "id"))
    page = Paginator(apps, 50).get_page(request.GET.get("page"))
    statuses = [(s.value, s.label) for s in ApplicationStatus if s != ApplicationStatus.DRAFT]
    return render(request, "things/staff/acceptance_queue.html", {"page": page, "status": status,
                                                                  "statuses": statuses})


@staff_required
def acceptance(request: HttpRequest, application_uid: str) -> HttpResponse:
    app = access.access_application_for_acceptance(request.user, application_uid, request=request)
    windows = Window.objects.filter(is_active=True, hall__organisation=app.thing.lead_department) | \
        app.thing.windows.filter(is_active=True)
    windows = windows.distinct().select_related("hall")
    accept_form = forms.AcceptForm(windows=windows)
    reject_form = forms.RejectForm()
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reject":
                reject_form = forms.RejectForm(request.POST)
                if reject_form.is_valid():
                    services.application_reject(actor=request.user, application=app,
                                                reasons=reject_form.cleaned_data["reasons"],
                                                to_fix=reject_form.cleaned_data["to_fix"],
                                                expected_version=_version(request), request=request)
                    messages.success(request, "已作出不予受理决定，申请人可按要求修改后重新提交。")
                    return redirect("things_staff:acceptance", application_uid=app.uid)
            else:
                accept_form = forms.AcceptForm(request.POST, windows=windows)
                if accept_form.is_valid():
                    app = services.application_accept(
                        actor=request.user, application=app, channel=accept_form.cleaned_data["channel"],
                        window=accept_form.cleaned_data["window"], expected_version=_version(request),
                        request=request)
                    messages.success(request, f"已受理，受理编号 {app.receipt_no}，联办任务已分送各部门。")
                    return redirect("things_staff:acceptance", application_uid=app.uid)
        except ValidationError as exc:
            errors = _errors(exc)
    return render(request, "things/staff/acceptance.html", {
        "app": app, "rows": form_rows(app), "accept_form": accept_form, "reject_form": reject_form,
        "errors": errors, "uploads": list(app.materials.select_related("material")),
        "materials": selectors.merged_materials(app.thing),
        "acceptances": list(app.acceptances.select_related("window", "window__hall")),
        "tasks": list(app.tasks.select_related("item", "department")),
    })


# ---------------------------------------------------------------- staff: 一次联办


@staff_required
def tasks(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "pending")
    qs = access.tasks_for(request.user).select_related("application", "application__thing",
                                                       "application__enterprise", "item", "department")
    today = timezone.localdate()
    if show == "pending":
        qs = qs.filter(status=TaskStatus.PENDING)
    elif show == "overdue":
        qs = qs.filter(status=TaskStatus.PENDING, due_date__lt=today)
    page = Paginator(qs.order_by("due_date", "id"), 50).get_page(request.GET.get("page"))
    calendar = working_calendar()
    rows = [(t, selectors.flags_for(t, calendar, today)) for t in page]
    return render(request, "things/staff/tasks.html", {"page": page, "rows": rows, "show": show})


@staff_required
def task(request: HttpRequest, task_id: int) -> HttpResponse:
    t = access.access_task(request.user, task_id, request=request)
    decide_form = forms.DecideForm()
    payout_form = forms.PayoutRecordForm(initial={"kind": t.item.benefit_type, "paid_on": timezone.localdate()})
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "payout":
                payout_form = forms.PayoutRecordForm(request.POST)
                if payout_form.is_valid():
                    d = payout_form.cleaned_data
                    services.payout_record(actor=request.user, task=t, amount=d["amount"], kind=d["kind"],
                                           paid_on=d["paid_on"], note=d["note"], request=request)
                    messages.success(request, "兑现记录已登记，经部门负责人确认后计入统计。")
                    return redirect("things_staff:task", task_id=t.pk)
            else:
                decide_form = forms.DecideForm(request.POST)
                if decide_form.is_valid():
                    services.task_decide(actor=request.user, task=t,
                                         approve=decide_form.cleaned_data["decision"] == "approve",
                                         reasons=decide_form.cleaned_data["reasons"],
                                         expected_version=_version(request), request=request)
                    messages.success(request, "办理结论已保存。")
                    return redirect("things_staff:task", task_id=t.pk)
        except ValidationError as exc:
            errors = _errors(exc)
    calendar = working_calendar()
    today = timezone.localdate()
    app = t.application
    siblings = [(s, selectors.flags_for(s, calendar, today))
                for s in app.tasks.select_related("item", "department").order_by("due_date", "id")]
    return render(request, "things/staff/task.html", {
        "task": t, "flags": selectors.flags_for(t, calendar, today), "app": app, "rows": form_rows(app),
        "siblings": siblings, "decide_form": decide_form, "payout_form": payout_form, "errors": errors,
        "uploads": list(app.materials.select_related("material")),
        "payouts": list(app.payouts.filter(item=t.item)),
    })


# ---------------------------------------------------------------- staff: 一次兑现 and 免申即享


@staff_required
def payouts(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", PayoutStatus.CANDIDATE)
    if status not in PayoutStatus.__members__.values():
        status = PayoutStatus.CANDIDATE
    qs = (access.payouts_for(request.user).filter(status=status)
          .select_related("enterprise", "item", "department", "thing").order_by("-id"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    confirmable = set(organisations_for(request.user, access.CONFIRM).values_list("pk", flat=True))
    return render(request, "things/staff/payouts.html", {
        "page": page, "status": status, "statuses": [(s.value, s.label) for s in PayoutStatus],
        "items": list(access.no_application_items_for(request.user).select_related("department")),
        "confirmable": confirmable, "today": timezone.localdate(),
    })


@staff_required
@require_POST
def payout_decide(request: HttpRequest, payout_id: int) -> HttpResponse:
    payout = access.access_payout(request.user, payout_id, request=request)
    form = forms.PayoutConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("金额或日期格式不正确。")
        d = form.cleaned_data
        if request.POST.get("action") == "reject":
            services.payout_reject(actor=request.user, payout=payout, reason=d["reason"],
                                   expected_version=_version(request), request=request)
            messages.success(request, "已作出不予兑现决定。")
        else:
            services.payout_confirm(actor=request.user, payout=payout, amount=d["amount"], paid_on=d["paid_on"],
                                    expected_version=_version(request), request=request)
            messages.success(request, "兑现已确认，计入统计。")
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
    return redirect("things_staff:payouts")


@staff_required
@require_POST
def candidates(request: HttpRequest, policy_item_id: int) -> HttpResponse:
    item = access.access_item_for_candidates(request.user, policy_item_id, request=request)
    try:
        created = services.candidates_generate(actor=request.user, item=item, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
    else:
        messages.success(request, f"已比对生成 {len(created)} 条免申即享待确认记录。")
    return redirect("things_staff:payouts")
