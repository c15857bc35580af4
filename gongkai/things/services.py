"""The only code that changes 一件事一次办 rows. Each service checks permission, locks the row,
detects version conflicts, checks the transition against ``gongkai/domain/things_workflow.py``,
writes an audit row in the same transaction and raises Chinese ``ValidationError`` /
``PermissionDenied``. Personal data of the form never enters the audit trail."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.audit import record
from gongkai.domain.things_workflow import (
    ApplicationStatus,
    MaterialSource,
    PayoutStatus,
    TaskStatus,
    ThingsError,
    assert_application_transition,
    assert_payout_transition,
    assert_task_transition,
    check_form,
    receipt_number,
    status_after_task_closed,
)
from gongkai.enterprise.models import Enterprise, PolicyItem
from gongkai.policies.services.attachments import ALLOWED, KINDS, clean_name, detect_kind, max_bytes
from gongkai.things import access
from gongkai.things.matching import qualifying_enterprise_ids
from gongkai.things.models import (
    Acceptance,
    Application,
    ApplicationMaterial,
    JointTask,
    Material,
    Payout,
    ReceiptCounter,
    ServiceHall,
    Thing,
    ThingItem,
    Window,
)
from gongkai.things.selectors import merged_fields, merged_materials
from gongkai.workcalendar.selectors import working_calendar

# Items without a promised time limit (承诺办理时限) get this many working days (product decision).
DEFAULT_TASK_DAYS = 20
M = TypeVar("M", bound=models.Model)
CONFLICT = "该记录已被他人修改，请刷新页面后重试。"


def _fail(exc: ThingsError) -> ValidationError:
    return ValidationError(str(exc))


def _locked(model: type[M], pk: Any, expected_version: int | None) -> M:
    obj = model._default_manager.select_for_update().get(pk=pk)
    if expected_version is not None and getattr(obj, "version", None) != expected_version:
        raise ValidationError(CONFLICT)
    return obj


# ---------------------------------------------------------------- things (loader / administration)


@transaction.atomic
def thing_create(*, actor: Any, slug: str, name: str, lead_department: Organisation, items: list[PolicyItem],
                 windows: list[Window] | None = None, request: HttpRequest | None = None, **fields: Any) -> Thing:
    """A thing of ``items`` in this order. ``actor=None`` is the demo loader; staff need the publish
    permission of the lead department."""
    if actor is not None and not user_has_org_perm(actor, lead_department, Perm.PUBLISH):
        raise PermissionDenied("您无权为该部门设置“一件事”。")
    if not items:
        raise ValidationError("“一件事”至少包含一个事项。")
    thing = Thing(slug=slug, name=name, lead_department=lead_department, **fields)
    thing.full_clean()
    thing.save()
    ThingItem.objects.bulk_create(ThingItem(thing=thing, item=item, order=n) for n, item in enumerate(items, 1))
    if windows:
        thing.windows.set(windows)
    try:
        merged_fields(thing)  # the same field key with two types is a configuration error
    except ThingsError as exc:
        raise _fail(exc) from None
    record("things.thing_create", request=request, actor=actor, organisation=lead_department, obj=thing,
           after={"name": name, "items": [i.pk for i in items]})
    return thing


# ---------------------------------------------------------------- 一次申报


def _check_applicant(actor: Any, enterprise: Enterprise) -> None:
    if not access.applicant_enterprises(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied("只有已认领该企业的企业账号可以申请。")


@transaction.atomic
def application_start(*, actor: Any, thing: Thing, enterprise: Enterprise,
                      request: HttpRequest | None = None) -> Application:
    """The enterprise's open draft of this thing, or a new one."""
    _check_applicant(actor, enterprise)
    if not thing.published:
        raise ValidationError("该“一件事”未发布。")
    draft = Application.objects.filter(thing=thing, enterprise=enterprise,
                                       status__in=[ApplicationStatus.DRAFT, ApplicationStatus.REJECTED]).first()
    if draft is not None:
        return draft
    application = Application.objects.create(thing=thing, enterprise=enterprise, applicant=actor)
    record("things.application_start", request=request, actor=actor, organisation=thing.lead_department,
           obj=application, after={"thing": thing.slug, "enterprise": enterprise.credit_code})
    return application


