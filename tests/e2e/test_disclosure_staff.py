"""Browser test of the staff workbench for requests (issue 4 §2, §4): a registrar registers an
ordinary letter (平常信函) and assigns it; a handler drafts a 予以公开 reply and submits it; the
office head approves; the reply is delivered. axe-core finds nothing on the queue and request
pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from gongkai.core.demo import load_demo
from gongkai.disclosure.models import DisclosureRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def demo(transactional_db: None) -> None:
    load_demo()


def axe_report(page: Page) -> str:
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


def _signed_in(browser: Browser, live_server, login_as, username: str) -> Page:
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    login_as(page, live_server.url, username)
    return page


def _open_action(page: Page, name: str):
    panel = page.locator(f"#action-{name}")
    panel.locator("summary").click()
    return panel


def test_letter_registered_assigned_drafted_approved_delivered(browser: Browser, live_server, demo, login_as,
                                                               screenshot_dir: Path):
    today = timezone.localdate().isoformat()
    registrar = _signed_in(browser, live_server, login_as, "hn_registrar")
    registrar.goto(live_server.url + "/staff/disclosure/register/")
    registrar.get_by_label("平常信函", exact=True).check()
    registrar.get_by_label("提交、签收或到达时间").fill(f"{today} 00:05")
    registrar.get_by_label("与申请人确认的时间").fill(f"{today} 00:10")
    registrar.get_by_label("申请人姓名或名称").fill("王五")
    registrar.get_by_label("证件类型").select_option(label="居民身份证")
    registrar.get_by_label("证件号码").fill(ID_NUMBER)
    registrar.get_by_label("联系电话").fill("13912345678")
    registrar.get_by_label("通信地址").fill("湖南省长沙市芙蓉区示例路8号")
    registrar.get_by_label("所需政府信息的名称、文号或特征描述").fill("2025年湖南省政府常务会议议定事项清单")
    registrar.get_by_role("button", name="登记").click()
    expect(registrar.get_by_role("heading", level=1)).to_have_text("申请已登记")
    expect(registrar.locator(".query-code")).to_have_text(re.compile(r"^[A-Z2-9]{10}$"))
    req = DisclosureRequest.objects.get(applicant_name="王五")
    assert req.channel == "ordinary_letter" and req.status == "registered"

    registrar.get_by_role("link", name="打开申请，分办").click()
    assert ID_NUMBER not in registrar.content() and "110105********002X" in registrar.content()
    assign = _open_action(registrar, "assign")
    assign.get_by_label("承办部门").select_option(label="湖南省人民政府办公厅")
    assign.get_by_role("button", name="分办").click()
    expect(registrar.locator(".messages")).to_contain_text("已分办至湖南省人民政府办公厅")
    assert axe_report(registrar) == ""
    registrar.goto(live_server.url + "/staff/disclosure/")
    expect(registrar.locator("main table")).to_contain_text(req.receipt_no)
    assert axe_report(registrar) == ""
    registrar.screenshot(path=str(screenshot_dir / "disclosure-queue.png"), full_page=True)

    handler = _signed_in(browser, live_server, login_as, "hn_handler")
    handler.goto(live_server.url + "/staff/disclosure/")
    handler.get_by_role("link", name=req.receipt_no).click()
    draft = _open_action(handler, "draft")
    draft.get_by_label("答复类型").select_option(label="予以公开")
    draft.get_by_label("答复理由").fill("经查，您申请的信息属于可以公开的政府信息，现予以公开。")
    draft.get_by_role("button", name="保存答复草稿").click()
    expect(handler.locator(".messages")).to_contain_text("已保存答复草稿")
    _open_action(handler, "submit_review").get_by_role("button", name="提交审核").click()
    expect(handler.get_by_role("heading", level=1)).to_contain_text("待负责人审批")
    assert axe_report(handler) == ""

    head = _signed_in(browser, live_server, login_as, "hn_head")
    head.goto(live_server.url + f"/staff/disclosure/{req.uid}/")
    approve = _open_action(head, "approve")
    approve.get_by_label("同意", exact=True).check()
    approve.get_by_role("button", name="提交审批意见").click()
    expect(head.get_by_role("heading", level=1)).to_contain_text("已审批待送达")

    handler.reload()
    deliver = _open_action(handler, "deliver")
    deliver.get_by_label("自取", exact=True).check()
    deliver.get_by_role("button", name="登记送达").click()
    expect(handler.get_by_role("heading", level=1)).to_contain_text("已答复")
    expect(handler.locator("#timeline-heading + ol")).to_contain_text("负责人审批")
    assert axe_report(handler) == ""
    handler.screenshot(path=str(screenshot_dir / "disclosure-request.png"), full_page=True)
    req.refresh_from_db()
    assert req.status == "delivered" and req.outcome == "disclosed"
