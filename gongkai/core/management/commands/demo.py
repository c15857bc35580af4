"""``gongkai demo``: load the demo organisations and accounts and print their logins."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongkai.core.demo import DEMO_PASSWORD, DemoLogin, DemoResult, load_demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def render_result(result: DemoResult) -> str:
    logins: list[DemoLogin] = result.logins
    out = [
        f"演示数据已就绪：新建机关 {result.created_organisations} 个、用户 {result.created_users} 个、"
        f"任职 {result.created_memberships} 条（已存在的保持不变）。",
        "",
        f"【仅供演示】所有演示账号的密码均为 {DEMO_PASSWORD}，切勿在生产环境加载演示数据。",
        "工作人员登录需输入密码和动态验证码：将下方 TOTP 密钥或 otpauth 链接添加到身份验证器应用，"
        "或使用一次性备用码（每个只能用一次）。",
        "",
        "== 演示账号 ==",
        format_table(
            ["用户名", "角色", "机关", "密码", "一次性备用码", "TOTP 密钥（base32）"],
            [[x.username, x.role, x.organisation, x.password, " ".join(x.backup_codes) or "—",
              x.totp_secret or "—"] for x in logins],
        ),
        "",
        "== 身份验证器链接（otpauth URI）==",
    ]
    out += [f"{x.username}: {x.otpauth_uri}" for x in logins if x.otpauth_uri]
    return "\n".join(out)


class Command(BaseCommand):
    help = "加载演示数据（湖南、上海银保监局、烟台片区、黟县的机关和各角色演示账号），可重复运行。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force", action="store_true",
            help="在启用 HTTPS 的（疑似生产）环境中仍然加载演示数据。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Demo accounts share a published password: refuse where the site looks like production.
        if settings.HTTPS and not options["force"]:
            raise CommandError(
                "当前为 HTTPS（生产）配置，演示账号使用公开的密码，已拒绝加载。确需加载请加 --force。"
            )
        self.stdout.write(render_result(load_demo()))
        from gongkai.policies.demo import load_demo_documents

        load_demo_documents(self.stdout)
        from gongkai.disclosure.demo import load_demo_requests

        load_demo_requests(self.stdout)
        from gongkai.enterprise.demo import load_demo_enterprises

        load_demo_enterprises(self.stdout)
        from gongkai.enterprise.item_demo import load_demo_items

        load_demo_items(self.stdout)
        from gongkai.annual_reports.demo import load_demo_reports

        load_demo_reports(self.stdout)
        from gongkai.things.demo import load_demo_things

        load_demo_things(self.stdout)
        from gongkai.push.demo import load_demo_push

        load_demo_push(self.stdout)
