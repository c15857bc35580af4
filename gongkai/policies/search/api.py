"""Search API (全文检索): ``search(SearchQuery) -> SearchResults`` over the public documents in
the tantivy index. Every public surface that searches calls this; the index holds only public
documents (see ``indexer``) and scheduled ones are hidden here until their 发布日期."""

from __future__ import annotations

import html
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import tantivy
from django.utils import timezone

from gongkai.domain.documents import VALIDITY_LABELS, Validity, effective_validity
from gongkai.policies.models import Category, Level, SubjectCategory, Tag
from gongkai.policies.search import index as ix
from gongkai.policies.search.tokenize import (
    MAX_TERM_BYTES,
    ParsedQuery,
    common_pairs,
    exact_terms,
    pair_terms,
    parse_query,
    word_requirements,
)

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
SORTS = ("relevance", "date")
EXACT_TITLE_BOOST = 100.0
DOC_NUMBER_BOOST = 20.0
SNIPPET_CHARS = 160
FACET_NAMES = ("level", "issuer", "category", "subject", "theme", "audience", "topic", "year", "validity")

Occur = tantivy.Occur
Q = tantivy.Query
S = ix.SCHEMA


@dataclass
class SearchQuery:
    """检索条件. Lists filter with OR inside a list and AND between lists (tags: OR inside one
    kind, AND between kinds). Empty ``text`` browses every public document, newest first."""

    text: str = ""
    levels: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    subjects: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    validities: list[str] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    doc_number_agency: str = ""
    doc_number_year: int | None = None
    doc_number_seq: int | None = None
    title_only: bool = False
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    with_facets: bool = True


@dataclass
class SearchHit:
    document_id: int
    index_no: str
    title: str
    title_html: str
    snippet_html: str
    published_at: datetime | None
    level: str
    lead_issuer: str
    doc_number: str
    validity: str
    score: float

    @property
    def level_label(self) -> str:
        return _label(Level, self.level)

    @property
    def validity_label(self) -> str:
        return VALIDITY_LABELS.get(Validity(self.validity), self.validity)


@dataclass
class SearchResults:
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[Any, str, int]]]
    page: int
    page_size: int
    took_ms: float

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_OFFSET + self.page_size) // self.page_size))


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# --- Query building ---------------------------------------------------------------------------

def _should(clauses: list[Any]) -> Any:
    return clauses[0] if len(clauses) == 1 else Q.boolean_query([(Occur.Should, c) for c in clauses])


def _must(clauses: list[Any]) -> Any:
    return clauses[0] if len(clauses) == 1 else Q.boolean_query([(Occur.Must, c) for c in clauses])


def _term_any_field(term: str, fields: list[tuple[str, float]]) -> Any:
    clauses = []
    for name, boost in fields:
        query = Q.term_query(S, name, term)
        clauses.append(Q.boost_query(query, boost) if boost != 1.0 else query)
    return _should(clauses)


def _phrase(terms: list[str], field: str) -> Any:
    """A quoted phrase in ``title`` (adjacent pairs are indexed as terms: a two-word phrase is one
    term lookup; longer ones need every pair, then the positions) or in ``body`` (positions; its
    pairs of two common words are indexed as terms — common grams — and replace the positional
    check where they say it all, else narrow the documents whose positions are checked)."""
    if field != "title":
        grams = list(dict.fromkeys(common_pairs(list(terms))))
        clauses = [Q.term_query(S, "body_common", g) for g in grams]
        if len(terms) > 2 or not grams:
            clauses.append(Q.phrase_query(S, f"{field}_exact", list(terms)))
        return _must(clauses)
    pairs = pair_terms(list(terms))
    if any(len(p.encode()) >= MAX_TERM_BYTES for p in pairs):  # tantivy dropped such pairs
        return Q.phrase_query(S, f"{field}_exact", list(terms))
    clauses = [Q.term_query(S, f"{field}_pairs", p) for p in dict.fromkeys(pairs)]
    if len(terms) > 2:
        clauses.append(Q.phrase_query(S, f"{field}_exact", list(terms)))
    return _must(clauses)


