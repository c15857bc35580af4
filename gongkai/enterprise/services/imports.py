"""Importing and exporting enterprise lists (企业名录导入导出), CSV or XLSX with Chinese columns.

``import_enterprises`` validates every row first and reports every error with its row number and
column (第N行（列）); only a file without errors is written, in one transaction (all or nothing).
Rows are matched by 统一社会信用代码 (upsert): an empty cell leaves the stored value alone, and a
row equal to the stored profile changes nothing and writes no audit row, so importing the same
file twice is idempotent. The 企业规模 is computed for every row by the size rule, never read
from the file (the export's 企业规模 column is ignored on import).

Big files run as a background task (``ImportJob`` + ``tasks.run_import_job``): the validation
phase stores its progress on the job as it goes (each update is its own small commit, so the
page polling the job sees it), then the write phase runs in one transaction.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.core.audit import AuditEntry, record, record_many
from gongkai.enterprise import access
from gongkai.enterprise.models import Enterprise, EnterpriseTag, ImportJob
from gongkai.enterprise.services.profiles import (
    IndustryLookup,
    ProfileError,
    check_state,
    clean_values,
    comparable,
    parse_credit_code,
    state_of,
    text,
)
from gongkai.policies.services.imports import ImportValueError, RowError, read_rows

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
MAX_FILE_BYTES = 20 * 1024 * 1024
SYNC_MAX_BYTES = 64 * 1024  # smaller files are imported at once, bigger ones in the worker
MAX_STORED_ERRORS = 500
PROGRESS_EVERY = 200

# (key, Chinese column). Import reads these; export writes them, then the read-only columns.
COLUMNS: list[tuple[str, str]] = [
    ("credit_code", "统一社会信用代码"),
    ("name", "企业名称"),
    ("registered_on", "成立日期"),
    ("region_code", "所在地区代码"),
    ("industry", "行业代码"),
    ("employees", "从业人员（人）"),
    ("revenue", "营业收入（万元）"),
    ("assets", "资产总额（万元）"),
    ("is_individual", "个体工商户"),
    ("tags", "企业标签"),
    ("contact_email", "联系邮箱"),
]
EXPORT_ONLY: list[tuple[str, str]] = [("industry_name", "行业名称"), ("size", "企业规模"),
                                      ("claim", "认领状态"), ("qualifications", "资质")]
LABELS = dict(COLUMNS)
_ALIASES = {
    "所在地区": "region_code", "所在地区（行政区划代码）": "region_code", "行政区划代码": "region_code",
    "所属行业": "industry", "行业": "industry", "行业代码（GB/T 4754-2017）": "industry",
    "从业人员": "employees", "营业收入": "revenue", "资产总额": "assets", "是否个体工商户": "is_individual",
    "标签": "tags", "邮箱": "contact_email", "名称": "name", "企业名称（全称）": "name",
}
_KEY_FOR = {**{zh: key for key, zh in COLUMNS}, **{key: key for key, _ in COLUMNS}, **_ALIASES}
_IGNORED = {zh for _, zh in EXPORT_ONLY}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ImportReport:
    """导入结果. With errors nothing was written; the counts are then those of the valid rows."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"共 {self.total} 行，发现 {len(self.errors)} 处错误，未写入任何数据。"
        return f"共 {self.total} 行：新建 {self.created} 家，更新 {self.updated} 家，未变化 {self.unchanged} 家。"


@dataclass
class _Plan:
    row: int
    existing: Enterprise | None
    state: dict[str, Any]
    tags: list[str] | None  # None: leave the tags alone
    action: str
    before: dict[str, Any] = field(default_factory=dict)  # audit picture of the changed fields
    after: dict[str, Any] = field(default_factory=dict)


class _Conflict(Exception):
    pass


