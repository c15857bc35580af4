"""Background tasks of 一件事一次办."""

from __future__ import annotations

from django_tasks import task


@task()
def send_task_reminders() -> int:
    """一次联办期限提醒 (``reminders.send_task_reminders``): safe to enqueue every minute — a
    reminder already sent for the same task, kind and due date is not sent again. Returns the
    number of messages created."""
    from gongkai.things.reminders import send_task_reminders as run

    return run().notifications
