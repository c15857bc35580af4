"""Queries for the working-day calendar (filled in by the calendar work)."""

from __future__ import annotations


def calendar_warnings() -> list[str]:
    return []