def _text_query(parsed: ParsedQuery, raw_text: str, title_only: bool) -> Any | None:
    fields = [("title", ix.TITLE_BOOST)] if title_only else [("title", ix.TITLE_BOOST), ("body", 1.0)]
    required: list[Any] = []

    def word_clause(word: str) -> Any | None:
        clauses: list[tuple[Any, Any]] = []
        for needed, bonus in word_requirements(word):
            clauses.extend((Occur.Must, _term_any_field(t, fields)) for t in needed)
            if bonus is not None:
                clauses.append((Occur.Should, _term_any_field(bonus, fields)))
        if not clauses:
            return None
        return clauses[0][1] if len(clauses) == 1 else Q.boolean_query(clauses)

    for word in parsed.words:
        clause = word_clause(word)
        if clause is not None:
            required.append(clause)
    for phrase in parsed.phrases:
        terms = exact_terms(phrase)
        if len(terms) >= 2:
            options = [Q.boost_query(_phrase(terms, "title"), ix.TITLE_BOOST)]
            if not title_only:
                options.append(_phrase(terms, "body"))
            required.append(_should(options))
        elif terms:
            clause = word_clause(phrase)
            if clause is not None:
                required.append(clause)
    for word, number in parsed.doc_numbers:
        parts = [Q.term_query(S, "dn_agency", number.agency), Q.term_query(S, "dn_year", number.year)]
        if number.seq is not None:
            parts.append(Q.term_query(S, "dn_seq", number.seq))
        options = [Q.boost_query(_must(parts), DOC_NUMBER_BOOST)]
        clause = word_clause(word)
        if clause is not None:
            options.append(clause)
        required.append(_should(options))
    if not required:
        return None
    key = ix.title_key(raw_text.replace('"', "").replace("“", "").replace("”", ""))
    exact_title = Q.boost_query(Q.term_query(S, "title_raw", key), EXACT_TITLE_BOOST)
    return Q.boolean_query([(Occur.Must, c) for c in required] + [(Occur.Should, exact_title)])


def _today() -> datetime:
    return ix.as_utc(timezone.localdate())


def _validity_filter(value: str, today: datetime, stale: bool) -> Any:
    """The index stores the effective validity of the day it indexed each document; ``stale``
    (some 有效 document's 废止日期 has come since, not re-indexed yet) adds the date check."""
    if not stale:
        return Q.term_query(S, "validity", value)
    lapsed = Q.range_query(S, "repeal_on", tantivy.FieldType.Date, upper_bound=today)
    valid = Q.term_query(S, "validity", Validity.VALID.value)
    if value == Validity.VALID:
        return Q.boolean_query([(Occur.Must, valid), (Occur.MustNot, lapsed)])
    if value == Validity.EXPIRED:
        return _should([Q.term_query(S, "validity", value), _must([valid, lapsed])])
    return Q.term_query(S, "validity", value)


def _filters(query: SearchQuery, now: datetime, today: datetime, stale: bool = True) -> list[Any]:
    filters: list[Any] = []

    def any_of(name: str, values: list[Any]) -> None:
        values = [v for v in values if v not in ("", None)]
        if values:
            filters.append(Q.term_set_query(S, name, values))

    any_of("level", list(query.levels))
    any_of("issuers", list(query.issuers))
    any_of("category", list(query.categories))
    any_of("subject", [int(v) for v in query.subjects])
    any_of("year", [int(v) for v in query.years])
    any_of("organisation", [int(v) for v in query.organisation_ids])
    by_kind: dict[str, list[str]] = {}
    for tag_value in query.tags:
        kind, _, slug = str(tag_value).partition(":")
        if slug:
            by_kind.setdefault(kind, []).append(f"{kind}:{slug}")
    for values in by_kind.values():
        any_of("tags", values)
    if query.validities:
        filters.append(_should([_validity_filter(v, today, stale) for v in dict.fromkeys(query.validities)]))
    if query.doc_number_agency.strip():
        filters.append(Q.term_query(S, "dn_agency", query.doc_number_agency.strip()))
    if query.doc_number_year:
        filters.append(Q.term_query(S, "dn_year", int(query.doc_number_year)))
    if query.doc_number_seq:
        filters.append(Q.term_query(S, "dn_seq", int(query.doc_number_seq)))
    return filters


def build_query(query: SearchQuery, parsed: ParsedQuery, now: datetime, stale: bool = True) -> tuple[Any, bool]:
    """The tantivy query and whether it has a text part (else: browse). Scheduled documents (发布日期
    still ahead) are excluded with MustNot: those are few, whereas "visible_from ≤ now" would
    match, and cost, the whole index on every query."""
    text = _text_query(parsed, query.text, query.title_only) if not parsed.is_empty else None
    scheduled = Q.range_query(S, "visible_from", tantivy.FieldType.Date, lower_bound=now.astimezone(UTC),
                              include_lower=False)
    clauses: list[tuple[Any, Any]] = []
    filters = _filters(query, now, _today(), stale)
    if text is not None:
        clauses.append((Occur.Must, text))
        if filters:
            clauses.append((Occur.Must, Q.const_score_query(_must(filters), 0.0)))
    else:
        clauses.extend((Occur.Must, f) for f in filters)
        if not filters:
            clauses.append((Occur.Must, Q.all_query()))
    clauses.append((Occur.MustNot, scheduled))
    return Q.boolean_query(clauses), text is not None


# --- Highlighting -----------------------------------------------------------------------------

