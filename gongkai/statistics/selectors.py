"""Queries of the statistics dashboards and the assessment (统计分析、考核通报).

Every figure is counted in SQL (GROUP BY with conditional COUNT/SUM) over the viewer's scope
(``access.Scope``) and period, on indexed columns (request: organisation/handling department +
received_on/closed_on/status; document: organisation + published_at/written_on; counters: day).
No function here loops in Python over all requests. Two exceptions, both bounded to the scope and
the period: working-day durations (确认收到/答复用时, and 条例第二十六条 publication timeliness)
need the working-day calendar (``gongkai.workcalendar``), which is not in the database, so they
are computed in Python over the per-item date pairs of the scope and period only.

"Department" (承办部门) of a request is its handling department, or the receiving organisation
while it is not assigned; a document's department is the organisation that publishes it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from gongkai.accounts.models import Organisation, User
from gongkai.disclosure.after_models import Litigation, Reconsideration, RemedyResult
from gongkai.disclosure.models import DisclosureRequest, Reply
from gongkai.domain.calendar import CalendarError, WorkingCalendar
from gongkai.domain.disclosure_outcomes import GROUP_LABELS, OUTCOMES, Outcome, OutcomeGroup
from gongkai.domain.disclosure_workflow import OPEN_STATES
from gongkai.domain.documents import Disclosure, DocStatus
from gongkai.domain.statistics import DEFAULT_WEIGHTS, METRIC_KEYS, UnitFigures, median, percentile, ratio
from gongkai.policies.models import Document, Interpretation, Level, SubjectCategory, Tag
from gongkai.statistics.access import Scope
from gongkai.statistics.models import AssessmentWeights, DocumentDailyCount

ART26_WORKING_DAYS = 20  # 条例第二十六条: publish within 20 working days of forming
REPLY_OUTCOMES = tuple(o.value for o, info in OUTCOMES.items() if info.is_reply)
OPEN = tuple(s.value for s in OPEN_STATES)
CURRENT_REPLY_STATES = (Reply.State.DRAFT, Reply.State.LEGAL_REVIEW, Reply.State.AWAITING_APPROVAL,
                        Reply.State.APPROVED)
OVERDUE_LIST_LIMIT = 500


# --- Period -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """统计期间: ``start`` to ``end``, both days included (China time)."""

    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{_day(self.start)}至{_day(self.end)}"

    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, end + 1 day 00:00) as aware datetimes in the current time zone."""
        tz = timezone.get_current_timezone()
        return (datetime.combine(self.start, time.min, tzinfo=tz),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz))

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        months: list[date] = []
        d = self.start.replace(day=1)
        while d <= self.end:
            months.append(d)
            d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
        return months


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def month_label(d: date) -> str:
    return f"{d.year}年{d.month}月"


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    assert isinstance(value, date)
    return value


def _values(queryset: Any) -> list[dict[str, Any]]:
    """The rows of a ``values().annotate()`` query as plain dicts."""
    return list(queryset)


# --- Requests -----------------------------------------------------------------------------------------------


def requests_in(scope: Scope) -> QuerySet[DisclosureRequest]:
    return DisclosureRequest.objects.filter(scope.request_filter())


def _department() -> Coalesce:
    return Coalesce("handling_department", "organisation", output_field=IntegerField())


def _replied(period: Period, prefix: str = "") -> Q:
    """Closed in the period with a reply (答复送达; not withdrawn, abandoned or stopped)."""
    return Q(**{f"{prefix}closed_on__range": (period.start, period.end), f"{prefix}outcome__in": REPLY_OUTCOMES})


def organisation_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    return dict(Organisation.objects.filter(pk__in=wanted).values_list("pk", "name"))


def requests_per_month(scope: Scope, period: Period) -> list[tuple[date, int]]:
    """每月申请数量: requests by the month of their receipt date (收到申请之日)."""
    rows = (requests_in(scope).filter(received_on__range=(period.start, period.end))
            .annotate(month=TruncMonth("received_on")).values("month").annotate(n=Count("id")).order_by())
    counts = {_as_date(r["month"]): r["n"] for r in rows}
    return [(m, counts.get(m, 0)) for m in period.months()]


