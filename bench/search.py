"""Chinese full-text search benchmark (search-performance.md §5): N synthetic policy documents
imported through the real import path into a temporary SQLite database, the tantivy index built
with ``gongkai search rebuild``'s ``rebuild()``, then query latency of Gongkai's ``search()``
beside a bare tantivy index of the same tokens, measured in the same run.

    python bench/search.py --quick          # 2,000 documents, < 1 minute
    python bench/search.py --docs 100000    # ~3,000-character bodies
    python bench/search.py --keep           # 1,000,000 documents (≈ 1.5 h on 2 cores), kept
    python bench/search.py --reuse DIR --measure-only   # re-time a kept run's indexes

Last line: ``search p95 / bare tantivy p95: X.XX (target ≤ 2)``.
"""

from __future__ import annotations

import argparse
import bisect
import http.client
import itertools
import multiprocessing as mp
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLICATION = Path("/work/shared/reference/000_9b547ee085050803.txt")
TARGET_RATIO = 2.0

POLICY_WORDS = (
    "税费 补贴 贷款 社保 减税 降费 融资 审批 就业 创业 担保 贴息 租金 减免 退税 奖补 补助 企业 小微企业 个体工商户 "
    "营商环境 复工复产 稳岗返还 免申即享 一件事一次办 专精特新 留抵退税 首贷 信用贷款 普惠金融 政务服务 政府信息公开 "
    "市场主体 高校毕业生 农民工 失业保险 社会保险费 房产税 城镇土地使用税 增值税 所得税 加计扣除 政策解读 规范性文件 "
    "疫情防控 应急 监管 许可 备案 登记 申报 兑现 资金 项目 园区 科技 创新 人才 培训 服务 平台 数据 信息 公开 公示"
).split()
TOPICS = ["融资贷款", "稳岗就业", "运营成本", "税费优惠", "财政奖补", "市场监管", "文化旅游", "办事服务",
          "科技创新", "社会保险"]
TITLE_TEMPLATES = [
    "关于进一步加强{a}{b}工作的通知", "关于做好{a}{b}有关工作的通知", "关于印发{a}{b}实施办法的通知",
    "关于支持{a}{b}的若干措施", "关于促进{a}{b}发展的实施意见", "关于{a}{b}有关事项的公告",
    "关于开展{a}{b}专项行动的通知", "{a}{b}管理办法",
]
LEVELS = ["national", "provincial", "municipal", "county"]
LEVEL_LABELS = {"national": "国家", "provincial": "省级", "municipal": "市级", "county": "县级"}
ISSUERS = ["国务院办公厅", "省人民政府办公厅", "省财政厅", "省人力资源和社会保障厅", "市人民政府", "市市场监督管理局",
           "省税务局", "县人民政府"]
AGENCIES = ["国办发", "湘政发", "湘财发", "湘人社发", "长政办发", "湘市监发", "湘税发", "县政发"]


def build_vocabulary(rng: random.Random) -> list[str]:
    """~30k words in Zipf rank order: the publication's words (by frequency) with policy words
    mixed into the top ranks, then 2-character dictionary words."""
    import rjieba

    from gongkai.policies.search.tokenize import load_user_dictionary

    load_user_dictionary()
    text = PUBLICATION.read_text(encoding="utf-8") if PUBLICATION.exists() else "".join(POLICY_WORDS)
    counts = Counter(w for w in rjieba.cut(text) if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w))
    ranked = [w for w, _ in counts.most_common()]
    for i, word in enumerate(POLICY_WORDS):
        if word in ranked:
            ranked.remove(word)
        ranked.insert(min(len(ranked), 3 + i * 4), word)
    chars = sorted({c for c in text if "\u4e00" <= c <= "\u9fff"})
    seen = set(ranked)
    extra = [a + b for a in chars for b in chars if a + b not in seen and rjieba.has_word(a + b)]
    rng.shuffle(extra)
    return ranked + extra[: max(0, 31_500 - len(ranked))]


class Zipf:
    def __init__(self, n: int, s: float = 1.07, q: float = 2.7) -> None:
        self.cum = list(itertools.accumulate(1.0 / (k + q) ** s for k in range(1, n + 1)))

    def draw(self, rng: random.Random, k: int) -> list[int]:
        total = self.cum[-1]
        return [bisect.bisect_left(self.cum, rng.random() * total) for _ in range(k)]


