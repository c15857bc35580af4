"""The tantivy index of public documents (检索索引): schema, location, state file and the mapping
from a ``Document`` to an index entry.

Layout under ``GONGKAI_SEARCH_INDEX_DIR / <database key>/``:
- ``gen-<time>-<random>/``: one index generation (a rebuild writes a fresh one);
- ``state.json``: ``{"generation", "last_id", "gaps"}``, replaced atomically — it is both the
  pointer to the live generation and the indexer's position in the search change log;
- ``lock``: ``flock`` held while applying changes or rebuilding (tantivy allows one writer).
Each application node keeps its own directory and tails the shared change log.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from gongkai.policies.models import Document
from gongkai.policies.search.tokenize import search_text, segment

# tantivy stores dates as i64 nanoseconds (until 2262); "no 废止日期" is a date beyond any real one.
NO_DATE = datetime(2200, 1, 1, tzinfo=UTC)
STORED_TEXT_CHARS = 4_000  # snippet source; matches deeper in a long body fall back to its start
TITLE_BOOST = 3.0


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    sb.add_text_field("index_no", stored=True, tokenizer_name="raw", index_option="basic")
    # Relevance fields: cut_for_search tokens (no positions needed) …
    sb.add_text_field("title", tokenizer_name="default", index_option="freq")
    sb.add_text_field("doc_number", tokenizer_name="default", index_option="freq")
    sb.add_text_field("body", tokenizer_name="default", index_option="freq")
    sb.add_text_field("attachments", tokenizer_name="default", index_option="freq")
    # … and accurate-mode tokens with positions for quoted phrases.
    sb.add_text_field("title_exact", tokenizer_name="default", index_option="position")
    sb.add_text_field("body_exact", tokenizer_name="default", index_option="position")
    # Exact values.
    sb.add_text_field("title_raw", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("doc_number_raw", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("dn_agency", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("dn_year", indexed=True)
    sb.add_integer_field("dn_seq", indexed=True)
    sb.add_bytes_field("title_text", stored=True, indexed=False)
    sb.add_bytes_field("text", stored=True, indexed=False)
    # Filters and facets.
    sb.add_text_field("lead_issuer", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("issuers", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("organisation", indexed=True)
    sb.add_text_field("level", stored=True, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_text_field("category", stored=True, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("subject", indexed=True)
    sb.add_integer_field("subject_top", indexed=True, fast=True)
    sb.add_text_field("tags", tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_text_field("validity", stored=True, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_date_field("repeal_on", stored=True, indexed=True, fast=True)
    sb.add_date_field("published_at", stored=True, indexed=True, fast=True)
    # Date fast fields keep whole seconds; sorting needs microseconds (then the id breaks ties).
    sb.add_integer_field("sort_key", fast=True)
    sb.add_date_field("visible_from", indexed=True, fast=True)
    return sb.build()


SCHEMA = build_schema()


def as_utc(value: datetime | date | None) -> datetime:
    if value is None:
        return NO_DATE
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def sort_key(doc: Document) -> int:
    """Newest first, as ``-published_at, -id``: milliseconds since 2000 × 2^16 + id mod 2^16
    (fits i64 until 2200)."""
    moment = as_utc(doc.published_at) if doc.published_at else datetime(2000, 1, 1, tzinfo=UTC)
    millis = (moment - datetime(2000, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    return (millis << 16) + (doc.pk & 0xFFFF)


def title_key(title: str) -> str:
    """Exact-title term: whitespace-insensitive (titles are pasted with stray spaces)."""
    return "".join(title.split())


def to_index_document(doc: Document) -> tantivy.Document:
    """Everything the index holds about one public document. Expects ``organisation``,
    ``subject__parent``, ``tags`` and ``attachments`` to be loaded."""
    entry = tantivy.Document()
    entry.add_integer("id", doc.pk)
    entry.add_text("index_no", doc.index_no)
    title_search, title_exact = segment(doc.title)
    entry.add_text("title", title_search)
    entry.add_text("title_exact", title_exact)
    entry.add_text("title_raw", title_key(doc.title))
    entry.add_bytes("title_text", doc.title.encode())
    body = doc.body_text or ""
    extra = " ".join(x for x in (doc.keywords, doc.summary) if x)
    body_search, body_exact = segment(body)
    entry.add_text("body", f"{search_text(extra)} {body_search}" if extra else body_search)
    entry.add_text("body_exact", body_exact)
    attachment_text = "\n".join(a.extracted_text for a in doc.attachments.all() if a.extracted_text)
    if attachment_text:
        entry.add_text("attachments", search_text(attachment_text))
    entry.add_bytes("text", body[:STORED_TEXT_CHARS].encode())
    if doc.doc_number:
        entry.add_text("doc_number", search_text(doc.doc_number))
        entry.add_text("doc_number_raw", doc.doc_number)
        entry.add_text("dn_agency", doc.doc_number_agency)
        if doc.doc_number_year:
            entry.add_integer("dn_year", doc.doc_number_year)
        if doc.doc_number_seq:
            entry.add_integer("dn_seq", doc.doc_number_seq)
    entry.add_text("lead_issuer", doc.lead_issuer)
    for issuer in dict.fromkeys(doc.issuers or [doc.lead_issuer]):
        entry.add_text("issuers", str(issuer))
    entry.add_integer("organisation", doc.organisation_id)
    entry.add_text("level", doc.level)
    entry.add_text("category", doc.category)
    if doc.subject_id:
        entry.add_integer("subject", doc.subject_id)
        top = doc.subject.parent_id if doc.subject and doc.subject.parent_id else doc.subject_id
        entry.add_integer("subject_top", top)
        if top != doc.subject_id:
            entry.add_integer("subject", top)
    for tag in doc.tags.all():
        entry.add_text("tags", f"{tag.kind}:{tag.slug}")
    entry.add_integer("year", doc.written_on.year)
    entry.add_text("validity", doc.validity)
    entry.add_date("repeal_on", as_utc(doc.repeal_on))
    entry.add_date("published_at", as_utc(doc.published_at))
    entry.add_integer("sort_key", sort_key(doc))
    entry.add_date("visible_from", as_utc(doc.published_at))
    return entry


def indexing_queryset(ids: list[int] | None = None) -> Any:
    qs = Document.objects.select_related("organisation", "subject").prefetch_related("tags", "attachments")
    return qs.filter(pk__in=ids) if ids is not None else qs


# --- Location and state -----------------------------------------------------------------------

def index_root() -> Path:
    configured = getattr(settings, "GONGKAI_SEARCH_INDEX_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "search-index"


def database_key(alias: str = DEFAULT_DB_ALIAS) -> str:
    """One index per database: SQLite and PostgreSQL (or two test databases) never share one."""
    conf = connections[alias].settings_dict
    ident = f"{conf.get('ENGINE')}|{conf.get('HOST')}|{conf.get('PORT')}|{conf.get('NAME')}"
    return f"{alias}-{connections[alias].vendor}-{hashlib.sha1(ident.encode()).hexdigest()[:12]}"  # noqa: S324


def base_dir() -> Path:
    return index_root() / database_key()


def read_state(base: Path) -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads((base / "state.json").read_text(encoding="utf-8"))
        return state
    except FileNotFoundError:
        return None


def write_state(base: Path, state: dict[str, Any]) -> None:
    """Atomic replace (+fsync): a crash leaves either the old or the new state, never half."""
    tmp = base / f"state.json.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(state, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, base / "state.json")
    with contextlib.suppress(OSError):
        dir_fd = os.open(base, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def new_generation(base: Path) -> Path:
    path = base / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{os.urandom(3).hex()}"
    path.mkdir(parents=True)
    return path


@contextlib.contextmanager
def writer_lock(base: Path, timeout: float | None = None) -> Iterator[bool]:
    """Inter-process lock for the one tantivy writer. Yields False if not acquired in time."""
    base.mkdir(parents=True, exist_ok=True)
    with open(base / "lock", "a+") as fh:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (fcntl.LOCK_NB if deadline is not None else 0))
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.02)
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- Readers ----------------------------------------------------------------------------------
_readers: dict[str, tuple[tantivy.Index, int, str]] = {}
_readers_lock = threading.Lock()


def open_reader(base: Path | None = None) -> tantivy.Index | None:
    """The live generation for searching, reopened when ``state.json`` changes (a commit by this or
    another process, a rebuild swap, or a different ``GONGKAI_SEARCH_INDEX_DIR``)."""
    base = base or base_dir()
    state_path = base / "state.json"
    try:
        mtime = state_path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    key = str(base)
    cached = _readers.get(key)
    if cached is not None and cached[1] == mtime:
        return cached[0]
    with _readers_lock:
        state = read_state(base)
        if state is None:
            return None
        path = base / state["generation"]
        previous = _readers.get(key)
        if previous is not None and previous[2] == str(path):
            index = previous[0]
            index.reload()
        else:
            index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
        _readers[key] = (index, mtime, str(path))
        return index


def forget_readers() -> None:
    with _readers_lock:
        _readers.clear()
