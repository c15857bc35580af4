"""以往答复: staff publish an anonymised summary of a delivered 予以公开 / 部分公开 reply (公开此答复),
and the pre-submission check page shows matching summaries under 以往答复 — without any of the
earlier applicant's data."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.disclosure.models import DisclosureRequest, PublishedAnswer, RequestEvent
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import past_answers, workflow
from gongkai.disclosure.tests.conftest import PERSON, register
from gongkai.disclosure.tests.test_public_views import CHECK, PERSON_FORM, fill
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db

FIRST_APPLICANT = {
    **PERSON, "applicant_name": "王五", "id_number": "110101199003074477", "phone": "13900001111",
    "email": "wangwu@example.com", "address": "广东省广州市海珠区江南大道中88号",
    "description": "申请公开2025年本市义务教育阶段学校招生划片方案全文（王五家孩子入学用）",
}
TITLE = "2025年义务教育阶段学校招生划片方案"
SUMMARY = "已公开2025年本市义务教育阶段各学校的招生计划和划片范围，可在教育局网站“招生入学”栏目查阅全文。"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2026, 6, 10))


def reload(req: DisclosureRequest) -> DisclosureRequest:
    return DisclosureRequest.objects.get(pk=req.pk)


def answered(world: SimpleNamespace, outcome: str = "disclosed", data: dict[str, Any] | None = None,
             deliver: bool = True) -> DisclosureRequest:
    """A request of ``data`` answered with ``outcome`` and (by default) delivered."""
    req = register(world, arrived=date(2026, 6, 1), data=data or FIRST_APPLICANT).request
    req = workflow.request_assign(actor=world.registrar, request=req, department=world.dept_a)
    workflow.reply_draft(actor=world.handler, request=req, outcome=outcome,
                         reasons="经审查，所申请信息依法予以公开，具体见附件。" if outcome == "disclosed"
                         else "所申请信息涉及第三方商业秘密，依法不予公开。")
    req = workflow.reply_submit_for_review(actor=world.handler, request=reload(req))
    if req.status == "legal_review":
        req = workflow.reply_legal_review(actor=world.reviewer, request=req, approve=True)
    req = workflow.reply_approve(actor=world.head, request=reload(req), approve=True)
    if deliver:
        workflow.request_deliver(actor=world.handler, request=reload(req), method="pickup")
    return reload(req)


def staff(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def publish_over_http(client: Client, req: DisclosureRequest, **data: str) -> Any:
    body = {"expected_version": reload(req).version, "title": TITLE, "summary": SUMMARY, **data}
    return client.post(reverse("disclosure_staff:publish_answer", kwargs={"uid": req.uid}), body)


def check_page(world: SimpleNamespace, description: str) -> str:
    client = Client()
    response = fill(client, world.org, {**PERSON_FORM, "description": description})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(CHECK).content.decode()


def past_section(html: str) -> str:
    if 'id="past-heading"' not in html:
        return ""
    return html.split('id="past-heading"')[1].split("</section>")[0]


def test_staff_publish_and_the_check_page_shows_it_under_past_answers(world):
    req = answered(world)
    handler = staff(world.handler)
    page = handler.get(reverse("disclosure_staff:detail", kwargs={"uid": req.uid})).content.decode()
    assert 'id="action-publish_answer"' in page and "公开此答复" in page
    response = publish_over_http(handler, req)
    assert response.status_code == 302, response.content.decode()[:2000]
    answer = PublishedAnswer.objects.get(request=req)
    assert answer.is_public and answer.outcome == "disclosed" and answer.answered_on == date(2026, 6, 10)
    assert answer.organisation == world.org and answer.published_by == world.handler
    event = RequestEvent.objects.get(request=req, kind="answer_published")
    assert not event.visible_to_applicant
    assert AuditEvent.objects.filter(action="disclosure.past_answer_publish").count() == 1

    html = check_page(world, "2025年本市义务教育阶段学校招生计划及划片方案")
    section = past_section(html)
    assert "以往答复" in html and TITLE in section and "招生计划和划片范围" in section
    assert world.org.name in section and "予以公开" in section


def test_no_applicant_data_leaks_onto_the_public_page(world):
    """Only the staff-written title and summary are shown: not the earlier applicant's name, ID,
    phone, e-mail, address, receipt number or their own wording of the request."""
    req = answered(world)
    past_answers.past_answer_publish(actor=world.handler, request=req, title=TITLE, summary=SUMMARY)
    html = check_page(world, "2025年本市义务教育阶段学校招生计划及划片方案")
    section = past_section(html)
    assert TITLE in section
    for secret in ("王五", "110101199003074477", "13900001111", "139****1111", "wangwu@example.com",
                   "江南大道中88号", req.receipt_no, "王五家孩子入学用", str(req.uid)):
        assert secret not in html, secret


@pytest.mark.parametrize(("field", "text", "message"), [
    ("summary", "已向王五公开2025年招生划片方案全文。", "申请人姓名或名称"),
    ("summary", "申请人证件号码110101199003074477，已公开招生方案。", "证件号码"),
    ("title", "招生方案（联系电话13900001111）", "联系电话"),
    ("summary", "已通过 wangwu@example.com 发送招生划片方案全文。", "电子邮箱"),
    ("summary", "已邮寄至江南大道中88号，内容为招生划片方案。", "个人信息"),
    ("summary", "已公开，另抄送 13712345678 号码的家长群。", "手机号码"),
])
def test_summary_with_personal_data_is_refused(world, field, text, message):
    req = answered(world)
    response = publish_over_http(staff(world.handler), req, **{field: text})
    assert response.status_code == 400 and message in response.content.decode()
    assert not PublishedAnswer.objects.exists()


def test_only_delivered_disclosed_or_partial_answers_can_be_published(world):
    approved = answered(world, deliver=False)
    assert reload(approved).status == "approved"
    page = staff(world.handler).get(reverse("disclosure_staff:detail", kwargs={"uid": approved.uid})).content.decode()
    assert 'id="action-publish_answer"' not in page
    with pytest.raises(ValidationError, match="已送达"):
        past_answers.past_answer_publish(actor=world.handler, request=approved, title=TITLE, summary=SUMMARY)
    withheld = answered(world, outcome="withheld_third_party",
                        data={**FIRST_APPLICANT, "description": "某企业环评报告中的商业数据"})
    with pytest.raises(ValidationError, match="予以公开或部分公开"):
        past_answers.past_answer_publish(actor=world.handler, request=withheld, title=TITLE, summary=SUMMARY)
    partial = answered(world, outcome="partial", data={**FIRST_APPLICANT, "description": "某项目批复文件"})
    answer = past_answers.past_answer_publish(actor=world.head, request=partial, title="某项目批复文件（部分公开）",
                                              summary="公开了批复文件正文，涉及第三方商业秘密的附件未公开。")
    assert answer.outcome == "partial"


def test_roles_and_another_organisation(world):
    req = answered(world)
    assert publish_over_http(staff(world.registrar), req).status_code == 403
    assert publish_over_http(staff(world.outsider), req).status_code == 404
    assert not PublishedAnswer.objects.exists()


def test_withdrawn_or_reopened_answers_disappear(world):
    req = answered(world)
    past_answers.past_answer_publish(actor=world.handler, request=req, title=TITLE, summary=SUMMARY)
    description = "2025年本市义务教育阶段学校招生计划及划片方案"
    assert [a.title for a in past_answers.matching_past_answers(description)] == [TITLE]
    assert past_answers.matching_past_answers("城市道路维修年度计划") == []
    handler = staff(world.handler)
    response = handler.post(reverse("disclosure_staff:withdraw_answer", kwargs={"uid": req.uid}),
                            {"expected_version": reload(req).version})
    assert response.status_code == 302
    assert past_answers.matching_past_answers(description) == []
    assert past_section(check_page(world, description)) == ""
    # Publishing again brings it back; reopening the request (复议后重新办理) hides it again.
    past_answers.past_answer_publish(actor=world.handler, request=reload(req), title=TITLE, summary=SUMMARY)
    assert len(past_answers.matching_past_answers(description)) == 1
    workflow.request_reopen(actor=world.head, request=reload(req), reason="复议决定书责令重新答复（某复决字〔2026〕1号）")
    assert past_answers.matching_past_answers(description) == []


def test_api_publish_answer(client, world):
    from gongkai.api.services import api_token_create

    req = answered(world)

    def act(user: Any, path: str, **body: Any) -> Any:
        _, token = api_token_create(actor=None, user=user, name="测试")
        return client.post(f"/api/v1/disclosure/staff/requests/{req.uid}/{path}", body,
                           content_type="application/json", headers={"authorization": f"Bearer {token}"})

    version = reload(req).version
    assert act(world.outsider_head, "answer/publish", expected_version=version, title=TITLE,
               summary=SUMMARY).status_code == 404
    leaking = act(world.handler, "answer/publish", expected_version=version, title=TITLE, summary="已向王五公开招生划片方案全文。")
    assert leaking.status_code == 422 and "个人信息" in leaking.json()["detail"]
    ok = act(world.handler, "answer/publish", expected_version=version, title=TITLE, summary=SUMMARY)
    assert ok.status_code == 200 and PublishedAnswer.objects.get().is_public
    assert act(world.handler, "answer/withdraw", expected_version=reload(req).version).status_code == 200
    assert not PublishedAnswer.objects.get().is_public
