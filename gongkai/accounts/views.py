"""Login in two steps: password, then (for staff, and public users who enabled it) a TOTP code
or a one-time backup code. ``login()`` runs only after the second step, so a session that passed
only the password step is never authenticated (reliability.md §5 item 9).

Also: public self-registration (公众注册) and TOTP enrolment (绑定动态验证码)."""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import quote

import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.util import random_hex

from gongkai.accounts import services
from gongkai.accounts.models import User
from gongkai.core.audit import record
from gongkai.core.models import AuditEvent

PENDING_USER = "gongkai_pending_user"
PENDING_AT = "gongkai_pending_at"
PENDING_NEXT = "gongkai_pending_next"
STAFF_HOME = "/staff/"
PENDING_MAX_AGE = 300  # seconds between the password step and the code step
ENROL_KEY = "gongkai_enrol_key"
BACKUP_CODES = "gongkai_backup_codes"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

GENERIC_FAILURE = "用户名或密码不正确。"


class PasswordForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", strip=False, max_length=128, widget=forms.PasswordInput)


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label="动态验证码",
        max_length=16,
        help_text="请输入身份验证器应用中的6位数字，或一个一次性备用码。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EnrolForm(forms.Form):
    otp_token = forms.CharField(
        label="动态验证码", max_length=8,
        help_text="用身份验证器应用扫描二维码（或手工输入密钥）后，输入应用显示的6位数字。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _needs_second_factor(user: User) -> bool:
    if user.account_type == User.AccountType.STAFF:
        return True
    return any(True for _ in devices_for_user(user, confirmed=True))


def _safe_next(request: HttpRequest, candidate: str | None, user: User) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    # Staff start their day at the workbench; the public go back to the portal.
    return STAFF_HOME if user.account_type == User.AccountType.STAFF else settings.LOGIN_REDIRECT_URL_PATH


def _clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_AT, PENDING_NEXT, ENROL_KEY):
        request.session.pop(key, None)


def _locked_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/locked_out.html", status=429)


def _authenticate(request: HttpRequest, username: str, password: str) -> Any:
    return django_authenticate(request, username=username, password=password)


@login_not_required
@never_cache
@sensitive_post_parameters("password", "otp_token")
def login_view(request: HttpRequest) -> HttpResponse:
    step = request.GET.get("step")
    if step in ("otp", "enrol") and request.session.get(PENDING_USER):
        return otp_step(request) if step == "otp" else enrol_step(request)
    form = PasswordForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if not form.is_valid():
            error = GENERIC_FAILURE
        else:
            user = _authenticate(request, form.cleaned_data["username"], form.cleaned_data["password"])
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request)
            if user is None or not user.is_active:
                error = GENERIC_FAILURE
            else:
                next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"), user)
                if not _needs_second_factor(user):
                    login(request, user)
                    return redirect(next_url)
                # Password alone is not a login: only the pending marker goes into a fresh session.
                request.session.cycle_key()
                request.session[PENDING_USER] = user.pk
                request.session[PENDING_AT] = time.time()
                request.session[PENDING_NEXT] = next_url
                if not any(True for _ in devices_for_user(user, confirmed=True)):
                    # Staff without a device (new account, or reset by the 安全管理员) enrol now.
                    return redirect(f"{settings.LOGIN_URL_PATH}?step=enrol")
                return redirect(f"{settings.LOGIN_URL_PATH}?step=otp")
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "expired": request.GET.get("expired"),
         "next": request.POST.get("next") or request.GET.get("next", "")},
        status=200 if not error else 400,
    )


def _pending_user(request: HttpRequest) -> User | None:
    pending_at = float(request.session.get(PENDING_AT, 0))
    user = User.objects.filter(pk=int(request.session.get(PENDING_USER) or 0), is_active=True).first()
    if user is None or time.time() - pending_at > PENDING_MAX_AGE:
        _clear_pending(request)
        return None
    return user


def _finish_login(request: HttpRequest, user: User, device: Any) -> HttpResponse:
    next_url = request.session.get(PENDING_NEXT) or settings.LOGIN_REDIRECT_URL_PATH
    _clear_pending(request)
    user.otp_device = device  # type: ignore[attr-defined]
    login(request, user, backend=MODEL_BACKEND)
    otp_login(request, device)
    return redirect(next_url)


def otp_step(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect(f"{settings.LOGIN_URL_PATH}?expired=1")
    credentials = {"username": user.username}
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST":
        # A lockout that began after the password step (failures elsewhere) still applies here.
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.flush()
            return _locked_out(request)
        device = None
        if form.is_valid():
            device = match_token(user, form.cleaned_data["otp_token"].strip().replace(" ", ""))
        if device is None:
            error = "动态验证码不正确或已使用，请重新输入。"
            # Wrong codes count towards the django-axes lockout like wrong passwords.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request, reason="otp")
            if getattr(request, "axes_locked_out", False):
                request.session.flush()
                return _locked_out(request)
        else:
            return _finish_login(request, user, device)
    return render(request, "accounts/login_otp.html", {"form": form, "error": error, "pending_user": user},
                  status=200 if not error else 400)


def _enrolment_context(request: HttpRequest, user: User) -> dict[str, Any]:
    key_hex = request.session.get(ENROL_KEY)
    if not key_hex:
        key_hex = random_hex(20)
        request.session[ENROL_KEY] = key_hex
    secret = base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.username}")
    uri = f"otpauth://totp/{label}?secret={secret}&algorithm=SHA1&digits=6&period=30&issuer={quote(issuer)}"
    qr_svg = segno.make(uri, micro=False).svg_inline(scale=4, title="动态验证码绑定二维码")
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return {"qr_svg": qr_svg, "secret": grouped, "key_hex": key_hex}


