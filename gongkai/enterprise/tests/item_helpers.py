"""Helpers for the policy-item tests (task F): items created through the real services."""

from __future__ import annotations

from typing import Any

from gongkai.accounts.models import Organisation
from gongkai.enterprise import item_services as svc
from gongkai.enterprise.models import PolicyItem
from gongkai.policies.models import Document

DEFAULT_CONDITIONS: list[dict[str, Any]] = [
    {"field": "region_code", "op": "within_region", "value": ["430100"], "hard": True,
     "source_text": "注册地在长沙市"},
    {"field": "employees", "op": "lte", "value": 300, "hard": True, "source_text": "从业人员不超过300人"},
]


def make_item(document: Document, department: Organisation, *, title: str = "小微企业稳岗补贴",
              conditions: list[dict[str, Any]] | None = None, publish: bool = False, **fields: Any) -> PolicyItem:
    """A policy item (as the system loader, ``actor=None``) with conditions, published if asked."""
    values: dict[str, Any] = {"benefit_type": "subsidy", "amount_rule": "按上年度参保人数每人500元给予补贴。",
                              "promised_days": 20}
    values.update(fields)
    item = svc.item_create(actor=None, document=document, department=department, title=title, **values)
    item = svc.item_replace_conditions(actor=None, item=item,
                                       conditions=DEFAULT_CONDITIONS if conditions is None else conditions)
    if publish:
        svc.item_publish(actor=None, item=item)
        item.refresh_from_db()
    return item


def url_fillers(org: Organisation, doc_id: int) -> dict[str, Any]:
    """A published item of organisation ``org`` on its public document (tests/test_url_coverage.py)."""
    document = Document.objects.get(pk=doc_id)
    return {"item_id": make_item(document, org, title="甲县小微企业稳岗补贴", publish=True).pk}
