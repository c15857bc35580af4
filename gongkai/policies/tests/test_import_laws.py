"""Real text: the 378 national laws of ``laws.db`` imported through the real import path, with
their validity states (现行有效 → 有效, 已废止 → 废止, 已被修改 → 已修改, 历史版本 → 失效)."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter

import pytest

from gongkai.accounts.models import Organisation
from gongkai.accounts.tests.factories import OrganisationFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import Document, SearchChange
from gongkai.policies.selectors import public_documents
from gongkai.policies.services.documents import org_code
from gongkai.policies.services.imports import OrganisationResolver, import_documents
from gongkai.policies.tests.laws import LAWS_DB, law_rows

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not LAWS_DB.exists(), reason="shared/data/china-law/laws.db 不存在"),
]


@pytest.fixture
def npc(db):
    return OrganisationFactory(name="全国人民代表大会常务委员会办公厅", slug="npc-office",
                               level=Organisation.Level.NATIONAL, kind=Organisation.Kind.GENERAL_OFFICE)


def status_counts() -> Counter[str]:
    with sqlite3.connect(f"file:{LAWS_DB}?mode=ro", uri=True) as connection:
        return Counter(dict(connection.execute("SELECT status, count(*) FROM laws GROUP BY status").fetchall()))


def test_all_laws_import_with_their_validity_and_reimport_changes_nothing(npc):
    rows = law_rows(org_code(npc), organisation=npc.slug)
    started = time.monotonic()
    report = import_documents(actor=None, rows=rows, organisation_resolver=OrganisationResolver())
    elapsed = time.monotonic() - started
    assert report.ok, report.errors[:5]
    assert report.created == 378 == Document.objects.count() == public_documents().count()
    assert elapsed < 60, f"导入 378 部法律用时 {elapsed:.1f} 秒"

    statuses = status_counts()
    validity = Counter(Document.objects.values_list("validity", flat=True))
    assert validity == {"valid": statuses["现行有效"], "repealed": statuses["已废止"],
                        "amended": statuses["已被修改"], "expired": statuses["历史版本"]}
    assert set(Document.objects.values_list("level", flat=True)) == {"national"}

    law = Document.objects.get(title="中华人民共和国个人信息保护法")
    assert law.lead_issuer == "全国人民代表大会常务委员会" and law.written_on.isoformat() == "2021-08-20"
    assert "<h3>第一章 总则</h3>" in law.body_html and "<h4>第一节 一般规定</h4>" in law.body_html
    assert "第一条 为了保护个人信息权益" in law.body_text
    with sqlite3.connect(f"file:{LAWS_DB}?mode=ro", uri=True) as connection:
        (articles,) = connection.execute(
            "SELECT count(*) FROM articles a JOIN laws l USING (law_id) "
            "WHERE l.law_name = '中华人民共和国个人信息保护法'").fetchone()
    assert law.body_html.count("<p>第") == articles

    before = (AuditEvent.objects.count(), SearchChange.objects.count())
    again = import_documents(actor=None, rows=law_rows(org_code(npc), organisation=npc.slug),
                             organisation_resolver=OrganisationResolver())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 378)
    assert (AuditEvent.objects.count(), SearchChange.objects.count()) == before


def test_real_field_values_that_break_the_rules_are_reported_per_row(npc):
    """Laws revised after they came into force have 实施日期 before 成文日期: imported raw, every
    such row is reported with its number and nothing is written."""
    rows = law_rows(org_code(npc), organisation=npc.slug, raw_effective_dates=True)
    bad = [i for i, r in enumerate(rows, start=1) if r["effective_on"] < r["written_on"]]
    assert len(bad) > 50
    report = import_documents(actor=None, rows=rows, organisation_resolver=OrganisationResolver())
    assert [e.row for e in report.errors] == bad
    assert all(str(e).endswith("（实施日期）：实施日期不能早于成文日期。") for e in report.errors)
    assert not Document.objects.exists() and not AuditEvent.objects.filter(action="document.create").exists()
