"""Disclosure-request workflow: states, transitions, legal review. Pure, no database."""

from __future__ import annotations

from collections import deque

import pytest

from gongkai.domain.disclosure_outcomes import OUTCOMES, Outcome
from gongkai.domain.disclosure_workflow import (
    AUTOMATIC_OUTCOMES,
    CLOSED_STATES,
    OPEN_STATES,
    PAUSED_STATES,
    TRANSITIONS,
    RequestStatus,
    WorkflowError,
    assert_can_transition,
    assert_independent,
    clock_running,
    outcome_for_closing,
    requires_legal_review,
    status_after_drafting,
)

S = RequestStatus


def test_every_state_has_a_row_and_a_label() -> None:
    assert set(TRANSITIONS) == set(S)
    for status in S:
        assert status.label
        assert TRANSITIONS[status] <= set(S)


def _reachable(start: RequestStatus) -> set[RequestStatus]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in TRANSITIONS[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def test_every_state_is_reachable_and_every_open_state_can_close() -> None:
    """The issue's §2 branches: from submission every state is reachable, and no open state is a
    dead end."""
    assert _reachable(S.SUBMITTED) == set(S)
    for status in OPEN_STATES:
        assert _reachable(status) & CLOSED_STATES, status


def test_case7_correction_branch() -> None:
    """条例第三十条: registered → 待补正 → back after correction, or 视为放弃."""
    assert_can_transition(S.REGISTERED, S.AWAITING_CORRECTION)
    assert_can_transition(S.AWAITING_CORRECTION, S.REGISTERED)
    assert_can_transition(S.AWAITING_CORRECTION, S.ABANDONED)
    assert AUTOMATIC_OUTCOMES[S.ABANDONED] is Outcome.OTHER_NO_CORRECTION


def test_unpaid_fee_branch() -> None:
    """国办函〔2020〕109号 [M]: 待缴费 → 终止处理 (三(六)2)."""
    assert_can_transition(S.AWAITING_FEE, S.STOPPED)
    assert AUTOMATIC_OUTCOMES[S.STOPPED] is Outcome.OTHER_FEE_UNPAID
    with pytest.raises(WorkflowError):
        assert_can_transition(S.IN_HANDLING, S.STOPPED)


def test_withdrawal_before_delivery_only() -> None:
    """Applicant withdrawal at any time before the reply is delivered."""
    for status in OPEN_STATES:
        assert_can_transition(status, S.WITHDRAWN)
    with pytest.raises(WorkflowError, match="不能再撤回"):
        assert_can_transition(S.DELIVERED, S.WITHDRAWN)


def test_no_reply_skips_approval() -> None:
    """A reply is approved by the head before delivery: no path to 已答复 avoids 待负责人审批."""
    for status in S:
        if status is not S.APPROVED:
            assert S.DELIVERED not in TRANSITIONS[status]
    assert TRANSITIONS[S.AWAITING_APPROVAL] & {S.APPROVED}
    assert S.APPROVED not in TRANSITIONS[S.IN_HANDLING] | TRANSITIONS[S.LEGAL_REVIEW]


def test_rejection_returns_the_draft() -> None:
    """法制审核/审批 rejection sends the draft back to the handler with comments."""
    assert_can_transition(S.LEGAL_REVIEW, S.IN_HANDLING)
    assert_can_transition(S.AWAITING_APPROVAL, S.IN_HANDLING)


def test_reopen_after_reconsideration() -> None:
    """Reopening after a reconsideration or court decision."""
    assert_can_transition(S.ARCHIVED, S.IN_HANDLING)
    assert_can_transition(S.DELIVERED, S.IN_HANDLING)


def test_error_message_is_chinese() -> None:
    with pytest.raises(WorkflowError, match="申请当前状态为“已登记”，不能变更为“已答复”"):
        assert_can_transition(S.REGISTERED, S.DELIVERED)


def test_paused_and_closed_states() -> None:
    """条例第三十条、第三十三条第三款, 国办函〔2020〕109号: the clock stops while waiting for a
    correction, a consultation or a payment, and before receipt."""
    assert PAUSED_STATES == {S.AWAITING_CORRECTION, S.CONSULTING, S.AWAITING_FEE}
    assert clock_running(S.IN_HANDLING) and clock_running(S.LEGAL_REVIEW)
    assert not clock_running(S.CONSULTING) and not clock_running(S.SUBMITTED) and not clock_running(S.DELIVERED)
    assert CLOSED_STATES == {S.DELIVERED, S.ARCHIVED, S.WITHDRAWN, S.ABANDONED, S.STOPPED}


@pytest.mark.parametrize("outcome", [o for o, i in OUTCOMES.items() if i.is_reply])
def test_legal_review_before_every_reply_but_full_disclosure(outcome: Outcome) -> None:
    """法制审核: every reply other than 予以公开 (三(一)); every reply when the organisation says so."""
    full = OUTCOMES[outcome].row == "三(一)"
    assert requires_legal_review(outcome, org_policy_all_replies=False) is (not full)
    assert requires_legal_review(outcome, org_policy_all_replies=True) is True
    expected = S.AWAITING_APPROVAL if full else S.LEGAL_REVIEW
    assert status_after_drafting(outcome) is expected


def test_workflow_closings_are_not_replies() -> None:
    """条例第三十条: 视为放弃 is recorded by the workflow, not reviewed as a reply."""
    with pytest.raises(WorkflowError, match="不是答复"):
        requires_legal_review(Outcome.OTHER_NO_CORRECTION)


def test_drafter_cannot_approve_own_reply() -> None:
    """Non-disclosure needs independent approval (reliability.md §5 item 7)."""
    assert_independent(1, 2)
    with pytest.raises(WorkflowError, match="拟稿人不能自己审批"):
        assert_independent(7, 7)


def test_every_closed_request_has_exactly_one_outcome() -> None:
    """〔2021〕30号: a closed request counts in exactly one result row."""
    assert outcome_for_closing(S.WITHDRAWN, None) is Outcome.WITHDRAWN
    assert outcome_for_closing(S.DELIVERED, Outcome.PARTIAL) is Outcome.PARTIAL
    with pytest.raises(WorkflowError, match="必须有一个答复类型"):
        outcome_for_closing(S.DELIVERED, None)
    with pytest.raises(WorkflowError, match="尚未办结"):
        outcome_for_closing(S.IN_HANDLING, Outcome.PARTIAL)
    with pytest.raises(WorkflowError, match="不能作为答复类型"):
        outcome_for_closing(S.DELIVERED, Outcome.OTHER_FEE_UNPAID)
