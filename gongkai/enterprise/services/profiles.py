"""Enterprise profiles (一企一档): create, update, qualifications, tags.

Who may change what (issue 6 §1):
- 企业服务专员 of the enterprise's area (``Perm.MANAGE_ENTERPRISES``, see ``access``) create
  profiles and change every field except the 统一社会信用代码 (the identity; a wrong code is a new
  profile). They alone add or remove qualifications (资质, checked against the certificate) and
  set tags.
- The enterprise itself (the account with the verified claim) keeps its own figures current:
  从业人员, 营业收入, 资产总额 and the contact e-mail (企业自报). The registered facts — name,
  成立日期, 所在地区, 所属行业, 个体工商户 — come from registration and are corrected by staff.
The 企业规模 (大/中/小/微) is never typed in: every change recomputes it from the industry and the
figures with ``gongkai.domain.enterprise_size`` (工信部联企业〔2011〕300号).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.core.audit import record
from gongkai.domain.enterprise_size import SizeError, size_class
from gongkai.domain.identifiers import IdentifierError, validate_credit_code, validate_division_code
from gongkai.enterprise import access
from gongkai.enterprise.models import Enterprise, EnterpriseQualification, EnterpriseTag, Industry

FIELD_LABELS: dict[str, str] = {
    "credit_code": "统一社会信用代码", "name": "企业名称", "registered_on": "成立日期", "region_code": "所在地区",
    "industry": "所属行业", "employees": "从业人员", "revenue": "营业收入", "assets": "资产总额",
    "is_individual": "个体工商户", "contact_email": "联系邮箱", "tags": "企业标签",
}
# Fields staff may change after creation (the credit code is the identity).
STAFF_FIELDS = ("name", "registered_on", "region_code", "industry", "employees", "revenue", "assets",
                "is_individual", "contact_email")
# Figures the enterprise reports itself (企业自报).
SELF_FIELDS = ("employees", "revenue", "assets", "contact_email")
PROFILE_FIELDS = ("credit_code", *STAFF_FIELDS)

# Common 资质 (suggestions in the form; any name up to 40 characters is accepted).
QUALIFICATION_KINDS = ("高新技术企业", "科技型中小企业", "专精特新中小企业", "专精特新“小巨人”企业", "创新型中小企业",
                       "技术先进型服务企业", "瞪羚企业")

_MAX_AMOUNT = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2), 万元
_CENT = Decimal("0.01")


class ProfileError(ValueError):
    """A value failed validation; ``str(error)`` is a Chinese message."""


# --- Parsing one value ---------------------------------------------------------------------------

def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_credit_code(value: Any) -> str:
    raw = text(value)
    if not raw:
        raise ProfileError("请填写统一社会信用代码。")
    try:
        return validate_credit_code(raw)
    except IdentifierError as exc:
        raise ProfileError(str(exc)) from None


def normalise_name(value: Any) -> str:
    """Names compare with full-width brackets and without spaces (营业执照 use （）)."""
    name = re.sub(r"\s+", "", text(value))
    return name.replace("(", "（").replace(")", "）")


def parse_name(value: Any) -> str:
    name = normalise_name(value)
    if not name:
        raise ProfileError("请填写企业名称。")
    if len(name) > 120:
        raise ProfileError("企业名称不能超过120个字。")
    return name


_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_DASH_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def parse_day(value: Any, label: str = "日期") -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    if not raw:
        return None
    match = _DASH_DATE.match(raw) or _CN_DATE.match(raw)
    if match is None:
        raise ProfileError(f"{label}“{raw}”格式不正确，应为 YYYY-MM-DD 或 2020年3月2日。")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ProfileError(f"{label}“{raw}”不存在。") from None


def parse_registered_on(value: Any) -> date | None:
    day = parse_day(value, "成立日期")
    if day is not None and day > timezone.localdate():
        raise ProfileError("成立日期不能晚于今天。")
    return day


def parse_region(value: Any) -> str:
    raw = text(value)
    if not raw:
        raise ProfileError("请填写所在地区的6位行政区划代码。")
    try:
        return validate_division_code(raw)
    except IdentifierError as exc:
        raise ProfileError(str(exc)) from None


class IndustryLookup:
    """GB/T 4754-2017 codes → ``Industry`` rows, loaded once (about 140 rows)."""

    def __init__(self) -> None:
        self.by_code = {i.code: i for i in Industry.objects.all()}

    def __call__(self, value: Any) -> Industry | None:
        if isinstance(value, Industry):
            return value
        raw = text(value).upper().replace(" ", "")
        if not raw:
            return None
        found = self.by_code.get(raw)
        if found is None:
            # "C13 农副食品加工业" as exported, or a name alone.
            match = re.match(r"^([A-T]\d{0,4})", raw)
            found = self.by_code.get(match[1]) if match else None
            if found is None:
                found = next((i for i in self.by_code.values() if i.name == text(value)), None)
        if found is None:
            raise ProfileError(f"行业代码“{text(value)}”不在国民经济行业分类（GB/T 4754-2017）中，应为门类字母加数字，"
                               "如 C13、I65。")
        return found


def parse_count(value: Any, label: str = "从业人员") -> int | None:
    raw = text(value).replace(",", "").replace("，", "")
    if not raw:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        try:
            number = int(raw)
        except ValueError:
            raise ProfileError(f"{label}“{raw}”应为整数（人）。") from None
    if number < 0:
        raise ProfileError(f"{label}不能为负数。")
    if number > 10_000_000:
        raise ProfileError(f"{label}“{number}”超出合理范围。")
    return number


def parse_amount(value: Any, label: str) -> Decimal | None:
    raw = text(value).replace(",", "").replace("，", "")
    if not raw:
        return None
    try:
        amount = Decimal(str(value) if isinstance(value, float) else raw)
    except InvalidOperation:
        raise ProfileError(f"{label}“{raw}”应为数字（万元）。") from None
    if not amount.is_finite():
        raise ProfileError(f"{label}“{raw}”应为数字（万元）。")
    if amount < 0:
        raise ProfileError(f"{label}不能为负数。")
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount > _MAX_AMOUNT:
        raise ProfileError(f"{label}“{raw}”超出范围（单位为万元）。")
    return amount


_TRUE = {"是", "y", "yes", "true", "1", "个体", "个体工商户"}
_FALSE = {"否", "n", "no", "false", "0", ""}


def parse_bool(value: Any, label: str = "个体工商户") -> bool | None:
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw == "":
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ProfileError(f"{label}“{text(value)}”应填“是”或“否”。")


def parse_email(value: Any) -> str:
    raw = text(value)
    if not raw:
        return ""
    try:
        validate_email(raw)
    except ValidationError:
        raise ProfileError(f"联系邮箱“{raw}”格式不正确。") from None
    return raw


_TAG_SPLIT = re.compile(r"[、;；,，\n]+")


def parse_tags(value: Any) -> list[str]:
    if isinstance(value, list | tuple | set):
        names = [text(v) for v in value]
    else:
        names = [part.strip() for part in _TAG_SPLIT.split(text(value))]
    result = list(dict.fromkeys(n for n in names if n))
    too_long = [n for n in result if len(n) > 30]
    if too_long:
        raise ProfileError(f"标签“{too_long[0]}”超过30个字。")
    return result


def clean_values(raw: Mapping[str, Any], lookup: IndustryLookup | None = None
                 ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Parse the given profile fields; returns (values, [(field, Chinese message)])."""
    lookup = lookup or IndustryLookup()
    parsers: dict[str, Any] = {
        "credit_code": parse_credit_code, "name": parse_name, "registered_on": parse_registered_on,
        "region_code": parse_region, "industry": lookup, "employees": parse_count,
        "revenue": lambda v: parse_amount(v, "营业收入"), "assets": lambda v: parse_amount(v, "资产总额"),
        "is_individual": parse_bool, "contact_email": parse_email, "tags": parse_tags,
    }
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for key, value in raw.items():
        parser = parsers.get(key)
        if parser is None:
            errors.append((key, f"未知的字段“{key}”。"))
            continue
        try:
            values[key] = parser(value)
        except ProfileError as exc:
            errors.append((key, str(exc)))
    if values.get("is_individual") is None and "is_individual" in values:
        values["is_individual"] = False
    return values, errors


