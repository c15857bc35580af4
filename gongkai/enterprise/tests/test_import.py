"""Importing enterprise lists (issue 6 §1): row-numbered errors, all or nothing, upsert by
统一社会信用代码, idempotent, background job with progress, export round trip."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from gongkai.core.models import AuditEvent
from gongkai.enterprise.models import Enterprise, EnterpriseTag, ImportJob
from gongkai.enterprise.services import (
    export_enterprises,
    import_enterprises,
    import_job_run,
    import_job_submit,
    import_template,
)
from gongkai.enterprise.tests.profile_helpers import code, make_enterprise, make_org, make_staff
from gongkai.policies.services.imports import read_rows

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HEADER = ["统一社会信用代码", "企业名称", "成立日期", "所在地区代码", "行业代码", "从业人员（人）", "营业收入（万元）",
          "资产总额（万元）", "个体工商户", "企业标签", "联系邮箱"]


def csv_bytes(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows() -> list[list[object]]:
    return [
        [code(1), "长沙甲软件有限公司", "2015-03-01", "430104", "I65", 120, 1500, 800, "否", "出口企业", ""],
        [code(2), "长沙乙食品有限公司", "2019/6/1", "430102", "C14", 25, 400, "", "否", "", "b@example.com"],
        [code(3, prefix="92"), "芙蓉区丙小吃店", "", "430102", "H622", 3, 30, 10, "是", "", ""],
    ]


@pytest.fixture
def org():
    return make_org("430100")


@pytest.fixture
def manager(org):
    return make_staff(org)


def test_bad_rows_are_reported_with_row_and_column_and_nothing_is_written(manager, org):
    """第N行（列）：message for every problem; with any error no row is written (all or nothing)."""
    rows = good_rows() + [
        ["91430102MA4L00000X", "坏代码公司", "", "430102", "I65", "", "", "", "", "", ""],  # row 5
        [code(5), "", "", "430102", "I65", "", "", "", "", "", ""],                        # row 6: new without name
        [code(6), "地区错公司", "", "99999", "Q99", "很多", "", "", "也许", "", ""],           # row 7
        [code(1), "重复公司", "", "430104", "I65", "", "", "", "", "", ""],                    # row 8: duplicate of row 2
        [code(7), "外地公司", "", "430202", "I65", "", "", "", "", "", ""],                    # row 9: outside the area
    ]
    before_enterprises, before_audit = Enterprise.objects.count(), AuditEvent.objects.count()
    report = import_enterprises(actor=manager, organisation=org, rows=read_rows(csv_bytes(rows), "csv"))
    assert not report.ok
    got = {(e.row, e.column) for e in report.errors}
    assert (5, "统一社会信用代码") in got
    assert (6, "企业名称") in got
    assert {(7, "所在地区代码"), (7, "行业代码"), (7, "从业人员（人）"), (7, "个体工商户")} <= got
    assert (8, "统一社会信用代码") in got
    assert (9, "所在地区代码") in got
    messages = {str(e) for e in report.errors}
    assert f"第8行（统一社会信用代码）：统一社会信用代码 {code(1)} 与第2行重复。" in messages
    assert any(m.startswith("第7行（行业代码）：行业代码“Q99”不在国民经济行业分类") for m in messages)
    assert not any(e.row in (2, 3, 4) for e in report.errors)
    assert Enterprise.objects.count() == before_enterprises
    assert AuditEvent.objects.count() == before_audit
    assert "未写入任何数据" in report.summary()


def test_import_creates_then_upserts_idempotently_by_credit_code(manager, org):
    """工信部联企业〔2011〕300号: the size class of every imported row comes from the size rule."""
    data = xlsx_bytes(good_rows())
    report = import_enterprises(actor=manager, organisation=org, rows=read_rows(data, "xlsx"))
    assert report.ok and (report.created, report.updated, report.unchanged) == (3, 0, 0)
    software = Enterprise.objects.get(credit_code=code(1))
    assert software.size_class == "medium" and software.region_code == "430104"
    assert list(software.tags.values_list("name", flat=True)) == ["出口企业"]
    assert Enterprise.objects.get(credit_code=code(3, prefix="92")).is_individual
    audit_rows = AuditEvent.objects.count()
    again = import_enterprises(actor=manager, organisation=org, rows=read_rows(data, "xlsx"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEvent.objects.count() == audit_rows + 1  # only the import summary row
    assert Enterprise.objects.get(pk=software.pk).version == 1
    # A changed figure updates that enterprise only and recomputes its size; empty cells keep values.
    changed = [[code(1), "", "", "", "", 400, 20000, "", "", "", ""]]
    third = import_enterprises(actor=manager, organisation=org, rows=read_rows(csv_bytes(changed), "csv"))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 0)
    software.refresh_from_db()
    assert software.size_class == "large" and software.name == "长沙甲软件有限公司" and software.version == 2
    assert list(software.tags.values_list("name", flat=True)) == ["出口企业"]
    event = AuditEvent.objects.filter(action="enterprise.import_update").get()
    assert event.before == {"employees": 120, "revenue": "1500.00", "size_class": "medium"}
    assert event.after == {"employees": 400, "revenue": "20000.00", "size_class": "large"}
    assert EnterpriseTag.objects.filter(name="出口企业").count() == 1


def test_export_then_import_changes_nothing(manager, org):
    import_enterprises(actor=manager, organisation=org, rows=read_rows(csv_bytes(good_rows()), "csv"))
    for fmt in ("csv", "xlsx"):
        data = export_enterprises(actor=manager, enterprises=Enterprise.objects.all(), fmt=fmt)
        report = import_enterprises(actor=manager, organisation=org, rows=read_rows(data, fmt))
        assert report.ok, [str(e) for e in report.errors]
        assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    exported = export_enterprises(actor=manager, enterprises=Enterprise.objects.all(), fmt="csv").decode("utf-8-sig")
    assert "企业规模" in exported and "中型" in exported and "个体工商户" in exported
    assert AuditEvent.objects.filter(action="enterprise.export").exists()


def test_template_imports_cleanly(manager, org):
    rows = read_rows(import_template(), "csv")
    assert [k for k in rows[0] if not k.startswith("_")] == HEADER
    report = import_enterprises(actor=manager, organisation=org, rows=rows)
    assert report.ok and report.created == 1


def test_staff_of_another_area_or_without_the_role_cannot_import(org):
    from django.core.exceptions import PermissionDenied

    from gongkai.accounts.roles import OrgRole

    other = make_staff(make_org("430200"))
    with pytest.raises(PermissionDenied):
        import_enterprises(actor=other, organisation=org, rows=read_rows(csv_bytes(good_rows()), "csv"))
    handler = make_staff(org, role=OrgRole.HANDLER)
    with pytest.raises(PermissionDenied):
        import_job_submit(actor=handler, organisation=org, file_name="a.csv", data=csv_bytes(good_rows()))
    assert not ImportJob.objects.exists()


def test_background_job_runs_in_the_worker_and_records_progress(manager, org, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    rows = [[code(100 + i), f"批量企业{i}有限公司", "", "430102", "C39", 30 + i, 500, 300, "否", "", ""]
            for i in range(450)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_submit(actor=manager, organisation=org, file_name="批量.csv", data=csv_bytes(rows),
                                background=True)
    assert job.status == "queued" and not Enterprise.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()  # after commit: the task is enqueued (run at once by the immediate backend)
    job.refresh_from_db()
    assert job.status == "succeeded", job.summary
    assert (job.total, job.done, job.created) == (450, 450, 450)
    assert job.data == b"" and job.finished_at is not None
    assert Enterprise.objects.count() == 450
    assert import_job_run(job.pk) == "succeeded"  # a second run of the task does nothing
    assert Enterprise.objects.count() == 450


def test_small_upload_runs_at_once_and_job_page_polls_until_done(manager, org):
    from gongkai.portal.tests.helpers import login_verified

    client = Client()
    login_verified(client, manager)
    assert client.get("/staff/enterprises/import/").status_code == 200
    upload = io.BytesIO(csv_bytes(good_rows()))
    upload.name = "名录.csv"
    response = client.post("/staff/enterprises/import/", {"organisation": org.pk, "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/enterprises/import/{job.pk}/"
    assert job.status == "succeeded" and Enterprise.objects.count() == 3
    page = client.get(f"/staff/enterprises/import/{job.pk}/").content.decode()
    assert "导入完成" in page and "新建 3 家" in page and "hx-trigger" not in page
    # A job still running is polled: the fragment (HX-Request) carries hx-get/hx-trigger.
    ImportJob.objects.filter(pk=job.pk).update(status="running", phase="校验", done=200, total=400)
    fragment = client.get(f"/staff/enterprises/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="import-progress"') and "<html" not in fragment
    assert 'hx-trigger="every 2s"' in fragment and "200 / 400" in fragment and 'value="50"' in fragment
    other = Client()
    login_verified(other, make_staff(make_org("430200")))
    assert other.get(f"/staff/enterprises/import/{job.pk}/").status_code == 404


def test_rejected_upload_shows_errors_by_row(manager, org):
    from gongkai.portal.tests.helpers import login_verified

    client = Client()
    login_verified(client, manager)
    upload = io.BytesIO(csv_bytes([*good_rows(), [code(9), "坏地区公司", "", "12345", "I65", "", "", "", "", "", ""]]))
    upload.name = "名录.csv"
    response = client.post("/staff/enterprises/import/", {"organisation": org.pk, "file": upload}, follow=True)
    body = response.content.decode()
    assert "有错误，未导入" in body and "第5行" in body and "所在地区代码" in body
    assert not Enterprise.objects.exists()
    bad_type = io.BytesIO(b"hello")
    bad_type.name = "名录.txt"
    response = client.post("/staff/enterprises/import/", {"organisation": org.pk, "file": bad_type})
    assert response.status_code == 200 and ".csv 或 .xlsx" in response.content.decode()


def test_unreadable_file_is_rejected_without_writing(manager, org):
    job = import_job_submit(actor=manager, organisation=org, file_name="坏.xlsx", data=b"not a workbook")
    assert job.status == "rejected" and "无法读取" in job.summary
    assert job.errors[0][0] == 0 and not Enterprise.objects.exists()


def test_existing_enterprise_keeps_values_for_empty_cells(manager, org):
    make_enterprise(50, employees=70, revenue="900", assets="300", contact_email="keep@example.com")
    rows = [[code(50), "", "", "", "", "", "", "", "", "新标签", ""]]
    report = import_enterprises(actor=manager, organisation=org, rows=read_rows(csv_bytes(rows), "csv"))
    assert report.ok and report.updated == 1
    stored = Enterprise.objects.get(credit_code=code(50))
    assert (stored.employees, stored.contact_email) == (70, "keep@example.com")
    assert list(stored.tags.values_list("name", flat=True)) == ["新标签"]
