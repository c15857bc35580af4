"""Eligibility conditions of a policy item (政策事项申报条件) and their evaluation against an
enterprise profile (企业画像), three-valued: met / failed / unknown (platforms.md §2 "Modelling
conditions"). Pure Python, no Django: this is the reference (the brute-force oracle) that the
set-based matching engine is tested against.

A condition is atomic: (field, operator, value, hard or soft, source text). An item's result:
  - QUALIFIES (符合) when every hard condition is met;
  - MIGHT (可能符合) when no hard condition failed but some are unknown (a needed profile field
    is empty);
  - NOT (不符合) when a hard condition failed.
Soft conditions (加分项/优先条件) are shown with their state but never change the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Final


class EligibilityError(ValueError):
    """A malformed condition; ``str(error)`` is a Chinese message."""


class State(StrEnum):
    MET = "met"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"met": "符合", "failed": "不符合", "unknown": "信息不全"}[self.value]


class Result(StrEnum):
    QUALIFIES = "qualifies"
    MIGHT = "might"
    NOT = "not"

    @property
    def label(self) -> str:
        return {"qualifies": "符合条件", "might": "可能符合（信息不全）", "not": "不符合"}[self.value]


class Op(StrEnum):
    EQ = "eq"  # 等于
    IN = "in"  # 属于其一
    CONTAINS = "contains"  # 包含标签
    GTE = "gte"  # 不低于
    LTE = "lte"  # 不高于
    WITHIN_REGION = "within_region"  # 位于行政区划（代码前缀）
    INDUSTRY_IN = "industry_in"  # 行业属于（GB/T 4754 代码前缀）
    YEARS_SINCE_GTE = "years_since_gte"  # 成立满 N 年
    YEARS_SINCE_LTE = "years_since_lte"  # 成立不满/不超过 N 年
    QUALIFICATION_VALID = "qualification_valid"  # 持有有效资质（评估日在有效期内）

    @property
    def label(self) -> str:
        return OP_LABELS[self]


OP_LABELS: Final = {
    Op.EQ: "等于", Op.IN: "属于", Op.CONTAINS: "具有标签", Op.GTE: "不低于", Op.LTE: "不高于",
    Op.WITHIN_REGION: "位于", Op.INDUSTRY_IN: "行业属于", Op.YEARS_SINCE_GTE: "成立满（年）",
    Op.YEARS_SINCE_LTE: "成立不超过（年）", Op.QUALIFICATION_VALID: "持有有效资质",
}

# Profile fields a condition may test, with the operators that make sense for each.
NUMBER_OPS: Final = frozenset({Op.EQ, Op.GTE, Op.LTE})
FIELDS: Final[Mapping[str, tuple[str, frozenset[Op]]]] = {
    "region_code": ("所在地区", frozenset({Op.WITHIN_REGION, Op.EQ, Op.IN})),
    "industry_code": ("所属行业", frozenset({Op.INDUSTRY_IN, Op.EQ, Op.IN})),
    "size_class": ("企业规模", frozenset({Op.EQ, Op.IN})),
    "is_individual": ("个体工商户", frozenset({Op.EQ})),
    "employees": ("从业人员（人）", NUMBER_OPS),
    "revenue": ("营业收入（万元）", NUMBER_OPS),
    "assets": ("资产总额（万元）", NUMBER_OPS),
    "registered_on": ("成立日期", frozenset({Op.YEARS_SINCE_GTE, Op.YEARS_SINCE_LTE})),
    "tags": ("企业标签", frozenset({Op.CONTAINS})),
    "qualifications": ("资质", frozenset({Op.QUALIFICATION_VALID})),
}


@dataclass(frozen=True)
class Condition:
    field: str
    op: Op
    value: Any
    hard: bool = True
    source_text: str = ""

    def __post_init__(self) -> None:
        if self.field not in FIELDS:
            raise EligibilityError(f"未知的条件字段“{self.field}”。")
        op = Op(self.op)
        object.__setattr__(self, "op", op)
        if op not in FIELDS[self.field][1]:
            raise EligibilityError(f"“{FIELDS[self.field][0]}”不能使用“{op.label}”比较。")
        if op in {Op.IN, Op.INDUSTRY_IN, Op.WITHIN_REGION}:
            values = tuple(self.value) if not isinstance(self.value, str) else (self.value,)
            if not values:
                raise EligibilityError("“属于”条件至少需要一个取值。")
            object.__setattr__(self, "value", values)
        if op in {Op.GTE, Op.LTE, Op.YEARS_SINCE_GTE, Op.YEARS_SINCE_LTE} and not isinstance(self.value, int | float):
            raise EligibilityError(f"“{op.label}”条件的取值必须是数字。")

    @property
    def text(self) -> str:
        if self.source_text:
            return self.source_text
        value = "、".join(map(str, self.value)) if isinstance(self.value, tuple) else str(self.value)
        return f"{FIELDS[self.field][0]}{self.op.label}{value}"


@dataclass(frozen=True)
class Qualification:
    kind: str
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass
class Profile:
    """The facts a condition can test. ``None`` means unknown; tags and qualifications are known
    sets (an enterprise without a tag does not have it)."""

    region_code: str | None = None
    industry_code: str | None = None
    size_class: str | None = None
    is_individual: bool | None = None
    employees: float | None = None
    revenue: float | None = None
    assets: float | None = None
    registered_on: date | None = None
    tags: frozenset[str] = field(default_factory=frozenset)
    qualifications: tuple[Qualification, ...] = ()


def full_years_between(start: date, end: date) -> int:
    """Whole years from ``start`` to ``end`` (成立满 N 年: the anniversary has been reached; a 29
    February start reaches its anniversary on 1 March in common years)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def region_within(code: str, prefix_or_code: str) -> bool:
    """GB/T 2260: ``xx0000`` is a province, ``xxxx00`` a city; a code lies within the area whose
    significant prefix it starts with."""
    area = prefix_or_code.rstrip("0") if len(prefix_or_code) == 6 else prefix_or_code
    if len(prefix_or_code) == 6 and len(area) % 2:
        area += "0"  # keep whole two-digit levels: 430100 → 4301, 110000 → 11, 430103 → 430103
    return code.startswith(area)