def _check_access(actor: Any, organisation: Organisation | None) -> Callable[[str], bool]:
    """Which regions this import may touch: the organisation's area (or, without one, the
    actor's); the system importer (``actor=None``) everywhere."""
    if actor is None:
        if organisation is None:
            return lambda region: True
        prefix = access.region_prefix(organisation)
        return lambda region: region.startswith(prefix)
    if organisation is not None:
        if not user_has_org_perm(actor, organisation, access.MANAGE):
            raise PermissionDenied(f"您无权以“{organisation.name}”的名义导入企业名录。")
        prefix = access.region_prefix(organisation)
        return lambda region: region.startswith(prefix)
    prefixes = access.region_prefixes_for(actor)
    if not prefixes:
        raise PermissionDenied("您无权导入企业名录。")
    return lambda region: any(region.startswith(p) for p in prefixes)


def _validate(rows: list[dict[str, Any]], covers: Callable[[str], bool], errors: list[RowError],
              notify: Callable[[str, int, int], None]) -> list[_Plan]:
    lookup = IndustryLookup()
    codes = []
    for row in rows:
        try:
            codes.append(parse_credit_code(row.get("credit_code", row.get("统一社会信用代码"))))
        except ProfileError:
            pass
    existing_by_code: dict[str, Enterprise] = {}
    for start in range(0, len(codes), 500):
        for enterprise in (Enterprise.objects.filter(credit_code__in=codes[start:start + 500])
                           .select_related("industry").prefetch_related("tags")):
            existing_by_code[enterprise.credit_code] = enterprise

    plans: list[_Plan] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        number = int(row["_row"])
        if "_error" in row:
            errors.append(RowError(number, "", str(row["_error"])))
            continue
        before = len(errors)
        raw: dict[str, Any] = {}
        for name, value in row.items():
            if name.startswith("_") or name.strip() in _IGNORED:
                continue
            key = _KEY_FOR.get(name.strip())
            if key is None:
                errors.append(RowError(number, name, f"未知的列“{name}”。"))
                continue
            raw[key] = value
        if not text(raw.get("credit_code")):
            errors.append(RowError(number, LABELS["credit_code"], "请填写统一社会信用代码。"))
            continue
        # An empty cell leaves the stored value alone (a new row gets the default).
        filled = {k: v for k, v in raw.items() if text(v) != "" or k == "credit_code"}
        values, problems = clean_values(filled, lookup)
        for key, message in problems:
            errors.append(RowError(number, LABELS.get(key, key), message))
        code = values.get("credit_code", "")
        if code:
            if code in seen:
                errors.append(RowError(number, LABELS["credit_code"], f"统一社会信用代码 {code} 与第{seen[code]}行重复。"))
            else:
                seen[code] = number
        if len(errors) > before:
            continue
        existing = existing_by_code.get(code)
        tags = values.pop("tags", None)
        base = state_of(existing) if existing else {
            "credit_code": code, "name": "", "registered_on": None, "region_code": "", "industry": None,
            "employees": None, "revenue": None, "assets": None, "is_individual": code.startswith("92"),
            "contact_email": "", "size_class": ""}
        state = {**base, **values}
        for key, message in check_state(state):
            errors.append(RowError(number, LABELS.get(key, key), message))
        region = state["region_code"]
        if region and not covers(region):
            errors.append(RowError(number, LABELS["region_code"], f"所在地区 {region} 不在本次导入机关的管辖范围内。"))
        if existing is not None and existing.region_code != region and not covers(existing.region_code):
            errors.append(RowError(number, LABELS["region_code"],
                                   f"该企业已在 {existing.region_code or '（未填地区）'} 建档，不在本次导入机关的管辖范围内。"))
        if len(errors) > before:
            continue
        old, new = comparable(base), comparable(state)
        if existing is None:
            plan = _Plan(number, None, state, tags or None, "created", after=new)
            if tags:
                plan.after["tags"] = tags
        else:
            changed = [k for k in new if new[k] != old[k]]
            stored_tags = sorted(t.name for t in existing.tags.all())
            tags_changed = tags is not None and stored_tags != sorted(tags)
            plan = _Plan(number, existing, state, tags if tags_changed else None,
                         "updated" if changed or tags_changed else "unchanged",
                         before={k: old[k] for k in changed}, after={k: new[k] for k in changed})
            if tags_changed and tags is not None:
                plan.before["tags"], plan.after["tags"] = stored_tags, sorted(tags)
        plans.append(plan)
        if i % PROGRESS_EVERY == 0:
            notify("校验", i, len(rows))
    notify("校验", len(rows), len(rows))
    return plans


