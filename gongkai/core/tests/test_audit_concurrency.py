"""Concurrent writers keep the audit chain gapless and intact (reliability.md §5 items 21, 29)."""

import threading

import pytest
from django.db import connection

from gongkai.core.audit import record, verify_chain
from gongkai.core.models import AuditEvent


@pytest.mark.django_db(transaction=True)
def test_parallel_appends_form_one_unbroken_chain():
    record("test.seed")  # create the chain head before the race
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                record("test.parallel", object_id=f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 — surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEvent.objects.count() == 81
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 82))
    checked, broken = verify_chain()
    assert (checked, broken) == (81, None)
