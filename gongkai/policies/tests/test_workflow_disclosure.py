"""公开属性: setting 依申请公开/不予公开 needs a ground, an explanation and two independent
approvals in order — 部门负责人, then 公开办负责人 (Shanghai's rule, regulation.md §1.8)."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import DisclosureChange, Document, SearchChange
from gongkai.policies.selectors import public_documents
from gongkai.policies.services import workflow as wf
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db
EXPLANATION = "本文件为内部讨论的过程稿，尚未形成正式决定。"


def staff(org, *roles):
    user = StaffUserFactory()
    for role in roles:
        membership_grant(actor=None, user=user, organisation=org, role=role)
    return user


@pytest.fixture
def people(org_tree, taxonomy):
    return SimpleNamespace(
        publisher=staff(org_tree.dept_a, OrgRole.PUBLISHER),
        dept_head=staff(org_tree.dept_a, OrgRole.DEPARTMENT_HEAD),
        office=staff(org_tree.dept_a, OrgRole.OFFICE_HEAD),
        both=staff(org_tree.dept_a, OrgRole.DEPARTMENT_HEAD, OrgRole.OFFICE_HEAD),
        head_and_publisher=staff(org_tree.dept_a, OrgRole.DEPARTMENT_HEAD, OrgRole.PUBLISHER, OrgRole.OFFICE_HEAD),
        outsider_head=staff(org_tree.dept_b, OrgRole.DEPARTMENT_HEAD),
    )


@pytest.fixture
def doc(org_tree, taxonomy):
    return make_document(org_tree.dept_a)  # published, 主动公开


def request_withhold(people, doc, actor=None):
    return wf.disclosure_change_request(actor=actor or people.publisher, document=doc, attribute="withheld",
                                        ground="art16_process", explanation=EXPLANATION)


def audit_actions(change):
    return list(AuditEvent.objects.filter(object_type="policies.DisclosureChange", object_id=str(change.pk))
                .order_by("seq").values_list("action", flat=True))


def test_full_chain_sets_the_attribute_and_hides_the_document(people, doc):
    assert public_documents().filter(pk=doc.pk).exists()
    change = request_withhold(people, doc)
    assert change.status == "pending_department"
    doc.refresh_from_db()
    assert doc.disclosure == "proactive"  # nothing changes before both approvals
    wf.disclosure_change_approve_department(actor=people.dept_head, change=change, comment="同意。")
    change.refresh_from_db()
    assert change.status == "pending_office" and change.department_approver == people.dept_head
    doc.refresh_from_db()
    assert doc.disclosure == "proactive"
    search_before = SearchChange.objects.filter(document_id=doc.pk).count()
    wf.disclosure_change_approve_office(actor=people.office, change=change)
    change.refresh_from_db()
    doc.refresh_from_db()
    assert change.status == "approved" and change.office_approver == people.office
    assert (doc.disclosure, doc.disclosure_ground, doc.disclosure_explanation) == (
        "withheld", "art16_process", EXPLANATION)
    today = timezone.localdate()
    assert doc.disclosure_review_on == wf._review_date(today)  # 条例第十八条: a year from now by default
    assert wf._review_date(date(2028, 2, 29)) == date(2029, 2, 28)
    assert doc.version == 2
    assert SearchChange.objects.filter(document_id=doc.pk).count() == search_before + 1
    assert not public_documents().filter(pk=doc.pk).exists()
    assert audit_actions(change) == ["disclosure.request", "disclosure.approve_department",
                                     "disclosure.approve_office"]
    event = AuditEvent.objects.filter(action="document.disclosure_change").latest("seq")
    assert event.before["disclosure"] == "proactive" and event.after["disclosure"] == "withheld"


def test_request_needs_ground_and_explanation(people, doc):
    counts = (DisclosureChange.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="理由"):
        wf.disclosure_change_request(actor=people.publisher, document=doc, attribute="withheld",
                                     explanation=EXPLANATION)
    with pytest.raises(ValidationError, match="不少于10个字"):
        wf.disclosure_change_request(actor=people.publisher, document=doc, attribute="withheld",
                                     ground="art16_process", explanation="过程稿")
    with pytest.raises(ValidationError, match="不能作为"):
        wf.disclosure_change_request(actor=people.publisher, document=doc, attribute="on_request",
                                     ground="art14_secret", explanation=EXPLANATION)
    with pytest.raises(ValidationError, match="已是"):
        wf.disclosure_change_request(actor=people.publisher, document=doc, attribute="proactive")
    with pytest.raises(PermissionDenied):
        request_withhold(people, doc, actor=people.outsider_head)
    with pytest.raises(PermissionDenied):
        request_withhold(people, doc, actor=people.office)  # office head neither drafts nor heads the dept
    assert (DisclosureChange.objects.count(), AuditEvent.objects.count()) == counts


def test_department_head_may_request_too(people, doc):
    change = request_withhold(people, doc, actor=people.dept_head)
    with pytest.raises(PermissionDenied, match="自己"):
        wf.disclosure_change_approve_department(actor=people.dept_head, change=change)
    wf.disclosure_change_approve_department(actor=people.both, change=change)
    change.refresh_from_db()
    assert change.status == "pending_office"


def test_wrong_order_is_refused(people, doc):
    change = request_withhold(people, doc)
    with pytest.raises(ValidationError, match="不能作出公开办审批"):
        wf.disclosure_change_approve_office(actor=people.office, change=change)
    wf.disclosure_change_approve_department(actor=people.dept_head, change=change)
    with pytest.raises(ValidationError, match="不能作出部门审批"):
        wf.disclosure_change_approve_department(actor=people.both, change=change)
    change.refresh_from_db()
    assert change.status == "pending_office" and change.department_approver == people.dept_head


def test_roles_are_checked_at_each_step(people, doc):
    change = request_withhold(people, doc)
    with pytest.raises(PermissionDenied):
        wf.disclosure_change_approve_department(actor=people.office, change=change)
    with pytest.raises(PermissionDenied):
        wf.disclosure_change_approve_department(actor=people.outsider_head, change=change)
    wf.disclosure_change_approve_department(actor=people.dept_head, change=change)
    with pytest.raises(PermissionDenied):
        wf.disclosure_change_approve_office(actor=people.dept_head, change=change)


def test_same_person_cannot_approve_both_steps(people, doc):
    change = request_withhold(people, doc)
    wf.disclosure_change_approve_department(actor=people.both, change=change)
    with pytest.raises(PermissionDenied, match="两级审批"):
        wf.disclosure_change_approve_office(actor=people.both, change=change)
    change.refresh_from_db()
    doc.refresh_from_db()
    assert change.status == "pending_office" and doc.disclosure == "proactive"


def test_requester_cannot_approve_own_request_at_either_step(people, doc):
    change = request_withhold(people, doc, actor=people.head_and_publisher)
    with pytest.raises(PermissionDenied, match="自己"):
        wf.disclosure_change_approve_department(actor=people.head_and_publisher, change=change)
    wf.disclosure_change_approve_department(actor=people.dept_head, change=change)
    with pytest.raises(PermissionDenied, match="自己"):
        wf.disclosure_change_approve_office(actor=people.head_and_publisher, change=change)
    with pytest.raises(PermissionDenied, match="自己"):
        wf.disclosure_change_reject(actor=people.head_and_publisher, change=change, comment="我自己退回申请")


def test_rejection_needs_comment_and_goes_back(people, doc):
    change = request_withhold(people, doc)
    with pytest.raises(ValidationError, match="退回意见"):
        wf.disclosure_change_reject(actor=people.dept_head, change=change, comment="")
    with pytest.raises(PermissionDenied):
        wf.disclosure_change_reject(actor=people.office, change=change, comment="不是这一级的审批人")
    wf.disclosure_change_reject(actor=people.dept_head, change=change, comment="第十六条理由不成立，应主动公开。")
    change.refresh_from_db()
    doc.refresh_from_db()
    assert change.status == "rejected" and change.comment == "第十六条理由不成立，应主动公开。"
    assert change.department_approver == people.dept_head and doc.disclosure == "proactive"
    assert audit_actions(change)[-1] == "disclosure.reject"
    # After a rejection, a new request may be made.
    second = request_withhold(people, doc)
    wf.disclosure_change_approve_department(actor=people.dept_head, change=second)
    wf.disclosure_change_reject(actor=people.office, change=second, comment="理由不充分，请补充说明。")
    second.refresh_from_db()
    assert second.status == "rejected" and second.office_approver == people.office
    with pytest.raises(ValidationError):
        wf.disclosure_change_approve_office(actor=people.office, change=second)


def test_one_open_request_per_document(people, doc):
    request_withhold(people, doc)
    with pytest.raises(ValidationError, match="已有待审批"):
        wf.disclosure_change_request(actor=people.dept_head, document=doc, attribute="on_request",
                                     ground="art15_privacy", explanation="涉及个人隐私，公开会损害第三方权益。")
    assert DisclosureChange.objects.filter(document=doc).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        DisclosureChange.objects.create(document=doc, requested_attribute="withheld", explanation="x",
                                        requested_by=people.publisher)


def test_cancel_by_requester_only(people, doc):
    change = request_withhold(people, doc)
    with pytest.raises(PermissionDenied):
        wf.disclosure_change_cancel(actor=people.dept_head, change=change)
    wf.disclosure_change_cancel(actor=people.publisher, change=change)
    change.refresh_from_db()
    assert change.status == "cancelled" and audit_actions(change)[-1] == "disclosure.cancel"
    with pytest.raises(ValidationError):
        wf.disclosure_change_approve_department(actor=people.dept_head, change=change)
    with pytest.raises(ValidationError):
        wf.disclosure_change_cancel(actor=people.publisher, change=change)


def test_back_to_proactive_needs_no_ground_and_clears_it(people, doc):
    change = request_withhold(people, doc)
    wf.disclosure_change_approve_department(actor=people.dept_head, change=change)
    wf.disclosure_change_approve_office(actor=people.office, change=change, review_on=date(2099, 1, 1))
    doc.refresh_from_db()
    assert doc.disclosure_review_on == date(2099, 1, 1)
    with pytest.raises(ValidationError, match="不需要"):
        wf.disclosure_change_request(actor=people.publisher, document=doc, attribute="proactive",
                                     ground="art16_process")
    back = wf.disclosure_change_request(actor=people.publisher, document=doc, attribute="proactive",
                                        explanation="已定稿，可以公开。")
    wf.disclosure_change_approve_department(actor=people.dept_head, change=back)
    wf.disclosure_change_approve_office(actor=people.office, change=back)
    doc.refresh_from_db()
    assert (doc.disclosure, doc.disclosure_ground, doc.disclosure_review_on) == ("proactive", "", None)
    assert public_documents().filter(pk=doc.pk).exists()


def test_periodic_reassessment_moves_the_review_date(people, doc):
    Document.objects.filter(pk=doc.pk).update(disclosure="withheld", disclosure_ground="art16_process",
                                              disclosure_review_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        wf.disclosure_confirm_review(actor=people.dept_head, document=doc, note="仍属过程性信息，继续不公开。")
    with pytest.raises(ValidationError, match="评估意见"):
        wf.disclosure_confirm_review(actor=people.office, document=doc, note="")
    wf.disclosure_confirm_review(actor=people.office, document=doc, note="仍属过程性信息，继续不公开。",
                                 review_on=timezone.localdate() + timedelta(days=180))
    doc.refresh_from_db()
    assert doc.disclosure_review_on == timezone.localdate() + timedelta(days=180)
    assert AuditEvent.objects.filter(action="document.disclosure_review").latest("seq").detail.startswith("仍属")
