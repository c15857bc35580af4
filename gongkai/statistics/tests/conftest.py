"""A small known dataset for the statistics tests, built through the real services: a city
government with two departments, every role, six requests of the city and two of another city
(which must never be counted), a reconsideration with a 纠正 result, a legal-review rejection and
four documents.

The service clock (``deadlines.today``) is fixed at 2026-06-30, so the cached overdue flags are as
of that day. Reply and legal-review timestamps are real ``now()``, so the assessment period runs
from 2026-01-01 to the later of 2026-12-31 and today.

    R1 教育局  in person 2026-03-02, 予以公开, delivered 03-04 — on time, 2 working days
    R2 教育局  in person 2026-03-03, 部分公开, one legal-review rejection, delivered 04-02 — late
               (due 03-31), 22 working days; 行政复议 filed 04-10, 结果纠正 decided 05-20
    R3 财政局  in person 2026-04-01, 予以公开, delivered 04-03 — on time, 2 working days
    R4 财政局  in person 2026-05-06, assigned, open — overdue on 06-30
    R5 (city)  ordinary letter arrived 06-26 (Fri), confirmed 06-29 (Mon) — 1 working day to
               acknowledge; open, not assigned
    R6 (city)  in person 2026-06-01, withdrawn 06-02
    X1, X2     another city: one open and overdue, one delivered late

Documents: 教育局 D1 (needs an interpretation, has one; written 03-02, published 03-10: on time
under Art. 26), 财政局 D2 (needs one, has none; written 01-05, published 03-10: late), the city's
D3 (不予公开, written 02-01, not published), the other city's D4 (would change every figure).
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import OrgRole
from gongkai.accounts.tests.factories import MembershipFactory, OrganisationFactory, StaffUserFactory
from gongkai.disclosure.models import DisclosureRequest
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import remedies, submission, workflow
from gongkai.policies.tests.fixtures import make_document
from gongkai.policies.tests.public_helpers import interpret
from gongkai.statistics.access import statistics_scope
from gongkai.statistics.selectors import Period

TODAY = date(2026, 6, 30)

PERSON = {
    "applicant_type": "natural_person", "applicant_name": "张三", "id_type": "resident_id",
    "id_number": "11010519491231002X", "phone": "13812345678", "email": "zhangsan@example.com",
    "address": "广东省广州市越秀区府前路1号", "postcode": "510000",
    "description": "2025年本市义务教育阶段学校招生计划", "form_wanted": "electronic", "delivery_method": "email",
}


def member(org: Organisation, role: str, username: str, **kw: Any) -> Any:
    user = StaffUserFactory(username=username, display_name=username)
    MembershipFactory(user=user, organisation=org, role=role, **kw)
    return user


def period() -> Period:
    return Period(date(2026, 1, 1), max(date(2026, 12, 31), timezone.localdate()))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def world(db: Any) -> SimpleNamespace:
    city = OrganisationFactory(name="测试市人民政府", slug="s-city", level=Organisation.Level.MUNICIPAL,
                               kind=Organisation.Kind.GOVERNMENT)
    dept_a = OrganisationFactory(name="测试市教育局", slug="s-edu", parent=city)
    dept_b = OrganisationFactory(name="测试市财政局", slug="s-fin", parent=city)
    other = OrganisationFactory(name="另一市人民政府", slug="s-other", level=Organisation.Level.MUNICIPAL,
                                kind=Organisation.Kind.GOVERNMENT)
    w = SimpleNamespace(city=city, dept_a=dept_a, dept_b=dept_b, other=other)
    w.registrar = member(city, OrgRole.REGISTRAR, "s_registrar")
    w.handler_a = member(dept_a, OrgRole.HANDLER, "s_handler_a")
    w.handler_b = member(dept_b, OrgRole.HANDLER, "s_handler_b")
    w.reviewer = member(city, OrgRole.LEGAL_REVIEWER, "s_reviewer")
    w.head = member(city, OrgRole.OFFICE_HEAD, "s_head", includes_subordinates=True)
    w.publisher = member(city, OrgRole.PUBLISHER, "s_publisher")
    w.other_registrar = member(other, OrgRole.REGISTRAR, "s_other_registrar")
    w.other_handler = member(other, OrgRole.HANDLER, "s_other_handler")
    w.other_head = member(other, OrgRole.OFFICE_HEAD, "s_other_head", includes_subordinates=True)
    return w


def register(org: Organisation, actor: Any, arrived: date | datetime, description: str, *,
             channel: str = "in_person", confirmed: date | None = None) -> DisclosureRequest:
    return submission.request_register(actor=actor, organisation=org, channel=channel, arrived_at=arrived,
                                       confirmed_at=confirmed, data={**PERSON, "description": description}).request


def deliver(req: DisclosureRequest, *, handler: Any, head: Any, on: date, outcome: str = "disclosed",
            reviewer: Any = None, reject_first: bool = False) -> DisclosureRequest:
    reasons = "经查，该信息可以公开，现予以提供。" if outcome == "disclosed" else "部分内容涉及第三方商业秘密，依法区分处理。"
    workflow.reply_draft(actor=handler, request=req, outcome=outcome, reasons=reasons)
    req = workflow.reply_submit_for_review(actor=handler, request=req)
    if req.status == "legal_review":
        if reject_first:
            req = workflow.reply_legal_review(actor=reviewer, request=req, approve=False, comment="理由不充分，请补充")
            workflow.reply_draft(actor=handler, request=req, outcome=outcome, reasons=reasons + "已补充理由。")
            req = workflow.reply_submit_for_review(actor=handler, request=req)
        req = workflow.reply_legal_review(actor=reviewer, request=req, approve=True, comment="同意")
    req = workflow.reply_approve(actor=head, request=req, approve=True)
    workflow.request_deliver(actor=handler, request=req, method="pickup", on=on)
    req.refresh_from_db()
    assert req.status == "delivered"
    return req


@pytest.fixture
def dataset(world: SimpleNamespace) -> SimpleNamespace:
    w = world
    assign = workflow.request_assign
    r1 = assign(actor=w.registrar, department=w.dept_a,
                request=register(w.city, w.registrar, date(2026, 3, 2), "2025年本市义务教育阶段学校招生计划"))
    w.r1 = deliver(r1, handler=w.handler_a, head=w.head, on=date(2026, 3, 4))
    r2 = assign(actor=w.registrar, department=w.dept_a,
                request=register(w.city, w.registrar, date(2026, 3, 3), "市财政局2025年财政预算执行情况"))
    w.r2 = deliver(r2, handler=w.handler_a, head=w.head, on=date(2026, 4, 2), outcome="partial",
                   reviewer=w.reviewer, reject_first=True)
    recon = remedies.reconsideration_record(actor=w.registrar, request=w.r2, filed_on=date(2026, 4, 10),
                                            review_body="测试省人民政府")
    remedies.reconsideration_update_result(actor=w.head, reconsideration=recon, result="corrected",
                                           decided_on=date(2026, 5, 20))
    r3 = assign(actor=w.registrar, department=w.dept_b,
                request=register(w.city, w.registrar, date(2026, 4, 1), "2025年财政专项资金分配明细"))
    w.r3 = deliver(r3, handler=w.handler_b, head=w.head, on=date(2026, 4, 3))
    w.r4 = assign(actor=w.registrar, department=w.dept_b,
                  request=register(w.city, w.registrar, date(2026, 5, 6), "本市住房保障对象名单"))
    w.r5 = register(w.city, w.registrar, date(2026, 6, 26), "本市教育经费统计数据", channel="ordinary_letter",
                    confirmed=date(2026, 6, 29))
    r6 = register(w.city, w.registrar, date(2026, 6, 1), "城市道路维修计划")
    w.r6 = workflow.request_withdraw(actor=w.registrar, request=r6, reason="申请人来电撤回申请", on=date(2026, 6, 2))

    w.x1 = register(w.other, w.other_registrar, date(2026, 3, 5), "教育局招生计划")
    x2 = assign(actor=w.other_registrar, department=w.other,
                request=register(w.other, w.other_registrar, date(2026, 3, 2), "财政预算执行情况"))
    w.x2 = deliver(x2, handler=w.other_handler, head=w.other_head, on=date(2026, 5, 29))

    published = timezone.make_aware(datetime(2026, 3, 10, 10, 0))
    w.d1 = make_document(w.dept_a, title="关于义务教育招生工作的通知", written_on=date(2026, 3, 2),
                         needs_interpretation=True, level="municipal")
    w.d2 = make_document(w.dept_b, title="关于财政专项资金管理的办法", written_on=date(2026, 1, 5),
                         needs_interpretation=True, level="municipal")
    w.d3 = make_document(w.city, title="内部工作规程", written_on=date(2026, 2, 1), published=False,
                         level="municipal", system_fields={
                             "disclosure": "withheld", "disclosure_ground": "art16_internal",
                             "disclosure_explanation": "属于内部事务信息，依法不予主动公开。"})
    w.d4 = make_document(w.other, title="另一市的通知", written_on=date(2026, 3, 2), needs_interpretation=True,
                         level="municipal")
    from gongkai.policies.models import Document

    Document.objects.filter(pk__in=[w.d1.pk, w.d2.pk, w.d4.pk]).update(published_at=published)
    interpret(w.dept_a, [w.d1], title="图解：义务教育招生")
    return w


@pytest.fixture
def city_scope(dataset: SimpleNamespace) -> Any:
    """What the city's office head (含下级机关) sees: the city and both departments."""
    return statistics_scope(dataset.head)
