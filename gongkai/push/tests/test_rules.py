"""Pure push rules (gongkai/domain/push.py): region reach, backoff, HMAC-SM3 signatures."""

from __future__ import annotations

import itertools

import pytest

from gongkai.domain import push as rules


def test_region_prefix_and_ancestors_follow_gb_t_2260_levels() -> None:
    """GB/T 2260: xx0000 is a province, xxxx00 a city (platforms.md §2 "Region")."""
    assert rules.region_prefix("440000") == "44"
    assert rules.region_prefix("440300") == "4403"
    assert rules.region_prefix("440305") == "440305"
    assert rules.region_ancestors("440305") == ("440305", "440300", "440000")
    assert rules.region_ancestors("440000") == ("440000",)
    with pytest.raises(rules.PushRuleError, match="6位数字"):
        rules.region_prefix("4403")


def test_region_reach_goes_both_ways_between_nested_areas() -> None:
    assert rules.region_matches("440305", "440000")  # a provincial policy reaches a district subscriber
    assert rules.region_matches("440000", "440305")  # a district policy reaches a province subscriber
    assert rules.region_matches("440300", "440305")
    assert not rules.region_matches("440305", "440306")  # sibling districts
    assert not rules.region_matches("440300", "450000")


def test_region_query_keys_agree_with_region_matches_everywhere() -> None:
    """The two index-backed conditions the push query uses are exactly ``region_matches``."""
    codes = [a + b + c for a, b, c in itertools.product(["44", "45"], ["00", "03", "05"], ["00", "05", "06"])
             if not (b == "00" and c != "00")]
    for sub, org in itertools.product(codes, codes):
        keys = rules.region_query_keys(org)
        assert (sub.startswith(keys.prefix) or sub in keys.ancestors) == rules.region_matches(sub, org), (sub, org)


def test_backoff_doubles_and_is_capped() -> None:
    assert [rules.backoff_seconds(n) for n in range(1, 5)] == [60, 120, 240, 480]
    assert rules.backoff_seconds(40) == rules.BACKOFF_CAP_SECONDS
    assert not rules.gives_up(rules.MAX_ATTEMPTS - 1) and rules.gives_up(rules.MAX_ATTEMPTS)
    with pytest.raises(rules.PushRuleError):
        rules.backoff_seconds(0)


def test_hmac_sm3_signature_verifies_and_detects_tampering() -> None:
    assert rules.sm3_hex(b"abc").startswith("66c7f0f4")  # GB/T 32905 standard vector
    sig = rules.sign(b"key", "1700000000", b'{"a":1}')
    assert len(sig) == 64
    assert rules.verify(b"key", "1700000000", b'{"a":1}', sig)
    assert not rules.verify(b"key", "1700000000", b'{"a":2}', sig)
    assert not rules.verify(b"key", "1700000001", b'{"a":1}', sig)
    assert not rules.verify(b"other", "1700000000", b'{"a":1}', sig)
    assert not rules.verify(b"key", "not-a-time", b'{"a":1}', sig)
