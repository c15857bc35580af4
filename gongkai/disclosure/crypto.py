"""Personal data at rest (个人信息加密存储): SM4-GCM encryption, an HMAC-SM3 blind index, the
query-code hash and display masking (reliability.md §1, §5 items 5, 33, 34).

- Ciphertext format (text, so it fits any text column): ``sm4gcm1:<key id>:<base64(nonce ‖ tag ‖
  ciphertext)>``. The key id (first 8 hex digits of SM3 over the key) tells which key encrypted the
  row, so keys can rotate: ``GONGKAI_FIELD_KEY`` is the current key, ``GONGKAI_FIELD_OLD_KEYS`` the
  ones still readable until ``gongkai disclosure rotate-key`` re-encrypts every row.
- The blind index (盲索引) is HMAC-SM3 under a second key derived from the field key with
  HKDF-SM3, so it finds the same applicant without decrypting; it changes with the key (rotation
  recomputes it).
- Query codes (查询码) are stored only as a salted PBKDF2-HMAC-SM3 hash, independent of the field
  key so rotation never locks applicants out.
- The keys come from the environment (settings); they are never stored in the database.
"""

from __future__ import annotations

import base64
import hmac
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gongkai.domain.identifiers import mask_phone, mask_resident_id

PREFIX = "sm4gcm1"
NONCE_BYTES = 12
TAG_BYTES = 16
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
QUERY_CODE_LENGTH = 10  # 50 bits
_PBKDF2_ITERATIONS = 20_000
_HKDF_INFO_INDEX = b"gongkai blind index v1"
_HKDF_INFO_CODE = b"gongkai query code v1"


class DecryptionError(ValueError):
    """Ciphertext that is tampered with, truncated or encrypted under an unknown key."""


@dataclass(frozen=True)
class FieldKey:
    key: bytes

    @property
    def key_id(self) -> str:
        digest = hashes.Hash(hashes.SM3())
        digest.update(self.key)
        return digest.finalize().hex()[:8]

    def derive(self, info: bytes) -> bytes:
        return _derive(self.key, info)


@lru_cache(maxsize=32)
def _derive(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=32, salt=None, info=info).derive(key)


def parse_key(value: str, name: str = "GONGKAI_FIELD_KEY") -> FieldKey:
    text = (value or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32}", text):
        raise ImproperlyConfigured(f"{name} 应为32位十六进制数字（16字节的 SM4 密钥）。")
    return FieldKey(bytes.fromhex(text))


@lru_cache(maxsize=8)
def _keys(current: str, old: tuple[str, ...]) -> tuple[FieldKey, dict[str, FieldKey]]:
    primary = parse_key(current)
    ring = {primary.key_id: primary}
    for value in old:
        key = parse_key(value, "GONGKAI_FIELD_OLD_KEYS")
        ring.setdefault(key.key_id, key)
    return primary, ring


def current_key() -> FieldKey:
    return _keys(settings.GONGKAI_FIELD_KEY, tuple(settings.GONGKAI_FIELD_OLD_KEYS))[0]


def key_ring() -> dict[str, FieldKey]:
    return _keys(settings.GONGKAI_FIELD_KEY, tuple(settings.GONGKAI_FIELD_OLD_KEYS))[1]


# --- Encryption ------------------------------------------------------------------------------


def encrypt(plaintext: str, key: FieldKey | None = None) -> str:
    """SM4-GCM with a fresh random 12-byte nonce; "" stays "" (nothing to protect)."""
    if plaintext == "":
        return ""
    key = key or current_key()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key.key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(PREFIX.encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    blob = base64.b64encode(nonce + encryptor.tag + body).decode()
    return f"{PREFIX}:{key.key_id}:{blob}"


def key_id_of(token: str) -> str:
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else ""


def decrypt(token: str) -> str:
    """Plaintext of ``encrypt``'s output under the current or an old key; a modified, truncated
    or foreign token raises ``DecryptionError`` (the GCM tag fails)."""
    if token == "":
        return ""
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("密文格式无效。")
    key = key_ring().get(parts[1])
    if key is None:
        raise DecryptionError(f"密钥 {parts[1]} 不可用（请在 GONGKAI_FIELD_OLD_KEYS 中提供旧密钥）。")
    try:
        raw = base64.b64decode(parts[2], validate=True)
    except ValueError:
        raise DecryptionError("密文格式无效。") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("密文长度无效。")
    nonce, tag, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:NONCE_BYTES + TAG_BYTES], raw[NONCE_BYTES + TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key.key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(PREFIX.encode())
    try:
        data = decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise DecryptionError("密文校验失败（可能被篡改）。") from None
    return data.decode()


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


# --- Blind index -------------------------------------------------------------------------------


def normalise_for_index(value: str) -> str:
    """Same person, same index: width, case and spacing do not matter (ID numbers end in X/x,
    phone numbers are typed with spaces or dashes)."""
    text = unicodedata.normalize("NFKC", value).upper()
    return re.sub(r"[\s\-()（）]", "", text)


def blind_index(value: str, key: FieldKey | None = None, *, purpose: str = "") -> str:
    """HMAC-SM3 over the normalised value (64 hex digits); "" for an empty value. ``purpose``
    separates kinds (an ID number and a phone number never share an index)."""
    text = normalise_for_index(value)
    if not text:
        return ""
    key = key or current_key()
    return _hmac_sm3(key.derive(_HKDF_INFO_INDEX), f"{purpose}\x1f{text}".encode()).hex()


# --- Query codes -----------------------------------------------------------------------------


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def derived_query_code(seed: str) -> str:
    """A query code determined by ``seed`` (the idempotency key) and the field key: a repeated
    submission with the same key shows the applicant the same code again."""
    n = int.from_bytes(_hmac_sm3(current_key().derive(_HKDF_INFO_CODE), seed.encode()), "big")
    chars = []
    for _ in range(QUERY_CODE_LENGTH):
        n, r = divmod(n, len(QUERY_CODE_ALPHABET))
        chars.append(QUERY_CODE_ALPHABET[r])
    return "".join(chars)


def normalise_query_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", code or "")).upper()


def _pbkdf2(code: str, salt: bytes, iterations: int) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SM3(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(normalise_query_code(code).encode())


def hash_query_code(code: str) -> str:
    salt = os.urandom(16)
    digest = _pbkdf2(code, salt, _PBKDF2_ITERATIONS)
    return f"pbkdf2_sm3${_PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


_DUMMY_HASH = f"pbkdf2_sm3${_PBKDF2_ITERATIONS}${base64.b64encode(b'0' * 16).decode()}${base64.b64encode(b'0' * 32).decode()}"


def check_query_code(code: str, stored: str | None) -> bool:
    """Constant-time check; a missing hash costs the same work as a real one, so timing does not
    tell whether a receipt number exists."""
    try:
        scheme, iterations, salt, digest = (stored or _DUMMY_HASH).split("$")
        actual = _pbkdf2(code, base64.b64decode(salt), int(iterations))
        expected = base64.b64decode(digest)
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected) and stored is not None and scheme == "pbkdf2_sm3"


# --- Masking (GB/T 35273 个人信息展示限制) ----------------------------------------------------


def mask_id_number(number: str) -> str:
    """110101********123X; other documents keep the same shape (first 6, last 4)."""
    return mask_resident_id(number.strip()) if number else ""


def mask_phone_number(number: str) -> str:
    """138****5678."""
    return mask_phone(number) if number else ""


def mask_address(address: str) -> str:
    """Only the first 6 characters (the province/city part) and ****."""
    text = address.strip()
    if not text:
        return ""
    return text[:6] + "****"
