"""A hypothesis state machine drives one request with random actions by random roles (and lets
days pass). Invariants (reliability.md §5 item 7, issue 4 §7): every reply other than a full
disclosure that was approved had a legal review, and reviewer and approver differ from its
drafter; the due date is never before receipt; a closed request has exactly one outcome and an
open one none."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from gongkai.disclosure.models import Consultation, Reply
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import workflow
from gongkai.disclosure.tests.conftest import register
from gongkai.domain.disclosure_outcomes import OUTCOMES, reply_outcomes
from gongkai.domain.disclosure_workflow import CLOSED_STATES, RequestStatus

ROLES = ["registrar", "handler", "handler2", "handler_b", "reviewer", "head", "outsider", "publisher"]
roles = st.sampled_from(ROLES)


def mostly(role: str) -> st.SearchStrategy[str]:
    """Half the time the role the step belongs to, otherwise anyone (so the machine gets deep)."""
    return st.one_of(st.just(role), roles)

START = date(2026, 6, 1)


class RequestMachine(RuleBasedStateMachine):
    world: Any = None

    def __init__(self) -> None:
        super().__init__()
        self.day = START
        clock.today = lambda: self.day  # type: ignore[assignment]
        self.req = register(self.world, arrived=START).request

    def teardown(self) -> None:
        clock.today = ORIGINAL_TODAY  # type: ignore[assignment]

    def _user(self, role: str) -> Any:
        return getattr(self.world, role)

    def _try(self, action: Any) -> None:
        try:
            action()
        except (PermissionDenied, ValidationError):
            pass
        self.req.refresh_from_db()

    @rule(outcome=st.sampled_from(reply_outcomes()))
    def next_step(self, outcome: Any) -> None:
        """The right person does the obvious next step (so runs reach review, approval and
        delivery often; the other rules add the noise)."""
        w, req, status = self.world, self.req, RequestStatus(self.req.status)
        steps = {
            RequestStatus.REGISTERED: lambda: workflow.request_assign(actor=w.registrar, request=req,
                                                                      department=w.dept_a),
            RequestStatus.AWAITING_CORRECTION: lambda: workflow.request_receive_correction(actor=w.registrar,
                                                                                          request=req),
            RequestStatus.IN_HANDLING: lambda: (
                workflow.reply_draft(actor=w.handler, request=req, outcome=outcome, reasons="依据条例规定作出答复。",
                                     public_location="本机关门户网站"),
                workflow.reply_submit_for_review(actor=w.handler, request=req)),
            RequestStatus.LEGAL_REVIEW: lambda: workflow.reply_legal_review(actor=w.reviewer, request=req,
                                                                            approve=True),
            RequestStatus.AWAITING_APPROVAL: lambda: workflow.reply_approve(actor=w.head, request=req, approve=True),
            RequestStatus.APPROVED: lambda: workflow.request_deliver(actor=w.handler, request=req, method="pickup"),
            RequestStatus.AWAITING_FEE: lambda: workflow.fee_paid(actor=w.handler, request=req),
            RequestStatus.DELIVERED: lambda: workflow.request_archive(actor=w.registrar, request=req),
        }
        if status in steps:
            self._try(steps[status])

    @rule(days=st.integers(min_value=1, max_value=12))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(role=mostly("registrar"), to_b=st.integers(0, 4))
    def assign(self, role: str, to_b: int) -> None:
        dept = self.world.dept_b if to_b == 0 else self.world.dept_a
        self._try(lambda: workflow.request_assign(actor=self._user(role), request=self.req, department=dept))

    @rule(role=mostly("registrar"))
    def ask_correction(self, role: str) -> None:
        self._try(lambda: workflow.request_ask_correction(actor=self._user(role), request=self.req,
                                                          items=["请写明文号"], period_days=5))

    @rule(role=mostly("registrar"))
    def receive_correction(self, role: str) -> None:
        self._try(lambda: workflow.request_receive_correction(actor=self._user(role), request=self.req))

    @rule(role=mostly("registrar"))
    def abandon(self, role: str) -> None:
        self._try(lambda: workflow.request_mark_abandoned(actor=self._user(role), request=self.req))

    @rule(role=mostly("handler"))
    def consult(self, role: str) -> None:
        self._try(lambda: workflow.consultation_start(actor=self._user(role), request=self.req, party="第三方公司"))

    @rule(role=mostly("handler"))
    def end_consultation(self, role: str) -> None:
        c = Consultation.objects.filter(request=self.req, reply_received_on__isnull=True).first()
        if c is not None:
            self._try(lambda: workflow.consultation_end(actor=self._user(role), consultation=c, decision="同意公开"))

    @rule(role=mostly("head"), days=st.integers(min_value=1, max_value=20))
    def extend(self, role: str, days: int) -> None:
        self._try(lambda: workflow.request_extend(actor=self._user(role), request=self.req, days=days,
                                                  reason="需要调取档案核实"))

    @rule(role=mostly("handler"))
    def fee(self, role: str) -> None:
        self._try(lambda: workflow.fee_notice(actor=self._user(role), request=self.req, method="per_volume",
                                              pages=50))

    @rule(role=mostly("handler"))
    def pay(self, role: str) -> None:
        self._try(lambda: workflow.fee_paid(actor=self._user(role), request=self.req))

    @rule(role=mostly("handler"))
    def stop(self, role: str) -> None:
        self._try(lambda: workflow.request_mark_stopped(actor=self._user(role), request=self.req))

    @rule(role=mostly("handler"), outcome=st.sampled_from(reply_outcomes()))
    def draft(self, role: str, outcome: Any) -> None:
        self._try(lambda: workflow.reply_draft(actor=self._user(role), request=self.req, outcome=outcome,
                                               reasons="依据条例相关规定作出答复。", public_location="本机关门户网站"))

    @rule(role=mostly("handler"))
    def submit(self, role: str) -> None:
        self._try(lambda: workflow.reply_submit_for_review(actor=self._user(role), request=self.req))

    @rule(role=mostly("reviewer"), approve=st.booleans())
    def legal_review(self, role: str, approve: bool) -> None:
        self._try(lambda: workflow.reply_legal_review(actor=self._user(role), request=self.req, approve=approve,
                                                      comment="请补充理由"))

    @rule(role=mostly("head"), approve=st.booleans())
    def approve(self, role: str, approve: bool) -> None:
        self._try(lambda: workflow.reply_approve(actor=self._user(role), request=self.req, approve=approve,
                                                 comment="请补充理由"))

    @rule(role=mostly("handler"))
    def deliver(self, role: str) -> None:
        self._try(lambda: workflow.request_deliver(actor=self._user(role), request=self.req, method="pickup"))

    @rule(role=mostly("registrar"))
    def archive(self, role: str) -> None:
        self._try(lambda: workflow.request_archive(actor=self._user(role), request=self.req))

    @rule(role=mostly("registrar"), by_applicant=st.booleans(), chance=st.integers(0, 5))
    def withdraw(self, role: str, by_applicant: bool, chance: int) -> None:
        if chance:  # applicants rarely withdraw; keep most runs going
            return
        actor = None if by_applicant else self._user(role)
        self._try(lambda: workflow.request_withdraw(request=self.req, actor=actor, by_applicant=by_applicant,
                                                    reason="申请人来电撤回"))

    @rule(role=mostly("head"))
    def reopen(self, role: str) -> None:
        self._try(lambda: workflow.request_reopen(actor=self._user(role), request=self.req,
                                                  reason="复议决定责令重新答复"))

    @invariant()
    def reviewed_and_independent(self) -> None:
        for reply in Reply.objects.filter(request=self.req, approval_approved=True):
            assert reply.approved_by_id != reply.drafted_by_id
            if not OUTCOMES[reply.outcome].is_full_disclosure:  # type: ignore[index]
                assert reply.needs_legal_review
                assert reply.legal_review_approved and reply.legal_reviewed_by_id
                assert reply.legal_reviewed_by_id != reply.drafted_by_id

    @invariant()
    def due_never_before_receipt(self) -> None:
        if self.req.due_date is not None:
            assert self.req.received_on is not None and self.req.due_date > self.req.received_on

    @invariant()
    def exactly_one_outcome_when_closed(self) -> None:
        closed = RequestStatus(self.req.status) in CLOSED_STATES
        assert bool(self.req.outcome) == closed
        assert (self.req.closed_on is not None) == closed
        if self.req.status == RequestStatus.DELIVERED:
            delivered = Reply.objects.get(request=self.req, state=Reply.State.DELIVERED)
            assert delivered.outcome == self.req.outcome


ORIGINAL_TODAY = clock.today


@pytest.mark.django_db
def test_random_actions_keep_the_invariants(world):
    RequestMachine.world = world
    try:
        run_state_machine_as_test(RequestMachine, settings=settings(
            max_examples=60, stateful_step_count=50, deadline=None, database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
    finally:
        clock.today = ORIGINAL_TODAY  # type: ignore[assignment]