def outcome_distribution(scope: Scope, period: Period) -> list[tuple[str, int]]:
    """办理结果分布: requests closed in the period, by the six result groups of table 3."""
    rows = (requests_in(scope).filter(closed_on__range=(period.start, period.end)).exclude(outcome="")
            .values("outcome").annotate(n=Count("id")).order_by())
    totals = dict.fromkeys(OutcomeGroup, 0)
    for row in rows:  # at most one row per outcome (24), not per request
        totals[OUTCOMES[Outcome(row["outcome"])].group] += row["n"]
    return [(GROUP_LABELS[g], totals[g]) for g in OutcomeGroup]


@dataclass(frozen=True)
class OnTimeRow:
    department_id: int
    label: str
    replied: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return ratio(self.on_time, self.replied)


def on_time_by_department(scope: Scope, period: Period) -> tuple[list[OnTimeRow], OnTimeRow]:
    """按时答复率 per department and in total: replies delivered in the period with a due date,
    on time when delivered on or before it (条例第三十三条)."""
    rows = list(requests_in(scope).filter(_replied(period), due_date__isnull=False)
                .annotate(dept=_department()).values("dept")
                .annotate(replied=Count("id"), on_time=Count("id", filter=Q(closed_on__lte=F("due_date"))))
                .order_by())
    names = organisation_names(r["dept"] for r in rows)
    result = sorted((OnTimeRow(r["dept"], names.get(r["dept"], "—"), r["replied"], r["on_time"]) for r in rows),
                    key=lambda r: r.label)
    total = OnTimeRow(0, "合计", sum(r.replied for r in result), sum(r.on_time for r in result))
    return result, total


@dataclass(frozen=True)
class DurationRow:
    label: str
    ack_count: int
    ack_median: float | None
    ack_p90: float | None
    reply_count: int
    reply_median: float | None
    reply_p90: float | None


def _durations_row(label: str, ack: list[int], reply: list[int]) -> DurationRow:
    return DurationRow(label, len(ack), median(ack), percentile(ack, 90), len(reply), median(reply),
                       percentile(reply, 90))


def durations_by_department(scope: Scope, period: Period, calendar: WorkingCalendar) -> list[DurationRow]:
    """确认收到用时 (arrival → 收到申请之日, requests received in the period) and 答复用时
    (收到申请之日 → delivery, replies delivered in the period), in working days, median and 90th
    percentile per department, plus 合计 (last row).

    Computed in Python over the per-request date pairs of the viewer's scope and this period only
    (the working-day calendar is not in the database); never over all requests."""
    ack: dict[int, list[int]] = defaultdict(list)
    reply: dict[int, list[int]] = defaultdict(list)
    received = (requests_in(scope).filter(received_on__range=(period.start, period.end))
                .annotate(dept=_department()).values_list("dept", "arrived_at", "received_on"))
    for dept, arrived_at, received_on in received.iterator():
        if received_on is None:
            continue
        arrived = timezone.localtime(arrived_at).date()
        ack[dept].append(_working_days(calendar, arrived, received_on))
    replied = (requests_in(scope).filter(_replied(period), received_on__isnull=False)
               .annotate(dept=_department()).values_list("dept", "received_on", "closed_on"))
    for dept, received_on, closed_on in replied.iterator():
        if received_on is None or closed_on is None:
            continue
        reply[dept].append(_working_days(calendar, received_on, closed_on))
    names = organisation_names([*ack, *reply])
    rows = [_durations_row(names.get(d, "—"), ack.get(d, []), reply.get(d, [])) for d in {*ack, *reply}]
    rows.sort(key=lambda r: r.label)
    rows.append(_durations_row("合计", [n for v in ack.values() for n in v], [n for v in reply.values() for n in v]))
    return rows


def _working_days(calendar: WorkingCalendar, a: date, b: date) -> int:
    try:
        return calendar.working_days_between(a, b)
    except CalendarError:
        return (b - a).days


