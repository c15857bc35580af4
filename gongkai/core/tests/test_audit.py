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


def test_audit_verify_command_reports_intact_chain():
    from io import StringIO

    from django.core.management import call_command

    record("test.event")
    record("test.event")
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "共 2 条记录校验通过" in out.getvalue()


def test_audit_verify_command_fails_on_deleted_row():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    for _ in range(3):
        record("test.event")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = 2")
    with pytest.raises(CommandError, match="第 2 条"):
        call_command("audit", "verify")


def test_control_characters_cannot_forge_lines():
    row = record("test.event", detail="ok\r\nFAKE auth.login admin", object_repr="a\nb")
    assert "\n" not in row.detail and "\r" not in row.detail
    assert row.object_repr == "a b"


def test_sm3_standard_vector():
    from gongkai.core.audit import sm3_hex

    # GB/T 32905-2016 Appendix A.1: SM3("abc").
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_record_many_continues_the_chain_like_single_records():
    from gongkai.core.audit import AuditEntry, record_many

    record("test.before", after={"n": 0})
    written = record_many([AuditEntry("test.batch", detail=f"第{i}条", after={"n": i}) for i in range(1, 8)],
                          batch_size=3)
    record("test.after", after={"n": 8})
    assert written == 7
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, 10))
    assert [r.after["n"] for r in rows] == list(range(9))
    assert all(r.prev_hash == p.row_hash for p, r in zip(rows, rows[1:], strict=False))
    assert verify_chain() == (9, None)


def test_record_many_of_nothing_writes_nothing():
    from gongkai.core.audit import record_many

    assert record_many([]) == 0
    assert AuditEvent.objects.count() == 0