def _store_material(application: Application, material: Material, name: str, data: bytes) -> ApplicationMaterial:
    original = clean_name(name) or "材料"
    if not data:
        raise ValidationError(f"文件“{original}”是空文件。")
    if len(data) > max_bytes():
        raise ValidationError(f"文件“{original}”超过 {max_bytes() // (1024 * 1024)} MB 的大小上限。")
    detected = detect_kind(data)
    if not detected:
        raise ValidationError(f"文件“{original}”的类型不受支持：只接受 {ALLOWED}（按文件内容判断）。")
    kind = KINDS[detected]
    digest = hashlib.sha256(data).hexdigest()
    upload = ApplicationMaterial.objects.filter(application=application, material=material).first()
    if upload is None:
        upload = ApplicationMaterial(application=application, material=material)
    elif upload.file:
        # The replaced file goes only once the new one is committed.
        old_name, storage = str(upload.file.name), upload.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    upload.original_name = original
    upload.extension = kind.extension
    upload.content_type = kind.content_type
    upload.size = len(data)
    upload.sha256 = digest
    upload.file.save(f"{digest}.{kind.extension}", ContentFile(data), save=False)
    upload.save()
    return upload


@transaction.atomic
def application_save(*, actor: Any, application: Application, data: Mapping[str, str],
                     files: Mapping[str, tuple[str, bytes]] | None = None, expected_version: int | None = None,
                     submit: bool = False, request: HttpRequest | None = None) -> Application:
    """Save the merged form (drafts may be incomplete) and the uploads (``files`` by material key,
    each material once: a new upload replaces the old one); with ``submit`` check completeness and
    submit (一次申报). A rejected application returns to draft when the applicant saves it."""
    app = _locked(Application, application.pk, expected_version)
    if app.applicant_id != getattr(actor, "pk", None):
        raise PermissionDenied("只有申请人可以修改该申请。")
    _check_applicant(actor, app.enterprise)
    before = app.status
    if app.status == ApplicationStatus.REJECTED:
        assert_application_transition(app.status, ApplicationStatus.DRAFT)
        app.status = ApplicationStatus.DRAFT
    if app.status != ApplicationStatus.DRAFT:
        raise ValidationError("申请已提交，不能再修改。")
    fields = merged_fields(app.thing)
    keys = {f.key for f in fields}
    form = {k: str(v).strip() for k, v in data.items() if k in keys}
    errors = check_form(fields, form, final=submit)
    materials = {m.key: m for m in merged_materials(app.thing)}
    uploaded: list[str] = []
    for key, (name, content) in (files or {}).items():
        merged = materials.get(key)
        if merged is None or not merged.upload:
            raise ValidationError("该材料无需申请人上传。")
        _store_material(app, Material.objects.get(key=key), name, content)
        uploaded.append(key)
    if submit:
        have = set(app.materials.values_list("material__key", flat=True))
        for m in materials.values():
            if m.source is MaterialSource.APPLICANT and m.key not in have:
                errors[f"material:{m.key}"] = f"请上传“{m.name}”。"
    if errors:
        raise ValidationError(errors)
    app.form_data = {**{k: v for k, v in app.form_data.items() if k in keys}, **form}
    if submit:
        assert_application_transition(app.status, ApplicationStatus.SUBMITTED)
        app.status = ApplicationStatus.SUBMITTED
        app.submitted_at = timezone.now()
    app.version += 1
    app.save()
    record("things.application_submit" if submit else "things.application_save", request=request, actor=actor,
           organisation=app.thing.lead_department, obj=app, before={"status": before},
           after={"status": app.status, "fields": sorted(form), "uploaded": uploaded})
    return app


# ---------------------------------------------------------------- 一次受理


def _next_receipt(organisation: Organisation, year: int) -> str:
    counter, _ = ReceiptCounter.objects.get_or_create(organisation=organisation, year=year)
    counter = ReceiptCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return receipt_number(organisation.pk, year, counter.last)


