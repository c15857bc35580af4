"""The one renderer: a template filled with its context (``fill``) → DOCX (python-docx) and PDF
(ReportLab with the built-in CID font STSong-Light, so no font file is shipped or embedded)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from gongkai.disclosure.letters.definitions import SEAL, LetterTemplate

PDF_FONT = "STSong-Light"
DOCX_FONT = "宋体"
_registered = False


class _Strict(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        raise KeyError(f"告知书模板缺少字段“{key}”")


@dataclass
class RenderedLetter:
    """A filled template: what both formats print, in order."""

    title: str
    reference: str
    addressee: str
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # ("para" | "item", text)
    agency: str = ""
    date_text: str = ""

    def plain_text(self) -> str:
        lines = [self.title, self.reference, self.addressee, *(t for _, t in self.paragraphs), self.agency, SEAL,
                 self.date_text]
        return "\n".join(lines)


def fill(template: LetterTemplate, context: dict[str, Any]) -> RenderedLetter:
    values = _Strict(context)
    letter = RenderedLetter(
        title=template.title,
        reference=f"受理编号：{context['receipt_no']}",
        addressee=template.addressee.format_map(values),
        agency=str(context["agency_name"]),
        date_text=str(context["letter_date"]),
    )
    for block in template.blocks:
        if block.when and not context.get(block.when):
            continue
        if block.kind == "items":
            items = [str(i) for i in context.get(block.key, []) if str(i).strip()]
            letter.paragraphs.extend(("item", f"{n}. {text}") for n, text in enumerate(items, 1))
        else:
            letter.paragraphs.append(("para", block.text.format_map(values)))
    return letter


# --- DOCX ----------------------------------------------------------------------------------------


def _docx_font(run: Any, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = DOCX_FONT
    # Word picks East Asian glyphs from w:eastAsia, not from w:ascii.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)


def to_docx(letter: RenderedLetter) -> bytes:
    doc = Document()
    doc.core_properties.title = letter.title
    doc.core_properties.author = letter.agency

    def line(text: str, *, size: float = 12, bold: bool = False, align: Any = None, indent: bool = False) -> None:
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        p.paragraph_format.line_spacing = 1.5
        _docx_font(p.add_run(text), size, bold)

    line(letter.title, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    line(letter.reference, size=10.5, align=WD_ALIGN_PARAGRAPH.RIGHT)
    line(letter.addressee)
    for style, text in letter.paragraphs:
        line(text, indent=style == "para")
    doc.add_paragraph()
    for text in (letter.agency, SEAL, letter.date_text):
        line(text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------------


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
        _registered = True
    return PDF_FONT


def to_pdf(letter: RenderedLetter) -> bytes:
    font = _font()
    base = ParagraphStyle("body", fontName=font, fontSize=12, leading=22, wordWrap="CJK", firstLineIndent=24)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=28, alignment=TA_CENTER, firstLineIndent=0,
                           spaceAfter=6)
    ref = ParagraphStyle("ref", parent=base, fontSize=10.5, alignment=TA_RIGHT, firstLineIndent=0, spaceAfter=10)
    plain = ParagraphStyle("plain", parent=base, firstLineIndent=0)
    item = ParagraphStyle("item", parent=base, firstLineIndent=0, leftIndent=24)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT, firstLineIndent=0)

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Any] = [p(letter.title, title), p(letter.reference, ref), p(letter.addressee, plain)]
    story += [p(text, item if kind == "item" else base) for kind, text in letter.paragraphs]
    story.append(Spacer(1, 18))
    story += [p(text, right) for text in (letter.agency, SEAL, letter.date_text)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=30 * mm,
                      bottomMargin=28 * mm, title=letter.title, author=letter.agency,
                      creator="Gongkai").build(story)
    return out.getvalue()


def render(letter: RenderedLetter, fmt: str) -> bytes:
    if fmt == "pdf":
        return to_pdf(letter)
    if fmt == "docx":
        return to_docx(letter)
    raise ValueError(f"不支持的格式：{fmt}")
