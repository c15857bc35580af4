"""Reading the annual report: tables computed from the records, the content of a draft, versions.

Every number is an aggregate query (GROUP BY with conditional COUNTs), never a Python loop over
requests or documents; the loops below run over the at most few hundred groups a query returns.

Counting rules:
- table 3 (regulation.md §3.4, §6 case 14): a request counts in row 一 in the year of its receipt
  date (收到申请之日), in row 二 in every later year it is still open on 1 January, in its one
  result row and 三(七) in the year it was closed, and in row 四 in every year it is still open
  on 31 December — ``disclosure_outcomes.report_rows`` is the pure reference (the tests compare
  the two on random data). Requests without a receipt date (待确认收到) are not counted.
  三(七) and the 总计 column are counted on their own, not summed, so that a record that breaks
  the rules (a closing day without an outcome, a legal person without its sub-type) shows up as
  a failed check instead of disappearing;
- table 4: ``disclosure.after_selectors.table4_counts`` (filing year, state at 31 December);
- table 2, 规章 and 行政规范性文件 of the organisation (published in the library) [I]: 本年制发 =
  成文日期 in the year; 本年废止 = 废止日期 in the year, or, without one, the 实施日期 (else 成文日期)
  of the document that repeals it; 现行有效 = written by 31 December and not repealed or lapsed
  by then (a document marked 废止/失效 without any date is not counted as 现行有效).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from gongkai.accounts.models import Organisation
from gongkai.annual_reports.models import AnnualReport, AnnualReportVersion
from gongkai.disclosure.after_models import Litigation, Reconsideration, RemedyResult
from gongkai.disclosure.after_selectors import table4_counts
from gongkai.disclosure.models import DisclosureRequest, FeeNotice
from gongkai.domain import annual_report as rules
from gongkai.domain.disclosure_outcomes import (
    OUTCOMES,
    ROW_CARRIED_FORWARD,
    ROW_CARRIED_OVER,
    ROW_NEW,
    ROW_TOTAL,
    TABLE3_ROWS,
    ApplicantType,
    OrganisationKind,
    ReportColumn,
)
from gongkai.domain.documents import DocStatus, Validity
from gongkai.policies.models import Category, Document, DocumentRelation

Table3 = dict[str, dict[ReportColumn, int]]
OrgsArg = Organisation | int | Iterable[Organisation | int]

_KIND_COLUMN = {
    OrganisationKind.BUSINESS.value: ReportColumn.BUSINESS,
    OrganisationKind.RESEARCH.value: ReportColumn.RESEARCH,
    OrganisationKind.PUBLIC_INTEREST.value: ReportColumn.PUBLIC_INTEREST,
    OrganisationKind.LEGAL_SERVICE.value: ReportColumn.LEGAL_SERVICE,
    OrganisationKind.OTHER.value: ReportColumn.OTHER_ORGANISATION,
}
_OUTCOME_ROW = {o.value: info.row for o, info in OUTCOMES.items()}


def organisation_ids(organisations: OrgsArg) -> list[int]:
    """An organisation, an id, or an iterable of either → a list of ids."""
    if isinstance(organisations, Organisation):
        return [organisations.pk]
    if isinstance(organisations, int):
        return [organisations]
    return [o.pk if isinstance(o, Organisation) else int(o) for o in organisations]


def subtree_ids(organisation: Organisation) -> list[int]:
    """The organisation and every organisation below it (one indexed prefix query)."""
    return list(Organisation.objects.filter(tree_path__startswith=organisation.tree_path)
                .values_list("pk", flat=True))


# --- Table 3 ----------------------------------------------------------------------------------------


def empty_table3() -> Table3:
    return {row: dict.fromkeys(ReportColumn, 0) for row in TABLE3_ROWS}


def _column(applicant_type: str, organisation_kind: str) -> ReportColumn | None:
    if applicant_type == ApplicantType.NATURAL_PERSON.value:
        return ReportColumn.NATURAL_PERSON
    if applicant_type == ApplicantType.ORGANISATION.value:
        return _KIND_COLUMN.get(organisation_kind)
    return None


def _table3_groups(ids: list[int], year: int, *, by_organisation: bool) -> list[dict[str, Any]]:
    """Per (organisation,) applicant type, sub-type and outcome: how many requests are new, carried
    over, closed and carried forward in ``year``. Only requests that can count in the year are
    read, in three index range scans whose rows do not overlap: received in the year (index
    ``dreq_org_received``); received before it and closed in it or later, or still open (index
    ``annual_report_dreq_org_closed``). The groups of the three are added up by ``_fold``."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    base = DisclosureRequest.objects.filter(organisation_id__in=ids)
    parts = [
        base.filter(received_on__gte=start, received_on__lte=end),
        base.filter(closed_on__gte=start, received_on__lt=start),
        base.filter(closed_on__isnull=True, received_on__lt=start),
    ]
    keys = ["applicant_type", "organisation_kind", "outcome"]
    if by_organisation:
        keys.insert(0, "organisation_id")
    groups: list[dict[str, Any]] = []
    for qs in parts:
        groups += qs.order_by().values(*keys).annotate(
            new=Count("id", filter=Q(received_on__gte=start)),
            carried_over=Count("id", filter=Q(received_on__lt=start)),
            closed=Count("id", filter=Q(closed_on__gte=start, closed_on__lte=end)),
            carried_forward=Count("id", filter=Q(closed_on__isnull=True) | Q(closed_on__gt=end)),
        )
    return groups


