"""Importing and exporting documents (文件导入导出): JSON Lines, CSV and XLSX with the same columns.

``import_documents`` validates every row first and reports all errors with their row numbers
(第N行); only a file without errors is written, in one transaction (all or nothing). Rows are
matched by 索引号 (upsert): a row whose values equal the stored document changes nothing and writes
no audit row, so re-importing a file is idempotent. 修改/废止 links (by 索引号) are made after all
rows exist. Creation and updates go through ``services.documents`` like every other change.

Row dicts use the Chinese column names of ``COLUMNS`` or their English keys; keys starting with
``_`` are reader metadata (``_row``: the row number shown in messages; ``_error``: a row the
reader could not parse).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.audit import record
from gongkai.domain.documents import (
    DISCLOSURE_LABELS,
    DOC_STATUS_LABELS,
    VALIDITY_LABELS,
    WITHHOLDING_GROUND_LABELS,
    Disclosure,
    DocStatus,
    DocumentError,
    Validity,
    WithholdingGround,
    check_ground,
    parse_doc_number,
    validate_index_number,
)
from gongkai.policies.models import (
    Category,
    Document,
    DocumentRelation,
    Level,
    SubjectCategory,
    Tag,
)
from gongkai.policies.sanitize import text_to_html
from gongkai.policies.services.documents import (
    EDITABLE_FIELDS,
    SYSTEM_FIELDS,
    NewDocument,
    _apply_fields,
    document_relate,
    document_update,
    documents_create_many,
)

FORMATS = ("jsonl", "csv", "xlsx")

# (English key, Chinese column). Export writes them in this order.
COLUMNS: list[tuple[str, str]] = [
    ("index_no", "索引号"),
    ("title", "标题"),
    ("issuers", "发文机关"),
    ("doc_number", "发文字号"),
    ("written_on", "成文日期"),
    ("published_at", "发布日期"),
    ("effective_on", "实施日期"),
    ("repeal_on", "废止日期"),
    ("subject", "主题分类"),
    ("category", "类别"),
    ("art20_item", "法定主动公开事项"),
    ("level", "层级"),
    ("themes", "政策主题"),
    ("audiences", "适用对象"),
    ("topics", "专题"),
    ("keywords", "关键词"),
    ("summary", "内容概述"),
    ("body", "正文"),
    ("validity", "有效性"),
    ("status", "状态"),
    ("disclosure", "公开属性"),
    ("disclosure_ground", "不公开理由"),
    ("disclosure_explanation", "不公开说明"),
    ("source", "文件来源"),
    ("amends", "修改的文件"),
    ("repeals", "废止的文件"),
    ("organisation", "发布机关"),
]
LABELS = dict(COLUMNS)
_KEY_FOR = {**{zh: key for key, zh in COLUMNS}, **{key: key for key, _ in COLUMNS},
            "body_html": "body", "修改": "amends", "废止": "repeals"}
_TAG_KINDS = {"themes": Tag.Kind.THEME, "audiences": Tag.Kind.AUDIENCE, "topics": Tag.Kind.TOPIC}
_LIST_SPLIT = re.compile(r"[、;；\n]+")
_TAG_SPLIT = re.compile(r"[、;；,，\n]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LOOKS_LIKE_HTML = re.compile(r"<(p|br|h[2-4]|ul|ol|li|table|div|strong|a|span|blockquote)[\s>/]", re.IGNORECASE)
_CN_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
                "十一": 11, "十二": 12, "十三": 13, "十四": 14, "十五": 15}
_LEVEL_ALIASES = {"国家级": "national", "中央": "national", "省": "provincial", "省级": "provincial",
                  "市": "municipal", "市州": "municipal", "市级": "municipal", "县": "county", "区县": "county",
                  "县级": "county", "乡镇": "township", "街道": "township"}


class ImportValueError(ValueError):
    """A cell or row failed validation; ``str(error)`` is the Chinese message."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where}（{self.column}）：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class ImportReport:
    """导入结果. With errors nothing was written and the counts are those of the valid rows."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    relations: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    index_numbers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"共 {self.total} 行，发现 {len(self.errors)} 处错误，未写入任何数据。"
        verb = "将" if self.dry_run else "已"
        text = (f"共 {self.total} 行：{verb}新建 {self.created} 件，{verb}更新 {self.updated} 件，"
                f"未变化 {self.unchanged} 件；{verb}建立修改/废止关系 {self.relations} 条。")
        return text + ("（试运行，未写入）" if self.dry_run else "")


class OrganisationResolver:
    """Finds the owning organisation (发布机关) by slug, 统一社会信用代码 or name. An empty cell
    means ``default``; with ``only`` set, every row must belong to that organisation."""

    def __init__(self, default: Organisation | None = None, *, only: Organisation | None = None) -> None:
        self.default = default or only
        self.only = only
        self._cache: dict[str, Organisation] = {}

    def __call__(self, value: str) -> Organisation:
        value = (value or "").strip()
        if not value:
            if self.default is None:
                raise ImportValueError("请填写发布机关（机关标识、统一社会信用代码或名称）。")
            return self.default
        if value not in self._cache:
            org = (Organisation.objects.filter(slug=value).first()
                   or Organisation.objects.filter(credit_code=value.upper()).first()
                   or Organisation.objects.filter(name=value).first())
            if org is None:
                raise ImportValueError(f"找不到发布机关“{value}”。")
            self._cache[value] = org
        org = self._cache[value]
        if self.only is not None and org.pk != self.only.pk:
            raise ImportValueError(f"本次导入限定为“{self.only.name}”，不能导入“{org.name}”的文件。")
        return org


# --- Cell parsing ---------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _list(value: Any, splitter: re.Pattern[str] = _LIST_SPLIT) -> list[str]:
    if isinstance(value, list | tuple):
        items = [_text(v) for v in value]
    else:
        items = [part.strip() for part in splitter.split(_text(value))]
    return [i for i in items if i]


_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_DASH_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def parse_date(value: Any) -> date | None:
    """``2020-03-02``, ``2020/3/2``, ``2020年3月2日`` or a spreadsheet date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    match = _DASH_DATE.match(text) or _CN_DATE.match(text)
    if match is None:
        raise ImportValueError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD 或 2020年3月2日。")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ImportValueError(f"日期“{text}”不存在。") from None


