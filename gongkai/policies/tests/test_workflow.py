"""Publishing workflow: draft → submitted → 保密审查 → published → withdrawn → draft."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import Document, Interpretation, SearchChange
from gongkai.policies.selectors import is_public, public_documents
from gongkai.policies.services import workflow as wf
from gongkai.policies.services.interpretations import interpretation_create
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db


def staff(org, *roles, subordinates=False):
    user = StaffUserFactory()
    for role in roles:
        membership_grant(actor=None, user=user, organisation=org, role=role, includes_subordinates=subordinates)
    return user


@pytest.fixture
def people(org_tree, taxonomy):
    return SimpleNamespace(
        publisher=staff(org_tree.dept_a, OrgRole.PUBLISHER),
        office=staff(org_tree.dept_a, OrgRole.OFFICE_HEAD),
        province_office=staff(org_tree.province, OrgRole.OFFICE_HEAD, subordinates=True),
        outsider_office=staff(org_tree.dept_b, OrgRole.OFFICE_HEAD),
        outsider_publisher=staff(org_tree.dept_b, OrgRole.PUBLISHER),
        handler=staff(org_tree.dept_a, OrgRole.HANDLER),
    )


@pytest.fixture
def draft(org_tree, taxonomy):
    return make_document(org_tree.dept_a, published=False)


def counts(doc):
    return (AuditEvent.objects.filter(object_type="policies.Document", object_id=str(doc.pk)).count(),
            SearchChange.objects.filter(document_id=doc.pk).count())


def assert_step(doc, before_counts, action, status, version):
    doc.refresh_from_db()
    assert doc.status == status
    assert doc.version == version
    audit, changes = counts(doc)
    assert audit == before_counts[0] + 1 and changes == before_counts[1] + 1
    event = AuditEvent.objects.filter(object_id=str(doc.pk), object_type="policies.Document").latest("seq")
    assert event.action == action and event.after["status"] == status


def refused(doc, exc, fn, **kwargs):
    before = (counts(doc), Document.objects.get(pk=doc.pk).status, Document.objects.get(pk=doc.pk).version)
    with pytest.raises(exc) as info:
        fn(document=doc, **kwargs)
    after_doc = Document.objects.get(pk=doc.pk)
    assert (counts(doc), after_doc.status, after_doc.version) == before
    return str(info.value)


def to_review(doc, people):
    wf.document_submit(actor=people.publisher, document=doc)
    return wf.document_start_secrecy_review(actor=people.office, document=doc)


def test_submit(draft, people):
    assert "信息发布员" in refused(draft, PermissionDenied, wf.document_submit, actor=people.office)
    refused(draft, PermissionDenied, wf.document_submit, actor=people.outsider_publisher)
    refused(draft, PermissionDenied, wf.document_submit, actor=None)
    before = counts(draft)
    wf.document_submit(actor=people.publisher, document=draft, expected_version=1)
    assert_step(draft, before, "document.submit", "submitted", 2)
    assert "不能变更" in refused(draft, ValidationError, wf.document_submit, actor=people.publisher)


def test_secrecy_review_by_own_or_ancestor_office_head(draft, people, org_tree):
    wf.document_submit(actor=people.publisher, document=draft)
    refused(draft, PermissionDenied, wf.document_start_secrecy_review, actor=people.publisher)
    refused(draft, PermissionDenied, wf.document_start_secrecy_review, actor=people.outsider_office)
    before = counts(draft)
    wf.document_start_secrecy_review(actor=people.province_office, document=draft)
    assert_step(draft, before, "document.secrecy_review", "secrecy_review", 3)


def test_secrecy_review_needs_submission_first(draft, people):
    assert "不能变更为“保密审查中”" in refused(
        draft, ValidationError, wf.document_start_secrecy_review, actor=people.office)


def test_return_needs_comment_and_works_from_both_review_states(draft, people):
    wf.document_submit(actor=people.publisher, document=draft)
    assert "退回意见" in refused(draft, ValidationError, wf.document_return, actor=people.office, comment="  ")
    refused(draft, PermissionDenied, wf.document_return, actor=people.publisher, comment="请补充附件材料。")
    before = counts(draft)
    wf.document_return(actor=people.office, document=draft, comment="请补充附件材料。")
    assert_step(draft, before, "document.return", "draft", 3)
    assert AuditEvent.objects.filter(action="document.return").latest("seq").detail == "请补充附件材料。"
    to_review(draft, people)
    wf.document_return(actor=people.office, document=draft, comment="涉及内部流程，需删去第三条。")
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "不能变更" in refused(draft, ValidationError, wf.document_return, actor=people.office,
                                 comment="再次退回的意见")


def test_publish_now_and_scheduled(draft, people, org_tree):
    to_review(draft, people)
    refused(draft, PermissionDenied, wf.document_publish, actor=people.publisher)
    before = counts(draft)
    wf.document_publish(actor=people.office, document=draft, expected_version=3)
    assert_step(draft, before, "document.publish", "published", 4)
    assert is_public(draft) and public_documents().filter(pk=draft.pk).exists()

    later = make_document(org_tree.dept_a, published=False, title="定时发布的文件")
    to_review(later, people)
    when = timezone.now() + timedelta(days=2)
    wf.document_publish(actor=people.office, document=later, published_at=when)
    later.refresh_from_db()
    assert later.status == "published" and later.published_at == when
    assert not public_documents().filter(pk=later.pk).exists()
    assert public_documents(now=when + timedelta(seconds=1)).filter(pk=later.pk).exists()
    assert AuditEvent.objects.filter(action="document.publish").latest("seq").detail == "定时发布"


def test_publish_refuses_backdating_and_wrong_state(draft, people):
    refused(draft, ValidationError, wf.document_publish, actor=people.office)  # still a draft
    to_review(draft, people)
    assert "不能早于当前时间" in refused(draft, ValidationError, wf.document_publish, actor=people.office,
                                         published_at=timezone.now() - timedelta(days=3))


def test_stale_version_is_refused(draft, people):
    assert "已被他人修改" in refused(draft, ValidationError, wf.document_submit, actor=people.publisher,
                                     expected_version=7)


def test_only_proactive_documents_can_be_published(draft, people):
    """Rule: a 依申请公开/不予公开 document stays unpublished."""
    Document.objects.filter(pk=draft.pk).update(disclosure="withheld", disclosure_ground="art16_process")
    to_review(draft, people)
    message = refused(draft, ValidationError, wf.document_publish, actor=people.office)
    assert "不予公开" in message and "不能主动发布" in message


def test_pending_attribute_change_blocks_publication(draft, people):
    to_review(draft, people)
    wf.disclosure_change_request(actor=people.publisher, document=draft, attribute="withheld",
                                 ground="art16_process", explanation="本文件为内部讨论的过程稿，尚未定稿。")
    assert "待审批" in refused(draft, ValidationError, wf.document_publish, actor=people.office)


def test_publication_needs_interpretation_or_override(draft, people):
    """同步组织、同步审签、同步部署: a document marked as needing an interpretation is published
    only with one, or with the office head's recorded reason."""
    Document.objects.filter(pk=draft.pk).update(needs_interpretation=True)
    to_review(draft, people)
    assert "政策解读" in refused(draft, ValidationError, wf.document_publish, actor=people.office)
    refused(draft, PermissionDenied, wf.document_override_interpretation, actor=people.publisher,
            reason="时间紧急，解读随后补发。")
    assert "理由" in refused(draft, ValidationError, wf.document_override_interpretation, actor=people.office,
                             reason="急")
    wf.document_override_interpretation(actor=people.office, document=draft, reason="应急通知，解读于三日内补发。")
    draft.refresh_from_db()
    assert draft.interpretation_override == "应急通知，解读于三日内补发。"
    event = AuditEvent.objects.filter(action="document.interpretation_override").latest("seq")
    assert event.actor == people.office and event.after["interpretation_override"].startswith("应急通知")
    wf.document_publish(actor=people.office, document=draft)
    draft.refresh_from_db()
    assert draft.status == "published"