def _add(table: Table3, row: str, column: ReportColumn | None, n: int) -> None:
    if not n:
        return
    if column is not None:
        table[row][column] += n
    table[row][ReportColumn.TOTAL] += n


def _fold(groups: Iterable[dict[str, Any]], table: Table3 | None = None) -> Table3:
    table = table if table is not None else empty_table3()
    for g in groups:
        column = _column(g["applicant_type"], g["organisation_kind"])
        _add(table, ROW_NEW, column, g["new"])
        _add(table, ROW_CARRIED_OVER, column, g["carried_over"])
        _add(table, ROW_TOTAL, column, g["closed"])
        row = _OUTCOME_ROW.get(g["outcome"])
        if row is not None:
            _add(table, row, column, g["closed"])
        _add(table, ROW_CARRIED_FORWARD, column, g["carried_forward"])
    return table


def table3(organisations: OrgsArg, year: int) -> Table3:
    """Table 3 (收到和处理政府信息公开申请情况) of ``year`` for one organisation, or summed over
    several (pass a list of organisations or ids, e.g. ``subtree_ids(government)`` for the
    government-wide roll-up).

    Returns {row code of ``TABLE3_ROWS``: {``ReportColumn``: count}} with every row and column,
    总计 included — the same shape as ``disclosure_outcomes.tally``. Three aggregate queries (index
    range scans, see ``_table3_groups``)."""
    return _fold(_table3_groups(organisation_ids(organisations), year, by_organisation=False))


def table3_by_organisation(organisations: OrgsArg, year: int) -> dict[int, Table3]:
    """Table 3 of each organisation (every id present, empty tables included): three aggregate queries."""
    ids = organisation_ids(organisations)
    tables = {pk: empty_table3() for pk in ids}
    for g in _table3_groups(ids, year, by_organisation=True):
        _fold([g], tables[g["organisation_id"]])
    return tables


def sum_tables(tables: Iterable[Table3]) -> Table3:
    total = empty_table3()
    for table in tables:
        for row, cells in table.items():
            for column, n in cells.items():
                total[row][ReportColumn(column)] += int(n)
    return total


def has_requests_before(organisation: Organisation, day: date) -> bool:
    return DisclosureRequest.objects.filter(organisation=organisation, received_on__isnull=False,
                                            received_on__lt=day).exists()


