"""Public pages of the 政策库: metadata table, validity banner, QR code, print view, meta tags,
interpretations, special libraries by level, 目录 and 法定主动公开内容 grouping, accessibility
structure (one h1, ordered headings, captions, scoped headers, no inline script/style)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.policies.models import Art20Item, Interpretation, InterpretationImage, SubjectCategory
from gongkai.policies.services.documents import document_relate
from gongkai.policies.services.libraries import library_create, library_publish
from gongkai.policies.tests.fixtures import make_document, tag
from gongkai.policies.tests.public_helpers import add_qa, attach, interpret

pytestmark = pytest.mark.django_db


class Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.styled: list[str] = []
        self.inline_scripts = 0
        self.th_without_scope = 0
        self.tables = 0
        self.captions = 0
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if "style" in a or tag == "style":
            self.styled.append(tag)
        if tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        self.tables += tag == "table"
        self.captions += tag == "caption"
        self._script = tag == "script" and "src" not in a

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False


def assert_accessible(html: str) -> None:
    page = Outline()
    page.feed(html)
    assert page.headings.count(1) == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"heading level skipped: h{before} → h{after}"
    assert not page.styled and page.inline_scripts == 0
    assert page.th_without_scope == 0
    assert page.tables == page.captions


@pytest.fixture
def docs(org_tree, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    subject = SubjectCategory.objects.get(parent__name="财政、金融、审计", name="税务")
    old = make_document(org_tree.dept_b, title="关于减免小微企业房产税的通知", doc_number="测财发[2020]3号",
                        written_on=date(2020, 2, 10), effective_on=date(2020, 3, 1), subject=subject,
                        keywords="房产税 小微企业", tags=[tag("theme", "税费优惠")], art20_item=Art20Item.RULES)
    new = make_document(org_tree.dept_b, title="关于进一步减免房产税的通知", doc_number="测财发〔2026〕8号",
                        written_on=date(2026, 3, 2), subject=subject)
    document_relate(actor=None, source=new, target=old, kind="repeals")
    old.refresh_from_db()
    return {"old": old, "new": new, "subject": subject, "org": org_tree.dept_b}


def test_document_page_has_the_gov_cn_metadata_table(client: Client, docs) -> None:
    old = docs["old"]
    html = client.get(reverse("policies:document", args=[old.pk])).content.decode()
    table = html.split('class="table meta-table"')[1].split("</table>")[0]
    for label, value in [("索引号", old.index_no), ("主题分类", "财政、金融、审计\\税务"), ("发文机关", "测试省财政厅"),
                         ("成文日期", '<time datetime="2020-02-10">2020年2月10日</time>'), ("标题", old.title),
                         ("发文字号", "测财发〔2020〕3号"), ("有效性", "废止"),
                         ("实施日期", "2020年3月1日")]:
        assert f'<th scope="row">{label}</th>' in table, label
        assert value in table, value
    assert "<caption" in table
    published = timezone.localtime(old.published_at)
    assert f'<meta name="firstpublishedtime" content="{published:%Y-%m-%d %H:%M:%S}">' in html
    assert '<meta name="keywords" content="房产税 小微企业">' in html
    assert_accessible(html)


def test_repealed_document_says_so_and_links_both_ways(client: Client, docs) -> None:
    old, new = docs["old"], docs["new"]
    old_html = client.get(reverse("policies:document", args=[old.pk])).content.decode()
    banner = old_html.split('class="validity-banner"')[1].split("</div>")[0]
    assert "本文件已废止。" in banner
    assert f'href="{reverse("policies:document", args=[new.pk])}"' in banner and new.title in banner
    # The banner comes before the metadata table and the body.
    assert old_html.index("validity-banner") < old_html.index("meta-table")
    new_html = client.get(reverse("policies:document", args=[new.pk])).content.decode()
    assert "validity-banner" not in new_html
    assert f'废止了<a href="{reverse("policies:document", args=[old.pk])}">{old.title}</a>' in new_html


def test_document_past_its_repeal_date_shows_as_expired(client: Client, org_tree, taxonomy) -> None:
    doc = make_document(org_tree.dept_a, title="临时性措施", written_on=date(2025, 1, 1),
                        effective_on=date(2025, 1, 1), repeal_on=timezone.localdate() - timedelta(days=1))
    html = client.get(reverse("policies:document", args=[doc.pk])).content.decode()
    assert "本文件已失效" in html and '<span class="tag validity-expired">失效</span>' in html


def test_qr_code_print_view_and_attachment_download(client: Client, docs) -> None:
    doc = docs["new"]
    attachment = attach(doc, "实施细则.pdf", b"%PDF-1.4 hello")
    url = reverse("policies:document", args=[doc.pk])
    html = client.get(url).content.decode()
    svg = re.search(r"<svg[^>]*class=\"qr-code\"[^>]*>.*?</svg>", html, re.S)
    assert svg and "<title>本页二维码</title>" in svg.group(0) and "style" not in svg.group(0)
    assert f"http://testserver{url}" in html
    assert 'href="/static/policies/print.css" media="print"' in html
    assert "实施细则.pdf（PDF，14" in html
    for print_url in (reverse("policies:document_print", args=[doc.pk]), url + "?print=1"):
        printed = client.get(print_url).content.decode()
        assert '<link rel="stylesheet" href="/static/policies/print.css">' in printed
        assert "print-view" in printed and "打印本页" not in printed
        assert_accessible(printed)
    response = client.get(reverse("policies:attachment", args=[doc.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 hello"


def test_interpretations_link_to_documents_and_back(client: Client, docs) -> None:
    doc = docs["new"]
    interview = interpret(docs["org"], [doc], title="访谈：房产税减免怎么办", kind=Interpretation.Kind.INTERVIEW,
                          host="主持人王某", guests="财政厅副厅长李某")
    add_qa(interview, "哪些企业可以减免？", "小微企业均可申请。", asked_by="主持人", answered_by="李某")
    graphic = interpret(docs["org"], [doc], title="图解：房产税减免", kind=Interpretation.Kind.GRAPHIC)
    InterpretationImage.objects.create(interpretation=graphic, image="interpretations/x.png",
                                       alt_text="减免流程图：申请、审核、减免三步")
    draft = interpret(docs["org"], [doc], title="未发布的解读", published=False)
    doc_html = client.get(reverse("policies:document", args=[doc.pk])).content.decode()
    assert interview.title in doc_html and graphic.title in doc_html and draft.title not in doc_html
    html = client.get(reverse("policies:interpretation", args=[interview.pk])).content.decode()
    for text in ["主持人王某", "财政厅副厅长李某", "哪些企业可以减免？", "小微企业均可申请。", "访谈实录"]:
        assert text in html
    assert f'href="{reverse("policies:document", args=[doc.pk])}"' in html
    assert_accessible(html)
    graphic_html = client.get(reverse("policies:interpretation", args=[graphic.pk])).content.decode()
    assert 'alt="减免流程图：申请、审核、减免三步"' in graphic_html
    assert client.get(reverse("policies:interpretation", args=[draft.pk])).status_code == 404


def test_interpretation_list_filters_by_theme(client: Client, docs) -> None:
    a = interpret(docs["org"], [docs["new"]], title="解读：税费优惠")
    a.themes.set([tag("theme", "税费优惠")])
    b = interpret(docs["org"], [docs["new"]], title="解读：稳岗就业")
    b.themes.set([tag("theme", "稳岗就业")])
    html = client.get(reverse("policies:interpretation_list") + "?theme=shuifei").content.decode()
    assert a.title in html and b.title not in html
    assert_accessible(html)


def test_library_shows_counts_by_level_across_levels(client: Client, org_tree, taxonomy) -> None:
    fugong = tag("topic", "复工复产")
    plan = {"national": 2, "provincial": 3, "municipal": 1, "county": 1}
    for level, n in plan.items():
        for i in range(n):
            make_document(org_tree.dept_a, title=f"{level}复工复产文件{i}", level=level, tags=[fugong])
    make_document(org_tree.dept_a, title="无关文件", level="provincial")
    library = library_create(actor=None, organisation=org_tree.province, slug="fugong", name="复工复产政策库",
                             rule_tags=[fugong], rule_levels=["provincial", "national", "municipal"])
    assert client.get(reverse("policies:library", args=["fugong"])).status_code == 404  # not online yet
    library_publish(actor=None, library=library)
    html = client.get(reverse("policies:library", args=["fugong"])).content.decode()
    counts = re.findall(r'<th scope="row"><a href="\?level=(\w+)"[^>]*>(\w+)</a></th><td class="num">(\d+)</td>', html)
    assert counts == [("national", "国家", "2"), ("provincial", "省级", "3"), ("municipal", "市级", "1")]
    assert "按层级统计（共 6 件）" in html and "无关文件" not in html and "county复工复产" not in html
    filtered = client.get(reverse("policies:library", args=["fugong"]) + "?level=national").content.decode()
    assert "national复工复产文件0" in filtered and "provincial复工复产文件0" not in filtered
    # The library's search box is scoped to its tags and levels.
    assert '<input type="hidden" name="tag" value="topic:fugong">' in html
    assert '<input type="hidden" name="level" value="national">' in html
    assert_accessible(html)
    home = client.get(reverse("policies:home")).content.decode()
    assert reverse("policies:library", args=["fugong"]) in home
    assert_accessible(home)


def test_mulu_lists_the_catalogue_with_year_and_subject_filters(client: Client, docs) -> None:
    org = docs["org"]
    other_subject = SubjectCategory.objects.get(parent__name="科技、教育", name="教育")
    make_document(org, title="教育类文件", subject=other_subject, written_on=date(2026, 1, 5), summary="教育概述")
    url = reverse("portal:mulu", args=[org.slug])
    html = client.get(url).content.decode()
    for heading in ["索引号", "名称", "内容概述", "生成日期"]:
        assert f'<th scope="col">{heading}</th>' in html
    assert docs["old"].index_no in html and "教育概述" in html and "共 3 条" in html
    by_year = client.get(url + "?year=2020").content.decode()
    assert docs["old"].title in by_year and docs["new"].title not in by_year and "共 1 条" in by_year
    by_subject = client.get(url + f"?subject={other_subject.parent_id}").content.decode()
    assert "教育类文件" in by_subject and docs["old"].title not in by_subject
    assert_accessible(html)


def test_fdzdgknr_groups_by_article_20_items(client: Client, org_tree, taxonomy) -> None:
    org = org_tree.dept_a
    for i in range(7):
        make_document(org, title=f"规范性文件{i}", art20_item=Art20Item.RULES)
    make_document(org, title="2026年部门预算", art20_item=Art20Item.BUDGETS, category="budget")
    make_document(org, title="未归类的工作动态", category="work_news")
    index = client.get(reverse("portal:gongkai_fdzdgknr")).content.decode()
    assert reverse("portal:org_fdzdgknr", args=[org.slug]) in index
    html = client.get(reverse("portal:org_fdzdgknr", args=[org.slug])).content.decode()
    assert html.count('class="art20-group"') == 15
    rules = html.split('id="art20-1"')[1].split("</section>")[0]
    assert len(re.findall(r">规范性文件\d</a>", rules)) == 5 and "更多" in rules and "共 7 条" in rules
    budgets = html.split('id="art20-7"')[1].split("</section>")[0]
    assert "2026年部门预算" in budgets and "更多" not in budgets
    assert "未归类的工作动态" not in html
    assert "暂无信息" in html.split('id="art20-14"')[1].split("</section>")[0]
    more = client.get(reverse("portal:org_fdzdgknr", args=[org.slug]) + "?item=1").content.decode()
    assert len(re.findall(r">规范性文件\d</a>", more)) == 7 and "共 7 条" in more
    assert_accessible(html)
    assert_accessible(more)


def test_search_page_has_facets_count_sort_and_highlights(client: Client, docs, search_index) -> None:
    search_index.apply()
    url = reverse("policies:search")
    html = client.get(url + "?q=房产税").content.decode()
    assert '<p class="result-count" role="status" aria-live="polite">共 2 条' in html
    assert "<mark>房产税</mark>" in html
    assert re.search(r'<input type="checkbox" id="f-level-0" name="level" value="provincial">'
                     r'<label for="f-level-0">省级 <span class="count">（2）</span></label>', html)
    assert '<legend>政策主题</legend>' in html and 'name="tag" value="theme:shuifei"' in html
    assert 'href="?q=%E6%88%BF%E4%BA%A7%E7%A8%8E&amp;sort=date">按日期</a>' in html
    assert_accessible(html)
    filtered = client.get(url + "?q=房产税&tag=theme:shuifei").content.decode()
    old_url, new_url = (reverse("policies:document", args=[docs[k].pk]) for k in ("old", "new"))
    assert "共 1 条" in filtered and old_url in filtered and new_url not in filtered
    assert "删除筛选：政策主题 税费优惠" in filtered
    by_date = client.get(url + "?q=房产税&sort=date").content.decode()
    assert by_date.index(new_url) < by_date.index(old_url)
