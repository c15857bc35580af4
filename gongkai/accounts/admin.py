"""The Django admin site (系统管理) — for the 系统管理员 alone (三权分立).

Only a verified (password + TOTP) staff user whose ``system_role`` is ``system_admin`` gets in;
Django's own admin login form is replaced by a redirect to our two-step login, so it can never be
a way around TOTP. These users are not Django superusers: each ModelAdmin grants permissions from
the system role, and every save or delete goes through the services in ``services.py`` so it is
audited with before/after. The audit log itself is deliberately not registered here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from gongkai.accounts import services
from gongkai.accounts.access import has_system_perm
from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import Perm, SystemRole


def _is_system_admin(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(
        user.is_authenticated
        and user.is_active
        and user.account_type == User.AccountType.STAFF
        and user.system_role == SystemRole.SYSTEM_ADMIN
        and user.is_verified()
    )


def _has_permission(request: HttpRequest) -> bool:
    if _is_system_admin(request):
        return True
    if request.user.is_authenticated:
        # Signed in but not the system administrator: a plain 403, not Django's admin login form.
        raise PermissionDenied("只有系统管理员可以使用系统管理。")
    return False


def _login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    if request.user.is_authenticated:
        if _is_system_admin(request):
            return HttpResponseRedirect("/admin/")
        raise PermissionDenied("只有系统管理员可以使用系统管理。")
    next_url = request.GET.get("next") or "/admin/"
    return HttpResponseRedirect(f"{settings.LOGIN_URL_PATH}?{urlencode({'next': next_url})}")


# Patch the default site (rather than swap in a subclass through settings) so that
# ``admin.site.urls`` in gongkai/urls.py keeps working unchanged.
admin.site.has_permission = _has_permission  # type: ignore[method-assign]
admin.site.login = _login  # type: ignore[method-assign]
admin.site.site_header = "公开 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "机关、用户与任职"
admin.site.unregister(Group)


class SystemRoleAdmin(admin.ModelAdmin[Any]):
    """Permissions follow the system role; nothing follows Django's per-model permissions."""

    perm = Perm.MANAGE_USERS

    def _allowed(self, request: HttpRequest) -> bool:
        return _is_system_admin(request) and has_system_perm(request.user, self.perm)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # No bulk delete: it would skip the services and their audit rows.
        return {}


def _copy_saved(target: Model, saved: Model) -> None:
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


@admin.register(Organisation)
class OrganisationAdmin(SystemRoleAdmin):
    perm = Perm.MANAGE_ORGS
    list_display = ["name", "level", "kind", "parent", "credit_code", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "short_name", "credit_code"]
    readonly_fields = ["tree_path", "created_at", "updated_at"]
    autocomplete_fields = ["parent"]
    ordering = ["tree_path"]

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            saved = services.organisation_update(
                actor=request.user, organisation=Organisation.objects.get(pk=obj.pk), request=request, **fields
            )
        else:
            all_fields = {name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data}
            saved = services.organisation_create(actor=request.user, request=request, **all_fields)
        _copy_saved(obj, saved)


class UserAdminForm(forms.ModelForm[User]):
    new_password1 = forms.CharField(
        label="新密码", required=False, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="新建用户必填；修改用户时留空表示不修改密码。至少12个字符。",
    )
    new_password2 = forms.CharField(
        label="确认新密码", required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "account_type", "system_role", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if not self.instance.pk and not p1:
            self.add_error("new_password1", "新建用户须设置初始密码。")
        if p1 or p2:
            if p1 != p2:
                self.add_error("new_password2", "两次输入的密码不一致。")
            else:
                try:
                    validate_password(p1 or "", self.instance)
                except ValidationError as exc:
                    self.add_error("new_password1", exc)
        if data.get("system_role") and data.get("account_type") != User.AccountType.STAFF:
            self.add_error("system_role", "系统角色只能授予工作人员账号。")
        elif data.get("system_role") and self.instance.pk and self.instance.memberships.exists():
            self.add_error("system_role", "该用户已担任机关业务角色，不能再授予系统角色（三权分立）。")
        return data


@admin.register(User)
class UserAdmin(SystemRoleAdmin):
    perm = Perm.MANAGE_USERS
    form = UserAdminForm
    list_display = ["username", "display_name", "account_type", "system_role", "is_active", "last_login"]
    list_filter = ["account_type", "system_role", "is_active"]
    search_fields = ["username", "display_name", "email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "display_name", "email"]}),
        ("账号与角色", {"fields": ["account_type", "system_role", "is_active"]}),
        ("密码", {"fields": ["new_password1", "new_password2"]}),
        ("记录", {"fields": ["last_login", "date_joined"]}),
    ]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        password = data.get("new_password1") or None
        try:
            if change:
                changes = {name: data[name] for name in form.changed_data if name in UserAdminForm.Meta.fields}
                saved = services.user_update(actor=request.user, user=User.objects.get(pk=obj.pk),
                                             request=request, password=password, **changes)
            else:
                saved = services.user_create(
                    actor=request.user, username=data["username"], password=password,
                    account_type=data["account_type"], display_name=data.get("display_name", ""),
                    system_role=data.get("system_role", ""), email=data.get("email", ""), request=request,
                )
                if not data.get("is_active", True):
                    saved = services.user_update(actor=request.user, user=saved, request=request, is_active=False)
        except ValidationError as exc:
            # Rules checked only in the service (三权分立) surface as a plain 400-style message.
            raise PermissionDenied("；".join(exc.messages)) from None
        _copy_saved(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # groups and user_permissions are not on the form: nothing related to save.
        return None


class MembershipAdminForm(forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role", "includes_subordinates"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user = data.get("user")
        if user is not None:
            if user.account_type != User.AccountType.STAFF:
                self.add_error("user", "只有工作人员账号可以担任机关角色。")
            elif user.system_role:
                self.add_error("user", "系统管理员、安全管理员和审计员不能同时担任机关业务角色（三权分立）。")
        if self.instance.pk:
            for name in ("user", "organisation", "role"):
                if name in self.changed_data:
                    self.add_error(name, "任职的用户、机关和角色不能修改；请撤销后重新授予。")
        return data


@admin.register(Membership)
class MembershipAdmin(SystemRoleAdmin):
    perm = Perm.MANAGE_USERS
    form = MembershipAdminForm
    list_display = ["user", "organisation", "role", "includes_subordinates", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = services.membership_update(actor=request.user, membership=Membership.objects.get(pk=obj.pk),
                                               includes_subordinates=data["includes_subordinates"],
                                               request=request)
        else:
            saved = services.membership_grant(
                actor=request.user, user=data["user"], organisation=data["organisation"], role=data["role"],
                includes_subordinates=data["includes_subordinates"], request=request,
            )
        _copy_saved(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_revoke(actor=request.user, membership=obj, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for membership in queryset:
            services.membership_revoke(actor=request.user, membership=membership, request=request)
