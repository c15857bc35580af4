"""Browser test of the whole enterprise journey (issue 6 "done when"): an enterprise user sees what it
qualifies for, subscribes and gets pushed a new item, applies once for a thing (一次告知 → one merged
form → one set of materials), and watches each department approve it to a confirmed payout — every
user-facing step on the real pages in Chromium. Setup and the publisher's step run through the real
services (``load_demo``, ``load_demo_things``, ``item_services``) and the push worker runs once
(``deliver_due``), as ``gongkai worker`` would.

Staff steps use the pages too: 受理 (登记员 of the lead department), 联办 (承办人 of each department,
who also records the payout) and 兑现 二次确认 (部门负责人). No console error and no CSP violation
on any page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gongkai.accounts.models import Organisation, User
from gongkai.core.demo import DEMO_PASSWORD, load_demo
from gongkai.enterprise import item_services
from gongkai.enterprise.models import Enterprise
from gongkai.notifications.models import Notification
from gongkai.policies.models import Document
from gongkai.push.services import deliver_due
from gongkai.things.demo import load_demo_things

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
ENTERPRISE = "长沙示例科技有限公司（演示）"  # the demo account ``enterprise``'s verified enterprise
THING = "我要申请培训补贴"  # 牵头 湖南省财政厅; two items of 财政厅, one of 市场监管局
FINANCE, SAMR = "湖南省财政厅", "湖南省市场监督管理局"
NEW_ITEM = "长沙市小微企业稳岗扩岗补贴（演示）"
PAID_ITEM = "以工代训职业培训补贴"


class Watched:
    """Console errors, page errors and CSP violations of every page opened in one context."""

    def __init__(self, context: BrowserContext) -> None:
        self.errors: list[str] = []
        self.pages: list[Page] = []
        context.add_init_script(CSP_LISTENER)
        self.context = context

    def page(self) -> Page:
        page = self.context.new_page()
        page.on("console", lambda m: self.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        self.pages.append(page)
        return page

    def check(self, page: Page) -> None:
        """After each page: nothing in the console, no CSP violation."""
        assert page.evaluate("window.__cspViolations") == [], page.url
        assert self.errors == []


def login_public(page: Page, base_url: str, username: str) -> None:
    """A public / enterprise account without an authenticator: the password step alone logs in
    (accounts.views._needs_second_factor) and goes back to the portal."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="下一步").click()
    page.wait_for_url(f"{base_url}/")
    expect(page.locator(".header-tools")).to_contain_text("我可以享受的政策")


@pytest.fixture
def demo_world(transactional_db: None) -> None:
    load_demo()
    load_demo_things()


def _staff_page(browser: Browser, base_url: str, login_as: Callable[..., None], username: str,
                watched: list[Watched]) -> Page:
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    w = Watched(ctx)
    watched.append(w)
    page = w.page()
    login_as(page, base_url, username)
    page.wait_for_url("**/staff/**")
    return page


def _publish_new_item() -> Any:
    """湖南省财政厅's 信息发布员 publishes an item whose conditions the demo enterprise meets
    (长沙市, ≤300 人), on the department's public policy document."""
    publisher = User.objects.get(username="hncz_publisher")
    finance = Organisation.objects.get(slug="hunan-finance")
    document = Document.objects.filter(organisation=finance, title__contains="支持企业复工复产").get()
    item = item_services.item_create(actor=publisher, document=document, department=finance, title=NEW_ITEM,
                                     benefit_type="subsidy", promised_days=15,
                                     amount_rule="按新增吸纳就业人数每人1000元给予补贴（演示）。")
    item = item_services.item_replace_conditions(actor=publisher, item=item, conditions=[
        {"field": "region_code", "op": "within_region", "value": ["430100"], "hard": True,
         "source_text": "注册地在长沙市"},
        {"field": "employees", "op": "lte", "value": 300, "hard": True, "source_text": "从业人员不超过300人"},
    ])
    item_services.item_publish(actor=publisher, item=item)
    return item