def parse_datetime(value: Any) -> datetime | None:
    """A date (midnight, local time) or a local date and time such as ``2020-03-02 10:30:00``."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = _text(value)
        if not text:
            return None
        try:
            day = parse_date(value)
        except ImportValueError:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise ImportValueError(
                    f"发布日期“{text}”格式不正确，应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM:SS。") from None
        else:
            if day is None:
                return None
            moment = datetime.combine(day, time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.time() == time():
        return local.date().isoformat()
    return local.replace(tzinfo=None).isoformat(sep=" ")


def _choice(value: Any, labels: dict[Any, str], what: str, aliases: dict[str, str] | None = None) -> str:
    text = _text(value)
    by_label = {str(label): str(code) for code, label in labels.items()}
    codes = {str(code) for code in labels}
    if text in codes:
        return text
    if text in by_label:
        return by_label[text]
    if aliases and text in aliases:
        return aliases[text]
    allowed = "、".join(str(label) for label in labels.values())
    raise ImportValueError(f"{what}“{text}”无法识别，可选：{allowed}。")


def parse_art20(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= 15:
        return int(text)
    match = re.match(r"^[（(]?([一二三四五六七八九十]{1,3})[）)]?", text)
    if match and match[1] in _CN_NUMERALS:
        return _CN_NUMERALS[match[1]]
    raise ImportValueError(f"法定主动公开事项“{text}”无法识别，应为1–15或“（一）”至“（十五）”。")


class _Lookups:
    """Taxonomy and tags loaded once per import."""

    def __init__(self) -> None:
        self.subjects: dict[str, SubjectCategory] = {}
        for subject in SubjectCategory.objects.select_related("parent"):
            self.subjects[str(subject)] = subject
        self.tags: dict[tuple[str, str], Tag] = {(t.kind, t.name): t for t in Tag.objects.all()}

    def subject(self, value: Any) -> SubjectCategory | None:
        text = _text(value).replace("/", "\\").replace("／", "\\").replace("＼", "\\")
        if not text:
            return None
        text = "\\".join(part.strip() for part in text.split("\\"))
        if text not in self.subjects:
            raise ImportValueError(f"主题分类“{text}”不存在，应写为“上级分类\\下级分类”，如 财政、金融、审计\\税务。")
        return self.subjects[text]

    def tag_list(self, kind: str, value: Any) -> list[Tag]:
        tags, unknown = [], []
        for name in _list(value, _TAG_SPLIT):
            found = self.tags.get((kind, name))
            if found is None:
                unknown.append(name)
            else:
                tags.append(found)
        if unknown:
            raise ImportValueError(f"没有这些{Tag.Kind(kind).label}标签：{'、'.join(unknown)}。")
        return tags


# --- Reading files ---------------------------------------------------------------------------

def _unneutralise(value: Any) -> Any:
    # Export prefixes an apostrophe to cells that a spreadsheet would run as a formula.
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_START:
        return value[1:]
    return value


def _decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportValueError("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GB18030。") from None


def _header(cells: Iterable[Any]) -> list[str]:
    return [_text(c).lstrip("\ufeff") for c in cells]


def _table_rows(header: list[str], body: Iterable[tuple[int, list[Any]]]) -> Iterator[dict[str, Any]]:
    for number, cells in body:
        if all(_text(c) == "" for c in cells):
            continue
        if len(cells) > len(header) and any(_text(c) for c in cells[len(header):]):
            yield {"_row": number, "_error": f"该行有 {len(cells)} 列，多于表头的 {len(header)} 列。"}
            continue
        row: dict[str, Any] = {"_row": number}
        for name, cell in zip(header, cells, strict=False):
            if name:
                row[name] = _unneutralise(cell)
        yield row


def read_rows(data: bytes, fmt: str) -> list[dict[str, Any]]:
    """Rows of a JSON Lines, CSV or XLSX file, each with its ``_row`` number (CSV/XLSX: the
    spreadsheet row, the header being row 1)."""
    if fmt == "jsonl":
        rows: list[dict[str, Any]] = []
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportValueError("JSON Lines 文件必须是 UTF-8 编码。") from None
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                rows.append({"_row": number, "_error": f"不是有效的 JSON（第{exc.colno}个字符附近）。"})
                continue
            if not isinstance(value, dict):
                rows.append({"_row": number, "_error": "每行应为一个 JSON 对象。"})
                continue
            value.pop("_row", None)
            rows.append({"_row": number, **value})
        return rows
    if fmt == "csv":
        reader = csv.reader(io.StringIO(_decode_csv(data), newline=""))
        lines = list(reader)
        if not lines:
            return []
        header = _header(lines[0])
        return list(_table_rows(header, ((i, list(cells)) for i, cells in enumerate(lines[1:], start=2))))
    if fmt == "xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — openpyxl raises many kinds for a broken file
            raise ImportValueError("无法读取 XLSX 文件，文件可能已损坏或不是 Excel 工作簿。") from None
        try:
            sheet = book.worksheets[0]
            values = sheet.iter_rows(values_only=True)
            first = next(values, None)
            if first is None:
                return []
            header = _header(first)
            return list(_table_rows(header, ((i, list(cells)) for i, cells in enumerate(values, start=2))))
        finally:
            book.close()
    raise ImportValueError(f"不支持的格式“{fmt}”，可选：{'、'.join(FORMATS)}。")


def format_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    fmt = {"jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl", "csv": "csv", "xlsx": "xlsx"}.get(suffix)
    if fmt is None:
        raise ImportValueError(f"无法根据扩展名“.{suffix}”判断格式，请使用 .jsonl、.csv 或 .xlsx。")
    return fmt


# --- Validation -------------------------------------------------------------------------------

@dataclass
class _Plan:
    row: int
    organisation: Organisation
    existing: Document | None
    index_no: str
    fields: dict[str, Any]
    system: dict[str, Any]
    tags: list[Tag] | None
    amends: list[str]
    repeals: list[str]
    action: str = ""


_COMPARED = [*EDITABLE_FIELDS, *SYSTEM_FIELDS, "lead_issuer", "doc_number_agency", "doc_number_year",
             "doc_number_seq"]
_FIELD_LABELS = {"body_html": "正文", "needs_interpretation": "需要解读", "lead_issuer": "发文机关",
                 "index_no": "索引号", "organisation": "发布机关", **LABELS}


def _snapshot(document: Document) -> dict[str, Any]:
    return {name: getattr(document, name if name != "subject" else "subject_id") for name in _COMPARED}


def _errors_of(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(_FIELD_LABELS.get(name, name), str(msg)) for name, msgs in exc.message_dict.items() for msg in msgs]
    return [("", str(msg)) for msg in exc.messages]


class _Validator:
    def __init__(self, actor: Any, resolver: Callable[[str], Organisation]) -> None:
        self.actor = actor
        self.resolver = resolver
        self.lookups = _Lookups()
        self._perm: dict[int, bool] = {}

    def may_publish(self, organisation: Organisation) -> bool:
        if self.actor is None:
            return True
        if organisation.pk not in self._perm:
            self._perm[organisation.pk] = user_has_org_perm(self.actor, organisation, Perm.PUBLISH)
        return self._perm[organisation.pk]

    def parse(self, row: dict[str, Any], existing: Document | None,
              errors: list[RowError]) -> _Plan | None:
        number = int(row["_row"])
        before = len(errors)

        def fail(column: str, message: str) -> None:
            errors.append(RowError(number, LABELS.get(column, column), message))

        values: dict[str, Any] = {}
        for name, value in row.items():
            if name.startswith("_"):
                continue
            key = _KEY_FOR.get(name.strip())
            if key is None:
                fail("", f"未知的列“{name}”。")
                continue
            values[key] = value

        index_no = ""
        if _text(values.get("index_no")):
            try:
                index_no = validate_index_number(_text(values["index_no"]))
            except DocumentError as exc:
                fail("index_no", str(exc))

        organisation: Organisation | None = None
        if existing is not None and not _text(values.get("organisation")):
            organisation = existing.organisation
        else:
            try:
                organisation = self.resolver(_text(values.get("organisation")))
            except ImportValueError as exc:
                fail("organisation", str(exc))
        if organisation is not None and existing is not None and existing.organisation_id != organisation.pk:
            fail("organisation", f"索引号 {index_no} 已属于“{existing.organisation.name}”，不能改为其他机关。")
        if organisation is not None and not self.may_publish(organisation):
            fail("organisation", f"您无权为“{organisation.name}”导入文件。")

        fields: dict[str, Any] = {}
        system: dict[str, Any] = {}
        tags_by_kind: dict[str, list[Tag]] = {}
        amends: list[str] = []
        repeals: list[str] = []
        for key, value in values.items():
            try:
                if key in ("title", "keywords", "summary", "source"):
                    fields[key] = _text(value)
                elif key == "issuers":
                    fields[key] = _list(value)
                elif key == "doc_number":
                    text = _text(value)
                    fields[key] = str(parse_doc_number(text)) if text else ""
                elif key in ("written_on", "effective_on", "repeal_on"):
                    fields[key] = parse_date(value)
                elif key == "published_at":
                    system[key] = parse_datetime(value)
                elif key == "subject":
                    fields[key] = self.lookups.subject(value)
                elif key == "category":
                    fields[key] = _choice(value, dict(Category.choices), "类别")
                elif key == "art20_item":
                    fields[key] = parse_art20(value)
                elif key == "level":
                    fields[key] = _choice(value, dict(Level.choices), "层级", _LEVEL_ALIASES)
                elif key in _TAG_KINDS:
                    tags_by_kind[_TAG_KINDS[key]] = self.lookups.tag_list(_TAG_KINDS[key], value)
                elif key == "body":
                    text = value if isinstance(value, str) else _text(value)
                    fields["body_html"] = text if _LOOKS_LIKE_HTML.search(text) else text_to_html(text)
                elif key == "validity":
                    if _text(value):
                        fields[key] = _choice(value, VALIDITY_LABELS, "有效性")
                elif key == "status":
                    if _text(value):
                        system[key] = _choice(value, DOC_STATUS_LABELS, "状态")
                elif key == "disclosure":
                    if _text(value):
                        system[key] = _choice(value, DISCLOSURE_LABELS, "公开属性")
                elif key == "disclosure_ground":
                    system[key] = _choice(value, WITHHOLDING_GROUND_LABELS, "不公开理由") if _text(value) else ""
                elif key == "disclosure_explanation":
                    system[key] = _text(value)
                elif key in ("amends", "repeals"):
                    targets = []
                    for target in _list(value, _TAG_SPLIT):
                        try:
                            targets.append(validate_index_number(target))
                        except DocumentError as exc:
                            fail(key, str(exc))
                    (amends if key == "amends" else repeals).extend(targets)
            except (ImportValueError, DocumentError) as exc:
                fail(key, str(exc))

        if existing is None:
            for key in ("title", "issuers", "written_on", "category", "level"):
                if not fields.get(key):
                    fail(key, f"新建文件必须填写{LABELS[key]}。")
        else:
            for key in ("title", "issuers", "written_on", "category", "level"):
                if key in fields and not fields[key]:
                    fail(key, f"{LABELS[key]}不能为空。")

        # Only values that differ from the stored (or default) state count as system changes.
        base = existing or Document(status=DocStatus.DRAFT, disclosure=Disclosure.PROACTIVE)
        system = {k: v for k, v in system.items() if getattr(base, k) != v}
        status = system.get("status", base.status)
        written_on = fields.get("written_on") or (existing.written_on if existing else None)
        if status == DocStatus.PUBLISHED and system.get("published_at", base.published_at) is None and written_on:
            # A published document without 发布日期 is taken to have been published on its 成文日期.
            system["published_at"] = timezone.make_aware(datetime.combine(written_on, time()))
        disclosure = system.get("disclosure", base.disclosure)
        if disclosure != Disclosure.PROACTIVE:
            ground = system.get("disclosure_ground", base.disclosure_ground)
            try:
                check_ground(Disclosure(disclosure), WithholdingGround(ground) if ground else None,
                             system.get("disclosure_explanation", base.disclosure_explanation))
            except DocumentError as exc:
                fail("disclosure", str(exc))
        if self.actor is not None and system:
            fail("status", "以个人账号导入时不能设定状态、发布日期或公开属性（须经审核流程）；请由系统管理员用命令行导入。")
        if self.actor is not None and existing is None and index_no:
            fail("index_no", "以个人账号导入新文件时不能指定索引号，系统会自动编号。")

        tags: list[Tag] | None = None
        if tags_by_kind:
            kept = [t for t in (existing.tags.all() if existing else []) if t.kind not in tags_by_kind]
            tags = [*kept, *(t for kind_tags in tags_by_kind.values() for t in kind_tags)]

        if len(errors) > before or organisation is None:
            return None
        return _Plan(number, organisation, existing, index_no, fields, system, tags, amends, repeals)

    def check(self, plan: _Plan, errors: list[RowError]) -> None:
        """Run the service's own normalisation and model validation on a copy, and decide whether
        the row creates, updates or changes nothing."""
        existing = plan.existing
        candidate = copy.copy(existing) if existing else Document(organisation=plan.organisation)
        try:
            _apply_fields(candidate, dict(plan.fields))
            for name, value in plan.system.items():
                setattr(candidate, name, value)
            candidate.full_clean(exclude=["index_no", "organisation", "subject", "created_by", "body_text"],
                                 validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for column, message in _errors_of(exc):
                errors.append(RowError(plan.row, column, message))
            return
        if existing is None:
            plan.action = "created"
            return
        same_tags = plan.tags is None or {t.pk for t in plan.tags} == {t.pk for t in existing.tags.all()}
        plan.action = "unchanged" if same_tags and _snapshot(candidate) == _snapshot(existing) else "updated"


def _implied_validity(kinds: set[str]) -> str:
    return Validity.REPEALED if DocumentRelation.Kind.REPEALS in kinds else Validity.AMENDED


class _Rollback(Exception):
    pass


def import_documents(
    *, actor: Any, rows: Iterable[dict[str, Any]], organisation_resolver: Callable[[str], Organisation],
    dry_run: bool = False, progress: Callable[[str, int, int], None] | None = None, source: str = "",
) -> ImportReport:
    """导入文件: validate all rows, then (unless ``dry_run`` or any error) write all of them in one
    transaction. ``actor=None`` is the system importer (command line, demo loader), which may set
    状态, 发布日期, 公开属性 and 索引号; a staff ``actor`` imports drafts of organisations where
    they hold the publish permission."""
    rows = [{"_row": i, **row} for i, row in enumerate(rows, start=1)]
    report = ImportReport(total=len(rows), dry_run=dry_run)
    errors = report.errors
    notify = progress or (lambda phase, done, total: None)
    validator = _Validator(actor, organisation_resolver)

    wanted = []
    for row in rows:
        cell = row.get("index_no", row.get("索引号"))
        try:
            if _text(cell):
                wanted.append(validate_index_number(_text(cell)))
        except DocumentError:
            pass
    existing_by_no: dict[str, Document] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for doc in Document.objects.filter(index_no__in=chunk).select_related("organisation").prefetch_related("tags"):
            existing_by_no[doc.index_no] = doc

    plans: list[_Plan] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        if "_error" in row:
            errors.append(RowError(int(row["_row"]), "", str(row["_error"])))
            continue
        cell = _text(row.get("index_no", row.get("索引号")))
        existing = existing_by_no.get(cell.upper()) if cell else None
        plan = validator.parse(row, existing, errors)
        if plan is not None and plan.index_no:
            if plan.index_no in seen:
                errors.append(RowError(plan.row, "索引号", f"索引号 {plan.index_no} 与第{seen[plan.index_no]}行重复。"))
                plan = None
            else:
                seen[plan.index_no] = int(row["_row"])
        if plan is not None:
            plans.append(plan)
        if i % 200 == 0:
            notify("校验", i, len(rows))
    notify("校验", len(rows), len(rows))

    # Relations: every target must exist in the file or the database.
    in_file = {p.index_no for p in plans if p.index_no}
    targets = {t for p in plans for t in (*p.amends, *p.repeals)}
    missing = targets - in_file - set(existing_by_no)
    if missing:
        found = set(Document.objects.filter(index_no__in=missing).values_list("index_no", flat=True))
        missing -= found
    incoming: dict[str, set[str]] = {}
    for plan in plans:
        for kind, items in (("amends", plan.amends), ("repeals", plan.repeals)):
            for target in items:
                if target in missing:
                    errors.append(RowError(plan.row, LABELS["amends" if kind == "amends" else "repeals"],
                                           f"找不到索引号为 {target} 的文件。"))
                elif target == plan.index_no:
                    errors.append(RowError(plan.row, LABELS["repeals"], "文件不能修改或废止自身。"))
                else:
                    incoming.setdefault(target, set()).add(kind)
    existing_ids = [p.existing.pk for p in plans if p.existing]
    for start in range(0, len(existing_ids), 500):
        for target_no, kind in DocumentRelation.objects.filter(
                target_id__in=existing_ids[start:start + 500]).values_list("target__index_no", "kind"):
            incoming.setdefault(target_no, set()).add(kind)
    for plan in plans:
        # A document that another one amends or repeals keeps that validity, whatever the row says.
        if plan.index_no in incoming and "validity" in plan.fields:
            plan.fields["validity"] = _implied_validity(incoming[plan.index_no])
        validator.check(plan, errors)

    errors.sort(key=lambda e: e.row)
    relation_plan = [(p, t, kind) for kind in ("amends", "repeals")
                     for p in plans for t in (p.amends if kind == "amends" else p.repeals)]
    for plan in plans:
        if plan.action:
            setattr(report, plan.action, getattr(report, plan.action) + 1)
    if errors:
        return report
    if dry_run:
        report.relations = sum(
            1 for p, t, kind in relation_plan
            if p.existing is None or not DocumentRelation.objects.filter(
                source=p.existing, target__index_no=t, kind=kind).exists())
        return report

    report.created = report.updated = report.unchanged = 0
    try:
        with transaction.atomic():
            _write(actor, plans, relation_plan, report, notify)
            if report.created or report.updated or report.relations:
                record("document.import", actor=actor, object_type="policies.Document",
                       object_repr=source[:200] or "导入",
                       after={"created": report.created, "updated": report.updated,
                              "unchanged": report.unchanged, "relations": report.relations, "source": source})
    except _Rollback:
        report.created = report.updated = report.unchanged = report.relations = 0
    return report


def _write(actor: Any, plans: list[_Plan], relation_plan: list[tuple[_Plan, str, str]], report: ImportReport,
           notify: Callable[[str, int, int], None]) -> None:
    docs: dict[int, Document] = {}
    current: _Plan | None = None
    try:
        # New rows are written in batches (one lock per 索引号 sequence, batched inserts and audit
        # rows), in file order, before the updates; the result is what one create per row gives.
        created = [p for p in plans if p.action == "created"]
        items = []
        for plan in created:
            fields = dict(plan.fields)
            if plan.tags is not None:
                fields["tags"] = plan.tags
            system = dict(plan.system)
            status = system.pop("status", DocStatus.DRAFT)
            published_at = system.pop("published_at", None)
            items.append(NewDocument(organisation=plan.organisation, fields=fields, index_no=plan.index_no or None,
                                     status=status, published_at=published_at, system_fields=system or None))

        def at(i: int) -> None:
            nonlocal current
            current = created[i]

        for plan, doc in zip(created, documents_create_many(actor=actor, items=items, on_item=at), strict=True):
            docs[plan.row] = doc
            report.created += 1
        notify("写入", len(created), len(plans))
        for i, plan in enumerate(plans, start=1):
            current = plan
            fields = dict(plan.fields)
            if plan.tags is not None:
                fields["tags"] = plan.tags
            if plan.action == "created":
                doc = docs[plan.row]
            elif plan.action == "updated":
                assert plan.existing is not None
                doc = document_update(actor=actor, document=plan.existing, system_fields=plan.system or None,
                                      **fields)
                report.updated += 1
            else:
                assert plan.existing is not None
                doc = plan.existing
                report.unchanged += 1
            docs[plan.row] = doc
            report.index_numbers.append(doc.index_no)
            if i % 200 == 0:
                notify("写入", i, len(plans))
        notify("写入", len(plans), len(plans))
        by_no = {d.index_no: d for d in docs.values()}
        for plan, target_no, kind in relation_plan:
            current = plan
            source = docs[plan.row]
            target = by_no.get(target_no) or Document.objects.get(index_no=target_no)
            target.refresh_from_db(fields=["validity"])
            exists = DocumentRelation.objects.filter(source=source, target=target, kind=kind).exists()
            implied = _implied_validity(
                set(DocumentRelation.objects.filter(target=target).values_list("kind", flat=True)) | {kind})
            if exists and target.validity == implied:
                continue
            document_relate(actor=actor, source=source, target=target, kind=kind)
            report.relations += 1
    except (ValidationError, PermissionDenied, IntegrityError, DocumentError) as exc:
        row = current.row if current else 0
        if isinstance(exc, ValidationError):
            report.errors.extend(RowError(row, column, message) for column, message in _errors_of(exc))
        else:
            report.errors.append(RowError(row, "", str(exc) or "写入失败。"))
        raise _Rollback from exc


def import_file(path: str | Path, *, actor: Any, organisation_resolver: Callable[[str], Organisation],
                dry_run: bool = False, progress: Callable[[str, int, int], None] | None = None) -> ImportReport:
    """Read and import one file; an unreadable file is reported as a file error."""
    try:
        rows = read_rows(Path(path).read_bytes(), format_for(path))
    except ImportValueError as exc:
        return ImportReport(errors=[RowError(0, "", str(exc))], dry_run=dry_run)
    return import_documents(actor=actor, rows=rows, organisation_resolver=organisation_resolver,
                            dry_run=dry_run, progress=progress, source=Path(path).name)


# --- Export -----------------------------------------------------------------------------------

def neutralise(value: str) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ (or a tab/CR) is prefixed with
    an apostrophe so Excel and WPS show it as text (OWASP CSV injection)."""
    return "'" + value if value and value.startswith(_FORMULA_START) else value