def _write(plans: list[_Plan], actor: Any, organisation: Organisation | None, source: str) -> None:
    now = timezone.now()
    updates = [p for p in plans if p.action == "updated"]
    news = [p for p in plans if p.action == "created"]
    # Nothing may have changed since validation (optimistic check under row locks).
    ids = [p.existing.pk for p in updates if p.existing]
    versions: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        versions.update(Enterprise.objects.select_for_update().filter(pk__in=ids[start:start + 500])
                        .values_list("pk", "version"))
    for plan in updates:
        assert plan.existing is not None
        if versions.get(plan.existing.pk) != plan.existing.version:
            raise _Conflict(plan.row)
    fields = ["name", "registered_on", "region_code", "industry", "employees", "revenue", "assets",
              "is_individual", "contact_email", "size_class"]
    created = [Enterprise(**p.state) for p in news]
    try:
        with transaction.atomic():
            Enterprise.objects.bulk_create(created, batch_size=500)
    except IntegrityError:
        raise _Conflict(0) from None
    if any(e.pk is None for e in created):  # a backend that does not return keys
        by_code = dict(Enterprise.objects.filter(credit_code__in=[e.credit_code for e in created])
                       .values_list("credit_code", "pk"))
        for enterprise in created:
            enterprise.pk = by_code[enterprise.credit_code]
    changed_objects = []
    for plan in updates:
        assert plan.existing is not None
        enterprise = plan.existing
        for key in fields:
            setattr(enterprise, key, plan.state[key])
        enterprise.version += 1
        enterprise.updated_at = now
        changed_objects.append(enterprise)
    Enterprise.objects.bulk_update(changed_objects, [*fields, "version", "updated_at"], batch_size=500)

    tagged = [(e, p.tags) for e, p in zip(created, news, strict=True) if p.tags is not None]
    tagged += [(p.existing, p.tags) for p in updates if p.tags is not None and p.existing is not None]
    if tagged:
        names = sorted({n for _, tags in tagged for n in tags or []})
        by_name = {t.name: t for t in EnterpriseTag.objects.filter(name__in=names)}
        missing = [EnterpriseTag(name=n) for n in names if n not in by_name]
        if missing:
            EnterpriseTag.objects.bulk_create(missing, ignore_conflicts=True)
            by_name = {t.name: t for t in EnterpriseTag.objects.filter(name__in=names)}
        through = Enterprise.tags.through
        enterprise_ids = [e.pk for e, _ in tagged]
        for start in range(0, len(enterprise_ids), 500):
            through.objects.filter(enterprise_id__in=enterprise_ids[start:start + 500]).delete()
        through.objects.bulk_create([through(enterprise_id=e.pk, enterprisetag_id=by_name[n].pk)
                                     for e, tags in tagged for n in tags or []], batch_size=1000)

    entries = [AuditEntry("enterprise.import_create", actor=actor, organisation=organisation, obj=enterprise,
                          after=plan.after, detail=source) for enterprise, plan in zip(created, news, strict=True)]
    entries += [AuditEntry("enterprise.import_update", actor=actor, organisation=organisation, obj=plan.existing,
                           before=plan.before, after=plan.after, detail=source) for plan in updates]
    record_many(entries)


