"""计算公式 of a policy item (政策事项): a small arithmetic expression over an enterprise's figures
that estimates the amount it may receive (预计可享受金额), in 元. Pure Python, no Django.

The formula is parsed with Python's ``ast`` and evaluated by walking a strict whitelist of node
types — never ``eval``. Allowed:

- numbers (``500``, ``0.05``), ``+ - * /``, parentheses (full-width ``（）``, ``×`` and ``÷`` are
  accepted too);
- comparisons ``< <= > >= == !=`` and ``and`` / ``or`` / ``not``, used in a conditional
  ``甲 if 条件 else 乙`` (``200000 if years >= 3 else 100000``);
- ``min(…)``, ``max(…)``, ``round(x)`` / ``round(x, n)`` (四舍五入, ``n`` from -6 to 6);
- the variables of ``VARIABLES`` (English or Chinese name, e.g. ``employees`` or ``从业人员``).

Arithmetic is ``Decimal``; the result is rounded to 分 (two places, 四舍五入) and never negative
(a negative result is 0). A variable whose value is unknown (``None``) makes the result unknown
(``None``) — unless a conditional did not need it. Everything else that goes wrong (syntax, an
unknown name, division by zero, a result out of range) is a ``FormulaError`` with a Chinese message.
"""

from __future__ import annotations

import ast
import unicodedata
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Final

from gongkai.domain.eligibility import Profile, full_years_between

MAX_LENGTH: Final = 200
# 元: a result above a trillion yuan is a mistake in the formula, not a benefit.
MAX_AMOUNT: Final = Decimal(10) ** 12
CENT: Final = Decimal("0.01")


class FormulaError(ValueError):
    """An invalid formula or a failed evaluation; ``str(error)`` is a Chinese message."""


@dataclass(frozen=True)
class Variable:
    name: str
    chinese: str
    label: str
    unit: str


# The enterprise profile's numeric fields a formula may use (企业档案中的数值项).
VARIABLES: Final[Mapping[str, Variable]] = {
    "employees": Variable("employees", "从业人员", "从业人员", "人"),
    "revenue": Variable("revenue", "营业收入", "上年度营业收入", "万元"),
    "assets": Variable("assets", "资产总额", "资产总额", "万元"),
    "years": Variable("years", "成立年限", "成立年限（满几年）", "年"),
}
ALIASES: Final[Mapping[str, str]] = {
    **{v.name: v.name for v in VARIABLES.values()},
    **{v.chinese: v.name for v in VARIABLES.values()},
}
FUNCTIONS: Final = frozenset({"min", "max", "round"})


def variables_help() -> str:
    """The variable names for a form's help text (Chinese)."""
    names = "；".join(f"{v.name}（{v.chinese}，{v.unit}）" for v in VARIABLES.values())
    return (f"可用变量：{names}。可用 + - * /、括号、min()、max()、round()、比较和"
            f"“甲 if 条件 else 乙”。结果单位为元，例如：min(employees * 500, 100000)。")


def _normalise(text: str) -> str:
    # NFKC turns full-width digits, brackets, commas and operators into ASCII.
    return unicodedata.normalize("NFKC", text).replace("×", "*").replace("÷", "/").strip()


_ARITH: Final = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_COMPARE: Final = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)


@dataclass(frozen=True)
class Formula:
    """A parsed, checked formula; ``names`` are the (English) variables it may read."""

    text: str
    tree: ast.expr
    names: frozenset[str]


def parse(text: str) -> Formula:
    """Parse and check ``text`` against the whitelist; ``FormulaError`` when it is not allowed."""
    if not isinstance(text, str):
        raise FormulaError("计算公式必须是文本。")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"计算公式不能超过{MAX_LENGTH}个字符。")
    source = _normalise(text)
    if not source:
        raise FormulaError("计算公式为空。")
    try:
        with warnings.catch_warnings():  # e.g. SyntaxWarning for ``1 is 1``: refused below anyway
            warnings.simplefilter("ignore")
            module = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise FormulaError("计算公式的写法有误，请检查括号、运算符和逗号。") from None
    names: set[str] = set()
    _check(module.body, names)
    return Formula(text, module.body, frozenset(names))


