"""Chinese segmentation for the search index (分词): rjieba (jieba-rs) with a user dictionary of
policy terms, so 营商环境 or 免申即享 stay whole words.

Two renderings of a text are indexed (search-performance.md §3):
- ``search_text``: ``cut_for_search`` tokens joined by spaces — long words plus their dictionary
  sub-words, so 2-character queries (税费, 贷款) find 减税降费 or 首贷款; recall 99.7 %.
- ``exact_text``: accurate-mode tokens joined by spaces — adjacent positions, for quoted phrases
  (``cut_for_search`` interleaves sub-words, which breaks position adjacency).
tantivy's ``default`` tokenizer then splits on the spaces, drops punctuation and lowercases;
``terms`` reproduces that on the query side.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import rjieba

USERDICT = Path(__file__).with_name("userdict.txt")
_DEFAULT_FREQ = 5000
_lock = threading.Lock()
_loaded = False

# tantivy's SimpleTokenizer keeps runs of alphanumeric characters; RemoveLongFilter drops tokens of
# 40 bytes or more (13+ CJK characters).
_ALNUM = re.compile(r"[^\W_]+")
_MAX_TOKEN_BYTES = 40
MAX_TERM_BYTES = _MAX_TOKEN_BYTES


def load_user_dictionary(path: Path = USERDICT) -> None:
    """Add the policy terms to rjieba's global dictionary (once per process)."""
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            freq = int(parts[1]) if len(parts) > 1 else _DEFAULT_FREQ
            rjieba.add_word(parts[0], freq, None)
        _loaded = True


