"""Browser test of the applicant side of 依申请公开: a visitor reads the guide, fills the online
form (with an error first), checks the answers, submits, keeps the 查询码 and tracks the request
with it; axe-core finds no violations on the form (also in its error state), the check page, the
confirmation and the status page."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from gongkai.disclosure.models import DisclosureRequest
from gongkai.portal.tests.helpers import make_org

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _axe(page: Page) -> str:
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


@pytest.fixture
def organisation(transactional_db: None):
    return make_org("示范市人民政府", "shifan-shi", level="municipal", kind="government",
                    office_name="示范市人民政府办公室", office_address="示范市人民路1号", phone="010-12345678",
                    fax="010-12345679", postcode="100001")


def test_visitor_submits_online_and_tracks_with_the_code(page: Page, live_server, organisation,
                                                         screenshot_dir: Path) -> None:
    page.goto(live_server.url + "/gongkai/ysqgk/")
    assert page.get_by_role("heading", level=1).inner_text() == "依申请公开"
    assert "示范市人民路1号" in page.locator("main").inner_text()
    page.get_by_role("button", name="在线提交申请").click()

    # The form, first with a wrong ID number: the error summary takes focus and links to the field.
    page.get_by_label("受理机关").select_option(label="示范市人民政府")
    page.get_by_label("自然人", exact=True).check()
    page.get_by_label("姓名或名称").fill("张三")
    page.get_by_label("证件号码").fill("110105194912310021")
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_label("电子邮箱").fill("zhangsan@example.com")
    page.get_by_label("所需政府信息的名称、文号或特征描述").fill("2025年本市义务教育阶段学校招生计划及划片方案")
    page.get_by_label("电子", exact=True).check()
    page.get_by_label("电子邮件", exact=True).check()
    assert _axe(page) == ""
    page.get_by_role("button", name="继续").click()
    assert page.title().startswith("错误：")
    summary = page.locator(".error-summary")
    assert "校验位错误" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert _axe(page) == ""
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_id_number"
    page.get_by_label("证件号码").fill("11010519491231002X")
    page.get_by_role("button", name="继续").click()

    # Check answers: masked ID, a 修改 link per answer, then submit.
    assert page.get_by_role("heading", level=1).inner_text() == "核对申请信息"
    main = page.locator("main").inner_text()
    assert "110105********002X" in main and "11010519491231002X" not in main
    assert _axe(page) == ""
    page.get_by_role("button", name="提交申请").click()

    assert page.get_by_role("heading", level=1).inner_text() == "申请已提交"
    receipt_no = page.locator(".receipt-no").inner_text().strip()
    code = page.locator(".query-code").inner_text().replace("查询码：", "").replace(" ", "").strip()
    assert len(code) == 10
    assert DisclosureRequest.objects.filter(receipt_no=receipt_no).count() == 1
    assert _axe(page) == ""
    page.screenshot(path=str(screenshot_dir / "disclosure-confirmation.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载回执（PDF）").click()
    assert download.value.suggested_filename == f"huizhi-{receipt_no}.pdf"

    # A new browser session: track with the receipt number and the code.
    context = page.context.browser.new_context(locale="zh-CN")
    visitor = context.new_page()
    visitor.goto(live_server.url + "/gongkai/ysqgk/chaxun/")
    visitor.get_by_label("受理编号").fill(receipt_no)
    visitor.get_by_label("查询码").fill("WRONGCODE2")
    visitor.get_by_role("button", name="查询").click()
    assert "受理编号或查询码不正确" in visitor.locator(".error-summary").inner_text()
    assert _axe(visitor) == ""
    visitor.get_by_label("查询码").fill(code)
    visitor.get_by_role("button", name="查询").click()
    assert receipt_no in visitor.get_by_role("heading", level=1).inner_text()
    assert code not in visitor.url
    body = visitor.locator("main").inner_text()
    assert "待确认收到" in body and "提交申请" in body
    assert _axe(visitor) == ""
    visitor.get_by_label("留言内容").fill("请问大约何时能确认收到？")
    visitor.get_by_role("button", name="发送留言").click()
    assert "留言已发送" in visitor.locator("main").inner_text()
    assert "请问大约何时能确认收到？" in visitor.locator(".timeline").inner_text()
    visitor.screenshot(path=str(screenshot_dir / "disclosure-status.png"), full_page=True)
    context.close()