def overdue_requests(scope: Scope) -> QuerySet[DisclosureRequest]:
    """超期申请清单: open requests past their reply deadline (the cached flag, refreshed daily)."""
    return (requests_in(scope).filter(status__in=OPEN, overdue=True)
            .select_related("organisation", "handling_department").order_by("due_date", "id"))


def overdue_by_department(scope: Scope) -> list[tuple[str, int]]:
    rows = list(requests_in(scope).filter(status__in=OPEN, overdue=True).annotate(dept=_department())
                .values("dept").annotate(n=Count("id")).order_by())
    names = organisation_names(r["dept"] for r in rows)
    return sorted(((names.get(r["dept"], "—"), r["n"]) for r in rows), key=lambda x: (-x[1], x[0]))


def requested_topics(scope: Scope, period: Period, limit: int = 10) -> list[tuple[str, int]]:
    """申请最多的主题: requests received in the period whose description names a 主题分类 (the
    second-level gov.cn subject, e.g. 教育, 住房保障; a name such as 农业、畜牧业、渔业 matches any
    part). One aggregate query with a conditional COUNT per subject; a request naming several
    subjects counts in each."""
    subjects = [s for s in SubjectCategory.objects.filter(parent__isnull=False).select_related("parent")
                if s.name != "其他"]
    conditions: dict[str, Q] = {}
    labels: dict[str, str] = {}
    for s in subjects:
        parts = [p for p in s.name.split("、") if len(p) >= 2]
        if not parts:
            continue
        q = Q(description__contains=parts[0])
        for part in parts[1:]:
            q |= Q(description__contains=part)
        conditions[f"s{s.pk}"] = q
        labels[f"s{s.pk}"] = s.name
    if not conditions:
        return []
    counts = requests_in(scope).filter(received_on__range=(period.start, period.end)).aggregate(
        **{key: Count("id", filter=q) for key, q in conditions.items()})
    ranked = sorted(((labels[k], n) for k, n in counts.items() if n), key=lambda x: (-x[1], x[0]))
    return ranked[:limit]


# --- Documents ----------------------------------------------------------------------------------------------


def documents_in(scope: Scope) -> QuerySet[Document]:
    return Document.objects.filter(organisation__in=scope.ids)


def _published_in(period: Period) -> Q:
    start, end = period.bounds()
    return Q(status__in=[DocStatus.PUBLISHED, DocStatus.WITHDRAWN], published_at__gte=start,
             published_at__lt=min(end, timezone.now()))


@dataclass(frozen=True)
class DisclosureShareRow:
    label: str
    proactive: int
    on_request: int
    withheld: int

    @property
    def total(self) -> int:
        return self.proactive + self.on_request + self.withheld

    @property
    def nonpublic(self) -> int:
        return self.on_request + self.withheld

    @property
    def share(self) -> float | None:
        return ratio(self.nonpublic, self.total)


def disclosure_share(scope: Scope, period: Period) -> tuple[list[DisclosureShareRow], DisclosureShareRow]:
    """不主动公开文件占比: documents written (成文) in the period by 公开属性, per organisation
    (the same base as ``policies.staff_selectors.nonpublic_share`` for the annual report)."""
    rows = list(documents_in(scope).filter(written_on__range=(period.start, period.end)).values("organisation")
                .annotate(proactive=Count("id", filter=Q(disclosure=Disclosure.PROACTIVE)),
                          on_request=Count("id", filter=Q(disclosure=Disclosure.ON_REQUEST)),
                          withheld=Count("id", filter=Q(disclosure=Disclosure.WITHHELD)))
                .order_by())
    names = organisation_names(r["organisation"] for r in rows)
    result = sorted((DisclosureShareRow(names.get(r["organisation"], "—"), r["proactive"], r["on_request"],
                                        r["withheld"]) for r in rows), key=lambda r: r.label)
    total = DisclosureShareRow("合计", sum(r.proactive for r in result), sum(r.on_request for r in result),
                               sum(r.withheld for r in result))
    return result, total


