"""企业档案开放接口 ``/api/v1/enterprises/`` (issue 6 §1).

- ``GET /mine``: the signed-in enterprise account's own profile (verified claim), or 404.
- ``GET /`` and ``GET /{id}``: staff who manage enterprises (企业服务专员) list and read the
  profiles of their own area (``access.enterprises_for`` / ``access_enterprise``: another area's
  enterprise is a 404; staff without the role get 403).
Session (with CSRF for writes) or ``Authorization: Bearer gk_…``. Contact phones of claimants
are never returned.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer, django_auth

from gongkai.accounts.models import User
from gongkai.api.services import api_token_authenticate
from gongkai.enterprise import access, selectors
from gongkai.enterprise.models import Enterprise

router = Router(tags=["企业档案"])


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(token)


AUTH = [django_auth, TokenAuth()]


class QualificationOut(Schema):
    kind: str
    issuer: str
    certificate_no: str
    valid_from: date | None
    valid_to: date | None


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    registered_on: date | None
    region_code: str
    industry_code: str | None
    industry_name: str | None
    employees: int | None
    revenue: Decimal | None
    assets: Decimal | None
    is_individual: bool
    size_class: str
    size_label: str
    claim_status: str
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_industry_code(obj: Enterprise) -> str | None:
        return obj.industry_id

    @staticmethod
    def resolve_industry_name(obj: Enterprise) -> str | None:
        return obj.industry.name if obj.industry else None

    @staticmethod
    def resolve_size_label(obj: Enterprise) -> str:
        return obj.get_size_class_display() if obj.size_class else "未能划型"


class EnterpriseDetailOut(EnterpriseOut):
    contact_email: str
    size_explanation: str
    tags: list[str]
    qualifications: list[QualificationOut]

    @staticmethod
    def resolve_size_explanation(obj: Enterprise) -> str:
        return selectors.size_explanation(obj)

    @staticmethod
    def resolve_tags(obj: Enterprise) -> list[str]:
        return sorted(t.name for t in obj.tags.all())

    @staticmethod
    def resolve_qualifications(obj: Enterprise) -> list[Any]:
        return list(obj.qualifications.order_by("kind", "valid_to"))


class ErrorOut(Schema):
    detail: str


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("/mine", auth=AUTH, response={200: EnterpriseDetailOut, 404: ErrorOut}, summary="我的企业（已认领）")
def enterprise_mine(request: HttpRequest) -> Any:
    """本账号经核验认领的企业档案；未认领或认领尚未核验时返回 404。"""
    enterprise = access.own_enterprise(_user(request))
    if enterprise is None:
        raise Http404
    return enterprise


@router.get("/", auth=AUTH, response=list[EnterpriseOut], summary="企业档案列表（本机关管辖地区）")
@paginate(PageNumberPagination, page_size=50)
def enterprise_list(request: HttpRequest, q: str = "", region: str = "", industry: str = "", size: str = "",
                    claim: str = "", individual: str = "") -> Any:
    """企业服务专员可见的企业，按统一社会信用代码排列。`q` 为名称中的文字或信用代码前缀；`region`、`industry`
    为行政区划代码、行业代码前缀；`size` 为 large/medium/small/micro/unknown；`claim` 为认领状态；
    `individual` 为 1（个体工商户）或 0。"""
    user = _user(request)
    if not access.region_prefixes_for(user):
        raise PermissionDenied("您的角色无权查看企业档案。")
    filters = selectors.Filters.from_query({"q": q, "region": region, "industry": industry, "size": size,
                                            "claim": claim, "individual": individual})
    return selectors.search(user, filters)


@router.get("/{enterprise_id}", auth=AUTH, response={200: EnterpriseDetailOut, 404: ErrorOut}, summary="企业档案详情")
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> Any:
    return access.access_enterprise(_user(request), enterprise_id, request=request)
