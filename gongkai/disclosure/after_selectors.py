"""Reading the 行政复议/行政诉讼 records: the annual report's table 4 (regulation.md §3.5).

Counting rule [I] (the format gives the columns, not the year boundary; this is our convention,
stated on the preview page):
- a case belongs to the report of the year in which it was **filed** (申请复议日期 / 起诉日期,
  1 January to 31 December), counted once, for the organisation that received the request;
- its column is its state **at 31 December** of that year: decided on or before that day →
  结果维持 / 结果纠正 / 其他结果 as recorded; not decided by then (or still undecided) → 尚未审结.
  A case filed in December and decided in January therefore stays 尚未审结 in the earlier year's
  report and is not counted again in the next one, so no case is counted twice;
- 行政诉讼 splits into 未经复议直接起诉 (no reconsideration recorded) and 复议后起诉.
In every group 总计 = the sum of the other four (each case meets exactly one condition).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from gongkai.accounts.models import Organisation
from gongkai.disclosure.after_models import Litigation, Reconsideration, RemedyResult

COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@dataclass(frozen=True)
class Table4Group:
    """One column group of table 4."""

    label: str
    upheld: int
    corrected: int
    other: int
    pending: int
    total: int

    @property
    def cells(self) -> tuple[int, int, int, int, int]:
        return (self.upheld, self.corrected, self.other, self.pending, self.total)


@dataclass(frozen=True)
class Table4:
    """四、政府信息公开行政复议、行政诉讼情况 — one data row of 15 numbers."""

    organisation: Organisation
    year: int
    reconsideration: Table4Group
    litigation_direct: Table4Group
    litigation_after_reconsideration: Table4Group

    @property
    def groups(self) -> tuple[Table4Group, Table4Group, Table4Group]:
        return (self.reconsideration, self.litigation_direct, self.litigation_after_reconsideration)

    @property
    def numbers(self) -> tuple[int, ...]:
        """The 15 numbers in the order of the report's columns."""
        return tuple(n for group in self.groups for n in group.cells)


def _count(label: str, qs: QuerySet[Any], year_end: date) -> Table4Group:
    decided = Q(decided_on__isnull=False, decided_on__lte=year_end)
    row = qs.aggregate(
        upheld=Count("id", filter=decided & Q(result=RemedyResult.UPHELD)),
        corrected=Count("id", filter=decided & Q(result=RemedyResult.CORRECTED)),
        other=Count("id", filter=decided & Q(result=RemedyResult.OTHER)),
        pending=Count("id", filter=Q(decided_on__isnull=True) | Q(decided_on__gt=year_end)),
        total=Count("id"),
    )
    return Table4Group(label, row["upheld"], row["corrected"], row["other"], row["pending"], row["total"])


def table4_counts(organisation: Organisation, year: int) -> Table4:
    """Table 4 of ``organisation``'s annual report for ``year``: three aggregate queries (one per
    column group), counting rule in the module docstring."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    recon = Reconsideration.objects.filter(request__organisation=organisation, filed_on__range=(start, end))
    cases = Litigation.objects.filter(request__organisation=organisation, filed_on__range=(start, end))
    return Table4(
        organisation=organisation,
        year=year,
        reconsideration=_count("行政复议", recon, end),
        litigation_direct=_count("行政诉讼（未经复议直接起诉）", cases.filter(reconsideration__isnull=True), end),
        litigation_after_reconsideration=_count("行政诉讼（复议后起诉）", cases.filter(reconsideration__isnull=False),
                                                end),
    )


def remedies_of(request: Any) -> tuple[list[Reconsideration], list[Litigation]]:
    """The request's reconsiderations and litigations, oldest first."""
    recons = list(Reconsideration.objects.filter(request=request).order_by("filed_on", "id"))
    cases = list(Litigation.objects.filter(request=request).select_related("reconsideration")
                 .order_by("filed_on", "id"))
    return recons, cases
