"""Recomputers: callables that refresh provisional (待确认) deadlines when a year's holiday
arrangement is loaded or changed (regulation.md §4.1). Features with deadlines register one at
import time (e.g. in their ``AppConfig.ready``); ``tasks.recompute_provisional_deadlines`` calls
them all with the year.
"""

from __future__ import annotations

from collections.abc import Callable

Recomputer = Callable[[int], object]

_RECOMPUTERS: list[Recomputer] = []


def register_recomputer(recomputer: Recomputer) -> Recomputer:
    """Register ``recomputer(year)``; usable as a decorator. Registering twice is a no-op."""
    if recomputer not in _RECOMPUTERS:
        _RECOMPUTERS.append(recomputer)
    return recomputer


def unregister_recomputer(recomputer: Recomputer) -> None:
    if recomputer in _RECOMPUTERS:
        _RECOMPUTERS.remove(recomputer)


def registered_recomputers() -> tuple[Recomputer, ...]:
    return tuple(_RECOMPUTERS)
