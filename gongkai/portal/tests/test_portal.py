"""Portal pages: navigation, 栏目 placeholders, the organisation tree and the 政府信息公开指南."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.accounts.services import organisation_update
from gongkai.portal.tests.helpers import make_org

pytestmark = pytest.mark.django_db

PLACEHOLDER = "本栏目正在建设中，暂未开放。"
PLACEHOLDER_PAGES = [
    ("portal:gongkai_zhidu", "政府信息公开制度"),
    ("portal:gongkai_nianbao", "政府信息公开年报"),
    ("portal:services", "办事服务"),
    ("portal:interaction", "互动交流"),
]


_CURRENT = re.compile(r'<a href="([^"]*)" aria-current="(page|true)">([^<]+)</a>')


def _aria_current_links(html: str) -> dict[str, str]:
    """{link text: aria-current value} for links that carry aria-current."""
    return {m.group(3): m.group(2) for m in _CURRENT.finditer(html)}


@pytest.fixture
def orgs():
    gov = make_org("示范县人民政府", "shifan-xian", level="county", kind="government",
                   office_name="示范县人民政府办公室", office_address="示范县人民路1号", office_hours="工作日 9:00-17:00",
                   phone="010-12345678", fax="010-12345679", email="gongkai@shifan.example.gov.cn",
                   postcode="100001", website="https://shifan.example.gov.cn/")
    edu = make_org("示范县教育局", "shifan-jiaoyu", parent=gov)
    closed = make_org("示范县已撤销局", "shifan-closed", parent=gov, is_active=False)
    return gov, edu, closed


def test_main_navigation_lists_every_section_as_a_real_page(client: Client) -> None:
    html = client.get(reverse("portal:home")).content.decode()
    nav = html[html.index('aria-label="主导航"'):html.index("</nav>")]
    for name, text in [("portal:home", "首页"), ("policies:home", "政策库"),
                       ("portal:gongkai_index", "政府信息公开"), ("portal:services", "办事服务"),
                       ("portal:interaction", "互动交流")]:
        url = reverse(name)
        assert f'href="{url}"' in nav and text in nav
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("url_name", "title"), PLACEHOLDER_PAGES)
def test_unbuilt_sections_say_so_plainly_and_point_to_contacts(client: Client, orgs, url_name, title) -> None:
    gov, _, closed = orgs
    response = client.get(reverse(url_name))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in html
    assert PLACEHOLDER in html
    # Where to get the information meanwhile: each active organisation's contact and 指南.
    assert "010-12345678" in html
    assert reverse("portal:zhinan", args=[gov.slug]) in html
    assert closed.name not in html
    assert f"<title>{title}" in html


@pytest.mark.parametrize(("url_name", "label"), [
    ("portal:home", "首页"), ("policies:home", "政策库"), ("portal:services", "办事服务"),
    ("portal:interaction", "互动交流"), ("portal:gongkai_index", "政府信息公开"),
])
def test_aria_current_marks_exactly_the_current_top_level_page(client: Client, url_name, label) -> None:
    url = reverse(url_name)
    html = client.get(url).content.decode()
    assert _aria_current_links(html).get(label) == "page"
    # aria-current="page" only ever marks links to the page itself.
    assert {m.group(1) for m in _CURRENT.finditer(html) if m.group(2) == "page"} == {url}


def test_gongkai_subpage_marks_its_section_and_itself(client: Client) -> None:
    current = _aria_current_links(client.get(reverse("portal:gongkai_nianbao")).content.decode())
    assert current == {"政府信息公开": "true", "政府信息公开年报": "page"}


def test_zhinan_page_marks_section_and_guide_column(client: Client, orgs) -> None:
    gov, _, _ = orgs
    current = _aria_current_links(client.get(reverse("portal:zhinan", args=[gov.slug])).content.decode())
    assert current["政府信息公开"] == "true"
    assert current["政府信息公开指南"] in {"true", "page"}
    assert "首页" not in current


def test_gongkai_index_shows_active_organisations_as_a_tree(client: Client, orgs) -> None:
    gov, edu, closed = orgs
    html = client.get(reverse("portal:gongkai_index")).content.decode()
    gov_at = html.index(gov.name)
    edu_at = html.index(edu.name)
    # The department is nested in a list inside the government's list item.
    between = html[gov_at:edu_at]
    assert '<ul class="org-tree">' in between
    assert closed.name not in html
    assert reverse("portal:zhinan", args=[edu.slug]) in html


def test_organisation_page_links_to_its_zhinan(client: Client, orgs) -> None:
    gov, edu, _ = orgs
    html = client.get(reverse("portal:organisation", args=[gov.slug])).content.decode()
    assert f'href="{reverse("portal:zhinan", args=[gov.slug])}"' in html
    assert edu.name in html  # subordinate listed
    assert "示范县人民政府办公室" in html


@pytest.mark.parametrize("slug", ["shifan-closed", "no-such-org"])
def test_inactive_or_unknown_organisation_is_404(client: Client, orgs, slug) -> None:
    assert client.get(reverse("portal:organisation", args=[slug])).status_code == 404
    response = client.get(reverse("portal:zhinan", args=[slug]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_zhinan_contains_article_12_contents_from_organisation_data(client: Client, orgs) -> None:
    gov, _, _ = orgs
    html = client.get(reverse("portal:zhinan", args=[gov.slug])).content.decode()
    assert "<h1>示范县人民政府政府信息公开指南</h1>" in html
    # 分类与编排体系: the four columns plus 依申请公开.
    for column in ["portal:gongkai_zhidu", "portal:gongkai_fdzdgknr", "portal:gongkai_nianbao",
                   "portal:gongkai_ysqgk"]:
        assert reverse(column) in html
    assert "政府信息的分类与编排体系" in html and "依申请公开" in html
    # 获取方式: channels, Art. 29 contents, Arts. 30/33 time limits, Art. 42 fees, Art. 51 remedies.
    for text in ["当面提交", "邮寄", "传真", "网上提交", "身份证明", "特征性描述",
                 "7个工作日内一次性告知", "20个工作日内予以答复", "最长不超过20个工作日",
                 "国办函〔2020〕109号", "不收取费用", "行政复议", "行政诉讼", "第五十一条"]:
        assert text in html, text
    # 工作机构 contact data, all from the organisation record.
    for value in ["示范县人民政府办公室", "示范县人民路1号", "工作日 9:00-17:00", "010-12345678",
                  "010-12345679", "gongkai@shifan.example.gov.cn", "100001", "https://shifan.example.gov.cn/"]:
        assert value in html, value
    assert "暂未提供" not in html.split('id="jigou"')[1].split("</dl>")[0]


def test_zhinan_shows_missing_contact_fields_as_not_provided(client: Client, orgs) -> None:
    _, edu, _ = orgs
    html = client.get(reverse("portal:zhinan", args=[edu.slug])).content.decode()
    office = html.split('id="jigou"')[1].split("</dl>")[0]
    assert office.count("暂未提供") == 8


def test_zhinan_follows_changes_to_the_organisation(client: Client, orgs) -> None:
    _, edu, _ = orgs
    organisation_update(actor=None, organisation=edu, phone="010-88886666", office_name="示范县教育局办公室")
    html = client.get(reverse("portal:zhinan", args=[edu.slug])).content.decode()
    assert "010-88886666" in html and "示范县教育局办公室" in html


def test_home_links_each_organisation_page_and_zhinan(client: Client, orgs) -> None:
    gov, _, closed = orgs
    html = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:organisation", args=[gov.slug]) in html
    assert reverse("portal:zhinan", args=[gov.slug]) in html
    assert closed.name not in html