def evaluate_condition(condition: Condition, profile: Profile, on: date) -> State:
    value = getattr(profile, condition.field)
    op = condition.op
    if condition.field == "tags":
        return State.MET if condition.value in value else State.FAILED
    if condition.field == "qualifications":
        return State.MET if any(q.kind == condition.value and q.valid_on(on) for q in value) else State.FAILED
    if value is None or value == "":
        return State.UNKNOWN
    if op is Op.EQ:
        ok = value == condition.value
    elif op is Op.IN:
        ok = value in condition.value
    elif op is Op.GTE:
        ok = value >= condition.value
    elif op is Op.LTE:
        ok = value <= condition.value
    elif op is Op.WITHIN_REGION:
        ok = any(region_within(value, area) for area in condition.value)
    elif op is Op.INDUSTRY_IN:
        ok = any(str(value).upper().startswith(str(prefix).upper()) for prefix in condition.value)
    elif op is Op.YEARS_SINCE_GTE:
        ok = full_years_between(value, on) >= condition.value
    elif op is Op.YEARS_SINCE_LTE:
        ok = full_years_between(value, on) <= condition.value
    else:  # pragma: no cover - Condition validates the operator
        raise EligibilityError(f"未知的比较方式“{op}”。")
    return State.MET if ok else State.FAILED


@dataclass(frozen=True)
class Evaluation:
    result: Result
    states: tuple[tuple[Condition, State], ...]

    @property
    def failed(self) -> list[Condition]:
        return [c for c, s in self.states if c.hard and s is State.FAILED]

    @property
    def unknown(self) -> list[Condition]:
        return [c for c, s in self.states if c.hard and s is State.UNKNOWN]


def combine(states: Iterable[tuple[bool, State]]) -> Result:
    """The item's result from (hard, state) pairs."""
    unknown = False
    for hard, state in states:
        if not hard:
            continue
        if state is State.FAILED:
            return Result.NOT
        unknown = unknown or state is State.UNKNOWN
    return Result.MIGHT if unknown else Result.QUALIFIES


def evaluate(conditions: Sequence[Condition], profile: Profile, on: date) -> Evaluation:
    states = tuple((c, evaluate_condition(c, profile, on)) for c in conditions)
    return Evaluation(combine((c.hard, s) for c, s in states), states)
