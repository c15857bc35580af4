"""Browser smoke tests: home page, staff login with TOTP, accessibility (axe-core), small screens
and the 适老化 font-size switch. Run with the demo data loaded, as a visitor would see the site."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from gongkai.core.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db: None) -> None:
    load_demo()




def axe_report(page: Page) -> str:
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


def test_home_page_renders_chinese_with_navigation(page: Page, live_server, demo, screenshot_dir: Path):
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    response = page.goto(live_server.url + "/")

    assert response is not None and response.status == 200
    # The stylesheet and script must load, or the axe colour-contrast checks below test an unstyled page.
    assert [f for f in failed if "/static/" in f] == []
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != (
        "rgba(0, 0, 0, 0)")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "政务公开" in page.get_by_role("heading", level=1).inner_text()
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="首页").get_attribute("aria-current") == "page"
    assert "湖南省人民政府办公厅" in page.locator("main").inner_text()
    shot = screenshot_dir / "home.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_staff_login_with_totp_reaches_workbench_and_logs_out(page: Page, live_server, demo, login_as):
    login_as(page, live_server.url, "hn_head")
    page.get_by_role("link", name="工作台").click()

    assert page.get_by_role("heading", level=1).inner_text() == "工作台"
    roles = page.get_by_role("table")
    assert "湖南省人民政府办公厅" in roles.inner_text()
    assert "本机关及下级机关" in roles.inner_text()

    page.get_by_role("button", name="退出").click()
    assert page.get_by_role("link", name="登录").is_visible()
    page.goto(live_server.url + "/staff/")
    assert "/accounts/login/" in page.url


def test_wrong_totp_code_does_not_log_in(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("hn_handler")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("动态验证码").fill("000000")
    page.get_by_role("button", name="登录", exact=True).click()

    assert page.get_by_role("alert").inner_text().startswith("验证未成功")
    page.goto(live_server.url + "/staff/")
    assert "/accounts/login/" in page.url


def test_no_axe_violations_on_home_login_and_workbench(page: Page, live_server, demo, login_as):
    page.goto(live_server.url + "/")
    assert axe_report(page) == ""

    page.goto(live_server.url + "/accounts/login/")
    assert axe_report(page) == ""

    login_as(page, live_server.url, "hn_registrar")
    page.goto(live_server.url + "/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == "工作台"
    assert axe_report(page) == ""


def test_home_page_has_no_horizontal_scroll_at_320px(browser, live_server, demo, screenshot_dir: Path):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 320, "height": 640})
    try:
        page = ctx.new_page()
        page.goto(live_server.url + "/")
        scroll_width, client_width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        page.screenshot(path=str(screenshot_dir / "home-320.png"), full_page=True)
    finally:
        ctx.close()

    assert client_width == 320
    assert scroll_width <= client_width


def test_font_size_switch_enlarges_root_font_and_is_remembered(page: Page, live_server):
    page.goto(live_server.url + "/")
    root_px = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    normal = page.evaluate(root_px)

    page.get_by_role("button", name="特大").click()

    assert page.evaluate(root_px) == pytest.approx(normal * 1.5)
    assert page.get_by_role("button", name="特大").get_attribute("aria-pressed") == "true"
    assert page.get_by_role("button", name="标准").get_attribute("aria-pressed") == "false"
    page.reload()
    assert page.evaluate(root_px) == pytest.approx(normal * 1.5)