def _check_acceptor(actor: Any, app: Application, channel: str, window: Window | None) -> None:
    if actor is None or not access.can_accept(actor, app):
        raise PermissionDenied("只有牵头部门的登记人员可以受理该申请。")
    if channel not in Acceptance.Channel.values:
        raise ValidationError("未知的受理渠道。")
    if channel == Acceptance.Channel.WINDOW and window is None:
        raise ValidationError("窗口受理须选择受理窗口。")
    if window is not None and not window.is_active:
        raise ValidationError("该窗口已停用。")


@transaction.atomic
def application_accept(*, actor: Any, application: Application, channel: str = Acceptance.Channel.ONLINE,
                       window: Window | None = None, expected_version: int | None = None,
                       on: date | None = None, request: HttpRequest | None = None) -> Application:
    """一次受理: a gapless receipt number of the lead department, and one task per item (in
    parallel) due after the item's promised working days (工作日, with 调休) from the acceptance day."""
    app = _locked(Application, application.pk, expected_version)
    _check_acceptor(actor, app, channel, window)
    try:
        assert_application_transition(app.status, ApplicationStatus.ACCEPTED)
    except ThingsError as exc:
        raise _fail(exc) from None
    on = on or timezone.localdate()
    lead = app.thing.lead_department
    app.receipt_no = _next_receipt(lead, on.year)
    app.status = ApplicationStatus.ACCEPTED
    app.accepted_on = on
    app.version += 1
    app.save()
    Acceptance.objects.create(application=app, channel=channel, window=window, decision=Acceptance.Decision.ACCEPTED,
                              receipt_no=app.receipt_no, decided_by=actor, decided_at=timezone.now())
    calendar = working_calendar()
    tasks = []
    for ti in app.thing.thing_items.select_related("item").order_by("order", "id"):
        days = ti.item.promised_days or DEFAULT_TASK_DAYS
        result = calendar.add_working_days(on, days)
        tasks.append(JointTask(application=app, item=ti.item, department_id=ti.item.department_id, days=days,
                               due_date=result.due, due_provisional=result.provisional))
    JointTask.objects.bulk_create(tasks)
    record("things.application_accept", request=request, actor=actor, organisation=lead, obj=app,
           before={"status": ApplicationStatus.SUBMITTED},
           after={"status": app.status, "receipt_no": app.receipt_no, "channel": channel,
                  "window": window.pk if window else None, "tasks": len(tasks)})
    return app


@transaction.atomic
def application_reject(*, actor: Any, application: Application, reasons: str, to_fix: str = "",
                       channel: str = Acceptance.Channel.ONLINE, window: Window | None = None,
                       expected_version: int | None = None, request: HttpRequest | None = None) -> Application:
    """不予受理, with the reasons and what the applicant has to fix."""
    app = _locked(Application, application.pk, expected_version)
    _check_acceptor(actor, app, channel, window)
    if not reasons.strip():
        raise ValidationError("请填写不予受理的理由。")
    try:
        assert_application_transition(app.status, ApplicationStatus.REJECTED)
    except ThingsError as exc:
        raise _fail(exc) from None
    app.status = ApplicationStatus.REJECTED
    app.version += 1
    app.save()
    Acceptance.objects.create(application=app, channel=channel, window=window, decision=Acceptance.Decision.REJECTED,
                              reasons=reasons.strip(), to_fix=to_fix.strip(), decided_by=actor,
                              decided_at=timezone.now())
    record("things.application_reject", request=request, actor=actor, organisation=app.thing.lead_department,
           obj=app, before={"status": ApplicationStatus.SUBMITTED}, after={"status": app.status},
           detail=reasons.strip()[:200])
    return app


# ---------------------------------------------------------------- 一次联办