def import_enterprises(*, actor: Any, rows: Iterable[dict[str, Any]], organisation: Organisation | None = None,
                       dry_run: bool = False, progress: Callable[[str, int, int], None] | None = None,
                       source: str = "") -> ImportReport:
    """导入企业名录: validate all rows, then (unless ``dry_run`` or any error) write them in one
    transaction. ``actor=None`` is the system importer (demo loader, command line); staff import
    within the 行政区划 of ``organisation`` (where they hold ``Perm.MANAGE_ENTERPRISES``)."""
    rows = [{"_row": i + 1, **row} if "_row" not in row else row for i, row in enumerate(rows, start=1)]
    report = ImportReport(total=len(rows))
    notify = progress or (lambda phase, done, total: None)
    covers = _check_access(actor, organisation)
    plans = _validate(rows, covers, report.errors, notify)
    report.errors.sort(key=lambda e: e.row)
    for plan in plans:
        setattr(report, plan.action, getattr(report, plan.action) + 1)
    if report.errors or dry_run:
        return report
    notify("写入", 0, len(rows))
    try:
        with transaction.atomic():
            _write(plans, actor, organisation, source)
            record("enterprise.import", actor=actor, organisation=organisation, object_type="enterprise.Enterprise",
                   detail=f"{source} {report.summary()}".strip(),
                   after={"total": report.total, "created": report.created, "updated": report.updated,
                          "unchanged": report.unchanged})
            if report.created or report.updated:
                # Profiles changed: every published item's audience (政策匹配) is recomputed after commit.
                from gongkai.enterprise.matching import request_full_recompute

                request_full_recompute()
    except _Conflict as conflict:
        report.errors.append(RowError(conflict.args[0], "", "导入期间有企业档案被修改或新建，未写入任何数据，请重新导入。"))
    notify("写入", len(rows), len(rows))
    return report


# --- Files and background jobs -------------------------------------------------------------------

def format_of(file_name: str) -> str:
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in FORMATS:
        raise ValidationError({"file": ["请上传 .csv 或 .xlsx 文件（列名见导入模板）。"]})
    return suffix


@transaction.atomic
def import_job_create(*, actor: Any, organisation: Organisation, file_name: str, data: bytes,
                      request: HttpRequest | None = None) -> ImportJob:
    """登记一次导入 (the file is kept on the job until it has run)."""
    if not user_has_org_perm(actor, organisation, access.MANAGE):
        raise PermissionDenied(f"您无权以“{organisation.name}”的名义导入企业名录。")
    fmt = format_of(file_name)
    if not data:
        raise ValidationError({"file": ["文件是空的。"]})
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": [f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请拆分后导入。"]})
    job = ImportJob.objects.create(organisation=organisation, created_by=actor, file_name=file_name[-200:],
                                   file_format=fmt, data=data)
    record("enterprise.import_job_create", request=request, actor=actor, organisation=organisation, obj=job,
           after={"file_name": job.file_name, "bytes": len(data)})
    return job


def import_job_submit(*, actor: Any, organisation: Organisation, file_name: str, data: bytes,
                      request: HttpRequest | None = None, background: bool | None = None) -> ImportJob:
    """Create the job, then run it at once (small files) or in the worker (``background`` or a
    file over ``SYNC_MAX_BYTES``); the job page shows the progress either way."""
    job = import_job_create(actor=actor, organisation=organisation, file_name=file_name, data=data,
                            request=request)
    if background is None:
        background = len(data) > SYNC_MAX_BYTES
    if background:
        from gongkai.enterprise.tasks import run_import_job

        def enqueue() -> None:
            try:
                run_import_job.enqueue(job.pk)
            except Exception:
                logger.exception("could not enqueue import job %s", job.pk)

        transaction.on_commit(enqueue)
    else:
        import_job_run(job.pk)
        job.refresh_from_db()
    return job


def _finish(job_id: int, status: str, summary: str, errors: list[RowError] | None = None,
            report: ImportReport | None = None) -> None:
    stored = [[e.row, e.column, e.message] for e in (errors or [])[:MAX_STORED_ERRORS]]
    counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged} if report else {}
    ImportJob.objects.filter(pk=job_id).update(status=status, summary=summary[:300], errors=stored, data=b"",
                                               finished_at=timezone.now(), **counts)


