"""Concurrency (reliability.md §5 items 21, 23, 24): parallel submissions get unique, gapless
receipt numbers; parallel repeats of one submission create one request; two people acting on
the same version — one wins, the other gets a conflict. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongkai.disclosure.models import DisclosureRequest, Reply
from gongkai.disclosure.services import submission, workflow
from gongkai.disclosure.tests.conftest import PERSON, register

THREADS = 50


def _run_parallel(n: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)
    lock = threading.Lock()

    def runner(i: int) -> None:
        try:
            barrier.wait()
            value = work(i)
            with lock:
                results.append(value)
        except BaseException as exc:  # noqa: BLE001 — collected and asserted below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_get_unique_gapless_receipt_numbers(world):
    started = time.perf_counter()
    results, errors = _run_parallel(THREADS, lambda i: submission.request_submit_online(
        organisation=world.org, data=PERSON, idempotency_key=f"parallel-submission-{i:04d}"))
    elapsed = time.perf_counter() - started
    assert errors == []
    assert len(results) == THREADS
    seqs = sorted(DisclosureRequest.objects.filter(organisation=world.org).values_list("receipt_seq", flat=True))
    assert seqs == list(range(1, THREADS + 1))
    numbers = set(DisclosureRequest.objects.values_list("receipt_no", flat=True))
    assert len(numbers) == THREADS
    print(f"{THREADS} concurrent submissions on {connection.vendor}: {elapsed:.2f}s")


@pytest.mark.django_db(transaction=True)
def test_parallel_repeats_of_one_submission_create_one_request(world):
    results, errors = _run_parallel(10, lambda i: submission.request_submit_online(
        organisation=world.org, data=PERSON, idempotency_key="double-click-key-0001"))
    assert errors == []
    assert DisclosureRequest.objects.count() == 1
    assert {r.request.pk for r in results} == {DisclosureRequest.objects.get().pk}
    assert sum(1 for r in results if r.created) == 1
    assert len({r.query_code for r in results}) == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvers_on_one_version_one_wins(world):
    from gongkai.accounts.roles import OrgRole
    from gongkai.disclosure.tests.conftest import member

    second_head = member(world.org, OrgRole.OFFICE_HEAD, "d_head2")
    req = workflow.request_assign(actor=world.registrar, request=register(world, arrived=date(2026, 6, 1)).request,
                                  department=world.dept_a)
    workflow.reply_draft(actor=world.handler, request=req, outcome="disclosed", reasons="予以公开。")
    req = workflow.reply_submit_for_review(actor=world.handler, request=req)
    version = req.version
    heads = [world.head, second_head]
    results, errors = _run_parallel(2, lambda i: workflow.reply_approve(
        actor=heads[i], request=req, approve=i == 0, comment="" if i == 0 else "请补充理由",
        expected_version=version))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError) and errors[0].code == "conflict"
    req.refresh_from_db()
    assert req.version == version + 1
    assert req.status in {"approved", "in_handling"}
    assert Reply.objects.filter(request=req, approved_by__isnull=False).count() == 1
