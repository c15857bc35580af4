"""The search indexer: crash consistency (incremental == rebuild), ordering gaps, the after-commit
nudge, the worker task and the ``gongkai search`` command."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from gongkai.policies.models import Document, SearchChange
from gongkai.policies.search import index as ix
from gongkai.policies.search.api import SearchQuery, search
from gongkai.policies.search.indexer import apply_pending_changes, rebuild, status
from gongkai.policies.services.documents import document_update
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db

TOPICS = ["房产税减免", "首贷续贷", "稳岗返还", "营商环境", "免申即享"]


def snapshot():
    """Everything searchable, as (document id, title, validity) of every hit, for a few queries."""
    out = {}
    for text in ["", *TOPICS, "通知"]:
        results = search(SearchQuery(text=text, page_size=100))
        out[text] = (results.total, sorted((h.document_id, h.title, h.validity) for h in results.hits))
    return out


def _churn(org_tree):
    docs = [make_document(org_tree.dept_a, title=f"关于{TOPICS[i % 5]}的第{i}号通知",
                          body_html=f"<p>{TOPICS[(i + 1) % 5]}相关措施。</p>", written_on=date(2024, 1, 1 + i))
            for i in range(12)]
    for i, doc in enumerate(docs[:6]):
        document_update(actor=None, document=doc, title=f"关于{TOPICS[(i + 2) % 5]}的修订通知{i}")
    document_update(actor=None, document=docs[6], system_fields={"status": "withdrawn", "withdrawn_reason": "测试撤回"})
    Document.objects.filter(pk=docs[7].pk).delete()
    from gongkai.policies.services.documents import log_search_change

    log_search_change(docs[7].pk)
    return docs


def test_crash_mid_run_then_apply_equals_rebuild(org_tree, taxonomy, search_index):
    make_document(org_tree.dept_b, title="建索引之前的文件：营商环境")
    search_index.apply()  # first run builds the index
    _churn(org_tree)
    pending = SearchChange.objects.filter(id__gt=ix.read_state(ix.base_dir())["last_id"]).count()
    assert pending > 10
    # "Crash": two batches committed to tantivy, but the process dies before writing state.json.
    applied = apply_pending_changes(batch_size=4, max_batches=2, write_state=False)
    assert applied == 8
    state = ix.read_state(ix.base_dir())
    assert SearchChange.objects.filter(id__gt=state["last_id"]).count() == pending  # position unchanged
    apply_pending_changes(batch_size=4)  # next run re-applies from the old position
    assert status()["pending"] == 0
    incremental = snapshot()
    assert incremental[""][0] == 12 + 1 - 2  # 12 + 1 created, one withdrawn, one deleted
    rebuild()
    assert snapshot() == incremental


def test_reapplying_the_whole_log_is_idempotent(org_tree, taxonomy, search_index):
    _churn(org_tree)
    search_index.apply()
    before = snapshot()
    base = ix.base_dir()
    state = ix.read_state(base)
    ix.write_state(base, {**state, "last_id": 0})
    apply_pending_changes(batch_size=3)
    assert snapshot() == before
    assert ix.open_reader().searcher().num_docs == before[""][0]


def test_late_committed_lower_id_is_not_missed(org_tree, taxonomy, search_index):
    """PostgreSQL: a transaction holding id N may commit after N+1 was applied."""
    first = make_document(org_tree.dept_a, title="先提交的文件：稳岗返还")
    search_index.apply()
    late = make_document(org_tree.dept_a, title="后提交的文件：稳岗返还")
    late_change = SearchChange.objects.filter(document_id=late.pk).order_by("-id").first()
    # Make the late change invisible for one run, as an uncommitted transaction would be.
    SearchChange.objects.filter(pk=late_change.pk).delete()
    newer = make_document(org_tree.dept_a, title="更新的文件：稳岗返还")
    search_index.apply()
    state = ix.read_state(ix.base_dir())
    assert str(late_change.pk) in state["gaps"]
    assert {h.document_id for h in search(SearchQuery(text="稳岗返还")).hits} == {first.pk, newer.pk}
    SearchChange.objects.create(id=late_change.pk, document_id=late.pk)  # now it "commits"
    search_index.apply()
    assert {h.document_id for h in search(SearchQuery(text="稳岗返还")).hits} == {first.pk, newer.pk, late.pk}
    assert str(late_change.pk) not in ix.read_state(ix.base_dir())["gaps"]


@pytest.mark.django_db(transaction=True)
def test_change_is_searchable_right_after_commit(org_tree, taxonomy, search_index):
    """The after-commit nudge applies the log synchronously — no explicit apply needed."""
    doc = make_document(org_tree.dept_a, title="关于一件事一次办改革的通知")
    assert [h.document_id for h in search(SearchQuery(text="一件事一次办")).hits] == [doc.pk]
    document_update(actor=None, document=doc, system_fields={"status": "withdrawn", "withdrawn_reason": "测试撤回"})
    assert search(SearchQuery(text="一件事一次办")).total == 0
    assert status()["pending"] == 0


@pytest.mark.django_db(transaction=True)
def test_nudge_never_raises_into_the_request(org_tree, taxonomy, search_index, monkeypatch, caplog):
    from gongkai.policies.search import indexer

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(indexer, "apply_pending_changes", broken)
    doc = make_document(org_tree.dept_a, title="索引故障时仍能保存的文件")
    assert Document.objects.filter(pk=doc.pk).exists()
    assert "applying search changes failed" in caplog.text
    monkeypatch.undo()
    from gongkai.policies.tasks import apply_search_changes

    assert not (ix.base_dir() / "state.json").exists()
    apply_search_changes.call()  # the worker's safety net catches up
    assert [h.document_id for h in search(SearchQuery(text="索引故障")).hits] == [doc.pk]


def test_rebuild_swaps_generation_and_command_reports(org_tree, taxonomy, search_index):
    make_document(org_tree.dept_a, title="关于专精特新企业培育的通知")
    search_index.apply()
    base = ix.base_dir()
    old_generation = ix.read_state(base)["generation"]
    make_document(org_tree.dept_a, title="关于专精特新小巨人企业的通知")
    out, err = StringIO(), StringIO()
    call_command("search", "rebuild", stdout=out, stderr=err)
    state = json.loads((base / "state.json").read_text())
    assert state["generation"] != old_generation and not (base / old_generation).exists()
    assert state["last_id"] == SearchChange.objects.order_by("-id").values_list("id", flat=True).first()
    assert "2 篇公开文件" in out.getvalue() and "2/2" in err.getvalue() and "#" in err.getvalue()
    assert search(SearchQuery(text="专精特新")).total == 2
    make_document(org_tree.dept_a, title="关于专精特新第三批的通知")
    out = StringIO()
    call_command("search", "status", stdout=out)
    assert "待处理变更：1" in out.getvalue() and "索引中的文件数：2" in out.getvalue()
    out = StringIO()
    call_command("search", "apply", stdout=out)
    assert "已应用 1 条检索变更" in out.getvalue()
    assert search(SearchQuery(text="专精特新")).total == 3


def test_index_directory_follows_the_setting(org_tree, taxonomy, settings, tmp_path):
    make_document(org_tree.dept_a, title="关于复工复产的通知")
    settings.GONGKAI_SEARCH_INDEX_DIR = tmp_path / "one"
    apply_pending_changes()
    assert search(SearchQuery(text="复工复产")).total == 1
    settings.GONGKAI_SEARCH_INDEX_DIR = tmp_path / "two"
    assert not (tmp_path / "two").exists()
    assert search(SearchQuery(text="复工复产")).total == 1  # built on first use in the new place
    assert any((tmp_path / "two").glob("*/gen-*"))


def test_rebuild_segmenting_in_worker_processes_equals_in_process(org_tree, taxonomy, search_index):
    _churn(org_tree)
    assert rebuild(workers=1) == 10
    single = snapshot()
    # Small batches so several are in flight across the two workers; same index either way.
    assert rebuild(workers=2, batch_size=3) == 10
    assert snapshot() == single
    assert single["营商环境"][0] > 0


@pytest.mark.parametrize("older", [
    {"schema": ix.SCHEMA_VERSION - 1},  # as left by an older release
    {"common_words": "0" * 16},  # built with another common-word list (common grams)
    {"common_words": None},  # before common grams were recorded
])
def test_index_of_an_older_schema_is_rebuilt_not_misread(org_tree, taxonomy, search_index, older):
    doc = make_document(org_tree.dept_a, title="关于免申即享政策的通知")
    search_index.apply()
    base = ix.base_dir()
    state = ix.read_state(base)
    ix.write_state(base, {**state, **older})
    assert ix.open_reader() is None  # never searched with the wrong field layout
    hits = search(SearchQuery(text="免申即享")).hits  # first search rebuilds it
    assert [h.document_id for h in hits] == [doc.pk]
    rebuilt = ix.read_state(base)
    assert rebuilt["schema"] == ix.SCHEMA_VERSION and rebuilt["generation"] != state["generation"]
    assert rebuilt["common_words"] == ix.index_version()["common_words"]
