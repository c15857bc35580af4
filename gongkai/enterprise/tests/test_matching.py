"""The set-based matching engine (issue 6 §3) against the brute-force oracle
``gongkai.domain.eligibility.evaluate``: random enterprises (unknown fields, tags, qualifications
with validity dates, region codes at every level, registration dates on anniversary boundaries)
and random items (hard and soft conditions) give the same 符合 / 可能符合 sets and the same
counts by region and size through both engines (bitset and SQL), and through the snapshots."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.domain.eligibility import Condition, Op, Result, evaluate, full_years_between, region_within
from gongkai.enterprise import matching
from gongkai.enterprise.models import Enterprise, EnterpriseQualification, EnterpriseTag, Industry

REGIONS = ["430102", "430103", "430111", "430211", "440106", "110101", "110000", ""]
AREAS = ["43", "4301", "430100", "430000", "430102", "440000", "110000", "11", "4302", "430211"]
INDUSTRIES = [None, "A01", "C13", "C39", "F52", "I65", "I64"]
PREFIXES = ["A", "C", "C1", "C13", "c3", "I6", "I65", "F", "F52"]
SIZES = ["", "large", "medium", "small", "micro"]
TAGS = ["出口企业", "外资企业", "复工复产重点企业"]
QUALS = ["高新技术企业", "科技型中小企业", "专精特新"]
ON_DATES = [date(2024, 2, 29), date(2025, 2, 28), date(2026, 3, 1), date(2026, 6, 15), date(2028, 2, 29)]
# Registration dates on and around the anniversaries of the evaluation dates (成立满 N 年 boundaries).
EDGE_DATES = sorted({date(y, m, d) + timedelta(days=k) for y in range(2014, 2029) for m, d in ((2, 28), (6, 15))
                     for k in (-1, 0, 1)} | {date(y, 2, 29) for y in (2016, 2020, 2024, 2028)})
NUMBERS = [0, 1, 10, 20, 99.99, 100, 100.01, 300, 300.5, 1000, 2000]


def _figure(places: int) -> st.SearchStrategy:
    exact = st.sampled_from(NUMBERS).map(lambda v: Decimal(str(v)).quantize(Decimal(10) ** -places))
    return st.none() | exact | st.integers(0, 3000).map(Decimal)


enterprises_st = st.lists(st.fixed_dictionaries({
    "region_code": st.sampled_from(REGIONS),
    "industry_id": st.sampled_from(INDUSTRIES),
    "size_class": st.sampled_from(SIZES),
    "is_individual": st.booleans(),
    "employees": st.none() | st.sampled_from([0, 1, 10, 20, 100, 300, 1000]) | st.integers(0, 3000),
    "revenue": _figure(2),
    "assets": _figure(2),
    "registered_on": st.none() | st.sampled_from(EDGE_DATES) | st.dates(date(2010, 1, 1), date(2029, 1, 1)),
    "tags": st.sets(st.sampled_from(TAGS)),
    "quals": st.lists(st.tuples(st.sampled_from(QUALS), st.none() | st.sampled_from(ON_DATES + EDGE_DATES),
                                st.none() | st.sampled_from(ON_DATES + EDGE_DATES)), max_size=3),
}), max_size=14)

number_st = st.sampled_from(NUMBERS) | st.integers(-5, 3000)
years_st = st.integers(-2, 16) | st.sampled_from([0.5, 2.5, 3.0, 9.99])


def _strings(values: list[str]) -> st.SearchStrategy:
    return st.lists(st.sampled_from(values), min_size=1, max_size=3)


condition_st = st.one_of(
    st.builds(lambda v: ("region_code", Op.WITHIN_REGION, v), _strings(AREAS)),
    st.builds(lambda v: ("region_code", Op.EQ, v), st.sampled_from(REGIONS)),
    st.builds(lambda v: ("region_code", Op.IN, v), _strings(REGIONS)),
    st.builds(lambda v: ("industry_code", Op.INDUSTRY_IN, v), _strings(PREFIXES)),
    st.builds(lambda v: ("industry_code", Op.EQ, v), st.sampled_from(INDUSTRIES[1:])),
    st.builds(lambda v: ("industry_code", Op.IN, v), _strings(INDUSTRIES[1:])),
    st.builds(lambda v: ("size_class", Op.IN, v), _strings(SIZES[1:])),
    st.builds(lambda v: ("size_class", Op.EQ, v), st.sampled_from(SIZES[1:])),
    st.builds(lambda v: ("is_individual", Op.EQ, v), st.booleans()),
    st.builds(lambda f, o, v: (f, o, v), st.sampled_from(["employees", "revenue", "assets"]),
              st.sampled_from([Op.GTE, Op.LTE, Op.EQ]), number_st),
    st.builds(lambda o, v: ("registered_on", o, v), st.sampled_from([Op.YEARS_SINCE_GTE, Op.YEARS_SINCE_LTE]),
              years_st),
    st.builds(lambda v: ("tags", Op.CONTAINS, v), st.sampled_from(TAGS)),
    st.builds(lambda v: ("qualifications", Op.QUALIFICATION_VALID, v), st.sampled_from(QUALS)),
)
item_st = st.lists(st.builds(lambda c, hard: Condition(c[0], c[1], c[2], hard), condition_st, st.booleans()),
                   max_size=4)


def _industries() -> None:
    for code in INDUSTRIES[1:]:
        parent, _ = Industry.objects.get_or_create(code=code[0], defaults={"name": code[0], "level": 1})
        Industry.objects.get_or_create(code=code, defaults={"name": code, "level": 2, "parent": parent})


def _create(rows: list[dict]) -> list[Enterprise]:
    _industries()
    tags = {name: EnterpriseTag.objects.get_or_create(name=name)[0] for name in TAGS}
    made = []
    for n, row in enumerate(rows):
        fields = {k: v for k, v in row.items() if k not in ("tags", "quals")}
        made.append(Enterprise(credit_code=f"TESTMATCH{n:09d}", name=f"企业{n}", **fields))
    made = Enterprise.objects.bulk_create(made)
    through = Enterprise.tags.through
    through.objects.bulk_create([through(enterprise_id=e.pk, enterprisetag_id=tags[t].pk)
                                 for e, row in zip(made, rows, strict=True) for t in row["tags"]])
    EnterpriseQualification.objects.bulk_create([
        EnterpriseQualification(enterprise=e, kind=k, valid_from=f, valid_to=t)
        for e, row in zip(made, rows, strict=True) for k, f, t in row["quals"]])
    return list(Enterprise.objects.filter(pk__in=[e.pk for e in made]).order_by("pk"))


def _expected(enterprises: list[Enterprise], conditions: list[Condition], on: date):
    qualify, might = set(), set()
    regions: Counter = Counter()
    sizes: Counter = Counter()
    for e in enterprises:
        result = evaluate(conditions, matching.profile_of(e), on).result
        if result is Result.NOT:
            continue
        good = result is Result.QUALIFIES
        (qualify if good else might).add(e.pk)
        regions[(e.region_code or "", good)] += 1
        sizes[(e.size_class or "", good)] += 1
    return qualify, might, matching._pairs(regions), matching._pairs(sizes)


@pytest.mark.django_db
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(rows=enterprises_st, items=st.lists(item_st, min_size=1, max_size=4), on=st.sampled_from(ON_DATES))
def test_engines_agree_with_the_oracle(monkeypatch, rows, items, on):
    """Both engines give, for every item, exactly the oracle's 符合 and 可能符合 sets and counts
    (the bitset engine's counts both by decoding and by AND + popcount per group)."""
    with transaction.atomic():
        enterprises = _create(rows)
        index = matching.EnterpriseIndex.load(on)
        assert index.count == len(enterprises)
        for conditions in items:
            qualify, might, by_region, by_size = _expected(enterprises, conditions, on)
            for result in (index.match(conditions), matching.match_sql(conditions, on)):
                assert set(matching.pks_of(result.qualify)) == qualify, conditions
                assert set(matching.pks_of(result.might)) == might, conditions
                assert result.qualify_count == len(qualify) and result.might_count == len(might)
                assert result.by_region == by_region, conditions
                assert result.by_size == by_size, conditions
                assert result.enterprise_count == len(enterprises)
            result = index.match(conditions)
            with monkeypatch.context() as patch:
                patch.setattr(matching, "DECODE_LIMIT", -1)
                assert index.counts(result.qualify, result.might) == (by_region, by_size)
        transaction.set_rollback(True)


@given(code=st.sampled_from(REGIONS[:-1]) | st.text("0123456789", min_size=6, max_size=6),
       area=st.sampled_from(AREAS) | st.text("0123456789", min_size=1, max_size=6))
def test_region_area_is_the_oracles_prefix(code, area):
    """GB/T 2260: xx0000 is a province, xxxx00 a city (platforms.md §2 "Region")."""
    assert code.startswith(matching.region_area(area)) == region_within(code, area)


@given(on=st.dates(date(1900, 1, 1), date(2100, 12, 31)), start=st.dates(date(1890, 1, 1), date(2110, 12, 31)),
       years=st.integers(-20, 120))
def test_latest_start_is_the_years_since_boundary(on, start, years):
    """成立满 N 年: the anniversary has been reached (a 29 February start on 1 March in common years)."""
    cutoff = matching.latest_start(on, years)
    assert cutoff is not None
    assert (start <= cutoff) == (full_years_between(start, on) >= years)


def test_latest_start_outside_the_calendar():
    assert matching.latest_start(date(2026, 1, 1), 3000) is None
    assert matching.latest_start(date(2026, 1, 1), -9000) == date.max


@given(pks=st.lists(st.integers(0, 5000), max_size=200))
def test_bitsets_round_trip(pks):
    bits = matching.bits_from(pks)
    assert matching.pks_of(bits) == sorted(set(pks))
    assert matching.unpack_bits(matching.pack_bits(bits)) == bits
    assert bits.bit_count() == len(set(pks))


@pytest.mark.django_db
def test_numeric_index_crosses_chunk_boundaries():
    """More rows than one cumulative chunk (CHUNK): thresholds inside and between chunks."""
    n = matching.CHUNK * 2 + 37
    Enterprise.objects.bulk_create([Enterprise(credit_code=f"TESTCHUNK{i:09d}", name=f"企业{i}", employees=i % 700,
                                               region_code="430102") for i in range(n)])
    index = matching.EnterpriseIndex.load(date(2026, 6, 1))
    employees = dict(Enterprise.objects.values_list("pk", "employees"))
    for threshold in (0, 1, 350, 699, 700, 123.5):
        for op, test in ((Op.GTE, lambda v, t=threshold: v >= t), (Op.LTE, lambda v, t=threshold: v <= t),
                         (Op.EQ, lambda v, t=threshold: v == t)):
            expected = {pk for pk, v in employees.items() if test(v)}
            for result in (index.match([Condition("employees", op, threshold)]),
                           matching.match_sql([Condition("employees", op, threshold)], date(2026, 6, 1))):
                assert set(matching.pks_of(result.qualify)) == expected
                assert result.might == 0


@pytest.mark.django_db
def test_both_engines_take_a_subset_of_enterprises():
    """Other apps match one item within an area (免申即享 candidates of a department's region)."""
    Enterprise.objects.bulk_create([
        Enterprise(credit_code=f"TESTSUBSET{i:08d}", name=f"企业{i}", region_code=code, employees=e)
        for i, (code, e) in enumerate([("430102", 5), ("430102", None), ("430202", 5), ("440106", 5)])])
    conditions = [Condition("employees", Op.LTE, 10)]
    area = Enterprise.objects.filter(region_code__startswith="4301")
    on = date(2026, 6, 1)
    for result in (matching.match_sql(conditions, on, queryset=area),
                   matching.EnterpriseIndex.load(on, queryset=area).match(conditions)):
        assert (result.qualify_count, result.might_count, result.enterprise_count) == (1, 1, 2)
        assert result.by_region == {"430102": [1, 1]}
    empty = matching.match_sql(conditions, on, queryset=Enterprise.objects.none())
    assert (empty.qualify, empty.might, empty.enterprise_count) == (0, 0, 0)
