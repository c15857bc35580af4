"""Enterprise size class (企业规模: 大型/中型/小型/微型) by 《中小企业划型标准规定》
(工信部联企业〔2011〕300号), as tabulated in platforms.md §2. Pure Python, no Django.

The size class is always computed from the industry and the figures, never typed in. Units:
从业人员 in persons, 营业收入 and 资产总额 in 万元. The wording of the standard is kept exactly:
"X以下" is strictly less than, "X及以上" is greater than or equal; the SME ceiling applies when
*either* figure is below it (或), 中型 and 小型 need *both* thresholds (且), 微型 is the rest.

The industry → row mapping is from GB/T 4754-2017 codes (门类 letter + 大类/中类 digits) and is
marked [M] in the reference: usable, to be checked against the official text before shipping.
Financial industries (门类 J) are outside this standard (they have their own, 银发〔2015〕309号);
their size is ``None``, as is the size of an enterprise whose missing figures could change the
answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class SizeClass(StrEnum):
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"

    @property
    def label(self) -> str:
        return SIZE_LABELS[self]


SIZE_LABELS: Final = {SizeClass.LARGE: "大型", SizeClass.MEDIUM: "中型", SizeClass.SMALL: "小型",
                      SizeClass.MICRO: "微型"}
_ORDER: Final = (SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE)

# The three figures a row can use.
EMPLOYEES: Final = "employees"  # 从业人员（人）
REVENUE: Final = "revenue"  # 营业收入（万元）
ASSETS: Final = "assets"  # 资产总额（万元）
FIGURE_LABELS: Final = {EMPLOYEES: "从业人员", REVENUE: "营业收入", ASSETS: "资产总额"}


@dataclass(frozen=True)
class SizeRule:
    """One row of the standard: thresholds per figure for the SME ceiling, 中型 and 小型."""

    key: str
    label: str
    ceiling: Mapping[str, float]  # below any of these → 中小微型
    medium: Mapping[str, float]  # all of these or more → 中型
    small: Mapping[str, float]  # all of these or more → 小型

    @property
    def figures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.ceiling, *self.medium, *self.small]))


def _rule(key: str, label: str, ceiling: dict[str, float], medium: dict[str, float],
          small: dict[str, float]) -> SizeRule:
    return SizeRule(key, label, ceiling, medium, small)


E, R, A = EMPLOYEES, REVENUE, ASSETS
RULES: Final[Mapping[str, SizeRule]] = {r.key: r for r in (
    _rule("agriculture", "农、林、牧、渔业", {R: 20000}, {R: 500}, {R: 50}),
    _rule("industry", "工业", {E: 1000, R: 40000}, {E: 300, R: 2000}, {E: 20, R: 300}),
    _rule("construction", "建筑业", {R: 80000, A: 80000}, {R: 6000, A: 5000}, {R: 300, A: 300}),
    _rule("wholesale", "批发业", {E: 200, R: 40000}, {E: 20, R: 5000}, {E: 5, R: 1000}),
    _rule("retail", "零售业", {E: 300, R: 20000}, {E: 50, R: 500}, {E: 10, R: 100}),
    _rule("transport", "交通运输业", {E: 1000, R: 30000}, {E: 300, R: 3000}, {E: 20, R: 200}),
    _rule("warehousing", "仓储业", {E: 200, R: 30000}, {E: 100, R: 1000}, {E: 20, R: 100}),
    _rule("postal", "邮政业", {E: 1000, R: 30000}, {E: 300, R: 2000}, {E: 20, R: 100}),
    _rule("accommodation", "住宿业", {E: 300, R: 10000}, {E: 100, R: 2000}, {E: 10, R: 100}),
    _rule("catering", "餐饮业", {E: 300, R: 10000}, {E: 100, R: 2000}, {E: 10, R: 100}),
    _rule("telecom", "信息传输业", {E: 2000, R: 100000}, {E: 100, R: 1000}, {E: 10, R: 100}),
    _rule("software", "软件和信息技术服务业", {E: 300, R: 10000}, {E: 100, R: 1000}, {E: 10, R: 50}),
    _rule("real_estate", "房地产开发经营", {R: 200000, A: 10000}, {R: 1000, A: 5000}, {R: 100, A: 2000}),
    _rule("property", "物业管理", {E: 1000, R: 5000}, {E: 300, R: 1000}, {E: 100, R: 500}),
    _rule("leasing", "租赁和商务服务业", {E: 300, A: 120000}, {E: 100, A: 8000}, {E: 10, A: 100}),
    _rule("other", "其他未列明行业", {E: 300}, {E: 100}, {E: 10}),
)}
del E, R, A

# GB/T 4754-2017 code prefixes → row; the longest matching prefix wins. Not listed: 其他未列明行业.
_PREFIXES: Final[Mapping[str, str | None]] = {
    "A": "agriculture",
    "B": "industry", "C": "industry", "D": "industry",
    "E": "construction",
    "F51": "wholesale", "F52": "retail",
    # 交通运输业（不含铁路运输业）; 铁路 (G53) is not a row of its own → 其他未列明行业 [M].
    "G54": "transport", "G55": "transport", "G56": "transport", "G57": "transport", "G58": "transport",
    "G59": "warehousing", "G60": "postal",
    "H61": "accommodation", "H62": "catering",
    "I63": "telecom", "I64": "telecom", "I65": "software",
    "J": None,  # 金融业: a separate standard
    "K701": "real_estate", "K702": "property",
    "L": "leasing",
}


class SizeError(ValueError):
    """Bad industry code or figure; ``str(error)`` is a Chinese message."""


def rule_for_industry(industry_code: str) -> SizeRule | None:
    """The row of the standard for a GB/T 4754-2017 code (门类 letter, optionally followed by
    大类/中类/小类 digits); ``None`` for industries outside the standard (金融业) and for a bare
    门类 whose 大类 fall under different rows (F 批发和零售业, G, H, I, K): only the 大类 decides."""
    code = (industry_code or "").strip().upper()
    if (not code or not code[0].isalpha() or not code[0].isascii() or (code[1:] and not code[1:].isdigit())
            or len(code) > 5):
        raise SizeError(f"行业代码“{industry_code}”格式不正确，应为门类字母，或门类字母加 2–4 位数字，如 C、C13、I65。")
    if len(code) == 1 and code not in _PREFIXES and any(p[0] == code for p in _PREFIXES):
        return None
    for length in range(len(code), 0, -1):
        if code[:length] in _PREFIXES:
            key = _PREFIXES[code[:length]]
            return RULES[key] if key is not None else None
    return RULES["other"]


def _classify(rule: SizeRule, values: Mapping[str, float]) -> SizeClass:
    if not any(values[f] < limit for f, limit in rule.ceiling.items()):
        return SizeClass.LARGE
    if all(values[f] >= limit for f, limit in rule.medium.items()):
        return SizeClass.MEDIUM
    if all(values[f] >= limit for f, limit in rule.small.items()):
        return SizeClass.SMALL
    return SizeClass.MICRO


def size_class(industry_code: str, *, employees: float | None = None, revenue: float | None = None,
               assets: float | None = None) -> SizeClass | None:
    """划型: the size class, or ``None`` when the industry is outside the standard or a missing
    figure could change the answer. The class only grows with each figure, so trying the missing
    ones at 0 and at infinity decides whether they matter."""
    rule = rule_for_industry(industry_code)
    if rule is None:
        return None
    given = {EMPLOYEES: employees, REVENUE: revenue, ASSETS: assets}
    for name in rule.figures:
        value = given[name]
        if value is not None and value < 0:
            raise SizeError(f"{FIGURE_LABELS[name]}不能为负数。")
    missing = [f for f in rule.figures if given[f] is None]
    answers = set()
    for extremes in itertools.product((0.0, float("inf")), repeat=len(missing)):
        values = {f: float(given[f]) for f in rule.figures if given[f] is not None}  # type: ignore[arg-type]
        values.update(zip(missing, extremes, strict=True))
        answers.add(_classify(rule, values))
    return answers.pop() if len(answers) == 1 else None


def is_sme(size: SizeClass | None) -> bool | None:
    """中小微型企业?"""
    return None if size is None else size is not SizeClass.LARGE
