"""``{% disclosure_dashboard %}``: the 依申请公开 section of the staff workbench (工作台)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("disclosure/staff/_dashboard.html", takes_context=True)
def disclosure_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    from gongkai.disclosure.staff_views import workbench_counts

    return {"counts": workbench_counts(context["request"].user)}
