"""Annual-report benchmark (issue 5 §4): N disclosure requests over several organisations and
years, then the time to compute table 3 (收到和处理政府信息公开申请情况) for one organisation-year and
the government-wide roll-up, on SQLite and (when reachable) PostgreSQL.

    python bench/annual_report.py --quick          # 50,000 requests, < 1 minute
    python bench/annual_report.py                  # 1,000,000 requests

The rows are written with bulk inserts (``executemany``) (what is measured is the report query, not the workflow),
with outcomes, receipt and closing dates spread so that every table-3 row and carry-overs across
years occur. Every timed result is checked cell by cell against the pure reference tally
(``gongkai.domain.disclosure_outcomes.tally``) of the same generated rows.

Last line: ``annual report, one organisation-year: X.XX s (target < 2)`` (SQLite).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 2.0
YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
DEPARTMENTS = ("发展和改革委员会", "教育局", "公安局", "民政局", "财政局", "人力资源和社会保障局", "自然资源局",
               "住房和城乡建设局", "市场监督管理局")
REPORT_YEAR = 2025


def _setup(db_url: str, tmp: Path) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE="gongkai.settings", GONGKAI_TESTING="1", GONGKAI_VAR_DIR=str(tmp),
                      DATABASE_URL=db_url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _organisations() -> list:
    from gongkai.accounts.models import Organisation
    from gongkai.accounts.services import organisation_create
    from gongkai.domain.identifiers import make_credit_code

    gov = organisation_create(actor=None, name="基准市人民政府", slug="bench-city", level=Organisation.Level.MUNICIPAL,
                              kind=Organisation.Kind.GOVERNMENT, division_code="430100",
                              credit_code=make_credit_code("11", "430100", "80000001"))
    orgs = [gov]
    for i, name in enumerate(DEPARTMENTS, start=1):
        orgs.append(organisation_create(
            actor=None, name=f"基准市{name}", slug=f"bench-dept-{i}", level=Organisation.Level.MUNICIPAL,
            kind=Organisation.Kind.DEPARTMENT, parent=gov, division_code="430100",
            credit_code=make_credit_code("11", "430100", f"81{i:06d}")))
    return orgs


def _generate(n: int, orgs: list, seed: int = 3):
    """Yield (organisation index, fields) for n requests and the reference tallies per
    (organisation index, year)."""
    from gongkai.domain.disclosure_outcomes import (
        OUTCOMES,
        ApplicantType,
        OrganisationKind,
        ReportColumn,
        report_column,
        report_rows,
    )
    from gongkai.domain.disclosure_workflow import RequestStatus

    rng = random.Random(seed)
    outcomes = list(OUTCOMES)
    kinds = list(OrganisationKind)
    # Weighted like a real office: most requests to the government and a few busy departments.
    weights = [6, 3, 1, 2, 1, 1, 2, 1, 1, 1][: len(orgs)]
    expected: dict[tuple[int, int], dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int)))
    start = date(YEARS[0], 1, 1)
    span = (date(YEARS[-1], 11, 30) - start).days
    closed_statuses = {
        "withdrawn": RequestStatus.WITHDRAWN, "other_no_correction": RequestStatus.ABANDONED,
        "other_fee_unpaid": RequestStatus.STOPPED,
    }
    seqs: dict[tuple[int, int], int] = defaultdict(int)
    rows = []
    for _ in range(n):
        org_i = rng.choices(range(len(orgs)), weights)[0]
        received = start + timedelta(days=rng.randrange(span))
        natural = rng.random() < 0.7
        kind = None if natural else rng.choice(kinds)
        column = report_column(ApplicantType.NATURAL_PERSON if natural else ApplicantType.ORGANISATION, kind)
        # Mostly closed within a few weeks; some late in the year carry over; a few stay open.
        if rng.random() < 0.03 and received.year >= YEARS[-1] - 1:
            closed, outcome, status = None, "", rng.choice([RequestStatus.IN_HANDLING, RequestStatus.CONSULTING])
        else:
            closed = received + timedelta(days=rng.randint(1, 60))
            outcome = rng.choice(outcomes).value
            status = closed_statuses.get(outcome, RequestStatus.ARCHIVED)
        seqs[(org_i, received.year)] += 1
        seq = seqs[(org_i, received.year)]
        for year in YEARS:
            for row in report_rows(received, closed, outcome or None, year):
                expected[(org_i, year)][row][column.value] += 1
                expected[(org_i, year)][row][ReportColumn.TOTAL.value] += 1
        rows.append((org_i, {
            "receipt_no": f"B{org_i:02d}-{received.year}-{seq:07d}", "receipt_year": received.year,
            "receipt_seq": seq, "received_on": received, "closed_on": closed, "outcome": outcome,
            "status": str(status), "applicant_type": (ApplicantType.NATURAL_PERSON if natural
                                                      else ApplicantType.ORGANISATION).value,
            "organisation_kind": kind.value if kind else "",
        }))
    return rows, expected


def _insert(rows: list, orgs: list, batch: int = 20_000) -> float:
    """Bulk insert with ``executemany`` over the model's own columns: every field's default is
    prepared once by Django, the varying ones per row (Django model instances for a million rows
    would time Python, not the database)."""
    from django.db import connection, transaction

    from gongkai.disclosure.models import DisclosureRequest

    started = time.perf_counter()
    fields = [f for f in DisclosureRequest._meta.concrete_fields if not f.primary_key]
    by_name = {f.name: f for f in fields}
    static = {f.name: f.get_db_prep_save(f.get_default() if f.has_default() or f.null or f.blank else None,
                                         connection) for f in fields}
    static.update(query_code_hash="x", channel="online", applicant_name="基准申请人", description="基准信息",
                  form_wanted="electronic", delivery_method="online")
    for name in ("created_at", "updated_at"):
        static[name] = by_name[name].get_db_prep_save(datetime.now(UTC), connection)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(DisclosureRequest._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    date_prep = {n: by_name[n] for n in ("received_on", "closed_on", "due_date", "arrived_at", "confirmed_at")}
    uid_field = by_name["uid"]
    noon = datetime(2000, 1, 1, 4, tzinfo=UTC)
    for i in range(0, len(rows), batch):
        params = []
        for org_i, f in rows[i:i + batch]:
            received = f["received_on"]
            arrived = noon.replace(year=received.year, month=received.month, day=received.day)
            values = dict(static, **f, organisation=orgs[org_i].pk,
                          uid=uid_field.get_db_prep_save(uuid.uuid4(), connection))
            for name, value in (("received_on", received), ("closed_on", f["closed_on"]),
                                ("due_date", received + timedelta(days=28)), ("arrived_at", arrived),
                                ("confirmed_at", arrived)):
                values[name] = date_prep[name].get_db_prep_save(value, connection)
            params.append([values[fl.name] for fl in fields])
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # COPY: PostgreSQL's bulk path
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in params:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, params)
    return time.perf_counter() - started


def _table3(org_ids: list[int], year: int) -> dict[str, dict[str, int]]:
    """Table 3 through Gongkai's report selector, as plain {row: {column: count}}."""
    from gongkai.annual_reports.selectors import table3

    table = table3(org_ids, year)
    return {str(row): {str(getattr(col, "value", col)): int(v) for col, v in cols.items()}
            for row, cols in table.items()}


