"""``gongkai disclosure rotate-key``: re-encrypt every request's personal data (and the other apps'
encrypted columns: push subscriptions' numbers, 一件事 application forms) with the current
``GONGKAI_FIELD_KEY`` (the previous key must be listed in ``GONGKAI_FIELD_OLD_KEYS``);
``gongkai disclosure recompute``: refresh every open request's cached due date and flags."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.disclosure.crypto import DecryptionError


class Command(BaseCommand):
    help = "依申请公开工具：rotate-key 用当前密钥重新加密个人信息；recompute 重算办理期限。"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("rotate-key", help="用当前 GONGKAI_FIELD_KEY 重新加密所有申请的个人信息并重算盲索引。")
        sub.add_parser("recompute", help="重算所有未办结申请的答复期限、即将到期和超期标记。")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "rotate-key":
            from gongkai.disclosure.services.personal_data import rotate_keys, rotate_other_columns

            try:
                checked, rewritten = rotate_keys()
                others = rotate_other_columns()
            except DecryptionError as exc:
                raise CommandError(f"无法解密：{exc}") from None
            self.stdout.write(f"已检查 {checked} 件申请，重新加密 {rewritten} 件。")
            for label, (checked, rewritten) in others.items():
                self.stdout.write(f"{label}：已检查 {checked} 条，重新加密 {rewritten} 条。")
        else:
            from gongkai.disclosure.services.deadlines import recompute_open_requests

            count = recompute_open_requests()
            self.stdout.write(f"已重算 {count} 件未办结申请的期限。")