def published_by_month_and_level(scope: Scope, period: Period) -> dict[str, list[int]]:
    """政策文件库增长: documents first published in the period, per month and 层级 (level label →
    one count per month of ``period.months()``)."""
    rows = (documents_in(scope).filter(_published_in(period)).annotate(month=TruncMonth("published_at"))
            .values("month", "level").annotate(n=Count("id")).order_by())
    months = period.months()
    index = {m: i for i, m in enumerate(months)}
    table = {label: [0] * len(months) for _, label in Level.choices}
    labels = dict(Level.choices)
    for row in rows:
        i = index.get(_as_date(row["month"]).replace(day=1))
        if i is not None and row["level"] in labels:
            table[labels[row["level"]]][i] += row["n"]
    return table


def published_by_theme(scope: Scope, period: Period) -> list[tuple[str, int]]:
    """Documents published in the period per 政策主题 tag (a document with several themes counts
    in each)."""
    start, end = period.bounds()
    published = Q(documents__organisation__in=scope.ids,
                  documents__status__in=[DocStatus.PUBLISHED, DocStatus.WITHDRAWN],
                  documents__published_at__gte=start, documents__published_at__lt=min(end, timezone.now()))
    rows = (Tag.objects.filter(kind=Tag.Kind.THEME).annotate(n=Count("documents", filter=published))
            .values_list("name", "n").order_by("sort", "id"))
    return sorted(((name, n) for name, n in rows if n), key=lambda x: -x[1])


def views_by_month(scope: Scope, period: Period) -> list[tuple[date, int, int]]:
    """文件浏览和下载: the daily counters of the scope's documents, summed per month."""
    rows = (DocumentDailyCount.objects.filter(document__organisation__in=scope.ids,
                                              day__range=(period.start, period.end))
            .annotate(month=TruncMonth("day")).values("month")
            .annotate(views=Sum("views"), downloads=Sum("downloads")).order_by())
    sums = {_as_date(r["month"]): (r["views"] or 0, r["downloads"] or 0) for r in rows}
    return [(m, *sums.get(m, (0, 0))) for m in period.months()]


def top_documents(scope: Scope, period: Period, limit: int = 10) -> list[tuple[int, str, int, int]]:
    """The most viewed documents of the period: (id, title, views, downloads)."""
    rows = (DocumentDailyCount.objects.filter(document__organisation__in=scope.ids,
                                              day__range=(period.start, period.end))
            .values("document", "document__title")
            .annotate(views=Sum("views"), downloads=Sum("downloads"))
            .order_by("-views", "-downloads", "document")[:limit])
    return [(r["document"], r["document__title"], r["views"] or 0, r["downloads"] or 0) for r in rows]


# --- Assessment ---------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Raw counts of one assessed unit in the period."""

    replied: int = 0
    on_time: int = 0
    late: int = 0
    open_overdue: int = 0
    active: int = 0
    corrected: int = 0
    legal_rejections: int = 0
    interp_total: int = 0
    interp_covered: int = 0
    art26_total: int = 0
    art26_on_time: int = 0

    @property
    def overdue(self) -> int:
        return self.late + self.open_overdue

    @property
    def has_requests(self) -> bool:
        return bool(self.active or self.replied or self.overdue or self.corrected or self.legal_rejections)

    def figures(self, key: str, label: str, *, department: bool) -> UnitFigures:
        requests = self.has_requests
        values: dict[str, float | None] = {
            "on_time_rate": ratio(self.on_time, self.replied),
            "overdue": self.overdue if requests else None,
            "corrected": self.corrected if requests else None,
            "legal_rejections": self.legal_rejections if requests else None,
            "interpretation_coverage": ratio(self.interp_covered, self.interp_total) if department else None,
            "art26_timeliness": ratio(self.art26_on_time, self.art26_total) if department else None,
        }
        return UnitFigures(key, label, values)