_ZIPF: dict[int, Zipf] = {}


def make_rows(n: int, body_chars: int, vocab: list[str], seed: int = 7, *, offset: int = 0,
              total: int | None = None) -> list[dict]:
    """Documents ``offset … offset + n - 1`` of a corpus of ``total``: each document has its own
    seeded generator, so generating in chunks gives the same corpus as one pass."""
    total = total or n
    zipf = _ZIPF.setdefault(len(vocab), Zipf(len(vocab)))
    topic_rng = random.Random(seed)
    topic_words = {t: topic_rng.sample(vocab[50:2000], 30) + [t] for t in TOPICS}
    start = datetime(2000, 1, 1, 9, tzinfo=UTC)
    rows = []
    for i in range(offset, offset + n):
        rng = random.Random(seed * 1_000_003 + i)
        topic = TOPICS[i % len(TOPICS)]
        words: list[str] = []
        length = 0
        for rank in zipf.draw(rng, body_chars // 2):
            word = rng.choice(topic_words[topic]) if rng.random() < 0.04 else vocab[rank]
            words.append(word)
            length += len(word)
            if rng.random() < 0.13:
                words.append("，" if rng.random() < 0.8 else "。\n")
                length += 1
            if length >= body_chars:
                break
        a, b = vocab[zipf.draw(rng, 1)[0]], rng.choice(topic_words[topic])
        level = LEVELS[min(3, int(rng.random() ** 2 * 4))]
        issuer_index = rng.randrange(len(ISSUERS))
        published = start + timedelta(minutes=i * (25 * 365 * 24 * 60) // max(total, 1))
        rows.append({
            "title": rng.choice(TITLE_TEMPLATES).format(a=a, b=b),
            "issuers": ISSUERS[issuer_index],
            "doc_number": f"{AGENCIES[issuer_index]}〔{published.year}〕{i % 200 + 1}号",
            "written_on": published.date().isoformat(),
            "published_at": published.isoformat(),
            "category": "行政规范性文件" if i % 3 else "其他政策文件",
            "level": LEVEL_LABELS[level],
            "themes": topic,
            "body": "".join(words),
            "validity": "有效",
            "status": "已发布",
        })
    return rows


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return pick(0.50), pick(0.95), pick(0.99)


def make_queries(vocab: list[str], count: int, seed: int = 11) -> list[dict]:
    """Fixed set: 2-character single words first, then Zipf-sampled 1–3-word queries, phrases,
    filtered and date-sorted variants."""
    rng = random.Random(seed)
    zipf = Zipf(len(vocab))
    two = [w for w in ("税费", "贷款", "补贴", "社保", "融资", "审批", "就业", "减税", "降费", "创业") if w in vocab]
    queries: list[dict] = [{"text": w} for w in two]
    kinds = itertools.cycle(["single", "multi", "multi", "phrase", "filtered", "date"])
    while len(queries) < count:
        kind = next(kinds)
        words = [vocab[r] for r in zipf.draw(rng, rng.randint(1, 3) if kind != "single" else 1)]
        if kind == "phrase":
            queries.append({"text": f"“{rng.choice(TOPICS)}”"})
        elif kind == "filtered":
            queries.append({"text": words[0], "levels": ["provincial"]})
        elif kind == "date":
            queries.append({"text": " ".join(words), "sort": "date"})
        else:
            queries.append({"text": " ".join(words)})
    return queries


# What each query class means, in Gongkai's ``search()`` and in the bare index (the same logical
# query over the same tokens; facets are the one thing only Gongkai computes).
QUERY_SEMANTICS = (
    ("single", "one word: its accurate-mode tokens' cut_for_search sub-words required (word_requirements), "
               "each in title (boost 3) or body, BM25 top 20, total counted"),
    ("multi", "1–3 words ANDed, each as above, BM25 top 20, total counted"),
    ("phrase", "quoted phrase: the accurate-mode tokens adjacent in title (boost 3) or body — a positional "
               "phrase query on fields indexed with positions (Gongkai may answer it from pair terms, "
               "verifying positions where pairs cannot), BM25 top 20, total counted"),
    ("filtered", "word(s) as above AND level = provincial as a non-scoring filter, BM25 top 20, total counted"),
    ("date", "words as above, top 20 newest first (sort_key fast field, descending), total counted"),
)


def query_class(query: dict) -> str:
    if query.get("sort") == "date":
        return "date"
    if query.get("levels"):
        return "filtered"
    if "“" in query["text"]:
        return "phrase"
    return "single" if " " not in query["text"] else "multi"


def bare_index(path: Path, docs) -> tuple[object, float]:
    """The same tokens in a minimal tantivy index: title and body as ``cut_for_search`` tokens
    (frequencies), their accurate-mode tokens with positions (phrases), level, date sort key.
    ``docs`` may be a generator (streamed: a million segmented documents do not fit in memory);
    the time returned includes consuming it."""
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True)
    sb.add_text_field("title", index_option="freq")
    sb.add_text_field("body", index_option="freq")
    sb.add_text_field("title_exact", index_option="position")
    sb.add_text_field("body_exact", index_option="position")
    sb.add_text_field("level", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("sort_key", fast=True)
    schema = sb.build()
    path.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(path))
    started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    for doc_id, title, title_exact, body, body_exact, level, key in docs:
        writer.add_document(tantivy.Document(id=doc_id, title=title, title_exact=title_exact, body=body,
                                             body_exact=body_exact, level=level, sort_key=key))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return (index, schema), time.perf_counter() - started


def bare_query(schema: object, query: dict) -> object:
    """``search()``'s logical query (QUERY_SEMANTICS) in plain tantivy, with none of Gongkai's extras:
    no exact-title or 发文字号 boosts, no visibility or validity clauses, no pair terms."""
    import tantivy

    from gongkai.policies.search.tokenize import exact_terms, parse_query, word_requirements

    Q, Occur = tantivy.Query, tantivy.Occur

    def term(t: str) -> object:
        return Q.boolean_query([(Occur.Should, Q.boost_query(Q.term_query(schema, "title", t), 3.0)),
                                (Occur.Should, Q.term_query(schema, "body", t))])

    def word(w: str) -> list[tuple[object, object]]:
        clauses: list[tuple[object, object]] = []
        for needed, bonus in word_requirements(w):
            clauses.extend((Occur.Must, term(t)) for t in needed)
            if bonus is not None:
                clauses.append((Occur.Should, term(bonus)))
        return clauses

    parsed = parse_query(query["text"])
    required = []
    for w in parsed.words + [raw for raw, _ in parsed.doc_numbers]:
        if clauses := word(w):
            required.append((Occur.Must, Q.boolean_query(clauses)))
    for phrase in parsed.phrases:
        terms = exact_terms(phrase)
        if len(terms) >= 2:
            required.append((Occur.Must, Q.boolean_query([
                (Occur.Should, Q.boost_query(Q.phrase_query(schema, "title_exact", terms), 3.0)),
                (Occur.Should, Q.phrase_query(schema, "body_exact", terms)),
            ])))
        elif clauses := word(phrase):
            required.append((Occur.Must, Q.boolean_query(clauses)))
    if query.get("levels"):
        required.append((Occur.Must, Q.const_score_query(
            Q.term_set_query(schema, "level", list(query["levels"])), 0.0)))
    return Q.boolean_query(required) if required else Q.all_query()


def bare_search(bare: tuple, query: dict) -> int:
    import tantivy

    index, schema = bare
    q = bare_query(schema, query)
    searcher = index.searcher()
    if query.get("sort") == "date":
        result = searcher.search(q, 20, order_by_field="sort_key", order=tantivy.Order.Desc)
    else:
        result = searcher.search(q, 20)
    return len(result.hits)  # the total is counted too (count=True), as search() returns it


def time_queries(fn, queries: list[dict], rounds: int = 1) -> list[float]:
    for q in queries:  # warm-up
        fn(q)
    samples = []
    for _ in range(rounds):
        for q in queries:
            started = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def _qps_worker(kind: str, queries: list[dict], seconds: float, out: mp.Queue) -> None:
    from django.db import connections

    connections.close_all()
    fn = _gongkai_search if kind == "gongkai" else None
    done = 0
    deadline = time.perf_counter() + seconds
    for q in itertools.cycle(queries):
        fn(q) if fn else _BARE_FN(q)
        done += 1
        if time.perf_counter() >= deadline:
            break
    out.put(done)


_BARE_FN = None


def qps(kind: str, queries: list[dict], seconds: float = 3.0, clients: int = 2) -> float:
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_qps_worker, args=(kind, queries, seconds, out)) for _ in range(clients)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total / (time.perf_counter() - started)


