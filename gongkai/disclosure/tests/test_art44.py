"""条例第四十四条: grouping requests that ask for the same information, and proposing a draft
document in the policy library (services.art44 and the staff page)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.tests.factories import MembershipFactory
from gongkai.core.models import AuditEvent
from gongkai.disclosure.after_models import Art44Proposal
from gongkai.disclosure.models import DisclosureRequest, RequestEvent
from gongkai.disclosure.services import art44, workflow
from gongkai.disclosure.services.attachments import attachment_add
from gongkai.disclosure.tests.conftest import PERSON, member, register
from gongkai.policies.models import Document
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db

SAME_INFO = (
    "请公开2025年本区老旧小区改造项目的资金使用情况",
    "申请获取本区2025年度老旧小区改造工程资金使用明细",
    "我想了解2025年老旧小区改造资金是怎么使用的，请提供相关文件",
)
UNRELATED = (
    "2025年本区义务教育阶段学校招生划片方案",
    "某项目环境影响评价批复文件",
    "2024年本区老旧小区改造资金使用情况",  # same words, another year: other information
)


def id_number(seq: int) -> str:
    """A valid 居民身份证号码 (GB 11643 check digit) per test applicant."""
    body = f"11010519800101{seq:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def ask(w: SimpleNamespace, description: str, applicant: int, *, org: Any = None, actor: Any = None) -> DisclosureRequest:
    data = {**PERSON, "applicant_name": f"申请人{applicant}", "id_number": id_number(applicant),
            "description": description}
    return register(w, arrived=date(2026, 11, 2), data=data, org=org, actor=actor).request


@pytest.fixture
def office(world: SimpleNamespace) -> Any:
    """公开办 staff member who is office head and publisher (sees requests and may publish)."""
    user = member(world.org, OrgRole.OFFICE_HEAD, "d_office")
    MembershipFactory(user=user, organisation=world.org, role=OrgRole.PUBLISHER)
    return user


@pytest.fixture
def asked(world: SimpleNamespace) -> SimpleNamespace:
    same = [ask(world, text, i + 1) for i, text in enumerate(SAME_INFO)]
    unrelated = [ask(world, text, i + 10) for i, text in enumerate(UNRELATED)]
    # One applicant asking the same thing twice is a repeat, not "several applicants".
    repeat = [ask(world, "本区公共厕所布局规划图纸", 20), ask(world, "请公开本区公共厕所布局规划图纸", 20)]
    return SimpleNamespace(same=same, unrelated=unrelated, repeat=repeat)


def test_similarity_ignores_request_boilerplate_but_not_years():
    assert art44.description_similarity(SAME_INFO[0], SAME_INFO[1]) >= art44.SIMILARITY_THRESHOLD
    assert art44.description_similarity(SAME_INFO[0], SAME_INFO[2]) >= art44.SIMILARITY_THRESHOLD
    assert art44.description_similarity(SAME_INFO[0], UNRELATED[2]) == 0
    assert art44.description_similarity(SAME_INFO[0], UNRELATED[0]) < 0.3
    assert art44.description_similarity("", SAME_INFO[0]) == 0


def test_three_applicants_in_different_words_form_one_group_and_unrelated_requests_none(world, asked, office):
    groups = art44.art44_candidates(office)
    assert len(groups) == 1
    group = groups[0]
    assert {r.pk for r in group.requests} == {r.pk for r in asked.same}
    assert group.applicants == 3 and group.reasons == ("描述相似",)
    assert group.organisation == world.org
    assert "老旧小区改造" in group.suggested_title and not group.suggested_title.startswith("请")
    assert art44.art44_candidates(office, min_requests=4) == []
    # Other organisations and roles without an organisation-wide view see nothing.
    assert art44.art44_candidates(world.outsider) == []
    assert art44.art44_candidates(world.handler) == [] and not art44.may_view_candidates(world.handler)
    assert art44.art44_candidates(world.publisher) == []


def test_requests_answered_with_the_same_released_file_are_grouped(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = ask(world, "区政府常务会议纪要第十二次", 31)
    second = ask(world, "关于停车场收费标准调整的会议材料", 32)
    for req in (first, second):
        req = workflow.request_assign(actor=world.registrar, request=req, department=world.dept_a)
        attachment_add(actor=world.handler, request=req, name="纪要.pdf", data=b"%PDF-1.4 same minutes\n%%EOF")
    groups = art44.art44_candidates(world.head)
    assert len(groups) == 1 and groups[0].reasons == ("答复公开了相同文件",)
    assert {r.pk for r in groups[0].requests} == {first.pk, second.pk}


def test_withheld_requests_are_not_candidates(world, office):
    reqs = [ask(world, text, i + 40) for i, text in enumerate(SAME_INFO)]
    for req in reqs[:2]:
        req = workflow.request_assign(actor=world.registrar, request=req, department=world.dept_a)
        workflow.reply_draft(actor=world.handler, request=req, outcome="withheld_process_info",
                             reasons="属于内部讨论的过程性信息，依法不予公开。")
        req = workflow.reply_submit_for_review(actor=world.handler, request=req)
        req = workflow.reply_legal_review(actor=world.reviewer, request=req, approve=True)
        req = workflow.reply_approve(actor=world.head, request=req, approve=True)
        workflow.request_deliver(actor=world.handler, request=req, method="pickup")
    assert art44.art44_candidates(office) == []
    with pytest.raises(ValidationError, match="不宜转为主动公开"):
        art44.art44_propose(actor=office, requests=reqs, title="老旧小区改造资金使用情况")


def test_proposing_creates_a_linked_draft_document_and_is_audited(world, asked, office):
    documents = Document.objects.count()
    doc = art44.art44_propose(actor=office, requests=asked.same, title="2025年老旧小区改造资金使用情况",
                              category="notice")
    assert Document.objects.count() == documents + 1
    assert (doc.status, doc.organisation, doc.category, doc.created_by) == ("draft", world.org, "notice", office)
    assert doc.issuers == [world.org.name] and "第四十四条" in doc.summary and "第四十四条" in doc.source
    proposal = Art44Proposal.objects.get(document=doc)
    assert set(proposal.requests.all()) == set(asked.same) and proposal.proposed_by == office
    row = AuditEvent.objects.get(action="disclosure.art44_propose")
    assert row.actor == office and row.after["document"] == doc.pk
    assert sorted(row.after["requests"]) == sorted(r.receipt_no for r in asked.same)
    assert AuditEvent.objects.filter(action="document.create", object_id=str(doc.pk)).exists()
    assert RequestEvent.objects.filter(kind="art44_proposed", request__in=asked.same).count() == 3
    # Proposed requests leave the candidate list and cannot be proposed again.
    assert art44.art44_candidates(office) == []
    with pytest.raises(ValidationError, match="已提出过"):
        art44.art44_propose(actor=office, requests=asked.same[:2], title="再次提出")


def test_only_a_publisher_who_sees_the_requests_may_propose(world, asked):
    for actor in (world.head, world.publisher, world.outsider, world.handler, None):
        with pytest.raises(PermissionDenied):
            art44.art44_propose(actor=actor, requests=asked.same, title="老旧小区改造资金使用情况")
    assert not Art44Proposal.objects.exists()


@pytest.mark.parametrize(("pick", "kwargs", "message"), [
    ("same", {"title": "  "}, "请填写文件标题"),
    ("same", {"title": "资金"}, "请填写文件标题"),
    ("same", {"title": "老旧小区改造资金使用情况", "category": "regulation"}, "请选择文件类别"),
    ("one", {"title": "老旧小区改造资金使用情况"}, "至少选择两件"),
    ("repeat", {"title": "公共厕所布局规划"}, "同一申请人"),
])
def test_bad_proposal_input_is_refused_in_chinese_and_creates_nothing(world, asked, office, pick, kwargs, message):
    requests = {"same": asked.same, "one": asked.same[:1], "repeat": asked.repeat}[pick]
    counts = (Document.objects.count(), Art44Proposal.objects.count(), AuditEvent.objects.count(),
              RequestEvent.objects.count())
    with pytest.raises(ValidationError, match=message):
        art44.art44_propose(actor=office, requests=requests, **kwargs)
    assert (Document.objects.count(), Art44Proposal.objects.count(), AuditEvent.objects.count(),
            RequestEvent.objects.count()) == counts


def test_requests_of_two_organisations_cannot_be_combined(world, asked, office):
    MembershipFactory(user=office, organisation=world.other, role=OrgRole.OFFICE_HEAD)
    MembershipFactory(user=office, organisation=world.other, role=OrgRole.PUBLISHER)
    foreign = ask(world, SAME_INFO[0], 50, org=world.other, actor=world.outsider)
    with pytest.raises(ValidationError, match="不属于同一机关"):
        art44.art44_propose(actor=office, requests=[asked.same[0], foreign], title="老旧小区改造资金使用情况")
    # Grouping never crosses organisations either.
    groups = art44.art44_candidates(office)
    assert [len(g.requests) for g in groups] == [3]


# --- The staff page --------------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_page_lists_the_group_and_proposes_through_the_service(world, asked, office):
    client = _client(office)
    url = reverse("disclosure_after:art44")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "拟转为主动公开" in body and asked.same[0].receipt_no in body and asked.unrelated[0].receipt_no not in body
    assert 'name="requests"' in body
    response = client.post(url, {"requests": [str(r.uid) for r in asked.same], "title": "2025年老旧小区改造资金使用情况",
                                 "summary": "", "category": "other_policy"})
    assert response.status_code == 302
    doc = Art44Proposal.objects.get().document
    assert doc.status == "draft" and doc.title == "2025年老旧小区改造资金使用情况"
    assert "2025年老旧小区改造资金使用情况" in client.get(url).content.decode()  # 已提出的建议


def test_page_bad_input_shows_chinese_error_and_creates_nothing(world, asked, office):
    client = _client(office)
    response = client.post(reverse("disclosure_after:art44"), {
        "requests": [str(r.uid) for r in asked.same], "title": "", "category": "other_policy"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "error-summary" in body and "请填写文件标题" in body and "未作任何更改" in body
    assert not Art44Proposal.objects.exists() and not Document.objects.filter(source__contains="第四十四条").exists()


def test_page_refuses_other_organisations_requests_and_roles_without_a_view(world, asked, office):
    foreign = ask(world, SAME_INFO[0], 60, org=world.other, actor=world.outsider)
    client = _client(office)
    response = client.post(reverse("disclosure_after:art44"), {
        "requests": [str(asked.same[0].uid), str(foreign.uid)], "title": "老旧小区改造资金使用情况",
        "category": "other_policy"})
    assert response.status_code == 404
    assert not Art44Proposal.objects.exists()
    assert _client(world.handler).get(reverse("disclosure_after:art44")).status_code == 403
    outsider_page = _client(world.outsider).get(reverse("disclosure_after:art44"))
    assert outsider_page.status_code == 200 and asked.same[0].receipt_no not in outsider_page.content.decode()
    # The office head without the publisher role sees the group but no proposal form.
    head_page = _client(world.head).get(reverse("disclosure_after:art44")).content.decode()
    assert asked.same[0].receipt_no in head_page and "须由本机关的信息发布员提出" in head_page
