"""API tokens (接口令牌): creation, revocation and lookup.

A token stands in for a full login, so it may only be created by someone who has already passed
the whole login (password and, for staff, TOTP) as that user, or by a system administrator (or
the operator at the console, ``actor=None``). Only the SM3 digest is stored; the plaintext is
returned once.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import has_system_perm
from gongkai.accounts.models import ApiToken, User
from gongkai.accounts.roles import Perm
from gongkai.core.audit import record, sm3_hex

TOKEN_PREFIX = "gk_"


def _is_verified_self(actor: Any, user: User) -> bool:
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        return False
    if user.account_type == User.AccountType.STAFF:
        # Set by django_otp's middleware on request.user only: a staff object loaded any other way
        # has no verified session behind it.
        is_verified = getattr(actor, "is_verified", None)
        return bool(is_verified and is_verified())
    return True


def _may_manage_tokens(actor: Any, user: User) -> bool:
    return actor is None or has_system_perm(actor, Perm.MANAGE_USERS) or _is_verified_self(actor, user)


@transaction.atomic
def api_token_create(
    *, actor: Any, user: User, name: str, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """创建接口令牌. Returns the token row and the plaintext (shown once, never stored)."""
    if not _may_manage_tokens(actor, user):
        raise PermissionDenied("只有本人（已完成登录验证）或系统管理员可以创建接口令牌。")
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写令牌用途。")
    if len(name) > 100:
        raise ValidationError("令牌用途不能超过100个字。")
    if not user.is_active:
        raise ValidationError("该用户已停用，不能创建接口令牌。")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=plaintext[:8], digest=sm3_hex(plaintext.encode())
    )
    record("api_token.create", request=request, actor=actor, obj=token,
           after={"user": user.username, "name": name, "prefix": token.prefix})
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    """吊销接口令牌."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not _may_manage_tokens(actor, token.user):
        raise PermissionDenied("只有本人（已完成登录验证）或系统管理员可以吊销接口令牌。")
    if token.revoked_at is not None:
        raise ValidationError("该令牌已经吊销。")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record("api_token.revoke", request=request, actor=actor, obj=token,
           before={"revoked_at": None}, after={"revoked_at": token.revoked_at})
    return token


def api_token_authenticate(plaintext: str) -> User | None:
    """The user behind a presented token, or None (unknown, revoked, or user disabled).

    ``last_used_at`` is bookkeeping, not a business change: it is updated without an audit row so
    that every API call does not append to the audit chain.
    """
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=sm3_hex(plaintext.encode()), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
