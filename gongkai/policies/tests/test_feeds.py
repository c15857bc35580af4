"""RSS/Atom feeds (whole library, organisation, special library, tag) and sitemap.xml: valid XML,
newest first, public documents only, linked from pages with <link rel="alternate">."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.policies.models import Document
from gongkai.policies.services.libraries import library_create, library_publish
from gongkai.policies.tests.fixtures import make_document, tag

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def feed_docs(org_tree, taxonomy):
    older = make_document(org_tree.dept_a, title="较早的税费优惠文件", doc_number="测教发〔2026〕1号",
                          tags=[tag("theme", "税费优惠")])
    Document.objects.filter(pk=older.pk).update(published_at=older.published_at - timedelta(days=2))
    newer = make_document(org_tree.dept_a, title="最新的税费优惠文件", tags=[tag("theme", "税费优惠")])
    other = make_document(org_tree.dept_b, title="财政厅的其他文件")
    draft = make_document(org_tree.dept_a, title="草稿文件不应出现", published=False, tags=[tag("theme", "税费优惠")])
    return {"older": older, "newer": newer, "other": other, "draft": draft}


def _rss_titles(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.find("channel/title") is not None
    return [item.findtext("title") or "" for item in root.iter("item")]


def _atom_titles(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]


def test_library_feed_lists_public_documents_newest_first(client: Client, feed_docs) -> None:
    titles = _rss_titles(client, reverse("policies:feed_rss"))
    assert titles == ["财政厅的其他文件", "最新的税费优惠文件", "较早的税费优惠文件（测教发〔2026〕1号）"]
    assert not any("草稿" in t for t in titles)
    assert _atom_titles(client, reverse("policies:feed_atom")) == titles


def test_organisation_and_tag_feeds_are_scoped(client: Client, org_tree, feed_docs) -> None:
    org_titles = _rss_titles(client, reverse("policies:organisation_feed_rss", args=[org_tree.dept_a.slug]))
    assert len(org_titles) == 2 and "财政厅的其他文件" not in org_titles
    tag_titles = _atom_titles(client, reverse("policies:tag_feed_atom", args=["theme", "shuifei"]))
    assert len(tag_titles) == 2 and all("税费优惠" in t for t in tag_titles)
    assert client.get(reverse("policies:tag_feed_rss", args=["theme", "no-such"])).status_code == 404


def test_special_library_feed_and_alternate_links(client: Client, org_tree, feed_docs) -> None:
    library = library_create(actor=None, organisation=org_tree.province, slug="shuifei-lib", name="税费优惠政策库",
                             rule_tags=[tag("theme", "税费优惠")])
    assert client.get(reverse("policies:library_feed_rss", args=[library.slug])).status_code == 404
    library_publish(actor=None, library=library)
    assert len(_rss_titles(client, reverse("policies:library_feed_rss", args=[library.slug]))) == 2
    page = client.get(reverse("policies:library", args=[library.slug])).content.decode()
    assert (f'<link rel="alternate" type="application/rss+xml" title="税费优惠政策库（RSS）" '
            f'href="{reverse("policies:library_feed_rss", args=[library.slug])}">') in page
    home = client.get(reverse("policies:home")).content.decode()
    assert f'rel="alternate" type="application/atom+xml" title="政策库最新文件（Atom）" href="{reverse("policies:feed_atom")}"' in home
    mulu = client.get(reverse("portal:mulu", args=[org_tree.dept_a.slug])).content.decode()
    assert reverse("policies:organisation_feed_rss", args=[org_tree.dept_a.slug]) in mulu


def test_sitemap_lists_documents_libraries_and_organisation_pages(client: Client, org_tree, feed_docs) -> None:
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locs = [e.text or "" for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    for doc in ("older", "newer", "other"):
        assert any(loc.endswith(reverse("policies:document", args=[feed_docs[doc].pk])) for loc in locs)
    assert not any(loc.endswith(reverse("policies:document", args=[feed_docs["draft"].pk])) for loc in locs)
    assert any(loc.endswith(reverse("portal:mulu", args=[org_tree.dept_a.slug])) for loc in locs)
    assert any(loc.endswith(reverse("portal:org_fdzdgknr", args=[org_tree.dept_a.slug])) for loc in locs)