def test_linked_interpretation_allows_publication(draft, people, org_tree):
    Document.objects.filter(pk=draft.pk).update(needs_interpretation=True)
    to_review(draft, people)
    interpretation_create(actor=people.publisher, organisation=org_tree.dept_a, documents=[draft],
                          kind="text", title="一图读懂", body_html="<p>解读正文</p>")
    wf.document_publish(actor=people.office, document=draft)
    draft.refresh_from_db()
    assert draft.status == "published"
    Interpretation.objects.update(status="withdrawn")  # a withdrawn one does not count
    other = make_document(org_tree.dept_a, published=False, needs_interpretation=True)
    to_review(other, people)
    Interpretation.objects.get().documents.add(other)
    refused(other, ValidationError, wf.document_publish, actor=people.office)


def test_withdraw_and_reopen(draft, people):
    to_review(draft, people)
    wf.document_publish(actor=people.office, document=draft)
    refused(draft, PermissionDenied, wf.document_withdraw, actor=people.publisher, reason="内容已过时需撤回")
    assert "撤回原因" in refused(draft, ValidationError, wf.document_withdraw, actor=people.office, reason="")
    before = counts(draft)
    wf.document_withdraw(actor=people.office, document=draft, reason="发现附件有误，撤回更正。")
    assert_step(draft, before, "document.withdraw", "withdrawn", 5)
    draft.refresh_from_db()
    assert draft.withdrawn_reason == "发现附件有误，撤回更正。" and not is_public(draft)
    refused(draft, PermissionDenied, wf.document_reopen, actor=people.office)
    before = counts(draft)
    wf.document_reopen(actor=people.publisher, document=draft)
    assert_step(draft, before, "document.reopen", "draft", 6)


def test_reopen_only_from_withdrawn(draft, people):
    assert "不能变更" in refused(draft, ValidationError, wf.document_reopen, actor=people.publisher)


def test_handler_role_can_do_nothing(draft, people):
    for fn, kwargs in [
        (wf.document_submit, {}), (wf.document_start_secrecy_review, {}),
        (wf.document_return, {"comment": "随便退回一下"}), (wf.document_publish, {}),
        (wf.document_withdraw, {"reason": "随便撤回一下"}), (wf.document_reopen, {}),
    ]:
        with pytest.raises((PermissionDenied, ValidationError)):
            fn(actor=people.handler, document=draft, **kwargs)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.version == 1