# --- Table 4 ----------------------------------------------------------------------------------------


def table4(organisation: Organisation, year: int) -> list[int]:
    """The 15 numbers of table 4 (``after_selectors.table4_counts``)."""
    return list(table4_counts(organisation, year).numbers)


def table4_by_organisation(organisations: OrgsArg, year: int) -> dict[int, list[int]]:
    """Table 4 of each organisation with the counting rule of ``after_selectors`` (filing year,
    state at 31 December): three grouped queries for any number of organisations."""
    ids = organisation_ids(organisations)
    start, end = date(year, 1, 1), date(year, 12, 31)
    out = {pk: [0] * rules.TABLE4_SIZE for pk in ids}
    decided = Q(decided_on__isnull=False, decided_on__lte=end)
    aggregates = {
        "upheld": Count("id", filter=decided & Q(result=RemedyResult.UPHELD)),
        "corrected": Count("id", filter=decided & Q(result=RemedyResult.CORRECTED)),
        "other": Count("id", filter=decided & Q(result=RemedyResult.OTHER)),
        "pending": Count("id", filter=Q(decided_on__isnull=True) | Q(decided_on__gt=end)),
        "total": Count("id"),
    }
    recon = Reconsideration.objects.filter(request__organisation_id__in=ids, filed_on__range=(start, end))
    cases = Litigation.objects.filter(request__organisation_id__in=ids, filed_on__range=(start, end))
    groups: list[QuerySet[Any]] = [recon, cases.filter(reconsideration__isnull=True),
                                   cases.filter(reconsideration__isnull=False)]
    width = len(rules.TABLE4_COLUMNS)
    for g, qs in enumerate(groups):
        for row in qs.order_by().values(org=F("request__organisation_id")).annotate(**aggregates):
            for i, key in enumerate(aggregates):
                out[row["org"]][g * width + i] = row[key]
    return out


# --- Table 2 (library part) ---------------------------------------------------------------------------


def _table2_groups(ids: list[int], year: int) -> list[dict[str, Any]]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    repealer = (DocumentRelation.objects.filter(target=OuterRef("pk"), kind=DocumentRelation.Kind.REPEALS)
                .annotate(on=Coalesce("source__effective_on", "source__written_on"))
                .order_by("on").values("on")[:1])
    undated_lapse = Q(validity__in=[Validity.REPEALED, Validity.EXPIRED], repeal_date__isnull=True)
    qs: QuerySet[Any] = (
        Document.objects
        .filter(organisation_id__in=ids, status=DocStatus.PUBLISHED,
                category__in=[Category.REGULATION, Category.NORMATIVE])
        .annotate(repeal_date=Coalesce("repeal_on", Subquery(repealer)))
        .order_by().values("organisation_id", "category")
        .annotate(
            issued=Count("id", filter=Q(written_on__gte=start, written_on__lte=end)),
            repealed=Count("id", filter=Q(repeal_date__gte=start, repeal_date__lte=end)),
            valid=Count("id", filter=Q(written_on__lte=end)
                        & (Q(repeal_date__isnull=True) | Q(repeal_date__gt=end)) & ~undated_lapse),
        ))
    return list(qs)


def _empty_table2() -> dict[str, dict[str, int]]:
    return {key: dict.fromkeys(rules.LIBRARY_COLUMNS, 0) for key in rules.LIBRARY_ROWS}


def table2_by_organisation(organisations: OrgsArg, year: int) -> dict[int, dict[str, dict[str, int]]]:
    """规章 and 行政规范性文件 of each organisation: 本年制发, 本年废止, 现行有效 (rules in the
    module docstring). One aggregate query."""
    ids = organisation_ids(organisations)
    out = {pk: _empty_table2() for pk in ids}
    for row in _table2_groups(ids, year):
        out[row["organisation_id"]][row["category"]] = {c: row[c] for c in rules.LIBRARY_COLUMNS}
    return out


