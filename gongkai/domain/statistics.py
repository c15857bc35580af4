"""Statistics and performance assessment (统计分析、考核通报): the pure rules.

Pure Python, no Django. The database-facing side (``gongkai.statistics.selectors``) counts with
SQL and passes plain numbers here; this module turns them into medians and 90th percentiles of
working days, metric scores, weighted totals and a ranking (通报排名).

Conventions [I] (product decisions, shown next to every ranking):
- median: the middle value, or the mean of the two middle values;
- 90th percentile: nearest-rank method, the ⌈0.9·n⌉-th smallest value (always an observed value);
- a rate metric (按时答复率 …) scores rate × 100;
- a count metric where fewer is better (超期件数 …) scores 100 × (1 − n ÷ the largest n among the
  units ranked together): the unit with none scores 100, the one with the most scores 0; when no
  unit has any, every unit scores 100;
- a metric that does not apply to a unit (no replies in the period, no document needing an
  interpretation …) is left out of that unit's total, and the other weights are scaled up;
- the total is Σ weight × score ÷ Σ weight over the applicable metrics, rounded to 0.1; equal
  totals share a rank (1, 2, 2, 4); a unit without any applicable metric is listed unranked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class AssessmentError(ValueError):
    """Bad weights or figures; ``str(error)`` is a Chinese message."""


# --- Percentiles ----------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (``p`` in (0, 100]): the ⌈p/100·n⌉-th smallest value."""
    if not 0 < p <= 100:
        raise AssessmentError("百分位数应在0至100之间。")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


# --- Metrics ---------------------------------------------------------------------------------------------


class MetricKind(StrEnum):
    RATE = "rate"  # a share in [0, 1]; higher is better
    COUNT = "count"  # a count; fewer is better


@dataclass(frozen=True)
class MetricSpec:
    key: str
    label: str
    kind: MetricKind
    explanation: str
    departments_only: bool = False  # not assessed per handler (documents have no handler)

    @property
    def unit(self) -> str:
        return "%" if self.kind is MetricKind.RATE else "件"


METRICS: Final[tuple[MetricSpec, ...]] = (
    MetricSpec("on_time_rate", "按时答复率", MetricKind.RATE,
               "期间内答复送达的申请中，在答复期限（条例第三十三条，含依法延长和不计算的期间）内送达的比例"),
    MetricSpec("overdue", "超期件数", MetricKind.COUNT,
               "期间内超过答复期限才答复的申请，加上答复期限在期间内届满、至今仍未答复的申请"),
    MetricSpec("corrected", "复议诉讼纠正件数", MetricKind.COUNT,
               "期间内作出决定或裁判、结果为纠正的行政复议和行政诉讼案件（按被申请复议或起诉的答复计）"),
    MetricSpec("legal_rejections", "法制审核退回次数", MetricKind.COUNT,
               "期间内法制审核未通过、退回承办人修改的答复稿次数"),
    MetricSpec("interpretation_coverage", "政策解读覆盖率", MetricKind.RATE,
               "期间内发布的、标记为需要解读的文件中，已有已发布解读的比例", departments_only=True),
    MetricSpec("art26_timeliness", "按时公开率（条例第二十六条）", MetricKind.RATE,
               "期间内发布的主动公开文件中，自成文之日起20个工作日内发布的比例", departments_only=True),
)
METRIC_KEYS: Final = tuple(m.key for m in METRICS)
METRICS_BY_KEY: Final[Mapping[str, MetricSpec]] = {m.key: m for m in METRICS}

DEFAULT_WEIGHTS: Final[Mapping[str, int]] = {
    "on_time_rate": 30,
    "overdue": 20,
    "corrected": 15,
    "legal_rejections": 10,
    "interpretation_coverage": 10,
    "art26_timeliness": 15,
}
WEIGHT_TOTAL: Final = 100