def user_terms(path: Path = USERDICT) -> list[str]:
    return [line.split()[0] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


_LONG_TOKEN = re.compile(r"[^ ]{5,}")


def _long_word_parts(accurate_joined: str) -> list[str]:
    """Dictionary 4-grams of accurate tokens of 5+ characters, which ``cut_for_search`` omits
    (小微企业 inside 中小微企业). Takes the space-joined accurate tokens: the regex finds the few
    long tokens without a Python loop over every token."""
    has_word = rjieba.has_word
    parts: list[str] = []
    for token in _LONG_TOKEN.findall(accurate_joined):
        parts.extend(gram for i in range(len(token) - 3) if has_word(gram := token[i:i + 4]))
    return parts


def search_text(text: str) -> str:
    load_user_dictionary()
    if not text:
        return ""
    joined = " ".join(rjieba.cut_for_search(text))
    extra = _long_word_parts(" ".join(rjieba.cut(text)))
    return f"{joined} {' '.join(extra)}" if extra else joined


def segment(text: str) -> tuple[str, str]:
    """(search_text, exact_text) with one accurate-mode pass."""
    load_user_dictionary()
    if not text:
        return "", ""
    exact = " ".join(rjieba.cut(text))
    extra = _long_word_parts(exact)
    joined = " ".join(rjieba.cut_for_search(text))
    return (f"{joined} {' '.join(extra)}" if extra else joined), exact


def exact_text(text: str) -> str:
    load_user_dictionary()
    return " ".join(rjieba.cut(text)) if text else ""


def normalise_terms(tokens: list[str]) -> list[str]:
    """What tantivy's ``default`` tokenizer makes of space-joined tokens, order kept."""
    out: list[str] = []
    for token in tokens:
        for piece in _ALNUM.findall(token.lower()):
            if len(piece.encode()) < _MAX_TOKEN_BYTES:
                out.append(piece)
    return out


def pair_terms(terms: list[str | None]) -> list[str]:
    """Adjacent-term pairs (shingles) as single terms: a two-word quoted phrase becomes one term
    lookup instead of a positional intersection of two frequent words. ``None`` marks a term
    tantivy drops (too long), which breaks adjacency as it does for tantivy's positions."""
    return [a + b for a, b in zip(terms, terms[1:], strict=False) if a is not None and b is not None]


def pairs_text(exact_joined: str) -> str:
    """Index text of the pairs of an accurate-mode rendering (``segment``'s second value): the
    terms tantivy's ``default`` tokenizer makes of it, paired. Pairs longer than tantivy's limit
    are dropped by tantivy itself, consistently on both sides."""
    terms: list[str | None] = [
        t if len(t) < 10 or len(t.encode()) < _MAX_TOKEN_BYTES else None
        for t in _ALNUM.findall(exact_joined.lower())
    ]
    return " ".join(pair_terms(terms))


def search_terms(text: str) -> list[str]:
    """Distinct index terms of ``cut_for_search(text)``, in first-seen order."""
    load_user_dictionary()
    return list(dict.fromkeys(normalise_terms(rjieba.cut_for_search(text))))


def exact_terms(text: str) -> list[str]:
    """Accurate-mode terms in order (duplicates kept: positions matter for phrases)."""
    load_user_dictionary()
    return normalise_terms(rjieba.cut(text))


def word_requirements(word: str) -> list[tuple[list[str], str | None]]:
    """How a query word must match: for each accurate-mode token, the terms a document must have
    and an optional whole-token term that only adds score.

    ``cut_for_search`` indexes a long dictionary word together with its dictionary 2- and
    3-grams, but never its 4-character parts: 营商环境 inside 优化营商环境 is indexed as 营商 +
    环境 only. So when a token's dictionary sub-words cover all its characters, those sub-words
    are required and the token itself is a bonus; otherwise (房产税 → 房产 leaves 税 uncovered) the
    token itself is required."""
    load_user_dictionary()
    out: list[tuple[list[str], str | None]] = []
    for token in rjieba.cut(word):
        terms = normalise_terms([token])
        if len(terms) != 1:
            out.extend(([t], None) for t in terms)
            continue
        whole = terms[0]
        subs = [s for s in dict.fromkeys(normalise_terms(rjieba.cut_for_search(token))) if s != whole]
        covered = [False] * len(whole)
        for sub in subs:
            start = whole.find(sub)
            while start >= 0:
                for i in range(start, start + len(sub)):
                    covered[i] = True
                start = whole.find(sub, start + 1)
        if subs and all(covered):
            out.append((subs, whole))
        else:
            out.append(([whole], None))
    return out


# --- Query parsing -----------------------------------------------------------------------------
# 发文字号-like words: 国办发〔2020〕, 国办发[2020]27号, 国发（2019）8 号 …
_OPEN = "〔[(（［【{"
_CLOSE = "〕])）］】}"
_DOC_NO = re.compile(
    rf"^(?P<agency>[^\s{re.escape(_OPEN + _CLOSE)}\d]{{1,20}}?)[{re.escape(_OPEN)}](?P<year>\d{{4}})"
    rf"[{re.escape(_CLOSE)}]?(?:(?P<seq>\d{{1,6}})号?)?$"
)
_QUOTED = re.compile(r"[\"“”「」『』]([^\"“”「」『』]+)[\"“”「」『』]")


@dataclass(frozen=True)
class DocNumberQuery:
    agency: str
    year: int
    seq: int | None = None


@dataclass
class ParsedQuery:
    """A query split into words (each ANDed), quoted phrases and 发文字号 parts."""

    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    doc_numbers: list[tuple[str, DocNumberQuery]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.doc_numbers)

    def highlight_terms(self) -> list[str]:
        """Surface strings worth marking in titles and snippets."""
        terms: list[str] = []
        for word in self.words:
            terms.append(word)
            terms.extend(t for t in search_terms(word) if len(t) > 1 or not t.isascii())
        terms.extend(self.phrases)
        for raw, _ in self.doc_numbers:
            terms.append(raw)
        return [t for t in dict.fromkeys(terms) if t]


def parse_doc_number_query(word: str) -> DocNumberQuery | None:
    match = _DOC_NO.match(word.replace(" ", ""))
    if match is None:
        return None
    return DocNumberQuery(match["agency"], int(match["year"]), int(match["seq"]) if match["seq"] else None)


def parse_query(text: str) -> ParsedQuery:
    parsed = ParsedQuery()
    text = text.replace("\u3000", " ").strip()

    def take_phrase(match: re.Match[str]) -> str:
        phrase = match.group(1).strip()
        if phrase:
            parsed.phrases.append(phrase)
        return " "

    rest = _QUOTED.sub(take_phrase, text)
    # Unbalanced quotes are ordinary characters to people; drop them.
    for word in re.sub(r"[\"“”「」『』]", " ", rest).split():
        number = parse_doc_number_query(word)
        if number is not None:
            parsed.doc_numbers.append((word, number))
        else:
            parsed.words.append(word)
    return parsed
