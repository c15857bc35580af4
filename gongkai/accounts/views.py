"""Login in two steps: password, then (for staff, and public users who enabled it) a TOTP code
or a one-time backup code. ``login()`` runs only after the second step, so a session that passed
only the password step is never authenticated (reliability.md §5 item 9)."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from gongkai.accounts.models import User

PENDING_USER = "gongkai_pending_user"
PENDING_AT = "gongkai_pending_at"
PENDING_NEXT = "gongkai_pending_next"
PENDING_MAX_AGE = 300  # seconds between the password step and the code step

GENERIC_FAILURE = "用户名或密码不正确。"


class PasswordForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label="动态验证码",
        max_length=16,
        help_text="请输入身份验证器应用中的6位数字，或一个一次性备用码。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _needs_second_factor(user: User) -> bool:
    if user.account_type == User.AccountType.STAFF:
        return True
    return any(True for _ in devices_for_user(user, confirmed=True))


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL_PATH


@login_not_required
@never_cache
@sensitive_post_parameters("password", "otp_token")
def login_view(request: HttpRequest) -> HttpResponse:
    if request.GET.get("step") == "otp" and request.session.get(PENDING_USER):
        return otp_step(request)
    form = PasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return render(request, "accounts/locked_out.html", status=429)
        if user is None or not user.is_active:
            error = GENERIC_FAILURE
        else:
            next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
            if not _needs_second_factor(user):
                login(request, user)
                return redirect(next_url)
            if not any(True for _ in devices_for_user(user, confirmed=True)):
                error = "您的账号尚未绑定动态验证码设备，请联系安全管理员。"
            else:
                request.session.cycle_key()
                request.session[PENDING_USER] = user.pk
                request.session[PENDING_AT] = time.time()
                request.session[PENDING_NEXT] = next_url
                return redirect(f"{settings.LOGIN_URL_PATH}?step=otp")
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "expired": request.GET.get("expired"),
         "next": request.GET.get("next", "")},
        status=200 if not error else 400,
    )


def otp_step(request: HttpRequest) -> HttpResponse:
    pending_at = float(request.session.get(PENDING_AT, 0))
    user = User.objects.filter(pk=int(request.session.get(PENDING_USER) or 0), is_active=True).first()
    if user is None or time.time() - pending_at > PENDING_MAX_AGE:
        for key in (PENDING_USER, PENDING_AT, PENDING_NEXT):
            request.session.pop(key, None)
        return redirect(f"{settings.LOGIN_URL_PATH}?expired=1")
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["otp_token"].strip().replace(" ", ""))
        if device is None:
            error = "动态验证码不正确或已使用，请重新输入。"
            # Wrong codes count towards the django-axes lockout like wrong passwords.
            user_login_failed.send(
                sender=__name__, credentials={"username": user.username}, request=request,
                reason="otp",
            )
            if getattr(request, "axes_locked_out", False):
                request.session.flush()
                return render(request, "accounts/locked_out.html", status=429)
        else:
            next_url = request.session.get(PENDING_NEXT) or settings.LOGIN_REDIRECT_URL_PATH
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            return redirect(next_url)
    return render(request, "accounts/login_otp.html", {"form": form, "error": error, "pending_user": user},
                  status=200 if not error else 400)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
