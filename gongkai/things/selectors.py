"""Queries for 一件事一次办: the 一次告知 of a thing (merged form and materials), queues, and the
statistics (SQL aggregation; only confirmed payouts count)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Cast, Substr, TruncMonth

from gongkai.accounts.models import Organisation
from gongkai.domain.calendar import WorkingCalendar
from gongkai.domain.things_workflow import (
    COMPLETED_STATES,
    FieldNeed,
    MaterialNeed,
    MergedField,
    MergedMaterial,
    PayoutStatus,
    TaskFlags,
    merge_fields,
    merge_materials,
    task_flags,
)
from gongkai.enterprise.models import PolicyItem
from gongkai.enterprise.regions import region_label
from gongkai.things.models import Application, ItemField, ItemMaterial, JointTask, Payout, Thing


def public_things() -> QuerySet[Thing]:
    return Thing.objects.filter(published=True).select_related("lead_department")


def thing_items(thing: Thing) -> list[PolicyItem]:
    return [ti.item for ti in thing.thing_items.select_related("item", "item__department", "item__document")
            .order_by("order", "id")]


def merged_materials(thing: Thing) -> list[MergedMaterial]:
    """一套材料 of the thing: one query, merged by ``gongkai.domain.things_workflow.merge_materials``."""
    order = {ti.item_id: ti.order for ti in thing.thing_items.all()}
    rows = (ItemMaterial.objects.filter(item__thing_links__thing=thing).select_related("material", "item"))
    rows_sorted = sorted(rows, key=lambda r: (order.get(r.item_id, 0), r.item_id, r.position, r.pk))
    return merge_materials(MaterialNeed(r.material.key, r.material.name, r.source, r.item.title) for r in rows_sorted)


def merged_fields(thing: Thing) -> list[MergedField]:
    """一表申请 of the thing: one query, merged by ``merge_fields``."""
    order = {ti.item_id: ti.order for ti in thing.thing_items.all()}
    rows = ItemField.objects.filter(item__thing_links__thing=thing).select_related("field", "item")
    rows_sorted = sorted(rows, key=lambda r: (order.get(r.item_id, 0), r.item_id, r.position, r.pk))
    return merge_fields(FieldNeed(r.field.key, r.field.label, r.field.field_type, r.required, r.item.title)
                        for r in rows_sorted)


def help_texts(keys: Iterable[str]) -> dict[str, str]:
    from gongkai.things.models import FormField

    return dict(FormField.objects.filter(key__in=list(keys)).values_list("key", "help_text"))


@dataclass
class Notice:
    """一次告知: everything the applicant needs to know, on one page."""

    thing: Thing
    items: list[PolicyItem]
    materials: list[MergedMaterial]
    fields: list[MergedField]
    departments: list[Any]
    longest_days: int | None
    windows: list[Any]


def notice(thing: Thing) -> Notice:
    items = thing_items(thing)
    departments: list[Any] = []
    for item in items:
        if item.department not in departments:
            departments.append(item.department)
    days = [i.promised_days for i in items if i.promised_days]
    windows = list(thing.windows.filter(is_active=True).select_related("hall").order_by("hall__name", "number"))
    return Notice(thing, items, merged_materials(thing), merged_fields(thing), departments,
                  max(days) if days else None, windows)


def flags_for(task: JointTask, calendar: WorkingCalendar, today: date) -> TaskFlags:
    remaining = calendar.working_days_between(today, task.due_date) if task.due_date > today else 0
    return task_flags(task.due_date, today, remaining, closed=task.is_closed)


# ---------------------------------------------------------------- statistics


@dataclass
class StatRow:
    key: str
    label: str
    completed: int = 0
    enterprises: int = 0
    amount: Decimal = Decimal("0.00")


@dataclass
class Statistics:
    completed: int
    enterprises: int
    amount: Decimal
    payouts: int
    by_thing: list[StatRow] = field(default_factory=list)
    by_department: list[StatRow] = field(default_factory=list)
    by_region: list[StatRow] = field(default_factory=list)
    by_month: list[StatRow] = field(default_factory=list)


def confirmed_payouts() -> QuerySet[Payout]:
    return Payout.objects.filter(status=PayoutStatus.CONFIRMED)


def completed_applications() -> QuerySet[Application]:
    return Application.objects.filter(status__in=[str(s) for s in COMPLETED_STATES])


def _money(value: Any) -> Decimal:
    """SQLite sums decimals without their scale: always two places."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _rows(app_counts: Iterable[dict[str, Any]], pay_counts: Iterable[dict[str, Any]], labels: dict[Any, str],
          key_name: str) -> list[StatRow]:
    rows: dict[str, StatRow] = {}

    def row(key: Any) -> StatRow:
        k = "" if key is None else (key.strftime("%Y-%m") if hasattr(key, "strftime") else str(key))
        if k not in rows:
            rows[k] = StatRow(k, labels.get(key, k) if key is not None else "（未归属）")
        return rows[k]

    for a in app_counts:
        row(a[key_name]).completed += a["n"]
    for p in pay_counts:
        r = row(p[key_name])
        r.completed += p["free"]
        r.enterprises = p["ents"]
        r.amount = _money(p["amount"])
    return sorted(rows.values(), key=lambda r: r.key)


def statistics() -> Statistics:
    """办结事项 (completed applications plus confirmed 免申即享 payouts, each a matter handled without
    an application), 惠及企业 (distinct enterprises with a confirmed payout) and 兑现金额 (sum of
    confirmed payouts), in total and by thing, department, region (city, first four digits of the
    enterprise's 行政区划代码) and month. Aggregated in SQL; candidates never count."""
    apps = completed_applications()
    pays = confirmed_payouts()
    free = Count("id", filter=Q(source=Payout.Source.NO_APPLICATION))
    agg = pays.aggregate(ents=Count("enterprise", distinct=True), amount=Sum("amount"), n=Count("id"), free=free)
    total_completed = apps.count() + (agg["free"] or 0)

    thing_labels: dict[Any, str] = dict(Thing.objects.values_list("slug", "name"))
    org_labels: dict[Any, str] = {str(pk): name for pk, name in Organisation.objects.values_list("pk", "name")}

    def pay_group(expr: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in pays.annotate(k=expr).values("k").annotate(
            ents=Count("enterprise", distinct=True), amount=Sum("amount"), free=free).order_by("k")]

    def app_group(expr: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in apps.annotate(k=expr).values("k").annotate(n=Count("id")).order_by("k")]

    by_thing = _rows(app_group(F("thing__slug")), pay_group(F("thing__slug")), thing_labels, "k")
    by_department = _rows(app_group(Cast("thing__lead_department_id", CharField())),
                          pay_group(Cast("department_id", CharField())), org_labels, "k")
    regions_app = app_group(Substr("enterprise__region_code", 1, 4))
    regions_pay = pay_group(Substr("enterprise__region_code", 1, 4))
    region_labels: dict[Any, str] = {r["k"]: region_label(f"{r['k']}00") for r in [*regions_app, *regions_pay]
                                     if r["k"]}
    by_region = _rows(regions_app, regions_pay, region_labels, "k")
    by_month = _rows(app_group(TruncMonth("completed_at")), pay_group(TruncMonth("paid_on")), {}, "k")
    return Statistics(total_completed, agg["ents"] or 0, _money(agg["amount"]), agg["n"] or 0,
                      by_thing, by_department, by_region, by_month)
