"""考核和通报: the ranked tables per department and per handler for a period, with the weights
that produced them. The counting is in ``selectors``; scoring and ranking in
``gongkai.domain.statistics``; this module puts them together for the page and the exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from gongkai.domain.calendar import WorkingCalendar
from gongkai.domain.statistics import METRICS, METRICS_BY_KEY, MetricKind, MetricSpec, RankedUnit, rank
from gongkai.statistics import selectors
from gongkai.statistics.access import Scope
from gongkai.statistics.selectors import EffectiveWeights, Period, Tally


@dataclass(frozen=True)
class RankedRow:
    """One line of the 通报 table: rank, name, total score and one text per metric."""

    rank: int | None
    label: str
    total: float | None
    figures: tuple[str, ...]
    scores: tuple[float | None, ...]

    @property
    def rank_text(self) -> str:
        return str(self.rank) if self.rank is not None else "不参与排名"

    @property
    def total_text(self) -> str:
        return f"{self.total:.1f}" if self.total is not None else "—"


@dataclass(frozen=True)
class AssessmentReport:
    scope: Scope
    period: Period
    weights: EffectiveWeights
    departments: list[RankedRow]
    handlers: list[RankedRow]

    @property
    def metrics(self) -> tuple[MetricSpec, ...]:
        return METRICS

    @property
    def weight_rows(self) -> list[tuple[MetricSpec, int]]:
        return [(m, self.weights.weights[m.key]) for m in METRICS]

    @property
    def weights_source(self) -> str:
        source = self.weights.source
        if source is None:
            return "系统默认权重（尚未设置本机关的考核权重）"
        who = f"，{source.updated_by}" if source.updated_by else ""
        day = timezone.localtime(source.updated_at).date()
        when = f"{day.year}年{day.month}月{day.day}日"
        return f"{source.organisation.name}设置（{when}{who}）"


def _figure(spec: MetricSpec, tally: Tally, value: float | None) -> str:
    if value is None:
        return "—"
    if spec.kind is MetricKind.COUNT:
        return f"{int(value)}"
    part, whole = {
        "on_time_rate": (tally.on_time, tally.replied),
        "interpretation_coverage": (tally.interp_covered, tally.interp_total),
        "art26_timeliness": (tally.art26_on_time, tally.art26_total),
    }[spec.key]
    return f"{value * 100:.1f}%（{part}/{whole}）"


def _rows(ranked: list[RankedUnit], tallies: dict[int, Tally]) -> list[RankedRow]:
    rows: list[RankedRow] = []
    for r in ranked:
        tally = tallies[int(r.unit.key)]
        figures = tuple(_figure(m, tally, r.unit.values.get(m.key)) for m in METRICS)
        scores = tuple(r.scores[m.key] for m in METRICS)
        rows.append(RankedRow(r.rank, r.label, r.total, figures, scores))
    return rows


def build_report(scope: Scope, period: Period, calendar: WorkingCalendar) -> AssessmentReport:
    weights = selectors.weights_for(scope.top)
    departments = selectors.department_assessment(scope, period, calendar)
    handlers = selectors.handler_assessment(scope, period)
    return AssessmentReport(
        scope=scope, period=period, weights=weights,
        departments=_rows(rank(departments.units(department=True), weights.weights), departments.tallies),
        handlers=_rows(rank(handlers.units(department=False), weights.weights), handlers.tallies),
    )


SCORING_RULES = (
    "比例类指标（按时答复率、政策解读覆盖率、按时公开率）得分 = 比例 × 100。",
    "件数类指标（超期件数、复议诉讼纠正件数、法制审核退回次数）得分 = 100 ×（1 − 本单位件数 ÷ 同一排名中最多的件数）；"
    "都为0时均得100分。",
    "不适用的指标（如期间内没有答复、没有需要解读的文件；承办人不考核文件类指标）不计入，其余指标的权重按比例放大。",
    "综合得分 = Σ 权重 × 得分 ÷ Σ 适用指标的权重，保留一位小数；得分相同的名次相同。",
)


def metric_label(key: str) -> str:
    return METRICS_BY_KEY[key].label
