"""Pure rules of 一件事一次办 (issue 6 §5; 湘政办明电〔2020〕23号 “一次告知、一次申报、一次受理、
一次联办、一次兑现”; 国发〔2024〕3号 一表申请、一套材料): transition tables, merging, flags."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.domain.things_workflow import (
    APPLICATION_TRANSITIONS,
    ApplicationStatus,
    FieldNeed,
    MaterialNeed,
    MaterialSource,
    ThingsError,
    assert_application_transition,
    assert_payout_transition,
    assert_task_transition,
    check_form,
    mask,
    merge_fields,
    merge_materials,
    receipt_number,
    status_after_task_closed,
    task_flags,
)

A = ApplicationStatus


def test_every_state_has_a_row_and_paid_is_final() -> None:
    assert set(APPLICATION_TRANSITIONS) == set(ApplicationStatus)
    assert APPLICATION_TRANSITIONS[A.PAID] == frozenset()


@pytest.mark.parametrize(("src", "dst"), [
    ("draft", "submitted"), ("submitted", "accepted"), ("submitted", "rejected"), ("rejected", "draft"),
    ("accepted", "in_joint_handling"), ("accepted", "completed"), ("in_joint_handling", "completed"),
    ("completed", "paid"),
])
def test_allowed_application_transitions(src: str, dst: str) -> None:
    assert_application_transition(src, dst)


@pytest.mark.parametrize(("src", "dst"), [
    ("draft", "accepted"), ("submitted", "completed"), ("in_joint_handling", "paid"), ("paid", "draft"),
    ("rejected", "accepted"),
])
def test_refused_application_transitions_explain_in_chinese(src: str, dst: str) -> None:
    with pytest.raises(ThingsError, match="不能变更为"):
        assert_application_transition(src, dst)


def test_tasks_and_payouts_close_once() -> None:
    assert_task_transition("pending", "approved")
    assert_payout_transition("candidate", "confirmed")
    with pytest.raises(ThingsError):
        assert_task_transition("approved", "rejected")
    with pytest.raises(ThingsError):
        assert_payout_transition("confirmed", "rejected")


def test_application_completes_only_when_all_tasks_are_closed() -> None:
    """一次联办: 办结 when every department has closed its task."""
    assert status_after_task_closed("accepted", ["approved", "pending"]) is A.IN_JOINT_HANDLING
    assert status_after_task_closed("in_joint_handling", ["approved", "pending"]) is A.IN_JOINT_HANDLING
    assert status_after_task_closed("in_joint_handling", ["approved", "rejected"]) is A.COMPLETED
    assert status_after_task_closed("accepted", ["approved"]) is A.COMPLETED
    with pytest.raises(ThingsError):
        status_after_task_closed("accepted", [])


def test_materials_merge_by_key_with_the_strictest_source() -> None:
    needs = [
        MaterialNeed("yyzz", "营业执照", "shared", "甲事项"),
        MaterialNeed("fcz", "房产证明", "exempt", "甲事项"),
        MaterialNeed("yyzz", "营业执照", "applicant", "乙事项"),
        MaterialNeed("fcz", "房产证明", "deferred", "乙事项"),
        MaterialNeed("yyzz", "营业执照", "exempt", "丙事项"),
    ]
    merged = merge_materials(needs)
    assert [(m.key, m.source, m.items) for m in merged] == [
        ("yyzz", MaterialSource.APPLICANT, ("甲事项", "乙事项", "丙事项")),
        ("fcz", MaterialSource.DEFERRED, ("甲事项", "乙事项")),
    ]
    assert merged[0].required_at_submission and merged[1].upload and not merged[1].required_at_submission


def test_fields_merge_by_key_and_refuse_conflicting_types() -> None:
    merged = merge_fields([FieldNeed("lxdh", "联系电话", "phone", False, "甲"),
                           FieldNeed("lxr", "联系人", "text", True, "甲"),
                           FieldNeed("lxdh", "联系电话", "phone", True, "乙")])
    assert [(f.key, f.required, f.items) for f in merged] == [("lxdh", True, ("甲", "乙")), ("lxr", True, ("甲",))]
    with pytest.raises(ThingsError, match="类型不一致"):
        merge_fields([FieldNeed("mj", "面积", "number", True, "甲"), FieldNeed("mj", "面积", "text", True, "乙")])


def test_form_check_lets_drafts_be_incomplete_but_not_malformed() -> None:
    fields = merge_fields([FieldNeed("mj", "面积", "number", True, "甲"), FieldNeed("rq", "日期", "date", True, "甲")])
    assert check_form(fields, {}, final=False) == {}
    assert check_form(fields, {}, final=True) == {"mj": "请填写“面积”。", "rq": "请填写“日期”。"}
    assert check_form(fields, {"mj": "十", "rq": "2026-13-01"}, final=False) == {
        "mj": "“面积”须填写数字。", "rq": "“日期”须填写日期，格式如 2026-03-01。"}


def test_personal_data_is_masked() -> None:
    assert mask("13812345678", "phone") == "138****5678"
    assert mask("11010519491231002X", "id_number") == "110105********002X"
    assert mask("李四", "text") == "李四"


def test_task_flags_due_soon_and_overdue() -> None:
    due = date(2026, 10, 12)
    assert task_flags(due, date(2026, 10, 13), 0).overdue
    soon = task_flags(due, date(2026, 10, 8), 3)
    assert soon.due_soon and not soon.overdue and soon.label == "即将到期（剩余3个工作日）"
    assert not task_flags(due, date(2026, 9, 21), 10).due_soon
    assert task_flags(due, date(2026, 10, 12), 0).due_soon  # the last day itself
    assert not task_flags(due, date(2026, 10, 13), 0, closed=True).overdue


def test_receipt_number_format() -> None:
    assert receipt_number(7, 2026, 42) == "YJS2026-007-00042"
    with pytest.raises(ThingsError):
        receipt_number(7, 2026, 0)
