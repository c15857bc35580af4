"""``gongkai push deliver [--batch N] [--batches N] [--loop]``: run the push outbox worker once
(or until interrupted with ``--loop``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from gongkai.push.services import deliver_due


class Command(BaseCommand):
    help = "投递推送消息（发件箱）：认领到期消息、发送、标记；失败按指数退避重试。"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="投递到期的推送消息。")
        deliver.add_argument("--batch", type=int, default=None, help="每批认领的消息数（默认 GONGKAI_PUSH_BATCH_SIZE）")
        deliver.add_argument("--batches", type=int, default=100, help="本次最多处理的批数")
        deliver.add_argument("--loop", action="store_true", help="持续运行，每隔 --interval 秒检查一次")
        deliver.add_argument("--interval", type=float, default=10.0, help="持续运行时的检查间隔（秒）")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            result = deliver_due(batch_size=options["batch"], max_batches=options["batches"])
            counts = result.as_dict()
            self.stdout.write(
                f"认领 {counts['claimed']} 条：已发送 {counts['sent']}，站内送达 {counts['delivered']}，"
                f"待重试 {counts['retried']}，失败 {counts['failed']}，取消 {counts['cancelled']}，"
                f"推迟 {counts['postponed']}。")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
