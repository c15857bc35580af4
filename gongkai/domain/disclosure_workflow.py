"""Workflow of a disclosure request (依申请公开办理流程): states and allowed transitions.

Pure Python, no Django. The model reuses ``RequestStatus`` for ``choices`` and the service
``request_transition`` checks every change with ``assert_can_transition``. Extension (延期) is not
a state: it can happen while handling or consulting and is an event of the clock
(``disclosure_deadlines.Extended``); transfer between handling departments (转办) keeps the state.
"""

from __future__ import annotations

from collections.abc import Hashable
from enum import StrEnum
from typing import Final

from gongkai.domain.disclosure_outcomes import OUTCOMES, Outcome


class WorkflowError(ValueError):
    """A transition the workflow does not allow; ``str(error)`` is a Chinese message."""


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"  # 已提交，待确认收到（条例第三十一条第（二）(三)项）
    REGISTERED = "registered"  # 已登记（收到申请之日已确定）
    AWAITING_CORRECTION = "awaiting_correction"  # 待补正（条例第三十条）
    IN_HANDLING = "in_handling"  # 办理中（已分办至承办部门，含拟定答复）
    CONSULTING = "consulting"  # 征求意见中（条例第三十二条、第三十四条）
    AWAITING_FEE = "awaiting_fee"  # 待缴费（国办函〔2020〕109号）
    LEGAL_REVIEW = "legal_review"  # 法制审核
    AWAITING_APPROVAL = "awaiting_approval"  # 待负责人审批
    APPROVED = "approved"  # 已审批，待送达
    DELIVERED = "delivered"  # 已答复送达
    ARCHIVED = "archived"  # 已归档
    WITHDRAWN = "withdrawn"  # 申请人撤回
    ABANDONED = "abandoned"  # 视为放弃申请（逾期不补正，三(六)1）
    STOPPED = "stopped"  # 逾期未缴费，不再处理（三(六)2）

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


S = RequestStatus

STATUS_LABELS: Final = {
    S.SUBMITTED: "待确认收到",
    S.REGISTERED: "已登记",
    S.AWAITING_CORRECTION: "待补正",
    S.IN_HANDLING: "办理中",
    S.CONSULTING: "征求意见中",
    S.AWAITING_FEE: "待缴费",
    S.LEGAL_REVIEW: "法制审核中",
    S.AWAITING_APPROVAL: "待负责人审批",
    S.APPROVED: "已审批待送达",
    S.DELIVERED: "已答复",
    S.ARCHIVED: "已归档",
    S.WITHDRAWN: "已撤回",
    S.ABANDONED: "视为放弃",
    S.STOPPED: "终止处理（逾期未缴费）",
}

# Before the reply is delivered the applicant may withdraw at any time.
_WITHDRAW = frozenset({S.WITHDRAWN})

TRANSITIONS: Final[dict[RequestStatus, frozenset[RequestStatus]]] = {
    S.SUBMITTED: frozenset({S.REGISTERED}) | _WITHDRAW,
    S.REGISTERED: frozenset({S.AWAITING_CORRECTION, S.IN_HANDLING}) | _WITHDRAW,
    # Back to REGISTERED when not yet assigned, to IN_HANDLING when the handler asked for it.
    S.AWAITING_CORRECTION: frozenset({S.REGISTERED, S.IN_HANDLING, S.ABANDONED}) | _WITHDRAW,
    S.IN_HANDLING: frozenset(
        {S.AWAITING_CORRECTION, S.CONSULTING, S.AWAITING_FEE, S.LEGAL_REVIEW, S.AWAITING_APPROVAL}
    ) | _WITHDRAW,
    S.CONSULTING: frozenset({S.IN_HANDLING}) | _WITHDRAW,
    S.AWAITING_FEE: frozenset({S.IN_HANDLING, S.STOPPED}) | _WITHDRAW,
    # Rejection sends the draft back to the handler with comments.
    S.LEGAL_REVIEW: frozenset({S.AWAITING_APPROVAL, S.IN_HANDLING}) | _WITHDRAW,
    S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.IN_HANDLING}) | _WITHDRAW,
    S.APPROVED: frozenset({S.DELIVERED}) | _WITHDRAW,
    # Reopened (重新办理) after a reconsideration or court decision.
    S.DELIVERED: frozenset({S.ARCHIVED, S.IN_HANDLING}),
    S.ARCHIVED: frozenset({S.IN_HANDLING}),
    S.WITHDRAWN: frozenset({S.ARCHIVED}),
    S.ABANDONED: frozenset({S.ARCHIVED}),
    S.STOPPED: frozenset({S.ARCHIVED}),
}

