"""``gongkai audit verify``: check the audit trail's hash chain and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.core.audit import verify_chain


class Command(BaseCommand):
    help = "审计日志工具：verify 校验哈希链。"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="校验审计日志哈希链，报告第一处断链。")

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"审计日志哈希链在第 {broken.seq} 条断开：{broken.reason}（此前 {checked} 条校验通过）。"
            )
        self.stdout.write(f"审计日志哈希链完整：共 {checked} 条记录校验通过。")
