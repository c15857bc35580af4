"""Personal data at rest (reliability.md §5 items 5, 33, 34): SM4-GCM ciphertext in the database,
tamper detection, the HMAC-SM3 blind index, masking and key rotation."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from gongkai.disclosure import crypto
from gongkai.disclosure.models import DisclosureRequest
from gongkai.disclosure.tests.conftest import ADDRESS, ID_NUMBER, PHONE, register

KEY_A = "00112233445566778899aabbccddeeff"
KEY_B = "ffeeddccbbaa99887766554433221100"


def test_encrypt_round_trip_uses_fresh_nonces():
    a, b = crypto.encrypt(ID_NUMBER), crypto.encrypt(ID_NUMBER)
    assert a != b and a.startswith("sm4gcm1:")
    assert ID_NUMBER not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == ID_NUMBER
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_sm3_vector_and_sm4_gcm_are_available():
    from cryptography.hazmat.primitives import hashes

    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex().startswith("66c7f0f4")


@pytest.mark.parametrize("position", [20, -1, -5])
def test_tampered_ciphertext_fails(position):
    import base64

    token = crypto.encrypt(PHONE)
    prefix, key_id, blob = token.split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[position] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}:{key_id}:{base64.b64encode(bytes(raw)).decode()}")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token[:-8])
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}:deadbeef:{blob}")


def test_blind_index_is_deterministic_per_key_and_differs_across_keys():
    a = crypto.parse_key(KEY_A)
    b = crypto.parse_key(KEY_B)
    assert crypto.blind_index(ID_NUMBER, a, purpose="id") == crypto.blind_index(ID_NUMBER.lower(), a, purpose="id")
    assert crypto.blind_index("138 1234 5678", a, purpose="phone") == crypto.blind_index(PHONE, a, purpose="phone")
    assert crypto.blind_index(ID_NUMBER, a, purpose="id") != crypto.blind_index(ID_NUMBER, b, purpose="id")
    assert crypto.blind_index(ID_NUMBER, a, purpose="id") != crypto.blind_index(ID_NUMBER, a, purpose="phone")
    assert len(crypto.blind_index(ID_NUMBER, a)) == 64
    assert crypto.blind_index("", a) == ""


def test_bad_key_is_refused():
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_key("not-hex")
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_key("00" * 8)


def test_masking():
    assert crypto.mask_id_number("110101199003070011") == "110101********0011"
    assert crypto.mask_phone_number("13812345678") == "138****5678"
    assert crypto.mask_address("广东省广州市越秀区府前路1号") == "广东省广州市****"
    assert crypto.mask_address("") == ""


def test_query_codes_are_hashed_and_checked_in_constant_time():
    code = crypto.new_query_code()
    stored = crypto.hash_query_code(code)
    assert code not in stored and stored.startswith("pbkdf2_sm3$")
    assert crypto.check_query_code(code, stored)
    assert crypto.check_query_code(code.lower(), stored)
    assert not crypto.check_query_code("X" + code[1:] if code[0] != "X" else "Y" + code[1:], stored)
    assert not crypto.check_query_code(code, None)


def _raw_rows() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {DisclosureRequest._meta.db_table}")
        return [repr(row) for row in cursor.fetchall()]


@pytest.mark.django_db
def test_raw_database_rows_never_contain_the_plaintext(world):
    sub = register(world, arrived=date(2026, 6, 1))
    rows = _raw_rows()
    assert rows
    for row in rows:
        for secret in (ID_NUMBER, PHONE, ADDRESS, sub.query_code, "广州市越秀区"):
            assert secret not in row
    req = DisclosureRequest.objects.get()
    assert crypto.decrypt(req.id_number_cipher) == ID_NUMBER
    assert req.id_number_index == crypto.blind_index(ID_NUMBER, purpose="id")


@pytest.mark.django_db
def test_rotate_key_reencrypts_every_row(world, settings):
    settings.GONGKAI_FIELD_KEY = KEY_A
    settings.GONGKAI_FIELD_OLD_KEYS = []
    requests = [register(world, arrived=date(2026, 6, d)).request for d in (1, 2, 3)]
    old_id = crypto.parse_key(KEY_A).key_id
    assert all(crypto.key_id_of(r.id_number_cipher) == old_id for r in requests)
    settings.GONGKAI_FIELD_KEY = KEY_B
    settings.GONGKAI_FIELD_OLD_KEYS = [KEY_A]
    call_command("disclosure", "rotate-key")
    new_id = crypto.parse_key(KEY_B).key_id
    for r in DisclosureRequest.objects.all():
        for token in (r.id_number_cipher, r.phone_cipher, r.address_cipher):
            assert crypto.key_id_of(token) == new_id
        assert r.id_number_index == crypto.blind_index(ID_NUMBER, crypto.parse_key(KEY_B), purpose="id")
        assert r.phone_masked == "138****5678"
    # Without the old key nothing was left behind under it.
    settings.GONGKAI_FIELD_OLD_KEYS = []
    assert {crypto.decrypt(r.address_cipher) for r in DisclosureRequest.objects.all()} == {ADDRESS}
    # A second run has nothing to do.
    from gongkai.disclosure.services.personal_data import rotate_keys

    assert rotate_keys() == (3, 0)


def test_production_refuses_to_start_without_a_field_key(tmp_path: Path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GONGKAI_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"GONGKAI_SECRET_KEY": secrets.token_urlsafe(50), "GONGKAI_VAR_DIR": str(tmp_path / "var"),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    result = subprocess.run([sys.executable, "-m", "gongkai", "check"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "GONGKAI_FIELD_KEY" in result.stderr
    env["GONGKAI_FIELD_KEY"] = "short"
    result = subprocess.run([sys.executable, "-m", "gongkai", "check"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "GONGKAI_FIELD_KEY" in result.stdout + result.stderr