@transaction.atomic
def task_decide(*, actor: Any, task: JointTask, approve: bool, reasons: str = "",
                expected_version: int | None = None, request: HttpRequest | None = None) -> JointTask:
    """The department approves or rejects its item; the application is 已办结 when every task is
    closed."""
    t = _locked(JointTask, task.pk, expected_version)
    if actor is None or not access.can_handle_task(actor, t):
        raise PermissionDenied("只有该事项承办部门的承办人可以办理此任务。")
    target = TaskStatus.APPROVED if approve else TaskStatus.REJECTED
    if not approve and not reasons.strip():
        raise ValidationError("不予通过时须填写理由。")
    try:
        assert_task_transition(t.status, target)
    except ThingsError as exc:
        raise _fail(exc) from None
    app = Application.objects.select_for_update().get(pk=t.application_id)
    t.status = target
    t.reasons = reasons.strip()
    t.decided_by = actor
    t.decided_at = timezone.now()
    t.version += 1
    t.save()
    statuses = list(JointTask.objects.filter(application=app).values_list("status", flat=True))
    before = app.status
    try:
        new_status = status_after_task_closed(app.status, statuses)
    except ThingsError as exc:
        raise _fail(exc) from None
    if new_status != app.status:
        app.status = new_status
        if new_status == ApplicationStatus.COMPLETED:
            app.completed_at = timezone.now()
        app.version += 1
        app.save()
    record("things.task_decide", request=request, actor=actor, organisation=t.department, obj=t,
           before={"status": TaskStatus.PENDING, "application": before},
           after={"status": t.status, "application": app.status}, detail=t.reasons[:200])
    return t


# ---------------------------------------------------------------- 一次兑现 and 免申即享


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise ValidationError("金额须为数字。") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("金额须大于零，最多两位小数。")
    return amount


@transaction.atomic
def payout_record(*, actor: Any, task: JointTask, amount: Any, kind: str, paid_on: date, note: str = "",
                  request: HttpRequest | None = None) -> Payout:
    """The department records the payout or relief of an approved item; it counts once a
    department head confirms it (``payout_confirm``)."""
    t = JointTask.objects.select_related("application", "item").get(pk=task.pk)
    if actor is None or not access.can_handle_task(actor, t):
        raise PermissionDenied("只有该事项承办部门的承办人可以登记兑现。")
    if t.status != TaskStatus.APPROVED:
        raise ValidationError("事项通过后才能登记兑现。")
    if kind not in Payout.Kind.values:
        raise ValidationError("未知的兑现方式。")
    payout = Payout.objects.create(
        enterprise_id=t.application.enterprise_id, item=t.item, department_id=t.department_id,
        thing_id=t.application.thing_id, application=t.application, source=Payout.Source.APPLICATION, kind=kind,
        amount=_amount(amount), paid_on=paid_on, note=note.strip(), created_by=actor,
    )
    record("things.payout_record", request=request, actor=actor, organisation=t.department, obj=payout,
           after={"amount": str(payout.amount), "kind": kind, "paid_on": paid_on, "application": t.application_id})
    return payout


@transaction.atomic
def candidates_generate(*, actor: Any, item: PolicyItem, on: date | None = None,
                        request: HttpRequest | None = None) -> list[Payout]:
    """免申即享: candidate payouts for the enterprises that qualify for a no-application item, one
    per enterprise (an existing candidate or confirmed payout of the item is not repeated)."""
    item = PolicyItem.objects.select_related("department").get(pk=item.pk)
    if actor is not None and not user_has_org_perm(actor, item.department, access.HANDLE):
        raise PermissionDenied("只有该事项承办部门的承办人可以生成免申即享名单。")
    if not item.no_application:
        raise ValidationError("该事项不是免申即享事项。")
    ids = qualifying_enterprise_ids(item, on)
    existing = set(Payout.objects.filter(item=item, source=Payout.Source.NO_APPLICATION,
                                         status__in=[PayoutStatus.CANDIDATE, PayoutStatus.CONFIRMED])
                   .values_list("enterprise_id", flat=True))
    thing_id = ThingItem.objects.filter(item=item).values_list("thing_id", flat=True).first()
    kind = item.benefit_type if item.benefit_type in Payout.Kind.values else Payout.Kind.OTHER
    created = Payout.objects.bulk_create(
        Payout(enterprise_id=pk, item=item, department_id=item.department_id, thing_id=thing_id,
               source=Payout.Source.NO_APPLICATION, kind=kind, created_by=actor if actor is not None else None,
               note="免申即享比对名单")
        for pk in ids if pk not in existing
    )
    record("things.candidates_generate", request=request, actor=actor, organisation=item.department,
           object_type="enterprise.PolicyItem", object_id=str(item.pk), object_repr=item.title,
           after={"qualifying": len(ids), "created": len(created)})
    return created


