"""Size class at every boundary of every industry row (《中小企业划型标准规定》工信部联企业〔2011〕300号
第四条; platforms.md §2 table): "以下" is strictly below, "及以上" is at or above."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.domain.enterprise_size import (
    ASSETS,
    EMPLOYEES,
    REVENUE,
    RULES,
    SizeClass,
    SizeError,
    is_sme,
    rule_for_industry,
    size_class,
)

# One representative code per row.
CODES = {
    "agriculture": "A01", "industry": "C13", "construction": "E47", "wholesale": "F51", "retail": "F52",
    "transport": "G54", "warehousing": "G59", "postal": "G60", "accommodation": "H61", "catering": "H62",
    "telecom": "I63", "software": "I65", "real_estate": "K701", "property": "K702", "leasing": "L72",
    "other": "M73",
}
BIG = 10**9


def classify(key: str, **values: float) -> SizeClass | None:
    return size_class(CODES[key], **values)


@pytest.mark.parametrize("key", sorted(RULES))
def test_every_row_at_every_boundary(key):
    rule = RULES[key]
    assert rule_for_industry(CODES[key]) is rule
    figures = rule.figures
    # Every figure huge → 大型; each ceiling figure just at its limit keeps it large, one below → SME.
    assert classify(key, **dict.fromkeys(figures, BIG)) is SizeClass.LARGE
    for name, limit in rule.ceiling.items():
        at = dict.fromkeys(figures, BIG) | {name: limit}
        below = dict.fromkeys(figures, BIG) | {name: limit - 1}
        assert classify(key, **at) is SizeClass.LARGE, (name, "以下 is strictly below")
        assert classify(key, **below) is not SizeClass.LARGE, (name, "either figure below the ceiling → 中小微")
    # Inside the SME range (one ceiling figure just below its limit), exactly at every 中型 threshold
    # → 中型; any 中型 figure just under → 小型 or 微型.
    first = next(iter(rule.ceiling))
    medium = {f: rule.medium.get(f, 0) for f in figures} | {first: max(rule.medium.get(first, 0),
                                                                       rule.ceiling[first] - 1)}
    assert classify(key, **medium) is SizeClass.MEDIUM
    small = {f: rule.small.get(f, 0) for f in figures}
    assert classify(key, **small) is SizeClass.SMALL, "at the 小型 thresholds (及以上)"
    for name, limit in rule.medium.items():
        under = dict(medium) | {name: limit - 0.01}
        assert classify(key, **under) in {SizeClass.SMALL, SizeClass.MICRO}, (name, "中型 needs both (且)")
    for name, limit in rule.small.items():
        under = dict(small) | {name: limit - 0.01}
        assert classify(key, **under) is SizeClass.MICRO, (name, "微型: either below the 小型 threshold")


def test_industry_rows_from_the_standard():
    # 工业: 从业人员300人及以上且营业收入2000万元及以上为中型.
    assert size_class("C13", employees=300, revenue=2000) is SizeClass.MEDIUM
    assert size_class("C13", employees=299, revenue=2000) is SizeClass.SMALL
    assert size_class("C13", employees=20, revenue=300) is SizeClass.SMALL
    assert size_class("C13", employees=19, revenue=100000) is SizeClass.MICRO  # 或: either below
    assert size_class("C13", employees=5000, revenue=39999) is SizeClass.MEDIUM  # SME by revenue
    assert size_class("C13", employees=1000, revenue=40000) is SizeClass.LARGE
    # 软件和信息技术服务业 (I65): 小型 from 10人 and 50万元.
    assert size_class("I6513", employees=10, revenue=50) is SizeClass.SMALL
    assert size_class("I6513", employees=10, revenue=49) is SizeClass.MICRO
    # 其他未列明行业: employees only.
    assert size_class("M73", employees=99) is SizeClass.SMALL
    assert size_class("M73", employees=300) is SizeClass.LARGE


def test_the_common_wrong_shortcut_is_not_used():
    """platforms.md §2 warns that "revenue < 2000万 and employees < 300" is not the SME test: a
    retailer with 400 staff and 15,000万 revenue is SME (营业收入20000万元以下)."""
    assert is_sme(size_class("F52", employees=400, revenue=15000)) is True
    assert is_sme(size_class("F51", employees=250, revenue=45000)) is False


def test_missing_figures_give_unknown_unless_they_cannot_matter():
    assert size_class("C13", employees=10) is SizeClass.MICRO  # under 20 → 微型 whatever the revenue
    assert size_class("C13", employees=500) is None
    assert size_class("M73") is None
    assert size_class("A01", revenue=10, employees=None) is SizeClass.MICRO


def test_finance_is_outside_the_standard_and_bad_codes_are_refused():
    assert size_class("J66", employees=10, revenue=10) is None
    assert is_sme(None) is None
    with pytest.raises(SizeError, match="行业代码"):
        size_class("工业")
    with pytest.raises(SizeError, match="负数"):
        size_class("C13", employees=-1, revenue=10)


def test_longest_prefix_wins_and_rail_is_not_transport():
    assert rule_for_industry("K7010").key == "real_estate"
    assert rule_for_industry("K703").key == "other"
    assert rule_for_industry("G53").key == "other"
    assert rule_for_industry("G5411").key == "transport"


def test_a_bare_section_letter_is_a_valid_code():
    """The profile form offers 门类 rows (C 制造业): a 门类 that maps to one row of the standard
    decides it; a mixed 门类 (F 批发和零售业 = 批发业 + 零售业; G, H, I, K) leaves the size unknown
    instead of guessing 其他未列明行业."""
    assert rule_for_industry("C").key == "industry"
    assert rule_for_industry("a").key == "agriculture"
    assert rule_for_industry("M").key == "other"
    for mixed in "FGHIK":
        assert rule_for_industry(mixed) is None
    assert size_class("C", employees=50, revenue=1000) == size_class("C13", employees=50, revenue=1000)
    assert size_class("F", employees=50, revenue=1000) is None
    for bad in ("", "1", "C1A", "Ｃ13", "C123456"):
        with pytest.raises(SizeError, match="行业代码"):
            rule_for_industry(bad)


@given(code=st.sampled_from(sorted(CODES.values())), e=st.integers(0, 5000), r=st.integers(0, 300000),
       a=st.integers(0, 300000), de=st.integers(0, 500), dr=st.integers(0, 50000), da=st.integers(0, 50000))
def test_size_never_shrinks_when_a_figure_grows(code, e, r, a, de, dr, da):
    order = [SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE]
    before = size_class(code, employees=e, revenue=r, assets=a)
    after = size_class(code, employees=e + de, revenue=r + dr, assets=a + da)
    assert before is not None and after is not None
    assert order.index(after) >= order.index(before)


def test_figure_names():
    assert {EMPLOYEES, REVENUE, ASSETS} == {"employees", "revenue", "assets"}