# The request is finished for the annual report (它已计入“本年度办理结果”).
CLOSED_STATES: Final = frozenset({S.DELIVERED, S.ARCHIVED, S.WITHDRAWN, S.ABANDONED, S.STOPPED})
OPEN_STATES: Final = frozenset(S) - CLOSED_STATES
# States in which the reply clock does not run (regulation.md §1.3–§1.5, §2.2). SUBMITTED: the
# clock has not started yet (no receipt date).
PAUSED_STATES: Final = frozenset({S.AWAITING_CORRECTION, S.CONSULTING, S.AWAITING_FEE})
NOT_STARTED_STATES: Final = frozenset({S.SUBMITTED})
# Where a reply draft exists and is being checked.
REVIEW_STATES: Final = frozenset({S.LEGAL_REVIEW, S.AWAITING_APPROVAL, S.APPROVED})
# The closings the workflow records itself, with their fixed outcome.
AUTOMATIC_OUTCOMES: Final[dict[RequestStatus, Outcome]] = {
    S.WITHDRAWN: Outcome.WITHDRAWN,
    S.ABANDONED: Outcome.OTHER_NO_CORRECTION,
    S.STOPPED: Outcome.OTHER_FEE_UNPAID,
}


def is_closed(status: RequestStatus) -> bool:
    return RequestStatus(status) in CLOSED_STATES


def clock_running(status: RequestStatus) -> bool:
    status = RequestStatus(status)
    return status in OPEN_STATES and status not in PAUSED_STATES and status not in NOT_STARTED_STATES


def can_transition(src: RequestStatus, dst: RequestStatus) -> bool:
    return RequestStatus(dst) in TRANSITIONS[RequestStatus(src)]


def assert_can_transition(src: RequestStatus, dst: RequestStatus) -> None:
    src, dst = RequestStatus(src), RequestStatus(dst)
    if dst not in TRANSITIONS[src]:
        if src in CLOSED_STATES and dst is S.WITHDRAWN:
            raise WorkflowError(f"申请已{src.label}，不能再撤回。")
        raise WorkflowError(f"申请当前状态为“{src.label}”，不能变更为“{dst.label}”。")


def requires_legal_review(outcome: Outcome, org_policy_all_replies: bool = False) -> bool:
    """法制审核 before every reply other than 予以公开 (三(一)); all replies when the
    organisation says so."""
    info = OUTCOMES[Outcome(outcome)]
    if not info.is_reply:
        raise WorkflowError(f"“{info.label}”不是答复，不经过法制审核。")
    return org_policy_all_replies or not info.is_full_disclosure


def status_after_drafting(outcome: Outcome, org_policy_all_replies: bool = False) -> RequestStatus:
    """Where a finished draft goes: legal review, or straight to the head's approval."""
    if requires_legal_review(outcome, org_policy_all_replies):
        return S.LEGAL_REVIEW
    return S.AWAITING_APPROVAL


def assert_independent(drafter: Hashable, reviewer: Hashable, role: str = "审批") -> None:
    """A reply is reviewed and approved by someone other than its drafter."""
    if drafter == reviewer:
        raise WorkflowError(f"答复的拟稿人不能自己{role}。")


def outcome_for_closing(status: RequestStatus, reply_outcome: Outcome | None) -> Outcome:
    """The one outcome a closed request is counted with: the fixed one for withdrawal,
    abandonment and stopping; the approved reply's for a delivered request."""
    status = RequestStatus(status)
    if status in AUTOMATIC_OUTCOMES:
        return AUTOMATIC_OUTCOMES[status]
    if status not in CLOSED_STATES:
        raise WorkflowError(f"申请状态为“{status.label}”，尚未办结。")
    if reply_outcome is None:
        raise WorkflowError("已答复的申请必须有一个答复类型。")
    if not OUTCOMES[Outcome(reply_outcome)].is_reply:
        raise WorkflowError(f"“{Outcome(reply_outcome).label}”不能作为答复类型。")
    return Outcome(reply_outcome)
