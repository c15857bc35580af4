"""The workflow services: roles, independence of review and approval, conflicts, idempotent
submission, public lookup, withdrawal, reopening, queues and duplicates."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongkai.accounts.tests.factories import PublicUserFactory
from gongkai.core.models import AuditEvent
from gongkai.disclosure import access, selectors
from gongkai.disclosure.models import DisclosureRequest, Reply, RequestEvent
from gongkai.disclosure.services import submission, workflow
from gongkai.disclosure.services.personal_data import reveal_personal_data
from gongkai.disclosure.tests.conftest import ADDRESS, ID_NUMBER, PERSON, PHONE, register

pytestmark = pytest.mark.django_db


def _draft_and_submit(w, req, outcome="withheld_process_info", reasons="属于内部讨论的过程性信息，依法不予公开。"):
    workflow.reply_draft(actor=w.handler, request=req, outcome=outcome, reasons=reasons)
    return workflow.reply_submit_for_review(actor=w.handler, request=req)


# --- Roles and access -------------------------------------------------------------------------------


def test_each_role_can_only_do_its_own_step(world, registered):
    req = registered
    with pytest.raises(PermissionDenied):
        workflow.reply_draft(actor=world.registrar, request=req, outcome="disclosed", reasons="予以公开。")
    with pytest.raises(PermissionDenied):
        workflow.reply_draft(actor=world.handler_b, request=req, outcome="disclosed", reasons="予以公开。")
    with pytest.raises(PermissionDenied):
        workflow.request_assign(actor=world.handler, request=req, department=world.dept_b)
    req = _draft_and_submit(world, req)
    for who in (world.handler, world.head, world.registrar):
        with pytest.raises(PermissionDenied):
            workflow.reply_legal_review(actor=who, request=req, approve=True)
    req = workflow.reply_legal_review(actor=world.reviewer, request=req, approve=True, comment="同意")
    for who in (world.handler, world.reviewer, world.outsider_head):
        with pytest.raises(PermissionDenied):
            workflow.reply_approve(actor=who, request=req, approve=True)
    req = workflow.reply_approve(actor=world.head, request=req, approve=True)
    assert req.status == "approved"
    with pytest.raises(PermissionDenied):
        workflow.request_deliver(actor=world.publisher, request=req, method="pickup")


def test_handler_sees_only_their_departments_requests(world, registered):
    assert access.access_request(world.handler, registered.uid).pk == registered.pk
    with pytest.raises(Http404):
        access.access_request(world.handler_b, registered.uid)
    # Transfer to dept_b: now the other handler sees it and the first does not.
    req = workflow.request_assign(actor=world.registrar, request=registered, department=world.dept_b,
                                  note="职责调整")
    assert req.status == "in_handling"
    assert access.access_request(world.handler_b, req.uid).pk == req.pk
    with pytest.raises(Http404):
        access.access_request(world.handler, req.uid)
    assert RequestEvent.objects.filter(request=req, kind="transferred").exists()


def test_other_organisation_and_other_roles_get_404_and_denial_is_audited(world, registered):
    for user in (world.outsider, world.outsider_head, world.publisher):
        with pytest.raises(Http404):
            access.access_request(user, registered.uid)
        with pytest.raises(Http404):
            access.access_request(user, registered.pk)
    assert AuditEvent.objects.filter(action="access.denied", result="denied").count() == 6
    for user in (world.registrar, world.head, world.reviewer):
        assert access.access_request(user, str(registered.uid)).pk == registered.pk
    assert set(access.requests_for(world.outsider)) == set()
    assert list(access.requests_for(world.registrar)) == [registered]
    with pytest.raises(Http404):
        access.access_request(world.registrar, "not-a-uuid")


def test_registrar_cannot_register_for_another_organisation(world):
    with pytest.raises(PermissionDenied):
        register(world, arrived=date(2026, 6, 1), org=world.other)
    assert DisclosureRequest.objects.count() == 0


def test_assign_only_within_the_tree(world):
    req = register(world, arrived=date(2026, 6, 1)).request
    with pytest.raises(ValidationError, match="下级机关"):
        workflow.request_assign(actor=world.registrar, request=req, department=world.other)


# --- Review and approval --------------------------------------------------------------------------------


def test_full_disclosure_skips_legal_review_unless_the_organisation_requires_it(world, registered):
    req = _draft_and_submit(world, registered, outcome="disclosed", reasons="予以公开。")
    assert req.status == "awaiting_approval"
    other = workflow.request_assign(actor=world.registrar, request=register(world, arrived=date(2026, 6, 2)).request,
                                    department=world.dept_a)
    with pytest.raises(PermissionDenied):
        workflow.disclosure_settings_update(actor=world.registrar, organisation=world.org,
                                            legal_review_all_replies=True)
    workflow.disclosure_settings_update(actor=world.head, organisation=world.org, legal_review_all_replies=True)
    assert workflow.legal_review_for_all(world.dept_a) is True  # inherited from the parent
    other = _draft_and_submit(world, other, outcome="disclosed", reasons="予以公开。")
    assert other.status == "legal_review"


def test_drafter_cannot_review_or_approve_own_reply(world, registered):
    from gongkai.accounts.roles import OrgRole
    from gongkai.accounts.tests.factories import MembershipFactory

    # The handler also holds the reviewer and head roles: independence still applies.
    MembershipFactory(user=world.handler, organisation=world.org, role=OrgRole.LEGAL_REVIEWER)
    MembershipFactory(user=world.handler, organisation=world.org, role=OrgRole.OFFICE_HEAD)
    req = _draft_and_submit(world, registered)
    with pytest.raises(ValidationError, match="拟稿人不能自己法制审核"):
        workflow.reply_legal_review(actor=world.handler, request=req, approve=True)
    req = workflow.reply_legal_review(actor=world.reviewer, request=req, approve=True)
    with pytest.raises(ValidationError, match="拟稿人不能自己审批"):
        workflow.reply_approve(actor=world.handler, request=req, approve=True)


def test_rejection_returns_to_handler_with_comment_and_a_new_draft_is_needed(world, registered):
    req = _draft_and_submit(world, registered)
    with pytest.raises(ValidationError, match="退回意见"):
        workflow.reply_legal_review(actor=world.reviewer, request=req, approve=False)
    req = workflow.reply_legal_review(actor=world.reviewer, request=req, approve=False, comment="理由不充分，请补充")
    assert req.status == "in_handling"
    assert Reply.objects.get(request=req).state == "rejected"
    with pytest.raises(ValidationError, match="请先拟定答复"):
        workflow.reply_submit_for_review(actor=world.handler, request=req)
    req = _draft_and_submit(world, req, reasons="属于内部讨论记录（条例第十六条第二款），依法不予公开。")
    req = workflow.reply_legal_review(actor=world.reviewer, request=req, approve=True)
    req = workflow.reply_approve(actor=world.head, request=req, approve=False, comment="请重新核实")
    assert req.status == "in_handling"
    assert Reply.objects.filter(request=req, state="rejected").count() == 2


def test_reply_validation(world, registered):
    with pytest.raises(ValidationError, match="方式和途径"):
        workflow.reply_draft(actor=world.handler, request=registered, outcome="already_public", reasons="已主动公开")
    with pytest.raises(ValidationError, match="不能作为答复类型"):
        workflow.reply_draft(actor=world.handler, request=registered, outcome="withdrawn", reasons="撤回了申请")
    reply = workflow.reply_draft(actor=world.handler, request=registered, outcome="unable_not_this_agency",
                                 reasons="该信息由市生态环境局制作并负责公开。", responsible_agency="测试市生态环境局")
    assert reply.article == "条例第三十六条第（五）项"


def test_skipping_steps_is_refused_and_changes_nothing(world, registered):
    version = registered.version
    with pytest.raises(ValidationError):
        workflow.reply_approve(actor=world.head, request=registered, approve=True)
    with pytest.raises(ValidationError):
        workflow.request_deliver(actor=world.handler, request=registered, method="pickup")
    with pytest.raises(ValidationError):
        workflow.fee_paid(actor=world.handler, request=registered)
    registered.refresh_from_db()
    assert registered.version == version and registered.status == "in_handling"


def test_stale_version_is_a_conflict(world, registered):
    stale = registered.version
    workflow.request_extend(actor=world.head, request=registered, days=5, reason="需要调取档案核实",
                            on=date(2026, 6, 10), expected_version=stale)
    with pytest.raises(ValidationError) as info:
        workflow.reply_draft(actor=world.handler, request=registered, outcome="disclosed", reasons="予以公开。",
                             expected_version=stale)
    assert info.value.code == "conflict"
    assert not Reply.objects.exists()


# --- Withdrawal, delivery, archive, reopening ------------------------------------------------------


def test_withdraw_by_applicant_and_by_staff(world, registered):
    req = _draft_and_submit(world, registered)
    req = workflow.request_withdraw(request=req, by_applicant=True, reason="已通过其他途径获得")
    assert req.status == "withdrawn" and req.outcome == "withdrawn" and req.closed_on is not None
    assert Reply.objects.get(request=req).state == "withdrawn"
    with pytest.raises(ValidationError, match="不能再撤回"):
        workflow.request_withdraw(request=req, by_applicant=True)
    other = register(world, arrived=date(2026, 6, 3)).request
    with pytest.raises(ValidationError, match="撤回说明"):
        workflow.request_withdraw(request=other, actor=world.registrar)
    other = workflow.request_withdraw(request=other, actor=world.registrar, reason="申请人电话告知撤回",
                                      on=date(2026, 6, 4))
    assert other.status == "withdrawn" and other.closed_on == date(2026, 6, 4)


def test_deliver_archive_and_reopen(world, registered):
    req = _draft_and_submit(world, registered, outcome="disclosed", reasons="予以公开，见附件。")
    req = workflow.reply_approve(actor=world.head, request=req, approve=True)
    with pytest.raises(ValidationError, match="邮件单号"):
        workflow.request_deliver(actor=world.handler, request=req, method="post")
    delivery = workflow.request_deliver(actor=world.handler, request=req, method="post", tracking_no="EMS123",
                                        on=date(2026, 6, 20))
    req.refresh_from_db()
    assert (req.status, req.outcome, delivery.tracking_no) == ("delivered", "disclosed", "EMS123")
    req = workflow.request_archive(actor=world.registrar, request=req)
    assert req.status == "archived" and req.outcome == "disclosed"
    req = workflow.request_reopen(actor=world.head, request=req, reason="复议决定书责令重新答复", days=15,
                                  on=date(2026, 8, 3))
    assert req.status == "in_handling" and req.outcome == "" and req.closed_on is None
    assert req.due_date == date(2026, 8, 24)


# --- Submission ----------------------------------------------------------------------------------------


def test_repeated_online_submission_creates_one_request_and_shows_the_same_code(world):
    user = PublicUserFactory(username="applicant1")
    first = submission.request_submit_online(organisation=world.org, data=PERSON, user=user,
                                             idempotency_key="same-key-00000000001")
    again = submission.request_submit_online(organisation=world.org, data=PERSON, user=user,
                                             idempotency_key="same-key-00000000001")
    assert first.created and not again.created
    assert again.request.pk == first.request.pk and again.query_code == first.query_code
    assert DisclosureRequest.objects.count() == 1
    with pytest.raises(ValidationError, match="不一致"):
        submission.request_submit_online(organisation=world.org, data={**PERSON, "description": "另一份文件的内容"},
                                         idempotency_key="same-key-00000000001")
    found = access.access_request_by_receipt(first.request.receipt_no, first.query_code.lower())
    assert found.pk == first.request.pk
    assert access.access_request_for_applicant(user, first.request.uid).pk == first.request.pk
    with pytest.raises(Http404):
        access.access_request_for_applicant(PublicUserFactory(username="applicant2"), first.request.uid)
    assert list(selectors.applicant_requests(user)) == [first.request]


def test_wrong_code_and_missing_number_are_the_same_404_and_lookups_are_throttled(world):
    from django.core.cache import cache

    cache.clear()
    sub = register(world, arrived=date(2026, 6, 1))
    messages = set()
    for receipt_no, code in ((sub.request.receipt_no, "WRONGCODE2"), ("000000000-2026-99999", sub.query_code)):
        with pytest.raises(Http404) as info:
            access.access_request_by_receipt(receipt_no, code)
        messages.add(str(info.value))
    assert len(messages) == 1
    for _ in range(access.LOOKUP_MAX_FAILURES):
        with pytest.raises(Http404):
            access.access_request_by_receipt(sub.request.receipt_no, "WRONGCODE2")
    with pytest.raises(Http404):  # locked even with the right code
        access.access_request_by_receipt(sub.request.receipt_no, sub.query_code)
    assert AuditEvent.objects.filter(action="disclosure.lookup_throttled").exists()
    cache.clear()
    assert access.access_request_by_receipt(sub.request.receipt_no, sub.query_code).pk == sub.request.pk


@pytest.mark.parametrize(("field", "value", "message"), [
    ("id_number", "110105194912310021", "校验位"),
    ("phone", "12345", "联系电话"),
    ("description", "短", "不少于"),
    ("applicant_name", "", "姓名"),
])
def test_bad_input_is_refused_in_chinese_and_creates_nothing(world, field, value, message):
    with pytest.raises(ValidationError) as info:
        register(world, arrived=date(2026, 6, 1), data={**PERSON, field: value})
    assert message in json.dumps(info.value.message_dict, ensure_ascii=False)
    assert DisclosureRequest.objects.count() == 0


def test_organisation_needs_valid_credit_code_and_kind(world):
    data = {**PERSON, "applicant_type": "organisation", "organisation_kind": "", "credit_code": "91440000123"}
    with pytest.raises(ValidationError) as info:
        register(world, arrived=date(2026, 6, 1), data=data)
    assert set(info.value.message_dict) >= {"organisation_kind", "credit_code"}


def test_receipt_numbers_are_per_organisation_and_year(world):
    a1 = register(world, arrived=date(2025, 12, 30)).request
    a2 = register(world, arrived=date(2026, 1, 5)).request
    a3 = register(world, arrived=date(2026, 1, 6)).request
    b1 = register(world, arrived=date(2026, 1, 6), org=world.other, actor=world.outsider).request
    code = world.org.credit_code[8:17]
    assert a1.receipt_no == f"{code}-2025-00001"
    assert (a2.receipt_no, a3.receipt_no) == (f"{code}-2026-00001", f"{code}-2026-00002")
    assert b1.receipt_no.endswith("-2026-00001")


def test_staff_cannot_register_an_online_channel(world):
    with pytest.raises(ValidationError, match="网上申请"):
        register(world, channel="online", arrived=date(2026, 6, 1))


# --- Personal data ------------------------------------------------------------------------------------


def test_only_the_assigned_handler_can_reveal_and_each_reveal_is_audited(world, registered):
    assert registered.id_number_masked == "110105********002X"
    assert registered.phone_masked == "138****5678"
    assert registered.address_masked == "广东省广州市****"
    for user in (world.registrar, world.head, world.reviewer, world.handler_b, world.outsider):
        with pytest.raises(PermissionDenied):
            reveal_personal_data(actor=user, request=registered, field="id_number")
    assert reveal_personal_data(actor=world.handler, request=registered, field="id_number") == ID_NUMBER
    assert reveal_personal_data(actor=world.handler, request=registered, field="phone") == PHONE
    assert reveal_personal_data(actor=world.handler, request=registered, field="address") == ADDRESS
    rows = AuditEvent.objects.filter(action="disclosure.reveal")
    assert rows.count() == 3
    assert {r.actor_id for r in rows} == {world.handler.pk}


def test_audit_rows_and_events_never_hold_plaintext_personal_data(world, registered):
    _draft_and_submit(world, registered)
    reveal_personal_data(actor=world.handler, request=registered, field="id_number")
    blobs = [json.dumps([e.before, e.after, e.detail, e.object_repr], ensure_ascii=False)
             for e in AuditEvent.objects.all()]
    blobs += [json.dumps([e.payload, e.note], ensure_ascii=False) for e in RequestEvent.objects.all()]
    for text in blobs:
        for secret in (ID_NUMBER, PHONE, ADDRESS):
            assert secret not in text


# --- Selectors -------------------------------------------------------------------------------------------


def test_queue_sorts_by_due_date_and_filters(world):
    late = register(world, arrived=date(2026, 6, 1)).request
    early = register(world, arrived=date(2026, 5, 4)).request
    waiting = submission.request_submit_online(organisation=world.org, data=PERSON,
                                               idempotency_key="queue-key-0000000001").request
    rows = list(selectors.queue(world.registrar))
    assert rows == [early, late, waiting]
    assert list(selectors.queue(world.registrar, {"status": "submitted"})) == [waiting]
    assert list(selectors.queue(world.registrar, {"overdue": True})) == [early, late]
    assert list(selectors.queue(world.handler, {"scope": "mine"})) == []
    workflow.request_assign(actor=world.registrar, request=late, department=world.dept_a)
    assert list(selectors.queue(world.handler, {"scope": "mine"})) == [late]
    assert list(selectors.queue(world.outsider)) == []


def test_applicant_history_and_possible_duplicates(world):
    first = register(world, arrived=date(2026, 5, 4)).request
    similar = register(world, arrived=date(2026, 5, 6),
                       data={**PERSON, "description": "2025年本市义务教育阶段学校招生计划和划片方案"}).request
    different = register(world, arrived=date(2026, 5, 7), data={**PERSON, "description": "市财政局2024年部门决算"}).request
    other_person = register(world, arrived=date(2026, 5, 8),
                            data={**PERSON, "id_number": "110101199003070011", "phone": "13900001111"}).request
    assert set(selectors.applicant_history(similar)) == {first, different}
    assert other_person not in selectors.applicant_history(first)
    dups = selectors.possible_duplicates(similar)
    assert [d.request for d in dups] == [first]
    assert dups[0].score > 0.8
    assert selectors.possible_duplicates(other_person) == []


def test_timeline_separates_internal_notes_from_applicant_messages(world, registered):
    workflow.request_add_note(actor=world.handler, request=registered, text="内部：需请示分管领导")
    workflow.request_add_note(actor=world.handler, request=registered, text="您的申请正在办理", visible_to_applicant=True)
    workflow.applicant_add_message(request=registered, text="请尽快答复，谢谢")
    public = [e.note for e in selectors.timeline(registered, applicant_view=True)]
    staff = [e.note for e in selectors.timeline(registered)]
    assert "内部：需请示分管领导" in staff and "内部：需请示分管领导" not in public
    assert "您的申请正在办理" in public and "请尽快答复，谢谢" in public
    with pytest.raises(PermissionDenied):
        workflow.request_add_note(actor=world.outsider, request=registered, text="越权留言")


def test_timeline_rows_are_append_only(world, registered):
    event = RequestEvent.objects.filter(request=registered).first()
    event.note = "改写"
    with pytest.raises(ValueError, match="只能追加"):
        event.save()
    with pytest.raises(ValueError, match="只能追加"):
        event.delete()


def test_recompute_open_requests_refreshes_flags(world, monkeypatch):
    from gongkai.disclosure.services import deadlines as clock

    req = register(world, arrived=date(2026, 11, 2)).request
    assert not req.overdue
    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 30))
    assert clock.recompute_open_requests() == 1
    req.refresh_from_db()
    assert req.overdue and req.deadline_as_of == date(2026, 12, 30)


def test_daily_refresh_task_skips_requests_already_computed_today(world, monkeypatch, settings):
    from gongkai.disclosure.services import deadlines as clock
    from gongkai.disclosure.tasks import refresh_deadline_flags

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    register(world, arrived=date(2026, 11, 2))
    assert refresh_deadline_flags.enqueue().return_value == 0
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 30))
    assert refresh_deadline_flags.enqueue().return_value == 1
    assert refresh_deadline_flags.enqueue().return_value == 0


def test_receipt_explanation_states_the_rule_and_the_due_date(world):
    req = register(world, channel="ordinary_letter", arrived=date(2026, 9, 21), confirmed=date(2026, 9, 22)).request
    text = "\n".join(selectors.receipt_explanation(req))
    assert "条例第三十一条第（二）项" in text
    assert "收到申请之日：2026-09-22" in text
    assert "警示" in text
    assert "答复期限：2026-10-27" in text
