"""The shipped GB/T 4754-2017 table (data/gbt4754_2017.csv) and its reader, without a database.

What was checked against packaged data, and what was not, is in the CSV's header comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.domain.enterprise_size import RULES, rule_for_industry
from gongkai.enterprise.industries import IndustryRow, read_table

ROWS = read_table()
BY_CODE = {row.code: row for row in ROWS}

# 门类 → the range of its 大类 in GB/T 4754-2017 (not in the packaged data checked; see the CSV header).
SECTION_DIVISIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}

# Names of the 2017 edition that the crosswalk in gbcrosswalk (标准附录B) confirms: its 小类 names, and so
# the names of 中类 and 大类 that have a single 小类 (code ending in 0 / 00).
CHECKED_NAMES = {
    "A0164": "茶叶种植", "C153": "精制茶加工", "H611": "旅游饭店", "H613": "民宿服务", "H621": "正餐服务",
    "H622": "快餐服务", "I6513": "应用软件开发", "I652": "集成电路设计", "K701": "房地产开发经营",
    "K702": "物业管理", "K703": "房地产中介服务", "K704": "房地产租赁经营", "K709": "其他房地产业",
    "B12": "其他采矿业", "S91": "中国共产党机关", "T97": "国际组织",
}


def section_of(code: str) -> IndustryRow:
    row = BY_CODE[code]
    while row.parent is not None:
        row = BY_CODE[row.parent]
    return row


def test_twenty_sections_a_to_t():
    sections = [row.code for row in ROWS if row.level == 1]
    assert sections == [chr(c) for c in range(ord("A"), ord("U"))]


def test_ninety_seven_divisions_numbered_01_to_97_under_their_sections():
    divisions = [row for row in ROWS if row.level == 2]
    assert [int(row.code[1:]) for row in divisions] == list(range(1, 98))
    for row in divisions:
        low, high = SECTION_DIVISIONS[row.code[0]]
        assert low <= int(row.code[1:]) <= high, row.code
        assert row.parent == row.code[0]


def test_every_group_and_class_starts_with_its_division():
    deeper = [row for row in ROWS if row.level >= 3]
    assert deeper, "the table has some 中类 and 小类"
    for row in deeper:
        assert row.parent is not None and row.code.startswith(row.parent)
        assert row.code[:3] in BY_CODE and BY_CODE[row.code[:3]].level == 2
        assert len(row.code) == row.level + 1


def test_codes_are_unique_and_names_repeat_only_where_a_section_has_one_division():
    assert len(BY_CODE) == len(ROWS)
    names: dict[str, list[str]] = {}
    for row in ROWS:
        names.setdefault(row.name, []).append(row.code)
    assert {name: codes for name, codes in names.items() if len(codes) > 1} == {
        "房地产业": ["K", "K70"], "教育": ["P", "P83"], "国际组织": ["T", "T97"]}


def test_names_confirmed_by_the_crosswalk():
    assert {code: BY_CODE[code].name for code in CHECKED_NAMES} == CHECKED_NAMES


@pytest.mark.parametrize(("code", "name", "section"), [
    ("I651", "软件开发", "I"),  # 2011's 小类 6510, split in 2017 into 6511–6519
    ("I6513", "应用软件开发", "I"),
    ("I65", "软件和信息技术服务业", "I"),
    ("C30", "非金属矿物制品业", "C"),  # 3011 水泥制造 is one of its 小类
    ("C153", "精制茶加工", "C"),
    ("A0164", "茶叶种植", "A"),
    ("K702", "物业管理", "K"),
    ("J66", "货币金融服务", "J"),
])
def test_well_known_codes(code: str, name: str, section: str):
    assert BY_CODE[code].name == name
    assert section_of(code).code == section


def test_every_code_in_the_table_has_a_size_rule():
    """《中小企业划型标准规定》: each 大类, 中类 and 小类 gets a row of the standard, 金融业 (J) none. (A bare
    门类 letter is not accepted by ``rule_for_industry``.)"""
    for row in ROWS:
        if row.level == 1:
            continue
        rule = rule_for_industry(row.code)
        if row.code.startswith("J"):
            assert rule is None, row.code
        else:
            assert rule in RULES.values(), row.code
    assert rule_for_industry("C3011").key == "industry"  # 水泥制造, a 小类 not shipped in the table
    assert rule_for_industry("I6513").key == "software"
    assert rule_for_industry("K701").key == "real_estate"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "table.csv"
    path.write_text("# comment\ncode,name\n" + body, encoding="utf-8")
    return path


def test_reader_derives_levels_and_parents(tmp_path: Path):
    rows = read_table(write(tmp_path, "C,制造业\nC30,非金属矿物制品业\nC301,水泥、石灰和石膏制造\nc3011, 水泥制造 \n"))
    assert [(r.code, r.level, r.parent, r.name) for r in rows] == [
        ("C", 1, None, "制造业"), ("C30", 2, "C", "非金属矿物制品业"),
        ("C301", 3, "C30", "水泥、石灰和石膏制造"), ("C3011", 4, "C301", "水泥制造")]


@pytest.mark.parametrize("body", ["C,制造业\nC3,坏代码\n", "C,制造业\nC30X,坏代码\n", "C,制造业\nC30,\n",
                                  "3011,水泥制造\n", "C,制造业\nC301111,太长\n"])
def test_reader_rejects_malformed_rows(tmp_path: Path, body: str):
    with pytest.raises(ValueError, match="格式不正确"):
        read_table(write(tmp_path, body))


def test_reader_rejects_a_child_before_its_parent(tmp_path: Path):
    with pytest.raises(ValueError, match="上级 C30"):
        read_table(write(tmp_path, "C,制造业\nC301,水泥、石灰和石膏制造\nC30,非金属矿物制品业\n"))
