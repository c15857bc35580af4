"""政策事项开放接口 ``/api/v1/policy-items/`` (issue 6 §2–§3).

Public (no login): ``GET /`` the published items of public documents (in force by default),
``GET /{id}`` one item with its 申报条件, ``POST /calculator`` the 政策计算器 (nothing is stored).
``GET /mine/matches``: the signed-in enterprise account's verified enterprise against every item in
force, each condition met / failed / unknown (session or ``Authorization: Bearer gk_…``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer, django_auth

from gongkai.accounts.models import User
from gongkai.api.services import api_token_authenticate
from gongkai.domain.eligibility import FIELDS, Op
from gongkai.enterprise import item_selectors as sel
from gongkai.enterprise import matching
from gongkai.enterprise.item_forms import CalculatorForm
from gongkai.enterprise.models import PolicyItem

router = Router(tags=["政策事项"])


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(token)


AUTH = [django_auth, TokenAuth()]


class ConditionOut(Schema):
    field: str
    field_label: str
    op: str
    op_label: str
    value: Any
    hard: bool
    source_text: str


class ItemOut(Schema):
    id: int
    title: str
    benefit_type: str
    benefit_type_display: str
    amount_rule: str
    amount_formula: str
    department: str
    document_id: int
    document_title: str
    promised_days: int | None
    materials_text: str
    legal_basis: str
    valid_from: date | None
    valid_to: date | None
    no_application: bool
    url: str
    conditions: list[ConditionOut]


class StateOut(Schema):
    text: str
    hard: bool
    state: str
    state_label: str


class ItemMatchOut(Schema):
    id: int
    title: str
    url: str
    result: str
    result_label: str
    # 预计可享受金额（元）by the item's 计算公式; null without a formula or when a needed figure is unknown.
    estimated_amount: Decimal | None = None
    conditions: list[StateOut]


class MatchesOut(Schema):
    qualifies: list[ItemMatchOut]
    might: list[ItemMatchOut]
    not_matching: list[ItemMatchOut]


class EnterpriseMatchesOut(MatchesOut):
    enterprise_id: int
    enterprise_name: str


class MineOut(Schema):
    enterprises: list[EnterpriseMatchesOut]


class CalculatorIn(Schema):
    region_code: str = ""
    industry_code: str = ""
    employees: int | None = None
    revenue: Decimal | None = None
    assets: Decimal | None = None
    registered_on: date | None = None
    is_individual: bool | None = None
    qualifications: list[str] = []
    tags: list[str] = []


class CalculatorOut(MatchesOut):
    size_class: str | None


def _item_out(item: PolicyItem) -> dict[str, Any]:
    return {
        "id": item.pk, "title": item.title, "benefit_type": item.benefit_type,
        "benefit_type_display": item.get_benefit_type_display(), "amount_rule": item.amount_rule,
        "amount_formula": item.amount_formula, "department": item.department.name, "document_id": item.document_id,
        "document_title": item.document.title, "promised_days": item.promised_days,
        "materials_text": item.materials_text, "legal_basis": item.legal_basis, "valid_from": item.valid_from,
        "valid_to": item.valid_to, "no_application": item.no_application,
        "url": reverse("enterprise_public:item", args=[item.pk]),
        "conditions": [{"field": c.field, "field_label": FIELDS[c.field][0], "op": c.op,
                        "op_label": Op(c.op).label, "value": c.value, "hard": c.hard,
                        "source_text": c.source_text} for c in item.conditions.all()],
    }


def _matches_out(matches: sel.Matches) -> dict[str, Any]:
    def one(view: sel.ItemView) -> dict[str, Any]:
        return {"id": view.item.pk, "title": view.item.title,
                "url": reverse("enterprise_public:item", args=[view.item.pk]), "result": view.result.value,
                "result_label": view.result.label, "estimated_amount": view.estimate,
                "conditions": [{"text": c.text, "hard": c.hard, "state": c.state.value, "state_label": c.state.label}
                               for c in view.conditions]}

    return {"qualifies": [one(v) for v in matches.qualifies], "might": [one(v) for v in matches.might],
            "not_matching": [one(v) for v in matches.not_]}


@router.get("/", auth=None, response=list[ItemOut], url_name="policy_item_list", summary="政策事项列表")
@paginate(PageNumberPagination, page_size=50)
def item_list(request: HttpRequest, benefit_type: str | None = None, document_id: int | None = None,
              current: bool = True) -> Any:
    """已发布的政策事项（所属文件已公开）。默认只列现行有效的（`current=false` 含已届满的）。"""
    if benefit_type is not None and benefit_type not in PolicyItem.BenefitType.values:
        raise HttpError(400, f"未知的兑现方式“{benefit_type}”，可选：{'、'.join(PolicyItem.BenefitType.values)}。")
    items = sel.current_public_items() if current else sel.public_items()
    if benefit_type:
        items = items.filter(benefit_type=benefit_type)
    if document_id is not None:
        items = items.filter(document_id=document_id)
    return [_item_out(i) for i in items.select_related("document", "department").prefetch_related(
        "conditions").order_by("-id")]


@router.get("/{int:item_id}", auth=None, response=ItemOut, url_name="policy_item_detail", summary="政策事项详情")
def item_detail(request: HttpRequest, item_id: int) -> Any:
    return _item_out(sel.get_public_item(item_id))


@router.get("/mine/matches", auth=AUTH, response=MineOut, url_name="policy_item_mine",
            summary="我可以享受的政策（本账号已核验的企业）")
def mine(request: HttpRequest) -> Any:
    """本账号已核验认领的企业，逐项判断现行有效的政策事项；没有已核验的企业时列表为空。"""
    out = []
    for enterprise in sel.own_enterprises(request.auth):  # type: ignore[attr-defined]
        matches = sel.matches_for_profile(matching.profile_of(enterprise))
        out.append({"enterprise_id": enterprise.pk, "enterprise_name": enterprise.name, **_matches_out(matches)})
    return {"enterprises": out}


@router.post("/calculator", auth=None, response=CalculatorOut, url_name="policy_item_calculator",
             summary="政策计算器（不保存任何数据）")
def calculator(request: HttpRequest, payload: CalculatorIn) -> Any:
    """按填写的情况判断现行有效的政策事项；各项都可以不填。"""
    data = payload.dict()
    form_data: dict[str, Any] = {k: "" if v is None else v for k, v in data.items()}
    form_data["is_individual"] = {True: "yes", False: "no"}.get(data["is_individual"], "")
    form = CalculatorForm(form_data, qualification_kinds=data["qualifications"], tag_names=data["tags"])
    if not form.is_valid():
        raise HttpError(422, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{'，'.join(str(m) for m in e)}"
                                      for f, e in form.errors.items()))
    profile, size = form.profile()
    return {"size_class": size, **_matches_out(sel.matches_for_profile(profile))}
