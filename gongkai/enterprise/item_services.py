"""政策事项 (policy items) and their 申报条件: the only code that changes ``PolicyItem`` and
``ItemCondition`` rows (issue 6 §2).

Who: the 信息发布员 (``Perm.PUBLISH``) of the item's 承办部门 (handling department), or of an
organisation above it through a membership 含下级机关; ``actor=None`` is the system loader (demo,
import). Every service runs in one transaction with its audit row. A published item is matched
against every enterprise at once (``matching.recompute_item``) in the same transaction, so its
push audience (推送对象) exists as soon as it is visible; a change of its conditions recomputes it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.audit import model_snapshot, record
from gongkai.domain import amount_formula
from gongkai.domain.amount_formula import FormulaError
from gongkai.domain.eligibility import FIELDS, Condition, EligibilityError, Op
from gongkai.domain.enterprise_size import SizeClass
from gongkai.enterprise import matching
from gongkai.enterprise.models import EnterpriseTag, ItemCondition, MatchSnapshot, PolicyItem
from gongkai.policies.access import documents_for
from gongkai.policies.models import Document
from gongkai.policies.selectors import is_public

ITEM_FIELDS = ["title", "benefit_type", "amount_rule", "amount_formula", "promised_days", "materials_text",
               "legal_basis", "valid_from", "valid_to", "no_application"]
MAX_CONDITIONS = 30
MAX_NUMBER = 10**12
_REGION = re.compile(r"\d{2}|\d{4}|\d{6}")
_INDUSTRY = re.compile(r"[A-T](\d{2,4})?")
_INDUSTRY_PREFIX = re.compile(r"[A-T]\d{0,4}")
SIZE_VALUES = frozenset(s.value for s in SizeClass)


def can_manage_item(actor: Any, department: Organisation) -> bool:
    return actor is None or user_has_org_perm(actor, department, Perm.PUBLISH)


def _check(actor: Any, department: Organisation) -> None:
    if not can_manage_item(actor, department):
        raise PermissionDenied("您不是该承办部门的信息发布员，无权管理其政策事项。")


def _snapshot(item: PolicyItem) -> dict[str, Any]:
    return model_snapshot(item, [*ITEM_FIELDS, "document", "department", "status", "version"])


def _conditions_snapshot(item: PolicyItem) -> list[dict[str, Any]]:
    return [{"field": c.field, "op": c.op, "value": c.value, "hard": c.hard, "source_text": c.source_text}
            for c in item.conditions.all()]


def _document_usable(actor: Any, document: Document) -> bool:
    return actor is None or is_public(document) or documents_for(actor).filter(pk=document.pk).exists()


def _validate(item: PolicyItem) -> None:
    errors: dict[str, str] = {}
    item.title = (item.title or "").strip()
    if not item.title:
        errors["title"] = "请填写事项名称。"
    if item.benefit_type not in PolicyItem.BenefitType.values:
        errors["benefit_type"] = "请选择兑现方式。"
    if item.promised_days is not None and not 1 <= item.promised_days <= 365:
        errors["promised_days"] = "承诺办理时限应在1至365个工作日之间。"
    if item.valid_from and item.valid_to and item.valid_from > item.valid_to:
        errors["valid_to"] = "有效期至不能早于有效期起。"
    item.amount_formula = (item.amount_formula or "").strip()
    if item.amount_formula:
        try:
            amount_formula.validate(item.amount_formula)
        except FormulaError as exc:
            errors["amount_formula"] = f"计算公式有误：{exc}"
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["document", "department"])


@transaction.atomic
def item_create(*, actor: Any, document: Document, department: Organisation, request: HttpRequest | None = None,
                **fields: Any) -> PolicyItem:
    """新建政策事项 (草稿) under a policy document, handled by ``department``."""
    _check(actor, department)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接设置这些字段：{'、'.join(sorted(unknown))}。")
    if not _document_usable(actor, document):
        raise ValidationError("未找到该政策文件。")
    item = PolicyItem(document=document, department=department, **fields)
    _validate(item)
    item.save()
    record("enterprise.item_create", request=request, actor=actor, organisation=department, obj=item,
           after=_snapshot(item))
    return item


def _locked(item: PolicyItem, expected_version: int | None) -> PolicyItem:
    current = PolicyItem.objects.select_for_update().select_related("department", "document").get(pk=item.pk)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError("该事项已被他人修改，请刷新页面后重试。")
    return current


@transaction.atomic
def item_update(*, actor: Any, item: PolicyItem, request: HttpRequest | None = None,
                expected_version: int | None = None, department: Organisation | None = None,
                **fields: Any) -> PolicyItem:
    """修改政策事项. ``fields`` may be any of ``ITEM_FIELDS``; moving an item to another 承办部门
    needs the publisher role in both."""
    _check(actor, item.department)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(f"不能直接修改这些字段：{'、'.join(sorted(unknown))}。")
    item = _locked(item, expected_version)
    _check(actor, item.department)
    before = _snapshot(item)
    if department is not None and department.pk != item.department_id:
        _check(actor, department)
        item.department = department
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    _validate(item)
    if item.status == PolicyItem.Status.PUBLISHED:
        _check_publishable(item)
    item.version += 1
    item.save()
    record("enterprise.item_update", request=request, actor=actor, organisation=item.department, obj=item,
           before=before, after=_snapshot(item))
    return item


# --- Conditions -------------------------------------------------------------------------------

def _clean_value(field: str, op: Op, value: Any) -> Any:
    """The stored JSON value of a condition, or ``EligibilityError`` (Chinese)."""
    label = FIELDS[field][0]
    if op in (Op.IN, Op.INDUSTRY_IN, Op.WITHIN_REGION):
        values = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else [value]
        values = [v.strip() if isinstance(v, str) else v for v in values]
        values = [v for v in values if v != "" and v is not None]
        if not values:
            raise EligibilityError(f"“{label}”条件至少需要一个取值。")
        prefix = op is not Op.IN
        return list(dict.fromkeys(_clean_one(field, v, prefix=prefix) for v in values))
    return _clean_one(field, value, prefix=False)


def _clean_one(field: str, value: Any, *, prefix: bool) -> Any:
    """One value; ``prefix`` for 行政区划 / 行业 prefixes (位于, 行业属于)."""
    label = FIELDS[field][0]
    if field == "region_code":
        code = value.strip() if isinstance(value, str) else ""
        if not _REGION.fullmatch(code):
            raise EligibilityError("行政区划应为2位（省）、4位（市）或6位数字代码。")
        if not prefix and len(code) != 6:
            raise EligibilityError("“等于”或“属于”某地区时，行政区划代码应为6位数字。")
        return code
    if field == "industry_code":
        code = value.strip().upper() if isinstance(value, str) else ""
        if not (_INDUSTRY_PREFIX if prefix else _INDUSTRY).fullmatch(code):
            raise EligibilityError(f"行业代码“{value}”格式不正确，应为门类字母加 2–4 位数字，如 C13、I65。")
        return code
    if field == "size_class":
        if value not in SIZE_VALUES:
            raise EligibilityError("企业规模应为大型、中型、小型或微型。")
        return str(value)
    if field == "is_individual":
        if not isinstance(value, bool):
            raise EligibilityError("“个体工商户”条件的取值应为“是”或“否”。")
        return value
    if field in ("employees", "revenue", "assets", "registered_on"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise EligibilityError(f"“{label}”条件的取值必须是数字。")
        if field == "registered_on" and not 0 <= value <= 200:
            raise EligibilityError("成立年限应在0至200年之间。")
        if field != "registered_on" and not 0 <= value <= MAX_NUMBER:
            raise EligibilityError(f"“{label}”条件的取值超出合理范围。")
        return value
    # tags, qualifications: a name
    name = value.strip() if isinstance(value, str) else ""
    if not name or len(name) > 40:
        raise EligibilityError(f"请填写{label}名称（不超过40字）。")
    if field == "tags" and not EnterpriseTag.objects.filter(name=name).exists():
        raise EligibilityError(f"企业标签“{name}”不存在，请先在企业标签中登记。")
    return name


def clean_conditions(rows: Iterable[Mapping[str, Any] | Condition]) -> list[Condition]:
    """Validate condition rows (``field``, ``op``, ``value``, ``hard``, ``source_text``) through the
    domain ``Condition``; raises ``ValidationError`` naming the row (第N条)."""
    out: list[Condition] = []
    messages: list[str] = []
    for n, row in enumerate(rows, start=1):
        if isinstance(row, Condition):
            row = {"field": row.field, "op": row.op, "value": row.value, "hard": row.hard,
                   "source_text": row.source_text}
        try:
            field = str(row.get("field", ""))
            if field not in FIELDS:
                raise EligibilityError(f"未知的条件字段“{field}”。")
            try:
                op = Op(str(row.get("op")))
            except ValueError:
                raise EligibilityError(f"未知的比较方式“{row.get('op')}”。") from None
            if op not in FIELDS[field][1]:
                raise EligibilityError(f"“{FIELDS[field][0]}”不能使用“{op.label}”比较。")
            source_text = str(row.get("source_text") or "").strip()
            if len(source_text) > 300:
                raise EligibilityError("条件原文不能超过300字。")
            value = _clean_value(field, op, row.get("value"))
            out.append(Condition(field, op, value, bool(row.get("hard", True)), source_text))
        except EligibilityError as exc:
            messages.append(f"第{n}条条件：{exc}")
    if len(out) + len(messages) > MAX_CONDITIONS:
        messages.append(f"一个事项最多设置{MAX_CONDITIONS}条条件。")
    if messages:
        raise ValidationError(messages)
    return out


@transaction.atomic
def item_replace_conditions(*, actor: Any, item: PolicyItem, conditions: Iterable[Mapping[str, Any] | Condition],
                            request: HttpRequest | None = None, expected_version: int | None = None) -> PolicyItem:
    """设置申报条件: replaces all conditions of the item. A published item is matched again."""
    _check(actor, item.department)
    cleaned = clean_conditions(conditions)
    item = _locked(item, expected_version)
    _check(actor, item.department)
    before = _conditions_snapshot(item)
    if item.status == PolicyItem.Status.PUBLISHED and not any(c.hard for c in cleaned):
        raise ValidationError("已发布的事项至少要有一条必须满足的条件。")
    item.conditions.all().delete()
    ItemCondition.objects.bulk_create([
        ItemCondition(item=item, position=n, field=c.field, op=c.op.value,
                      value=list(c.value) if isinstance(c.value, tuple) else c.value, hard=c.hard,
                      source_text=c.source_text)
        for n, c in enumerate(cleaned)])
    item.version += 1
    item.save(update_fields=["version", "updated_at"])
    record("enterprise.item_conditions", request=request, actor=actor, organisation=item.department, obj=item,
           before={"conditions": before}, after={"conditions": _conditions_snapshot(item)})
    if item.status == PolicyItem.Status.PUBLISHED:
        matching.recompute_item(item)
    return item


# --- Publishing -------------------------------------------------------------------------------

def _check_publishable(item: PolicyItem, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if not is_public(item.document):
        raise ValidationError("所属政策文件尚未公开发布，不能发布其政策事项。")
    if item.valid_to and item.valid_to < today:
        raise ValidationError("该事项的有效期已过，不能发布。")


@transaction.atomic
def item_publish(*, actor: Any, item: PolicyItem, request: HttpRequest | None = None,
                 expected_version: int | None = None) -> MatchSnapshot:
    """发布政策事项: visible to the public and the 政策计算器; its push audience is computed now.
    Returns the item's match snapshot."""
    _check(actor, item.department)
    item = _locked(item, expected_version)
    _check(actor, item.department)
    if item.status == PolicyItem.Status.PUBLISHED:
        raise ValidationError("该事项已经发布。")
    _check_publishable(item)
    if not item.conditions.filter(hard=True).exists():
        raise ValidationError("请至少设置一条必须满足的申报条件后再发布。")
    before = _snapshot(item)
    item.status = PolicyItem.Status.PUBLISHED
    item.version += 1
    item.save(update_fields=["status", "version", "updated_at"])
    snapshot = matching.recompute_item(item)
    # 精准推送: the push and its outbox rows commit with the publication (uses the snapshot above).
    from gongkai.push.services import create_push_for_item

    create_push_for_item(item, actor=actor, request=request)
    record("enterprise.item_publish", request=request, actor=actor, organisation=item.department, obj=item,
           before=before, after={**_snapshot(item), "qualify_count": snapshot.qualify_count,
                                 "might_count": snapshot.might_count})
    return snapshot