@transaction.atomic
def payout_confirm(*, actor: Any, payout: Payout, amount: Any = None, paid_on: date | None = None,
                   expected_version: int | None = None, request: HttpRequest | None = None) -> Payout:
    """二次确认 by the head of the item's department: only confirmed payouts count."""
    p = _locked(Payout, payout.pk, expected_version)
    if actor is None or not user_has_org_perm(actor, p.department, access.CONFIRM):
        raise PermissionDenied("只有该事项所属部门的负责人可以确认兑现。")
    try:
        assert_payout_transition(p.status, PayoutStatus.CONFIRMED)
    except ThingsError as exc:
        raise _fail(exc) from None
    if amount not in (None, ""):
        p.amount = _amount(amount)
    if paid_on is not None:
        p.paid_on = paid_on
    if p.amount is None:
        raise ValidationError("确认前须填写兑现金额。")
    if p.paid_on is None:
        raise ValidationError("确认前须填写兑现日期。")
    p.status = PayoutStatus.CONFIRMED
    p.confirmed_by = actor
    p.confirmed_at = timezone.now()
    p.version += 1
    p.save()
    if p.application_id:
        app = Application.objects.select_for_update().get(pk=p.application_id)
        if app.status == ApplicationStatus.COMPLETED:
            assert_application_transition(app.status, ApplicationStatus.PAID)
            app.status = ApplicationStatus.PAID
            app.version += 1
            app.save()
    record("things.payout_confirm", request=request, actor=actor, organisation=p.department, obj=p,
           before={"status": PayoutStatus.CANDIDATE},
           after={"status": p.status, "amount": str(p.amount), "paid_on": p.paid_on})
    return p


@transaction.atomic
def payout_reject(*, actor: Any, payout: Payout, reason: str, expected_version: int | None = None,
                  request: HttpRequest | None = None) -> Payout:
    p = _locked(Payout, payout.pk, expected_version)
    if actor is None or not user_has_org_perm(actor, p.department, access.CONFIRM):
        raise PermissionDenied("只有该事项所属部门的负责人可以作出不予兑现的决定。")
    if not reason.strip():
        raise ValidationError("请填写不予兑现的理由。")
    try:
        assert_payout_transition(p.status, PayoutStatus.REJECTED)
    except ThingsError as exc:
        raise _fail(exc) from None
    p.status = PayoutStatus.REJECTED
    p.note = reason.strip()[:300]
    p.confirmed_by = actor
    p.confirmed_at = timezone.now()
    p.version += 1
    p.save()
    record("things.payout_reject", request=request, actor=actor, organisation=p.department, obj=p,
           before={"status": PayoutStatus.CANDIDATE}, after={"status": p.status}, detail=p.note[:200])
    return p


# ---------------------------------------------------------------- administration by staff (信息发布员)

THING_EDITABLE = ("name", "slug", "summary", "conditions_text", "fees_text", "online_note", "consult_phone",
                  "published")
HALL_EDITABLE = ("name", "address", "hours", "phone")
WINDOW_EDITABLE = ("number", "kind", "is_active")
FIELD_CONFIG_ERROR = "所选事项的表单字段配置有误（字段类型无效），请联系事项所属部门修正后再试。"


def _check_thing_items(items: list[PolicyItem]) -> None:
    if not items:
        raise ValidationError("“一件事”至少包含一个事项。")
    seen: set[int] = set()
    for item in items:
        if item.pk in seen:
            raise ValidationError(f"事项“{item.title}”重复选择了，每个事项只能包含一次。")
        seen.add(item.pk)
        if item.status != PolicyItem.Status.PUBLISHED:
            raise ValidationError(f"事项“{item.title}”尚未发布，不能纳入“一件事”。")


