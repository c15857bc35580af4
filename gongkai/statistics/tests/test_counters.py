"""Views and downloads of public documents are counted per day by the public pages themselves
(``policies.views.document_detail`` and ``attachment_download``), atomically."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.accounts.tests.factories import OrganisationFactory
from gongkai.policies.tests.fixtures import make_document
from gongkai.policies.tests.public_helpers import attach
from gongkai.statistics.models import DocumentDailyCount
from gongkai.statistics.services import count_document_view

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(db):
    org = OrganisationFactory(name="计数测试机关", slug="s-count")
    return make_document(org, title="关于计数的通知")


def test_document_page_and_attachment_download_are_counted(document):
    attachment = attach(document, "附件.pdf", b"%PDF-1.4 counted")
    client = Client()
    page = reverse("policies:document", args=[document.pk])
    assert client.get(page).status_code == 200
    assert client.get(page).status_code == 200
    assert client.get(reverse("policies:document_print", args=[document.pk])).status_code == 200  # not a view
    download = client.get(reverse("policies:attachment", args=[document.pk, attachment.pk]))
    assert download.status_code == 200
    row = DocumentDailyCount.objects.get(document=document)
    assert (row.day, row.views, row.downloads) == (timezone.localdate(), 2, 1)


def test_a_missing_or_unpublished_document_counts_nothing(document):
    draft = make_document(document.organisation, title="草稿", published=False)
    client = Client()
    assert client.get(reverse("policies:document", args=[draft.pk])).status_code == 404
    assert client.get(reverse("policies:attachment", args=[document.pk, 999999])).status_code == 404
    assert not DocumentDailyCount.objects.exists()


def test_counting_adds_to_one_row_per_day(document):
    for _ in range(5):
        count_document_view(document.pk)
    assert DocumentDailyCount.objects.count() == 1
    assert DocumentDailyCount.objects.get().views == 5


@pytest.mark.django_db(transaction=True)
def test_parallel_views_are_all_counted():
    """The first hit of the day inserts the row; the others add to it; none is lost."""
    import threading

    from django.db import connection

    org = OrganisationFactory(name="并发计数机关", slug="s-parallel")
    doc = make_document(org, title="并发浏览的文件")
    n = 12
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def hit() -> None:
        try:
            barrier.wait()
            count_document_view(doc.pk)
        except BaseException as exc:  # noqa: BLE001 — asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert DocumentDailyCount.objects.get(document=doc).views == n