# Matching runs on escaped text (one escape per string); an entity is matched first so a term
# such as "amp" never marks the inside of "&amp;".
_ENTITY = r"(&(?:amp|lt|gt|quot|#x27);)"


@dataclass(frozen=True)
class Highlighter:
    find: re.Pattern[str]  # over the raw text: where the snippet starts
    mark: re.Pattern[str]  # over the escaped text


def _highlighter(terms: list[str]) -> Highlighter | None:
    terms = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    escaped = sorted({html.escape(t) for t in terms}, key=len, reverse=True)
    return Highlighter(re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE),
                       re.compile(_ENTITY + "|" + "|".join(re.escape(t) for t in escaped), re.IGNORECASE))


def _mark(match: re.Match[str]) -> str:
    return match.group() if match.group(1) else f"<mark>{match.group()}</mark>"


def highlight(text: str, pattern: Highlighter | None) -> str:
    """HTML-escaped ``text`` with matches wrapped in ``<mark>`` (safe to render with |safe)."""
    escaped = html.escape(text)
    return escaped if pattern is None else pattern.mark.sub(_mark, escaped)


def snippet(text: str, pattern: Highlighter | None, width: int = SNIPPET_CHARS) -> str:
    start = 0
    if pattern is not None:
        match = pattern.find.search(text)
        if match is not None:
            start = max(0, match.start() - width // 4)
    # Whitespace is collapsed inside the window only (the stored text can be long).
    piece = " ".join(text[start:start + width + 40].split())[:width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return prefix + highlight(piece, pattern) + suffix


# --- Facets -----------------------------------------------------------------------------------
_AGGS = {
    "level": {"terms": {"field": "level", "size": 20}},
    "issuer": {"terms": {"field": "issuers", "size": 50}},
    "category": {"terms": {"field": "category", "size": 50}},
    "subject": {"terms": {"field": "subject_top", "size": 100}},
    "tags": {"terms": {"field": "tags", "size": 500}},
    "year": {"terms": {"field": "year", "size": 100}},
    "validity": {"terms": {"field": "validity", "size": 10}},
}


def _buckets(result: dict[str, Any], name: str) -> list[tuple[Any, int]]:
    return [(b["key"], int(b["doc_count"])) for b in result.get(name, {}).get("buckets", []) if b["doc_count"]]


_label_cache: dict[str, tuple[float, dict[Any, str]]] = {}
LABEL_CACHE_SECONDS = 60.0


def _labels(kind: str) -> dict[Any, str]:
    """Names of 主题分类 and tags (small tables), cached briefly per process."""
    cached = _label_cache.get(kind)
    if cached is not None and time.monotonic() - cached[0] < LABEL_CACHE_SECONDS:
        return cached[1]
    if kind == "subject":
        names: dict[Any, str] = dict(SubjectCategory.objects.filter(parent=None).values_list("pk", "name"))
    else:
        names = {f"{k}:{s}": name for k, s, name in Tag.objects.values_list("kind", "slug", "name")}
    _label_cache[kind] = (time.monotonic(), names)
    return names


def _facets(searcher: Any, full_query: Any, today: datetime, stale: bool) -> dict[str, list[tuple[Any, str, int]]]:
    raw = searcher.aggregate(full_query, _AGGS)
    facets: dict[str, list[tuple[Any, str, int]]] = {}
    level_order = [c.value for c in Level]
    facets["level"] = sorted(((v, _label(Level, v), n) for v, n in _buckets(raw, "level")),
                             key=lambda x: level_order.index(x[0]) if x[0] in level_order else 99)
    facets["issuer"] = [(v, v, n) for v, n in _buckets(raw, "issuer")]
    facets["category"] = [(v, _label(Category, v), n) for v, n in _buckets(raw, "category")]
    subject_counts = [(int(v), n) for v, n in _buckets(raw, "subject")]
    names = _labels("subject")
    facets["subject"] = [(v, names.get(v, str(v)), n) for v, n in subject_counts]
    tag_counts = _buckets(raw, "tags")
    tag_names = _labels("tags")
    for kind in ("theme", "audience", "topic"):
        facets[kind] = [(v, tag_names.get(v, v), n) for v, n in tag_counts if str(v).startswith(f"{kind}:")]
    facets["year"] = sorted(((int(v), f"{int(v)}年", n) for v, n in _buckets(raw, "year")), reverse=True)
    stored = dict(_buckets(raw, "validity"))
    if stale and stored.get(Validity.VALID):
        lapsed = Q.boolean_query([
            (Occur.Must, full_query),
            (Occur.Must, Q.term_query(S, "validity", Validity.VALID.value)),
            (Occur.Must, Q.range_query(S, "repeal_on", tantivy.FieldType.Date, upper_bound=today)),
        ])
        moved = searcher.search(lapsed, 1).count
        if moved:
            stored[Validity.VALID] -= moved
            stored[Validity.EXPIRED] = stored.get(Validity.EXPIRED, 0) + moved
    facets["validity"] = [(v.value, VALIDITY_LABELS[v], stored[v]) for v in Validity if stored.get(v)]
    return facets


# --- Search -----------------------------------------------------------------------------------

def _open() -> tuple[Any, str]:
    reader, token = ix.open_reader_versioned()
    if reader is None:
        # First use on this node: build the index from the database (then tail the log).
        from gongkai.policies.search.indexer import apply_pending_changes

        logger.warning("search index missing; building it now")
        apply_pending_changes()
        reader, token = ix.open_reader_versioned()
    return reader, token


_stale_cache: dict[str, tuple[str, bool]] = {}


def _has_stale_validity(searcher: Any, token: str, today: datetime) -> bool:
    """Whether the index holds a 有效 document whose 废止日期 has come (indexed before that day and
    not re-indexed yet: the scheduler logs a change for it, which the indexer applies). Asked once
    per index version and day, not per query."""
    key = f"{token}|{today.date().isoformat()}"
    cached = _stale_cache.get(token)
    if cached is not None and cached[0] == key:
        return cached[1]
    lapsed = Q.boolean_query([
        (Occur.Must, Q.term_query(S, "validity", Validity.VALID.value)),
        (Occur.Must, Q.range_query(S, "repeal_on", tantivy.FieldType.Date, upper_bound=today)),
    ])
    stale = bool(searcher.search(lapsed, 1).count)
    if len(_stale_cache) > 16:
        _stale_cache.clear()
    _stale_cache[token] = (key, stale)
    return stale


def _as_datetime(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return None if value >= ix.NO_DATE else value


def index_fingerprint() -> str:
    """A cheap validator for ETags of search responses: changes whenever this node's index applies
    a change or is rebuilt (no database query, unlike counting the public documents). A scheduled
    document becoming visible changes it once the scheduler has logged it (every scheduler round);
    callers add the date for 废止日期 → 失效."""
    state = ix.read_state(ix.base_dir()) or {}
    return f"{state.get('generation', '')}:{state.get('last_id', 0)}"


def search(query: SearchQuery) -> SearchResults:
    started = time.perf_counter()
    page_size = max(1, min(int(query.page_size or 20), MAX_PAGE_SIZE))
    page = max(1, int(query.page or 1))
    if (page - 1) * page_size > MAX_OFFSET:
        page = MAX_OFFSET // page_size + 1
    reader, token = _open()
    if reader is None:
        return SearchResults(0, [], {}, page, page_size, 0.0)
    searcher = reader.searcher()
    today = timezone.localdate()
    today_utc = ix.as_utc(today)
    stale = _has_stale_validity(searcher, token, today_utc)
    parsed = parse_query(query.text or "")
    tantivy_query, has_text = build_query(query, parsed, timezone.now(), stale)
    by_date = query.sort == "date" or not has_text
    offset = (page - 1) * page_size
    # With facets, the aggregation visits every match anyway and gives the total (each document has
    # exactly one validity), so the top-k search does not count them a second time.
    count = not query.with_facets
    if by_date:
        result = searcher.search(tantivy_query, page_size, count=count, offset=offset, order_by_field="sort_key",
                                 order=tantivy.Order.Desc)
    else:
        result = searcher.search(tantivy_query, page_size, count=count, offset=offset)
    pattern = _highlighter(parsed.highlight_terms()) if has_text else None
    hits: list[SearchHit] = []
    for score, address in result.hits:
        fields = searcher.doc(address).to_dict()
        title = bytes(fields["title_text"][0]).decode()
        repeal = _as_datetime(fields["repeal_on"][0])
        validity = Validity(fields["validity"][0])
        if stale and repeal is not None:
            validity = effective_validity(validity, repeal.date(), today)
        hits.append(SearchHit(
            document_id=int(fields["id"][0]),
            index_no=_first(fields, "index_no"),
            title=title,
            title_html=highlight(title, pattern),
            snippet_html=snippet(bytes(fields["text"][0]).decode() if "text" in fields else "", pattern),
            published_at=_as_datetime(fields["published_at"][0]),
            level=_first(fields, "level"),
            lead_issuer=_first(fields, "lead_issuer"),
            doc_number=_first(fields, "doc_number_raw"),
            validity=validity.value,
            score=0.0 if by_date else float(score),
        ))
    if query.with_facets:
        facets = _facets(searcher, tantivy_query, today_utc, stale)
        total = sum(n for _, _, n in facets["validity"])
    else:
        facets, total = {}, int(result.count or 0)
    return SearchResults(total=total, hits=hits, facets=facets, page=page, page_size=page_size,
                         took_ms=round((time.perf_counter() - started) * 1000, 2))


def _first(fields: dict[str, list[Any]], name: str) -> str:
    values = fields.get(name)
    return str(values[0]) if values else ""
