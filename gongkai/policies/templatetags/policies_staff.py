"""``{% policies_dashboard %}``: the policy-library section of the staff workbench (工作台)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from gongkai.accounts.access import organisations_for

register = template.Library()


@register.inclusion_tag("policies/staff/_dashboard.html", takes_context=True)
def policies_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    from gongkai.policies.staff_views import dashboard_data

    user = context["request"].user
    if not organisations_for(user).exists():
        return {"show": False}
    data = dashboard_data(user, timezone.localdate())
    return {
        "show": True,
        "drafts": data["drafts"].count(),
        "approvals": data["reviews"].count() + data["changes"].count(),
        "art26": len(data["art26"]),
        "art26_overdue": data["art26_overdue"],
        "art18": data["art18"].count(),
    }
