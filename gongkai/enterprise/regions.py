"""行政区划名称: the names of 6-digit 行政区划代码 (GB/T 2260, 民政部) at province, prefecture
(地级) and county level, from ``data/gbt2260_divisions.csv`` (its header names the source and
date). Read once per process; an unknown code is shown as the code itself."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gbt2260_divisions.csv"


@cache
def _names() -> dict[str, str]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["code"]: row["name"] for row in rows}


@cache
def _prefixes() -> frozenset[str]:
    """The 4-digit prefixes with at least one county: a 直辖市's ``xx01`` has counties but no 地级 row."""
    return frozenset(code[:4] for code in _names())


def _six(code: str) -> str | None:
    code = (code or "").strip()
    if not code.isdigit() or not code.isascii() or len(code) not in (2, 4, 6):
        return None
    return code.ljust(6, "0")


@cache
def region_name(code: str) -> str:
    """The full name of a 行政区划代码 (``430100`` → ``湖南省长沙市``, ``430102`` → ``湖南省长沙市芙蓉区``,
    ``110100`` → ``北京市``; 2- and 4-digit prefixes too), or ``code`` when it is not in the table."""
    six = _six(code)
    if six is None:
        return code
    names = _names()
    province = names.get(six[:2] + "0000")
    if province is None:
        return code
    if six.endswith("0000"):
        return province
    city = names.get(six[:4] + "00", "")
    if six.endswith("00"):
        if city:
            return province + city
        return province if six[:4] in _prefixes() else code
    county = names.get(six)
    return province + city + county if county else code


def region_label(code: str, *, within: str = "") -> str:
    """``湖南省长沙市（430100）`` for tables of counts; the bare code when its name is unknown.
    ``within`` a parent code drops the parent's name (``芙蓉区（430102）`` within ``430100``)."""
    name = region_name(code)
    if name == code:
        return code
    parent = region_name(within) if within else ""
    if parent and parent != within and name.startswith(parent) and name != parent:
        name = name[len(parent):]
    return f"{name}（{code}）"
