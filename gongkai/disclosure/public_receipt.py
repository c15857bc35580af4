"""回执 PDF for the applicant: receipt number, dates, how the due date follows, masked personal
data only, and a QR code that opens the tracking page. ReportLab's built-in CID font
STSong-Light needs no font file, so the PDF renders on any machine with a PDF reader."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from gongkai.disclosure.models import DisclosureRequest
from gongkai.domain.disclosure_receipt import CHINA_TZ

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def format_day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(CHINA_TZ)
    return f"{format_day(local.date())} {local:%H:%M}"


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (CJK text breaks at any character)."""
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


def receipt_pdf(req: DisclosureRequest, *, tracking_url: str, explanation: Sequence[str]) -> bytes:
    """The 回执 as PDF bytes."""
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"政府信息公开申请回执 {req.receipt_no}")
    pdf.setAuthor(req.organisation.name)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    y = height - 25 * mm

    pdf.setFont(font, 18)
    pdf.drawCentredString(width / 2, y, "政府信息公开申请回执")
    y -= 14 * mm

    qr = segno.make(tracking_url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=4, border=2)
    png.seek(0)
    qr_size = 32 * mm
    pdf.drawImage(ImageReader(png), right - qr_size, y - qr_size + 6 * mm, qr_size, qr_size)
    pdf.setFont(font, 8)
    pdf.drawCentredString(right - qr_size / 2, y - qr_size + 3 * mm, "扫码查询办理进度")

    rows: list[tuple[str, str]] = [
        ("受理机关", req.organisation.name),
        ("受理编号", req.receipt_no),
        ("申请人", req.applicant_name),
        ("申请人类型", req.get_applicant_type_display()
         + (f"（{req.get_organisation_kind_display()}）" if req.organisation_kind else "")),
    ]
    if req.credit_code:
        rows.append(("统一社会信用代码", req.credit_code))
    if req.id_number_cipher:
        rows.append(("证件号码", f"{req.get_id_type_display()} {req.id_number_masked}".strip()))
    if req.phone_cipher:
        rows.append(("联系电话", req.phone_masked))
    if req.address_cipher:
        rows.append(("通信地址", req.address_masked))
    rows += [
        ("提交方式", req.get_channel_display()),
        ("提交时间", format_time(req.arrived_at)),
        ("收到申请之日", format_day(req.received_on) or "待机关确认收到后确定"),
        ("答复期限", format_day(req.due_date) + ("（待确认）" if req.due_provisional else "")
         if req.due_date else "自收到申请之日起20个工作日内（待确认收到后计算）"),
        ("信息提供形式", req.get_form_wanted_display()),
        ("获取方式", req.get_delivery_method_display()),
    ]
    # Wide enough for the longest label (统一社会信用代码, 8 characters at 11 pt) plus a gap.
    label_width = max(pdf.stringWidth(label, font, 11) for label, _ in rows) + 5 * mm
    text_width = right - qr_size - 5 * mm - left - label_width
    for label, value in rows:
        pdf.setFont(font, 11)
        pdf.drawString(left, y, label)
        for i, line in enumerate(_wrap(value, text_width, 11)):
            pdf.drawString(left + label_width, y - i * 6 * mm, line)
        y -= max(1, len(_wrap(value, text_width, 11))) * 6 * mm + 1.5 * mm
        if y < qr_size:  # below the QR code the text may use the full width
            text_width = right - left - label_width

    full = right - left
    y -= 2 * mm
    for title, lines in (("所需政府信息", [req.description]), ("答复期限的计算", list(explanation))):
        pdf.setFont(font, 12)
        pdf.drawString(left, y, title)
        y -= 7 * mm
        pdf.setFont(font, 10)
        for paragraph in lines:
            for line in _wrap(paragraph, full, 10):
                if y < 25 * mm:
                    pdf.showPage()
                    pdf.setFont(font, 10)
                    y = height - 25 * mm
                pdf.drawString(left, y, line)
                y -= 5.5 * mm
        y -= 3 * mm

    pdf.setFont(font, 9)
    notes = [
        "请妥善保管查询码（提交成功页面显示，本回执不载明）；凭受理编号和查询码可查询办理进度、补正和下载答复。",
        f"查询网址：{tracking_url}",
        "依据《中华人民共和国政府信息公开条例》第三十一条、第三十三条出具。",
    ]
    for note in notes:
        for line in _wrap(note, full, 9):
            if y < 20 * mm:
                pdf.showPage()
                pdf.setFont(font, 9)
                y = height - 25 * mm
            pdf.drawString(left, y, line)
            y -= 5 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
