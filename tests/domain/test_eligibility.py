"""Eligibility conditions, three-valued (platforms.md §2 "Modelling conditions": matched /
unmatched / unknown when a profile field is missing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from gongkai.domain.eligibility import (
    Condition,
    EligibilityError,
    Op,
    Profile,
    Qualification,
    Result,
    State,
    evaluate,
    evaluate_condition,
    full_years_between,
    region_within,
)

ON = date(2026, 11, 27)


def profile(**over) -> Profile:
    base = Profile(region_code="430103", industry_code="C1311", size_class="small", is_individual=False,
                   employees=50, revenue=1200.0, assets=800.0, registered_on=date(2020, 3, 1),
                   tags=frozenset({"复工复产"}),
                   qualifications=(Qualification("高新技术企业", date(2024, 1, 1), date(2026, 12, 31)),))
    return replace(base, **over)


def test_each_operator():
    p = profile()
    cases = [
        (Condition("region_code", Op.WITHIN_REGION, "430000"), State.MET),
        (Condition("region_code", Op.WITHIN_REGION, "430100"), State.MET),
        (Condition("region_code", Op.WITHIN_REGION, "430200"), State.FAILED),
        (Condition("industry_code", Op.INDUSTRY_IN, ["C13", "C14"]), State.MET),
        (Condition("industry_code", Op.INDUSTRY_IN, "I65"), State.FAILED),
        (Condition("size_class", Op.IN, ["micro", "small"]), State.MET),
        (Condition("is_individual", Op.EQ, True), State.FAILED),
        (Condition("employees", Op.GTE, 50), State.MET),
        (Condition("employees", Op.LTE, 49), State.FAILED),
        (Condition("revenue", Op.LTE, 2000), State.MET),
        (Condition("registered_on", Op.YEARS_SINCE_GTE, 6), State.MET),
        (Condition("registered_on", Op.YEARS_SINCE_GTE, 7), State.FAILED),
        (Condition("registered_on", Op.YEARS_SINCE_LTE, 5), State.FAILED),
        (Condition("tags", Op.CONTAINS, "复工复产"), State.MET),
        (Condition("tags", Op.CONTAINS, "外资企业"), State.FAILED),
        (Condition("qualifications", Op.QUALIFICATION_VALID, "高新技术企业"), State.MET),
        (Condition("qualifications", Op.QUALIFICATION_VALID, "专精特新"), State.FAILED),
    ]
    for condition, expected in cases:
        assert evaluate_condition(condition, p, ON) is expected, condition.text


def test_qualification_must_be_valid_on_the_evaluation_day():
    p = profile()
    c = Condition("qualifications", Op.QUALIFICATION_VALID, "高新技术企业")
    assert evaluate_condition(c, p, date(2026, 12, 31)) is State.MET
    assert evaluate_condition(c, p, date(2027, 1, 1)) is State.FAILED
    assert evaluate_condition(c, p, date(2023, 12, 31)) is State.FAILED


def test_missing_field_is_unknown_and_gives_might():
    conditions = [Condition("region_code", Op.WITHIN_REGION, "430000"), Condition("revenue", Op.LTE, 2000)]
    assert evaluate(conditions, profile(), ON).result is Result.QUALIFIES
    result = evaluate(conditions, profile(revenue=None), ON)
    assert result.result is Result.MIGHT
    assert [c.field for c in result.unknown] == ["revenue"]
    # A failed hard condition wins over an unknown one.
    assert evaluate(conditions, profile(revenue=None, region_code="110101"), ON).result is Result.NOT


def test_soft_conditions_are_shown_but_do_not_decide():
    conditions = [Condition("region_code", Op.WITHIN_REGION, "430000"),
                  Condition("tags", Op.CONTAINS, "外资企业", hard=False, source_text="优先支持外资企业")]
    evaluation = evaluate(conditions, profile(), ON)
    assert evaluation.result is Result.QUALIFIES
    assert evaluation.states[1][1] is State.FAILED
    assert evaluation.states[1][0].text == "优先支持外资企业"


def test_years_since_registration_counts_whole_years():
    assert full_years_between(date(2020, 3, 1), date(2026, 2, 28)) == 5
    assert full_years_between(date(2020, 3, 1), date(2026, 3, 1)) == 6
    assert full_years_between(date(2020, 2, 29), date(2021, 2, 28)) == 0
    assert full_years_between(date(2020, 2, 29), date(2021, 3, 1)) == 1


def test_region_levels():
    assert region_within("430103", "430000")
    assert region_within("430103", "430100")
    assert not region_within("430203", "430100")
    assert region_within("110105", "110000")
    assert region_within("430103", "430103")
    assert not region_within("430104", "430103")


def test_malformed_conditions_are_refused_in_chinese():
    with pytest.raises(EligibilityError, match="未知的条件字段"):
        Condition("favourite_colour", Op.EQ, "红")
    with pytest.raises(EligibilityError, match="不能使用"):
        Condition("tags", Op.GTE, 3)
    with pytest.raises(EligibilityError, match="必须是数字"):
        Condition("employees", Op.GTE, "很多")
    with pytest.raises(EligibilityError, match="至少需要一个"):
        Condition("size_class", Op.IN, [])
