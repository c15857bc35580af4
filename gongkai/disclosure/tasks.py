"""Background tasks of disclosure on request."""

from __future__ import annotations

from django_tasks import task

from gongkai.disclosure.services.deadlines import recompute_open_requests


@task()
def refresh_deadline_flags() -> int:
    """Once a day moves every open request's 即将到期/已超期 flags (the cached columns the queues
    filter on). Safe to enqueue every minute: requests already computed today are skipped."""
    return recompute_open_requests(stale_only=True)
