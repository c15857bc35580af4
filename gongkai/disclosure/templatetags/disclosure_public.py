"""Template helpers of the applicant pages."""

from __future__ import annotations

from datetime import date

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def described_widget(field: BoundField) -> SafeString:
    """The control with ``aria-describedby`` pointing at its hint and error, and
    ``aria-invalid`` when it has an error (the GOV.UK error-message pattern)."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def cn_date(value: date | None) -> str:
    """2026年6月1日 (no zero padding)."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""
