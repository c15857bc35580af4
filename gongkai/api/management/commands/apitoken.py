"""``gongkai apitoken create USERNAME --name 用途`` / ``gongkai apitoken revoke PREFIX``.

Run by the operator at the server console (``actor=None``, like the demo loader); the plaintext
token is printed once and never stored.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongkai.accounts.models import ApiToken, User
from gongkai.api.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "创建或吊销接口令牌。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户创建接口令牌（明文只显示一次）")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="令牌用途，如“统计系统对接”")
        revoke = sub.add_parser("revoke", help="按前缀吊销接口令牌")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options["username"], options["name"])
            else:
                self._revoke(options["prefix"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None

    def _create(self, username: str, name: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在。")
        token, plaintext = api_token_create(actor=None, user=user, name=name)
        self.stdout.write(plaintext)
        self.stderr.write(f"已为 {user.username} 创建接口令牌“{token.name}”（前缀 {token.prefix}）。"
                          "令牌明文只显示这一次，请妥善保存。")

    def _revoke(self, prefix: str) -> None:
        tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
        if not tokens:
            raise CommandError(f"没有前缀为“{prefix}”的有效令牌。")
        if len(tokens) > 1:
            raise CommandError(f"前缀“{prefix}”对应多个令牌，请联系系统管理员在后台处理。")
        api_token_revoke(actor=None, token=tokens[0])
        self.stdout.write(f"已吊销令牌“{tokens[0].name}”（前缀 {prefix}）。")
