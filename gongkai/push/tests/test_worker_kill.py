"""A real worker process (``gongkai push deliver``) killed with SIGKILL between sending an SMS and
marking it sent; the restarted worker delivers every message exactly once as counted by the
gateway (reliability.md §5 item 25). Runs on SQLite and PostgreSQL: the subprocess works on the
test database, so the data is committed (transactional test)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from gongkai.push import services
from gongkai.push.models import OutboxMessage
from gongkai.push.tests.helpers import GATEWAY_KEY, make_public_user, publish
from gongkai.push.tests.test_push import sms_subscriber, tagged_draft

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def test_sigkill_between_send_and_mark_then_restart(world: Any, gateway: Any) -> None:
    for i in range(3):
        sms_subscriber(f"kill{i}", phone=f"1371234567{i}")
    publish(tagged_draft(world.org), world.office)
    env = {**os.environ, "DATABASE_URL": _database_url(), "GONGKAI_TESTING": "1",
           "GONGKAI_PUSH_SMS_URL": gateway.url, "GONGKAI_PUSH_SMS_KEY": GATEWAY_KEY,
           "GONGKAI_PUSH_TEST_HOOK": "hang_after_send", "GONGKAI_PUSH_BATCH_SIZE": "10"}
    worker = subprocess.Popen([sys.executable, "-m", "gongkai", "push", "deliver"], env=env,
                              cwd=str(settings.BASE_DIR.parent), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while not gateway.requests and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
        assert gateway.requests, worker.communicate(timeout=5) if worker.poll() is not None else "no request"
        os.kill(worker.pid, signal.SIGKILL)  # after the gateway accepted the SMS, before "marked sent"
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert len(gateway.handset) == 1
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENDING}
    # Restart after the dead worker's lease ran out.
    result = services.deliver_due(now=timezone.now() + timedelta(seconds=settings.GONGKAI_PUSH_LEASE_SECONDS + 1))
    assert result.claimed == 3 and result.sent == 3
    per_recipient = gateway.deliveries_per_recipient()
    assert sorted(to for to, _ in per_recipient) == [f"1371234567{i}" for i in range(3)]
    assert set(per_recipient.values()) == {1}  # exactly one delivery per (recipient, item, channel)
    assert sorted(gateway.posts_per_key().values()) == [1, 1, 2]  # the interrupted one was re-posted once


def test_concurrent_workers_never_claim_the_same_message(world: Any) -> None:
    """Four workers claim at once (FOR UPDATE SKIP LOCKED on PostgreSQL; IMMEDIATE transactions
    serialise the claims on SQLite): every message is claimed by exactly one of them."""
    import threading

    from django.db import connections

    for i in range(20):
        services.subscribe(user=make_public_user(f"c{i}"), kind="organisation", organisation=world.org,
                           channels=["inbox"])
    publish(tagged_draft(world.org), world.office)
    claimed: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def work(n: int) -> None:
        try:
            start.wait()
            while ids := services.claim_batch(batch_size=3):
                claimed[n].extend(ids)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    every = [pk for ids in claimed for pk in ids]
    assert len(every) == len(set(every)) == 20
    assert set(every) == set(OutboxMessage.objects.values_list("pk", flat=True))
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