def table2_library(organisations: OrgsArg, year: int) -> dict[str, dict[str, int]]:
    """The library part of table 2, summed over the organisation(s)."""
    total = _empty_table2()
    for table in table2_by_organisation(organisations, year).values():
        for key, cells in table.items():
            for column, n in cells.items():
                total[key][column] += n
    return total


# --- Facts ------------------------------------------------------------------------------------------


def facts(organisation: Organisation, year: int) -> rules.Facts:
    """Beyond the tables: of the requests closed in ``year`` that had a reply deadline, how many
    closed on or before it (the cached ``due_date``), and the 信息处理费 paid in the year (元)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    closed = DisclosureRequest.objects.filter(organisation=organisation, received_on__isnull=False,
                                              closed_on__gte=start, closed_on__lte=end, due_date__isnull=False)
    counts = closed.aggregate(answered=Count("id"), on_time=Count("id", filter=Q(closed_on__lte=F("due_date"))))
    fees = FeeNotice.objects.filter(request__organisation=organisation, paid_on__gte=start,
                                    paid_on__lte=end).aggregate(total=Sum("amount"))
    return rules.Facts(answered=counts["answered"] or 0, on_time=counts["on_time"] or 0,
                       fees_collected=int(fees["total"] or 0))


# --- Reports and versions ---------------------------------------------------------------------------


def report_for(organisation: Organisation, year: int) -> AnnualReport | None:
    return AnnualReport.objects.filter(organisation=organisation, year=year).first()


def versions_of(report: AnnualReport | None) -> list[AnnualReportVersion]:
    if report is None:
        return []
    return list(AnnualReportVersion.objects.filter(report=report).select_related("published_by", "document")
                .order_by("number"))


def latest_version(organisation: Organisation, year: int) -> AnnualReportVersion | None:
    return (AnnualReportVersion.objects.filter(report__organisation=organisation, report__year=year)
            .order_by("-number").first())


def version_by_number(organisation: Organisation, year: int, number: int) -> AnnualReportVersion | None:
    return AnnualReportVersion.objects.filter(report__organisation=organisation, report__year=year,
                                              number=number).first()


def latest_versions(organisations: OrgsArg, year: int) -> dict[int, AnnualReportVersion]:
    """The latest published version of each organisation's report of ``year`` (one query)."""
    latest = (AnnualReportVersion.objects.filter(report=OuterRef("report")).order_by("-number")
              .values("number")[:1])
    return {v.report.organisation_id: v for v in AnnualReportVersion.objects.filter(
        report__organisation_id__in=organisation_ids(organisations), report__year=year,
        number=Subquery(latest)).select_related("report")}


def organisations_with_requests_before(organisations: OrgsArg, day: date) -> set[int]:
    return set(DisclosureRequest.objects.filter(organisation_id__in=organisation_ids(organisations),
                                                received_on__isnull=False, received_on__lt=day)
               .order_by().values_list("organisation_id", flat=True).distinct())


def report_title(organisation: Organisation, year: int) -> str:
    return f"{organisation.name}{year}年政府信息公开工作年度报告"


def _json3(table: Table3) -> dict[str, dict[str, int]]:
    return {row: {ReportColumn(c).value: int(n) for c, n in cells.items()} for row, cells in table.items()}


