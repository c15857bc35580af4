"""Queries of the enterprise-profile pages and API. Every list starts from an access function
(``access.enterprises_for`` / ``claims_for`` / ``import_jobs_for``), so staff see only their own
area; filters are prefix matches on indexed columns (``region_code``, ``industry``, the unique
``credit_code``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from gongkai.domain.enterprise_size import SIZE_LABELS, SizeClass, SizeError, rule_for_industry
from gongkai.enterprise import access
from gongkai.enterprise.models import Enterprise, EnterpriseClaim, ImportJob, Industry

SIZE_FILTERS = [*((s.value, label) for s, label in SIZE_LABELS.items()), ("unknown", "未能划型")]
_CODE_PREFIX = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{4,18}$")


@dataclass(frozen=True)
class Filters:
    q: str = ""
    region: str = ""
    industry: str = ""
    size: str = ""
    claim: str = ""
    individual: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> Filters:
        def get(name: str, limit: int = 60) -> str:
            return str(data.get(name, "") or "").strip()[:limit]

        return cls(q=get("q"), region=re.sub(r"\D", "", get("region", 6)), industry=get("industry", 5).upper(),
                   size=get("size", 10), claim=get("claim", 10), individual=get("individual", 1))

    def as_query(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.__dict__.items() if v})


def search(user: Any, filters: Filters) -> QuerySet[Enterprise]:
    """The enterprises of ``user``'s area matching ``filters``, by 统一社会信用代码."""
    qs = access.enterprises_for(user).select_related("industry")
    if filters.q:
        text = filters.q
        condition = Q(name__contains=text)
        if _CODE_PREFIX.match(text.upper()):
            condition |= Q(credit_code__startswith=text.upper())
        qs = qs.filter(condition)
    if filters.region:
        qs = qs.filter(region_code__startswith=filters.region)
    if filters.industry:
        qs = qs.filter(industry__code__startswith=filters.industry)
    if filters.size == "unknown":
        qs = qs.filter(size_class="")
    elif filters.size in {s.value for s in SizeClass}:
        qs = qs.filter(size_class=filters.size)
    if filters.claim in Enterprise.ClaimStatus.values:
        qs = qs.filter(claim_status=filters.claim)
    if filters.individual in ("0", "1"):
        qs = qs.filter(is_individual=filters.individual == "1")
    return qs.order_by("credit_code")


def pending_claims(user: Any) -> QuerySet[EnterpriseClaim]:
    return (access.claims_for(user).filter(status=EnterpriseClaim.Status.PENDING)
            .select_related("enterprise", "user").order_by("submitted_at", "id"))


def recent_jobs(user: Any, limit: int = 20) -> list[ImportJob]:
    return list(access.import_jobs_for(user).select_related("organisation", "created_by").defer("data")
                .order_by("-created_at", "-id")[:limit])


def dashboard(user: Any) -> dict[str, int] | None:
    """Counts for the workbench box (``None`` for staff who manage no enterprises)."""
    if not access.region_prefixes_for(user):
        return None
    return {"enterprises": access.enterprises_for(user).count(), "pending_claims": pending_claims(user).count()}


def industry_choices() -> list[tuple[str, Any]]:
    """Grouped choices for a <select>: (门类, [(code, "code name"), …])."""
    groups: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    for industry in Industry.objects.order_by("code"):
        section = industry.code[0]
        if industry.level == 1:
            labels[section] = f"{industry.code} {industry.name}"
        indent = "\u3000" * max(industry.level - 2, 0)
        groups.setdefault(section, []).append((industry.code, f"{indent}{industry.code} {industry.name}"))
    return [("", "（未填）"), *((labels.get(s, s), options) for s, options in groups.items())]


def size_explanation(enterprise: Enterprise) -> str:
    """Why the 企业规模 is what it is (工信部联企业〔2011〕300号)."""
    if not enterprise.industry_id:
        return "未填所属行业，无法划型。"
    try:
        rule = rule_for_industry(enterprise.industry_id)
    except SizeError as exc:
        return str(exc)
    if rule is None:
        return "金融业企业不适用《中小企业划型标准规定》，另按金融业企业划型标准执行。"
    if not enterprise.size_class:
        figures = {"employees": "从业人员", "revenue": "营业收入", "assets": "资产总额"}
        needed = "、".join(figures[f] for f in rule.figures)
        return f"按“{rule.label}”标准划型，需要{needed}；缺少的数据会影响结果，暂不能划型。"
    return f"按“{rule.label}”标准，依据从业人员、营业收入、资产总额自动计算（工信部联企业〔2011〕300号）。"
