"""Platform guarantees: SQLite configuration and the background-task worker."""

import pytest
from django.core.management import call_command
from django.db import connection

from gongkai.workcalendar.recompute import register_recomputer, unregister_recomputer
from gongkai.workcalendar.tasks import recompute_provisional_deadlines


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


@pytest.mark.django_db
def test_postgresql_uses_psycopg3():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-specific")
    import psycopg

    assert connection.connection.__class__.__module__.startswith("psycopg")
    assert psycopg.__version__.startswith("3.")


@pytest.mark.django_db(transaction=True)
def test_gongkai_worker_runs_queued_tasks_from_the_database(settings):
    """A task enqueued on the database backend is picked up by ``gongkai worker --batch``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    seen: list[int] = []

    def recomputer(year: int) -> int:
        seen.append(year)
        return 0

    register_recomputer(recomputer)
    try:
        result = recompute_provisional_deadlines.enqueue(2027)
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.get(id=result.id).status == "READY"
        call_command("worker", "--batch", "--interval", "0")
        assert seen == [2027]
        assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    finally:
        unregister_recomputer(recomputer)
