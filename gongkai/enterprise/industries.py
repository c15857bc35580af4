"""The GB/T 4754-2017 code table (国民经济行业分类) shipped as ``data/gbt4754_2017.csv`` and its
idempotent loader. The data migration ``0003_load_industries`` runs the loader, so every
database (demo, tests, production) has the table; a later edit of the CSV ships with a new data
migration calling ``load_industries`` again (rows are upserted by code, none deleted)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent / "data" / "gbt4754_2017.csv"
_LEVEL_BY_LENGTH = {1: 1, 3: 2, 4: 3, 5: 4}  # 门类 A, 大类 A01, 中类 A011, 小类 A0111


@dataclass(frozen=True)
class IndustryRow:
    code: str
    name: str
    level: int
    parent: str | None


def read_table(path: Path = TABLE) -> list[IndustryRow]:
    """Rows of the CSV (``#`` lines are comments), parents before children; raises ``ValueError``
    for a malformed code or a child without its parent."""
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    reader = csv.DictReader(lines)
    rows: list[IndustryRow] = []
    seen: set[str] = set()
    for record in reader:
        code, name = record["code"].strip().upper(), record["name"].strip()
        level = _LEVEL_BY_LENGTH.get(len(code))
        if level is None or not code[0].isalpha() or not (code[1:].isdigit() or level == 1) or not name:
            raise ValueError(f"行业代码表中的行“{code},{name}”格式不正确。")
        parent = None if level == 1 else (code[0] if level == 2 else code[:-1])
        if parent is not None and parent not in seen:
            raise ValueError(f"行业代码 {code} 的上级 {parent} 不在表中（或排在其后）。")
        seen.add(code)
        rows.append(IndustryRow(code, name, level, parent))
    return rows


def load_industries(model: Any = None, path: Path = TABLE) -> int:
    """Insert or update every row of the table; returns the number of rows written (0 when the
    table is already loaded as is)."""
    if model is None:
        from gongkai.enterprise.models import Industry as model
    existing = {i.code: (i.name, i.level, i.parent_id) for i in model.objects.all()}
    written = 0
    for row in read_table(path):
        if existing.get(row.code) == (row.name, row.level, row.parent):
            continue
        model.objects.update_or_create(code=row.code, defaults={"name": row.name, "level": row.level,
                                                                "parent_id": row.parent})
        written += 1
    return written
