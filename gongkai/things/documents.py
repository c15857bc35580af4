"""Generated files of 一件事一次办: the acceptance receipt (受理回执, PDF) and the 政务服务一本通
(service guide of all published things, DOCX) with a QR code per thing. ReportLab's built-in CID
font STSong-Light needs no font file; segno writes the QR PNGs without Pillow."""

from __future__ import annotations

import io
from collections.abc import Callable

import segno
from docx import Document as DocxDocument
from docx.shared import Cm
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from gongkai.things.models import Acceptance, Application, Thing
from gongkai.things.selectors import notice, public_things

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def qr_png(url: str, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        line = ""
        for char in paragraph:
            if pdfmetrics.stringWidth(line + char, FONT, size) > width:
                lines.append(line)
                line = char
            else:
                line += char
        lines.append(line)
    return lines


def receipt_pdf(application: Application, *, progress_url: str) -> bytes:
    """受理回执: receipt number, thing, enterprise, acceptance channel and day, each department's
    item with its time limit and due date, and a QR code to the progress page."""
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"受理回执 {application.receipt_no}")
    width, height = A4
    y = height - 30 * mm
    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, y, "“一件事一次办”受理回执")
    y -= 14 * mm
    acceptance = application.acceptances.filter(decision=Acceptance.Decision.ACCEPTED).select_related(
        "window", "window__hall").last()
    channel = "网上受理"
    if acceptance is not None and acceptance.window is not None:
        channel = f"窗口受理（{acceptance.window}）"
    rows = [
        ("受理编号", application.receipt_no or ""),
        ("事项名称", application.thing.name),
        ("申请企业", f"{application.enterprise.name}（{application.enterprise.credit_code}）"),
        ("牵头部门", application.thing.lead_department.name),
        ("受理方式", channel),
        ("受理日期", f"{application.accepted_on:%Y年%m月%d日}" if application.accepted_on else ""),
    ]
    pdf.setFont(font, 11)
    for label, value in rows:
        pdf.drawString(25 * mm, y, f"{label}：")
        for line in _wrap(value, 120 * mm, 11):
            pdf.drawString(50 * mm, y, line)
            y -= 7 * mm
    y -= 4 * mm
    pdf.setFont(font, 12)
    pdf.drawString(25 * mm, y, "联办事项及办理期限（工作日，不含法定节假日，调休上班日计入）：")
    y -= 8 * mm
    pdf.setFont(font, 10)
    for task in application.tasks.select_related("item", "department").order_by("due_date", "id"):
        text = (f"{task.item.title}｜{task.department.name}｜{task.days}个工作日｜"
                f"办理期限 {task.due_date:%Y-%m-%d}{'（待确认）' if task.due_provisional else ''}")
        for line in _wrap(text, 160 * mm, 10):
            pdf.drawString(25 * mm, y, line)
            y -= 6 * mm
    y -= 6 * mm
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(progress_url))), 25 * mm, y - 30 * mm, 30 * mm, 30 * mm)
    for n, line in enumerate(_wrap(f"扫码或登录后查看各部门办理进度：{progress_url}", 110 * mm, 9)):
        pdf.drawString(60 * mm, y - 8 * mm - n * 5 * mm, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def guide_docx(url_for: Callable[[Thing], str]) -> bytes:
    """政务服务一本通: every published thing with its 一次告知 (items, departments, time limits,
    fees, merged materials, where to apply) and a QR code to its page."""
    doc = DocxDocument()
    doc.add_heading("政务服务一本通（“一件事一次办”）", level=0)
    doc.add_paragraph("本手册汇集全部“一件事”的办事指南：一次告知、一表申请、一套材料、一窗受理、一次办结。")
    for thing in public_things().prefetch_related("windows__hall"):
        info = notice(thing)
        doc.add_heading(thing.name, level=1)
        if thing.summary:
            doc.add_paragraph(thing.summary)
        doc.add_paragraph(f"牵头部门：{thing.lead_department.name}")
        doc.add_paragraph("配合部门：" + ("、".join(d.name for d in info.departments
                                                  if d.pk != thing.lead_department_id) or "无"))
        if info.longest_days:
            doc.add_paragraph(f"办理时限：各部门并联办理，最长{info.longest_days}个工作日")
        doc.add_paragraph(f"收费标准：{thing.fees_text}")
        if thing.conditions_text:
            doc.add_paragraph(f"申请条件：{thing.conditions_text}")
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        head = table.rows[0].cells
        head[0].text, head[1].text, head[2].text = "事项", "承办部门", "承诺时限（工作日）"
        for item in info.items:
            cells = table.add_row().cells
            cells[0].text = item.title
            cells[1].text = item.department.name
            cells[2].text = str(item.promised_days or "")
        doc.add_paragraph("申请材料（一套材料）：")
        for m in info.materials:
            doc.add_paragraph(f"{m.name}（{m.source.label}）", style="List Bullet")
        windows = "；".join(f"{w.hall.name}{w.number}（{w.get_kind_display()}）" for w in info.windows)
        doc.add_paragraph(f"办理地点：网上办理，或{windows or '各级政务服务大厅综合窗口'}")
        url = url_for(thing)
        doc.add_picture(io.BytesIO(qr_png(url)), width=Cm(3))
        doc.add_paragraph(f"扫码查看办事指南：{url}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