@dataclass
class Assessment:
    """Per unit: the raw tally and the figures the ranking takes."""

    tallies: dict[int, Tally] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)

    def tally(self, key: int | None) -> Tally:
        assert key is not None
        return self.tallies.setdefault(key, Tally())

    def units(self, *, department: bool) -> list[UnitFigures]:
        return [t.figures(str(k), self.labels.get(k, "—"), department=department)
                for k, t in sorted(self.tallies.items(), key=lambda kv: self.labels.get(kv[0], ""))]


def _corrected(model: Any, scope: Scope, period: Period) -> QuerySet[Any]:
    queryset: QuerySet[Any] = model.objects.filter(
        request__in=requests_in(scope), result=RemedyResult.CORRECTED, decided_on__range=(period.start, period.end))
    return queryset


def _request_department() -> Coalesce:
    return Coalesce("request__handling_department", "request__organisation", output_field=IntegerField())


def department_assessment(scope: Scope, period: Period, calendar: WorkingCalendar) -> Assessment:
    """考核 per department: request figures by department (handling department, else the receiving
    organisation), document figures by publishing organisation."""
    result = Assessment()
    reqs = requests_in(scope).annotate(dept=_department())
    replied = (reqs.filter(_replied(period), due_date__isnull=False).values("dept")
               .annotate(replied=Count("id"), on_time=Count("id", filter=Q(closed_on__lte=F("due_date"))),
                         late=Count("id", filter=Q(closed_on__gt=F("due_date")))).order_by())
    for row in _values(replied):
        t = result.tally(row["dept"])
        t.replied, t.on_time, t.late = row["replied"], row["on_time"], row["late"]
    open_overdue = (reqs.filter(status__in=OPEN, overdue=True, due_date__range=(period.start, period.end))
                    .values("dept").annotate(n=Count("id")).order_by())
    for row in _values(open_overdue):
        result.tally(row["dept"]).open_overdue = row["n"]
    active = (reqs.filter(received_on__lte=period.end)
              .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.start))
              .values("dept").annotate(n=Count("id")).order_by())
    for row in _values(active):
        result.tally(row["dept"]).active = row["n"]
    for model in (Reconsideration, Litigation):
        corrected = (_corrected(model, scope, period).annotate(dept=_request_department())
                     .values("dept").annotate(n=Count("id")).order_by())
        for row in _values(corrected):
            result.tally(row["dept"]).corrected += row["n"]
    start, end = period.bounds()
    rejections = (Reply.objects.filter(request__in=requests_in(scope), legal_review_approved=False,
                                       legal_reviewed_at__gte=start, legal_reviewed_at__lt=end)
                  .annotate(dept=_request_department()).values("dept").annotate(n=Count("id")).order_by())
    for row in _values(rejections):
        result.tally(row["dept"]).legal_rejections = row["n"]
    covered = Exists(Interpretation.objects.filter(documents=OuterRef("pk"),
                                                   status=Interpretation.Status.PUBLISHED))
    interpreted = (documents_in(scope).filter(_published_in(period), needs_interpretation=True)
                   .annotate(covered=covered).values("organisation")
                   .annotate(total=Count("id"), done=Count("id", filter=Q(covered=True))).order_by())
    for row in _values(interpreted):
        t = result.tally(row["organisation"])
        t.interp_total, t.interp_covered = row["total"], row["done"]
    for org_id, total, on_time in art26_timeliness(scope, period, calendar):
        t = result.tally(org_id)
        t.art26_total, t.art26_on_time = total, on_time
    result.labels = organisation_names(result.tallies)
    return result


