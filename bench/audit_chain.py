"""Audit-chain verification speed: append N rows with ``gongkai.core.audit.record`` into a
temporary SQLite database, then time ``verify_chain`` (``gongkai audit verify``).

    python bench/audit_chain.py --quick    # 5,000 rows
    python bench/audit_chain.py            # 50,000 rows
    python bench/audit_chain.py --rows 200000

Last line: ``audit_verify: N rows/s (target > 10000 rows/s)``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_ROWS_PER_SECOND = 10_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 rows instead of 50,000")
    parser.add_argument("--rows", type=int, default=0)
    args = parser.parse_args()
    rows = args.rows or (5_000 if args.quick else 50_000)

    tmp = Path(tempfile.mkdtemp(prefix="gongkai-audit-bench-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="gongkai.settings", GONGKAI_TESTING="1", GONGKAI_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from gongkai.core.audit import record as audit_record
    from gongkai.core.audit import verify_chain

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        # Batches of 1,000 per transaction: realistic row contents, without timing 50,000 fsyncs.
        for start in range(0, rows, 1000):
            with transaction.atomic():
                for i in range(start, min(start + 1000, rows)):
                    audit_record(
                        "bench.request_transition", object_type="disclosure.DisclosureRequest",
                        object_id=str(i), object_repr=f"湘政公开〔2026〕{i}号",
                        before={"status": "received"}, after={"status": "accepted", "handler": "hn_handler"},
                        detail="性能测试",
                    )
        append_seconds = time.perf_counter() - started
        print(f"appended {rows} rows in {append_seconds:.1f} s ({rows / append_seconds:.0f} rows/s)")

        started = time.perf_counter()
        checked, broken = verify_chain()
        verify_seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if broken is not None or checked != rows:
        print(f"audit_verify: FAILED ({checked} rows checked, break: {broken})")
        return 1
    rate = checked / verify_seconds
    print(f"verified {checked} rows in {verify_seconds:.2f} s")
    print(f"audit_verify: {rate:.0f} rows/s (target > {TARGET_ROWS_PER_SECOND} rows/s)")
    return 0 if rate > TARGET_ROWS_PER_SECOND else 2


if __name__ == "__main__":
    sys.exit(main())
