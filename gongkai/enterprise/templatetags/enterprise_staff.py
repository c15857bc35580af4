"""``{% enterprise_dashboard %}``: the enterprise-profile box of the staff workbench (工作台)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("enterprise/profiles/_dashboard.html", takes_context=True)
def enterprise_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    from gongkai.enterprise.selectors import dashboard

    data = dashboard(context["request"].user)
    return {"show": data is not None, **(data or {})}
