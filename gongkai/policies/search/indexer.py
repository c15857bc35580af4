"""Search indexer (检索索引更新): applies the search change log (``SearchChange``) to this node's
tantivy index, in id order from the last applied id.

- Idempotent: applying a change re-reads the document and upserts it (public) or deletes it
  (anything else), so re-applying after a crash gives the same index.
- The position (``last_id``) is written to ``state.json`` only after the tantivy commit of the
  batch; a crash before that re-applies the batch next time.
- On PostgreSQL ids are taken at insert but become visible at commit, so a lower id can appear
  after a higher one was applied. Missing ids below the position are kept as ``gaps`` and looked
  for again until ``GAP_SECONDS`` have passed (a rolled-back transaction leaves a gap for good).
- Scheduled documents (发布日期 in the future) are indexed with ``visible_from`` and filtered at
  query time, so nothing has to happen when they become visible.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing as mp
import os
import shutil
import threading
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any

import tantivy
from django.db.models import Max, Q
from django.utils import timezone

from gongkai.policies.models import SearchChange
from gongkai.policies.search import index as ix
from gongkai.policies.search.tokenize import load_user_dictionary
from gongkai.policies.selectors import public_documents

logger = logging.getLogger(__name__)

GAP_SECONDS = 600
BATCH_SIZE = 500
WRITER_HEAP = 128_000_000
REBUILD_HEAP = 512_000_000  # fewer, larger segments: fewer merges during a rebuild
REBUILD_WORKERS = 2  # segmentation processes (rjieba holds the GIL)
PARALLEL_FROM = 2_000  # smaller rebuilds (tests, a fresh node) segment in-process
_process_lock = threading.Lock()

Progress = Callable[[int, int], None]


def _writer(index: Any, threads: int = 1) -> Any:
    return index.writer(heap_size=WRITER_HEAP, num_threads=threads)


def _upsert(writer: Any, document_ids: list[int]) -> None:
    # Public now, or once its 发布日期 arrives: THE public definition at a far-future moment.
    public = set(public_documents(now=ix.NO_DATE).filter(pk__in=document_ids).values_list("pk", flat=True))
    records = {r["id"]: r for r in ix.load_records(sorted(public))} if public else {}
    today = timezone.localdate()
    for document_id in document_ids:
        writer.delete_documents_by_term("id", document_id)
        record = records.get(document_id)
        if record is not None:
            writer.add_document(ix.to_index_document(record, ix.segment_parts(ix.text_parts(record)), today))


def apply_pending_changes(*, batch_size: int = BATCH_SIZE, max_batches: int | None = None,
                          write_state: bool = True, lock_timeout: float | None = None) -> int:
    """Apply the change log from the last applied id; returns the number of changes applied.
    ``write_state=False`` and ``max_batches`` exist to simulate a crash in tests."""
    base = ix.base_dir()
    with _process_lock, ix.writer_lock(base, timeout=lock_timeout) as locked:
        if not locked:
            logger.info("search index busy; pending changes left for the next run")
            return 0
        state = ix.read_state(base)
        if state is None or not (base / state["generation"]).exists() or not ix.is_current(state):
            # In-process: this runs inside requests and worker tasks, where forking is unwelcome;
            # ``gongkai search rebuild`` is the fast path for a large index.
            _rebuild_locked(base, None, workers=1)
            state = ix.read_state(base)
            assert state is not None
        index = tantivy.Index(ix.SCHEMA, path=str(base / state["generation"]), reuse=True)
        writer = None
        applied = batches = 0
        try:
            while max_batches is None or batches < max_batches:
                last = int(state["last_id"])
                gaps: dict[str, float] = state.get("gaps", {})
                rows = list(
                    SearchChange.objects.filter(Q(id__gt=last) | Q(id__in=[int(g) for g in gaps]))
                    .order_by("id").values_list("id", "document_id")[:batch_size]
                )
                if not rows:
                    break
                if writer is None:
                    writer = _writer(index)
                _upsert(writer, list(dict.fromkeys(doc_id for _, doc_id in rows)))
                writer.commit()
                seen = {change_id for change_id, _ in rows}
                now = time.time()
                top = max(seen)
                for missing in range(last + 1, top):
                    if missing not in seen:
                        gaps.setdefault(str(missing), now)
                state["gaps"] = {k: v for k, v in gaps.items()
                                 if int(k) not in seen and now - v < GAP_SECONDS}
                state["last_id"] = max(last, top)
                if write_state:
                    ix.write_state(base, state)
                applied += len(rows)
                batches += 1
                if len(rows) < batch_size:
                    break
            if write_state and state.get("gaps"):
                # Expire old gaps even when nothing new arrived.
                now = time.time()
                state["gaps"] = {k: v for k, v in state["gaps"].items() if now - v < GAP_SECONDS}
                ix.write_state(base, state)
        finally:
            if writer is not None:
                writer.wait_merging_threads()
        return applied


_suspended = threading.local()


@contextlib.contextmanager
def nudges_suspended() -> Iterator[None]:
    """Bulk loads (benchmark, large imports followed by ``rebuild``): skip the after-commit apply in
    this thread; the change log still records everything."""
    previous = getattr(_suspended, "on", False)
    _suspended.on = True
    try:
        yield
    finally:
        _suspended.on = previous


def apply_pending_changes_soon() -> None:
    """Called right after a document change commits: apply the log now, cheaply, never raising
    into the request. If the index is busy (a rebuild or another process), the worker task
    ``apply_search_changes`` catches up."""
    if getattr(_suspended, "on", False):
        return
    try:
        apply_pending_changes(lock_timeout=2.0)
    except Exception:  # noqa: BLE001 — the change is committed and logged; the worker retries
        logger.exception("applying search changes failed; the worker will retry")
        try:
            from gongkai.policies.tasks import apply_search_changes

            apply_search_changes.enqueue()
        except Exception:  # noqa: BLE001
            logger.exception("could not enqueue apply_search_changes")


def _collect_garbage(index: Any) -> None:
    """Drop the files of segments that merges replaced (they otherwise stay until the next writer)."""
    writer = _writer(index)
    try:
        writer.garbage_collect_files()
    finally:
        writer.wait_merging_threads()


def _recent_gaps(below: int, window: int = 1000) -> dict[str, float]:
    """Ids under the rebuild's starting position that are not visible yet (transactions still in
    flight on PostgreSQL): look for them again later."""
    if below <= 0:
        return {}
    low = max(1, below - window)
    present = set(SearchChange.objects.filter(id__gte=low, id__lte=below).values_list("id", flat=True))
    now = time.time()
    return {str(i): now for i in range(low, below + 1) if i not in present}


def _segmented_batches(batches: Iterator[list[dict[str, Any]]], workers: int,
                       ) -> Generator[tuple[list[dict[str, Any]], list[ix.Segmented]], None, None]:
    """(records, segmentation) per batch, segmenting in ``workers`` processes with a bounded number
    of batches in flight (memory stays flat for a million documents)."""
    if workers <= 1:
        for records in batches:
            yield records, ix.segment_many([ix.text_parts(r) for r in records])
        return
    load_user_dictionary()  # before the fork: the workers inherit the dictionary
    # Fork before any tantivy writer thread exists; the workers only segment (no database).
    with mp.get_context("fork").Pool(workers) as pool:
        pending: collections.deque[tuple[list[dict[str, Any]], Any]] = collections.deque()
        for records in batches:
            pending.append((records, pool.apply_async(ix.segment_many, ([ix.text_parts(r) for r in records],))))
            if len(pending) > workers * 2:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()


def _rebuild_locked(base: Any, progress: Progress | None, batch_size: int = 500, threads: int = 2,
                    workers: int | None = None) -> int:
    start_id = SearchChange.objects.aggregate(m=Max("id"))["m"] or 0
    gaps = _recent_gaps(start_id)
    generation = ix.new_generation(base)
    queryset = public_documents(now=ix.NO_DATE).order_by("pk")
    total = queryset.count()
    if workers is None:
        workers = min(REBUILD_WORKERS, os.cpu_count() or 1) if total >= PARALLEL_FROM else 1
    today = timezone.localdate()

    def batches() -> Iterator[list[dict[str, Any]]]:
        last_pk = 0
        while True:
            ids = list(queryset.filter(pk__gt=last_pk).values_list("pk", flat=True)[:batch_size])
            if not ids:
                return
            last_pk = ids[-1]
            yield ix.load_records(ids)

    done = 0
    if progress:
        progress(0, total)
    segmented = _segmented_batches(batches(), workers)
    index: Any = None
    writer: Any = None
    try:
        for records, parts in segmented:
            if writer is None:  # only after the pool has forked: tantivy starts threads
                index = tantivy.Index(ix.SCHEMA, path=str(generation))
                writer = index.writer(heap_size=REBUILD_HEAP, num_threads=threads)
            for record, segment in zip(records, parts, strict=True):
                writer.add_document(ix.to_index_document(record, segment, today))
            done += len(records)
            if progress:
                progress(done, total)
        if writer is None:
            index = tantivy.Index(ix.SCHEMA, path=str(generation))
            writer = index.writer(heap_size=REBUILD_HEAP, num_threads=threads)
        writer.commit()
    finally:
        segmented.close()
        if writer is not None:
            writer.wait_merging_threads()
    _collect_garbage(index)
    old = ix.read_state(base)
    ix.write_state(base, {"generation": generation.name, "last_id": start_id, "gaps": gaps,
                          **ix.index_version()})
    for stale in base.glob("gen-*"):
        if stale.name != generation.name and (old is None or stale.name == old.get("generation")
                                              or stale.stat().st_mtime < time.time() - 3600):
            shutil.rmtree(stale, ignore_errors=True)
    return done


def rebuild(progress: Progress | None = None, *, batch_size: int = 500, threads: int = 2,
            workers: int | None = None) -> int:
    """Rebuild this node's index from the database into a fresh generation and swap it in; then the
    change log is tailed from the id current when the rebuild started. Returns documents indexed."""
    base = ix.base_dir()
    with _process_lock, ix.writer_lock(base):
        return _rebuild_locked(base, progress, batch_size, threads, workers)


def status() -> dict[str, Any]:
    base = ix.base_dir()
    state = ix.read_state(base) or {}
    last = int(state.get("last_id", 0))
    pending = SearchChange.objects.filter(id__gt=last).count()
    reader = ix.open_reader(base)
    return {
        "directory": str(base / state["generation"]) if state else str(base),
        "last_applied_id": last,
        "pending": pending,
        "open_gaps": len(state.get("gaps", {})),
        "documents": reader.searcher().num_docs if reader is not None else 0,
        "built": bool(state),
    }
