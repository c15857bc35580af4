"""Chinese identifiers: 统一社会信用代码 (GB 32100-2015), 组织机构代码 (GB 11714-1997),
公民身份号码 (GB 11643-1999) and 行政区划代码 (GB/T 2260). Pure functions, no Django.

Each ``validate_*`` returns the normalised value or raises ``IdentifierError`` with a Chinese
message suitable for showing to the person who typed it.
"""

from __future__ import annotations

import re
from datetime import date

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB/T 2260 first-level (province) codes.
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
     "65", "71", "81", "82"}
)


class IdentifierError(ValueError):
    """An identifier failed validation; ``str(error)`` is a Chinese message."""


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_credit_code(raw: str) -> str:
    """统一社会信用代码: 18 characters; 登记管理部门 + 机构类别 + 行政区划 + 组织机构代码 + 校验码."""
    code = raw.strip().upper()
    if len(code) != 18:
        raise IdentifierError(f"统一社会信用代码应为18位，当前为{len(code)}位。")
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARSET})
    if bad:
        raise IdentifierError(
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）。"
        )
    if not code[2:8].isdigit():
        raise IdentifierError("统一社会信用代码第3至8位应为行政区划代码（6位数字）。")
    if code[8:16] and org_code_check_char(code[8:16]) != code[16]:
        raise IdentifierError("统一社会信用代码中的组织机构代码部分（第9至17位）校验不通过。")
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise IdentifierError("统一社会信用代码校验码错误，请核对后重新输入。")
    return code


def make_credit_code(prefix2: str, division: str, org_body8: str) -> str:
    """Build a valid code from its parts (used for demo data and tests)."""
    org = org_body8 + org_code_check_char(org_body8)
    first17 = prefix2 + division + org
    return first17 + credit_code_check_char(first17)


def validate_division_code(raw: str) -> str:
    """行政区划代码: six digits beginning with a province code (GB/T 2260)."""
    code = raw.strip()
    if not re.fullmatch(r"\d{6}", code):
        raise IdentifierError("行政区划代码应为6位数字。")
    if code[:2] not in PROVINCE_CODES:
        raise IdentifierError(f"行政区划代码前两位“{code[:2]}”不是有效的省级代码。")
    return code


def validate_resident_id(raw: str, *, today: date | None = None) -> str:
    """公民身份号码 (居民身份证): 18 characters, birth date and GB 11643 check digit."""
    number = raw.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdentifierError("居民身份证号码应为18位，前17位为数字，最后一位为数字或X。")
    if number[:2] not in PROVINCE_CODES:
        raise IdentifierError("居民身份证号码前两位不是有效的省级行政区划代码。")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError("居民身份证号码中的出生日期无效。") from None
    if born > (today or date.today()) or born.year < 1900:  # noqa: DTZ011 — a calendar date, no time zone
        raise IdentifierError("居民身份证号码中的出生日期不在合理范围内。")
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        raise IdentifierError("居民身份证号码校验位错误，请核对后重新输入。")
    return number


def mask_resident_id(number: str) -> str:
    """GB/T 35273 display restriction: 110101********123X."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(number: str) -> str:
    """138****5678 for a mobile number (GB/T 35273 去标识化 practice); a shorter number keeps only
    its last two characters, so at least four are always hidden and a 7-digit local number is never
    shown whole."""
    digits = number.strip()
    n = len(digits)
    if n >= 11:
        return digits[:3] + "*" * (n - 7) + digits[-4:]
    if n >= 7:
        return "*" * (n - 2) + digits[-2:]
    return "*" * n
