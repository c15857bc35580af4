"""REST API ``/api/v1/`` (django-ninja): OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``.

Public endpoints serve data the law makes public (the organisation list and each 政府信息公开指南's
contact data). ``/me`` needs either the browser session (``django_auth``, CSRF-protected) or an
API token (``Authorization: Bearer gk_…``). Errors are in Chinese.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from ninja.openapi.docs import Swagger
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer, django_auth

from gongkai.accounts.models import ApiToken, Organisation, User
from gongkai.api.services import api_token_authenticate, api_token_create, api_token_revoke


class LocalSwagger(Swagger):
    """Swagger UI from ninja's bundled static files, in our own page: Chinese title and language,
    no inline script or style, so it runs under our CSP."""

    template = "api/swagger.html"


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer gk_…`` checked against the SM3 digests in ``accounts.ApiToken``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(token)


api = NinjaAPI(
    title="公开 Gongkai API",
    version="1.0.0",
    description="政务公开平台开放接口。公开接口无需登录；`/me` 需要登录会话或接口令牌（Bearer）。",
    urls_namespace="api",
    docs=LocalSwagger(settings={"persistAuthorization": False}),
)


# --- Errors in Chinese ------------------------------------------------------------------------

def _detail(request: HttpRequest, detail: Any, status: int, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _detail(request, "需要登录或有效的接口令牌。", 401)


@api.exception_handler(AuthorizationError)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _detail(request, "无权访问。", 403)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _detail(request, str(exc) or "无权访问。", 403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _detail(request, "未找到。", 404)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _detail(request, "请求过于频繁，请稍后再试。", 429)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _detail(request, str(exc), exc.status_code)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors
    ]
    return _detail(request, "请求参数有误，请检查后重试。", 422, errors=errors)


@api.exception_handler(DjangoValidationError)
def _django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return _detail(request, "；".join(exc.messages), 400)


# --- Schemas ----------------------------------------------------------------------------------

class OrganisationOut(Schema):
    slug: str
    name: str
    short_name: str
    level: str
    level_display: str
    kind: str
    kind_display: str
    parent: str | None
    zhinan_url: str

    @staticmethod
    def resolve_level_display(obj: Organisation) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_kind_display(obj: Organisation) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_parent(obj: Organisation) -> str | None:
        return obj.parent.slug if obj.parent_id and obj.parent and obj.parent.is_active else None

    @staticmethod
    def resolve_zhinan_url(obj: Organisation) -> str:
        return reverse("portal:zhinan", args=[obj.slug])


class OrganisationDetailOut(OrganisationOut):
    """政府信息公开指南 contact data (《条例》第十二条). Empty strings mean 暂未提供."""

    credit_code: str
    division_code: str
    office_name: str
    office_address: str
    office_hours: str
    phone: str
    fax: str
    email: str
    postcode: str
    website: str
    updated_at: datetime


class MembershipOut(Schema):
    organisation: str
    organisation_name: str
    role: str
    role_display: str
    includes_subordinates: bool


class MeOut(Schema):
    username: str
    display_name: str
    account_type: str
    system_role: str
    memberships: list[MembershipOut]


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime


class TokenCreatedOut(TokenOut):
    token: str


class DetailOut(Schema):
    detail: str


# --- Endpoints --------------------------------------------------------------------------------

@api.get("/ping", auth=None, summary="连通性检查", tags=["系统"])
def ping(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


@api.get("/organisations", auth=None, response=list[OrganisationOut], summary="机关列表", tags=["机关"])
@paginate(PageNumberPagination, page_size=50)
def organisation_list(request: HttpRequest, level: str | None = None, parent: str | None = None) -> Any:
    """启用的机关，按机关树排列。可按层级（`level`）或上级机关网址标识（`parent`）筛选。"""
    if level is not None and level not in Organisation.Level.values:
        raise HttpError(400, f"未知的层级“{level}”，可选：{'、'.join(Organisation.Level.values)}。")
    organisations = Organisation.objects.filter(is_active=True).select_related("parent").order_by("tree_path", "name")
    if level:
        organisations = organisations.filter(level=level)
    if parent is not None:
        organisations = organisations.filter(parent__slug=parent, parent__is_active=True)
    return organisations


@api.get("/organisations/{slug}", auth=None, response={200: OrganisationDetailOut, 404: DetailOut},
         summary="机关及其政府信息公开指南联系信息", tags=["机关"])
def organisation_detail(request: HttpRequest, slug: str) -> Any:
    org = Organisation.objects.select_related("parent").filter(slug=slug, is_active=True).first()
    if org is None:
        raise Http404
    return org


@api.get("/me", auth=[django_auth, ApiTokenAuth()], response=MeOut, summary="当前用户", tags=["账号"])
def me(request: HttpRequest) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    memberships = user.memberships.filter(organisation__is_active=True).select_related("organisation")
    return {
        "username": user.username,
        "display_name": user.display_name,
        "account_type": user.account_type,
        "system_role": user.system_role,
        "memberships": [
            {
                "organisation": m.organisation.slug,
                "organisation_name": m.organisation.name,
                "role": m.role,
                "role_display": m.get_role_display(),
                "includes_subordinates": m.includes_subordinates,
            }
            for m in memberships.order_by("organisation__tree_path", "role")
        ],
    }


# Tokens are minted only from a full browser login (session + CSRF), never with another token.
@api.post("/me/tokens", auth=django_auth, response={201: TokenCreatedOut, 400: DetailOut, 403: DetailOut},
          summary="创建接口令牌（令牌明文只显示这一次）", tags=["账号"])
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    token, plaintext = api_token_create(actor=request.user, user=request.auth, name=payload.name,  # type: ignore[attr-defined]
                                        request=request)
    return Status(201, {"id": token.pk, "name": token.name, "prefix": token.prefix, "created_at": token.created_at,
                 "token": plaintext})


@api.get("/me/tokens", auth=django_auth, response=list[TokenOut], summary="我的接口令牌", tags=["账号"])
def token_list(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=request.auth, revoked_at__isnull=True).order_by("-created_at")  # type: ignore[attr-defined]


@api.delete("/me/tokens/{token_id}", auth=django_auth, response={204: None, 404: DetailOut},
            summary="吊销接口令牌", tags=["账号"])
def token_revoke(request: HttpRequest, token_id: int) -> Any:
    token = ApiToken.objects.filter(pk=token_id, user=request.auth, revoked_at__isnull=True).first()  # type: ignore[attr-defined]
    if token is None:
        raise Http404
    api_token_revoke(actor=request.user, token=token, request=request)
    return Status(204, None)


api.add_router("/calendar/", "gongkai.workcalendar.api.router")
api.add_router("/policies/", "gongkai.policies.api.router")
api.add_router("/disclosure/", "gongkai.disclosure.api.router")
api.add_router("/enterprises/", "gongkai.enterprise.api.router")
api.add_router("/policy-items/", "gongkai.enterprise.api_items.router")
api.add_router("/things/", "gongkai.things.api.router")
api.add_router("/push/", "gongkai.push.api.router")


def api_urls() -> Any:
    """Ninja does its own per-operation auth, so its views are exempt from LoginRequiredMiddleware."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = login_not_required(pattern.callback)  # type: ignore[type-var]
    return patterns, app_name, namespace
