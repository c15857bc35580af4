"""The printed shape of tables 2, 3 and 4 (国办公开办函〔2021〕30号): rows of cells with their row
and column spans. The HTML page, the document body and the xlsx/DOCX/PDF exports all draw the
same layout from a report's content, so the numbers are laid out once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gongkai.domain import annual_report as rules
from gongkai.domain.disclosure_outcomes import GROUP_HEADINGS, TABLE3_ROWS, ReportColumn


@dataclass(frozen=True)
class Cell:
    text: str
    header: bool = False
    rowspan: int = 1
    colspan: int = 1
    scope: str = ""  # "col", "colgroup", "row", "rowgroup" for header cells
    key: str = ""  # check-result cell key (``rules.cell3`` …) for highlighting
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    caption: str
    columns: int
    head: list[list[Cell]]
    body: list[list[Cell]]

    @property
    def rows(self) -> list[list[Cell]]:
        return [*self.head, *self.body]


def _num(value: Any, key: str = "", colspan: int = 1) -> Cell:
    text = "" if value is None else str(value)
    return Cell(text, key=key, numeric=True, colspan=colspan)


def table2(content: Mapping[str, Any]) -> Table:
    t2 = content["table2"]
    body: list[list[Cell]] = []
    for block in rules.TABLE2_BLOCKS:
        body.append([Cell(block.caption, header=True, colspan=4, scope="colgroup")])
        wide = len(block.columns) == 2
        body.append([Cell(block.columns[0], header=True, scope="col"),
                     *[Cell(c, header=True, scope="col", colspan=3 if wide else 1) for c in block.columns[1:]]])
        for key, label in block.rows:
            entry = t2.get(key) or {}
            if wide:
                body.append([Cell(label, header=True, scope="row"), _num(entry.get("value"), rules.cell2(key), 3)])
            else:
                body.append([Cell(label, header=True, scope="row"),
                             *[_num(entry.get(c, 0), rules.cell2(key)) for c in rules.LIBRARY_COLUMNS]])
    return Table("二、主动公开政府信息情况", 4, [], body)


def table3(content: Mapping[str, Any]) -> Table:
    t3 = content["table3"]
    head = [
        [Cell(rules.TABLE3_NOTE, rowspan=3, colspan=3),
         Cell("申请人情况", header=True, colspan=7, scope="colgroup")],
        [Cell(ReportColumn.NATURAL_PERSON.label, header=True, rowspan=2, scope="col"),
         Cell("法人或其他组织", header=True, colspan=5, scope="colgroup"),
         Cell(ReportColumn.TOTAL.label, header=True, rowspan=2, scope="col")],
        [Cell(c.label, header=True, scope="col") for c in rules.ORGANISATION_COLUMNS],
    ]
    result_rows = [r for r in TABLE3_ROWS if r.startswith("三(")]
    group_sizes = {g: sum(1 for r in TABLE3_ROWS if r.startswith(g)) for g in GROUP_HEADINGS if g != "三"}
    body: list[list[Cell]] = []
    for row, label in TABLE3_ROWS.items():
        cells: list[Cell] = []
        if row == result_rows[0]:
            cells.append(Cell(GROUP_HEADINGS["三"], header=True, rowspan=len(result_rows), scope="rowgroup"))
        group = row[:4] if row.startswith("三(") and len(row) > 4 else ""
        if group and row.endswith("1") and group in group_sizes:
            cells.append(Cell(GROUP_HEADINGS[group], header=True, rowspan=group_sizes[group], scope="rowgroup"))
        span = 3 if not row.startswith("三(") else (2 if not group else 1)
        cells.append(Cell(label, header=True, colspan=span, scope="row"))
        cells += [_num(t3[row][c.value], rules.cell3(row, c)) for c in ReportColumn]
        body.append(cells)
    return Table("三、收到和处理政府信息公开申请情况", 10, head, body)


def table4(content: Mapping[str, Any]) -> Table:
    numbers = list(content["table4"])
    head = [
        [Cell("行政复议", header=True, rowspan=2, colspan=5, scope="colgroup"),
         Cell("行政诉讼", header=True, colspan=10, scope="colgroup")],
        [Cell("未经复议直接起诉", header=True, colspan=5, scope="colgroup"),
         Cell("复议后起诉", header=True, colspan=5, scope="colgroup")],
        [Cell(c, header=True, scope="col") for _ in rules.TABLE4_GROUPS for c in rules.TABLE4_COLUMNS],
    ]
    body = [[_num(n, rules.cell4(i)) for i, n in enumerate(numbers)]]
    return Table("四、政府信息公开行政复议、行政诉讼情况", 15, head, body)


def place(table: Table) -> list[tuple[int, int, Cell]]:
    """(row, column, cell) of every cell on the grid, spans honoured (for xlsx, DOCX and PDF)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return placed


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@dataclass(frozen=True)
class Section:
    title: str
    text: list[str]
    table: Table | None = None


def sections(content: Mapping[str, Any]) -> list[Section]:
    """The six sections in their fixed order, each with its text or table."""
    texts = content.get("texts") or {}
    return [
        Section(rules.SECTIONS[0], paragraphs(texts.get("overview", ""))),
        Section(rules.SECTIONS[1], [], table2(content)),
        Section(rules.SECTIONS[2], [], table3(content)),
        Section(rules.SECTIONS[3], [], table4(content)),
        Section(rules.SECTIONS[4], paragraphs(texts.get("problems", ""))),
        Section(rules.SECTIONS[5], paragraphs(texts.get("other_matters", ""))),
    ]