def _export_rows(queryset: QuerySet[Document], labels: bool) -> Iterator[dict[str, Any]]:
    docs = (queryset.select_related("organisation", "subject__parent")
            .prefetch_related("tags", "outgoing__target").order_by("pk"))
    for doc in docs.iterator(chunk_size=500):
        tags: dict[str, list[str]] = {kind: [] for kind in _TAG_KINDS.values()}
        for t in sorted(doc.tags.all(), key=lambda t: (t.sort, t.pk)):
            tags[t.kind].append(t.name)
        rel: dict[str, list[str]] = {"amends": [], "repeals": []}
        for link in sorted(doc.outgoing.all(), key=lambda r: r.pk):
            rel[link.kind].append(link.target.index_no)

        def label(code: str, choices: dict[Any, str]) -> str:
            return str(choices.get(code, code)) if labels and code else code

        yield {
            "index_no": doc.index_no,
            "title": doc.title,
            "issuers": doc.issuers,
            "doc_number": doc.doc_number,
            "written_on": doc.written_on.isoformat() if doc.written_on else "",
            "published_at": format_datetime(doc.published_at),
            "effective_on": doc.effective_on.isoformat() if doc.effective_on else "",
            "repeal_on": doc.repeal_on.isoformat() if doc.repeal_on else "",
            "subject": str(doc.subject) if doc.subject else "",
            "category": label(doc.category, dict(Category.choices)),
            "art20_item": doc.art20_item or "",
            "level": label(doc.level, dict(Level.choices)),
            "themes": tags[Tag.Kind.THEME],
            "audiences": tags[Tag.Kind.AUDIENCE],
            "topics": tags[Tag.Kind.TOPIC],
            "keywords": doc.keywords,
            "summary": doc.summary,
            "body": doc.body_html,
            "validity": label(doc.validity, {str(k): v for k, v in VALIDITY_LABELS.items()}),
            "status": label(doc.status, {str(k): v for k, v in DOC_STATUS_LABELS.items()}),
            "disclosure": label(doc.disclosure, {str(k): v for k, v in DISCLOSURE_LABELS.items()}),
            "disclosure_ground": label(doc.disclosure_ground,
                                       {str(k): v for k, v in WITHHOLDING_GROUND_LABELS.items()}),
            "disclosure_explanation": doc.disclosure_explanation,
            "source": doc.source,
            "amends": rel["amends"],
            "repeals": rel["repeals"],
            "organisation": doc.organisation.slug,
        }


def _cell(value: Any) -> str:
    if isinstance(value, list):
        value = "、".join(value)
    return neutralise(str(value))


def export_documents(queryset: QuerySet[Document], fmt: str, stream: IO[bytes]) -> int:
    """导出文件 to ``stream`` (binary). JSON Lines uses the English keys and codes; CSV (UTF-8 with
    BOM, for Excel) and XLSX use the Chinese columns and labels. Returns the number of documents."""
    count = 0
    if fmt == "jsonl":
        for row in _export_rows(queryset, labels=False):
            stream.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
            count += 1
        return count
    headers = [zh for _, zh in COLUMNS]
    if fmt == "csv":
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(headers)
        for row in _export_rows(queryset, labels=True):
            writer.writerow([_cell(row[key]) for key, _ in COLUMNS])
            count += 1
        text.flush()
        text.detach()
        return count
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("文件")
        sheet.append(headers)
        for row in _export_rows(queryset, labels=True):
            sheet.append([_cell(row[key]) for key, _ in COLUMNS])
            count += 1
        book.save(stream)
        return count
    raise ImportValueError(f"不支持的格式“{fmt}”，可选：{'、'.join(FORMATS)}。")