def _check(got: dict[str, dict[str, int]], want: dict[str, dict[str, int]]) -> int:
    bad = 0
    for row in set(got) | set(want):
        for col in set(got.get(row, {})) | set(want.get(row, {})):
            if got.get(row, {}).get(col, 0) != want.get(row, {}).get(col, 0):
                bad += 1
    return bad


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def run_backend(n: int, db_url: str, tmp: Path) -> dict:
    _setup(db_url, tmp)
    from django.db import connection

    orgs = _organisations()
    started = time.perf_counter()
    rows, expected = _generate(n, orgs)
    gen_s = time.perf_counter() - started
    insert_s = _insert(rows, orgs)
    del rows
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    busiest = 0  # the government itself receives the most requests
    one_s, one = _timed(lambda: _table3([orgs[busiest].pk], REPORT_YEAR))
    all_ids = [o.pk for o in orgs]
    roll_s, roll = _timed(lambda: _table3(all_ids, REPORT_YEAR))
    want_roll: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (_org, year), table in expected.items():
        if year == REPORT_YEAR:
            for row, cols in table.items():
                for col, v in cols.items():
                    want_roll[row][col] += v
    return {
        "backend": connection.vendor, "n": n, "generate_s": gen_s, "insert_s": insert_s,
        "one_s": one_s, "rollup_s": roll_s,
        "one_mismatches": _check(one, expected[(busiest, REPORT_YEAR)]),  # type: ignore[arg-type]
        "rollup_mismatches": _check(roll, want_roll),  # type: ignore[arg-type]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 requests")
    parser.add_argument("--requests", type=int, default=0)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--pg-url", default=os.environ.get("GONGKAI_BENCH_PG_URL",
                                                           "postgres://postgres@127.0.0.1:5432/gongkai_bench_ar"))
    args = parser.parse_args()
    n = args.requests or (50_000 if args.quick else 1_000_000)

    if args.backend:  # one backend, in its own process (Django settings are per process)
        tmp = Path(tempfile.mkdtemp(prefix="gongkai-ar-bench-"))
        try:
            url = f"sqlite:///{tmp / 'bench.sqlite3'}" if args.backend == "sqlite" else args.pg_url
            print(json.dumps(run_backend(n, url, tmp)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return 0

    results = []
    backends = ["sqlite"]
    sys.path.insert(0, str(ROOT / "scripts"))
    if _pg_ready(args.pg_url):
        backends.append("postgres")
    else:
        print(f"PostgreSQL not reachable at {args.pg_url}: SQLite only")
    for backend in backends:
        out = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--requests", str(n), "--backend", backend, "--pg-url", args.pg_url],
            capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stdout[-2000:], out.stderr[-4000:])
            return 1
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"requests: {n:,} over {len(DEPARTMENTS) + 1} organisations (a government and its departments), "
          f"received {YEARS[0]}–{YEARS[-1]}; report year {REPORT_YEAR}")
    print(f"{'backend':10} {'insert':>9} {'one org-year':>13} {'roll-up':>9} {'cells wrong':>12}")
    for r in results:
        print(f"{r['backend']:10} {r['insert_s']:8.1f}s {r['one_s']:12.3f}s {r['rollup_s']:8.3f}s "
              f"{r['one_mismatches'] + r['rollup_mismatches']:12d}")
    if any(r["one_mismatches"] or r["rollup_mismatches"] for r in results):
        print("table 3 differs from the reference tally")
        return 1
    sqlite = results[0]
    print(f"annual report, one organisation-year: {sqlite['one_s']:.2f} s (target < {TARGET_S:g})")
    return 0


def _pg_ready(url: str) -> bool:
    """Create the benchmark database if PostgreSQL answers (dropped and recreated per run)."""
    try:
        import psycopg
    except ImportError:
        return False
    name = url.rsplit("/", 1)[-1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001 — any failure means "not available here"
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