@transaction.atomic
def item_withdraw(*, actor: Any, item: PolicyItem, reason: str, request: HttpRequest | None = None,
                  expected_version: int | None = None) -> PolicyItem:
    """撤回政策事项: no longer shown or matched; its push audience is dropped."""
    _check(actor, item.department)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤回原因。"})
    if len(reason) > 300:
        raise ValidationError({"reason": "撤回原因不能超过300字。"})
    item = _locked(item, expected_version)
    _check(actor, item.department)
    if item.status != PolicyItem.Status.PUBLISHED:
        raise ValidationError("只有已发布的事项可以撤回。")
    before = _snapshot(item)
    item.status = PolicyItem.Status.WITHDRAWN
    item.version += 1
    item.save(update_fields=["status", "version", "updated_at"])
    MatchSnapshot.objects.filter(item_id=item.pk).delete()
    record("enterprise.item_withdraw", request=request, actor=actor, organisation=item.department, obj=item,
           before=before, after=_snapshot(item), detail=reason)
    return item


@transaction.atomic
def item_recompute(*, actor: Any, item: PolicyItem, request: HttpRequest | None = None) -> MatchSnapshot:
    """重新计算匹配结果 (also a preview for a draft); withdrawn items have no audience."""
    _check(actor, item.department)
    if item.status == PolicyItem.Status.WITHDRAWN:
        raise ValidationError("已撤回的事项不再匹配企业。")
    snapshot = matching.recompute_item(item)
    record("enterprise.item_recompute", request=request, actor=actor, organisation=item.department, obj=item,
           after={"qualify_count": snapshot.qualify_count, "might_count": snapshot.might_count,
                  "evaluated_on": snapshot.evaluated_on})
    return snapshot
