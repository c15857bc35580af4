"""200 concurrent online submissions (reliability.md §5 item 21): every one is stored, and the
receipt numbers are unique and gapless per organisation and year — on SQLite (WAL + IMMEDIATE)
and on PostgreSQL. Each thread uses its own database connection. Run with ``-s`` to see the wall
time.

PostgreSQL refuses more sessions than ``max_connections`` (100 by default), so there the 200
threads share at most half of that many sessions at a time — as behind a connection pool; on
SQLite all 200 connect at once."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import datetime
from typing import Any

import pytest
from django.db import connection

from gongkai.disclosure.models import DisclosureRequest, ReceiptSequence, RequestEvent
from gongkai.disclosure.services import submission
from gongkai.disclosure.tests.conftest import PERSON
from gongkai.domain.disclosure_receipt import CHINA_TZ

SUBMISSIONS = 200
TIME_LIMIT_SECONDS = 60


def _session_limit() -> int:
    if connection.vendor != "postgresql":
        return SUBMISSIONS
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        return min(SUBMISSIONS, int(cursor.fetchone()[0]) // 2)


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_submissions_get_unique_gapless_numbers(world):
    orgs = [world.org, world.other]
    years = [datetime(2025, 12, 30, 10, 0, tzinfo=CHINA_TZ), None]  # last year's late arrival, and now
    errors: list[BaseException] = []
    results: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(SUBMISSIONS)
    limit = _session_limit()
    sessions = threading.BoundedSemaphore(limit)

    def work(i: int) -> None:
        try:
            barrier.wait()
            with sessions:
                result = _submit(i)
            with lock:
                results.append(result)
        except BaseException as exc:  # noqa: BLE001 — collected and asserted below
            with lock:
                errors.append(exc)

    def _submit(i: int) -> Any:
        try:
            return submission.request_submit_online(
                organisation=orgs[i % 2], arrived_at=years[(i // 2) % 2],
                data={**PERSON, "description": f"第{i}号申请：2025年某区老旧小区改造项目资金使用情况"},
                idempotency_key=f"concurrency-200-{i:05d}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(SUBMISSIONS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    print(f"\n{SUBMISSIONS} concurrent submissions on {connection.vendor}: {elapsed:.2f}s "
          f"({SUBMISSIONS / elapsed:.0f}/s, at most {limit} sessions at once)")

    assert not [e for e in errors if "locked" in str(e)], "database is locked"
    assert errors == []
    assert len(results) == SUBMISSIONS and all(r.created for r in results)
    assert DisclosureRequest.objects.count() == SUBMISSIONS
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for org_id, year, seq in DisclosureRequest.objects.values_list("organisation_id", "receipt_year", "receipt_seq"):
        groups[(org_id, year)].append(seq)
    assert len(groups) == 4
    for key, seqs in groups.items():
        assert sorted(seqs) == list(range(1, SUBMISSIONS // 4 + 1)), key
        assert ReceiptSequence.objects.get(organisation_id=key[0], year=key[1]).last == SUBMISSIONS // 4
    assert len(set(DisclosureRequest.objects.values_list("receipt_no", flat=True))) == SUBMISSIONS
    assert RequestEvent.objects.filter(kind="submitted").count() == SUBMISSIONS
    assert elapsed < TIME_LIMIT_SECONDS
