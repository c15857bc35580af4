"""Queries for policy items (政策事项): the access function for staff, what the public may see,
the enterprise's own matches and the push audience of a snapshot. Index-backed; no Python loops
over all enterprises (the audience is a bitset decode and one ``pk__in`` per page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from gongkai.accounts.access import deny, organisations_for, user_has_org_perm
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm
from gongkai.domain.amount_formula import estimate
from gongkai.domain.eligibility import Profile, Result, State
from gongkai.domain.enterprise_size import SIZE_LABELS, SizeClass
from gongkai.enterprise import matching
from gongkai.enterprise.models import Enterprise, ItemCondition, MatchSnapshot, PolicyItem
from gongkai.enterprise.regions import region_label
from gongkai.policies.selectors import public_documents

AUDIENCE_PAGE_SIZE = 50


# --- Staff ------------------------------------------------------------------------------------

def items_for(user: Any, perm: str = Perm.VIEW_RECORDS) -> QuerySet[PolicyItem]:
    """Items handled by the organisations ``user`` acts for (承办部门)."""
    return PolicyItem.objects.filter(department__in=organisations_for(user, perm))


def access_item(user: Any, item_id: Any, perm: str = Perm.VIEW_RECORDS, *,
                request: HttpRequest | None = None) -> PolicyItem:
    """The item when ``user`` may act on it with ``perm`` in its 承办部门; otherwise an audited 404."""
    try:
        item = PolicyItem.objects.select_related("document", "document__organisation", "department").get(
            pk=int(item_id))
    except (PolicyItem.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该政策事项。") from None
    if user_has_org_perm(user, item.department, perm):
        return item
    raise deny(request, user, object_type="enterprise.PolicyItem", object_id=item_id, detail=perm)


def snapshot_of(item: PolicyItem) -> MatchSnapshot | None:
    return MatchSnapshot.objects.filter(item_id=item.pk).defer("qualify_bits", "might_bits").first()


@dataclass
class RegionRow:
    code: str
    qualify: int
    might: int
    counties: list[RegionRow] = field(default_factory=list)
    parent: str = ""

    @property
    def label(self) -> str:
        """``湖南省长沙市（430100）``; a county within its city as ``芙蓉区（430102）``."""
        return region_label(self.code, within=self.parent)


def region_rows(by_region: dict[str, list[int]]) -> list[RegionRow]:
    """Counts by city (地市, ``xxxx00``) with the codes under each; unknown regions last."""
    cities: dict[str, RegionRow] = {}
    unknown: RegionRow | None = None
    for code, (qualify, might) in sorted(by_region.items()):
        if not code:
            unknown = RegionRow("", qualify, might)
            continue
        city_code = code[:4].ljust(6, "0")
        city = cities.setdefault(city_code, RegionRow(city_code, 0, 0))
        city.qualify += qualify
        city.might += might
        city.counties.append(RegionRow(code, qualify, might, parent=city_code))
    rows = list(cities.values())
    return [*rows, unknown] if unknown else rows


def size_rows(by_size: dict[str, list[int]]) -> list[tuple[str, int, int]]:
    """(label, qualify, might) in the order 大型 … 微型, then 未划型."""
    order = [s.value for s in SizeClass] + [""]
    return [(SIZE_LABELS[SizeClass(key)] if key else "未划型", by_size[key][0], by_size[key][1])
            for key in order if key in by_size]


@dataclass(frozen=True)
class AudiencePage:
    enterprises: list[Enterprise]
    total: int
    page: int
    pages: int


def audience_page(snapshot: MatchSnapshot, visible: QuerySet[Enterprise], *, might: bool = False,
                  page: int = 1) -> AudiencePage:
    """One page of the push audience (推送对象), restricted to the enterprises in ``visible`` (the
    viewer's own area): the snapshot's bitset AND the visible pks, decoded, then one query."""
    bits = matching.unpack_bits(snapshot.might_bits if might else snapshot.qualify_bits)
    bits &= matching.bits_from(list(visible.order_by().values_list("pk", flat=True)))
    pks = matching.pks_of(bits)
    pages = max(1, -(-len(pks) // AUDIENCE_PAGE_SIZE))
    page = min(max(1, page), pages)
    chunk = pks[(page - 1) * AUDIENCE_PAGE_SIZE: page * AUDIENCE_PAGE_SIZE]
    enterprises = list(Enterprise.objects.filter(pk__in=chunk).select_related("industry").order_by("pk"))
    return AudiencePage(enterprises, len(pks), page, pages)


# --- Public -----------------------------------------------------------------------------------

def public_items() -> QuerySet[PolicyItem]:
    """Published items of public documents (《条例》: the document itself must be public)."""
    return PolicyItem.objects.filter(status=PolicyItem.Status.PUBLISHED,
                                     document__in=public_documents().values("pk"))


def current_public_items(on: date | None = None) -> QuerySet[PolicyItem]:
    """Public items in force on ``on`` (有效期内): what the 政策计算器 and the enterprise page match."""
    on = on or timezone.localdate()
    return public_items().filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on),
                                 Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def get_public_item(item_id: int) -> PolicyItem:
    item = public_items().select_related("document", "department").filter(pk=item_id).first()
    if item is None:
        raise Http404("未找到该政策事项。")
    return item


def public_items_of_document(document_id: int) -> QuerySet[PolicyItem]:
    return public_items().filter(document_id=document_id).select_related("department")


# --- The enterprise's own matches -------------------------------------------------------------

def own_enterprises(user: Any) -> QuerySet[Enterprise]:
    """Enterprises ``user`` (a 法人或其他组织 account) holds a verified claim on."""
    if not getattr(user, "is_authenticated", False) or user.account_type != User.AccountType.ENTERPRISE:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(claimed_by=user, claim_status=Enterprise.ClaimStatus.VERIFIED).select_related(
        "industry")


@dataclass(frozen=True)
class ConditionView:
    text: str
    hard: bool
    state: State


@dataclass(frozen=True)
class ItemView:
    item: PolicyItem
    result: Result
    conditions: list[ConditionView]
    # 预计可享受金额 (元) by the item's 计算公式; None: no formula, or a needed figure is unknown.
    estimate: Decimal | None = None

    @property
    def estimate_text(self) -> str:
        return f"{self.estimate:,.2f}" if self.estimate is not None else ""

    @property
    def failed(self) -> list[ConditionView]:
        return [c for c in self.conditions if c.hard and c.state is State.FAILED]

    @property
    def unknown(self) -> list[ConditionView]:
        return [c for c in self.conditions if c.hard and c.state is State.UNKNOWN]


@dataclass(frozen=True)
class Matches:
    qualifies: list[ItemView]
    might: list[ItemView]
    not_: list[ItemView]

    @property
    def total(self) -> int:
        return len(self.qualifies) + len(self.might) + len(self.not_)


def matches_for_profile(profile: Profile, on: date | None = None,
                        items: QuerySet[PolicyItem] | None = None) -> Matches:
    """The public items in force, split into 符合 / 可能符合 / 不符合, each condition with its state
    (the oracle: one profile × the items)."""
    on = on or timezone.localdate()
    evaluated = matching.evaluate_items(profile, items if items is not None else current_public_items(on), on)
    groups: dict[Result, list[ItemView]] = {r: [] for r in Result}
    for entry in evaluated:
        views = [ConditionView(c.text, c.hard, s) for c, s in entry.evaluation.states]
        result = entry.evaluation.result
        # No amount for an item the profile does not qualify for: it would read as a promise.
        amount = estimate(entry.item.amount_formula, profile, on) if result is not Result.NOT else None
        groups[result].append(ItemView(entry.item, result, views, amount))
    return Matches(groups[Result.QUALIFIES], groups[Result.MIGHT], groups[Result.NOT])


def calculator_choices(on: date | None = None) -> tuple[list[str], list[str]]:
    """The qualification kinds and tag names the items in force ask for (the calculator's boxes)."""
    rows = ItemCondition.objects.filter(item__in=current_public_items(on).values("pk"),
                                        field__in=["qualifications", "tags"]).values_list("field", "value")
    kinds = sorted({str(v) for f, v in rows if f == "qualifications"})
    tags = sorted({str(v) for f, v in rows if f == "tags"})
    return kinds, tags
