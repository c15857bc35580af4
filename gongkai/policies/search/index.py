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

from gongkai.domain.documents import Validity, effective_validity
from gongkai.policies.models import Document
from gongkai.policies.search.tokenize import (
    common_pairs_text,
    common_words_digest,
    pairs_text,
    search_text,
    segment,
)

# tantivy stores dates as i64 nanoseconds (until 2262); "no 废止日期" is a date beyond any real one.
NO_DATE = datetime(2200, 1, 1, tzinfo=UTC)
STORED_TEXT_CHARS = 4_000  # snippet source; matches deeper in a long body fall back to its start
# (it is decompressed for every hit, ~11 µs at 4,000 characters, but laws are long and their
# matches deep: a shorter source loses the match in the snippet)
TITLE_BOOST = 3.0
# Bumped whenever the schema or what is indexed changes: an index of another version is rebuilt.
SCHEMA_VERSION = 3


def index_version() -> dict[str, Any]:
    """What ``state.json`` records of how its generation was built; any difference → rebuild."""
    return {"schema": SCHEMA_VERSION, "common_words": common_words_digest()}


def is_current(state: dict[str, Any] | None) -> bool:
    return state is not None and all(state.get(k) == v for k, v in index_version().items())


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    sb.add_text_field("index_no", stored=True, tokenizer_name="raw", index_option="basic")
    # Relevance fields: cut_for_search tokens (no positions needed). ``body`` also holds keywords,
    # summary, 发文字号 and attachments' text: two fields per query term, not five.
    sb.add_text_field("title", tokenizer_name="default", index_option="freq")
    sb.add_text_field("body", tokenizer_name="default", index_option="freq")
    # Quoted phrases: accurate-mode tokens with positions; in titles also adjacent term pairs as
    # single terms (a two-word phrase is one lookup). All body pairs would cost more than they save
    # (nearly every pair is a new term: +60 % index size, rebuild twice as long at 100,000), so the
    # body has only "common grams": pairs of two words of the common-word list, whose positional
    # intersection is the slow one (both posting lists cover most documents).
    sb.add_text_field("title_pairs", tokenizer_name="default", index_option="basic")
    sb.add_text_field("body_common", tokenizer_name="default", index_option="freq")
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


