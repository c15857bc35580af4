"""``gongkai scheduler``: enqueue periodic tasks every minute (see ``gongkai.core.scheduler``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongkai.core.scheduler import run_forever, run_once


class Command(BaseCommand):
    help = "运行定时任务进程（每分钟一轮）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="只运行一轮后退出。")
        parser.add_argument("--interval", type=float, default=60.0, help="两轮之间的间隔（秒）。")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            result = run_once()
            self.stdout.write(
                f"已加入队列：{len(result.enqueued)} 项；跳过：{len(result.skipped)} 项；"
                f"定时发布生效：{len(result.scheduled_published)} 份；到期失效：{len(result.lapsed)} 份。"
            )
            return
        run_forever(options["interval"])
