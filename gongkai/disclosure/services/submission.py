"""Submission and receipt (条例第二十七~三十一条): the public online form, staff registration of
the other channels, and confirmation of receipt.

Receipt numbers (受理编号) have the form ``{组织机构代码}-{year}-{seq:05d}`` (e.g.
``000014349-2026-00001``): the 9-character organisation code inside the agency's 统一社会信用代码,
the year of arrival and a gapless per-organisation sequence taken from a locked
``ReceiptSequence`` row in the same transaction as the request (a rollback returns the number).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.disclosure import crypto
from gongkai.disclosure.models import (
    DeliveryMethod,
    DisclosureRequest,
    FormWanted,
    IdType,
    ReceiptSequence,
    RequestAttachment,
)
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services.attachments import store_attachment
from gongkai.disclosure.services.common import (
    add_clock_event,
    add_event,
    check_clock_event,
    check_transition,
    domain_errors,
    finish,
    lock,
    require,
    snapshot,
)
from gongkai.domain.disclosure_deadlines import Received
from gongkai.domain.disclosure_outcomes import ApplicantType, OrganisationKind
from gongkai.domain.disclosure_receipt import CHINA_TZ, Channel, determine_receipt, local_date
from gongkai.domain.disclosure_workflow import RequestStatus
from gongkai.domain.identifiers import IdentifierError, validate_credit_code, validate_resident_id

DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 2000
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_IDEMPOTENCY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
STAFF_CHANNELS = frozenset({Channel.IN_PERSON, Channel.REGISTERED_POST, Channel.ORDINARY_LETTER, Channel.FAX,
                            Channel.EMAIL})


@dataclass(frozen=True)
class Submission:
    """What a submission returns. ``query_code`` is the plaintext 查询码, shown once on the
    receipt and never stored (None when a repeated submission cannot show it again);
    ``created`` is False when the idempotency key matched an earlier submission."""

    request: DisclosureRequest
    query_code: str | None
    created: bool


# --- Validation ----------------------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def normalise_phone(raw: str) -> str:
    return re.sub(r"[\s()（）]", "", raw).replace("－", "-")


def clean_application(data: Mapping[str, Any], *, today_: date_type | None = None) -> dict[str, Any]:
    """Validate the applicant's data (条例第二十九条); returns normalised plaintext values or raises
    ``ValidationError`` with one Chinese message per field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    try:
        applicant_type = ApplicantType(_text(data, "applicant_type") or ApplicantType.NATURAL_PERSON)
    except ValueError:
        errors["applicant_type"] = "请选择申请人类型：自然人或法人或其他组织。"
        applicant_type = ApplicantType.NATURAL_PERSON
    out["applicant_type"] = applicant_type.value
    name = _text(data, "applicant_name")
    if not name:
        errors["applicant_name"] = "请填写申请人姓名或名称。"
    elif len(name) > 100:
        errors["applicant_name"] = "申请人姓名或名称不能超过100个字。"
    out["applicant_name"] = name
    out["contact_person"] = _text(data, "contact_person")[:50]

    kind = _text(data, "organisation_kind")
    id_type = _text(data, "id_type")
    id_number = _text(data, "id_number")
    credit_code = _text(data, "credit_code")
    if applicant_type is ApplicantType.NATURAL_PERSON:
        if kind:
            errors["organisation_kind"] = "自然人申请人不应选择法人或其他组织类型。"
        if credit_code:
            errors["credit_code"] = "自然人申请人无需填写统一社会信用代码。"
        id_type = id_type or IdType.RESIDENT_ID
        if id_type not in IdType.values:
            errors["id_type"] = "请选择有效的证件类型。"
        if not id_number:
            errors["id_number"] = "请填写身份证件号码。"
        elif id_type == IdType.RESIDENT_ID:
            try:
                id_number = validate_resident_id(id_number, today=today_ or clock.today())
            except IdentifierError as exc:
                errors["id_number"] = str(exc)
        elif not re.fullmatch(r"[A-Za-z0-9\-]{5,30}", id_number):
            errors["id_number"] = "证件号码格式不正确（5至30位字母或数字）。"
        out["organisation_kind"] = ""
        out["credit_code"] = ""
    else:
        if kind not in {k.value for k in OrganisationKind}:
            errors["organisation_kind"] = "请选择法人或其他组织类型：商业企业、科研机构、社会公益组织、法律服务机构或其他。"
        if not credit_code:
            errors["credit_code"] = "请填写统一社会信用代码。"
        else:
            try:
                credit_code = validate_credit_code(credit_code)
            except IdentifierError as exc:
                errors["credit_code"] = str(exc)
        if id_number and id_type == IdType.RESIDENT_ID:
            try:
                id_number = validate_resident_id(id_number, today=today_ or clock.today())
            except IdentifierError as exc:
                errors["id_number"] = str(exc)
        out["organisation_kind"] = kind
        out["credit_code"] = credit_code
        id_type = id_type if id_number else ""
    out["id_type"] = id_type
    out["id_number"] = id_number.upper()

    phone = normalise_phone(_text(data, "phone"))
    if phone and not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        errors["phone"] = "联系电话格式不正确：手机号为11位数字，固定电话如 020-12345678。"
    out["phone"] = phone
    email = _text(data, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确。"
    out["email"] = email
    address = _text(data, "address")
    if len(address) > 300:
        errors["address"] = "通信地址不能超过300个字。"
    out["address"] = address
    postcode = _text(data, "postcode")
    if postcode and not re.fullmatch(r"\d{6}", postcode):
        errors["postcode"] = "邮政编码应为6位数字。"
    out["postcode"] = postcode
    if not (phone or email or address):
        errors["phone"] = "请至少填写一种联系方式（电话、电子邮箱或通信地址）。"

    description = _text(data, "description")
    if len(description) < DESCRIPTION_MIN:
        errors["description"] = f"请描述所需政府信息的名称、文号或其他特征（不少于{DESCRIPTION_MIN}个字）。"
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = f"信息描述不能超过{DESCRIPTION_MAX}个字；多项信息请分别申请。"
    out["description"] = description
    out["purpose"] = _text(data, "purpose")[:1000]

    form = _text(data, "form_wanted") or FormWanted.ELECTRONIC
    if form not in FormWanted.values:
        errors["form_wanted"] = "请选择信息的提供形式：纸质、电子或查阅。"
    out["form_wanted"] = form
    delivery = _text(data, "delivery_method") or DeliveryMethod.ONLINE
    if delivery not in DeliveryMethod.values:
        errors["delivery_method"] = "请选择获取方式：邮寄、电子邮件、自取或在线。"
    elif delivery == DeliveryMethod.POST and not address:
        errors["address"] = "选择邮寄的，请填写通信地址。"
    elif delivery == DeliveryMethod.EMAIL and not email:
        errors["email"] = "选择电子邮件的，请填写电子邮箱。"
    out["delivery_method"] = delivery
    if errors:
        raise ValidationError(errors)
    return out


# --- Numbers and codes ------------------------------------------------------------------------------


def organisation_code(organisation: Organisation) -> str:
    """The 9-character 组织机构代码 inside the 统一社会信用代码."""
    return organisation.credit_code[8:17]


def allocate_receipt_no(organisation: Organisation, year: int) -> tuple[str, int]:
    """Next receipt number of ``organisation`` in ``year``: call inside the request's transaction."""
    seq, _ = ReceiptSequence.objects.select_for_update().get_or_create(organisation=organisation, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{organisation_code(organisation)}-{year}-{seq.last:05d}", seq.last


def _aware(value: datetime | date_type) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=CHINA_TZ)
    return datetime.combine(value, time(12, 0), tzinfo=CHINA_TZ)


def _fingerprint(organisation: Organisation, cleaned: Mapping[str, Any]) -> str:
    canonical = json.dumps({"org": organisation.pk, **cleaned}, sort_keys=True, ensure_ascii=False)
    return crypto.blind_index(canonical, purpose="submission")


def _apply_personal(obj: DisclosureRequest, cleaned: Mapping[str, Any]) -> None:
    for name in ("applicant_type", "organisation_kind", "applicant_name", "contact_person", "id_type",
                 "credit_code", "email", "postcode", "description", "purpose", "form_wanted", "delivery_method"):
        setattr(obj, name, cleaned[name])
    obj.id_number_cipher = crypto.encrypt(cleaned["id_number"])
    obj.id_number_index = crypto.blind_index(cleaned["id_number"], purpose="id")
    obj.phone_cipher = crypto.encrypt(cleaned["phone"])
    obj.phone_index = crypto.blind_index(cleaned["phone"], purpose="phone")
    obj.address_cipher = crypto.encrypt(cleaned["address"])


def _replay(idempotency_key: str | None, digest: str) -> Submission | None:
    if not idempotency_key:
        return None
    existing = DisclosureRequest.objects.filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.idempotency_digest != digest:
        raise ValidationError("该表单已提交过，内容与首次提交不一致；请刷新页面后重新填写。")
    code = crypto.derived_query_code(idempotency_key)
    return Submission(existing, code if crypto.check_query_code(code, existing.query_code_hash) else None, False)


def _create(*, organisation: Organisation, channel: Channel, arrived_at: datetime, confirmed_at: datetime | None,
            cleaned: Mapping[str, Any], idempotency_key: str | None, digest: str, user: Any, actor: Any,
            attachments: Iterable[tuple[str, bytes]], http_request: HttpRequest | None, action: str) -> Submission:
    now_day = clock.today()
    with domain_errors():
        receipt = determine_receipt(channel, arrived_at, confirmed_at, as_of=now_day)
    code = crypto.derived_query_code(idempotency_key) if idempotency_key else crypto.new_query_code()
    with transaction.atomic():
        receipt_no, seq = allocate_receipt_no(organisation, receipt.arrived_on.year)
        obj = DisclosureRequest(
            organisation=organisation, receipt_no=receipt_no, receipt_year=receipt.arrived_on.year, receipt_seq=seq,
            query_code_hash=crypto.hash_query_code(code), idempotency_key=idempotency_key or None,
            idempotency_digest=digest if idempotency_key else "", channel=channel.value, arrived_at=arrived_at,
            confirmed_at=confirmed_at if channel.needs_confirmation else None, received_on=receipt.received_on,
            same_day_breach=receipt.same_day_breach, status=RequestStatus.SUBMITTED,
            submitted_by=user if getattr(user, "pk", None) else None,
            registered_by=actor if getattr(actor, "pk", None) else None,
        )
        _apply_personal(obj, cleaned)
        obj.save()
        before = snapshot(obj)
        add_event(obj, "submitted", on=receipt.arrived_on, actor=actor or user, visible=True,
                  status_to=RequestStatus.SUBMITTED, note="；".join(receipt.explanation),
                  payload={"channel": channel.value, "arrived_on": receipt.arrived_on})
        if receipt.received_on is not None:
            check_transition(obj, RequestStatus.REGISTERED)
            event = Received(on=receipt.received_on, rule=receipt.rule_text)
            check_clock_event(obj, event)
            add_clock_event(obj, event, actor=actor, status_from=RequestStatus.SUBMITTED,
                            status_to=RequestStatus.REGISTERED)
            obj.status = RequestStatus.REGISTERED
        for name, data in attachments:
            store_attachment(obj, name=name, data=data, kind=RequestAttachment.Kind.APPLICANT, actor=actor or user)
        finish(obj, action=action, actor=actor or user, before=before,
               fields=["status", "received_on"], http_request=http_request,
               extra_after={"receipt_no": receipt_no, "channel": channel.value})
    return Submission(obj, code, True)


def _submit_once(idempotency_key: str | None, digest: str, create: Any) -> Submission:
    replayed = _replay(idempotency_key, digest)
    if replayed is not None:
        return replayed
    try:
        result: Submission = create()
        return result
    except IntegrityError:
        # A concurrent twin with the same key committed first.
        replayed = _replay(idempotency_key, digest)
        if replayed is not None:
            return replayed
        raise


def request_submit_online(*, organisation: Organisation, data: Mapping[str, Any], idempotency_key: str,
                          user: Any = None, arrived_at: datetime | None = None,
                          attachments: Iterable[tuple[str, bytes]] = (),
                          http_request: HttpRequest | None = None) -> Submission:
    """网上申请 (public, signed in or not). Creates the request in 待确认收到 (SUBMITTED): the
    receipt date is the day both sides confirm (条例第三十一条第（三）项), recorded by a registrar
    with ``request_confirm_receipt``. The same ``idempotency_key`` (a random token the form
    carries) returns the first request and the same query code; different content under the same
    key is refused."""
    if not _IDEMPOTENCY.match(idempotency_key or ""):
        raise ValidationError("提交标识无效，请刷新页面后重新提交。")
    if not organisation.is_active:
        raise ValidationError("该机关暂不受理网上申请。")
    cleaned = clean_application(data)
    digest = _fingerprint(organisation, cleaned)
    files = list(attachments)
    when = _aware(arrived_at) if arrived_at is not None else timezone.now()
    return _submit_once(idempotency_key, digest, lambda: _create(
        organisation=organisation, channel=Channel.ONLINE, arrived_at=when, confirmed_at=None, cleaned=cleaned,
        idempotency_key=idempotency_key, digest=digest, user=user, actor=None, attachments=files,
        http_request=http_request, action="disclosure.submit"))


def request_register(*, actor: Any, organisation: Organisation, channel: Channel | str,
                     arrived_at: datetime | date_type, data: Mapping[str, Any],
                     confirmed_at: datetime | date_type | None = None, idempotency_key: str | None = None,
                     attachments: Iterable[tuple[str, bytes]] = (),
                     http_request: HttpRequest | None = None) -> Submission:
    """登记 by a registrar (登记员) of 当面, 邮寄（签收）, 平常信函, 传真 and 电子邮件 applications.
    ``arrived_at`` is the submission / signing / arrival time, ``confirmed_at`` the confirmation
    with the applicant where Art. 31 needs it. With a receipt date the request is 已登记
    (REGISTERED) at once; otherwise it waits in SUBMITTED for ``request_confirm_receipt``. An
    ordinary letter confirmed after its arrival day sets ``same_day_breach``."""
    if actor is None or not user_has_org_perm(actor, organisation, Perm.REGISTER_REQUEST):
        raise PermissionDenied("只有本机关的登记员可以登记申请。")
    try:
        channel = Channel(channel)
    except ValueError:
        raise ValidationError("请选择提交方式。") from None
    if channel not in STAFF_CHANNELS:
        raise ValidationError("网上申请由申请人在网上提交，不能由工作人员登记。")
    if idempotency_key is not None and not _IDEMPOTENCY.match(idempotency_key):
        raise ValidationError("提交标识无效，请刷新页面后重新提交。")
    arrived = _aware(arrived_at)
    confirmed = _aware(confirmed_at) if confirmed_at is not None else None
    if local_date(arrived) > clock.today() or (confirmed is not None and local_date(confirmed) > clock.today()):
        raise ValidationError("到达或确认时间不能晚于当前时间。")
    cleaned = clean_application(data)
    digest = _fingerprint(organisation, cleaned)
    files = list(attachments)
    return _submit_once(idempotency_key, digest, lambda: _create(
        organisation=organisation, channel=channel, arrived_at=arrived, confirmed_at=confirmed, cleaned=cleaned,
        idempotency_key=idempotency_key, digest=digest, user=None, actor=actor, attachments=files,
        http_request=http_request, action="disclosure.register"))


@transaction.atomic
def request_confirm_receipt(*, actor: Any, request: DisclosureRequest, confirmed_at: datetime | date_type,
                            expected_version: int | None = None,
                            http_request: HttpRequest | None = None) -> DisclosureRequest:
    """确认收到: the registrar records the confirmation with the applicant (双方确认) of an online,
    e-mail, fax or ordinary-letter application; the receipt date follows Art. 31 and the clock
    starts (SUBMITTED → REGISTERED)."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.REGISTER_REQUEST, message="只有本机关的登记员可以确认收到申请。")
    check_transition(obj, RequestStatus.REGISTERED)
    confirmed = _aware(confirmed_at)
    if local_date(confirmed) > clock.today():
        raise ValidationError("确认时间不能晚于当前时间。")
    before = snapshot(obj)
    with domain_errors():
        receipt = determine_receipt(Channel(obj.channel), obj.arrived_at, confirmed, as_of=clock.today())
    assert receipt.received_on is not None
    event = Received(on=receipt.received_on, rule=receipt.rule_text)
    check_clock_event(obj, event)
    add_clock_event(obj, event, actor=actor, status_from=obj.status, status_to=RequestStatus.REGISTERED,
                    note="；".join(receipt.explanation))
    obj.status = RequestStatus.REGISTERED
    obj.confirmed_at = confirmed
    obj.received_on = receipt.received_on
    obj.same_day_breach = receipt.same_day_breach
    obj.registered_by = actor
    return finish(obj, action="disclosure.confirm_receipt", actor=actor, before=before, http_request=http_request,
                  fields=["status", "confirmed_at", "received_on", "same_day_breach", "registered_by"])
