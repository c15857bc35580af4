"""Throttles shared across processes: the public lookup throttle (wrong 查询码 per 受理编号) and the
public API's per-IP submission limit count in the shared cache (the database cache by default,
``gongkai.core.cache``), so gunicorn workers and nodes see one count. Two real child processes
against the test database hammer the same keys at the same time; no increment is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.http import Http404

from gongkai.core.cache import AtomicDatabaseCache, count_hit, hits
from gongkai.core.models import AuditEvent
from gongkai.disclosure.access import LOOKUP_MAX_FAILURES, _throttle_key, access_request_by_receipt
from gongkai.disclosure.tests.conftest import register
from gongkai.disclosure.tests.test_crash_submission import _database_url

CHILD = r"""
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
django.setup()
from datetime import datetime
from django.http import Http404
from django.test import RequestFactory
mode, arg, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()  # wait until both children are ready, then run at the same time
refused = 0
if mode == "lookup":
    from gongkai.disclosure.access import access_request_by_receipt
    for _ in range(n):
        try:
            access_request_by_receipt(arg, "WRONGCODE1")
        except Http404:
            refused += 1
elif mode == "rate":
    from gongkai.disclosure.api import _rate_limited
    now = datetime.fromisoformat(sys.argv[4])
    for _ in range(n):
        refused += _rate_limited(RequestFactory().post("/", REMOTE_ADDR=arg), now=now)
elif mode == "incr":
    from gongkai.core.cache import count_hit
    for _ in range(n):
        count_hit(arg, 600)
print(refused, flush=True)
"""


def _run_two(*args: str) -> list[int]:
    """Start two children with the same arguments, release them together, return their outputs."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "GONGKAI_TESTING": "1"}
    children = [subprocess.Popen([sys.executable, "-c", CHILD, *args], env=env, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 cwd=Path(settings.BASE_DIR).parent) for _ in range(2)]
    try:
        for child in children:
            assert child.stdout is not None
            line = child.stdout.readline()
            assert line.strip() == "ready", child.stderr.read() if child.stderr else line
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    return [int(out.strip().splitlines()[-1]) for out, _ in outputs]


@pytest.fixture
def clean_cache():
    """Transactional tests commit to the cache table: leave it empty for the next test."""
    cache.clear()
    yield
    cache.clear()


def test_the_cache_is_the_shared_database_cache_and_its_table_exists(db):
    assert isinstance(caches["default"], AtomicDatabaseCache)
    assert "gongkai_cache" in connection.introspection.table_names()


def test_incr_keeps_the_window_and_refuses_missing_or_expired_keys(db):
    """Django's BaseCache.incr re-``set``s with the default timeout; ours keeps the expiry the first
    hit set, so a throttle window does not slide with every failure."""
    assert count_hit("t:window", 900) == 1
    expires_before = _expires("t:window")
    assert count_hit("t:window", 900) == 2 and count_hit("t:window", 900) == 3
    assert _expires("t:window") == expires_before
    assert hits("t:window") == 3 and hits("t:none") == 0
    with pytest.raises(ValueError):
        cache.incr("t:none")
    cache.set("t:old", 5, 60)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE gongkai_cache SET expires = %s WHERE cache_key LIKE %s",
                       [datetime.now(UTC) - timedelta(seconds=1), "%t:old"])
    with pytest.raises(ValueError):
        cache.incr("t:old")
    assert count_hit("t:old", 60) == 1  # an expired window: this hit opens the next one


def _expires(key: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM gongkai_cache WHERE cache_key LIKE %s", [f"%{key}"])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_processes_increment_one_counter_without_losing_hits(clean_cache):
    assert _run_two("incr", "t:shared", "40") == [0, 0]
    assert hits("t:shared") == 80


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_the_lookup_failure_count(world, clean_cache):
    """Wrong 查询码 from two processes add up: together they reach the limit, and then even the
    right code is refused for that 受理编号 in this process too; the lock is audited once."""
    sub = register(world, arrived=date(2026, 6, 1))
    receipt_no = sub.request.receipt_no
    each = LOOKUP_MAX_FAILURES // 2
    assert _run_two("lookup", receipt_no, str(each)) == [each, each]
    assert hits(_throttle_key(receipt_no)) == 2 * each == LOOKUP_MAX_FAILURES
    with pytest.raises(Http404):
        access_request_by_receipt(receipt_no, sub.query_code)
    assert AuditEvent.objects.filter(action="disclosure.lookup_throttled").count() == 1
    # Another number is not affected.
    other = register(world, arrived=date(2026, 6, 1))
    assert access_request_by_receipt(other.request.receipt_no, other.query_code).pk == other.request.pk


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_the_api_submission_rate_limit(clean_cache):
    """20 submissions per IP per minute across every process: 2 × 15 attempts in one minute → exactly
    10 refused, wherever they landed."""
    from gongkai.disclosure.api import SUBMIT_RATE_PER_MINUTE

    minute = datetime(2026, 6, 1, 10, 0, 30, tzinfo=UTC).isoformat()
    per_child = SUBMIT_RATE_PER_MINUTE * 3 // 4
    refused = _run_two("rate", "203.0.113.7", str(per_child), minute)
    assert sum(refused) == 2 * per_child - SUBMIT_RATE_PER_MINUTE
    # Another client IP has its own window.
    assert _run_two("rate", "203.0.113.8", "1", minute) == [0, 0]
