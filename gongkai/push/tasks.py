"""Background tasks of the push outbox."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_push_outbox() -> int:
    """推送投递: drain the due outbox messages (up to 20 batches per run; the scheduler enqueues
    this every minute and each publication nudges it after commit). Safe to run in several workers
    at once (claims skip each other). Returns the number of messages claimed."""
    from gongkai.push.services import deliver_due

    return deliver_due(max_batches=20).claimed