def _check_thing_windows(actor: Any, windows: list[Window]) -> None:
    """Newly linked windows: active, in a hall whose organisation the actor manages."""
    for window in windows:
        if not window.is_active:
            raise ValidationError(f"窗口“{window}”已停用，不能设为受理窗口。")
        if not user_has_org_perm(actor, window.hall.organisation, Perm.PUBLISH):
            raise ValidationError(f"您无权使用窗口“{window}”。")


@transaction.atomic
def thing_create_by_staff(*, actor: Any, slug: str, name: str, lead_department: Organisation,
                          items: list[PolicyItem], windows: list[Window] | None = None,
                          request: HttpRequest | None = None, **fields: Any) -> Thing:
    """``thing_create`` from the staff page: the same permission, plus the checks a person's input
    needs (published items, each once; active windows of halls the actor manages)."""
    if actor is None or not user_has_org_perm(actor, lead_department, Perm.PUBLISH):
        raise PermissionDenied("您无权为该部门设置“一件事”。")
    unknown = set(fields) - set(THING_EDITABLE)
    if unknown:
        raise ValidationError(f"不能设置这些字段：{'、'.join(sorted(unknown))}。")
    _check_thing_items(items)
    _check_thing_windows(actor, list(windows or []))
    try:
        return thing_create(actor=actor, slug=slug, name=name, lead_department=lead_department, items=items,
                            windows=windows, request=request, **fields)
    except ValueError:  # an unknown field type in an item's form (ThingsError is already converted)
        raise ValidationError(FIELD_CONFIG_ERROR) from None


def _check_merged_fields(thing: Thing) -> None:
    """The merged form must be buildable: the same field key with two types (or an unknown type)
    is a configuration error, and the caller's transaction rolls back."""
    try:
        merged_fields(thing)
    except ThingsError as exc:
        raise _fail(exc) from None
    except ValueError:
        raise ValidationError(FIELD_CONFIG_ERROR) from None


