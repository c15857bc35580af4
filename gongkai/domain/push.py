"""Precise push (精准推送) rules, pure Python: which region subscriptions a publication reaches,
the retry schedule of the delivery worker, and the request signature of the SMS / WeChat
gateways. No Django: the push services and the tests call these.

Region (GB/T 2260 行政区划代码): a subscription for region R reaches a publication of an
organisation located at D when D lies within R (a district's policy reaches the subscribers of its
city and province) or when D covers R (a provincial policy applies in every district of the
province). ``xx0000`` is a province, ``xxxx00`` a city; ``region_query_keys`` turns that into two
index-backed conditions on the subscription table (a prefix and an ``IN`` list).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

# Delivery retries: attempt n (1-based) failed → wait BASE × 2^(n-1), capped; after MAX attempts the
# message is 失败 (failed) for good.
BACKOFF_BASE_SECONDS: Final = 60
BACKOFF_CAP_SECONDS: Final = 6 * 60 * 60
MAX_ATTEMPTS: Final = 6


class PushRuleError(ValueError):
    """A malformed region code or signature input; ``str(error)`` is a Chinese message."""


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise PushRuleError("行政区划代码应为6位数字。")
    return code


def region_prefix(code: str) -> str:
    """The significant prefix of a division code: 440000 → 44, 440300 → 4403, 440305 → 440305."""
    code = _check_code(code)
    if code[2:] == "0000":
        return code[:2]
    if code[4:] == "00":
        return code[:4]
    return code


def region_ancestors(code: str) -> tuple[str, ...]:
    """The code itself and the city and province codes that contain it (distinct, most local first)."""
    code = _check_code(code)
    seen: list[str] = []
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        if candidate not in seen:
            seen.append(candidate)
    return tuple(seen)


def region_matches(subscription_code: str, organisation_code: str) -> bool:
    """Does a subscription for ``subscription_code`` reach a publication of an organisation at
    ``organisation_code``? True when one area contains the other."""
    sub, org = _check_code(subscription_code), _check_code(organisation_code)
    return sub.startswith(region_prefix(org)) or org.startswith(region_prefix(sub))


@dataclass(frozen=True)
class RegionKeys:
    """``region_matches(s, org)`` ⇔ ``s.startswith(prefix) or s in ancestors``."""

    prefix: str
    ancestors: tuple[str, ...]


def region_query_keys(organisation_code: str) -> RegionKeys:
    return RegionKeys(region_prefix(organisation_code), region_ancestors(organisation_code))


def backoff_seconds(attempts: int, *, base: int = BACKOFF_BASE_SECONDS, cap: int = BACKOFF_CAP_SECONDS) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt (1 → base, 2 → 2·base, …, ≤ cap)."""
    if attempts < 1:
        raise PushRuleError("尝试次数应不小于1。")
    return int(min(cap, base * 2 ** min(attempts - 1, 30)))


def gives_up(attempts: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """After this many attempts a failing message is marked 失败 and never retried."""
    return attempts >= max_attempts


def signing_input(timestamp: str, body: bytes) -> bytes:
    """What the gateway signature covers: ``<timestamp>.<raw body>`` (the timestamp stops replays)."""
    if not timestamp.isdigit():
        raise PushRuleError("时间戳应为数字（Unix 秒）。")
    return timestamp.encode() + b"." + body


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    """HMAC-SM3 (GB/T 32905 SM3 in RFC 2104 HMAC) of ``signing_input``, in lower-case hex."""
    if not key:
        raise PushRuleError("签名密钥不能为空。")
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(signing_input(timestamp, body))
    return mac.finalize().hex()


def verify(key: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison of ``signature`` with our own ``sign``."""
    try:
        expected = sign(key, timestamp, body)
    except PushRuleError:
        return False
    return hmac.compare_digest(expected, (signature or "").strip().lower())


def sm3_hex(data: bytes) -> str:
    """SM3 digest in hex (the tests check the standard vector)."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()