# --- The profile as a whole ----------------------------------------------------------------------

def compute_size(industry_code: str | None, employees: int | None, revenue: Decimal | None,
                 assets: Decimal | None) -> str:
    """企业规模 by 工信部联企业〔2011〕300号; ``""`` when it cannot be decided (no industry, a
    missing figure that matters, or 金融业, which has its own standard)."""
    if not industry_code:
        return ""
    try:
        size = size_class(industry_code, employees=employees,
                          revenue=float(revenue) if revenue is not None else None,
                          assets=float(assets) if assets is not None else None)
    except SizeError as exc:
        raise ProfileError(str(exc)) from None
    return size.value if size is not None else ""


def state_of(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "credit_code": enterprise.credit_code, "name": enterprise.name, "registered_on": enterprise.registered_on,
        "region_code": enterprise.region_code, "industry": enterprise.industry, "employees": enterprise.employees,
        "revenue": enterprise.revenue, "assets": enterprise.assets, "is_individual": enterprise.is_individual,
        "contact_email": enterprise.contact_email, "size_class": enterprise.size_class,
    }


def comparable(state: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-friendly picture for audit rows and comparisons (industry by code, amounts as text)."""
    out: dict[str, Any] = {}
    for key, value in state.items():
        if isinstance(value, Industry):
            value = value.code
        elif isinstance(value, Decimal):
            value = f"{value:.2f}"
        elif isinstance(value, date):
            value = value.isoformat()
        out[key] = value
    return out


def check_state(state: dict[str, Any]) -> list[tuple[str, str]]:
    """Cross-field rules on a complete profile; sets ``state["size_class"]``."""
    errors: list[tuple[str, str]] = []
    if not state.get("name"):
        errors.append(("name", "请填写企业名称。"))
    if not state.get("region_code"):
        errors.append(("region_code", "请填写所在地区的6位行政区划代码。"))
    code = state.get("credit_code") or ""
    # GB 32100-2015: 登记管理部门代码 9 (市场监管/工商) + 机构类别代码 2 = 个体工商户.
    if state.get("is_individual") and code and not code.startswith("92"):
        errors.append(("is_individual", "个体工商户的统一社会信用代码应以“92”开头（登记管理部门 9、机构类别 2）。"))
    if not state.get("is_individual") and code.startswith("92"):
        errors.append(("is_individual", "统一社会信用代码以“92”开头的是个体工商户，请勾选“个体工商户”。"))
    industry = state.get("industry")
    try:
        state["size_class"] = compute_size(industry.code if industry else None, state.get("employees"),
                                           state.get("revenue"), state.get("assets"))
    except ProfileError as exc:
        errors.append(("employees", str(exc)))
    return errors


def _raise(errors: Iterable[tuple[str, str]]) -> None:
    grouped: dict[str, list[str]] = {}
    for key, message in errors:
        grouped.setdefault(key if key in FIELD_LABELS else "__all__", []).append(message)
    if grouped:
        raise ValidationError(grouped)


def _is_manager(actor: Any) -> bool:
    return bool(access.region_prefixes_for(actor))


def _audit_org(actor: Any, region_code: str) -> Any:
    return access.organisation_for_region(actor, region_code) if actor is not None else None


def _touch(enterprise: Enterprise) -> None:
    """A change of qualifications or tags is a change of the profile (matching re-reads it)."""
    Enterprise.objects.filter(pk=enterprise.pk).update(version=enterprise.version + 1, updated_at=timezone.now())
    enterprise.version += 1


@transaction.atomic
def enterprise_create(*, actor: Any, request: HttpRequest | None = None, tags: Iterable[str] = (),
                      **raw: Any) -> Enterprise:
    """新建企业档案. ``actor=None`` is the system loader (demo, command line)."""
    if actor is not None and not _is_manager(actor):
        raise PermissionDenied("您无权新建企业档案。")
    unknown = set(raw) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接设定：{'、'.join(sorted(unknown))}。")
    values, errors = clean_values(raw)
    if "credit_code" not in raw:
        errors.append(("credit_code", "请填写统一社会信用代码。"))
    state: dict[str, Any] = {"credit_code": "", "name": "", "registered_on": None, "region_code": "",
                             "industry": None, "employees": None, "revenue": None, "assets": None,
                             "is_individual": False, "contact_email": "", **values}
    if not errors:
        errors += check_state(state)
    _raise(errors)
    if actor is not None and not access.covers_region(actor, state["region_code"]):
        raise PermissionDenied(f"所在地区 {state['region_code']} 不在您所在机关的管辖范围内。")
    if Enterprise.objects.filter(credit_code=state["credit_code"]).exists():
        raise ValidationError({"credit_code": f"统一社会信用代码 {state['credit_code']} 已建档，请在列表中查找并修改。"})
    enterprise = Enterprise(**state)
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:
        raise ValidationError({"credit_code": f"统一社会信用代码 {state['credit_code']} 已建档。"}) from None
    tag_names = parse_tags(list(tags))
    if tag_names:
        enterprise.tags.set(_tags_by_name(tag_names))
    record("enterprise.create", request=request, actor=actor, organisation=_audit_org(actor, enterprise.region_code),
           obj=enterprise, after={**comparable(state_of(enterprise)), **({"tags": tag_names} if tag_names else {})})
    return enterprise


@transaction.atomic
def enterprise_update(*, actor: Any, enterprise: Enterprise, request: HttpRequest | None = None,
                      expected_version: int | None = None, **raw: Any) -> Enterprise:
    """修改企业档案; the 企业规模 is recomputed. Staff of the area change the registered facts and
    figures, the enterprise's verified account its own figures (``SELF_FIELDS``). A change that
    changes nothing writes nothing."""
    locked = Enterprise.objects.select_for_update(of=("self",)).select_related("industry").get(pk=enterprise.pk)
    staff = actor is None or access.can_manage(actor, locked)
    allowed: tuple[str, ...]
    if staff:
        allowed = STAFF_FIELDS
    elif (access.is_enterprise_account(actor) and locked.claimed_by_id == actor.pk
          and locked.claim_status == Enterprise.ClaimStatus.VERIFIED):
        allowed = SELF_FIELDS
    else:
        raise PermissionDenied("您无权修改该企业档案。")
    extra = set(raw) - set(allowed)
    if extra:
        if "credit_code" in extra:
            raise PermissionDenied("统一社会信用代码不能修改；代码有误的，请新建档案。")
        if not staff:
            raise PermissionDenied("企业只能修改从业人员、营业收入、资产总额和联系邮箱；名称、成立日期、所在地区、行业等"
                                   "登记信息请联系所在地企业服务部门更正。")
        raise ValidationError(f"不能直接设定：{'、'.join(sorted(extra))}。")
    if expected_version is not None and expected_version != locked.version:
        raise ValidationError("该企业档案已被他人修改，请刷新后重试。", code="conflict")
    values, errors = clean_values(raw)
    _raise(errors)
    before = state_of(locked)
    state = {**before, **values}
    _raise(check_state(state))
    if actor is not None and staff and not access.covers_region(actor, state["region_code"]):
        raise PermissionDenied(f"所在地区 {state['region_code']} 不在您所在机关的管辖范围内。")
    old, new = comparable(before), comparable(state)
    changed = [k for k in new if new[k] != old[k]]
    if not changed:
        return locked
    for key in changed:
        setattr(locked, key, state[key])
    locked.version += 1
    locked.save()
    record("enterprise.update" if staff else "enterprise.self_update", request=request, actor=actor,
           organisation=_audit_org(actor, locked.region_code) if staff else None, obj=locked,
           before={k: old[k] for k in changed}, after={k: new[k] for k in changed})
    for key in (*changed, "version", "updated_at"):
        setattr(enterprise, key, getattr(locked, key))
    return locked


def _require_manager(actor: Any, enterprise: Enterprise) -> None:
    if actor is not None and not access.can_manage(actor, enterprise):
        raise PermissionDenied("您无权修改该企业档案。")


@transaction.atomic
def qualification_add(*, actor: Any, enterprise: Enterprise, kind: str, issuer: str = "",
                      certificate_no: str = "", valid_from: Any = None, valid_to: Any = None,
                      request: HttpRequest | None = None) -> EnterpriseQualification:
    """登记资质 (高新技术企业, 专精特新 …) with the issuing body and the validity dates."""
    _require_manager(actor, enterprise)
    errors: list[tuple[str, str]] = []
    kind = text(kind)
    if not kind:
        errors.append(("kind", "请填写资质名称。"))
    elif len(kind) > 40:
        errors.append(("kind", "资质名称不能超过40个字。"))
    issuer, certificate_no = text(issuer), text(certificate_no)
    if len(issuer) > 100:
        errors.append(("issuer", "认定机关不能超过100个字。"))
    if len(certificate_no) > 60:
        errors.append(("certificate_no", "证书编号不能超过60个字。"))
    start = end = None
    try:
        start = parse_day(valid_from, "有效期起")
    except ProfileError as exc:
        errors.append(("valid_from", str(exc)))
    try:
        end = parse_day(valid_to, "有效期至")
    except ProfileError as exc:
        errors.append(("valid_to", str(exc)))
    if start and end and end < start:
        errors.append(("valid_to", "有效期至不能早于有效期起。"))
    if errors:
        raise ValidationError({k: [m] for k, m in errors})
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    qualification = EnterpriseQualification.objects.create(
        enterprise=locked, kind=kind, issuer=issuer, certificate_no=certificate_no, valid_from=start, valid_to=end)
    _touch(locked)
    record("enterprise.qualification_add", request=request, actor=actor,
           organisation=_audit_org(actor, locked.region_code), obj=locked,
           after={"kind": kind, "issuer": issuer, "certificate_no": certificate_no, "valid_from": start,
                  "valid_to": end})
    return qualification


@transaction.atomic
def qualification_remove(*, actor: Any, qualification: EnterpriseQualification,
                         request: HttpRequest | None = None) -> None:
    enterprise = Enterprise.objects.select_for_update().get(pk=qualification.enterprise_id)
    _require_manager(actor, enterprise)
    before = {"kind": qualification.kind, "issuer": qualification.issuer,
              "certificate_no": qualification.certificate_no, "valid_from": qualification.valid_from,
              "valid_to": qualification.valid_to}
    qualification.delete()
    _touch(enterprise)
    record("enterprise.qualification_remove", request=request, actor=actor,
           organisation=_audit_org(actor, enterprise.region_code), obj=enterprise, before=before)


def _tags_by_name(names: list[str]) -> list[EnterpriseTag]:
    existing = {t.name: t for t in EnterpriseTag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name], _ = EnterpriseTag.objects.get_or_create(name=name)
    return [existing[n] for n in names]


@transaction.atomic
def enterprise_set_tags(*, actor: Any, enterprise: Enterprise, names: Any,
                        request: HttpRequest | None = None) -> list[str]:
    """设定企业标签 (a new name creates the tag). Returns the names now set."""
    _require_manager(actor, enterprise)
    try:
        wanted = parse_tags(names)
    except ProfileError as exc:
        raise ValidationError({"tags": [str(exc)]}) from None
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    before = sorted(locked.tags.values_list("name", flat=True))
    if sorted(wanted) == before:
        return before
    locked.tags.set(_tags_by_name(wanted))
    _touch(locked)
    record("enterprise.tags_set", request=request, actor=actor, organisation=_audit_org(actor, locked.region_code),
           obj=locked, before={"tags": before}, after={"tags": sorted(wanted)})
    return sorted(wanted)

