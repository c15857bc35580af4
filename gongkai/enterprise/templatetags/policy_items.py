"""``{% document_policy_items doc %}``: the published policy items (政策事项) of a public document,
with a link to the 政策计算器, for the policy library's document page."""

from __future__ import annotations

from typing import Any

from django import template

from gongkai.enterprise.item_selectors import public_items_of_document

register = template.Library()


@register.inclusion_tag("enterprise/items/_document_items.html")
def document_policy_items(document: Any) -> dict[str, Any]:
    return {"policy_items": list(public_items_of_document(document.pk).order_by("id"))}
