"""No sequence of service calls, by anyone, publishes a document that did not pass 保密审查
(条例第十七条) since it was last a draft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import Document
from gongkai.policies.services import documents as docs
from gongkai.policies.services import workflow as wf
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db

ACTIONS = [
    ("submit", lambda a, d: wf.document_submit(actor=a, document=d)),
    ("review", lambda a, d: wf.document_start_secrecy_review(actor=a, document=d)),
    ("return", lambda a, d: wf.document_return(actor=a, document=d, comment="请修改后再提交。")),
    ("publish", lambda a, d: wf.document_publish(actor=a, document=d)),
    ("schedule", lambda a, d: wf.document_publish(actor=a, document=d,
                                                  published_at=timezone.now() + timedelta(days=1))),
    ("withdraw", lambda a, d: wf.document_withdraw(actor=a, document=d, reason="内容需要更正。")),
    ("reopen", lambda a, d: wf.document_reopen(actor=a, document=d)),
    ("override", lambda a, d: wf.document_override_interpretation(actor=a, document=d,
                                                                  reason="应急通知，解读随后补发。")),
    ("edit", lambda a, d: docs.document_update(actor=a, document=d, title="修改后的标题")),
    ("withhold", lambda a, d: wf.disclosure_change_request(
        actor=a, document=d, attribute="withheld", ground="art16_process", explanation="内部讨论的过程稿，尚未定稿。")),
]


@pytest.fixture
def cast(org_tree, taxonomy):
    users = []
    for roles in ([OrgRole.PUBLISHER], [OrgRole.OFFICE_HEAD], [OrgRole.DEPARTMENT_HEAD], [OrgRole.HANDLER],
                  [OrgRole.PUBLISHER, OrgRole.OFFICE_HEAD]):
        user = StaffUserFactory()
        for role in roles:
            membership_grant(actor=None, user=user, organisation=org_tree.dept_a, role=role)
        users.append(user)
    outsider = StaffUserFactory()
    membership_grant(actor=None, user=outsider, organisation=org_tree.dept_b, role=OrgRole.OFFICE_HEAD)
    users.append(outsider)
    return users


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, len(ACTIONS) - 1), st.integers(0, 5)), max_size=14),
       needs_interpretation=st.booleans())
def test_publication_always_follows_secrecy_review(org_tree, cast, steps, needs_interpretation):
    document = make_document(org_tree.dept_a, published=False, needs_interpretation=needs_interpretation)
    reviewed = False
    for action_index, actor_index in steps:
        name, call = ACTIONS[action_index]
        before = Document.objects.get(pk=document.pk).status
        try:
            call(cast[actor_index], document)
        except (PermissionDenied, ValidationError):
            pass
        after = Document.objects.get(pk=document.pk)
        if after.status == "secrecy_review":
            reviewed = True
        if after.status == "draft":
            reviewed = False
        if after.status == "published" and before != "published":
            assert before == "secrecy_review" and reviewed, (name, before)
            assert after.disclosure == "proactive"
            assert not needs_interpretation or after.interpretation_override
    # The audit trail tells the same story: every publish follows a secrecy-review step.
    status_actions = [a for a in AuditEvent.objects.filter(object_type="policies.Document", object_id=str(document.pk))
                      .order_by("seq").values_list("action", flat=True)
                      if a in {"document.submit", "document.secrecy_review", "document.return", "document.publish",
                               "document.withdraw", "document.reopen"}]
    for i, action in enumerate(status_actions):
        if action == "document.publish":
            assert status_actions[i - 1] == "document.secrecy_review"


def test_exhaustive_one_step_from_every_state(org_tree, cast):
    """Every (state, action, actor): the only step into 已发布 is from 保密审查中."""
    reached_published = 0
    for status in ["draft", "submitted", "secrecy_review", "published", "withdrawn"]:
        for needs_interpretation, override in [(False, ""), (True, ""), (True, "应急通知，解读随后补发。")]:
            for name, call in ACTIONS:
                for actor in (cast[1], cast[4]):
                    document = make_document(org_tree.dept_a, published=False, needs_interpretation=needs_interpretation)
                    Document.objects.filter(pk=document.pk).update(status=status, interpretation_override=override)
                    try:
                        call(actor, document)
                    except (PermissionDenied, ValidationError):
                        pass
                    after = Document.objects.get(pk=document.pk).status
                    if after == "published" and status != "published":
                        assert status == "secrecy_review", (status, name)
                        assert not needs_interpretation or override
                        reached_published += 1
    assert reached_published == 2 * 2 * 2  # publish/schedule × both office heads × (no need, override)