def validate_weights(weights: Mapping[str, object]) -> dict[str, int]:
    """Whole numbers 0–100 for every metric, adding up to 100. Returns them as ints."""
    missing = [METRICS_BY_KEY[k].label for k in METRIC_KEYS if k not in weights]
    if missing:
        raise AssessmentError(f"请填写以下指标的权重：{'、'.join(missing)}。")
    unknown = sorted(set(weights) - set(METRIC_KEYS))
    if unknown:
        raise AssessmentError(f"未知的考核指标：{'、'.join(unknown)}。")
    clean: dict[str, int] = {}
    for key in METRIC_KEYS:
        value = weights[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise AssessmentError(f"“{METRICS_BY_KEY[key].label}”的权重应为整数。")
        if not 0 <= value <= WEIGHT_TOTAL:
            raise AssessmentError(f"“{METRICS_BY_KEY[key].label}”的权重应在0至{WEIGHT_TOTAL}之间。")
        clean[key] = value
    total = sum(clean.values())
    if total != WEIGHT_TOTAL:
        raise AssessmentError(f"各项权重之和应为{WEIGHT_TOTAL}，现为{total}。")
    return clean


# --- Scores and ranking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFigures:
    """One assessed unit (a department or a handler): ``values[key]`` is a share in [0, 1] for a
    rate metric, a count for a count metric, or None when the metric does not apply."""

    key: str
    label: str
    values: Mapping[str, float | None]


@dataclass(frozen=True)
class RankedUnit:
    unit: UnitFigures
    scores: Mapping[str, float | None]  # per metric, 0–100
    total: float | None
    rank: int | None

    @property
    def label(self) -> str:
        return self.unit.label


def metric_scores(units: Sequence[UnitFigures], key: str) -> dict[str, float | None]:
    """The 0–100 score of metric ``key`` for every unit (by ``unit.key``), per the module rules."""
    spec = METRICS_BY_KEY.get(key)
    if spec is None:
        raise AssessmentError(f"未知的考核指标：{key}。")
    scores: dict[str, float | None] = {}
    if spec.kind is MetricKind.RATE:
        for u in units:
            value = u.values.get(key)
            if value is not None and not 0 <= value <= 1:
                raise AssessmentError(f"“{spec.label}”应在0至1之间。")
            scores[u.key] = None if value is None else value * 100
        return scores
    present = [v for u in units if (v := u.values.get(key)) is not None]
    if any(v < 0 for v in present):
        raise AssessmentError(f"“{spec.label}”不能为负数。")
    largest = max(present, default=0)
    for u in units:
        value = u.values.get(key)
        if value is None:
            scores[u.key] = None
        else:
            scores[u.key] = 100.0 if largest == 0 else 100 * (1 - value / largest)
    return scores


def rank(units: Sequence[UnitFigures], weights: Mapping[str, int]) -> list[RankedUnit]:
    """Score and rank ``units`` with ``weights`` (validated). Best first; unranked units last."""
    clean = validate_weights(weights)
    per_metric = {key: metric_scores(units, key) for key in METRIC_KEYS}
    ranked: list[RankedUnit] = []
    for u in units:
        scores = {key: per_metric[key][u.key] for key in METRIC_KEYS}
        applicable = [key for key in METRIC_KEYS if scores[key] is not None and clean[key] > 0]
        weight_sum = sum(clean[key] for key in applicable)
        total: float | None = None
        if weight_sum:
            total = round(sum(clean[key] * (scores[key] or 0.0) for key in applicable) / weight_sum, 1)
        ranked.append(RankedUnit(u, scores, total, None))
    ranked.sort(key=lambda r: (r.total is None, -(r.total or 0.0), r.unit.label, r.unit.key))
    result: list[RankedUnit] = []
    previous: float | None = None
    current_rank = 0
    for position, r in enumerate(ranked, start=1):
        if r.total is None:
            result.append(r)
            continue
        if previous is None or r.total != previous:
            current_rank = position
            previous = r.total
        result.append(RankedUnit(r.unit, r.scores, r.total, current_rank))
    return result


def ratio(part: int, whole: int) -> float | None:
    """part ÷ whole, or None when there is nothing to measure."""
    if whole < 0 or part < 0 or part > whole:
        raise AssessmentError("比例的分子应在0与分母之间。")
    return part / whole if whole else None
