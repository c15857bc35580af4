"""Document rules: 发文字号 (GB/T 9704), 索引号 (gov.cn format), validity, workflow table,
grounds for not disclosing (条例第十四条至第十六条)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.domain.documents import (
    DOC_TRANSITIONS,
    Disclosure,
    DocStatus,
    DocumentError,
    Validity,
    WithholdingGround,
    assert_can_transition,
    check_ground,
    effective_validity,
    index_number,
    normalise_doc_number,
    parse_doc_number,
    validate_index_number,
)


@pytest.mark.parametrize(
    "raw",
    ["国办发〔2020〕27号", "国办发[2020]27号", "国办发(2020)27号", "国办发［2020］27号", "国办发（2020）27号",
     " 国办发 〔2020〕 27 号 ", "国办发【2020】27号", "国办发〔2020〕27"],
)
def test_doc_number_variants_normalise_to_hexagonal_brackets(raw):
    assert normalise_doc_number(raw) == "国办发〔2020〕27号"


def test_doc_number_parts_are_facets():
    number = parse_doc_number("湘政办发〔2020〕15号")
    assert (number.agency, number.year, number.seq) == ("湘政办发", 2020, 15)


@pytest.mark.parametrize(("raw", "message"), [("国办发2020年27号", "格式不正确"), ("〔2020〕27号", "格式不正确"),
                                               ("国办发〔1900〕1号", "年份"), ("国办发〔2020〕0号", "序号")])
def test_bad_doc_numbers_get_chinese_messages(raw, message):
    with pytest.raises(DocumentError, match=message):
        parse_doc_number(raw)


def test_empty_doc_number_is_allowed():
    assert normalise_doc_number("  ") == ""


@given(st.text(max_size=40))
def test_doc_number_parser_never_crashes(raw):
    try:
        parse_doc_number(raw)
    except DocumentError:
        pass


def test_index_number_format_as_on_gov_cn():
    assert index_number("000014349", 2018, 222) == "000014349/2018-00222"
    assert validate_index_number("000014349/2018-00222") == "000014349/2018-00222"
    with pytest.raises(DocumentError):
        validate_index_number("000014349-2018-222")


def test_repeal_date_makes_a_valid_document_lapse():
    assert effective_validity(Validity.VALID, date(2026, 6, 30), date(2026, 6, 29)) == Validity.VALID
    assert effective_validity(Validity.VALID, date(2026, 6, 30), date(2026, 6, 30)) == Validity.EXPIRED
    assert effective_validity(Validity.REPEALED, date(2026, 6, 30), date(2027, 1, 1)) == Validity.REPEALED


def test_publication_requires_secrecy_review_first():
    """条例第十七条: information is reviewed (保密审查) before it is published."""
    assert_can_transition(DocStatus.SECRECY_REVIEW, DocStatus.PUBLISHED)
    for src in (DocStatus.DRAFT, DocStatus.SUBMITTED, DocStatus.WITHDRAWN):
        with pytest.raises(DocumentError):
            assert_can_transition(src, DocStatus.PUBLISHED)
    assert all(DocStatus.PUBLISHED not in targets for src, targets in DOC_TRANSITIONS.items()
               if src != DocStatus.SECRECY_REVIEW)


def test_non_proactive_needs_a_fitting_ground_and_explanation():
    """条例第十四条至第十六条: only these grounds justify not disclosing proactively."""
    check_ground(Disclosure.PROACTIVE, None, "")
    with pytest.raises(DocumentError, match="必须选择"):
        check_ground(Disclosure.WITHHELD, None, "涉及国家秘密，依法不予公开。")
    with pytest.raises(DocumentError, match="不少于10个字"):
        check_ground(Disclosure.WITHHELD, WithholdingGround.STATE_SECRET, "涉密")
    with pytest.raises(DocumentError, match="不能作为"):
        check_ground(Disclosure.ON_REQUEST, WithholdingGround.STATE_SECRET, "涉及国家秘密，依法不予公开。")
    check_ground(Disclosure.ON_REQUEST, WithholdingGround.PROCESS_INFO, "属于内部讨论过程稿，依申请公开。")
