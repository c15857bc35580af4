"""Background tasks of the working-day calendar."""

from __future__ import annotations

import logging

from django_tasks import task

from gongkai.workcalendar.recompute import registered_recomputers

logger = logging.getLogger(__name__)


@task()
def recompute_provisional_deadlines(year: int) -> int:
    """Loading a year recomputes (载入即重算): every registered recomputer refreshes the deadlines
    that were provisional for ``year``. One failing recomputer does not stop the others; the task
    fails afterwards so the failure is visible in the task results."""
    failures: list[str] = []
    called = 0
    for recomputer in registered_recomputers():
        called += 1
        try:
            recomputer(year)
        except Exception:
            name = getattr(recomputer, "__qualname__", repr(recomputer))
            logger.exception("recomputer %s failed for %s", name, year)
            failures.append(name)
    if failures:
        raise RuntimeError(f"{year}年期限重算失败：{', '.join(failures)}")
    return called
