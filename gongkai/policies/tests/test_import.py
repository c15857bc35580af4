"""Document import/export (文件导入导出): validation with row numbers, all-or-nothing, upsert by
索引号, relations, the three formats, round trip and formula neutralisation."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import Document, DocumentRelation, IndexNumberSequence, SearchChange
from gongkai.policies.services.documents import allocate_index_no, org_code
from gongkai.policies.services.imports import (
    COLUMNS,
    OrganisationResolver,
    export_documents,
    import_documents,
    read_rows,
)

pytestmark = pytest.mark.django_db

HEADERS = [zh for _, zh in COLUMNS]


def counts() -> tuple[int, int, int, int]:
    return (Document.objects.count(), AuditEvent.objects.count(), SearchChange.objects.count(),
            DocumentRelation.objects.count())


def row(org: Any, n: int, **over: Any) -> dict[str, Any]:
    """A valid row in Chinese columns for organisation ``org`` with 索引号 number ``n``."""
    base = {
        "索引号": f"{org_code(org)}/2020-{n:05d}",
        "标题": f"关于阶段性减免企业社会保险费的通知（第{n}号）",
        "发文机关": f"{org.name}、测试省人力资源和社会保障厅",
        "发文字号": f"湘财发[2020] {n} 号",
        "成文日期": "2020年3月2日",
        "发布日期": "2020-03-05",
        "实施日期": "2020-03-02",
        "废止日期": "",
        "主题分类": "财政、金融、审计\\财政",
        "类别": "行政规范性文件",
        "法定主动公开事项": "（十一）",
        "层级": "省级",
        "政策主题": "稳岗就业、财政奖补",
        "适用对象": "小微企业",
        "专题": "复工复产",
        "关键词": "社保;减免",
        "内容概述": "阶段性减免企业基本养老保险、失业保险、工伤保险单位缴费。",
        "正文": "一、减免范围。\n二、减免期限。",
        "有效性": "有效",
        "状态": "已发布",
        "公开属性": "主动公开",
        "不公开理由": "",
        "不公开说明": "",
        "文件来源": "测试",
        "修改的文件": "",
        "废止的文件": "",
        "发布机关": org.slug,
    }
    base.update(over)
    return base


def run(rows: list[dict[str, Any]], org: Any = None, **kwargs: Any) -> Any:
    return import_documents(actor=kwargs.pop("actor", None), rows=rows,
                            organisation_resolver=OrganisationResolver(org), **kwargs)


def to_csv(rows: list[dict[str, Any]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for r in rows:
        sheet.append(list(r.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_bad_rows_are_reported_with_row_numbers_and_nothing_is_written(org_tree, taxonomy):
    org = org_tree.dept_a
    rows = [
        row(org, 1),
        row(org, 2, 成文日期="2020-02-30"),
        row(org, 3, 发文字号="湘财发2020第3号", 层级="宇宙级"),
        row(org, 4, 发布机关="不存在的机关"),
        row(org, 5, 标题="", 政策主题="不存在的主题"),
        row(org, 6, 索引号="12345"),
        row(org, 7, 公开属性="依申请公开"),
        row(org, 8, 实施日期="2020-01-01"),
        row(org, 1),
    ]
    before = counts()
    report = read_and_import(to_csv(rows), "csv", org)
    assert not report.ok
    text = "\n".join(map(str, report.errors))
    assert "第3行（成文日期）：日期“2020-02-30”不存在。" in text
    assert "第4行（发文字号）" in text and "第4行（层级）" in text
    assert "第5行（发布机关）：找不到发布机关“不存在的机关”。" in text
    assert "第6行（标题）" in text and "第6行（政策主题）" in text
    assert "第7行（索引号）" in text
    assert "第8行（公开属性）" in text and "第十四条至第十六条" in text
    assert "第9行（实施日期）：实施日期不能早于成文日期。" in text
    assert "第10行（索引号）" in text and "与第2行重复" in text
    assert "第2行" not in [e.split("（")[0] for e in text.splitlines()]
    assert counts() == before
    assert not IndexNumberSequence.objects.exists()


def read_and_import(data: bytes, fmt: str, org: Any, **kwargs: Any) -> Any:
    return run(read_rows(data, fmt), org, **kwargs)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx", "csv-gb18030"])
def test_each_format_imports_the_same_documents(org_tree, taxonomy, fmt):
    org = org_tree.dept_a
    rows = [row(org, 1), row(org, 2, 专题="", 适用对象="个体工商户、小微企业", 状态="草稿", 发布日期="")]
    if fmt == "jsonl":
        data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    elif fmt == "xlsx":
        data = to_xlsx(rows)
    elif fmt == "csv":
        data = to_csv(rows)
    else:
        data = to_csv(rows, "gb18030")
    report = read_and_import(data, fmt.split("-")[0], org)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    doc = Document.objects.get(index_no=f"{org_code(org)}/2020-00001")
    assert doc.title == "关于阶段性减免企业社会保险费的通知（第1号）"
    assert doc.issuers == [org.name, "测试省人力资源和社会保障厅"] and doc.lead_issuer == org.name
    assert doc.doc_number == "湘财发〔2020〕1号"
    assert doc.written_on == date(2020, 3, 2) and doc.effective_on == date(2020, 3, 2)
    assert timezone.localtime(doc.published_at).date() == date(2020, 3, 5)
    assert str(doc.subject) == "财政、金融、审计\\财政"
    assert (doc.category, doc.level, doc.art20_item, doc.status) == ("normative", "provincial", 11, "published")
    assert sorted(t.name for t in doc.tags.all()) == sorted(["稳岗就业", "财政奖补", "小微企业", "复工复产"])
    assert doc.body_html == "<p>一、减免范围。</p><p>二、减免期限。</p>"
    draft = Document.objects.get(index_no=f"{org_code(org)}/2020-00002")
    assert draft.status == "draft" and draft.published_at is None
    assert sorted(t.name for t in draft.tags.filter(kind="audience")) == ["个体工商户", "小微企业"]


def test_english_keys_and_codes_are_accepted_in_json_lines(org_tree, taxonomy):
    org = org_tree.dept_a
    line = {"title": "关于优化营商环境的实施意见", "issuers": [org.name], "written_on": "2021-05-06",
            "category": "other_policy", "level": "provincial", "status": "published", "themes": ["办事服务"],
            "body_html": "<p>正文<script>alert(1)</script></p>", "organisation": org.credit_code}
    report = read_and_import(json.dumps(line, ensure_ascii=False).encode(), "jsonl", None)
    assert report.ok, report.errors
    doc = Document.objects.get(title="关于优化营商环境的实施意见")
    assert doc.index_no == f"{org_code(org)}/2021-00001"  # allocated
    assert doc.organisation == org and doc.body_html == "<p>正文</p>"
    assert timezone.localtime(doc.published_at).date() == date(2021, 5, 6)  # 成文日期 when 发布日期 is empty


def test_reimport_is_idempotent_and_changes_are_upserted(org_tree, taxonomy):
    org = org_tree.dept_a
    rows = [row(org, 1), row(org, 2)]
    assert run([dict(r) for r in rows], org).created == 2
    before = counts()
    again = run([dict(r) for r in rows], org)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert counts() == before
    rows[1]["标题"] = "关于阶段性减免企业社会保险费的补充通知"
    rows[1]["专题"] = ""
    changed = run([dict(r) for r in rows], org)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    doc = Document.objects.get(index_no=rows[1]["索引号"])
    assert doc.title == "关于阶段性减免企业社会保险费的补充通知" and doc.version == 2
    assert not doc.tags.filter(kind="topic").exists() and doc.tags.filter(kind="theme").count() == 2
    event = AuditEvent.objects.filter(action="document.update").latest("seq")
    assert event.after == {"title": "关于阶段性减免企业社会保险费的补充通知"}
    assert AuditEvent.objects.filter(action="document.import").count() == 2


def test_imported_index_numbers_move_the_sequence(org_tree, taxonomy):
    org = org_tree.dept_a
    assert run([row(org, 7)], org).ok
    assert allocate_index_no(org, 2020) == f"{org_code(org)}/2020-00008"


def test_relations_by_index_number_in_both_directions(org_tree, taxonomy):
    org = org_tree.dept_a
    first = run([row(org, 1), row(org, 2)], org)
    assert first.ok
    rows = [row(org, 3, 废止的文件=f"{org_code(org)}/2020-00001", 标题="新办法"),
            row(org, 4, 修改的文件=f"{org_code(org)}/2020-00002、{org_code(org)}/2020-00005", 标题="修改决定"),
            row(org, 5, 标题="同一文件中的被修改文件")]
    report = run([dict(r) for r in rows], org)
    assert report.ok, report.errors
    assert report.relations == 3
    old = Document.objects.get(index_no=f"{org_code(org)}/2020-00001")
    assert old.validity == "repealed"
    assert [r.source.title for r in old.incoming.all()] == ["新办法"]
    assert Document.objects.get(index_no=f"{org_code(org)}/2020-00005").validity == "amended"
    new = Document.objects.get(index_no=f"{org_code(org)}/2020-00004")
    assert sorted(r.target.index_no for r in new.outgoing.all()) == [f"{org_code(org)}/2020-00002",
                                                                     f"{org_code(org)}/2020-00005"]
    before = counts()
    again = run([dict(r) for r in rows], org)
    assert (again.created, again.updated, again.relations) == (0, 0, 0)
    assert counts() == before


def test_unknown_relation_target_is_an_error(org_tree, taxonomy):
    org = org_tree.dept_a
    before = counts()
    report = run([row(org, 1, 废止的文件=f"{org_code(org)}/2019-00099")], org)
    assert [str(e) for e in report.errors] == [f"第1行（废止的文件）：找不到索引号为 {org_code(org)}/2019-00099 的文件。"]
    assert counts() == before


def test_dry_run_writes_nothing(org_tree, taxonomy):
    org = org_tree.dept_a
    before = counts()
    report = run([row(org, 1), row(org, 2)], org, dry_run=True)
    assert report.ok and report.created == 2 and "试运行" in report.summary()
    assert counts() == before


def test_on_request_document_needs_ground_and_is_set_by_the_system_importer(org_tree, taxonomy):
    org = org_tree.dept_a
    report = run([row(org, 1, 公开属性="依申请公开", 不公开理由="art16_process",
                      不公开说明="属于研究讨论过程中的过程性信息，待定稿后再行评估。")], org)
    assert report.ok, report.errors
    doc = Document.objects.get()
    assert (doc.disclosure, doc.disclosure_ground) == ("on_request", "art16_process")


def test_staff_import_is_limited_to_drafts_of_their_organisation(org_tree, taxonomy):
    publisher = StaffUserFactory()
    membership_grant(actor=None, user=publisher, organisation=org_tree.dept_a, role=OrgRole.PUBLISHER)
    before = counts()
    report = run([row(org_tree.dept_a, 1, 索引号="", 状态="", 发布日期=""),
                  row(org_tree.dept_b, 2, 索引号="", 状态="", 发布日期=""),
                  row(org_tree.dept_a, 3, 索引号="")], None, actor=publisher)
    text = "\n".join(map(str, report.errors))
    assert "第2行（发布机关）：您无权为“测试省财政厅”导入文件。" in text
    assert "第3行（状态）" in text and "第1行" not in text
    assert counts() == before
    ok = run([row(org_tree.dept_a, 1, 索引号="", 状态="", 发布日期="")], None, actor=publisher)
    assert ok.ok and Document.objects.get().created_by == publisher


def varied_rows(org: Any, other: Any) -> list[dict[str, Any]]:
    code = org_code(org)
    return [
        row(org, 1, 正文="<p>第一段</p><table><tr><th scope=\"col\">项目</th></tr></table>"),
        row(org, 2, 发布日期="2020-03-05 10:30:15.250000", 政策主题="", 法定主动公开事项="", 废止日期="2020-12-31"),
        row(org, 3, 废止的文件=f"{code}/2020-00001", 状态="草稿", 发布日期=""),
        row(org, 4, 修改的文件=f"{code}/2020-00002", 发文字号="", 主题分类="", 关键词=""),
        row(org, 5, 公开属性="依申请公开", 不公开理由="第十六条第二款：过程性信息（讨论记录、过程稿、磋商信函、请示报告等）",
            不公开说明="属于研究讨论过程中的过程性信息，待定稿后再行评估。"),
        row(other, 1, 标题="-1 开头的标题", 内容概述="=HYPERLINK(\"http://example.com\")", 层级="市州",
            发文机关="测试省财政厅", 类别="通知公告"),
    ]


FIELDS = ["index_no", "title", "issuers", "lead_issuer", "doc_number", "doc_number_agency", "doc_number_year",
          "doc_number_seq", "written_on", "published_at", "effective_on", "repeal_on", "subject_id", "category",
          "art20_item", "level", "keywords", "summary", "body_html", "body_text", "source", "validity", "status",
          "disclosure", "disclosure_ground", "disclosure_explanation", "organisation_id"]


def snapshot() -> dict[str, Any]:
    out = {}
    for doc in Document.objects.prefetch_related("tags", "outgoing__target"):
        out[doc.index_no] = (
            {f: getattr(doc, f) for f in FIELDS},
            sorted(t.pk for t in doc.tags.all()),
            sorted((r.kind, r.target.index_no) for r in doc.outgoing.all()),
        )
    return out


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_export_and_import_into_an_empty_database_gives_identical_documents(org_tree, taxonomy, fmt):
    assert run(varied_rows(org_tree.dept_a, org_tree.dept_b), None).ok
    original = snapshot()
    out = io.BytesIO()
    assert export_documents(Document.objects.all(), fmt, out) == 6
    Document.objects.all().delete()
    IndexNumberSequence.objects.all().delete()
    report = run(read_rows(out.getvalue(), fmt), None)
    assert report.ok, report.errors
    assert report.created == 6
    assert snapshot() == original


def test_spreadsheet_exports_neutralise_formulas(org_tree, taxonomy):
    assert run(varied_rows(org_tree.dept_a, org_tree.dept_b), None).ok
    queryset = Document.objects.filter(organisation=org_tree.dept_b)
    out = io.BytesIO()
    export_documents(queryset, "csv", out)
    assert out.getvalue().startswith("\ufeff".encode())
    record = next(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert record["标题"] == "'-1 开头的标题"
    assert record["内容概述"] == "'=HYPERLINK(\"http://example.com\")"
    out = io.BytesIO()
    export_documents(queryset, "xlsx", out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    values = [c.value for c in sheet[2]]
    assert "'=HYPERLINK(\"http://example.com\")" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)


def test_management_commands(org_tree, taxonomy, tmp_path, capsys):
    org = org_tree.dept_a
    good = tmp_path / "good.csv"
    good.write_bytes(to_csv([row(org, 1), row(org, 2)]))
    call_command("documents", "import", str(good), "--organisation", org.slug)
    assert "新建 2 件" in capsys.readouterr().out
    call_command("documents", "import", str(good), "--organisation", org.slug)
    assert "未变化 2 件" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(to_xlsx([row(org, 3), row(org_tree.dept_b, 4)]))
    before = counts()
    with pytest.raises(CommandError) as info:
        call_command("documents", "import", str(bad), "--organisation", org.slug)
    assert info.value.returncode == 1 and "未写入任何数据" in str(info.value)
    assert "第3行（发布机关）" in capsys.readouterr().err
    assert counts() == before
    target = tmp_path / "out.jsonl"
    call_command("documents", "export", str(target), "--public-only")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["level"] == "provincial"


def test_batched_creation_equals_one_create_per_row(org_tree, taxonomy):
    """The import writes new rows with ``documents_create_many``: the same documents, tags, audit
    rows (one document.create each, chained) and search change-log rows as ``document_create``."""
    from gongkai.core.audit import verify_chain
    from gongkai.policies.services.documents import NewDocument, document_create, documents_create_many

    org = org_tree.province
    fields = {"title": "关于减免房产税的通知", "issuers": [org.name], "doc_number": "湘财发[2020]1号",
              "written_on": date(2020, 3, 2), "body_html": "<p>减免<script>x</script>房产税</p>",
              "category": "notice", "level": "provincial"}
    single = document_create(actor=None, organisation=org, **fields)
    many = documents_create_many(actor=None, items=[
        NewDocument(org, dict(fields, title=f"关于减免房产税的通知（{i}）")) for i in range(3)
    ] + [NewDocument(org, dict(fields), index_no=f"{org_code(org)}/2020-00090")], batch_size=2)
    assert [d.index_no for d in many] == [f"{org_code(org)}/2020-{n:05d}" for n in (2, 3, 4, 90)]
    assert IndexNumberSequence.objects.get(organisation=org, year=2020).last == 90
    assert allocate_index_no(org, 2020) == f"{org_code(org)}/2020-00091"
    for doc in many:
        doc.refresh_from_db()
        assert doc.body_html == single.body_html == "<p>减免房产税</p>"
        assert (doc.doc_number, doc.lead_issuer, doc.doc_number_year) == ("湘财发〔2020〕1号", org.name, 2020)
    events = AuditEvent.objects.filter(action="document.create").order_by("seq")
    assert [e.object_id for e in events] == [str(d.pk) for d in [single, *many]]
    assert set(events[1].after) == set(events[0].after)
    assert sorted(SearchChange.objects.values_list("document_id", flat=True)) == sorted(
        d.pk for d in [single, *many])
    assert verify_chain()[1] is None


def test_a_bad_row_among_batched_rows_is_named_and_nothing_is_written(org_tree, taxonomy):
    org = org_tree.province
    rows = [row(org, 1), row(org, 2, **{"实施日期": "2020-03-02", "废止日期": "2019-01-01"}), row(org, 3)]
    before = counts()
    report = import_documents(actor=None, rows=rows, organisation_resolver=OrganisationResolver(org))
    assert not report.ok
    assert {e.row for e in report.errors} == {2}
    assert counts() == before
