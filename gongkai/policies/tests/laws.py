"""Rows for ``import_documents`` from ``../shared/data/china-law/laws.db`` (378 national laws and
their 26,196 articles; see shared/data/README.md). Used by the import test, the search relevance
tests and the benchmark; the product never depends on it.

Each law becomes one document whose body is its articles in order, with the chapter and section
headings (第一章 总则 …) and 第X条 at the start of each article."""

from __future__ import annotations

import html
import os
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

LAWS_DB = Path(os.environ.get("GONGKAI_SHARED_DATA", Path(__file__).resolve().parents[4] / "shared" / "data")) \
    / "china-law" / "laws.db"

# laws.status → 有效性
VALIDITY = {"现行有效": "有效", "已废止": "废止", "已被修改": "已修改", "历史版本": "失效"}


def _issuer(law_name: str, issuing_body: str | None) -> str:
    if issuing_body:
        return issuing_body
    # Four rows have no issuing body; their titles (or, for the Basic Law, the NPC) name it.
    return "全国人民代表大会常务委员会" if law_name.startswith("全国人民代表大会常务委员会") else "全国人民代表大会"


def law_body(articles: list[tuple[str | None, str | None, str, str]]) -> str:
    parts: list[str] = []
    chapter = section = None
    for chap, sect, number, text in articles:
        if chap and chap != chapter:
            parts.append(f"<h3>{html.escape(chap)}</h3>")
            chapter, section = chap, None
        if sect and sect != section:
            parts.append(f"<h4>{html.escape(sect)}</h4>")
            section = sect
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()] or [""]
        parts.append(f"<p>{html.escape(number)}　{html.escape(lines[0])}</p>")
        parts.extend(f"<p>{html.escape(line)}</p>" for line in lines[1:])
    return "".join(parts)


def law_rows(org_code: str, *, organisation: str, limit: int | None = None,
             raw_effective_dates: bool = False) -> list[dict[str, Any]]:
    """One import row per law (English keys), with stable 索引号 ``org_code/YYYY-NNNNN`` so that
    re-importing upserts. 实施日期 earlier than 成文日期 (a law revised after it came into force)
    is left empty unless ``raw_effective_dates``."""
    connection = sqlite3.connect(f"file:{LAWS_DB}?mode=ro", uri=True)
    try:
        laws = connection.execute(
            "SELECT law_id, law_name, issuing_body, publish_date, effective_date, status FROM laws "
            "ORDER BY publish_date, law_id" + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        articles: dict[str, list[tuple[str | None, str | None, str, str]]] = defaultdict(list)
        for law_id, chapter, section, number, text in connection.execute(
                "SELECT law_id, chapter, section, article_no, article_text FROM articles ORDER BY id"):
            articles[law_id].append((chapter, section, number, text))
    finally:
        connection.close()
    rows = []
    per_year: dict[str, int] = defaultdict(int)
    for law_id, name, issuing_body, published, effective, status in laws:
        year = published[:4]
        per_year[year] += 1
        if not raw_effective_dates and effective and effective < published:
            effective = ""
        rows.append({
            "index_no": f"{org_code}/{year}-{per_year[year]:05d}",
            "title": name,
            "issuers": [_issuer(name, issuing_body)],
            "written_on": published,
            "published_at": published,
            "effective_on": effective or "",
            "category": "其他政策文件",
            "level": "国家",
            "validity": VALIDITY[status],
            "status": "已发布",
            "body": law_body(articles[law_id]),
            "source": f"china-law laws.db（{law_id}）",
            "organisation": organisation,
        })
    return rows
