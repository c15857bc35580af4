"""``{% annual_reports_dashboard %}`` (the 年度报告 section of the staff workbench: reports of last
year not yet published, with their 条例第四十九条 deadlines) and ``{% report_sections %}``."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def report_sections(content: dict[str, Any]) -> list[Any]:
    from gongkai.annual_reports.layout import sections

    return sections(content)


@register.inclusion_tag("annual_reports/_dashboard.html", takes_context=True)
def annual_reports_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    from gongkai.annual_reports import access, selectors, services

    user = context["request"].user
    organisations = list(access.report_organisations(user))
    if not organisations:
        return {"show": False}
    today = services.today()
    year = today.year - 1
    rows = selectors.report_rows(organisations, year, today)
    return {"show": True, "year": year, "pending": [r for r in rows if r.stage is not None],
            "unpublished": sum(1 for r in rows if not r.published), "total": len(rows)}