def build_contents(organisations: list[Organisation], year: int,
                   reports: dict[int, AnnualReport | None] | None = None) -> dict[int, dict[str, Any]]:
    """Each organisation's report of ``year`` as it would be published now (JSON-ready): tables
    computed from the records, the texts and figures staff entered (``reports``; looked up when
    not given), and last year's row 四 to check row 二 against — the latest published version of
    last year's report, else Gongkai's records of last year, else None (nothing to compare).
    A fixed number of aggregate queries, whatever the number of organisations."""
    ids = [o.pk for o in organisations]
    if reports is None:
        reports = {r.organisation_id: r for r in AnnualReport.objects.filter(organisation_id__in=ids, year=year)}
    t3 = table3_by_organisation(ids, year)
    t2 = table2_by_organisation(ids, year)
    t4 = ({organisations[0].pk: table4(organisations[0], year)} if len(organisations) == 1
          else table4_by_organisation(ids, year))
    published_before = latest_versions(ids, year - 1)
    unpublished = [pk for pk in ids if pk not in published_before]
    with_history = organisations_with_requests_before(unpublished, date(year, 1, 1)) if unpublished else set()
    computed_before = table3_by_organisation(sorted(with_history), year - 1) if with_history else {}
    out: dict[int, dict[str, Any]] = {}
    for org in organisations:
        report = reports.get(org.pk)
        previous: dict[str, int] | None = None
        source = ""
        if org.pk in published_before:
            version = published_before[org.pk]
            previous = {str(k): int(v) for k, v in version.content["table3"][ROW_CARRIED_FORWARD].items()}
            source = f"{year - 1}年度报告（已发布第{version.number}版）"
        elif org.pk in computed_before:
            previous = _json3(computed_before[org.pk])[ROW_CARRIED_FORWARD]
            source = f"本平台{year - 1}年度的申请记录"
        figures = report.staff_figures() if report is not None else {
            key: {"value": None, "source": ""} for key in rules.STAFF_FIGURES}
        out[org.pk] = {
            "format": rules.FORMAT_NAME,
            "schema": rules.SCHEMA,
            "organisation": {"id": org.pk, "name": org.name, "slug": org.slug},
            "year": year,
            "title": report_title(org, year),
            "texts": report.texts() if report is not None else dict.fromkeys(rules.TEXT_SECTIONS, ""),
            "table2": {**t2[org.pk], **figures},
            "table3": _json3(t3[org.pk]),
            "table4": list(t4[org.pk]),
            "previous_carried_forward": previous,
            "previous_source": source,
        }
    return out


def build_content(organisation: Organisation, year: int, report: AnnualReport | None = None) -> dict[str, Any]:
    """One organisation's report as it would be published now (see ``build_contents``)."""
    return build_contents([organisation], year, {organisation.pk: report})[organisation.pk]


def previous_content(organisation: Organisation, year: int) -> dict[str, Any] | None:
    """Last year's report for the "changes against last year" facts: the published version, else
    last year's tables computed from the records (when there are any)."""
    published = latest_version(organisation, year - 1)
    if published is not None:
        content: dict[str, Any] = published.content
        return content
    if has_requests_before(organisation, date(year, 1, 1)):
        return {"table3": _json3(table3(organisation, year - 1))}
    return None


def facts_lines(organisation: Organisation, year: int, content: dict[str, Any]) -> list[str]:
    return rules.facts_text(content, facts(organisation, year), previous_content(organisation, year))


# --- Lists ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """One organisation's report of a year in the staff list and the roll-up."""

    organisation: Organisation
    year: int
    report: AnnualReport | None
    versions: int
    last_published_at: Any
    deadline: rules.ReportDeadline
    stage: rules.ReminderStage | None

    @property
    def status_label(self) -> str:
        if self.versions:
            edited = (self.report is not None and self.last_published_at is not None
                      and self.report.updated_at > self.last_published_at)
            return f"已发布第{self.versions}版" + ("（此后有未发布的修改）" if edited else "")
        return "编写中" if self.report is not None else "未开始"

    @property
    def published(self) -> bool:
        return self.versions > 0


def is_working_day_fn() -> Any:
    from gongkai.workcalendar.selectors import working_calendar

    return working_calendar().is_working_day


def deadline_for(organisation: Organisation, year: int, is_working_day: Any = None) -> rules.ReportDeadline:
    kind = rules.deadline_kind(organisation.kind, organisation.level)
    return rules.report_deadline(year, kind, is_working_day or is_working_day_fn())


