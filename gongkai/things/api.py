"""一件事一次办开放接口 ``/api/v1/things/`` (issue 6 §5).

Public (no login): ``GET /`` the published things, ``GET /{thing_slug}`` its 一次告知 (items, the
merged form and materials with their source, departments, time limits, windows).

The enterprise applicant (browser session with CSRF, or ``Authorization: Bearer gk_…``):
``GET /applications`` own applications; ``POST /applications`` start (or reopen) the draft of a
thing for one of the account's verified enterprises; ``GET /applications/{uid}`` progress: each
department's task with its due date and flags, and the confirmed payouts; ``PUT
/applications/{uid}`` save the draft (the merged form, optionally materials as Base64);
``POST /applications/{uid}/submit`` 一次申报. Material files are downloaded in the browser only
(``material_url``). Another account's application is a 404. Everything goes through
``things.access``, ``things.selectors`` and ``things.services``: a service's ``ValidationError``
is a Chinese 422 (409 for a stale ``expected_version``), ``PermissionDenied`` a 403.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer, django_auth

from gongkai.accounts.models import User
from gongkai.api.services import api_token_authenticate
from gongkai.domain.things_workflow import ApplicationStatus, PayoutStatus, mask
from gongkai.enterprise.models import Enterprise
from gongkai.things import access, selectors, services
from gongkai.things.models import Application, Thing
from gongkai.workcalendar.selectors import working_calendar

router = Router(tags=["一件事一次办"])

T = TypeVar("T")


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gk_…`` (same check as ``gongkai.api.api.ApiTokenAuth``)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(token)


AUTH = [django_auth, TokenAuth()]


# --- Schemas ----------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


class ThingItemOut(Schema):
    id: int
    title: str
    department: str
    promised_days: int | None
    benefit_type: str
    benefit_type_display: str
    legal_basis: str
    url: str


class ThingOut(Schema):
    slug: str
    name: str
    summary: str
    lead_department: str
    url: str
    items: list[ThingItemOut]


class MaterialOut(Schema):
    key: str
    name: str
    source: str
    source_label: str
    upload: bool
    required_at_submission: bool
    items: list[str]


class FieldOut(Schema):
    key: str
    label: str
    type: str
    type_label: str
    required: bool
    items: list[str]
    help_text: str


class WindowOut(Schema):
    hall: str
    address: str
    hours: str
    phone: str
    number: str
    kind: str
    kind_label: str


class ThingDetailOut(ThingOut):
    """一次告知: everything the applicant needs, in one answer."""

    conditions_text: str
    fees_text: str
    online_note: str
    consult_phone: str
    departments: list[str]
    longest_days: int | None
    materials: list[MaterialOut]
    fields: list[FieldOut]
    windows: list[WindowOut]
    print_url: str


class ApplicationOut(Schema):
    uid: str
    thing: str
    thing_name: str
    enterprise_id: int
    enterprise_name: str
    status: str
    status_label: str
    receipt_no: str | None
    submitted_at: datetime | None
    accepted_on: date | None
    completed_at: datetime | None
    version: int
    url: str


class FormValueOut(Schema):
    key: str
    label: str
    type: str
    required: bool
    value: str  # personal data (phone, ID number) masked


class UploadOut(Schema):
    key: str
    name: str
    source: str
    source_label: str
    upload: bool
    uploaded: bool
    original_name: str
    size: int | None
    material_url: str | None  # browser download


class TaskOut(Schema):
    id: int
    item: str
    department: str
    status: str
    status_label: str
    days: int
    due_date: date
    due_provisional: bool
    days_remaining: int
    due_soon: bool
    overdue: bool
    flags_label: str
    reasons: str
    decided_at: datetime | None


class AcceptanceOut(Schema):
    channel: str
    channel_label: str
    window: str | None
    decision: str
    decision_label: str
    receipt_no: str
    reasons: str
    to_fix: str
    decided_at: datetime


class PayoutOut(Schema):
    item: str
    department: str
    kind: str
    kind_label: str
    amount: Decimal | None
    paid_on: date | None
    status: str
    status_label: str


class ApplicationDetailOut(ApplicationOut):
    editable: bool
    form: list[FormValueOut]
    materials: list[UploadOut]
    acceptances: list[AcceptanceOut]
    tasks: list[TaskOut]
    payouts: list[PayoutOut]
    receipt_url: str | None


class StartIn(Schema):
    thing_slug: str
    enterprise_id: int | None = None  # may be left out when the account has exactly one verified enterprise


class MaterialIn(Schema):
    name: str
    content_base64: str


class SaveIn(Schema):
    form_data: dict[str, str] = {}
    materials: dict[str, MaterialIn] = {}  # by material key; a new upload replaces the old one
    expected_version: int | None = None


class SubmitIn(Schema):
    form_data: dict[str, str] | None = None  # left out: the saved draft is submitted
    materials: dict[str, MaterialIn] = {}
    expected_version: int | None = None


ERRORS: dict[int | str, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- Helpers ----------------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body["detail"])
        self.status = status
        self.body = body


def _error_body(exc: ValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        errors = {field: "；".join(msgs) for field, msgs in exc.message_dict.items()}
        return {"detail": "；".join(errors.values()), "errors": errors}
    return {"detail": "；".join(exc.messages), "errors": {}}


def _call(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a service; its ``ValidationError`` becomes a Chinese 422 (409 for a stale version)."""
    try:
        return fn(**kwargs)
    except ValidationError as exc:
        conflict = services.CONFLICT in getattr(exc, "messages", [])
        raise _Refused(409 if conflict else 422, _error_body(exc)) from None


