"""附件: type by content, size and zip-bomb limits, stored names, text extraction, permissions,
audit and the search change log. Fixture files are generated here."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import Attachment, SearchChange
from gongkai.policies.services.attachments import attachment_add, attachment_remove, clean_name
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_bytes(text: str = "Fangchanshui jianmian 2020") -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(300, 200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("关于减免房产税和城镇土地使用税的通知")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "减免期限"
    table.rows[0].cells[1].text = "三个月"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "政策清单"
    sheet.append(["事项", "牵头单位"])
    sheet.append(["稳岗返还", "省人力资源社会保障厅"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ofd_bytes() -> bytes:
    ns = "http://www.ofdspec.org/2016"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", f'<ofd:OFD xmlns:ofd="{ns}"><ofd:DocBody/></ofd:OFD>')
        for page, text in ((0, "复工复产政策兑现"), (1, "一件事一次办")):
            archive.writestr(
                f"Doc_0/Pages/Page_{page}/Content.xml",
                f'<ofd:Page xmlns:ofd="{ns}"><ofd:Content><ofd:Layer><ofd:TextObject>'
                f'<ofd:TextCode X="0" Y="0">{text}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>')
    return out.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/filler.xml", b"\0" * (30 * 1024 * 1024))
    return out.getvalue()


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def document(org_tree, taxonomy):
    return make_document(org_tree.dept_a)


def state() -> tuple[int, int, int]:
    return Attachment.objects.count(), AuditEvent.objects.count(), SearchChange.objects.count()


@pytest.mark.parametrize(("name", "make", "expected_text"), [
    ("通知.pdf", pdf_bytes, "Fangchanshui jianmian 2020"),
    ("通知.docx", docx_bytes, "关于减免房产税和城镇土地使用税的通知\n减免期限\t三个月"),
    ("清单.xlsx", xlsx_bytes, "政策清单\n事项\t牵头单位\n稳岗返还\t省人力资源社会保障厅"),
    ("公文.ofd", ofd_bytes, "复工复产政策兑现一件事一次办"),
])
def test_documents_are_stored_under_generated_names_and_their_text_extracted(document, media, name, make,
                                                                               expected_text):
    data = make()
    before = state()
    attachment = attachment_add(actor=None, document=document, uploaded_file=SimpleUploadedFile(name, data))
    assert attachment.extracted_text.strip() == expected_text
    assert attachment.original_name == name and attachment.size == len(data)
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == data
    assert stored.name == f"{attachment.sha256}.{attachment.extension}" and name not in str(stored)
    assert stored.is_relative_to(media)
    assert state() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert SearchChange.objects.latest("pk").document_id == document.pk
    assert AuditEvent.objects.latest("seq").action == "attachment.add"


def test_image_needs_alt_text(document, media):
    with pytest.raises(ValidationError, match="替代文字"):
        attachment_add(actor=None, document=document, uploaded_file=SimpleUploadedFile("图解.png", png_bytes()))
    assert stored_files(media) == []
    image = attachment_add(actor=None, document=document, alt_text="柱状图：2020年各月减免税费金额",
                           uploaded_file=SimpleUploadedFile("图解.png", png_bytes()))
    assert (image.extension, image.content_type, image.extracted_text) == ("png", "image/png", "")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("伪装.pdf", docx_bytes(), "与扩展名“.pdf”不符"),
    ("伪装.pdf", b"PK\x03\x04" + b"\0" * 100, "已损坏"),
    ("空.pdf", b"", "空文件"),
    ("脚本.exe", b"MZ\x90\x00", "不支持的附件类型"),
    ("网页.pdf", b"<html><script>alert(1)</script></html>", "不是 PDF、DOCX"),
    ("炸弹.docx", zip_bomb(), "压缩炸弹"),
    ("坏的.pdf", b"%PDF-1.7\n garbage", "PDF 文件已损坏"),
])
def test_refused_files_leave_nothing_behind(document, media, name, data, message):
    before = state()
    with pytest.raises(ValidationError, match=message):
        attachment_add(actor=None, document=document, uploaded_file=SimpleUploadedFile(name, data))
    assert state() == before
    assert stored_files(media) == []


def test_a_zip_that_is_not_an_office_file_is_refused_as_pdf(document, media):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError, match="不是 PDF、DOCX"):
        attachment_add(actor=None, document=document, uploaded_file=SimpleUploadedFile("文件.pdf", out.getvalue()))
    assert stored_files(media) == []


def test_size_limit(document, media, settings):
    settings.GONGKAI_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="不能超过 1 MB"):
        attachment_add(actor=None, document=document,
                       uploaded_file=SimpleUploadedFile("大.pdf", pdf_bytes() + b"\0" * (1024 * 1024)))
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_same_file_twice_is_refused(document):
    attachment_add(actor=None, document=document, uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()))
    with pytest.raises(ValidationError, match="已作为附件上传过"):
        attachment_add(actor=None, document=document, uploaded_file=SimpleUploadedFile("b.pdf", pdf_bytes()))


def test_path_components_are_stripped_from_the_original_name():
    assert clean_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_name("C:\\Users\\张三\\桌面\\通知.docx") == "通知.docx"
    assert clean_name("\x00通\n知.pdf") == "通知.pdf"


def test_only_publishers_of_the_organisation_may_add_or_remove(document, media, org_tree):
    outsider = StaffUserFactory()
    membership_grant(actor=None, user=outsider, organisation=org_tree.dept_b, role=OrgRole.PUBLISHER)
    with pytest.raises(PermissionDenied):
        attachment_add(actor=outsider, document=document, uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()))
    publisher = StaffUserFactory()
    membership_grant(actor=None, user=publisher, organisation=org_tree.dept_a, role=OrgRole.PUBLISHER)
    attachment = attachment_add(actor=publisher, document=document,
                                uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()))
    with pytest.raises(PermissionDenied):
        attachment_remove(actor=outsider, attachment=attachment)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_remove_deletes_row_and_file_after_commit(org_tree, taxonomy, media):
    document = make_document(org_tree.dept_a)
    attachment = attachment_add(actor=None, document=document, uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes()))
    path = Path(attachment.file.path)
    assert path.exists()
    changes = SearchChange.objects.count()
    attachment_remove(actor=None, attachment=attachment)
    assert not Attachment.objects.exists() and not path.exists()
    assert SearchChange.objects.count() == changes + 1
    assert AuditEvent.objects.latest("seq").action == "attachment.remove"
