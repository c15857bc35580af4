"""Non-public documents never appear on any public surface (issue 3 §2).

One document of each non-public kind — draft, submitted, in secrecy review, withdrawn, published
but 依申请公开, published but 不予公开, scheduled for the future, and published by an organisation
that has since been deactivated — each with a unique token in its title, summary, body, keywords,
attachment name and 发文字号; plus one public document. Every public page, list (with every
facet), feed, sitemap and API endpoint is requested, and no token, URL or count of a non-public
document may appear, while the public one does."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.accounts.services import organisation_update
from gongkai.accounts.tests.factories import OrganisationFactory
from gongkai.policies.models import Art20Item, Document, SpecialLibrary, SubjectCategory
from gongkai.policies.services.documents import document_relate
from gongkai.policies.services.libraries import library_add_document, library_create, library_publish
from gongkai.policies.tests.fixtures import tag
from gongkai.policies.tests.public_helpers import attach, document_in_state, interpret
from gongkai.policies.views import _search_module

pytestmark = pytest.mark.django_db

HIDDEN_STATES = {
    "draft": "TOKDRAFTQ", "submitted": "TOKSUBMITQ", "secrecy_review": "TOKSECRECYQ", "withdrawn": "TOKWITHDRAWNQ",
    "on_request": "TOKONREQUESTQ", "withheld": "TOKWITHHELDQ", "scheduled": "TOKSCHEDULEDQ",
    "inactive_org": "TOKINACTIVEQ",
}
PUBLIC_TOKEN = "TOKPUBLICQ"


@pytest.fixture
def world(org_tree, taxonomy, settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    org = org_tree.dept_a
    closing = OrganisationFactory(name="测试省已撤销办公室", slug="test-closing", parent=org_tree.province)
    subject = SubjectCategory.objects.get(parent__name="财政、金融、审计", name="税务")
    themes = [tag("theme", "税费优惠"), tag("topic", "复工复产"), tag("audience", "小微企业")]

    def make(state: str, token: str, seq: int) -> Document:
        owner = closing if state == "inactive_org" else org
        doc = document_in_state(
            owner, "public" if state == "inactive_org" else state, f"关于{token}减免房产税的通知",
            summary=f"{token}内容概述", body_html=f"<p>{token}正文：减免房产税。</p>", keywords=f"房产税 {token}",
            doc_number=f"测财发〔2026〕{seq}号", subject=subject, tags=themes, art20_item=Art20Item.RULES,
            written_on=date(2026, 3, 2), level="provincial",
        )
        attach(doc, f"{token}附件.pdf", f"%PDF-1.4 {token}".encode())
        return doc

    public = make("public", PUBLIC_TOKEN, 1)
    hidden = {state: make(state, token, i) for i, (state, token) in enumerate(HIDDEN_STATES.items(), start=2)}
    organisation_update(actor=None, organisation=closing, is_active=False)
    # A non-public document that "repeals" the public one must not show up on its page either.
    document_relate(actor=None, source=hidden["draft"], target=public, kind="amends")
    Document.objects.filter(pk=public.pk).update(validity="valid")
    interpretation = interpret(org, [public, *hidden.values()], title="政策解读：房产税减免")
    curated = library_create(actor=None, organisation=org_tree.province, slug="curated-lib", name="人工专题库",
                             kind=SpecialLibrary.Kind.CURATED)
    for doc in [public, *hidden.values()]:
        library_add_document(actor=None, library=curated, document=doc)
    rule = library_create(actor=None, organisation=org_tree.province, slug="rule-lib", name="复工复产政策库",
                          rule_tags=[tag("topic", "复工复产")], rule_levels=["national", "provincial", "municipal"])
    for lib in (curated, rule):
        library_publish(actor=None, library=lib)
    return {"org": org, "closing": closing, "public": public, "hidden": hidden, "subject": subject,
            "interpretation": interpretation, "libraries": [curated, rule]}


def surfaces(w: dict[str, Any]) -> list[str]:
    org, public, subject = w["org"], w["public"], w["subject"]
    facets = ["level=provincial", "issuer=测试省教育厅", "category=normative", f"subject={subject.pk}",
              "tag=theme:shuifei", "tag=topic:fugong", "tag=audience:xiaowei", "year=2026", "validity=valid",
              f"org={org.pk}", "agency=测财发", "dn_year=2026", "scope=title", "sort=date"]
    search_qs = ["q=房产税", "q=减免", *(f"q={t}" for t in [PUBLIC_TOKEN, *HIDDEN_STATES.values()]),
                 *(f"q=房产税&{f}" for f in facets), *facets]
    urls = [
        reverse("policies:home"),
        reverse("policies:interpretation_list"), reverse("policies:interpretation_list") + "?theme=shuifei",
        reverse("policies:interpretation", args=[w["interpretation"].pk]),
        reverse("policies:library_list"),
        reverse("policies:document", args=[public.pk]),
        reverse("policies:document_print", args=[public.pk]),
        reverse("policies:document", args=[public.pk]) + "?print=1",
        reverse("policies:feed_rss"), reverse("policies:feed_atom"),
        reverse("policies:organisation_feed_rss", args=[org.slug]),
        reverse("policies:organisation_feed_atom", args=[org.slug]),
        reverse("policies:tag_feed_rss", args=["theme", "shuifei"]),
        reverse("policies:tag_feed_atom", args=["topic", "fugong"]),
        reverse("policies:tag_feed_rss", args=["audience", "xiaowei"]),
        reverse("sitemap"),
        reverse("portal:home"), reverse("portal:gongkai_index"), reverse("portal:gongkai_fdzdgknr"),
        reverse("portal:organisation", args=[org.slug]),
        reverse("portal:mulu", args=[org.slug]), reverse("portal:mulu", args=[org.slug]) + "?year=2026",
        reverse("portal:mulu", args=[org.slug]) + f"?subject={subject.parent_id}",
        reverse("portal:org_fdzdgknr", args=[org.slug]), reverse("portal:org_fdzdgknr", args=[org.slug]) + "?item=1",
        "/api/v1/policies/documents", "/api/v1/policies/documents?level=provincial",
        "/api/v1/policies/documents?category=normative", f"/api/v1/policies/documents?organisation={org.slug}",
        "/api/v1/policies/documents?tag=topic:fugong", "/api/v1/policies/documents?year=2026",
        "/api/v1/policies/documents?doc_number=测财发〔2026〕2号",
        f"/api/v1/policies/documents/{public.pk}",
        "/api/v1/policies/libraries",
    ]
    for lib in w["libraries"]:
        urls += [reverse("policies:library", args=[lib.slug]), reverse("policies:library", args=[lib.slug]) + "?level=provincial",
                 reverse("policies:library_feed_rss", args=[lib.slug]),
                 reverse("policies:library_feed_atom", args=[lib.slug]),
                 f"/api/v1/policies/libraries/{lib.slug}", f"/api/v1/policies/libraries/{lib.slug}?level=provincial"]
    for qs in search_qs:
        urls.append(reverse("policies:search") + "?" + qs)
        urls.append("/api/v1/policies/search?" + qs)
    return urls


def _hidden_markers(w: dict[str, Any]) -> list[str]:
    markers = list(HIDDEN_STATES.values())
    for doc in w["hidden"].values():
        markers += [reverse("policies:document", args=[doc.pk]), doc.index_no, doc.doc_number]
    return markers


def test_no_non_public_document_appears_on_any_public_surface(world) -> None:
    client = Client()
    search_available = _search_module() is not None
    markers = _hidden_markers(world)
    seen_public = 0
    checked = 0
    for url in surfaces(world):
        response = client.get(url)
        if "/search" in url and not search_available:
            assert response.status_code == 503, url
        else:
            assert response.status_code == 200, url
        body = response.content.decode()
        # A search page echoes the visitor's own query; everything else is a leak.
        leaked = [m for m in markers if m in body and m not in url]
        assert not leaked, f"{url} leaks {leaked}"
        seen_public += PUBLIC_TOKEN in body or reverse("policies:document", args=[world["public"].pk]) in body
        checked += 1
    assert checked > 60
    # The public document is reachable from nearly every surface (not from the empty-result ones).
    assert seen_public > 30


def test_each_non_public_document_page_attachment_and_api_detail_is_404(world) -> None:
    client = Client()
    for state, doc in world["hidden"].items():
        assert client.get(reverse("policies:document", args=[doc.pk])).status_code == 404, state
        assert client.get(reverse("policies:document_print", args=[doc.pk])).status_code == 404, state
        attachment = doc.attachments.get()
        assert client.get(reverse("policies:attachment", args=[doc.pk, attachment.pk])).status_code == 404, state
        response = client.get(f"/api/v1/policies/documents/{doc.pk}")
        assert response.status_code == 404 and response.json() == {"detail": "未找到。"}, state
    public = world["public"]
    attachment = public.attachments.get()
    response = client.get(reverse("policies:attachment", args=[public.pk, attachment.pk]))
    assert response.status_code == 200
    assert PUBLIC_TOKEN.encode() in b"".join(response.streaming_content)
    # An attachment id of a hidden document under the public document's URL is 404 too.
    other = world["hidden"]["draft"].attachments.get()
    assert client.get(reverse("policies:attachment", args=[public.pk, other.pk])).status_code == 404
    # The deactivated organisation's own pages are gone as well.
    assert client.get(reverse("portal:mulu", args=[world["closing"].slug])).status_code == 404
    assert client.get(reverse("policies:organisation_feed_rss", args=[world["closing"].slug])).status_code == 404


def test_counts_exclude_non_public_documents(world) -> None:
    client = Client()
    home = client.get(reverse("policies:home")).content.decode()
    assert "共收录主动公开的政策文件 1 件" in home
    level_block = home.split('id="by-level"')[1].split("</section>")[0]
    assert re.search(r"省级</a> <span class=\"count\">1 件", level_block)
    theme_block = home.split('id="by-theme"')[1].split("</section>")[0]
    assert re.search(r"税费优惠</a> <span class=\"count\">1 件", theme_block)
    assert client.get("/api/v1/policies/documents").json()["count"] == 1
    for lib in world["libraries"]:
        assert client.get(f"/api/v1/policies/libraries/{lib.slug}").json()["total"] == 1
        page = client.get(reverse("policies:library", args=[lib.slug])).content.decode()
        assert "按层级统计（共 1 件）" in page
    mulu = client.get(reverse("portal:mulu", args=[world["org"].slug])).content.decode()
    assert "共 1 条" in mulu
    art20 = client.get(reverse("portal:org_fdzdgknr", args=[world["org"].slug]) + "?item=1").content.decode()
    assert "共 1 条" in art20
    interpretation = client.get(reverse("policies:interpretation", args=[world["interpretation"].pk])).content.decode()
    docs_block = interpretation.split('id="docs-heading"')[1]
    assert docs_block.count("/zhengce/content/") == 1


def test_searching_for_a_hidden_token_finds_nothing(world) -> None:
    if _search_module() is None:
        pytest.skip("检索模块尚未提供")
    client = Client()
    for token in HIDDEN_STATES.values():
        assert client.get(f"/api/v1/policies/search?q={token}").json()["total"] == 0, token
        page = client.get(reverse("policies:search") + f"?q={token}").content.decode()
        assert "共 0 条" in page
    found = client.get(f"/api/v1/policies/search?q={PUBLIC_TOKEN}").json()
    assert found["total"] == 1 and found["hits"][0]["document_id"] == world["public"].pk


def test_sitemap_lists_exactly_the_public_document(world) -> None:
    xml = Client().get(reverse("sitemap")).content.decode()
    documents = set(re.findall(r"/zhengce/content/(\d+)/", xml))
    assert documents == {str(world["public"].pk)}
