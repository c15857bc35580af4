"""Downloads: every chart's table as xlsx (openpyxl), and the 通报 as xlsx and DOCX (python-docx).
Text cells that a spreadsheet would run as a formula are neutralised (OWASP CSV injection)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from gongkai.policies.services.imports import neutralise
from gongkai.statistics.assessment import SCORING_RULES, AssessmentReport, RankedRow
from gongkai.statistics.charts import Chart, Value

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_FONT = "宋体"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _cell(value: Value) -> int | float | str:
    if value is None:
        return "—"
    if isinstance(value, int | float):
        return value
    return neutralise(str(value))


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("", title)[:28] or "表"
    name, n = base, 2
    while name in taken:
        name = f"{base[:26]}{n}"
        n += 1
    taken.add(name)
    return name


def _bold_row(sheet: object, row: int) -> None:
    for cell in sheet[row]:  # type: ignore[index]
        cell.font = Font(bold=True)


def charts_workbook(charts: Sequence[Chart], *, scope_label: str, period_label: str) -> bytes:
    """One sheet per chart: title, scope and period, the header, the rows, the 合计 row, the note."""
    book = Workbook()
    first = book.active
    taken: set[str] = set()
    for chart in charts:
        sheet = book.create_sheet(_sheet_title(chart.title, taken))
        sheet.append([neutralise(chart.title)])
        sheet.append([neutralise(f"统计范围：{scope_label}；统计期间：{period_label}")])
        sheet.append([chart.category_label, *(s.header for s in chart.series)])
        _bold_row(sheet, 1)
        _bold_row(sheet, 3)
        for row in chart.rows:
            sheet.append([neutralise(row.label), *(_cell(v) for v in row.values)])
        if chart.total_row is not None:
            sheet.append(["合计", *(_cell(v) for v in chart.total_row.values)])
        sheet.append([])
        sheet.append([neutralise(chart.summary)])
        if chart.note:
            sheet.append([neutralise(f"说明：{chart.note}")])
        sheet.column_dimensions["A"].width = 36
    if first is not None and len(book.sheetnames) > 1:
        book.remove(first)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _ranking_rows(report: AssessmentReport, rows: Iterable[RankedRow]) -> list[list[str]]:
    return [[row.rank_text, row.label, row.total_text, *row.figures] for row in rows]


def _ranking_header(report: AssessmentReport, unit: str) -> list[str]:
    return ["名次", unit, "综合得分", *(f"{m.label}（权重{w}）" for m, w in report.weight_rows)]


def assessment_workbook(report: AssessmentReport) -> bytes:
    """通报 as xlsx: the department and handler rankings, then the weights and the scoring rules."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "部门排名"
    taken = {"部门排名"}
    for title, unit, rows in (("部门排名", "部门", report.departments), ("承办人排名", "承办人", report.handlers)):
        if title not in taken:
            sheet = book.create_sheet(_sheet_title(title, taken))
        sheet.append([neutralise(f"政府信息公开工作考核通报（{title}）")])
        sheet.append([neutralise(f"统计范围：{report.scope.label}；统计期间：{report.period.label}")])
        sheet.append(_ranking_header(report, unit))
        _bold_row(sheet, 1)
        _bold_row(sheet, 3)
        for values in _ranking_rows(report, rows):
            sheet.append([neutralise(v) for v in values])
        sheet.column_dimensions["B"].width = 30
    weights = book.create_sheet(_sheet_title("权重和计分规则", taken))
    weights.append(["指标", "权重", "口径"])
    _bold_row(weights, 1)
    for metric, weight in report.weight_rows:
        weights.append([metric.label, weight, metric.explanation])
    weights.append([])
    weights.append([neutralise(f"权重来源：{report.weights_source}")])
    for rule in SCORING_RULES:
        weights.append([rule])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _font(run: object, size: float | None = None, bold: bool = False) -> None:
    run.font.name = DOCX_FONT  # type: ignore[attr-defined]
    run._element.rPr.rFonts.set(qn("w:eastAsia"), DOCX_FONT)  # type: ignore[attr-defined]
    if size:
        run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]


def _paragraph(doc: object, text: str, *, size: float = 12, bold: bool = False, center: bool = False) -> None:
    para = doc.add_paragraph()  # type: ignore[attr-defined]
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(para.add_run(text), size, bold)


def _table(doc: object, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), 9, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), 9)


def assessment_docx(report: AssessmentReport) -> bytes:
    """通报 as DOCX: title, scope and period, the weights, the two ranked tables, the rules."""
    doc = DocxDocument()
    _paragraph(doc, "政府信息公开工作考核通报", size=18, bold=True, center=True)
    _paragraph(doc, f"统计范围：{report.scope.label}")
    _paragraph(doc, f"统计期间：{report.period.label}")
    _paragraph(doc, "一、考核指标和权重", size=14, bold=True)
    _paragraph(doc, f"权重来源：{report.weights_source}")
    _table(doc, ["指标", "权重", "口径"], [[m.label, str(w), m.explanation] for m, w in report.weight_rows])
    _paragraph(doc, "二、部门排名", size=14, bold=True)
    if report.departments:
        _table(doc, _ranking_header(report, "部门"), _ranking_rows(report, report.departments))
    else:
        _paragraph(doc, "统计期间没有可考核的部门。")
    _paragraph(doc, "三、承办人排名", size=14, bold=True)
    if report.handlers:
        _table(doc, _ranking_header(report, "承办人"), _ranking_rows(report, report.handlers))
    else:
        _paragraph(doc, "统计期间没有可考核的承办人。")
    _paragraph(doc, "四、计分规则", size=14, bold=True)
    for rule in SCORING_RULES:
        _paragraph(doc, rule)
    stream = io.BytesIO()
    doc.save(stream)
    return stream.getvalue()
