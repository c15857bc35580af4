"""一件事 application forms hold personal data (联系人, 联系电话): stored SM4-GCM encrypted, never as
plain text in the database row, and re-encrypted by ``gongkai disclosure rotate-key``
(《个人信息保护法》第五十一条 加密等安全技术措施; reliability.md §1)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from gongkai.disclosure import crypto
from gongkai.things import services
from gongkai.things.models import Application
from gongkai.things.tests.helpers import GOOD_FILES, GOOD_FORM, make_world

pytestmark = pytest.mark.django_db

KEY_A = "00112233445566778899aabbccddeeff"
KEY_B = "ffeeddccbbaa99887766554433221100"


def _raw_row(pk: int) -> str:
    table = Application._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 (our own table name)
        return " ".join(str(v) for v in cursor.fetchone())


def test_form_answers_are_encrypted_at_rest_and_read_back(settings) -> None:
    settings.GONGKAI_FIELD_KEY = KEY_A
    settings.GONGKAI_FIELD_OLD_KEYS = []
    w = make_world()
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    app = services.application_save(actor=w.applicant, application=app, data=GOOD_FORM, files=GOOD_FILES,
                                    submit=True)
    row = _raw_row(app.pk)
    for value in GOOD_FORM.values():
        assert str(value) not in row
    stored = Application.objects.get(pk=app.pk)
    assert stored.form_data_cipher.startswith(f"sm4gcm1:{crypto.parse_key(KEY_A).key_id}:")
    assert stored.form_data == GOOD_FORM


def test_an_empty_form_stores_nothing_and_reads_as_empty() -> None:
    w = make_world()
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    assert Application.objects.get(pk=app.pk).form_data_cipher == ""
    assert Application.objects.get(pk=app.pk).form_data == {}


def test_rotate_key_reencrypts_application_forms(settings) -> None:
    settings.GONGKAI_FIELD_KEY = KEY_A
    settings.GONGKAI_FIELD_OLD_KEYS = []
    w = make_world()
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    services.application_save(actor=w.applicant, application=app, data={"lxr": "李四", "lxdh": "13812345678"})
    settings.GONGKAI_FIELD_KEY = KEY_B
    settings.GONGKAI_FIELD_OLD_KEYS = [KEY_A]
    call_command("disclosure", "rotate-key")
    stored = Application.objects.get(pk=app.pk)
    assert crypto.key_id_of(stored.form_data_cipher) == crypto.parse_key(KEY_B).key_id
    settings.GONGKAI_FIELD_OLD_KEYS = []  # readable with the new key alone
    assert stored.form_data == {"lxr": "李四", "lxdh": "13812345678"}
    from gongkai.disclosure.services.personal_data import rotate_other_columns

    assert rotate_other_columns()["things.Application"] == (1, 0)  # a second run has nothing to do
