"""计算公式 of a policy item: parsed against a whitelist, evaluated in Decimal, rounded to 分, never
negative; unknown figures give an unknown amount, everything else that goes wrong a FormulaError."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.domain.amount_formula import (
    VARIABLES,
    FormulaError,
    estimate,
    evaluate,
    parse,
    profile_values,
    validate,
    variables_help,
)
from gongkai.domain.eligibility import Profile


@pytest.mark.parametrize(("formula", "values", "expected"), [
    ("min(employees * 500, 100000)", {"employees": 30}, "15000.00"),
    ("min(employees * 500, 100000)", {"employees": 300}, "100000.00"),
    ("min(从业人员 × 500, 100000)", {"employees": 12}, "6000.00"),
    ("（revenue ＋ 1）÷ 2", {"revenue": 3}, "2.00"),
    ("max(assets * 10000 * 0.01, 5000)", {"assets": Decimal("12.5")}, "5000.00"),
    ("200000 if years >= 3 else 100000", {"years": 3}, "200000.00"),
    ("200000 if years >= 3 else 100000", {"years": 2}, "100000.00"),
    ("100 if employees >= 10 and employees <= 300 else 0", {"employees": 301}, "0.00"),
    ("100 if not 10 <= employees < 20 else 1", {"employees": 15}, "1.00"),
    ("round(2.5)", {}, "3.00"),  # 四舍五入, not banker's rounding
    ("round(12345, -3)", {}, "12000.00"),
    ("1 / 3", {}, "0.33"),
    ("0.1 + 0.2", {}, "0.30"),
    ("employees - 1000", {"employees": 5}, "0.00"),  # never negative
    ("-5", {}, "0.00"),
])
def test_evaluates_to_yuan_with_two_places(formula, values, expected):
    assert evaluate(formula, values) == Decimal(expected)


def test_unknown_value_gives_unknown_amount():
    assert evaluate("min(employees * 500, 100000)", {"employees": None}) is None
    assert evaluate("revenue * 100", {}) is None


def test_conditional_does_not_need_the_branch_it_skips():
    assert evaluate("5000 if years >= 1 else revenue * 10", {"years": 2}) == Decimal("5000.00")
    assert evaluate("5000 if years >= 1 else revenue * 10", {"years": 0}) is None


@pytest.mark.parametrize(("formula", "message"), [
    ("employees +", "写法有误"),
    ("(1", "写法有误"),
    ("profit * 2", "未知的变量“profit”"),
    ("employees ** 2", "四种运算"),
    ("employees % 2", "四种运算"),
    ("__import__('os').system('x')", "不支持函数"),
    ("abs(employees)", "不支持函数“abs”"),
    ("employees.real", "不允许的写法"),
    ("[1, 2][0]", "不允许的写法"),
    ("'500'", "只能使用数字"),
    ("True", "只能使用数字"),
    ("min", "是函数"),
    ("min()", "至少需要一个参数"),
    ("round(1, 2, 3)", "round 需要一个或两个参数"),
    ("round(1, employees)", "位数"),
    ("round(1, 99)", "位数"),
    ("min(*[1])", "参数写法有误"),
    ("(x := 1)", "不允许的写法"),
    ("lambda: 1", "不允许的写法"),
    ("", "为空"),
    ("1" * 201, "不能超过200个字符"),
])
def test_refused_with_a_chinese_message(formula, message):
    with pytest.raises(FormulaError, match=message):
        parse(formula)


@pytest.mark.parametrize(("formula", "message"), [
    ("100 / 0", "除以零"),
    ("employees / (years - years)", "除以零"),
    ("employees > 3", "不能直接使用比较的结果"),
    ("1 if employees else 2", "条件应是一个比较"),
    ("99999999999999 * 99999999999999", "超出合理范围"),
    ("1e400", "数字过大"),
])
def test_validate_refuses_what_cannot_be_computed(formula, message):
    with pytest.raises(FormulaError, match=message):
        validate(formula)


def test_validate_accepts_a_formula_that_fails_only_for_some_figures():
    validate("100000 / employees")
    with pytest.raises(FormulaError, match="除以零"):
        evaluate("100000 / employees", {"employees": 0})


def test_profile_values_and_estimate():
    profile = Profile(employees=30, revenue=1200.5, assets=None, registered_on=date(2020, 6, 1))
    values = profile_values(profile, date(2026, 5, 31))
    assert values == {"employees": Decimal(30), "revenue": Decimal("1200.5"), "assets": None, "years": Decimal(5)}
    assert estimate("min(employees * 500, 100000)", profile, date(2026, 5, 31)) == Decimal("15000.00")
    assert estimate("assets * 10", profile, date(2026, 5, 31)) is None
    assert estimate("", profile, date(2026, 5, 31)) is None
    assert estimate("100 / (employees - 30)", profile, date(2026, 5, 31)) is None  # never raises


def test_help_names_every_variable():
    text = variables_help()
    for variable in VARIABLES.values():
        assert variable.name in text and variable.chinese in text


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_random_text_never_raises_anything_but_formula_error(text):
    try:
        evaluate(text, dict.fromkeys(VARIABLES, 7))
    except FormulaError as exc:
        assert str(exc)


ATOMS = st.one_of(st.sampled_from(sorted(VARIABLES)), st.integers(0, 10**6).map(str),
                  st.decimals(0, 1000, places=2).map(str))


@st.composite
def expressions(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(ATOMS)
    left, right = draw(expressions(depth=depth - 1)), draw(expressions(depth=depth - 1))
    shape = draw(st.sampled_from(["+", "-", "*", "/", "min", "max", "if", "round"]))
    if shape in ("min", "max"):
        return f"{shape}({left}, {right})"
    if shape == "if":
        return f"({left} if {left} >= {right} else {right})"
    if shape == "round":
        return f"round({left})"
    return f"({left} {shape} {right})"


@settings(max_examples=300)
@given(expressions(), st.fixed_dictionaries({name: st.one_of(st.none(), st.decimals(-1000, 10**6, places=2))
                                             for name in VARIABLES}))
def test_well_formed_formulas_are_never_negative_and_have_two_places(formula, values):
    try:
        result = evaluate(formula, values)
    except FormulaError:
        return  # division by zero or out of range for these figures
    if result is not None:
        assert result >= 0
        assert result == result.quantize(Decimal("0.01"))
