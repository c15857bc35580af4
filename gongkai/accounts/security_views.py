"""安全管理 — the 安全管理员's page: current login lockouts and TOTP resets."""

from __future__ import annotations

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.accounts import services
from gongkai.accounts.models import User
from gongkai.accounts.roles import Perm
from gongkai.core.permissions import system_perm_required


class UnlockForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, required=False)
    ip_address = forms.GenericIPAddressField(label="IP 地址", required=False)


class OtpResetForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)


@system_perm_required(Perm.UNLOCK_ACCOUNTS)
def security_home(request: HttpRequest) -> HttpResponse:
    attempts = AccessAttempt.objects.order_by("-attempt_time")[:200]
    rows = [
        {"attempt": a, "locked": a.failures_since_start >= settings.AXES_FAILURE_LIMIT} for a in attempts
    ]
    return render(request, "accounts/security.html",
                  {"rows": rows, "reset_form": OtpResetForm(), "limit": settings.AXES_FAILURE_LIMIT})


@require_POST
@system_perm_required(Perm.UNLOCK_ACCOUNTS)
def security_unlock(request: HttpRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if form.is_valid():
        try:
            removed = services.security_unlock(
                actor=request.user, username=form.cleaned_data["username"],
                ip_address=form.cleaned_data["ip_address"] or "", request=request,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已解除锁定，清除 {removed} 条失败记录。")
    else:
        messages.error(request, "请求无效：请指定用户名或有效的 IP 地址。")
    return redirect("security:home")


@require_POST
@system_perm_required(Perm.RESET_OTP)
def security_reset_otp(request: HttpRequest) -> HttpResponse:
    form = OtpResetForm(request.POST)
    user = None
    if form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
    if user is None:
        messages.error(request, "未找到该用户，动态验证码未重置。")
    else:
        services.security_reset_otp(actor=request.user, user=user, request=request)
        messages.success(request, f"已重置 {user.username} 的动态验证码；该用户下次登录时须重新绑定。")
    return redirect("security:home")