def _check(node: ast.AST, names: set[str]) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError("计算公式中只能使用数字，不能使用文字或其他取值。")
        return
    if isinstance(node, ast.Name):
        if node.id not in ALIASES:
            if node.id in FUNCTIONS:
                raise FormulaError(f"“{node.id}”是函数，应写成 {node.id}(…)。")
            raise FormulaError(f"未知的变量“{node.id}”。可用变量：{'、'.join(VARIABLES)}"
                               f"（或{'、'.join(v.chinese for v in VARIABLES.values())}）。")
        names.add(ALIASES[node.id])
        return
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, _ARITH):
            raise FormulaError("计算公式只能使用加（+）、减（-）、乘（*）、除（/）四种运算。")
        _check(node.left, names)
        _check(node.right, names)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.UAdd | ast.USub | ast.Not):
            raise FormulaError("计算公式中有不允许的运算符。")
        _check(node.operand, names)
        return
    if isinstance(node, ast.Compare):
        if not all(isinstance(op, _COMPARE) for op in node.ops):
            raise FormulaError("比较只能使用 <、<=、>、>=、==、!=。")
        for part in (node.left, *node.comparators):
            _check(part, names)
        return
    if isinstance(node, ast.BoolOp):
        for part in node.values:
            _check(part, names)
        return
    if isinstance(node, ast.IfExp):
        for part in (node.test, node.body, node.orelse):
            _check(part, names)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            func = node.func.id if isinstance(node.func, ast.Name) else "…"
            raise FormulaError(f"不支持函数“{func}”，只能使用 min、max、round。")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError(f"函数 {node.func.id} 的参数写法有误。")
        if node.func.id == "round":
            if len(node.args) not in (1, 2):
                raise FormulaError("round 需要一个或两个参数：round(金额) 或 round(金额, 位数)。")
            if len(node.args) == 2:
                _round_digits(node.args[1])
        elif not node.args:
            raise FormulaError(f"函数 {node.func.id} 至少需要一个参数。")
        for part in node.args:
            _check(part, names)
        return
    raise FormulaError("计算公式中有不允许的写法，只能使用数字、变量、四则运算、比较、min、max、round 和条件表达式。")


def _round_digits(node: ast.expr) -> int:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if (not isinstance(node, ast.Constant) or isinstance(node.value, bool) or not isinstance(node.value, int)
            or node.value > 6):
        raise FormulaError("round 的位数应为 -6 到 6 之间的整数。")
    return sign * node.value


class _Unknown(Exception):
    """A variable needed by the evaluation has no value."""


Value = Decimal | bool


def _number(value: Value, what: str) -> Decimal:
    if isinstance(value, bool):
        raise FormulaError(f"{what}需要数值，不能直接使用比较的结果（请用“甲 if 条件 else 乙”）。")
    return value


def _truth(value: Value) -> bool:
    if not isinstance(value, bool):
        raise FormulaError("条件应是一个比较（例如 years >= 3），不能是数值。")
    return value