def _snapshot(obj: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


@transaction.atomic
def thing_update(*, actor: Any, thing: Thing, items: list[PolicyItem], windows: list[Window] | None = None,
                 expected_version: int | None = None, request: HttpRequest | None = None,
                 **fields: Any) -> Thing:
    """Edit a thing: its texts, the published flag, the included items in this order and the
    windows. Only the publisher (信息发布员) of the lead department; the lead department itself does
    not change (receipt numbers and acceptance belong to it). Optimistic lock on ``version``."""
    unknown = set(fields) - set(THING_EDITABLE)
    if unknown:
        raise ValidationError(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    t = _locked(Thing, thing.pk, expected_version)
    if actor is None or not user_has_org_perm(actor, t.lead_department, Perm.PUBLISH):
        raise PermissionDenied("您无权修改该“一件事”。")
    _check_thing_items(items)
    windows = list(windows or [])
    current_windows = set(t.windows.values_list("pk", flat=True))
    _check_thing_windows(actor, [w for w in windows if w.pk not in current_windows])
    before = {**_snapshot(t, THING_EDITABLE),
              "items": list(t.thing_items.order_by("order", "id").values_list("item_id", flat=True)),
              "windows": sorted(current_windows)}
    for name, value in fields.items():
        setattr(t, name, value)
    t.full_clean()
    t.version += 1
    t.save()
    t.thing_items.all().delete()
    ThingItem.objects.bulk_create(ThingItem(thing=t, item=item, order=n) for n, item in enumerate(items, 1))
    t.windows.set(windows)
    _check_merged_fields(t)
    after = {**_snapshot(t, THING_EDITABLE), "items": [i.pk for i in items],
             "windows": sorted(w.pk for w in windows)}
    record("things.thing_update", request=request, actor=actor, organisation=t.lead_department, obj=t,
           before={k: v for k, v in before.items() if after[k] != v},
           after={k: v for k, v in after.items() if before[k] != v})
    return t


def _check_hall_manager(actor: Any, organisation: Organisation) -> None:
    if actor is not None and not user_has_org_perm(actor, organisation, Perm.PUBLISH):
        raise PermissionDenied("您无权管理该机关的服务大厅。")


@transaction.atomic
def hall_create(*, actor: Any, organisation: Organisation, name: str, address: str, hours: str = "",
                phone: str = "", request: HttpRequest | None = None) -> ServiceHall:
    """政务服务大厅 of ``organisation``; staff need its publish permission."""
    _check_hall_manager(actor, organisation)
    hall = ServiceHall(organisation=organisation, name=name.strip(), address=address.strip(), hours=hours.strip(),
                       phone=phone.strip())
    hall.full_clean()
    hall.save()
    record("things.hall_create", request=request, actor=actor, organisation=organisation, obj=hall,
           after=_snapshot(hall, HALL_EDITABLE))
    return hall


@transaction.atomic
def hall_update(*, actor: Any, hall: ServiceHall, request: HttpRequest | None = None,
                expected_version: int | None = None, **fields: Any) -> ServiceHall:
    unknown = set(fields) - set(HALL_EDITABLE)
    if unknown:
        raise ValidationError(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    h = _locked(ServiceHall, hall.pk, expected_version)
    _check_hall_manager(actor, h.organisation)
    h.version += 1
    before = _snapshot(h, HALL_EDITABLE)
    for name, value in fields.items():
        setattr(h, name, value.strip() if isinstance(value, str) else value)
    h.full_clean()
    h.save()
    after = _snapshot(h, HALL_EDITABLE)
    record("things.hall_update", request=request, actor=actor, organisation=h.organisation, obj=h,
           before={k: v for k, v in before.items() if after[k] != v},
           after={k: v for k, v in after.items() if before[k] != v})
    return h


def _check_window_kind(kind: str) -> None:
    if kind not in Window.Kind.values:
        raise ValidationError("未知的窗口类型。")


def _check_window_number(window: Window) -> None:
    others = Window.objects.filter(hall_id=window.hall_id, number=window.number).exclude(pk=window.pk)
    if window.number and others.exists():
        raise ValidationError({"number": f"本大厅已有编号为“{window.number}”的窗口。"})


@transaction.atomic
def window_create(*, actor: Any, hall: ServiceHall, number: str, kind: str, is_active: bool = True,
                  request: HttpRequest | None = None) -> Window:
    """A window (综合窗口/一件事专窗/政策兑现窗口) of ``hall``. Windows are never deleted: one that
    accepted applications stays for the record and is deactivated instead."""
    h = ServiceHall.objects.select_related("organisation").get(pk=hall.pk)
    _check_hall_manager(actor, h.organisation)
    _check_window_kind(kind)
    window = Window(hall=h, number=number.strip(), kind=kind, is_active=is_active)
    _check_window_number(window)
    window.full_clean()
    window.save()
    record("things.window_create", request=request, actor=actor, organisation=h.organisation, obj=window,
           after=_snapshot(window, WINDOW_EDITABLE))
    return window


@transaction.atomic
def window_update(*, actor: Any, window: Window, request: HttpRequest | None = None,
                  expected_version: int | None = None, **fields: Any) -> Window:
    """Renumber, change the kind, or (de)activate a window (停用 instead of deleting)."""
    unknown = set(fields) - set(WINDOW_EDITABLE)
    if unknown:
        raise ValidationError(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    w = _locked(Window, window.pk, expected_version)
    _check_hall_manager(actor, w.hall.organisation)
    w.version += 1
    if "kind" in fields:
        _check_window_kind(fields["kind"])
    before = _snapshot(w, WINDOW_EDITABLE)
    for name, value in fields.items():
        setattr(w, name, value.strip() if isinstance(value, str) else value)
    _check_window_number(w)
    w.full_clean()
    w.save()
    after = _snapshot(w, WINDOW_EDITABLE)
    record("things.window_update", request=request, actor=actor, organisation=w.hall.organisation, obj=w,
           before={k: v for k, v in before.items() if after[k] != v},
           after={k: v for k, v in after.items() if before[k] != v})
    return w
