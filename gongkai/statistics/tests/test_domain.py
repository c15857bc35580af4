"""The pure rules of ``gongkai.domain.statistics``: percentiles, weights, scores and ranking."""

from __future__ import annotations

import pytest

from gongkai.domain.statistics import (
    DEFAULT_WEIGHTS,
    AssessmentError,
    UnitFigures,
    median,
    metric_scores,
    percentile,
    rank,
    ratio,
    validate_weights,
)


def test_median_and_nearest_rank_percentile():
    assert median([]) is None and percentile([], 90) is None
    assert median([5]) == 5.0 and median([1, 3]) == 2.0 and median([3, 1, 2]) == 2.0
    values = list(range(1, 11))  # 1..10
    assert percentile(values, 90) == 9.0  # ⌈0.9 × 10⌉ = 9th smallest
    assert percentile(values, 100) == 10.0 and percentile([7], 90) == 7.0
    assert percentile([2, 22], 90) == 22.0
    with pytest.raises(AssessmentError):
        percentile(values, 0)


def test_default_weights_are_valid_and_add_up_to_100():
    assert validate_weights(DEFAULT_WEIGHTS) == dict(DEFAULT_WEIGHTS)
    assert sum(DEFAULT_WEIGHTS.values()) == 100


@pytest.mark.parametrize("change, message", [
    ({"overdue": 21}, "之和应为100，现为101"),
    ({"overdue": -1, "on_time_rate": 31}, "应在0至100之间"),
    ({"overdue": 20.5}, "应为整数"),
    ({"bogus": 1}, "未知的考核指标"),
])
def test_bad_weights_are_refused_in_chinese(change, message):
    weights = {**DEFAULT_WEIGHTS, **change}
    with pytest.raises(AssessmentError, match=message):
        validate_weights(weights)


def test_missing_weight_is_named():
    weights = dict(DEFAULT_WEIGHTS)
    del weights["corrected"]
    with pytest.raises(AssessmentError, match="复议诉讼纠正件数"):
        validate_weights(weights)


def _unit(key, **values):
    base = dict.fromkeys(DEFAULT_WEIGHTS)
    base.update(values)
    return UnitFigures(key, key, base)


def test_count_metric_is_scored_against_the_largest():
    units = [_unit("a", overdue=0), _unit("b", overdue=2), _unit("c", overdue=4), _unit("d")]
    assert metric_scores(units, "overdue") == {"a": 100.0, "b": 50.0, "c": 0.0, "d": None}
    assert metric_scores([_unit("a", overdue=0), _unit("b", overdue=0)], "overdue") == {"a": 100.0, "b": 100.0}


def test_ranking_renormalises_over_applicable_metrics_and_shares_ranks():
    units = [
        _unit("a", on_time_rate=1.0, overdue=0),
        _unit("b", on_time_rate=0.5, overdue=0),
        _unit("c", on_time_rate=1.0, overdue=0),
        _unit("d"),  # nothing applies: listed, not ranked
    ]
    ranked = rank(units, DEFAULT_WEIGHTS)
    assert [(r.unit.key, r.total, r.rank) for r in ranked] == [
        ("a", 100.0, 1), ("c", 100.0, 1), ("b", 70.0, 3), ("d", None, None)]
    # b: (30 × 50 + 20 × 100) ÷ (30 + 20) = 70.0 — only its two metrics count.
    assert rank([_unit("b", on_time_rate=0.5, overdue=0)], DEFAULT_WEIGHTS)[0].total == 70.0


def test_weights_change_the_ranking():
    units = [_unit("fast", on_time_rate=1.0, corrected=3), _unit("careful", on_time_rate=0.6, corrected=0)]
    rest = {"legal_rejections": 5, "interpretation_coverage": 5, "art26_timeliness": 5}
    by_speed = {"on_time_rate": 80, "overdue": 5, "corrected": 0, **rest}
    by_care = {"on_time_rate": 5, "overdue": 0, "corrected": 80, **rest}
    assert [r.unit.key for r in rank(units, by_speed)] == ["fast", "careful"]
    assert [r.unit.key for r in rank(units, by_care)] == ["careful", "fast"]


def test_ratio():
    assert ratio(0, 0) is None and ratio(1, 4) == 0.25
    with pytest.raises(AssessmentError):
        ratio(5, 4)
