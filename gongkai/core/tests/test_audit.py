import importlib

import pytest
from django.db import connection, transaction

from gongkai.core.audit import record, verify_chain
from gongkai.core.models import AuditEvent, AuditImmutableError

pytestmark = pytest.mark.django_db


class _Executor:
    """The two things the trigger migration uses from a schema editor (SQLite's real schema
    editor cannot run inside the test transaction)."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_chain_of_records_verifies():
    for i in range(5):
        record("test.event", object_type="x", object_id=str(i), after={"n": i, "名": "值"})
    checked, broken = verify_chain()
    assert checked == 5
    assert broken is None


def test_model_refuses_update_and_delete():
    row = record("test.event")
    row.action = "changed"
    with pytest.raises(AuditImmutableError):
        row.save()
    with pytest.raises(AuditImmutableError):
        row.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=row.pk).update(action="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()


def test_verify_finds_first_row_edited_directly_in_database():
    for i in range(4):
        record("test.event", object_id=str(i))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET detail = 'tampered' WHERE seq = 3")
    checked, broken = verify_chain()
    assert checked == 2
    assert broken is not None and broken.seq == 3


def test_database_trigger_refuses_update_and_delete():
    migration = importlib.import_module("gongkai.core.migrations.0002_audit_append_only_triggers")
    row = record("test.event")
    migration.forwards(None, _Executor(), force=True)
    try:
        for sql in (
            f"UPDATE core_auditevent SET detail = 'x' WHERE id = {row.pk}",
            f"DELETE FROM core_auditevent WHERE id = {row.pk}",
        ):
            with pytest.raises(Exception, match="审计日志只能追加"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql)
    finally:
        migration.backwards(None, _Executor())
    assert AuditEvent.objects.get(pk=row.pk).detail == ""
