"""``gongkai serve``: the web server (gunicorn), the background-task worker and the scheduler
together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站服务（gunicorn）和后台任务进程。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程和定时任务进程。")

    def handle(self, *args: Any, **options: Any) -> None:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="gongkai.settings")
        # The shared cache table (throttles, rate limits) when the cache is the database; idempotent.
        call_command("createcachetable", verbosity=0)
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "gongkai", "worker"], env=env))
            children.append(subprocess.Popen([sys.executable, "-m", "gongkai", "scheduler"], env=env))
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "gongkai.wsgi:application",
             "--bind", f"{options['host']}:{options['port']}", "--workers", str(options["workers"]),
             "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "10"],
            env=env,
        )
        children.append(web)

        def stop(signum: int, frame: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            code = web.wait()
        finally:
            stop(signal.SIGTERM, None)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        sys.exit(code)
