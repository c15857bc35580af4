"""Interpretations (政策解读): linking, completeness per kind, publishing and withdrawal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import Interpretation, SearchChange
from gongkai.policies.services import interpretations as svc
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher(org_tree, taxonomy):
    user = StaffUserFactory()
    membership_grant(actor=None, user=user, organisation=org_tree.dept_a, role=OrgRole.PUBLISHER)
    return user


def test_links_own_drafts_and_other_organisations_public_documents_only(org_tree, publisher):
    own_draft = make_document(org_tree.dept_a, published=False)
    joint = make_document(org_tree.dept_b, title="联合印发的文件")  # public, owned by B, led by A
    other_draft = make_document(org_tree.dept_b, published=False, title="他机关草稿")
    item = svc.interpretation_create(actor=publisher, organisation=org_tree.dept_a, documents=[own_draft, joint.pk],
                                     kind="text", title="解读", body_html="<p>要点</p>")
    assert set(item.documents.all()) == {own_draft, joint}
    with pytest.raises(ValidationError, match="无权查看"):
        svc.interpretation_create(actor=publisher, organisation=org_tree.dept_a, documents=[other_draft],
                                  kind="text", title="解读")
    with pytest.raises(ValidationError, match="至少关联"):
        svc.interpretation_create(actor=publisher, organisation=org_tree.dept_a, documents=[], kind="text",
                                  title="解读")
    with pytest.raises(PermissionDenied):
        svc.interpretation_create(actor=publisher, organisation=org_tree.dept_b, documents=[joint], kind="text",
                                  title="解读")
    assert Interpretation.objects.count() == 1


@pytest.mark.parametrize(("kind", "fields", "message"), [
    ("text", {}, "正文"),
    ("video", {}, "视频链接"),
    ("graphic", {}, "图片"),
    ("interview", {"host": "主持人"}, "问答"),
    ("qa", {}, "问答"),
])
def test_each_kind_must_be_complete_to_publish(org_tree, publisher, kind, fields, message):
    doc = make_document(org_tree.dept_a)
    item = svc.interpretation_create(actor=publisher, organisation=org_tree.dept_a, documents=[doc], kind=kind,
                                     title="解读", **fields)
    with pytest.raises(ValidationError, match=message):
        svc.interpretation_publish(actor=publisher, interpretation=item)
    item.refresh_from_db()
    assert item.status == "draft"


def test_interview_publish_withdraw_reopen(org_tree, publisher):
    doc = make_document(org_tree.dept_a)
    item = svc.interpretation_create(actor=publisher, organisation=org_tree.dept_a, documents=[doc],
                                     kind="interview", title="在线访谈", host="张主持", guests="李厅长、王处长")
    svc.interpretation_add_qa(actor=publisher, interpretation=item, question="政策何时实施？", answer="自发布之日起。",
                              asked_by="张主持", answered_by="李厅长")
    changes = SearchChange.objects.filter(document_id=doc.pk).count()
    svc.interpretation_publish(actor=publisher, interpretation=item)
    item.refresh_from_db()
    assert item.status == "published" and item.published_at is not None
    assert SearchChange.objects.filter(document_id=doc.pk).count() == changes + 1
    with pytest.raises(ValidationError, match="至少要保留一组问答"):
        svc.interpretation_remove_qa(actor=publisher, qa=item.qas.get())
    with pytest.raises(ValidationError, match="撤回原因"):
        svc.interpretation_withdraw(actor=publisher, interpretation=item, reason="")
    svc.interpretation_withdraw(actor=publisher, interpretation=item, reason="访谈内容需要更正。")
    svc.interpretation_reopen(actor=publisher, interpretation=item)
    actions = list(AuditEvent.objects.filter(object_type="policies.Interpretation", object_id=str(item.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["interpretation.create", "interpretation.qa_add", "interpretation.publish",
                       "interpretation.withdraw", "interpretation.reopen"]


def test_update_sanitises_and_audits(org_tree, publisher):
    doc = make_document(org_tree.dept_a)
    item = svc.interpretation_create(actor=publisher, organisation=org_tree.dept_a, documents=[doc], kind="text",
                                     title="解读", body_html="<p>一</p>")
    svc.interpretation_update(actor=publisher, interpretation=item, title="新标题",
                              body_html='<p onclick="x()">二<script>alert(1)</script></p>')
    item.refresh_from_db()
    assert item.title == "新标题" and "script" not in item.body_html and "onclick" not in item.body_html
    event = AuditEvent.objects.filter(action="interpretation.update").latest("seq")
    assert event.before["title"] == "解读" and event.after["title"] == "新标题"
    with pytest.raises(ValidationError, match="http"):
        svc.interpretation_update(actor=publisher, interpretation=item, video_url="javascript:alert(1)")
    outsider = StaffUserFactory()
    membership_grant(actor=None, user=outsider, organisation=org_tree.dept_b, role=OrgRole.PUBLISHER)
    with pytest.raises(PermissionDenied):
        svc.interpretation_update(actor=outsider, interpretation=item, title="越权修改")
