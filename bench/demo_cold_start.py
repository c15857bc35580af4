"""Time ``make demo`` from a clean copy of the tree until ``/healthz`` and ``/`` answer 200.

    python bench/demo_cold_start.py           # fresh virtualenv, as after ``git clone`` (needs pip access)
    python bench/demo_cold_start.py --quick   # reuse this checkout's .venv; migrate, collectstatic,
                                              # demo data and server start only

The copy lives in a temporary directory (no .venv, no var/, no .git), so the measurement includes
creating the SQLite database, migrating, collecting static files, loading the demo data and
starting gunicorn plus the task worker. The last line is the figure:
``demo_cold_start: N s (target < 180 s)``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 180
IGNORE = shutil.ignore_patterns(
    ".venv", "var", ".git", "*.egg-info", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
)
# Variables from a developer's or the test runner's shell that would point the demo elsewhere.
SCRUB = ("DATABASE_URL", "GONGKAI_TESTING", "GONGKAI_VAR_DIR", "GONGKAI_DEBUG", "GONGKAI_SECRET_KEY",
         "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONPATH", "GONGKAI_HTTPS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reuse this checkout's virtualenv")
    parser.add_argument("--port", type=int, default=0, help="port for the demo server (default: a free one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy for inspection")
    args = parser.parse_args()

    port = args.port or free_port()
    timeout = 120 if args.quick else 900
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-cold-"))
    work = tmp / "gk"
    shutil.copytree(ROOT, work, ignore=IGNORE)
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    env.update(GONGKAI_PORT=str(port), GONGKAI_HOST="127.0.0.1")
    if args.quick:
        # The shared virtualenv is used read-only; PYTHONPATH makes it import the copy's code.
        env.update(VENV=str(ROOT / ".venv"), GONGKAI_DEMO_SKIP_VENV="1", PYTHONPATH=str(work))
    log_path = tmp / "demo.log"
    base = f"http://127.0.0.1:{port}"
    print(f"copy: {work}  port: {port}  mode: {'quick (reused venv)' if args.quick else 'fresh venv'}")
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(["make", "demo"], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            healthz_at = None
            while time.monotonic() - started < timeout:
                if proc.poll() is not None:
                    break
                if healthz_at is None and answers(base + "/healthz"):
                    healthz_at = time.monotonic() - started
                if healthz_at is not None and answers(base + "/"):
                    break
                time.sleep(0.2)
            elapsed = time.monotonic() - started
            ok = proc.poll() is None and healthz_at is not None and answers(base + "/")
        finally:
            stop(proc)
    if not ok:
        print(log_path.read_text(errors="replace")[-4000:])
        print(f"demo_cold_start: FAILED after {elapsed:.1f} s (target < {TARGET_SECONDS} s)")
        return 1
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"/healthz answered after {healthz_at:.1f} s")
    print(f"demo_cold_start: {elapsed:.1f} s (target < {TARGET_SECONDS} s)")
    return 0 if elapsed < TARGET_SECONDS else 2


if __name__ == "__main__":
    sys.exit(main())