def _guard(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except _Refused as refused:
            return Status(refused.status, refused.body)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _require_enterprise(user: User) -> None:
    if not access.is_enterprise_user(user):
        raise PermissionDenied("只有法人或其他组织账号可以申请“一件事”。")


def _thing_out(thing: Thing) -> dict[str, Any]:
    items = selectors.thing_items(thing)
    return {
        "slug": thing.slug, "name": thing.name, "summary": thing.summary, "lead_department": thing.lead_department.name,
        "url": reverse("things:detail", args=[thing.slug]),
        "items": [{"id": i.pk, "title": i.title, "department": i.department.name, "promised_days": i.promised_days,
                   "benefit_type": i.benefit_type, "benefit_type_display": i.get_benefit_type_display(),
                   "legal_basis": i.legal_basis, "url": reverse("enterprise_public:item", args=[i.pk])}
                  for i in items],
    }


def _thing_detail(thing: Thing) -> dict[str, Any]:
    info = selectors.notice(thing)
    helps = selectors.help_texts(f.key for f in info.fields)
    return {
        **_thing_out(thing),
        "conditions_text": thing.conditions_text, "fees_text": thing.fees_text, "online_note": thing.online_note,
        "consult_phone": thing.consult_phone, "departments": [d.name for d in info.departments],
        "longest_days": info.longest_days,
        "materials": [{"key": m.key, "name": m.name, "source": str(m.source), "source_label": m.source.label,
                       "upload": m.upload, "required_at_submission": m.required_at_submission,
                       "items": list(m.items)} for m in info.materials],
        "fields": [{"key": f.key, "label": f.label, "type": str(f.type), "type_label": f.type.label,
                    "required": f.required, "items": list(f.items), "help_text": helps.get(f.key, "")}
                   for f in info.fields],
        "windows": [{"hall": w.hall.name, "address": w.hall.address, "hours": w.hall.hours, "phone": w.hall.phone,
                     "number": w.number, "kind": w.kind, "kind_label": w.get_kind_display()} for w in info.windows],
        "print_url": reverse("things:print", args=[thing.slug]),
    }


def _application_out(app: Application) -> dict[str, Any]:
    return {
        "uid": str(app.uid), "thing": app.thing.slug, "thing_name": app.thing.name, "enterprise_id": app.enterprise_id,
        "enterprise_name": app.enterprise.name, "status": app.status, "status_label": app.status_label,
        "receipt_no": app.receipt_no, "submitted_at": app.submitted_at, "accepted_on": app.accepted_on,
        "completed_at": app.completed_at, "version": app.version,
        "url": reverse("things:application", args=[app.uid]),
    }


def _application_detail(app: Application) -> dict[str, Any]:
    fields = selectors.merged_fields(app.thing)
    data = app.form_data or {}
    uploads = {u.material.key: u for u in app.materials.select_related("material")}
    calendar = working_calendar()
    today = timezone.localdate()
    tasks = []
    for t in app.tasks.select_related("item", "department").order_by("due_date", "id"):
        flags = selectors.flags_for(t, calendar, today)
        tasks.append({"id": t.pk, "item": t.item.title, "department": t.department.name, "status": t.status,
                      "status_label": t.status_label, "days": t.days, "due_date": t.due_date,
                      "due_provisional": t.due_provisional, "days_remaining": flags.days_remaining,
                      "due_soon": flags.due_soon, "overdue": flags.overdue,
                      "flags_label": "已办结" if t.is_closed else flags.label, "reasons": t.reasons,
                      "decided_at": t.decided_at})
    materials = []
    for m in selectors.merged_materials(app.thing):
        upload = uploads.get(m.key)
        materials.append({"key": m.key, "name": m.name, "source": str(m.source), "source_label": m.source.label,
                          "upload": m.upload, "uploaded": upload is not None,
                          "original_name": upload.original_name if upload else "",
                          "size": upload.size if upload else None,
                          "material_url": reverse("things:material_file", args=[upload.pk]) if upload else None})
    return {
        **_application_out(app),
        "editable": app.status in (ApplicationStatus.DRAFT, ApplicationStatus.REJECTED),
        "form": [{"key": f.key, "label": f.label, "type": str(f.type), "required": f.required,
                  "value": mask(str(data.get(f.key, "")), f.type)} for f in fields],
        "materials": materials,
        "acceptances": [{"channel": a.channel, "channel_label": a.get_channel_display(),
                         "window": str(a.window) if a.window_id else None, "decision": a.decision,
                         "decision_label": a.get_decision_display(), "receipt_no": a.receipt_no,
                         "reasons": a.reasons, "to_fix": a.to_fix, "decided_at": a.decided_at}
                        for a in app.acceptances.select_related("window", "window__hall")],
        "tasks": tasks,
        "payouts": [{"item": p.item.title, "department": p.department.name, "kind": p.kind,
                     "kind_label": p.get_kind_display(), "amount": p.amount, "paid_on": p.paid_on,
                     "status": p.status, "status_label": p.status_label}
                    for p in app.payouts.filter(status=PayoutStatus.CONFIRMED).select_related("item", "department")
                    .order_by("paid_on", "id")],
        "receipt_url": reverse("things:receipt", args=[app.uid]) if app.receipt_no else None,
    }


def _files(materials: dict[str, MaterialIn]) -> dict[str, tuple[str, bytes]]:
    files: dict[str, tuple[str, bytes]] = {}
    for key, m in materials.items():
        try:
            files[key] = (m.name, base64.b64decode(m.content_base64, validate=True))
        except (binascii.Error, ValueError):
            raise _Refused(422, {"detail": "材料文件应为 Base64 编码的文件内容。",
                                 "errors": {f"material:{key}": "格式不正确"}}) from None
    return files


def _own(request: HttpRequest, application_uid: Any) -> Application:
    user = _user(request)
    _require_enterprise(user)
    return access.access_own_application(user, application_uid, request=request)


# --- Public: the things and their 一次告知 ----------------------------------------------------------------


# The applicant's routes come first: ``applications`` would otherwise be read as a thing's slug.
@router.get("/applications", auth=AUTH, response=list[ApplicationOut], url_name="things_application_list",
            summary="我的一件事申请")
@paginate(PageNumberPagination, page_size=30)
def application_list(request: HttpRequest) -> Any:
    """本账号提交的申请（含草稿），新的在前。非企业账号的列表为空。"""
    user = _user(request)
    if not access.is_enterprise_user(user):
        return []
    apps = Application.objects.filter(applicant_id=user.pk).select_related("thing", "enterprise").order_by("-id")
    return [_application_out(a) for a in apps]


@router.post("/applications", auth=AUTH, response={200: ApplicationDetailOut, 201: ApplicationDetailOut, **ERRORS},
             url_name="things_application_start", summary="开始申请（一次申报草稿）")
@_guard
def application_start(request: HttpRequest, payload: StartIn) -> Any:
    """为本账号已核验认领的企业开始申请；该企业已有草稿（或不予受理后待修改的申请）时返回它（200）。"""
    user = _user(request)
    _require_enterprise(user)
    thing = get_object_or_404(selectors.public_things(), slug=payload.thing_slug)
    enterprises = list(access.applicant_enterprises(user))
    chosen: Enterprise | None
    if payload.enterprise_id is None and len(enterprises) == 1:
        chosen = enterprises[0]
    else:
        chosen = next((e for e in enterprises if e.pk == payload.enterprise_id), None)
    if chosen is None:
        raise _Refused(422, {"detail": "请选择申请企业（本账号已核验认领的企业）。",
                             "errors": {"enterprise_id": "请选择申请企业。"}})
    started = timezone.now()
    app = _call(services.application_start, actor=user, thing=thing, enterprise=chosen, request=request)
    return Status(201 if app.created_at >= started else 200, _application_detail(app))


@router.get("/applications/{uuid:application_uid}", auth=AUTH, response={200: ApplicationDetailOut, **ERRORS},
            url_name="things_application_detail", summary="申请详情与办理进度")
def application_detail(request: HttpRequest, application_uid: str) -> Any:
    """申请表（个人信息已脱敏）、材料、受理记录、各部门联办任务（状态、期限、即将到期/超期）和已确认的兑现。"""
    return _application_detail(_own(request, application_uid))


@router.put("/applications/{uuid:application_uid}", auth=AUTH, response={200: ApplicationDetailOut, **ERRORS},
            url_name="things_application_save", summary="保存草稿")
@_guard
def application_save(request: HttpRequest, application_uid: str, payload: SaveIn) -> Any:
    """保存一表申请（草稿可不完整，格式须正确）；`materials` 按材料标识上传文件（Base64）。"""
    app = _own(request, application_uid)
    app = _call(services.application_save, actor=_user(request), application=app, data=payload.form_data,
                files=_files(payload.materials), expected_version=payload.expected_version, request=request)
    return _application_detail(app)


@router.post("/applications/{uuid:application_uid}/submit", auth=AUTH,
             response={200: ApplicationDetailOut, **ERRORS}, url_name="things_application_submit",
             summary="提交申请（一次申报）")
@_guard
def application_submit(request: HttpRequest, application_uid: str, payload: SubmitIn) -> Any:
    """检查必填项和须由申请人提供的材料后提交；不带 `form_data` 时提交已保存的草稿。"""
    app = _own(request, application_uid)
    data = payload.form_data if payload.form_data is not None else dict(app.form_data or {})
    app = _call(services.application_save, actor=_user(request), application=app, data=data,
                files=_files(payload.materials), expected_version=payload.expected_version, submit=True,
                request=request)
    return _application_detail(app)


@router.get("/", auth=None, response=list[ThingOut], url_name="things_list", summary="一件事列表")
@paginate(PageNumberPagination, page_size=50)
def thing_list(request: HttpRequest) -> Any:
    """已发布的“一件事”及其包含的政策事项。"""
    return [_thing_out(t) for t in selectors.public_things()]


@router.get("/{slug:thing_slug}", auth=None, response={200: ThingDetailOut, 404: ErrorOut},
            url_name="things_detail", summary="一次告知")
def thing_detail(request: HttpRequest, thing_slug: str) -> Any:
    """事项、合并后的申请表和材料（含材料来源）、承办部门、办理时限和受理窗口。"""
    return _thing_detail(get_object_or_404(selectors.public_things(), slug=thing_slug))
