"""Set-based matching of policy items against enterprise profiles (政策计算器, issue 6 §3).

The pure oracle is ``gongkai.domain.eligibility.evaluate`` (one profile × one item). This module
answers the same question for *all* enterprises at once, never looping over (enterprise, item)
pairs, in two ways that give the oracle's answer exactly (``tests/test_matching.py`` compares
both with it on random data):

- **bitset** (``EnterpriseIndex``): the enterprise columns, tags and qualifications are loaded
  once (three index-backed queries) into per-field structures; every *distinct* atomic condition
  is evaluated once as a pair of Python-int bitsets over enterprise pks (met, unknown):
  categorical fields through a value → pks inverted index (prefix ranges of the sorted values for
  行政区划/行业 prefixes), numeric fields (and whole years since registration) through a sorted
  order with cumulative chunk bitsets. An item is then a few ANDs: qualifies = AND of its hard
  conditions' met bits; might = AND of (met | unknown) minus qualifies. Used for all items at
  once (nightly, after an import).
- **sql** (``match_sql``): one query whose WHERE is built from the item's conditions (met or
  unknown for every hard condition) and whose CASE tells qualifies from might. Used for one item
  (on publish, after a condition change): it reads only the matching rows.

Results are kept per item in ``MatchSnapshot`` (bitsets keyed by enterprise pk, zlib-compressed,
with counts by region and size): the push audience of an item is a decode of its bitset.
"""

from __future__ import annotations

import bisect
import json
import math
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from typing import Any, Final

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, CharField, F, FloatField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django_tasks import task

from gongkai.domain.eligibility import (
    Condition,
    Evaluation,
    Op,
    Profile,
    Qualification,
    evaluate,
    full_years_between,
)
from gongkai.enterprise.models import (
    Enterprise,
    EnterpriseQualification,
    ItemCondition,
    MatchSnapshot,
    PolicyItem,
)

CATEGORICAL: Final = ("region_code", "industry_code", "size_class", "is_individual")
NUMERIC: Final = ("employees", "revenue", "assets")
CHUNK: Final = 1024  # sorted positions per cumulative bitset of a numeric field
DECODE_LIMIT: Final = 3000  # counts of a smaller set: decode it; of a bigger one: AND + popcount per group


# --- Bitsets ----------------------------------------------------------------------------------

def bits_from(pks: Sequence[int]) -> int:
    """The bitset with bit ``pk`` set for every pk."""
    if not pks:
        return 0
    buf = bytearray((max(pks) >> 3) + 1)
    for pk in pks:
        buf[pk >> 3] |= 1 << (pk & 7)
    return int.from_bytes(buf, "little")


