"""/api/v1/policies/: list with filters, detail with interpretations/relations/attachments,
search, libraries; ETag / Last-Modified with 304; Chinese errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils.http import http_date

from gongkai.policies.services.documents import document_relate, document_update
from gongkai.policies.services.libraries import library_create, library_publish
from gongkai.policies.tests.fixtures import make_document, tag
from gongkai.policies.tests.public_helpers import attach, interpret

pytestmark = pytest.mark.django_db
BASE = "/api/v1/policies"


@pytest.fixture
def api_docs(org_tree, taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = make_document(org_tree.dept_a, title="省级文件甲", doc_number="测教发〔2026〕5号", level="provincial",
                      tags=[tag("theme", "税费优惠")])
    b = make_document(org_tree.dept_b, title="国家级文件乙", level="national", category="regulation")
    document_relate(actor=None, source=b, target=a, kind="amends")
    attach(a, "附件一.pdf", b"%PDF-1.4 x")
    interpret(org_tree.dept_a, [a], title="解读省级文件甲")
    make_document(org_tree.dept_a, title="草稿丙", published=False)
    a.refresh_from_db()
    return {"a": a, "b": b}


def test_list_filters_and_pagination(client: Client, org_tree, api_docs) -> None:
    data = client.get(f"{BASE}/documents").json()
    assert data["count"] == 2 and {d["title"] for d in data["items"]} == {"省级文件甲", "国家级文件乙"}
    assert client.get(f"{BASE}/documents?level=national").json()["items"][0]["title"] == "国家级文件乙"
    assert client.get(f"{BASE}/documents?tag=theme:shuifei").json()["count"] == 1
    assert client.get(f"{BASE}/documents?organisation={org_tree.dept_b.slug}").json()["count"] == 1
    assert client.get(f"{BASE}/documents?doc_number=测教发〔2026〕5号").json()["count"] == 1
    page2 = client.get(f"{BASE}/documents?page=2&page_size=1").json()
    assert page2["page"] == 2 and len(page2["items"]) == 1
    bad = client.get(f"{BASE}/documents?level=galaxy")
    assert bad.status_code == 400 and "未知的层级" in bad.json()["detail"]
    assert client.get(f"{BASE}/documents?page_size=1000").status_code == 400


def test_detail_has_metadata_interpretations_relations_and_attachments(client: Client, api_docs) -> None:
    a = api_docs["a"]
    data = client.get(f"{BASE}/documents/{a.pk}").json()
    assert data["index_no"] == a.index_no and data["doc_number"] == "测教发〔2026〕5号"
    assert data["validity"] == "amended" and data["validity_display"] == "已修改"
    assert [i["title"] for i in data["interpretations"]] == ["解读省级文件甲"]
    assert data["relations"][0]["direction"] == "incoming" and data["relations"][0]["title"] == "国家级文件乙"
    assert data["attachments"][0]["url"].startswith(f"/zhengce/content/{a.pk}/fujian/")
    assert client.get(data["attachments"][0]["url"]).status_code == 200
    assert "theme:shuifei" in data["tags"]


def test_etag_and_last_modified_give_304_until_something_changes(client: Client, api_docs) -> None:
    a = api_docs["a"]
    for url in (f"{BASE}/documents", f"{BASE}/documents/{a.pk}"):
        first = client.get(url)
        etag, modified = first["ETag"], first["Last-Modified"]
        assert etag and modified
        again = client.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
        assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
        earlier = http_date((a.updated_at - timedelta(days=1)).timestamp())
        assert client.get(url, headers={"if-modified-since": earlier}).status_code == 200
    etag = client.get(f"{BASE}/documents/{a.pk}")["ETag"]
    document_update(actor=None, document=a, title="省级文件甲（修订）")
    changed = client.get(f"{BASE}/documents/{a.pk}", headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed.json()["title"] == "省级文件甲（修订）"


def test_hidden_or_unknown_document_is_404_in_chinese(client: Client, org_tree, taxonomy) -> None:
    draft = make_document(org_tree.dept_a, title="草稿", published=False)
    for url in (f"{BASE}/documents/{draft.pk}", f"{BASE}/documents/999999", f"{BASE}/libraries/none"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["detail"] == "未找到。"


def test_libraries_with_counts_by_level(client: Client, org_tree, api_docs) -> None:
    library = library_create(actor=None, organisation=org_tree.province, slug="lib", name="全部文件库",
                             kind="curated")
    from gongkai.policies.services.libraries import library_add_document

    for doc in api_docs.values():
        library_add_document(actor=None, library=library, document=doc)
    assert client.get(f"{BASE}/libraries").json() == []  # offline
    library_publish(actor=None, library=library)
    [entry] = client.get(f"{BASE}/libraries").json()
    assert entry["total"] == 2
    assert [(c["level"], c["count"]) for c in entry["counts"]] == [("national", 1), ("provincial", 1)]
    detail = client.get(f"{BASE}/libraries/lib?level=national").json()
    assert [d["title"] for d in detail["documents"]] == ["国家级文件乙"]


def test_search_endpoint_delegates_to_the_search_module(client: Client, api_docs, search_index) -> None:
    search_index.apply()
    data = client.get(f"{BASE}/search?q=省级文件甲").json()
    assert data["hits"][0]["document_id"] == api_docs["a"].pk
    assert "<mark>" in data["hits"][0]["title_html"]
    assert data["facets"] == {} and data["total"] >= 1  # facet counts only on request (they visit every match)
    with_facets = client.get(f"{BASE}/search?q=省级文件甲&facets=true").json()
    assert "level" in with_facets["facets"] and with_facets["total"] == data["total"]
    assert client.get(f"{BASE}/search?q=x&page=0").status_code == 400


def test_search_etag_follows_the_index_not_a_database_count(client: Client, api_docs, search_index,
                                                            django_assert_max_num_queries) -> None:
    search_index.apply()
    url = f"{BASE}/search?q=省级文件甲"
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    with django_assert_max_num_queries(0):  # the 304 answer reads no table
        again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    document_update(actor=None, document=api_docs["a"], title="省级文件甲（修订）")
    search_index.apply()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["hits"][0]["title"] == "省级文件甲（修订）"
