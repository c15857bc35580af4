"""Relevance on real legal Chinese: the 378 national laws of ../shared/data/china-law/laws.db
(each law's articles combined into one document body), created through the document service."""

from __future__ import annotations

import random
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from gongkai.domain.documents import DocStatus, Validity
from gongkai.policies.models import Document
from gongkai.policies.sanitize import text_to_html
from gongkai.policies.search.api import SearchQuery, search
from gongkai.policies.selectors import public_documents
from gongkai.policies.services.documents import document_create

LAWS_DB = Path(__file__).resolve().parents[4] / "shared" / "data" / "china-law" / "laws.db"
if not LAWS_DB.exists():
    LAWS_DB = Path("/work/shared/data/china-law/laws.db")

STATUS_TO_VALIDITY = {"现行有效": Validity.VALID, "已废止": Validity.REPEALED, "已被修改": Validity.AMENDED,
                      "历史版本": Validity.AMENDED}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not LAWS_DB.exists(), reason=f"laws.db 不存在（{LAWS_DB}），跳过真实法律文本检索测试"),
]


def _parse(value: str | None) -> date:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return date(2000, 1, 1)


@pytest.fixture(scope="module")
def laws_rows():
    connection = sqlite3.connect(f"file:{LAWS_DB}?mode=ro", uri=True)
    laws = connection.execute(
        "SELECT law_id, law_name, issuing_body, publish_date, status FROM laws ORDER BY law_id").fetchall()
    articles: dict[str, list[str]] = {}
    for law_id, article_no, text in connection.execute(
            "SELECT law_id, article_no, article_text FROM articles ORDER BY law_id, id"):
        articles.setdefault(law_id, []).append(f"{article_no or ''} {text or ''}".strip())
    connection.close()
    return laws, articles


@pytest.fixture
def laws(laws_rows, org_tree, taxonomy, search_index):
    rows, articles = laws_rows
    now = timezone.now()
    by_law: dict[str, Document] = {}
    for law_id, name, issuer, published, status in rows:
        by_law[law_id] = document_create(
            actor=None, organisation=org_tree.province, title=name, issuers=[issuer or "全国人民代表大会"],
            written_on=_parse(published), category="other", level="national",
            body_html=text_to_html("\n".join(articles.get(law_id, []))),
            validity=STATUS_TO_VALIDITY.get(status, Validity.VALID),
            status=DocStatus.PUBLISHED, published_at=now,
        )
    search_index.apply()
    return rows, by_law


def test_laws_relevance(laws):
    rows, by_law = laws
    assert search(SearchQuery()).total == public_documents().count() == len(rows) == 378

    # Each sampled law's exact title ranks that law (or a version of it with the same name) first.
    names: dict[str, list[int]] = {}
    for law_id, name, *_ in rows:
        names.setdefault(name, []).append(by_law[law_id].pk)
    sample = random.Random(3).sample(sorted(names), 20)
    for name in sample:
        first = search(SearchQuery(text=name, page_size=5)).hits[0]
        assert first.document_id in names[name], (name, first.title)
        assert first.title == name

    # 2-character words find exactly the laws whose text contains them.
    for word in ("听证", "罚款", "隐私"):
        results = search(SearchQuery(text=word, page_size=100, with_facets=False))
        containing = set(public_documents().filter(body_text__contains=word).values_list("pk", flat=True)) | set(
            public_documents().filter(title__contains=word).values_list("pk", flat=True))
        found = set()
        page = 1
        while True:
            batch = search(SearchQuery(text=word, page=page, page_size=100, with_facets=False))
            found |= {h.document_id for h in batch.hits}
            if page * 100 >= batch.total:
                break
            page += 1
        assert found <= containing, word
        assert len(found) >= 0.95 * len(containing) and len(containing) > 5, (word, len(found), len(containing))
        assert f"<mark>{word}</mark>" in results.hits[0].snippet_html

    # Repealed laws show as 废止, in hits and in the validity facet.
    repealed = [by_law[law_id] for law_id, _, _, _, status in rows if status == "已废止"]
    assert len(repealed) == 14
    hit = search(SearchQuery(text=repealed[0].title)).hits[0]
    assert hit.document_id == repealed[0].pk and hit.validity == "repealed" and hit.validity_label == "废止"
    facets = {v: n for v, _, n in search(SearchQuery()).facets["validity"]}
    assert facets["repealed"] == 14
    assert facets["valid"] == Document.objects.filter(validity=Validity.VALID).count() == 352
    assert {h.document_id for h in search(SearchQuery(validities=["repealed"], page_size=100)).hits} == {
        d.pk for d in repealed}
