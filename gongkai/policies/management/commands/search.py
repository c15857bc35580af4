"""gongkai search rebuild | apply | status — the tantivy search index (检索索引) of this node."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class ProgressBar:
    """A plain textual bar on stderr (no terminal control beyond carriage return)."""

    def __init__(self, stream: Any = sys.stderr, width: int = 40) -> None:
        self.stream, self.width, self.started = stream, width, time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = int(self.width * share)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} 篇 "
                          f"{share:6.1%} {rate:,.0f} 篇/秒")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "检索索引：rebuild 从数据库重建；apply 应用待处理的变更日志；status 查看状态。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "apply", "status"])

    def handle(self, *args: Any, **options: Any) -> None:
        from gongkai.policies.search import indexer

        action = options["action"]
        if action == "rebuild":
            started = time.monotonic()
            count = indexer.rebuild(progress=ProgressBar(self.stderr._out))
            elapsed = time.monotonic() - started
            self.stdout.write(f"已重建检索索引：{count} 篇公开文件，用时 {elapsed:.1f} 秒。")
        elif action == "apply":
            applied = indexer.apply_pending_changes()
            self.stdout.write(f"已应用 {applied} 条检索变更。")
        else:
            info = indexer.status()
            if not info["built"]:
                self.stdout.write("检索索引尚未建立（运行 gongkai search rebuild）。")
            self.stdout.write(f"索引目录：{info['directory']}")
            self.stdout.write(f"已应用的变更日志编号：{info['last_applied_id']}")
            self.stdout.write(f"待处理变更：{info['pending']}（待复查的缺号：{info['open_gaps']}）")
            self.stdout.write(f"索引中的文件数：{info['documents']}")
