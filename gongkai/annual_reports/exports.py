"""Exports of a report's content: xlsx (openpyxl: one sheet per table), DOCX (python-docx) and
PDF (ReportLab with the built-in CID font STSong-Light, as the disclosure letters). All three
draw ``layout`` from the content alone, so a published version exports exactly what was frozen.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from gongkai.annual_reports import layout

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
PDF_FONT = "STSong-Light"
DOCX_FONT = "宋体"


def footer(content: Mapping[str, Any]) -> str:
    if content.get("version"):
        text = f"第{content['version']}版，发布日期：{content.get('published_on', '')}"
        return text + (f"。更正说明：{content['note']}" if content.get("note") else "")
    return "工作稿（未发布），数字按导出时的记录计算"


# --- xlsx -------------------------------------------------------------------------------------------


def to_xlsx(content: Mapping[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    wb.remove(wb.active)
    sheet_names = {"二": "表二 主动公开", "三": "表三 依申请公开", "四": "表四 复议诉讼"}
    for section in layout.sections(content):
        table = section.table
        if table is None:
            continue
        ws = wb.create_sheet(sheet_names[section.title[0]])
        ws.cell(row=1, column=1, value=f"{content['title']}  {section.title}").font = Font(bold=True, size=12)
        offset = 2
        for r, c, cell in layout.place(table):
            row, col = r + offset + 1, c + 1
            target = ws.cell(row=row, column=col)
            if cell.numeric and cell.text not in ("", None):
                try:
                    value: Any = int(cell.text)
                except ValueError:
                    value = float(cell.text)
            else:
                value = cell.text
            target.value = value
            target.alignment = Alignment(wrap_text=True, vertical="center",
                                         horizontal="right" if cell.numeric else "center" if cell.header else "left")
            if cell.header:
                target.font = Font(bold=cell.scope in ("col", "colgroup"))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    ws.cell(row=row + dr, column=col + dc).border = border
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(start_row=row, start_column=col, end_row=row + cell.rowspan - 1,
                               end_column=col + cell.colspan - 1)
        for c in range(1, table.columns + 1):
            ws.column_dimensions[get_column_letter(c)].width = 14 if table.columns > 4 else 22
        last = ws.max_row + 2
        ws.cell(row=last, column=1, value=footer(content))
    out = io.BytesIO()
    wb.properties.title = content["title"]
    wb.properties.creator = "Gongkai"
    wb.save(out)
    return out.getvalue()


# --- DOCX -------------------------------------------------------------------------------------------


def _docx_run(paragraph: Any, text: str, *, size: float = 12, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = DOCX_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)


def to_docx(content: Mapping[str, Any]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = content["title"]
    doc.core_properties.author = content["organisation"]["name"]
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_run(title, content["title"], size=18, bold=True)
    for section in layout.sections(content):
        _docx_run(doc.add_paragraph(), section.title, size=14, bold=True)
        for text in section.text:
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(24)
            p.paragraph_format.line_spacing = 1.5
            _docx_run(p, text)
        if section.table is not None:
            grid = layout.place(section.table)
            table = doc.add_table(rows=len(section.table.rows), cols=section.table.columns)
            table.style = "Table Grid"
            for r, c, cell in grid:
                target = table.cell(r, c)
                if cell.rowspan > 1 or cell.colspan > 1:
                    target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
                p = target.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if cell.numeric else WD_ALIGN_PARAGRAPH.CENTER \
                    if cell.header and cell.scope != "row" else WD_ALIGN_PARAGRAPH.LEFT
                _docx_run(p, cell.text, size=9 if section.table.columns > 4 else 10.5,
                          bold=cell.header and cell.scope in ("col", "colgroup"))
    doc.add_paragraph()
    end = doc.add_paragraph()
    end.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _docx_run(end, content["organisation"]["name"])
    _docx_run(doc.add_paragraph(), footer(content), size=9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------

_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
        _registered = True
    return PDF_FONT


def to_pdf(content: Mapping[str, Any]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable

    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=20, wordWrap="CJK", firstLineIndent=22)
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=22, firstLineIndent=0, spaceBefore=8,
                             spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=26, alignment=TA_CENTER, firstLineIndent=0,
                           spaceAfter=10)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=10, wordWrap="CJK")
    num_style = ParagraphStyle("num", parent=cell_style, alignment=TA_RIGHT)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=12, firstLineIndent=0)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT, firstLineIndent=0)
    width = A4[0] - 40 * mm

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Any] = [p(content["title"], title)]
    for section in layout.sections(content):
        story.append(p(section.title, heading))
        story += [p(t, body) for t in section.text]
        if section.table is not None:
            t = section.table
            data = [["" for _ in range(t.columns)] for _ in t.rows]
            spans = []
            for r, c, cell in layout.place(t):
                data[r][c] = p(cell.text, num_style if cell.numeric else cell_style)
                if cell.rowspan > 1 or cell.colspan > 1:
                    spans.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
            if t.columns == 10:
                widths = [14 * mm, 16 * mm, 40 * mm] + [(width - 70 * mm) / 7] * 7
            else:
                widths = [width / t.columns] * t.columns
            story.append(PdfTable(data, colWidths=widths, repeatRows=len(t.head), style=[
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *spans]))
    story += [Spacer(1, 14), p(content["organisation"]["name"], right), p(footer(content), small)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm,
                      bottomMargin=20 * mm, title=content["title"], author=content["organisation"]["name"],
                      creator="Gongkai").build(story)
    return out.getvalue()


def render(content: Mapping[str, Any], fmt: str) -> bytes:
    if fmt == "xlsx":
        return to_xlsx(content)
    if fmt == "docx":
        return to_docx(content)
    if fmt == "pdf":
        return to_pdf(content)
    raise ValueError(f"不支持的格式：{fmt}")


def filename(content: Mapping[str, Any], fmt: str) -> str:
    version = f"-v{content['version']}" if content.get("version") else "-draft"
    return f"annual-report-{content['organisation']['slug']}-{content['year']}{version}.{fmt}"
