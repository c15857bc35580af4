"""``gongkai documents import FILE`` / ``gongkai documents export FILE``: bulk import and export of
documents (文件导入导出) as JSON Lines, CSV or XLSX."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.accounts.models import Organisation
from gongkai.policies.models import Document
from gongkai.policies.selectors import public_documents
from gongkai.policies.services.imports import (
    FORMATS,
    ImportValueError,
    OrganisationResolver,
    export_documents,
    import_file,
)


class ProgressBar:
    """A one-line progress bar on stderr (redrawn in place on a terminal, printed per phase otherwise)."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.tty:
            if phase != self.last_phase:
                self.stream.write(f"{phase}…\n")
                self.last_phase = phase
            return
        filled = self.width * done // total if total else self.width
        bar = "█" * filled + "░" * (self.width - filled)
        self.stream.write(f"\r{phase} [{bar}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "导入或导出文件（JSON Lines、CSV、XLSX）。导入时先校验全部行，有任何错误则不写入。"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入文件（按索引号新建或更新，可重复导入）。")
        imp.add_argument("file", help="要导入的 .jsonl、.csv 或 .xlsx 文件")
        imp.add_argument("--organisation", help="发布机关标识（slug）：未填写发布机关的行归入该机关，且只允许该机关的行")
        imp.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        exp = sub.add_parser("export", help="导出文件。")
        exp.add_argument("file", help="输出文件路径")
        exp.add_argument("--format", choices=FORMATS, help="输出格式（默认按扩展名判断）")
        exp.add_argument("--organisation", help="只导出该机关（slug）的文件")
        exp.add_argument("--public-only", action="store_true", help="只导出已向社会公开的文件")

    def _organisation(self, slug: str | None) -> Organisation | None:
        if not slug:
            return None
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"找不到标识为“{slug}”的机关。")
        return org

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)
        else:
            self._export(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        org = self._organisation(options.get("organisation"))
        report = import_file(path, actor=None, organisation_resolver=OrganisationResolver(only=org),
                             dry_run=options["dry_run"], progress=ProgressBar(sys.stderr))
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(report.summary(), returncode=1)
        self.stdout.write(report.summary())

    def _export(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        fmt = options.get("format") or path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(f"请用 --format 指定格式（{'、'.join(FORMATS)}）。")
        queryset = public_documents() if options["public_only"] else Document.objects.all()
        org = self._organisation(options.get("organisation"))
        if org is not None:
            queryset = queryset.filter(organisation=org)
        try:
            with path.open("wb") as stream:
                count = export_documents(queryset, fmt, stream)
        except ImportValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已导出 {count} 件文件到 {path}。")
