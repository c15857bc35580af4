"""站内消息: the signed-in user's own messages only — staff at ``/staff/inbox/`` (verified staff,
inside the workbench), citizens and enterprises at ``/xiaoxi/`` (pushed policies, replies)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongkai.core.permissions import staff_required
from gongkai.notifications import selectors, services


def _inbox(request: HttpRequest, namespace: str) -> HttpResponse:
    page = selectors.inbox_page(request.user, request.GET.get("page"))
    return render(request, "notifications/inbox.html",
                  {"page": page, "unread": selectors.unread_count(request.user), "ns": namespace,
                   "is_staff_inbox": namespace == "notifications"})


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request, "notifications")


def public_inbox(request: HttpRequest) -> HttpResponse:
    """我的消息 for citizen and enterprise accounts (login required by the middleware)."""
    if getattr(request.user, "account_type", "") == "staff":
        return inbox(request)  # the staff inbox, with its second-factor check
    return _inbox(request, "notifications_public")


@require_POST
@staff_required
def mark_read(request: HttpRequest) -> HttpResponse:
    return _mark_read(request, "notifications")


@require_POST
def public_mark_read(request: HttpRequest) -> HttpResponse:
    return _mark_read(request, "notifications_public")


def _mark_read(request: HttpRequest, namespace: str) -> HttpResponse:
    """标为已读: ``all=1`` for every unread message, else one or more ``id`` values (each must be
    the user's own, or the answer is 404)."""
    if request.POST.get("all"):
        changed = services.mark_read(request.user, "all", request=request)
    else:
        changed = services.mark_read(request.user, request.POST.getlist("id"), request=request)
    messages.success(request, f"已将 {changed} 条消息标为已读。" if changed else "所选消息已是已读状态。")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(f"{namespace}:inbox")