def report_rows(organisations: QuerySet[Organisation] | list[Organisation], year: int,
                today: date) -> list[ReportRow]:
    """Each organisation's report of ``year`` with its status, deadline and reminder stage: one
    query for the reports and their versions."""
    orgs = list(organisations)
    reports = {r.organisation_id: r for r in AnnualReport.objects.filter(
        organisation__in=[o.pk for o in orgs], year=year).annotate(
        n_versions=Count("versions"), last_published=Max("versions__published_at"))}
    working = is_working_day_fn()
    rows = []
    for org in sorted(orgs, key=lambda o: (o.tree_path, o.name)):
        report = reports.get(org.pk)
        versions = getattr(report, "n_versions", 0) if report else 0
        deadline = deadline_for(org, year, working)
        stage = None if versions else rules.reminder_stage(deadline, today)
        rows.append(ReportRow(org, year, report, versions, getattr(report, "last_published", None),
                              deadline, stage))
    return rows


def published_versions() -> QuerySet[AnnualReportVersion]:
    """The latest published version of every report of an active organisation, newest year first."""
    latest = (AnnualReportVersion.objects.filter(report=OuterRef("report")).order_by("-number")
              .values("number")[:1])
    return (AnnualReportVersion.objects.filter(number=Subquery(latest), report__organisation__is_active=True)
            .select_related("report", "report__organisation")
            .order_by("-report__year", "report__organisation__tree_path"))


# --- Roll-up over an organisation subtree -------------------------------------------------------------


@dataclass(frozen=True)
class RollupEntry:
    """One organisation in the roll-up: its published content (latest version) when it has one,
    else its report as computed now, with the number of failed checks."""

    row: ReportRow
    content: dict[str, Any]
    frozen: bool
    failed_checks: int

    @property
    def source_label(self) -> str:
        return f"已发布第{self.content.get('version')}版" if self.frozen else "按当前记录计算"


def _sum_figure(values: list[Any], *, decimal: bool) -> str | int | None:
    present = [v for v in values if v not in (None, "")]
    if not present:
        return None
    if decimal:
        return format(sum((rules.parse_amount(v) or Decimal(0) for v in present), Decimal(0)).normalize(), "f")
    return sum(int(v) for v in present)


def rollup(organisations: list[Organisation], year: int, today: date) -> tuple[list[RollupEntry], dict[str, Any]]:
    """The reports of several organisations side by side (a government's disclosure office over its
    departments) and their sums: a fixed number of queries for any number of organisations."""
    rows = report_rows(organisations, year, today)
    reports = {r.organisation.pk: r.report for r in rows}
    contents = build_contents([r.organisation for r in rows], year, reports)
    published = latest_versions([r.organisation for r in rows], year)
    entries = []
    for row in rows:
        version = published.get(row.organisation.pk)
        content = version.content if version is not None else contents[row.organisation.pk]
        failed_checks = 0 if version is not None else len(rules.failed(rules.run_checks(content)))
        entries.append(RollupEntry(row, content, version is not None, failed_checks))
    t3 = sum_tables({r: {ReportColumn(c): n for c, n in cells.items()} for r, cells in e.content["table3"].items()}
                    for e in entries)
    t4 = [sum(int(e.content["table4"][i]) for e in entries) for i in range(rules.TABLE4_SIZE)]
    t2: dict[str, Any] = {key: {c: sum(int(e.content["table2"][key][c]) for e in entries)
                                for c in rules.LIBRARY_COLUMNS} for key in rules.LIBRARY_ROWS}
    for key in rules.STAFF_FIGURES:
        t2[key] = {"value": _sum_figure([e.content["table2"][key].get("value") for e in entries],
                                        decimal=key == "fees"), "source": ""}
    totals = {"table3": _json3(t3), "table4": t4, "table2": t2}
    return entries, totals