def _gongkai_search(query: dict, with_facets: bool = True) -> int:
    from gongkai.policies.search.api import SearchQuery, search

    return len(search(SearchQuery(page_size=20, with_facets=with_facets, **query)).hits)


def _chunks(rows, size: int):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bare_segment(batch: list[tuple]) -> list[tuple[int, str, str, str, str, str, int]]:
    """Title and body through the same segmentation as the real index (``segment``: cut_for_search
    and accurate mode); the same date sort key."""
    from gongkai.policies.search.index import sort_key
    from gongkai.policies.search.tokenize import segment

    out = []
    for pk, title, body, level, published_at in batch:
        title_search, title_exact = segment(title)
        body_search, body_exact = segment(body)
        out.append((pk, title_search, title_exact, body_search, body_exact, level, sort_key(published_at, pk)))
    return out


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 documents, 100 queries")
    parser.add_argument("--docs", type=int, default=0, help="number of documents (default 1,000,000)")
    parser.add_argument("--body-chars", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--reuse", metavar="DIR", help="reuse a kept run's database (skip generating and importing)")
    parser.add_argument("--measure-only", action="store_true",
                        help="with --reuse: also reuse its search index, bare index and common-grams list "
                             "(time the queries again without rebuilding)")
    parser.add_argument("--common-words", choices=("corpus", "shipped"), default="corpus",
                        help="common-grams list: derived from this corpus's documents, as a deployment does with "
                             "bench/common_words.py --from-database (default), or the shipped generic list")
    parser.add_argument("--in-process-http", action="store_true",
                        help="measure the HTTP API with Django's test client instead of a gunicorn server")
    args = parser.parse_args()
    n = args.docs or (2_000 if args.quick else 1_000_000)
    n_queries = args.queries or (100 if args.quick else 200)

    tmp = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="gongkai-search-bench-"))
    keep = args.keep or bool(args.reuse)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="gongkai.settings", GONGKAI_TESTING="1", GONGKAI_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}", GONGKAI_SEARCH_INDEX_DIR=str(tmp / "index"),
        GONGKAI_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from gongkai.policies.search import index as ix
    from gongkai.policies.search.indexer import rebuild

    try:
        call_command("migrate", verbosity=0)
        rng = random.Random(5)
        vocab = build_vocabulary(rng)
        if args.common_words == "corpus":
            os.environ["GONGKAI_SEARCH_COMMON_WORDS"] = str(tmp / "commonwords.txt")
        if args.reuse:
            from gongkai.policies.models import Document

            n = Document.objects.count()
            print(f"documents: {n:,} (reused from {tmp}; imported earlier through the real import path)")
        else:
            status = _generate_and_import(n, args.body_chars, vocab)
            if status:
                return status
        return _measure(n, n_queries, args, tmp, vocab, ix, rebuild)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}", file=sys.stderr)


