"""Identifier validation: GB 32100-2015 (统一社会信用代码), GB 11643-1999 (公民身份号码), GB/T 2260."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.domain.identifiers import (
    CREDIT_CODE_CHARSET,
    IdentifierError,
    credit_code_check_char,
    make_credit_code,
    mask_phone,
    mask_resident_id,
    validate_credit_code,
    validate_division_code,
    validate_resident_id,
)


def test_make_credit_code_round_trips():
    code = make_credit_code("11", "430000", "00000001")
    assert validate_credit_code(code) == code
    assert len(code) == 18


def test_lowercase_and_spaces_are_normalised():
    code = make_credit_code("11", "430100", "MB1234567"[:8])
    assert validate_credit_code(f"  {code.lower()} ") == code


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1143000000000001", "应为18位"),
        ("11430000000000001O", "不允许的字符"),
        ("11AB0000000000001X", "行政区划代码"),
    ],
)
def test_malformed_credit_codes_get_chinese_messages(raw, message):
    with pytest.raises(IdentifierError, match=message):
        validate_credit_code(raw)


def test_wrong_check_character_is_rejected():
    code = make_credit_code("11", "430000", "00000002")
    wrong = code[:17] + next(c for c in CREDIT_CODE_CHARSET if c != code[17])
    with pytest.raises(IdentifierError, match="校验码错误"):
        validate_credit_code(wrong)


@given(st.text(alphabet=CREDIT_CODE_CHARSET, min_size=17, max_size=17))
def test_check_character_accepts_exactly_one_of_31(first17):
    accepted = [c for c in CREDIT_CODE_CHARSET if credit_code_check_char(first17) == c]
    assert len(accepted) == 1


@given(st.text(max_size=30))
def test_validator_never_crashes(raw):
    try:
        validate_credit_code(raw)
    except IdentifierError:
        pass


def test_resident_id_gb11643_example():
    # GB 11643-1999 Appendix example: 11010519491231002X.
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("110105194912310021", "校验位错误"),
        ("110105194913310029", "出生日期无效"),
        ("11010519491231002", "应为18位"),
        ("990105194912310029", "省级"),
    ],
)
def test_bad_resident_ids(raw, message):
    with pytest.raises(IdentifierError, match=message):
        validate_resident_id(raw)


def test_future_birth_date_is_rejected():
    with pytest.raises(IdentifierError, match="合理范围"):
        validate_resident_id("110105203001010011", today=date(2026, 11, 27))


@pytest.mark.parametrize(("raw", "ok"), [("430100", True), ("341023", True), ("43010", False), ("990100", False), ("43a100", False)])
def test_division_codes(raw, ok):
    if ok:
        assert validate_division_code(raw) == raw
    else:
        with pytest.raises(IdentifierError):
            validate_division_code(raw)


def test_masking_for_display():
    assert mask_resident_id("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0731-88886666") == "073******6666"
    assert mask_phone("8765432") == "*****32"  # a 7-digit local number is never shown whole
    assert mask_phone("12345") == "*****"


@given(st.text(alphabet="0123456789-", min_size=4, max_size=20))
def test_phone_masking_always_hides_at_least_four_characters(number):
    masked = mask_phone(number)
    assert len(masked) == len(number.strip())
    assert masked.count("*") >= 4


@pytest.mark.parametrize("code", ["91330100716105852F", "91110108551385082Q", "914403001922038216"])
def test_published_enterprise_codes_validate(code):
    """Codes printed on real business licences pass both the 组织机构代码 and the GB 32100 check."""
    assert validate_credit_code(code) == code
