"""Browser tests of issue 3's "done when": a visitor browses the libraries by level and theme,
searches in Chinese with facets, opens a document with its interpretations and validity and finds
its feed; staff draft, review and publish a document, which then appears in the public library."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from gongkai.core.demo import load_demo
from gongkai.policies.demo import load_demo_documents
from gongkai.policies.search.indexer import rebuild

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_library(transactional_db: None, taxonomy: None) -> None:
    load_demo()
    load_demo_documents()
    rebuild()


def _axe_violations(page: Page) -> str:
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


def test_visitor_browses_searches_and_opens_a_document(page: Page, live_server, demo_library, screenshot_dir: Path):
    page.goto(live_server.url + "/zhengce/")
    assert _axe_violations(page) == ""
    # The publication's 复工复产 library: counts by level across levels (国家 16, 省级 75, 市州 58).
    page.get_by_role("link", name="复工复产政策库").click()
    main_text = page.locator("main").inner_text()
    assert re.search(r"国家\D{0,6}16", main_text) and re.search(r"省级\D{0,6}75", main_text)

    page.goto(live_server.url + "/zhengce/")
    page.get_by_role("searchbox", name="检索政策文件").fill("贷款")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("main")).to_contain_text("贷款")
    assert page.locator("main mark").count() > 0  # highlighted matches
    total_text = page.locator("main").inner_text()
    # Narrow by the 省级 facet: the result count must not grow.
    before = int(re.search(r"共\s*(\d+)\s*(?:件|条|篇)", total_text).group(1))
    page.get_by_role("checkbox", name=re.compile("^省级")).check()
    page.get_by_role("button", name="应用筛选").click()
    after = int(re.search(r"共\s*(\d+)\s*(?:件|条|篇)", page.locator("main").inner_text()).group(1))
    assert 0 < after <= before
    assert _axe_violations(page) == ""
    page.screenshot(path=str(screenshot_dir / "policy-search.png"), full_page=True)

    page.locator("main a[href*='/zhengce/content/']").first.click()
    table = page.get_by_role("table").first
    for label in ("索引号", "发文机关", "成文日期", "发文字号", "发布日期", "有效性"):
        expect(table).to_contain_text(label)
    assert _axe_violations(page) == ""

    page.goto(live_server.url + "/zhengce/")
    feed_href = page.locator("link[rel=alternate][type='application/rss+xml']").first.get_attribute("href")
    feed = page.request.get(live_server.url + feed_href if feed_href.startswith("/") else feed_href)
    assert feed.status == 200
    assert ElementTree.fromstring(feed.body()).find("channel/item/title") is not None


def test_interpretation_is_shown_with_its_document(page: Page, live_server, demo_library):
    page.goto(live_server.url + "/zhengce/jiedu/")
    page.locator("main a[href*='/zhengce/jiedu/']").filter(has_text="访谈").first.click()
    expect(page.locator("main")).to_contain_text("主持人")
    page.locator("main a[href*='/zhengce/content/']").first.click()
    expect(page.get_by_role("heading", name="政策解读")).to_be_visible()
    assert _axe_violations(page) == ""


def test_staff_draft_review_and_publish_reaches_the_public_library(browser, live_server, demo_library, login_as):
    title = "关于浏览器测试专用的复工复产补充通知"
    publisher_ctx = browser.new_context(locale="zh-CN")
    page = publisher_ctx.new_page()
    login_as(page, live_server.url, "hncz_publisher")
    page.goto(live_server.url + "/staff/policies/new/")
    page.get_by_label("标题").fill(title)
    page.get_by_label("发文机关").fill("湖南省财政厅")
    page.get_by_label("发文字号").fill("湘财发[2026]99号")
    page.get_by_label("成文日期").fill("2026-11-20")
    page.get_by_label("类别").select_option(label="其他政策文件")
    page.get_by_label("层级").select_option(label="省级")
    page.get_by_label("正文").fill("<p>浏览器测试正文。</p><script>alert(1)</script>")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("main")).to_contain_text("湘财发〔2026〕99号")
    assert _axe_violations(page) == ""
    page.get_by_role("link", name="提交审核").click()
    page.get_by_role("button", name="确认提交审核").click()
    doc_url = page.url
    publisher_ctx.close()

    head_ctx = browser.new_context(locale="zh-CN")
    page = head_ctx.new_page()
    login_as(page, live_server.url, "hn_head")
    page.goto(doc_url)
    page.get_by_role("link", name="开始保密审查").click()
    page.get_by_role("button", name="确认开始保密审查").click()
    page.get_by_role("link", name="批准发布").click()
    page.get_by_role("button", name="确认批准发布").click()
    expect(page.locator("main")).to_contain_text("已发布")
    head_ctx.close()

    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(live_server.url + "/zhengce/search/?q=" + title)
    visitor.locator("main a[href*='/zhengce/content/']").first.click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(title)
    assert "alert(1)" not in visitor.content()