_GEN_ARGS: tuple = ()


def _generate_chunk(offset: int) -> list[dict]:
    n, body_chars, vocab, chunk = _GEN_ARGS
    return make_rows(min(chunk, n - offset), body_chars, vocab, offset=offset, total=n)


def _generate_and_import(n: int, body_chars: int, vocab: list[str]) -> int:
    """Generate the corpus and import it through the real import path, in chunks (each chunk is one
    all-or-nothing import); the after-commit index nudge is suspended, ``rebuild`` follows."""
    from gongkai.accounts.models import Organisation
    from gongkai.accounts.services import organisation_create
    from gongkai.domain.identifiers import make_credit_code
    from gongkai.policies.search.indexer import nudges_suspended
    from gongkai.policies.services.imports import OrganisationResolver, import_documents

    org = organisation_create(actor=None, name="基准测试省人民政府", slug="bench-province",
                              level=Organisation.Level.PROVINCIAL, kind=Organisation.Kind.GOVERNMENT,
                              division_code="430000", credit_code=make_credit_code("11", "430000", "90000001"))
    print(f"documents: {n:,}  body ≈ {body_chars:,} chars  vocabulary: {len(vocab):,} words")
    resolver = OrganisationResolver(org)
    chunk = 2_000
    import_s = 0.0
    global _GEN_ARGS
    _GEN_ARGS = (n, body_chars, vocab, chunk)
    from django.db import connections

    connections.close_all()  # before forking the generator
    started_all = time.perf_counter()
    # The corpus is generated chunk by chunk in a child process, one chunk ahead of the import
    # (the same rows as one pass: the seed is per document index); only the import is timed.
    with nudges_suspended(), mp.get_context("fork").Pool(1) as pool:
        for i, rows in zip(range(0, n, chunk), pool.imap(_generate_chunk, range(0, n, chunk)), strict=True):
            started = time.perf_counter()
            report = import_documents(actor=None, rows=rows, organisation_resolver=resolver)
            import_s += time.perf_counter() - started
            if not report.ok:
                print(report.summary())
                for error in report.errors[:5]:
                    print("  ", error)
                return 1
            if (i // chunk) % 10 == 9:
                print(f"  imported {i + len(rows):,} / {n:,} ({(i + len(rows)) / import_s:,.0f} docs/s)", flush=True)
    print(f"generate (in a child process, overlapped) + import: {time.perf_counter() - started_all:.1f} s")
    print(f"import via gongkai.policies.services.imports.import_documents (real import path): {import_s:.1f} s "
          f"({n / import_s:,.0f} docs/s)")
    return 0


def _measure(n, n_queries, args, tmp, vocab, ix, rebuild) -> int:
    if args.measure_only and (tmp / "commonwords.txt").exists():
        print(f"common grams: reused {tmp / 'commonwords.txt'} (the list the index was built with)")
    elif args.common_words == "corpus":
        # Before anything reads the list (the rebuild's forked workers inherit the variable).
        sys.path.insert(0, str(ROOT / "bench"))
        from common_words import database_common_words, write_list

        started = time.perf_counter()
        words = database_common_words()
        write_list(tmp / "commonwords.txt", words, "基准语料抽样")
        print(f"common grams: the {len(words)} most frequent words of a 5,000-document sample of this corpus "
              f"({time.perf_counter() - started:.1f} s): {' '.join(words[:12])} …")
    else:
        print("common grams: the shipped list (laws.db + the publication)")
    state = ix.read_state(ix.base_dir()) if args.measure_only else None
    if state is None:
        started = time.perf_counter()
        count = rebuild()
        build_s = time.perf_counter() - started
        state = ix.read_state(ix.base_dir())
        size = du(ix.base_dir() / state["generation"])
        print(f"rebuild (segment + index): {count:,} docs in {build_s:.1f} s = {count / build_s:,.0f} docs/s; "
              f"index {size / 1e6:,.1f} MB")
    else:
        print(f"search index reused: generation {state['generation']}, "
              f"{du(ix.base_dir() / state['generation']) / 1e6:,.1f} MB")

    from gongkai.policies.models import Document

    if args.measure_only and (tmp / "bare" / "meta.json").exists():
        return _time_all(n, n_queries, args, tmp, vocab, _open_bare(tmp / "bare"))
    shutil.rmtree(tmp / "bare", ignore_errors=True)  # a reused run's
    from django.db import connections

    connections.close_all()
    pool = mp.get_context("fork").Pool(2)  # forked before tantivy starts its threads

    def bare_docs():
        rows = (Document.objects.values_list("pk", "title", "body_text", "level", "published_at").order_by("pk")
                .iterator(chunk_size=2000))
        for chunk in _chunks(rows, 4000):  # read in this thread (Django connections are per thread)
            for batch in pool.map(_bare_segment, list(_chunks(chunk, 500))):
                yield from batch

    try:
        bare, bare_build_s = bare_index(tmp / "bare", bare_docs())
    finally:
        pool.close()
        pool.join()
    print(f"bare tantivy (segment + index, streamed): {bare_build_s:.1f} s; "
          f"index {du(tmp / 'bare') / 1e6:,.1f} MB")
    return _time_all(n, n_queries, args, tmp, vocab, bare)


def _open_bare(path: Path) -> tuple:
    import tantivy

    index = tantivy.Index.open(str(path))
    print(f"bare tantivy index reused: {du(path) / 1e6:,.1f} MB")
    return index, index.schema


def _time_all(n, n_queries, args, tmp, vocab, bare) -> int:
    global _BARE_FN

    queries = make_queries(vocab, n_queries)
    _BARE_FN = lambda q: bare_search(bare, q)  # noqa: E731
    results = {
        "gongkai search()": time_queries(_gongkai_search, queries),
        "gongkai search() without facets": time_queries(lambda q: _gongkai_search(q, False), queries),
        "bare tantivy": time_queries(_BARE_FN, queries),
    }
    classes = [query_class(q) for q in queries]
    print(f"\nqueries: {len(queries)} (single 2-char, multi-word, phrase, filtered, date-sorted), top 20; "
          "the same semantics in search() and bare tantivy:")
    for name, meaning in QUERY_SEMANTICS:
        print(f"  {name:9} ({classes.count(name):3}): {meaning}")
    print("  only search() adds: facet counts over every match (9 facets), exact-title and 发文字号 boosts, "
          "visibility and validity clauses, stored fields, highlighted title and snippet")
    print("\np95 by class (ms)                  " + " ".join(f"{name:>9}" for name, _ in QUERY_SEMANTICS))
    for name, samples in results.items():
        row = []
        for cls, _ in QUERY_SEMANTICS:
            picked = [s for s, c in zip(samples, classes, strict=True) if c == cls]
            row.append(f"{percentiles(picked)[1]:9.2f}" if picked else f"{'–':>9}")
        print(f"{name:34} " + " ".join(row))
    print()
    print(f"{'engine':34} {'p50':>7} {'p95':>7} {'p99':>7} ms   {'QPS (2 clients)':>15}")
    p95 = {}
    for name, samples in results.items():
        p50_, p95_, p99_ = percentiles(samples)
        p95[name] = p95_
        kind = "gongkai" if name == "gongkai search()" else ("bare" if name == "bare tantivy" else "")
        rate = f"{qps(kind, queries):15,.0f}" if kind else f"{'':15}"
        print(f"{name:34} {p50_:7.2f} {p95_:7.2f} {p99_:7.2f}      {rate}")

    # The API's default answer (hits and total) and the one with facet counts (``facets=true``).
    for extra, note in (({}, "(target p95 ≤ 50 ms)"), ({"facets": "true"}, "(facets=true)")):
        http_label, samples, error = http_api_samples(queries, in_process=args.in_process_http, extra=extra)
        if not samples and not args.in_process_http:
            print(f"HTTP API via gunicorn failed ({error}); measuring with the in-process client")
            http_label, samples, error = http_api_samples(queries, in_process=True, extra=extra)
        label = f"{http_label}{' facets' if extra else ''}"
        if samples:
            print(f"{label:34} " + " ".join(f"{v:7.2f}" for v in percentiles(samples)) + f"      {note}")
        else:
            print(f"HTTP API: skipped ({error})")

    if n < 1_000_000:
        print(f"(targets are for 1,000,000 documents; this run used {n:,})")
    ratio_no_facets = p95["gongkai search() without facets"] / max(p95["bare tantivy"], 1e-9)
    print(f"search() without facets p95 / bare tantivy p95: {ratio_no_facets:.2f}")
    ratio = p95["gongkai search()"] / max(p95["bare tantivy"], 1e-9)
    print(f"search p95 / bare tantivy p95: {ratio:.2f} (target ≤ 2)")
    return 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_api_samples(queries: list[dict], in_process: bool = False,
                     extra: dict | None = None) -> tuple[str, list[float], str]:
    """Latency of ``GET /api/v1/policies/search`` (with facets, as a client gets it): a real
    gunicorn server on 127.0.0.1 (2 sync workers, sharing the 2 cores with this client), one
    request at a time over the whole query set; or Django's test client in this process."""
    if in_process:
        from django.test import Client

        client = Client()

        def get(q: dict) -> None:
            response = client.get("/api/v1/policies/search", {"q": q["text"], **(extra or {})})
            assert response.status_code == 200, response.status_code

        return "HTTP API (in-process client)", time_queries(get, queries), ""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "gongkai.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"], cwd=ROOT, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    return "", [], "gunicorn did not start"
                time.sleep(0.2)

        def get(q: dict) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", "/api/v1/policies/search?"
                             + urllib.parse.urlencode({"q": q["text"], **(extra or {})}))
                response = conn.getresponse()
                response.read()
                assert response.status == 200, response.status
            finally:
                conn.close()

        try:
            return "HTTP API (gunicorn, 2 workers)", time_queries(get, queries), ""
        except AssertionError as exc:
            return "", [], f"/api/v1/policies/search returned {exc}"
        except OSError as exc:
            return "", [], f"gunicorn: {type(exc).__name__}: {exc}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

if __name__ == "__main__":
    sys.exit(main())