def import_job_run(job_id: int) -> str:
    """Run one import job (the task body). Only a queued job runs (or one left running for more
    than 30 minutes by a killed worker: the write is all or nothing and the upsert idempotent,
    so running it again is safe). Returns the job's final status."""
    now = timezone.now()
    claimed = (ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED)
               .update(status=ImportJob.Status.RUNNING, started_at=now, phase="读取文件", done=0))
    if not claimed:
        claimed = (ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING,
                                            started_at__lt=now - timedelta(minutes=30))
                   .update(started_at=now, phase="读取文件", done=0))
    if not claimed:
        return ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)

    def progress(phase: str, done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(phase=phase, done=done, total=total)

    try:
        if job.created_by is None or not job.created_by.is_active:
            raise PermissionDenied("导入人的账号已停用，未导入。")
        rows = read_rows(bytes(job.data), job.file_format)
        progress("校验", 0, len(rows))
        report = import_enterprises(actor=job.created_by, rows=rows, organisation=job.organisation,
                                    progress=progress, source=job.file_name)
    except (ImportValueError, PermissionDenied) as exc:
        _finish(job_id, ImportJob.Status.REJECTED, str(exc), [RowError(0, "", str(exc))])
        return ImportJob.Status.REJECTED
    except Exception:
        logger.exception("enterprise import job %s failed", job_id)
        _finish(job_id, ImportJob.Status.FAILED, "导入失败（系统错误），未写入任何数据。请稍后重试或联系系统管理员。")
        return ImportJob.Status.FAILED
    status = ImportJob.Status.SUCCEEDED if report.ok else ImportJob.Status.REJECTED
    _finish(job_id, status, report.summary(), report.errors, report)
    return status


# --- Export --------------------------------------------------------------------------------------

def _neutralise(value: Any) -> Any:
    # A cell a spreadsheet would run as a formula gets an apostrophe (read_rows removes it).
    if isinstance(value, str) and value[:1] in _FORMULA_START:
        return "'" + value
    return value


def export_rows(enterprises: QuerySet[Enterprise]) -> Iterable[list[Any]]:
    today = timezone.localdate()
    queryset = (enterprises.select_related("industry").prefetch_related("tags", "qualifications")
                .order_by("credit_code"))
    for e in queryset.iterator(chunk_size=1000):
        qualifications = "、".join(
            f"{q.kind}（至{q.valid_to:%Y-%m-%d}）" if q.valid_to else q.kind
            for q in sorted(e.qualifications.all(), key=lambda q: q.kind) if q.valid_to is None or q.valid_to >= today)
        yield [_neutralise(v) for v in (
            e.credit_code, e.name, e.registered_on.isoformat() if e.registered_on else "", e.region_code,
            e.industry_id or "", "" if e.employees is None else e.employees,
            "" if e.revenue is None else f"{e.revenue:.2f}", "" if e.assets is None else f"{e.assets:.2f}",
            "是" if e.is_individual else "否", "、".join(sorted(t.name for t in e.tags.all())), e.contact_email,
            e.industry.name if e.industry else "", e.get_size_class_display() if e.size_class else "未能划型",
            e.get_claim_status_display(), qualifications)]


def export_enterprises(*, actor: Any, enterprises: QuerySet[Enterprise], fmt: str,
                       request: HttpRequest | None = None) -> bytes:
    """导出企业名录 (the same columns as the import, plus read-only ones); audited."""
    if fmt not in FORMATS:
        raise ValidationError(f"不支持的格式“{fmt}”，可选：csv、xlsx。")
    header = [zh for _, zh in COLUMNS] + [zh for _, zh in EXPORT_ONLY]
    rows = export_rows(enterprises)
    count = 0
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
        data = buffer.getvalue().encode("utf-8-sig")
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("企业名录")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
            count += 1
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    record("enterprise.export", request=request, actor=actor, object_type="enterprise.Enterprise",
           detail=f"导出 {count} 家企业（{fmt}）")
    return data


def import_template() -> bytes:
    """导入模板 (CSV, UTF-8 with BOM so that Excel opens it in Chinese) with one example row."""
    from gongkai.domain.identifiers import make_credit_code

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([zh for _, zh in COLUMNS])
    writer.writerow([make_credit_code("91", "430102", "12345678"), "示例科技有限公司（请删除本行）", "2018-05-20",
                     "430102", "I65", "85", "3200", "1500", "否", "高新技术企业、出口企业", "contact@example.com"])
    return buffer.getvalue().encode("utf-8-sig")