def test_enterprise_sees_subscribes_applies_once_and_watches_it_paid(
        browser: Browser, context: BrowserContext, live_server: Any, demo_world: None, login_as: Any,
        tmp_path: Path, screenshot_dir: Path) -> None:
    base = live_server.url
    enterprise = Enterprise.objects.get(name=ENTERPRISE)
    assert enterprise.claimed_by.username == "enterprise"
    ent = Watched(context)
    page = ent.page()
    login_public(page, base, "enterprise")

    # 1. 我可以享受的政策: a qualifying item with each condition shown as 符合.
    page.get_by_role("link", name="我可以享受的政策").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我可以享受的政策")
    expect(page.get_by_role("heading", level=2)).to_have_text(ENTERPRISE)
    qualifies = page.locator("section", has=page.get_by_role("heading", level=3, name=re.compile("^符合条件的政策")))
    free = qualifies.locator("li", has=page.get_by_role("link", name="小微企业吸纳就业社保补贴（免申即享）"))
    expect(free).to_contain_text("免申即享")
    rows = free.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("符合")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("符合")
    expect(qualifies.get_by_role("link", name=NEW_ITEM)).to_have_count(0)  # not yet published
    ent.check(page)

    # 2. 订阅: 本企业符合条件的政策, by 站内消息.
    page.get_by_role("link", name="我的订阅").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的订阅")
    page.get_by_label("本企业符合条件的政策").check()
    expect(page.get_by_label("站内消息")).to_be_checked()
    page.get_by_role("button", name="订阅", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("订阅成功")
    subs = page.get_by_role("table", name="我的有效订阅")
    expect(subs.locator("tbody tr")).to_have_count(1)
    expect(subs.locator("tbody tr th")).to_have_text("本企业符合条件的政策")
    expect(subs.locator("tbody tr td").first).to_contain_text("站内消息")
    expect(page.locator("#pushes-heading + p")).to_have_text("暂无推送消息。")
    ent.check(page)

    # 3. The publisher publishes a new item the enterprise qualifies for; the worker runs once.
    item = _publish_new_item()
    result = deliver_due()
    assert result.delivered >= 1 and result.failed == 0, result

    # 4. The site inbox (站内消息) of the enterprise account: the header counts one unread message;
    # 我的消息 lists it; following its link opens the item and marks it read, also on 我的订阅.
    page.reload()
    expect(page.get_by_role("link", name=re.compile(r"^消息 \(1"))).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^消息")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("站内消息")
    row = page.locator("tbody tr", has=page.get_by_role("link", name=re.compile(NEW_ITEM)))
    expect(row).to_contain_text("未读")
    ent.check(page)
    row.get_by_role("link", name=re.compile(NEW_ITEM)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_ITEM)  # the pushed item's own page
    ent.check(page)
    page.goto(f"{base}/push/mine/")
    pushed = page.locator("#pushes-heading + ul li")
    expect(pushed).to_have_count(1)
    expect(pushed).to_contain_text(NEW_ITEM)
    expect(pushed).to_contain_text("（已读）")
    note = Notification.objects.get(recipient=enterprise.claimed_by, kind="policy_push")
    assert note.title.startswith(f"【政策推送】{NEW_ITEM}") and note.read_at is not None  # the inbox copy too
    # The new item is now on 我可以享受的政策, its conditions met.
    page.goto(f"{base}/zhengce/wode/")
    new = qualifies.locator("li", has=page.get_by_role("link", name=NEW_ITEM))
    expect(new.locator("tbody tr")).to_have_count(2)
    expect(new.locator("tbody")).to_contain_text("注册地在长沙市")
    expect(new.locator("tbody tr td:nth-child(2)")).to_have_text(["符合", "符合"])
    expect(new.get_by_role("link", name=NEW_ITEM)).to_have_attribute("href", f"/zhengce/shixiang/{item.pk}/")
    ent.check(page)

    # 5. 一次告知 → 我要申请 → one merged form, each material uploaded once, draft, submit.
    page.goto(f"{base}/yijianshi/")
    page.get_by_role("link", name=THING).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(THING)
    materials = page.locator("#materials-heading + div")
    expect(materials.locator("tbody tr").first).to_contain_text("营业执照")
    page.get_by_role("link", name="我要申请", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"我要申请：{THING}")
    expect(page.get_by_label(re.compile(re.escape(ENTERPRISE)))).to_be_checked()
    page.get_by_role("button", name="开始填写（可随时保存草稿）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(THING)
    expect(page.locator("dl.summary strong.tag")).to_have_text("草稿")
    application_url = page.url
    for label, value in (("联系人", "王经理"), ("联系电话", "13812345678"), ("涉及人数（人）", "12"),
                         ("开户银行", "中国工商银行长沙示例支行"), ("银行账号", "6222000011112222")):
        page.get_by_label(label, exact=True).fill(value)
    uploads = {"营业执照（必须上传）": "yyzz.pdf", "培训人员名单及培训记录（必须上传）": "pxmd.pdf",
               "劳动合同（容缺：可先提交，受理后补交）": "ldht.pdf"}
    for label, name in uploads.items():
        path = tmp_path / name
        path.write_bytes(PDF)
        page.get_by_label(label, exact=True).set_input_files(str(path))
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_have_text("草稿已保存。")
    expect(page.locator("dl.summary strong.tag")).to_have_text("草稿")
    expect(page.get_by_label("联系人", exact=True)).to_have_value("王经理")
    uploaded = page.locator("form ul").last
    for name in ("营业执照", "培训人员名单及培训记录", "劳动合同"):
        expect(uploaded).to_contain_text(name)
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_have_text("申请已提交，请等待受理。")
    expect(page.locator("dl.summary strong.tag")).to_have_text("已提交，待受理")
    expect(page.get_by_role("button", name="提交申请")).to_have_count(0)
    expect(page.locator("section", has=page.locator("#form-heading"))).to_contain_text("138****5678")  # masked once submitted
    ent.check(page)

    staff_watched: list[Watched] = []
    # 6a. 一次受理: the lead department's 登记员.
    staff = _staff_page(browser, base, login_as, "hncz_registrar", staff_watched)
    staff.goto(f"{base}/staff/yijianshi/shouli/")
    expect(staff.get_by_role("heading", level=1)).to_have_text("一件事一次办：受理队列")
    row = staff.locator("tbody tr", has_text=ENTERPRISE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("已提交，待受理")
    row.get_by_role("link", name=THING).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"受理：{THING}")
    staff.get_by_role("button", name="受理并分送各部门联办").click()
    expect(staff.locator(".messages")).to_contain_text("已受理，受理编号 YJS")
    receipt_no = re.search(r"YJS\S+?(?=，)", staff.locator(".messages").inner_text())
    assert receipt_no, staff.locator(".messages").inner_text()
    expect(staff.locator("dl.summary strong.tag")).to_have_text("已受理")
    expect(staff.locator("#tasks-heading + ul")).to_contain_text(SAMR)
    staff_watched[-1].check(staff)
    staff.context.close()

    # 6b. 一次联办: each department's 承办人 approves its own task.
    def approve_tasks(username: str, titles: list[str]) -> Page:
        p = _staff_page(browser, base, login_as, username, staff_watched)
        for title in titles:
            p.goto(f"{base}/staff/yijianshi/lianban/")
            expect(p.get_by_role("heading", level=1)).to_have_text("一件事一次办：本部门联办任务")
            task_row = p.locator("tbody tr", has_text=receipt_no.group(0)).filter(has_text=title)
            expect(task_row).to_have_count(1)
            expect(task_row).to_contain_text("办理中")
            task_row.get_by_role("link", name=receipt_no.group(0)).click()
            expect(p.get_by_role("heading", level=1)).to_have_text(f"联办任务：{title}")
            p.get_by_label("通过", exact=True).check()
            p.get_by_role("button", name="保存结论").click()
            expect(p.locator(".messages")).to_have_text("办理结论已保存。")
            expect(p.locator("dl.summary strong.tag")).to_have_text("已通过")
        staff_watched[-1].check(p)
        return p

    approve_tasks("hnsj_handler", ["培训机构资质核验"]).context.close()
    # 财政厅's 承办人 approves its two items, then records the payout of one (待负责人确认).
    handler = approve_tasks("hncz_handler", ["企业职工线上职业技能培训补贴", PAID_ITEM])
    expect(handler.locator("#progress-heading + div tbody tr td:nth-child(3)")).to_have_text(["已通过"] * 3)
    payout_form = handler.locator("form", has=handler.get_by_role("button", name="登记兑现（待负责人确认）"))
    payout_form.get_by_label("金额（元）").fill("3000.00")
    expect(payout_form.get_by_label("兑现方式")).to_have_value("subsidy")
    # Pre-filled with today as ISO yyyy-mm-dd (a localised 2026/11/27 is dropped by <input type=date>).
    expect(payout_form.get_by_label("兑现日期")).to_have_value(timezone.localdate().isoformat())
    payout_form.get_by_role("button", name="登记兑现（待负责人确认）").click()
    expect(handler.locator(".messages")).to_have_text("兑现记录已登记，经部门负责人确认后计入统计。")
    expect(handler.locator("#payout-heading + ul")).to_contain_text("3000.00 元")
    expect(handler.locator("#payout-heading + ul")).to_contain_text("待确认")
    staff_watched[-1].check(handler)
    handler.context.close()

    # 6c. 一次兑现: the department head's 二次确认.
    head = _staff_page(browser, base, login_as, "hncz_head", staff_watched)
    head.goto(f"{base}/staff/yijianshi/duixian/")
    expect(head.get_by_role("heading", level=1)).to_have_text("一件事一次办：兑现记录")
    payout_row = head.locator("tbody tr", has_text=ENTERPRISE).filter(has_text=PAID_ITEM)
    expect(payout_row).to_have_count(1)
    expect(payout_row).to_contain_text("待确认")
    expect(payout_row.get_by_label("金额（元）")).to_have_value("3000.00")
    payout_row.get_by_role("button", name="确认兑现").click()
    expect(head.locator(".messages")).to_have_text("兑现已确认，计入统计。")
    head.get_by_label("状态", exact=True).select_option("confirmed")
    head.get_by_role("button", name="筛选").click()
    expect(head.locator("tbody tr", has_text=ENTERPRISE).filter(has_text=PAID_ITEM)).to_contain_text("已确认")
    staff_watched[-1].check(head)
    head.context.close()

    # 7. The enterprise watches each department's progress and the payout.
    page.goto(application_url)
    expect(page.locator("dl.summary strong.tag")).to_have_text("已兑现")
    expect(page.locator("dl.summary").first).to_contain_text(receipt_no.group(0))
    progress = page.locator("#progress-heading + div")
    expect(progress.locator("tbody tr")).to_have_count(3)
    expect(progress.locator("tbody tr td:nth-child(3)")).to_have_text(["已通过"] * 3)
    expect(progress.locator("tbody")).to_contain_text(FINANCE)
    expect(progress.locator("tbody")).to_contain_text(SAMR)
    expect(page.locator("#payout-heading")).to_have_text("兑现情况")
    expect(page.locator("#payout-heading + ul li")).to_have_text(re.compile(rf"^{PAID_ITEM}：补贴 3000\.00 元（\d{{4}}-\d\d-\d\d）$"))
    page.get_by_role("link", name="我的申请").click()
    expect(page.locator("tbody tr", has_text=THING)).to_contain_text("已兑现")
    ent.check(page)
    page.screenshot(path=str(screenshot_dir / "enterprise-journey-paid.png"), full_page=True)
