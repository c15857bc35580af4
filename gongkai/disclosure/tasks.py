"""Background tasks of disclosure on request."""

from __future__ import annotations

from django_tasks import task

from gongkai.disclosure.services.deadlines import recompute_open_requests


@task()
def refresh_deadline_flags() -> int:
    """Once a day moves every open request's 即将到期/已超期 flags (the cached columns the queues
    filter on), then sends the deadline reminders (期限提醒, ``services.reminders``) for the
    requests now due soon or overdue. Safe to enqueue every minute: requests already computed
    today are skipped, and a reminder already sent for the same due date is not sent again.
    Returns the number of requests refreshed."""
    from gongkai.disclosure.services.reminders import send_deadline_reminders

    refreshed = recompute_open_requests(stale_only=True)
    send_deadline_reminders()
    return refreshed
