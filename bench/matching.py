"""Policy-matching benchmark (issue 6 §3, 政策计算器): N enterprises × M published policy items on
SQLite, then

- the full match: every item against every enterprise through the bitset engine, snapshots
  written (``matching.recompute_all``: one load of the enterprises, each distinct condition once);
- one new item against every enterprise, both ways: the SQL engine (``matching.match_sql``, what
  publishing uses, snapshot written) and the bitset engine (load + match), to compare.

    python bench/matching.py --quick      # 10,000 enterprises × 200 items
    python bench/matching.py              # 100,000 enterprises × 2,000 items

Rows are written with bulk inserts (a benchmark of the engine, not of the services). A sample of
the results is checked against the pure oracle (``gongkai.domain.eligibility.evaluate``).

Targets (full size, SQLite): full match < 60 s, one new item < 1 s. Last line:
``one new item vs 100,000 enterprises: X.XX s (target < 1)``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL_TARGET_S = 60.0
ONE_TARGET_S = 1.0
TAGS = ("出口企业", "外资企业", "复工复产重点企业", "民营企业", "科技型企业", "上市企业", "重点税源企业", "专利企业")
QUALS = ("高新技术企业", "科技型中小企业", "专精特新中小企业", "专精特新小巨人", "瞪羚企业", "技术先进型服务企业")
SIZES = ("large", "medium", "small", "micro", "")


def _setup(db_url: str, tmp: Path) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE="gongkai.settings", GONGKAI_TESTING="1", GONGKAI_VAR_DIR=str(tmp),
                      DATABASE_URL=db_url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _regions(rng: random.Random) -> list[str]:
    """A province (43) with 14 cities of 6–12 counties each."""
    codes = []
    for city in range(1, 15):
        for county in range(1, rng.randint(6, 12) + 1):
            codes.append(f"43{city:02d}{county:02d}")
    return codes


def _enterprises(n: int, rng: random.Random, on: date) -> int:
    """Bulk-insert n enterprises with tags and qualifications; returns the seconds taken."""
    from django.db import transaction

    from gongkai.enterprise.models import Enterprise, EnterpriseQualification, EnterpriseTag, Industry

    started = time.perf_counter()
    regions = _regions(rng)
    industries = list(Industry.objects.filter(level=2).values_list("code", flat=True)) or [None]
    tags = [EnterpriseTag.objects.get_or_create(name=name)[0].pk for name in TAGS]
    through = Enterprise.tags.through
    batch = 5000
    with transaction.atomic():
        for start in range(0, n, batch):
            objs = []
            extras = []
            for i in range(start, min(n, start + batch)):
                employees = int(rng.lognormvariate(3, 1.4)) if rng.random() > 0.1 else None
                revenue = round(rng.lognormvariate(6, 2), 2) if rng.random() > 0.15 else None
                assets = round(rng.lognormvariate(6, 2), 2) if rng.random() > 0.25 else None
                registered = on - timedelta(days=rng.randrange(30 * 365)) if rng.random() > 0.05 else None
                objs.append(Enterprise(
                    credit_code=f"BENCH{i:013d}", name=f"基准企业{i}", registered_on=registered,
                    region_code=rng.choice(regions) if rng.random() > 0.02 else "",
                    industry_id=rng.choice(industries) if rng.random() > 0.05 else None,
                    employees=employees, revenue=revenue, assets=assets, is_individual=rng.random() < 0.3,
                    size_class=rng.choice(SIZES)))
                extras.append((rng.sample(tags, rng.choice((0, 0, 1, 1, 2, 3))),
                               [(rng.choice(QUALS), on - timedelta(days=rng.randrange(2000)),
                                 on + timedelta(days=rng.randrange(-400, 1100))) for _ in range(rng.choice((0, 0, 0, 1, 2)))]))
            made = Enterprise.objects.bulk_create(objs, batch_size=1000)
            through.objects.bulk_create([through(enterprise_id=e.pk, enterprisetag_id=t)
                                         for e, (ts, _) in zip(made, extras, strict=True) for t in ts], batch_size=2000)
            EnterpriseQualification.objects.bulk_create([
                EnterpriseQualification(enterprise_id=e.pk, kind=k, valid_from=f, valid_to=t)
                for e, (_, qs) in zip(made, extras, strict=True) for k, f, t in qs], batch_size=2000)
    return time.perf_counter() - started


def _conditions(rng: random.Random, regions: list[str], industries: list[str]) -> list[tuple]:
    """1–5 conditions of the kinds real 惠企政策 use (field, op, value, hard)."""
    makers = [
        lambda: ("region_code", "within_region", [rng.choice(regions)[:4] + "00"] if rng.random() < 0.7 else ["430000"]),
        lambda: ("industry_code", "industry_in", sorted({rng.choice(industries)[:rng.choice((1, 3))]
                                                         for _ in range(rng.randint(1, 3))})),
        lambda: ("size_class", "in", rng.sample(["medium", "small", "micro"], rng.randint(1, 3))),
        lambda: ("employees", rng.choice(("lte", "gte")), rng.choice((10, 20, 50, 100, 300, 1000))),
        lambda: ("revenue", rng.choice(("lte", "gte")), rng.choice((100, 500, 1000, 2000, 5000, 20000))),
        lambda: ("assets", "lte", rng.choice((1000, 5000, 20000))),
        lambda: ("registered_on", rng.choice(("years_since_gte", "years_since_lte")), rng.randint(1, 10)),
        lambda: ("tags", "contains", rng.choice(TAGS)),
        lambda: ("qualifications", "qualification_valid", rng.choice(QUALS)),
        lambda: ("is_individual", "eq", False),
    ]
    picked = rng.sample(makers, rng.randint(1, 5))
    return [(*make(), rng.random() > 0.15) for make in picked]


def _items(m: int, rng: random.Random, status: str = "published") -> list[int]:
    from gongkai.accounts.models import Organisation
    from gongkai.accounts.services import organisation_create
    from gongkai.domain.identifiers import make_credit_code
    from gongkai.enterprise.models import Industry, ItemCondition, PolicyItem
    from gongkai.policies.services.documents import document_create

    org = Organisation.objects.filter(slug="bench-gov").first() or organisation_create(
        actor=None, name="基准省人民政府", slug="bench-gov", level=Organisation.Level.PROVINCIAL,
        kind=Organisation.Kind.GOVERNMENT, division_code="430000", credit_code=make_credit_code("11", "430000", "80000001"))
    from django.utils import timezone

    document = document_create(actor=None, organisation=org, title="基准省支持中小企业发展的若干措施",
                               issuers=[org.name], written_on=date(2026, 1, 5), category="normative",
                               level="provincial", status="published", published_at=timezone.now())
    regions = _regions(random.Random(1))
    industries = list(Industry.objects.filter(level=2).values_list("code", flat=True)) or ["C13"]
    items = PolicyItem.objects.bulk_create([
        PolicyItem(document=document, title=f"基准事项{i}", benefit_type="subsidy", department=org, status=status)
        for i in range(m)], batch_size=1000)
    ItemCondition.objects.bulk_create([
        ItemCondition(item=item, position=p, field=f, op=o, value=v, hard=h, source_text="")
        for item in items for p, (f, o, v, h) in enumerate(_conditions(rng, regions, industries))], batch_size=2000)
    return [item.pk for item in items]


def _check_sample(item_ids: list[int], on: date, rng: random.Random, enterprises: int = 300, items: int = 40) -> int:
    """Snapshot bits against the oracle on a sample; returns the number of disagreements."""
    from gongkai.domain.eligibility import Result, evaluate
    from gongkai.enterprise import matching
    from gongkai.enterprise.models import Enterprise, MatchSnapshot, PolicyItem

    ids = list(Enterprise.objects.values_list("pk", flat=True))
    sample = Enterprise.objects.filter(pk__in=rng.sample(ids, min(enterprises, len(ids))))
    profiles = [(e.pk, matching.profile_of(e, on)) for e in sample]
    wrong = 0
    for item in PolicyItem.objects.filter(pk__in=rng.sample(item_ids, min(items, len(item_ids)))):
        snapshot = MatchSnapshot.objects.get(item=item)
        qualify, might = matching.unpack_bits(snapshot.qualify_bits), matching.unpack_bits(snapshot.might_bits)
        conditions = matching.item_conditions(item)
        for pk, profile in profiles:
            expected = evaluate(conditions, profile, on).result
            got = Result.QUALIFIES if qualify >> pk & 1 else Result.MIGHT if might >> pk & 1 else Result.NOT
            wrong += got is not expected
    return wrong


def run(n: int, m: int, seed: int) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from gongkai.enterprise import matching
    from gongkai.enterprise.models import PolicyItem

    rng = random.Random(seed)
    on = timezone.localdate()
    insert_s = _enterprises(n, rng, on)
    item_ids = _items(m, rng)
    print(f"inserted {n:,} enterprises in {insert_s:.1f} s; {m:,} published items", flush=True)

    started = time.perf_counter()
    index = matching.EnterpriseIndex.load(on)
    load_s = time.perf_counter() - started
    full_started = time.perf_counter()
    computed = matching.recompute_all(on)
    full_s = time.perf_counter() - full_started
    assert computed == m, computed

    # One new item: SQL engine with its snapshot (what publishing does), then bitset load + match.
    new_id = _items(1, random.Random(seed + 1), status="draft")[0]
    item = PolicyItem.objects.get(pk=new_id)
    started = time.perf_counter()
    with transaction.atomic():
        snapshot = matching.recompute_item(item, on)
    one_sql_s = time.perf_counter() - started
    started = time.perf_counter()
    fresh = matching.EnterpriseIndex.load(on)
    result = fresh.match(matching.item_conditions(item))
    one_bitset_s = time.perf_counter() - started
    assert result.qualify == matching.unpack_bits(snapshot.qualify_bits)
    assert result.might == matching.unpack_bits(snapshot.might_bits)
    match_only = time.perf_counter()
    index.match(matching.item_conditions(item))
    one_loaded_s = time.perf_counter() - match_only
    wrong = _check_sample([*item_ids, new_id], on, rng)
    return {"n": n, "m": m, "insert_s": insert_s, "load_s": load_s, "full_s": full_s, "one_sql_s": one_sql_s,
            "one_bitset_s": one_bitset_s, "one_loaded_s": one_loaded_s, "wrong": wrong,
            "qualify": snapshot.qualify_count, "might": snapshot.might_count}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 enterprises × 200 items")
    parser.add_argument("--enterprises", type=int, default=0)
    parser.add_argument("--items", type=int, default=0)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    n = args.enterprises or (10_000 if args.quick else 100_000)
    m = args.items or (200 if args.quick else 2_000)
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-matching-bench-"))
    try:
        _setup(f"sqlite:///{tmp / 'bench.sqlite3'}", tmp)
        r = run(n, m, args.seed)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load of the enterprise index alone: {r['load_s']:.2f} s")
    print(f"full match, {n:,} enterprises × {m:,} items (load, match, snapshots written): {r['full_s']:.2f} s "
          f"(target < {FULL_TARGET_S:g})")
    print(f"one new item, bitset engine (load + match): {r['one_bitset_s']:.2f} s; "
          f"match only, index already loaded: {r['one_loaded_s'] * 1000:.1f} ms")
    print(f"one new item, SQL engine (query + snapshot written): {r['one_sql_s']:.2f} s "
          f"({r['qualify']:,} qualify, {r['might']:,} might)")
    if r["wrong"]:
        print(f"{r['wrong']} sampled results differ from the oracle")
        return 1
    print("sampled results agree with the oracle")
    print(f"one new item vs {n:,} enterprises: {r['one_sql_s']:.2f} s (target < {ONE_TARGET_S:g})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
