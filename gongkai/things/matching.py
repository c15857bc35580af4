"""Which enterprises qualify for a 免申即享 item: the adapter between this app and the matching
engine.

The set-based engine ``gongkai.enterprise.matching.match_sql`` (one query for one item) answers
over the enterprises of the item's region (the 行政区划 of the item's department: a province covers
its cities and counties). Where that engine is not installed, the reference oracle
``gongkai.domain.eligibility.evaluate`` gives the same answer row by row (the engine's tests
compare the two). Only 符合条件 (every hard condition met) counts: a 可能符合 enterprise is not a
candidate, because 免申即享 needs 比对数据齐全 (platforms.md §2).
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from gongkai.domain.eligibility import Profile, Qualification, Result, evaluate
from gongkai.enterprise.models import Enterprise, PolicyItem


def region_prefix(division_code: str) -> str:
    """``430000`` → ``43``, ``430100`` → ``4301``, ``430102`` → ``430102``."""
    code = division_code or ""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def profile_of(enterprise: Enterprise) -> Profile:
    return Profile(
        region_code=enterprise.region_code or None,
        industry_code=enterprise.industry_id or None,
        size_class=enterprise.size_class or None,
        is_individual=enterprise.is_individual,
        employees=float(enterprise.employees) if enterprise.employees is not None else None,
        revenue=float(enterprise.revenue) if enterprise.revenue is not None else None,
        assets=float(enterprise.assets) if enterprise.assets is not None else None,
        registered_on=enterprise.registered_on,
        tags=frozenset(t.name for t in enterprise.tags.all()),
        qualifications=tuple(Qualification(q.kind, q.valid_from, q.valid_to) for q in enterprise.qualifications.all()),
    )


def qualifying_enterprise_ids(item: PolicyItem, on: date | None = None) -> list[int]:
    """Ids of the enterprises of the item's region that qualify for ``item`` on ``on`` (default: today)."""
    on = on or timezone.localdate()
    conditions = [c.as_condition() for c in item.conditions.all()]
    region = Enterprise.objects.filter(region_code__startswith=region_prefix(item.department.division_code))
    try:
        from gongkai.enterprise.matching import match_sql, pks_of
    except ImportError:  # engine not installed: the oracle, row by row
        enterprises = region.prefetch_related("tags", "qualifications").order_by("pk")
        return [e.pk for e in enterprises if evaluate(conditions, profile_of(e), on).result is Result.QUALIFIES]
    return sorted(pks_of(match_sql(conditions, on, queryset=region).qualify))