def art26_timeliness(scope: Scope, period: Period, calendar: WorkingCalendar) -> list[tuple[int, int, int]]:
    """条例第二十六条: (organisation id, 主动公开 documents published in the period, of which
    published within 20 working days of 成文日期).

    Computed in Python over the (成文日期, 发布日期) pairs of the scope's documents published in
    this period only: the working-day calendar is not in the database. Due dates are cached per
    成文日期."""
    due_by_written: dict[date, date | None] = {}
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = (documents_in(scope).filter(_published_in(period), disclosure=Disclosure.PROACTIVE)
            .values_list("organisation_id", "written_on", "published_at"))
    for org_id, written_on, published_at in rows.iterator():
        if written_on not in due_by_written:
            try:
                due_by_written[written_on] = calendar.add_working_days(written_on, ART26_WORKING_DAYS).due
            except CalendarError:
                due_by_written[written_on] = None
        due = due_by_written[written_on]
        if due is None:
            continue
        totals[org_id][0] += 1
        if timezone.localtime(published_at).date() <= due:
            totals[org_id][1] += 1
    return [(org_id, total, on_time) for org_id, (total, on_time) in totals.items()]


def handler_assessment(scope: Scope, period: Period) -> Assessment:
    """考核 per handler (承办人 = the drafter of the reply): replies delivered in the period, open
    overdue requests with a current draft, replies challenged and corrected, legal-review returns.
    Document figures do not apply to handlers."""
    result = Assessment()
    scoped = requests_in(scope)
    delivered = (Reply.objects.filter(request__in=scoped, state=Reply.State.DELIVERED)
                 .filter(_replied(period, "request__"), request__due_date__isnull=False)
                 .values("drafted_by")
                 .annotate(replied=Count("request", distinct=True),
                           on_time=Count("request", distinct=True,
                                         filter=Q(request__closed_on__lte=F("request__due_date"))),
                           late=Count("request", distinct=True,
                                      filter=Q(request__closed_on__gt=F("request__due_date"))))
                 .order_by())
    for row in _values(delivered):
        t = result.tally(row["drafted_by"])
        t.replied, t.on_time, t.late = row["replied"], row["on_time"], row["late"]
    overdue = scoped.filter(status__in=OPEN, overdue=True, due_date__range=(period.start, period.end))
    open_overdue = (Reply.objects.filter(request__in=overdue, state__in=CURRENT_REPLY_STATES)
                    .values("drafted_by").annotate(n=Count("request", distinct=True)).order_by())
    for row in _values(open_overdue):
        result.tally(row["drafted_by"]).open_overdue = row["n"]
    for model in (Reconsideration, Litigation):
        # The reply the case was brought against: the last one delivered on or before filing.
        challenged = (Reply.objects.filter(request=OuterRef("request"), state=Reply.State.DELIVERED,
                                           deliveries__delivered_on__lte=OuterRef("filed_on"))
                      .order_by("-id").values("drafted_by")[:1])
        corrected = (_corrected(model, scope, period).annotate(handler=Subquery(challenged))
                     .exclude(handler__isnull=True).values("handler").annotate(n=Count("id")).order_by())
        for row in _values(corrected):
            result.tally(row["handler"]).corrected += row["n"]
    start, end = period.bounds()
    rejections = (Reply.objects.filter(request__in=scoped, legal_review_approved=False,
                                       legal_reviewed_at__gte=start, legal_reviewed_at__lt=end)
                  .values("drafted_by").annotate(n=Count("id")).order_by())
    for row in _values(rejections):
        result.tally(row["drafted_by"]).legal_rejections = row["n"]
    users = User.objects.filter(pk__in=list(result.tallies)).only("pk", "username", "display_name")
    result.labels = {u.pk: str(u) for u in users}
    return result


# --- Weights ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveWeights:
    """The weights that apply to ``organisation``: its own row, else the nearest ancestor's, else
    the defaults (``source`` is None)."""

    weights: dict[str, int]
    source: AssessmentWeights | None

    @property
    def is_default(self) -> bool:
        return self.source is None


def weights_for(organisation: Organisation) -> EffectiveWeights:
    ids = organisation.path_ids() or [organisation.pk]
    rows = {w.organisation_id: w for w in AssessmentWeights.objects.filter(organisation_id__in=ids)
            .select_related("organisation", "updated_by")}
    for org_id in reversed(ids):
        row = rows.get(org_id)
        if row is not None:
            return EffectiveWeights({key: getattr(row, key) for key in METRIC_KEYS}, row)
    return EffectiveWeights(dict(DEFAULT_WEIGHTS), None)
