"""kill -9 during submission (reliability.md §5 item 22): a child process submits online
applications in a loop against the test database and is SIGKILLed at random moments, again and
again. Afterwards every request is whole — receipt number, its timeline row, its audit row — or
absent; the numbers stay gapless; the audit chain verifies; SQLite's integrity_check is ok."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from gongkai.core.audit import verify_chain
from gongkai.core.models import AuditEvent
from gongkai.disclosure.models import DisclosureRequest, ReceiptSequence, RequestEvent

KILLS = int(os.environ.get("GONGKAI_CRASH_KILLS", 25))

CHILD = r"""
import os, sys, uuid
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
django.setup()
from gongkai.accounts.models import Organisation
from gongkai.disclosure.services.submission import request_submit_online
from gongkai.disclosure.tests.conftest import PERSON
org = Organisation.objects.get(pk=int(sys.argv[1]))
print("ready", flush=True)
i = 0
while True:
    i += 1
    request_submit_online(organisation=org, data={**PERSON, "description": f"崩溃测试申请第{i}件：某区老旧小区改造资金"},
                          idempotency_key=f"crash-{uuid.uuid4().hex}")
"""


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _run_and_kill(org_id: int, rng: random.Random) -> None:
    env = {**os.environ, "DATABASE_URL": _database_url(), "GONGKAI_TESTING": "1"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(org_id)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=Path(settings.BASE_DIR).parent, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "ready", child.stderr.read() if child.stderr else line
        time.sleep(rng.uniform(0.02, 0.5))
        assert child.poll() is None, child.stderr.read() if child.stderr else "child exited"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL


@pytest.mark.django_db(transaction=True)
def test_kill_9_during_submission_leaves_each_request_whole_or_absent(world):
    rng = random.Random(int(os.environ.get("GONGKAI_CRASH_SEED", time.time())))
    started = time.perf_counter()
    for _ in range(KILLS):
        _run_and_kill(world.org.pk, rng)
    elapsed = time.perf_counter() - started

    requests = list(DisclosureRequest.objects.filter(organisation=world.org))
    print(f"\n{KILLS} × kill -9 on {connection.vendor}: {len(requests)} requests stored in {elapsed:.1f}s")
    assert requests, "the child never committed a submission"
    by_year: dict[int, list[int]] = defaultdict(list)
    for req in requests:
        assert req.receipt_no.endswith(f"-{req.receipt_year}-{req.receipt_seq:05d}")
        assert req.query_code_hash and req.id_number_cipher
        by_year[req.receipt_year].append(req.receipt_seq)
    for year, seqs in by_year.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), year
        assert ReceiptSequence.objects.get(organisation=world.org, year=year).last == len(seqs)
    submitted = set(RequestEvent.objects.filter(kind="submitted").values_list("request_id", flat=True))
    assert submitted == {r.pk for r in requests}
    audited = set(AuditEvent.objects.filter(action="disclosure.submit").values_list("object_id", flat=True))
    assert audited == {str(r.pk) for r in requests}
    checked, broken = verify_chain()
    assert broken is None and checked >= len(requests)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"