def pks_of(bits: int) -> list[int]:
    """The pks whose bits are set, ascending: a scan of 64-bit words, then per set bit."""
    words = array("Q")
    words.frombytes(bits.to_bytes(((bits.bit_length() + 63) // 64) * 8, "little"))
    if sys.byteorder == "big":  # pragma: no cover - the servers are little-endian
        words.byteswap()
    out: list[int] = []
    append = out.append
    for index, word in enumerate(words):
        if word:
            base = index << 6
            while word:
                low = word & -word
                append(base + low.bit_length() - 1)
                word ^= low
    return out


def pack_bits(bits: int) -> bytes:
    return zlib.compress(bits.to_bytes((bits.bit_length() + 7) // 8, "little"), 1) if bits else b""


def unpack_bits(blob: bytes | memoryview | None) -> int:
    return int.from_bytes(zlib.decompress(bytes(blob)), "little") if blob else 0


# --- Rules shared by both engines (mirrors of the oracle, tested against it) -----------------

def region_area(prefix_or_code: str) -> str:
    """The significant prefix of an area, as ``eligibility.region_within`` uses it: a code lies
    within the area iff it starts with this prefix."""
    area = prefix_or_code.rstrip("0") if len(prefix_or_code) == 6 else prefix_or_code
    if len(prefix_or_code) == 6 and len(area) % 2:
        area += "0"
    return area


def latest_start(on: date, years: int) -> date | None:
    """The latest 成立日期 with at least ``years`` whole years on ``on`` (``full_years_between``
    only falls as the start moves later, so ``start <= latest_start`` is the test); ``None`` when
    no date qualifies, ``date.max`` when every date does."""
    year = on.year - years
    if year < MINYEAR:
        return None
    if year > MAXYEAR:
        return date.max
    try:
        return date(year, on.month, on.day)
    except ValueError:  # 29 February in a common year: the anniversary is reached on 1 March
        return date(year, 2, 28)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value))


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def condition_key(condition: Condition) -> str:
    """Identity of an atomic condition for evaluating each distinct one once (1, 1.0 and true stay
    different, as they are for the oracle's comparisons of typed values)."""
    value = condition.value
    typed = [type(v).__name__ for v in value] if isinstance(value, tuple) else type(value).__name__
    return json.dumps([condition.field, str(condition.op), value, typed], ensure_ascii=False, default=str)


# --- Bitset engine ----------------------------------------------------------------------------

def _first(pair: tuple[Any, int]) -> Any:
    return pair[0]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _raw_rows(queryset: QuerySet[Any], size: int = 20_000) -> Iterable[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset straight from the cursor (no per-value converters:
    100,000 rows load several times faster)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(size)
            if not chunk:
                return
            yield from chunk


class _Sorted:
    """Known values of one numeric field in ascending order, with the bitset of every suffix that
    starts at a multiple of ``CHUNK``: a threshold costs one bisect and at most CHUNK bit sets."""

    def __init__(self, pairs: list[tuple[Any, int]], max_pk: int = 0) -> None:
        pairs.sort(key=_first)
        self.values = [v for v, _ in pairs]
        self.pks = [pk for _, pk in pairs]
        chunks = (len(self.pks) + CHUNK - 1) // CHUNK
        suffix = [0] * (chunks + 1)
        buf = bytearray((max(max_pk, max(self.pks, default=0)) >> 3) + 1)
        for j in range(chunks - 1, -1, -1):  # one running buffer, copied out at each chunk start
            for pk in self.pks[j * CHUNK:(j + 1) * CHUNK]:
                buf[pk >> 3] |= 1 << (pk & 7)
            suffix[j] = int.from_bytes(buf, "little")
        self.suffix = suffix
        self.all = suffix[0]

    def _from(self, i: int) -> int:
        n = len(self.pks)
        if i >= n:
            return 0
        j = -(-i // CHUNK)
        return self.suffix[j] | bits_from(self.pks[i:min(j * CHUNK, n)])

    def gte(self, v: Any) -> int:
        return self._from(bisect.bisect_left(self.values, v))

    def gt(self, v: Any) -> int:
        return self._from(bisect.bisect_right(self.values, v))

    def lte(self, v: Any) -> int:
        return self.all ^ self.gt(v)

    def eq(self, v: Any) -> int:
        return self.gte(v) ^ self.gt(v)


class _Categorical:
    """value → pks of one categorical field; bitsets built on first use. Prefix queries read a
    range of the sorted string values."""

    def __init__(self, groups: dict[Any, list[int]]) -> None:
        self.groups = groups
        self._bits: dict[Any, int] = {}
        self._strings = sorted(k for k in groups if isinstance(k, str))
        self._upper: list[tuple[str, str]] | None = None
        self._prefix_bits: dict[tuple[bool, str], int] = {}

    def bits(self, value: Any) -> int:
        # Dict lookups use hash and ==, as the oracle compares (True == 1 == 1.0).
        if not _hashable(value) or value not in self.groups:
            return 0
        if value not in self._bits:
            self._bits[value] = bits_from(self.groups[value])
        return self._bits[value]

    def prefix(self, prefix: str, *, upper: bool = False) -> int:
        """Values starting with ``prefix`` (compared upper-cased when ``upper``)."""
        cache_key = (upper, prefix)
        if cache_key in self._prefix_bits:
            return self._prefix_bits[cache_key]
        if upper:
            if self._upper is None:
                self._upper = sorted((k.upper(), k) for k in self._strings)
            keys = self._upper
            lo = bisect.bisect_left(keys, (prefix,))
            selected = []
            for folded, original in keys[lo:]:
                if not folded.startswith(prefix):
                    break
                selected.append(original)
        else:
            lo = bisect.bisect_left(self._strings, prefix)
            selected = []
            for value in self._strings[lo:]:
                if not value.startswith(prefix):
                    break
                selected.append(value)
        pks: list[int] = []
        for value in selected:
            pks.extend(self.groups[value])
        bits = bits_from(pks)
        self._prefix_bits[cache_key] = bits
        return bits


@dataclass(frozen=True)
class MatchResult:
    qualify: int
    might: int
    enterprise_count: int
    by_region: dict[str, list[int]]
    by_size: dict[str, list[int]]

    @property
    def qualify_count(self) -> int:
        return self.qualify.bit_count()

    @property
    def might_count(self) -> int:
        return self.might.bit_count()


class EnterpriseIndex:
    """All enterprises of the database, loaded once, as per-field structures over pks."""

    def __init__(self, on: date) -> None:
        self.on = on
        self.all = 0
        self.count = 0
        self.max_pk = 0
        self.categorical: dict[str, _Categorical] = {}
        self.unknown: dict[str, int] = {}
        self.numeric: dict[str, _Sorted] = {}
        self.tags: dict[str, list[int]] = {}
        self.qualifications: dict[str, list[tuple[date | None, date | None, int]]] = {}
        self._cache: dict[str, tuple[int, int]] = {}
        self._tag_bits: dict[str, int] = {}
        self._region_bits: dict[tuple[int, str], int] = {}
        self._region_children: dict[tuple[int, str], list[tuple[int, str]]] = {}
        self._size_bits: dict[str, int] = {}
        self._region_of: list[str] = []
        self._size_of: list[str] = []

    @classmethod
    def load(cls, on: date | None = None, queryset: QuerySet[Enterprise] | None = None) -> EnterpriseIndex:
        index = cls(on or timezone.localdate())
        qs = (queryset if queryset is not None else Enterprise.objects.all()).order_by()
        # Figures as floats (what the oracle compares), dates as text (parsed once per distinct
        # value): the raw cursor then hands over plain values, 100,000 rows in well under a second.
        rows = qs.annotate(
            revenue_f=Cast("revenue", FloatField()), assets_f=Cast("assets", FloatField()),
            registered_t=Cast("registered_on", CharField()),
        ).values_list("pk", "region_code", "industry_id", "size_class", "is_individual", "employees", "revenue_f",
                      "assets_f", "registered_t")
        fetched = list(_raw_rows(rows))
        columns: list[tuple[Any, ...]] = list(zip(*fetched, strict=True)) if fetched else [()] * 9
        del fetched
        pks: tuple[int, ...] = columns[0]
        index.count = len(pks)
        index.max_pk = max(pks, default=0)
        index.all = bits_from(pks)
        unknown: dict[str, list[int]] = {}
        for name, column in zip(CATEGORICAL, columns[1:5], strict=True):
            groups: dict[Any, list[int]] = {}
            if name == "is_individual":
                column = tuple(None if v is None else bool(v) for v in column)  # SQLite: 0/1
            for pk, value in zip(pks, column, strict=True):
                if value in groups:
                    groups[value].append(pk)
                else:
                    groups[value] = [pk]
            empty = groups.pop(None, []) + groups.pop("", [])
            unknown[name] = empty
            index.categorical[name] = _Categorical(groups)
        for name, column in zip(NUMERIC, columns[5:8], strict=True):
            unknown[name] = [pk for pk, v in zip(pks, column, strict=True) if v is None]
            index.numeric[name] = _Sorted([(v, pk) for pk, v in zip(pks, column, strict=True) if v is not None],
                                          index.max_pk)
        years_of: dict[Any, int] = {}
        for text in set(columns[8]):
            if text is not None:
                years_of[text] = full_years_between(_as_date(text), index.on)
        unknown["registered_on"] = [pk for pk, v in zip(pks, columns[8], strict=True) if v is None]
        index.numeric["years"] = _Sorted([(years_of[v], pk) for pk, v in zip(pks, columns[8], strict=True)
                                          if v is not None], index.max_pk)
        index.unknown = {f: bits_from(p) for f, p in unknown.items()}
        tags = Enterprise.tags.through.objects.order_by()
        qualifications = EnterpriseQualification.objects.order_by()
        if queryset is not None:
            tags = tags.filter(enterprise_id__in=qs.values("pk"))
            qualifications = qualifications.filter(enterprise_id__in=qs.values("pk"))
        for enterprise_id, name in _raw_rows(tags.values_list("enterprise_id", "enterprisetag__name")):
            index.tags.setdefault(name, []).append(enterprise_id)
        days: dict[Any, date | None] = {None: None}
        for enterprise_id, kind, valid_from, valid_to in _raw_rows(qualifications.annotate(
                from_t=Cast("valid_from", CharField()), to_t=Cast("valid_to", CharField())).values_list(
                "enterprise_id", "kind", "from_t", "to_t")):
            for text in (valid_from, valid_to):
                if text not in days:
                    days[text] = _as_date(text)
            index.qualifications.setdefault(kind, []).append((days[valid_from], days[valid_to], enterprise_id))
        index._build_groups(index.categorical["region_code"].groups, index.categorical["size_class"].groups)
        return index

    def _build_groups(self, regions: dict[Any, list[int]], sizes: dict[Any, list[int]]) -> None:
        """Region tree (province 2 → city 4 → code) and size classes, for the counts."""
        nodes: dict[tuple[int, str], list[int]] = {}
        children: dict[tuple[int, str], set[tuple[int, str]]] = {}
        for code, pks in regions.items():
            code = str(code)
            path = [(1, code[:2]), (2, code[:4]), (3, code)]
            parent = (0, "")
            for node in path:
                nodes.setdefault(node, []).extend(pks)
                children.setdefault(parent, set()).add(node)
                parent = node
        self._region_bits = {node: bits_from(pks) for node, pks in nodes.items()}
        self._region_children = {node: sorted(kids) for node, kids in children.items()}
        self._size_bits = {str(size): bits_from(pks) for size, pks in sizes.items()}
        self._region_of = [""] * (self.max_pk + 1)
        for code, pks in regions.items():
            for pk in pks:
                self._region_of[pk] = str(code)
        self._size_of = [""] * (self.max_pk + 1)
        for size, pks in sizes.items():
            for pk in pks:
                self._size_of[pk] = str(size)

    # Conditions --------------------------------------------------------------------------

    def condition_bits(self, condition: Condition) -> tuple[int, int]:
        """(met, unknown) for one atomic condition; each distinct condition is computed once."""
        key = condition_key(condition)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._evaluate(condition)
        return cached

    def _evaluate(self, c: Condition) -> tuple[int, int]:
        field, op, value = c.field, c.op, c.value
        if field == "tags":
            if not isinstance(value, str):
                return 0, 0
            if value not in self._tag_bits:
                self._tag_bits[value] = bits_from(self.tags.get(value, []))
            return self._tag_bits[value], 0
        if field == "qualifications":
            if not isinstance(value, str):
                return 0, 0
            on = self.on
            return bits_from([pk for start, end, pk in self.qualifications.get(value, [])
                              if (start is None or start <= on) and (end is None or on <= end)]), 0
        unknown = self.unknown[field]
        if field in CATEGORICAL:
            cat = self.categorical[field]
            if op is Op.EQ:
                return cat.bits(value), unknown
            if op is Op.IN:
                met = 0
                for v in value:
                    met |= cat.bits(v)
                return met, unknown
            if op is Op.WITHIN_REGION:
                met = 0
                for v in value:
                    if isinstance(v, str):
                        met |= cat.prefix(region_area(v))
                return met, unknown
            if op is Op.INDUSTRY_IN:
                met = 0
                for v in value:
                    met |= cat.prefix(str(v).upper(), upper=True)
                return met, unknown
        if field in NUMERIC or field == "registered_on":
            column = self.numeric["years" if field == "registered_on" else field]
            if not _number(value):
                return 0, unknown
            if op in (Op.GTE, Op.YEARS_SINCE_GTE):
                return column.gte(value), unknown
            if op in (Op.LTE, Op.YEARS_SINCE_LTE):
                return column.lte(value), unknown
            if op is Op.EQ:
                return column.eq(value), unknown
        raise ValueError(f"{field} {op}")  # pragma: no cover - Condition validates the pairs

    def match(self, conditions: Iterable[Condition], *, counts: bool = True) -> MatchResult:
        qualify = possible = self.all
        for condition in conditions:
            if not condition.hard:
                continue
            met, unknown = self.condition_bits(condition)
            qualify &= met
            possible &= met | unknown
        might = possible & ~qualify
        by_region, by_size = self.counts(qualify, might) if counts else ({}, {})
        return MatchResult(qualify, might, self.count, by_region, by_size)

    def counts(self, qualify: int, might: int) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Counts by region code and by size class: [qualify, might] each."""
        by_region: dict[str, list[int]] = {}
        by_size: dict[str, list[int]] = {}
        for slot, bits in ((0, qualify), (1, might)):
            if not bits:
                continue
            # A small set is decoded and counted through the pk → group tables; a big one with an
            # AND and a popcount per group.
            if bits.bit_count() <= DECODE_LIMIT:
                pks = pks_of(bits)
                regions: Mapping[str, int] = Counter(map(self._region_of.__getitem__, pks))
                sizes: Mapping[str, int] = Counter(map(self._size_of.__getitem__, pks))
            else:
                regions, sizes = self._region_counts(bits), self._size_counts(bits)
            for key, n in regions.items():
                by_region.setdefault(key, [0, 0])[slot] = n
            for key, n in sizes.items():
                by_size.setdefault(key, [0, 0])[slot] = n
        return dict(sorted(by_region.items())), dict(sorted(by_size.items()))

    def _size_counts(self, bits: int) -> dict[str, int]:
        out: dict[str, int] = {}
        for size, group in [*self._size_bits.items(), ("", self.unknown["size_class"])]:
            n = (bits & group).bit_count()
            if n:
                out[size] = n
        return out

    def _region_counts(self, bits: int) -> dict[str, int]:
        """Down the province → city → code tree, skipping empty branches."""
        out: dict[str, int] = {}
        stack = list(self._region_children.get((0, ""), []))
        while stack:
            node = stack.pop()
            group = self._region_bits[node]
            if node[0] < 3:
                if bits & group:
                    stack.extend(self._region_children[node])
                continue
            n = (bits & group).bit_count()
            if n:
                out[node[1]] = n
        n = (bits & self.unknown["region_code"]).bit_count()
        if n:
            out[""] = n
        return out


# --- SQL engine (one item) --------------------------------------------------------------------

_STRING_COLUMNS: Final = {"region_code": "region_code", "industry_code": "industry__code", "size_class": "size_class"}
_NUMBER_COLUMNS: Final = {"employees": "_f_employees", "revenue": "_f_revenue", "assets": "_f_assets"}
TRUE: Final = Q(pk__isnull=False)


def _unknown_q(field: str) -> Q | None:
    """Rows where the field is unknown (empty, as the oracle reads it); ``None`` for fields that
    are never unknown (tags, qualifications, 个体工商户)."""
    if field in _STRING_COLUMNS:
        column = _STRING_COLUMNS[field]
        return Q(**{f"{column}__isnull": True}) | Q(**{column: ""})
    if field in NUMERIC or field == "registered_on":
        return Q(**{f"{field}__isnull": True})
    return None


def _known_q(field: str) -> Q | None:
    if field in _STRING_COLUMNS:
        column = _STRING_COLUMNS[field]
        return Q(**{f"{column}__isnull": False}) & ~Q(**{column: ""})
    if field in NUMERIC or field == "registered_on":
        return Q(**{f"{field}__isnull": False})
    return None


def _met_q(c: Condition, on: date) -> Q | None:
    """Rows where the condition is met (restricted to rows where its field is known); ``None``
    when no row can meet it."""
    field, op, value = c.field, c.op, c.value
    if field == "tags":
        if not isinstance(value, str):
            return None
        # An uncorrelated IN (built once, from the indexed through table), not a per-row EXISTS.
        return Q(pk__in=Enterprise.tags.through.objects.filter(enterprisetag__name=value).values("enterprise_id"))
    if field == "qualifications":
        if not isinstance(value, str):
            return None
        held = EnterpriseQualification.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            kind=value)
        return Q(pk__in=held.values("enterprise_id"))
    known = _known_q(field)
    met: Q | None
    if field in _STRING_COLUMNS:
        column = _STRING_COLUMNS[field]
        if op is Op.EQ:
            values = [value] if isinstance(value, str) and value else []
        elif op is Op.IN:
            values = [v for v in value if isinstance(v, str) and v]
        else:
            values = []
        if op in (Op.EQ, Op.IN):
            met = Q(**{f"{column}__in": values}) if values else None
        elif op is Op.WITHIN_REGION:
            prefixes = [region_area(v) for v in value if isinstance(v, str)]
            met = _any([Q(**{f"{column}__startswith": p}) for p in prefixes])
        else:  # Op.INDUSTRY_IN: the oracle compares upper-cased
            met = _any([Q(**{f"{column}__istartswith": str(v)}) for v in value])
    elif field == "is_individual":
        matching = [b for b in (True, False) if _hashable(value) and b == value]
        met = Q(is_individual__in=matching) if matching else None
    elif field in NUMERIC:
        column = _NUMBER_COLUMNS[field]
        if not _number(value):
            return None
        lookup = {Op.EQ: "exact", Op.GTE: "gte", Op.LTE: "lte"}[op]
        met = Q(**{f"{column}__{lookup}": float(value)})
    else:  # registered_on: 成立满 / 不超过 N 年
        if not _number(value):
            return None
        if op is Op.YEARS_SINCE_GTE:
            cutoff = latest_start(on, math.ceil(value))
            met = None if cutoff is None else Q(registered_on__lte=cutoff)
        else:
            cutoff = latest_start(on, math.floor(value) + 1)
            met = TRUE if cutoff is None else (None if cutoff == date.max else Q(registered_on__gt=cutoff))
    if met is None:
        return None
    return met & known if known is not None else met


def _any(parts: list[Q]) -> Q | None:
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out |= part
    return out


def match_sql(conditions: Sequence[Condition], on: date | None = None,
              queryset: QuerySet[Enterprise] | None = None) -> MatchResult:
    """One item against every enterprise (or those of ``queryset``): one count and one query over
    the rows that qualify or might, aggregated in the database into their pks and counts."""
    on = on or timezone.localdate()
    base = (queryset if queryset is not None else Enterprise.objects.all()).order_by()
    total = base.count()
    qualify_parts: list[Q] = []
    possible_parts: list[Q] = []
    never_qualify = False
    for c in conditions:
        if not c.hard:
            continue
        met = _met_q(c, on)
        unknown = _unknown_q(c.field)
        if met is None:
            never_qualify = True
            if unknown is None:
                return MatchResult(0, 0, total, {}, {})
            possible_parts.append(unknown)
        else:
            qualify_parts.append(met)
            possible_parts.append(met if unknown is None else met | unknown)
    qs = base.annotate(**{alias: Cast(name, FloatField()) for name, alias in _NUMBER_COLUMNS.items()})
    for part in possible_parts:
        qs = qs.filter(part)
    if never_qualify:
        qualifies = Q(pk__in=[])
    else:
        qualifies = TRUE
        for part in qualify_parts:
            qualifies &= part
    # One pass, no sort: the rows that qualify or might, aggregated into four strings (their pks and
    # their "region|size" keys, split by whether they qualify) instead of one row per enterprise;
    # the qualifying test runs once per row, in the inner query.
    inner = qs.annotate(
        _ok=Case(When(qualifies, then=Value(1)), default=Value(0)), _id=F("pk"),
        _key=Concat(Coalesce("region_code", Value("")), Value("|"), Coalesce("size_class", Value("")),
                    output_field=TextField()),
    ).values_list("_id", "_key", "_ok")
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # e.g. ``queryset=Enterprise.objects.none()``
        return MatchResult(0, 0, total, {}, {})
    if connection.vendor == "postgresql":
        def joined(expression: str) -> str:
            return f"STRING_AGG(CAST({expression} AS text), ',')"
    else:
        def joined(expression: str) -> str:
            return f"GROUP_CONCAT({expression})"
    # Fixed text around Django's compiled inner query; every value is in ``params``.
    outer = (f"SELECT {joined('CASE WHEN t._ok = 1 THEN t._id END')}, {joined('CASE WHEN t._ok = 0 THEN t._id END')}, "  # noqa: S608
             f"{joined('CASE WHEN t._ok = 1 THEN t._key END')}, {joined('CASE WHEN t._ok = 0 THEN t._key END')} "
             f"FROM ({sql}) t")
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        q_ids, m_ids, q_keys, m_keys = cursor.fetchone()
    regions: Counter[tuple[str, bool]] = Counter()
    sizes: Counter[tuple[str, bool]] = Counter()
    for keys, good in ((q_keys, True), (m_keys, False)):
        for pair, n in Counter(keys.split(",") if keys else []).items():
            region, _, size = pair.partition("|")
            regions[(region, good)] += n
            sizes[(size, good)] += n
    return MatchResult(_bits_of_text(q_ids), _bits_of_text(m_ids), total, _pairs(regions), _pairs(sizes))


def _bits_of_text(ids: str | None) -> int:
    return bits_from(list(map(int, ids.split(",")))) if ids else 0


def _pairs(counter: Mapping[tuple[str, bool], int]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for (key, good), n in counter.items():
        out.setdefault(key, [0, 0])[0 if good else 1] += n
    return dict(sorted(out.items()))


# --- Snapshots --------------------------------------------------------------------------------

def item_conditions(item: PolicyItem) -> list[Condition]:
    return [c.as_condition() for c in item.conditions.all()]


def _snapshot(item_id: int, result: MatchResult, on: date, method: str) -> MatchSnapshot:
    return MatchSnapshot(
        item_id=item_id, computed_at=timezone.now(), evaluated_on=on, method=method,
        enterprise_count=result.enterprise_count, qualify_count=result.qualify_count,
        might_count=result.might_count, qualify_bits=pack_bits(result.qualify), might_bits=pack_bits(result.might),
        by_region=result.by_region, by_size=result.by_size)


def recompute_item(item: PolicyItem, on: date | None = None) -> MatchSnapshot:
    """The snapshot of one item, through the SQL engine (on publish, after a condition change,
    or when staff ask for it). Runs in the caller's transaction."""
    on = on or timezone.localdate()
    result = match_sql(item_conditions(item), on)
    snapshot = _snapshot(item.pk, result, on, "sql")
    with transaction.atomic():
        MatchSnapshot.objects.filter(item_id=item.pk).delete()
        snapshot.save(force_insert=True)
    return snapshot


def current_items(on: date | None = None) -> QuerySet[PolicyItem]:
    """Published items in force on ``on`` (有效期内)."""
    on = on or timezone.localdate()
    return PolicyItem.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        status=PolicyItem.Status.PUBLISHED)


def recompute_all(on: date | None = None, items: QuerySet[PolicyItem] | None = None, *,
                  batch_size: int = 200) -> int:
    """Every published item in force through the bitset engine (one load of the enterprises);
    snapshots of items no longer published are removed. Returns the number of items computed."""
    on = on or timezone.localdate()
    items = items if items is not None else current_items(on)
    conditions: dict[int, list[Condition]] = {}
    for row in ItemCondition.objects.filter(item__in=items).order_by("item_id", "position", "id"):
        conditions.setdefault(row.item_id, []).append(row.as_condition())
    item_ids = list(items.values_list("pk", flat=True))
    index = EnterpriseIndex.load(on)
    snapshots = [_snapshot(pk, index.match(conditions.get(pk, [])), on, "bitset") for pk in item_ids]
    with transaction.atomic():
        MatchSnapshot.objects.filter(item_id__in=item_ids).delete()
        MatchSnapshot.objects.exclude(item__status__in=[PolicyItem.Status.PUBLISHED, PolicyItem.Status.DRAFT]).delete()
        MatchSnapshot.objects.bulk_create(snapshots, batch_size=batch_size)
    return len(snapshots)


def audience(snapshot: MatchSnapshot, *, might: bool = False) -> list[int]:
    """The enterprise pks of a snapshot (符合, or 可能符合 with ``might``), ascending."""
    return pks_of(unpack_bits(snapshot.might_bits if might else snapshot.qualify_bits))


def enterprise_in(snapshot: MatchSnapshot, enterprise_id: int) -> str:
    """"qualifies", "might" or "not": a bit test."""
    if unpack_bits(snapshot.qualify_bits) >> enterprise_id & 1:
        return "qualifies"
    if unpack_bits(snapshot.might_bits) >> enterprise_id & 1:
        return "might"
    return "not"


# --- One profile (the enterprise page, the calculator): the oracle ----------------------------

def profile_of(enterprise: Enterprise, on: date | None = None) -> Profile:
    """An enterprise row as the oracle's profile (figures as floats, tags and qualifications)."""
    return Profile(
        region_code=enterprise.region_code, industry_code=enterprise.industry_id, size_class=enterprise.size_class,
        is_individual=enterprise.is_individual, employees=enterprise.employees,
        revenue=float(enterprise.revenue) if enterprise.revenue is not None else None,
        assets=float(enterprise.assets) if enterprise.assets is not None else None,
        registered_on=enterprise.registered_on,
        tags=frozenset(enterprise.tags.values_list("name", flat=True)),
        qualifications=tuple(Qualification(kind, start, end) for kind, start, end in
                             enterprise.qualifications.values_list("kind", "valid_from", "valid_to")),
    )


@dataclass(frozen=True)
class ItemEvaluation:
    item: PolicyItem
    evaluation: Evaluation


def evaluate_items(profile: Profile, items: QuerySet[PolicyItem], on: date | None = None) -> list[ItemEvaluation]:
    """One profile × the given items with the oracle (two queries), each condition with its state."""
    on = on or timezone.localdate()
    out = []
    for item in items.prefetch_related("conditions").select_related("document", "department"):
        conditions = [c.as_condition() for c in item.conditions.all()]
        out.append(ItemEvaluation(item, evaluate(conditions, profile, on)))
    return out


# --- Background work --------------------------------------------------------------------------

@task()
def refresh_match_snapshots() -> int:
    """政策匹配快照的每日刷新: enqueued every minute by the scheduler, recomputes all published
    items once a day (qualification validity and years since registration move with the date),
    and at once when a published item has no snapshot of today. Returns the items computed."""
    today = timezone.localdate()
    if not current_items(today).exclude(match_snapshot__evaluated_on=today).exists():
        return 0
    return recompute_all(today)


@task()
def recompute_match_snapshots() -> int:
    """All published items now (after an enterprise import or a bulk profile change)."""
    return recompute_all()


def request_full_recompute() -> None:
    """For profile imports: recompute every snapshot in the worker after the import commits."""
    transaction.on_commit(lambda: recompute_match_snapshots.enqueue())
