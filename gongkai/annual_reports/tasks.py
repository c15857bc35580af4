"""Background tasks of the annual report."""

from __future__ import annotations

from django_tasks import task


@task()
def send_report_reminders() -> int:
    """条例第四十九条 reminders (``services.send_deadline_reminders``): enqueued every minute by the
    scheduler; outside the reminder windows it returns at once, and a reminder already sent for
    the same organisation, year and stage is not sent again. Returns the messages created."""
    from gongkai.annual_reports.services import send_deadline_reminders

    return send_deadline_reminders()