def _confirm_enrolment(request: HttpRequest, user: User, form: forms.Form, key_hex: str) -> list[str] | None:
    """Bind the authenticator if the code matches; return the backup codes, or None with the error
    added to the form."""
    try:
        return services.otp_enrol(actor=user, user=user, key_hex=key_hex,
                                  token=form.cleaned_data["otp_token"], request=request)
    except ValidationError as exc:
        form.add_error("otp_token", exc.message_dict.get("otp_token", exc.messages))
        return None


def enrol_step(request: HttpRequest) -> HttpResponse:
    """First login of a staff member without a device: bind an authenticator, then log in."""
    user = _pending_user(request)
    if user is None:
        return redirect(f"{settings.LOGIN_URL_PATH}?expired=1")
    if any(True for _ in devices_for_user(user, confirmed=True)):
        return redirect(f"{settings.LOGIN_URL_PATH}?step=otp")
    form = EnrolForm(request.POST or None)
    context = _enrolment_context(request, user)
    if request.method == "POST" and form.is_valid():
        codes = _confirm_enrolment(request, user, form, context["key_hex"])
        if codes is None:
            user_login_failed.send(sender=__name__, credentials={"username": user.username},
                                   request=request, reason="otp_enrol")
            if getattr(request, "axes_locked_out", False):
                request.session.flush()
                return _locked_out(request)
        else:
            device = next(iter(devices_for_user(user, confirmed=True)))
            _finish_login(request, user, device)
            # Show the backup codes once before going on.
            request.session[BACKUP_CODES] = codes
            return redirect("accounts:two_factor")
    context.update({"form": form, "pending_user": user, "during_login": True})
    return render(request, "accounts/two_factor_enrol.html", context, status=400 if form.errors else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    # logout() flushes the session: data and key are gone (剩余信息保护).
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


class RegisterForm(forms.Form):
    account_type = forms.ChoiceField(
        label="账号类型", widget=forms.RadioSelect,
        choices=[(User.AccountType.PERSON, "公民"), (User.AccountType.ENTERPRISE, "法人或其他组织")],
        initial=User.AccountType.PERSON,
    )
    username = forms.RegexField(
        label="用户名", max_length=150, min_length=3, regex=r"^[\w.@+-]+\Z",
        help_text="3至150个字符，可使用字母、数字和 @ . + - _。",
        error_messages={"invalid": "用户名只能包含字母、数字和 @ . + - _。"},
    )
    display_name = forms.CharField(label="姓名或单位名称", max_length=100)
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=18, required=False,
        help_text="法人或其他组织必填，18位。",
    )
    email = forms.EmailField(label="电子邮箱（选填）", required=False)
    password1 = forms.CharField(
        label="密码", strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少12个字符；不要使用常见密码或与用户名相近的密码。",
    )
    password2 = forms.CharField(
        label="确认密码", strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # Honeypot: hidden from people by CSS and from screen readers; bots fill every field.
    homepage = forms.CharField(
        label="请勿填写此项", required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致。")
        if data.get("account_type") == User.AccountType.ENTERPRISE and not data.get("credit_code"):
            self.add_error("credit_code", "法人或其他组织须填写统一社会信用代码。")
        return data


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
def register_view(request: HttpRequest) -> HttpResponse:
    """公众注册 — citizens and organisations create their own accounts; staff accounts are created
    by the 系统管理员 only."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("homepage"):
            record("antiautomation.honeypot", request=request, object_type="accounts.User",
                   object_repr=str(data.get("username", ""))[:150], result=AuditEvent.Result.DENIED,
                   detail="register")
            form.add_error(None, "提交未成功，请稍后重试。")
        else:
            try:
                user = services.public_user_register(
                    username=data["username"], password=data["password1"],
                    account_type=data["account_type"], display_name=data["display_name"],
                    credit_code=data.get("credit_code", ""), email=data.get("email", ""), request=request,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                login(request, user, backend=MODEL_BACKEND)
                return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.errors else 200)


def _add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    field_map = {"password": "password1", "__all__": None}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        # validate_password raises a plain list of messages.
        form.add_error("password1", exc.messages)


@never_cache
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """绑定动态验证码 — a signed-in public user turns on the second factor; after binding, staff and
    public users see their one-time backup codes here once."""
    user: Any = request.user
    backup_codes = request.session.pop(BACKUP_CODES, None)
    has_device = any(True for _ in devices_for_user(user, confirmed=True))
    if backup_codes or has_device:
        return render(request, "accounts/two_factor_done.html",
                      {"backup_codes": backup_codes, "has_device": has_device})
    if user.account_type == User.AccountType.STAFF:
        raise PermissionDenied("工作人员的动态验证码由安全管理员管理。")
    form = EnrolForm(request.POST or None)
    context = _enrolment_context(request, user)
    if request.method == "POST" and form.is_valid():
        codes = _confirm_enrolment(request, user, form, context["key_hex"])
        if codes is not None:
            request.session.pop(ENROL_KEY, None)
            device = next(iter(devices_for_user(user, confirmed=True)))
            otp_login(request, device)
            request.session[BACKUP_CODES] = codes
            return redirect("accounts:two_factor")
    context.update({"form": form, "during_login": False})
    return render(request, "accounts/two_factor_enrol.html", context, status=400 if form.errors else 200)