def sort_key(published_at: datetime | None, pk: int) -> int:
    """Newest first, as ``-published_at, -id``: milliseconds since 2000 × 2^16 + id mod 2^16
    (fits i64 until 2200)."""
    moment = as_utc(published_at) if published_at else datetime(2000, 1, 1, tzinfo=UTC)
    millis = (moment - datetime(2000, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    return (millis << 16) + (pk & 0xFFFF)


def title_key(title: str) -> str:
    """Exact-title term: whitespace-insensitive (titles are pasted with stray spaces)."""
    return "".join(title.split())


# --- From the database to index entries --------------------------------------------------------
# Plain ``values()`` rows rather than model instances (a rebuild reads every public document), and
# segmentation as a separate pure step so a rebuild can run it in worker processes.
RECORD_FIELDS = (
    "id", "index_no", "title", "body_text", "keywords", "summary", "doc_number", "doc_number_agency",
    "doc_number_year", "doc_number_seq", "lead_issuer", "issuers", "organisation_id", "level", "category",
    "subject_id", "written_on", "validity", "repeal_on", "published_at",
)
TextParts = tuple[str, str, str, str, str]  # title, body, keywords + summary, attachments, 发文字号
Segmented = tuple[str, str, str, str, str, str]


def load_records(ids: list[int]) -> list[dict[str, Any]]:
    """Index records of the given documents (any status: the caller decides what is indexable),
    with ``tags`` (``kind:slug``), ``attachment_text`` and ``subject_top``; in id order."""
    from gongkai.policies.models import Attachment, SubjectCategory

    records = list(Document.objects.filter(pk__in=ids).order_by("pk").values(*RECORD_FIELDS))
    tags: dict[int, list[str]] = {}
    for doc_id, kind, slug in (Document.tags.through.objects.filter(document_id__in=ids)
                               .order_by("pk").values_list("document_id", "tag__kind", "tag__slug")):
        tags.setdefault(doc_id, []).append(f"{kind}:{slug}")
    attachments: dict[int, list[str]] = {}
    for doc_id, text in (Attachment.objects.filter(document_id__in=ids).exclude(extracted_text="")
                         .order_by("pk").values_list("document_id", "extracted_text")):
        attachments.setdefault(doc_id, []).append(text)
    subject_ids = {r["subject_id"] for r in records if r["subject_id"]}
    parents = dict(SubjectCategory.objects.filter(pk__in=subject_ids).values_list("pk", "parent_id")) \
        if subject_ids else {}
    for record in records:
        record["tags"] = tags.get(record["id"], [])
        record["attachment_text"] = "\n".join(attachments.get(record["id"], []))
        subject = record["subject_id"]
        record["subject_top"] = (parents.get(subject) or subject) if subject else None
    return records


def text_parts(record: dict[str, Any]) -> TextParts:
    extra = " ".join(x for x in (record["keywords"], record["summary"]) if x)
    return (record["title"], record["body_text"] or "", extra, record["attachment_text"], record["doc_number"])


def segment_parts(parts: TextParts) -> Segmented:
    """The segmentation of one document (runs in rebuild worker processes): title search/exact/
    pairs, body search (keywords, summary, 发文字号 and attachments included)/exact/common grams."""
    title, body, extra, attachment_text, doc_number = parts
    title_search, title_exact = segment(title)
    body_search, body_exact = segment(body)
    more = [search_text(x) for x in (extra, doc_number, attachment_text) if x]
    if more:
        body_search = " ".join([*more, body_search])
    return (title_search, title_exact, pairs_text(title_exact), body_search, body_exact,
            common_pairs_text(body_exact))


def segment_many(batch: list[TextParts]) -> list[Segmented]:
    return [segment_parts(parts) for parts in batch]


def to_index_document(record: dict[str, Any], segmented: Segmented, today: date) -> tantivy.Document:
    """Everything the index holds about one public document. ``validity`` is the effective one on
    ``today`` (废止日期 reached → 失效): the scheduler logs a change when a 废止日期 begins, and
    ``api`` corrects for documents it has not re-indexed yet."""
    title_search, title_exact, title_pairs, body_search, body_exact, body_common = segmented
    pk = int(record["id"])
    title = record["title"]
    entry = tantivy.Document()
    entry.add_integer("id", pk)
    entry.add_text("index_no", record["index_no"])
    entry.add_text("title", title_search)
    entry.add_text("title_exact", title_exact)
    entry.add_text("title_pairs", title_pairs)
    entry.add_text("title_raw", title_key(title))
    entry.add_bytes("title_text", title.encode())
    entry.add_text("body", body_search)
    entry.add_text("body_exact", body_exact)
    entry.add_text("body_common", body_common)
    body = record["body_text"] or ""
    entry.add_bytes("text", body[:STORED_TEXT_CHARS].encode())
    if record["doc_number"]:
        entry.add_text("doc_number_raw", record["doc_number"])
        entry.add_text("dn_agency", record["doc_number_agency"])
        if record["doc_number_year"]:
            entry.add_integer("dn_year", record["doc_number_year"])
        if record["doc_number_seq"]:
            entry.add_integer("dn_seq", record["doc_number_seq"])
    lead = record["lead_issuer"]
    entry.add_text("lead_issuer", lead)
    for issuer in dict.fromkeys(record["issuers"] or [lead]):
        entry.add_text("issuers", str(issuer))
    entry.add_integer("organisation", record["organisation_id"])
    entry.add_text("level", record["level"])
    entry.add_text("category", record["category"])
    subject, top = record["subject_id"], record["subject_top"]
    if subject:
        entry.add_integer("subject", subject)
        entry.add_integer("subject_top", top)
        if top != subject:
            entry.add_integer("subject", top)
    for tag in record["tags"]:
        entry.add_text("tags", tag)
    entry.add_integer("year", record["written_on"].year)
    validity = effective_validity(Validity(record["validity"]), record["repeal_on"], today)
    entry.add_text("validity", validity.value)
    entry.add_date("repeal_on", as_utc(record["repeal_on"]))
    entry.add_date("published_at", as_utc(record["published_at"]))
    entry.add_integer("sort_key", sort_key(record["published_at"], pk))
    entry.add_date("visible_from", as_utc(record["published_at"]))
    return entry


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
_readers: dict[str, tuple[tantivy.Index, tuple[int, int], str]] = {}
_readers_lock = threading.Lock()


def open_reader(base: Path | None = None) -> tantivy.Index | None:
    """The live generation for searching, reopened when ``state.json`` changes (a commit by this or
    another process, a rebuild swap, or a different ``GONGKAI_SEARCH_INDEX_DIR``)."""
    return open_reader_versioned(base)[0]


def open_reader_versioned(base: Path | None = None) -> tuple[tantivy.Index | None, str]:
    """``open_reader`` plus a token that changes whenever the index content may have changed
    (for caches of per-index facts)."""
    base = base or base_dir()
    state_path = base / "state.json"
    try:
        stat = state_path.stat()
    except FileNotFoundError:
        return None, ""
    # state.json is replaced, never rewritten: a new inode even within one mtime tick.
    mtime = (stat.st_mtime_ns, stat.st_ino)
    key = str(base)
    cached = _readers.get(key)
    if cached is not None and cached[1] == mtime:
        return cached[0], f"{cached[2]}:{mtime[0]}:{mtime[1]}"
    with _readers_lock:
        state = read_state(base)
        if not is_current(state):
            return None, ""
        assert state is not None
        path = base / state["generation"]
        previous = _readers.get(key)
        if previous is not None and previous[2] == str(path):
            index = previous[0]
            index.reload()
        else:
            index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
        _readers[key] = (index, mtime, str(path))
        return index, f"{path}:{mtime[0]}:{mtime[1]}"


def forget_readers() -> None:
    with _readers_lock:
        _readers.clear()
