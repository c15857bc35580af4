"""Full-text search (全文检索): relevance, 发文字号 queries, phrases, highlighting, filters and facet
counts checked against the database, and visibility (only public documents, ever)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from gongkai.domain.documents import Validity
from gongkai.policies.models import Document, SubjectCategory
from gongkai.policies.search.api import SearchQuery, search
from gongkai.policies.search.tokenize import exact_terms, parse_query, search_terms
from gongkai.policies.selectors import public_documents
from gongkai.policies.services.documents import document_update
from gongkai.policies.tests.fixtures import make_document, tag

pytestmark = pytest.mark.django_db


def ids(results):
    return [h.document_id for h in results.hits]


def run(text="", **filters):
    return search(SearchQuery(text=text, page_size=100, **filters))


@pytest.fixture
def corpus(org_tree, taxonomy, search_index):
    fiscal = SubjectCategory.objects.get(parent__name="财政、金融、审计", name="税务")
    labour = SubjectCategory.objects.get(parent__name="劳动、人事、监察", name="劳动就业")
    docs = {
        "tax": make_document(
            org_tree.dept_b, title="关于阶段性减免小微企业房产税和城镇土地使用税的通知",
            doc_number="湘财发[2020]15号", level="provincial", category="normative", subject=fiscal,
            body_html="<p>为支持小微企业复工复产，对小微企业减免房产税。减税降费政策免申即享。</p>",
            tags=[tag("theme", "税费优惠"), tag("audience", "小微企业"), tag("topic", "复工复产")],
            written_on=date(2020, 3, 1)),
        "loan": make_document(
            org_tree.province, title="关于进一步加强首贷续贷服务支持个体工商户的意见",
            doc_number="国办发〔2020〕27号", issuers=["国务院办公厅", "中国人民银行"], level="national",
            category="other_policy", subject=fiscal,
            body_html="<p>银行业金融机构要扩大首贷、信用贷款投放，贷款利率优惠。营商环境持续优化。</p>",
            tags=[tag("theme", "融资贷款"), tag("audience", "个体工商户")], written_on=date(2020, 5, 20)),
        "jobs": make_document(
            org_tree.dept_a, title="关于做好高校毕业生稳岗就业工作的通知",
            doc_number="国办发〔2020〕6号", issuers=["国务院办公厅"], level="national", category="notice",
            subject=labour, body_html="<p>落实稳岗返还政策，失业保险稳岗返还，税费减免。</p>",
            tags=[tag("theme", "稳岗就业")], written_on=date(2020, 2, 3)),
        "old": make_document(
            org_tree.dept_b, title="关于印发营商环境评价办法的通知", doc_number="湘政办发〔2019〕8号",
            level="provincial", category="normative", subject=fiscal, validity=Validity.REPEALED,
            body_html="<p>优化营商环境，开展一件事一次办改革。</p>", written_on=date(2019, 4, 1)),
        "lapsed": make_document(
            org_tree.dept_b, title="关于临时性房租减免的通知", level="municipal", category="notice",
            body_html="<p>对承租国有房产的个体工商户减免房租。</p>", written_on=date(2020, 2, 10),
            effective_on=date(2020, 2, 10), repeal_on=date(2020, 12, 31)),
    }
    search_index.apply()
    return docs


def test_user_dictionary_keeps_policy_terms_whole():
    assert "营商环境" in exact_terms("优化营商环境")
    assert "免申即享" in exact_terms("惠企政策免申即享")
    # cut_for_search still emits the 2-character sub-words, so 贷款 finds 信用贷款.
    assert {"信用", "贷款", "信用贷款"} <= set(search_terms("信用贷款"))


def test_query_parsing_finds_phrases_and_doc_numbers():
    parsed = parse_query('减免 “小微企业 房产税” 国办发[2020]27号 国办发〔2020〕')
    assert parsed.words == ["减免"]
    assert parsed.phrases == ["小微企业 房产税"]
    assert [(n.agency, n.year, n.seq) for _, n in parsed.doc_numbers] == [("国办发", 2020, 27), ("国办发", 2020, None)]


def test_exact_title_ranks_first(corpus):
    for doc in corpus.values():
        results = run(doc.title)
        assert results.hits and results.hits[0].document_id == doc.pk, doc.title


def test_two_character_words_and_policy_terms(corpus):
    assert set(ids(run("税费"))) == {corpus["jobs"].pk}  # 税费减免 (减税降费 does not contain 税费)
    assert set(ids(run("减税"))) == {corpus["tax"].pk}  # a dictionary part of 减税降费
    assert set(ids(run("贷款"))) == {corpus["loan"].pk}
    assert ids(run("房产税"))[0] == corpus["tax"].pk
    assert set(ids(run("营商环境"))) == {corpus["loan"].pk, corpus["old"].pk}
    # Several words: every one must match.
    assert ids(run("小微企业 房产税")) == [corpus["tax"].pk]
    assert ids(run("小微企业 贷款")) == []


def test_doc_number_queries(corpus):
    results = run("国办发〔2020〕")
    assert set(ids(results)) == {corpus["loan"].pk, corpus["jobs"].pk}
    assert ids(run("国办发[2020]27号"))[0] == corpus["loan"].pk
    assert ids(run("湘财发（2020）15号"))[0] == corpus["tax"].pk
    assert set(ids(run(doc_number_agency="国办发", doc_number_year=2020))) == {corpus["loan"].pk, corpus["jobs"].pk}
    assert ids(run(doc_number_agency="国办发", doc_number_year=2020, doc_number_seq=6)) == [corpus["jobs"].pk]


def test_quoted_phrase_needs_adjacent_words(corpus):
    assert ids(run("“减免房产税”")) == [corpus["tax"].pk]
    # Both words occur in the 稳岗 document, but not next to each other.
    assert corpus["jobs"].pk in ids(run("失业 返还"))
    assert corpus["jobs"].pk not in ids(run('"失业返还"'))


def test_longer_phrase_is_checked_by_position_not_only_by_its_pairs(org_tree, taxonomy, search_index):
    from gongkai.policies.search.tokenize import exact_terms

    assert exact_terms("小微企业减免房产税") == ["小微企业", "减免", "房产税"]
    whole = make_document(org_tree.dept_a, title="关于阶段性政策的通知", body_html="<p>对小微企业减免房产税。</p>")
    # Both pairs (小微企业|减免, 减免|房产税) occur, but never the three words in a row.
    split = make_document(org_tree.dept_a, title="关于其他政策的通知",
                          body_html="<p>小微企业减免租金。其他企业减免房产税。</p>")
    in_title = make_document(org_tree.dept_b, title="关于小微企业减免房产税的通知", body_html="<p>正文。</p>")
    search_index.apply()
    assert set(ids(run("“小微企业减免房产税”"))) == {whole.pk, in_title.pk}
    assert ids(run("“小微企业减免房产税”"))[0] == in_title.pk  # title boost
    assert set(ids(run("“减免房产税”"))) == {whole.pk, split.pk, in_title.pk}
    assert ids(run("“小微企业减免房产税”", title_only=True)) == [in_title.pk]


def test_highlighting_is_escaped_and_marked(org_tree, taxonomy, search_index):
    doc = make_document(org_tree.dept_a, title="关于<b>税费</b>优惠的通知",
                        body_html="<p>前言。" + "其他内容。" * 60 + "税费优惠&政策落实到位。</p>")
    search_index.apply()
    hit = run("税费").hits[0]
    assert hit.document_id == doc.pk
    assert "<mark>税费</mark>" in hit.title_html and "&lt;b&gt;" in hit.title_html and "<b>" not in hit.title_html
    assert "<mark>税费</mark>优惠&amp;政策" in hit.snippet_html and hit.snippet_html.startswith("…")


def test_title_only(corpus):
    assert ids(run("营商环境", title_only=True)) == [corpus["old"].pk]


def test_empty_text_browses_by_date(corpus):
    results = run()
    expected = list(public_documents().order_by("-published_at", "-pk").values_list("pk", flat=True))
    assert results.total == len(expected) == 5
    assert ids(results) == expected


def test_pagination_and_date_sort(corpus):
    first = search(SearchQuery(text="", page=1, page_size=2))
    second = search(SearchQuery(text="", page=2, page_size=2))
    assert first.total == 5 and len(first.hits) == 2 and len(second.hits) == 2
    assert not set(ids(first)) & set(ids(second))
    assert search(SearchQuery(page_size=1000)).page_size == 100
    by_date = search(SearchQuery(text="通知", sort="date"))
    dates = [h.published_at for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)


def _db_count(**lookups):
    return public_documents().filter(**lookups).distinct().count()


def test_filters_and_facet_counts_match_the_database(corpus, org_tree):
    results = run()
    facets = {name: {v: n for v, _, n in values} for name, values in results.facets.items()}
    assert facets["level"] == {lv: _db_count(level=lv) for lv in ("national", "provincial", "municipal")}
    assert facets["category"] == {c: _db_count(category=c) for c in ("normative", "other_policy", "notice")}
    assert facets["theme"]["theme:shuifei"] == _db_count(tags__slug="shuifei", tags__kind="theme") == 1
    assert facets["audience"] == {"audience:xiaowei": 1, "audience:geti": 1}
    assert facets["topic"] == {"topic:fugong": 1}
    fiscal_top = SubjectCategory.objects.get(parent=None, name="财政、金融、审计")
    assert facets["subject"][fiscal_top.pk] == _db_count(subject__parent=fiscal_top)
    assert facets["year"] == {2020: _db_count(written_on__year=2020), 2019: 1}
    assert facets["issuer"]["国务院办公厅"] == 2 and facets["issuer"]["中国人民银行"] == 1
    # 废止日期 passed → 失效 (not 有效), although the stored value is 有效.
    assert facets["validity"] == {"valid": 3, "repealed": 1, "expired": 1}
    labels = {v: label for v, label, _ in results.facets["validity"]}
    assert labels == {"valid": "有效", "repealed": "废止", "expired": "失效"}

    assert set(ids(run(levels=["national"]))) == set(_ids(level="national"))
    assert set(ids(run(validities=["expired"]))) == {corpus["lapsed"].pk}
    assert set(ids(run(validities=["valid"]))) == {corpus[k].pk for k in ("tax", "loan", "jobs")}
    assert run(validities=["expired"]).hits[0].validity == "expired"
    assert set(ids(run(subjects=[fiscal_top.pk]))) == set(_ids(subject__parent=fiscal_top))
    assert set(ids(run(issuers=["中国人民银行"]))) == {corpus["loan"].pk}
    assert set(ids(run(years=[2019]))) == {corpus["old"].pk}
    assert set(ids(run(organisation_ids=[org_tree.dept_b.pk]))) == set(_ids(organisation=org_tree.dept_b))
    # Tags: OR inside one kind, AND between kinds.
    assert set(ids(run(tags=["theme:shuifei", "theme:rongzi"]))) == {corpus["tax"].pk, corpus["loan"].pk}
    assert set(ids(run(tags=["theme:shuifei", "audience:geti"]))) == set()
    # Facets follow the filters and the text.
    filtered = run("通知", levels=["provincial"])
    assert filtered.total == public_documents().filter(level="provincial", title__contains="通知").count()
    assert {v: n for v, _, n in filtered.facets["level"]} == {"provincial": filtered.total}


def _ids(**lookups):
    return list(public_documents().filter(**lookups).values_list("pk", flat=True))


def test_non_public_documents_are_never_found_nor_counted(org_tree, taxonomy, search_index):
    title = "关于房产税减免的特别通知"
    public = make_document(org_tree.dept_a, title=title)
    make_document(org_tree.dept_a, title=title, published=False)  # draft
    withdrawn = make_document(org_tree.dept_a, title=title)
    on_request = make_document(org_tree.dept_a, title=title)
    withheld = make_document(org_tree.dept_a, title=title)
    scheduled = make_document(org_tree.dept_a, title=title)
    document_update(actor=None, document=withdrawn, system_fields={"status": "withdrawn", "withdrawn_reason": "测试"})
    for doc, attr in ((on_request, "on_request"), (withheld, "withheld")):
        document_update(actor=None, document=doc, system_fields={
            "disclosure": attr, "disclosure_ground": "art16_process", "disclosure_explanation": "过程性信息，依法不主动公开。"})
    document_update(actor=None, document=scheduled,
                    system_fields={"published_at": timezone.now() + timedelta(days=3)})
    search_index.apply()
    for results in (run("房产税"), run(title), run(), run(levels=["provincial"])):
        assert ids(results) == [public.pk]
        assert results.total == 1
        assert sum(n for _, _, n in results.facets["level"]) == 1
    assert Document.objects.filter(title=title).count() == 6


def test_scheduled_document_appears_when_its_time_comes(org_tree, taxonomy, search_index, monkeypatch):
    doc = make_document(org_tree.dept_a, title="定时发布的房产税通知")
    document_update(actor=None, document=doc, system_fields={"published_at": timezone.now() + timedelta(hours=1)})
    search_index.apply()
    assert run("房产税").total == 0
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert ids(run("房产税")) == [doc.pk]


def test_changes_are_reflected_after_apply(org_tree, taxonomy, search_index):
    doc = make_document(org_tree.dept_a, title="关于支持外贸企业的通知")
    search_index.apply()
    assert ids(run("外贸")) == [doc.pk]
    document_update(actor=None, document=doc, title="关于支持跨境电商发展的通知")
    search_index.apply()
    assert ids(run("外贸")) == [] and ids(run("跨境电商")) == [doc.pk]
    document_update(actor=None, document=doc, system_fields={"status": "withdrawn", "withdrawn_reason": "测试"})
    search_index.apply()
    assert run("跨境电商").total == 0
    doc2 = make_document(org_tree.dept_a, title="关于跨境电商综合试验区的通知")
    search_index.apply()
    Document.objects.filter(pk=doc2.pk).delete()  # deleted rows: the change replays as a delete
    from gongkai.policies.services.documents import log_search_change

    log_search_change(doc2.pk)
    search_index.apply()
    assert run("跨境电商").total == 0


def test_organisation_deactivated_documents_leave_after_rebuild(org_tree, taxonomy, search_index):
    doc = make_document(org_tree.dept_a, title="关于机构调整前发布的通知")
    search_index.apply()
    assert ids(run("机构调整")) == [doc.pk]
    type(org_tree.dept_a).objects.filter(pk=org_tree.dept_a.pk).update(is_active=False)
    search_index.rebuild()
    assert run("机构调整").total == 0
    assert public_documents().filter(Q(pk=doc.pk)).count() == 0


def test_validity_lapses_on_its_repeal_date_before_and_after_reindexing(corpus, org_tree, monkeypatch):
    """The index stores the validity of the day it indexed a document; when a 废止日期 comes the
    results are corrected at query time until the scheduler's change is applied, then the stored
    value itself says 失效 — the same answers either way."""
    today = timezone.localdate()
    soon = make_document(org_tree.dept_b, title="关于阶段性缓缴社会保险费的通知", level="municipal",
                         category="notice", body_html="<p>阶段性缓缴社会保险费。</p>",
                         written_on=today - timedelta(days=30), effective_on=today - timedelta(days=30),
                         repeal_on=today + timedelta(days=2))
    from gongkai.policies.search.indexer import apply_pending_changes

    apply_pending_changes()
    assert run("缓缴").hits[0].validity == "valid"
    assert pk_set(run(validities=["valid"])) == {corpus[k].pk for k in ("tax", "loan", "jobs")} | {soon.pk}

    later = today + timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)

    def check() -> None:
        results = run()
        facets = {v: n for v, _, n in results.facets["validity"]}
        assert facets == {"valid": 3, "repealed": 1, "expired": 2}
        assert run("缓缴").hits[0].validity == "expired"
        assert pk_set(run(validities=["expired"])) == {corpus["lapsed"].pk, soon.pk}
        assert pk_set(run(validities=["valid"])) == {corpus[k].pk for k in ("tax", "loan", "jobs")}

    from gongkai.policies.search import api

    reader, token = api._open()
    assert api._has_stale_validity(reader.searcher(), token, api._today())
    check()  # not re-indexed yet: corrected per query
    from gongkai.policies.services.documents import log_search_change

    log_search_change(soon.pk)  # what the scheduler does on the 废止日期
    apply_pending_changes()
    reader, token = api._open()
    assert not api._has_stale_validity(reader.searcher(), token, api._today())
    check()  # re-indexed: the stored validity is 失效


def pk_set(results):
    return set(ids(results))


def test_phrase_of_common_words_is_answered_by_common_grams_exactly(org_tree, taxonomy, search_index):
    """Pairs of two common words (common grams) are index terms: a phrase of them is one lookup,
    still only adjacent words; longer phrases are still checked by position."""
    from gongkai.policies.search import index as ix
    from gongkai.policies.search.tokenize import PAIR_JOIN, common_pairs, common_words

    assert {"企业", "政策", "服务"} <= common_words()
    assert common_pairs(exact_terms("服务企业政策")) == [f"服务{PAIR_JOIN}企业", f"企业{PAIR_JOIN}政策"]
    adjacent = make_document(org_tree.dept_a, title="关于阶段性安排的通知", body_html="<p>落实服务企业政策。</p>")
    apart = make_document(org_tree.dept_a, title="关于其他安排的通知",
                          body_html="<p>企业应当了解有关政策。服务企业。</p>")
    pairs_only = make_document(org_tree.dept_b, title="关于另一安排的通知",
                               body_html="<p>服务企业。企业政策。</p>")
    search_index.apply()
    searcher = ix.open_reader().searcher()
    assert searcher.doc_freq("body_common", f"企业{PAIR_JOIN}政策") == 2
    assert set(ids(run("“企业政策”"))) == {adjacent.pk, pairs_only.pk}
    assert apart.pk in ids(run("企业 政策"))
    # Both pairs occur in pairs_only, but not the three words in a row.
    assert ids(run("“服务企业政策”")) == [adjacent.pk]