def _eval(node: ast.expr, values: Mapping[str, Decimal | None]) -> Value:
    if isinstance(node, ast.Constant):
        raw = node.value
        number = Decimal(raw) if isinstance(raw, int) else Decimal(repr(raw))
        if not number.is_finite():
            raise FormulaError("计算公式中的数字过大。")
        return number
    if isinstance(node, ast.Name):
        value = values.get(ALIASES[node.id])
        if value is None:
            raise _Unknown(ALIASES[node.id])
        return value
    if isinstance(node, ast.BinOp):
        left = _number(_eval(node.left, values), "四则运算")
        right = _number(_eval(node.right, values), "四则运算")
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise FormulaError("计算公式中出现了除以零。")
        return left / right
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        if isinstance(node.op, ast.Not):
            return not _truth(operand)
        number = _number(operand, "正负号")
        return -number if isinstance(node.op, ast.USub) else number
    if isinstance(node, ast.Compare):
        left = _number(_eval(node.left, values), "比较")
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _number(_eval(comparator, values), "比较")
            ok = {ast.Lt: left < right, ast.LtE: left <= right, ast.Gt: left > right, ast.GtE: left >= right,
                  ast.Eq: left == right, ast.NotEq: left != right}[type(op)]
            if not ok:
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        want = isinstance(node.op, ast.Or)  # ``or`` stops at the first True, ``and`` at the first False
        for part in node.values:
            if _truth(_eval(part, values)) is want:
                return want
        return not want
    if isinstance(node, ast.IfExp):
        chosen = node.body if _truth(_eval(node.test, values)) else node.orelse
        return _eval(chosen, values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "round":
            number = _number(_eval(node.args[0], values), "round")
            digits = _round_digits(node.args[1]) if len(node.args) == 2 else 0
            return number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        args = [_number(_eval(a, values), node.func.id) for a in node.args]
        return min(args) if node.func.id == "min" else max(args)
    raise FormulaError("计算公式中有不允许的写法。")  # unreachable after ``parse``


def evaluate(formula: str | Formula, values: Mapping[str, Decimal | int | float | None]) -> Decimal | None:
    """The amount in 元 (two places, never negative), or ``None`` when a needed value is unknown.
    ``values`` maps English variable names (``VARIABLES``) to numbers or ``None``."""
    parsed = formula if isinstance(formula, Formula) else parse(formula)
    inputs: dict[str, Decimal | None] = {}
    for name in VARIABLES:
        raw = values.get(name)
        if raw is None:
            inputs[name] = None
            continue
        number = raw if isinstance(raw, Decimal) else Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        inputs[name] = number if number.is_finite() else None
    try:
        with localcontext(Context(prec=34, traps=[InvalidOperation, DivisionByZero, Overflow])):
            result = _number(_eval(parsed.tree, inputs), "计算结果")
            if not result.is_finite() or abs(result) > MAX_AMOUNT:
                raise FormulaError("计算结果超出合理范围，请检查计算公式。")
            result = max(result, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
    except _Unknown:
        return None
    except (DecimalException, ArithmeticError, RecursionError, MemoryError):
        raise FormulaError("计算公式无法计算出结果，请检查计算公式。") from None
    return result


TRIAL_VALUES: Final = (1, 7, 1000)


def validate(text: str) -> Formula:
    """Check a formula when it is saved: the whitelist, then trial runs with every variable set to
    each of ``TRIAL_VALUES``. A formula that fails on every trial (``100 / 0``, a comparison as the
    result, a result out of range) is refused with the first trial's ``FormulaError``."""
    parsed = parse(text)
    first: FormulaError | None = None
    for trial in TRIAL_VALUES:
        try:
            evaluate(parsed, dict.fromkeys(VARIABLES, trial))
        except FormulaError as exc:
            first = first or exc
        else:
            return parsed
    assert first is not None
    raise first


def profile_values(profile: Profile, on: date) -> dict[str, Decimal | None]:
    """The formula variables of an enterprise profile on ``on`` (成立年限 = whole years)."""

    def number(value: float | None) -> Decimal | None:
        return None if value is None else Decimal(repr(float(value)))

    return {
        "employees": number(profile.employees),
        "revenue": number(profile.revenue),
        "assets": number(profile.assets),
        "years": (Decimal(max(0, full_years_between(profile.registered_on, on)))
                  if profile.registered_on is not None else None),
    }


def estimate(text: str, profile: Profile, on: date) -> Decimal | None:
    """预计可享受金额 of a profile, or ``None`` when the formula is empty, invalid for these
    figures (e.g. division by zero) or needs a figure that is unknown. Never raises."""
    if not text.strip():
        return None
    try:
        return evaluate(text, profile_values(profile, on))
    except FormulaError:
        return None
