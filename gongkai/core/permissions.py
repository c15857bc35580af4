"""View decorators for staff pages. Function-level checks; object-level checks are the
``access_*`` functions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from gongkai.accounts.access import has_system_perm

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """A verified (password + TOTP) staff member; others get 403 (anonymous users never get
    here: LoginRequiredMiddleware sends them to the login page first)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if not (user.is_authenticated and user.account_type == "staff" and user.is_verified()):
            raise PermissionDenied("此页面仅供工作人员使用。")
        return view(request, *args, **kwargs)

    return wrapper


def system_perm_required(perm: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        @staff_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_system_perm(request.user, perm):
                raise PermissionDenied("您的角色无权访问此页面。")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
