"""Views of 订阅与推送: thin — parse, call one access function and one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongkai.core.permissions import staff_required
from gongkai.push import selectors, services
from gongkai.push.access import access_push, access_subscription
from gongkai.push.feeds import SubscriptionFeed
from gongkai.push.forms import SubscriptionForm
from gongkai.push.gateways import SIGNATURE_HEADER, TIMESTAMP_HEADER
from gongkai.push.models import OutboxMessage, Subscription


def _mine_context(request: HttpRequest, form: SubscriptionForm) -> dict[str, Any]:
    return {"form": form, "subscriptions": selectors.user_subscriptions(request.user),
            "push_messages": selectors.user_push_messages(request.user)}


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的订阅 (login required by the middleware): the signed-in user's own subscriptions."""
    return render(request, "push/mine.html", _mine_context(request, SubscriptionForm()))


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.subscribe(user=request.user, kind=data["kind"], channels=data["channels"], tag=data.get("tag"),
                               region_code=data.get("region_code", ""), organisation=data.get("organisation"),
                               phone=data.get("phone", ""), wechat_openid=data.get("wechat_openid", ""),
                               request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "订阅成功。有符合条件的新政策发布时，我们会按您选择的方式通知您。")
            return redirect("push:mine")
    return render(request, "push/mine.html", _mine_context(request, form), status=400)


@require_POST
def cancel(request: HttpRequest, sub_id: int) -> HttpResponse:
    sub = access_subscription(request.user, sub_id, request=request)
    services.cancel_subscription(user=request.user, subscription=sub, request=request)
    messages.success(request, f"已取消订阅：{sub.describe()}。")
    return redirect("push:mine")


@login_not_required
@csrf_exempt  # the token in the URL is the authority (RFC 8058 one-click POST carries no CSRF token)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, unsubscribe_token: str) -> HttpResponse:
    """一键退订: GET shows one button (mail scanners that prefetch links change nothing), POST
    unsubscribes — from that button or from a mail client's List-Unsubscribe-Post."""
    if request.method == "POST":
        sub = services.unsubscribe_by_token(unsubscribe_token, request=request)
        if sub is None:
            raise Http404("未找到该订阅。")
        return render(request, "push/unsubscribe.html", {"sub": sub, "done": True})
    found = Subscription.objects.select_related("tag", "organisation").filter(
        unsubscribe_token=unsubscribe_token).first() if len(unsubscribe_token) <= 64 else None
    if found is None:
        raise Http404("未找到该订阅。")
    return render(request, "push/unsubscribe.html", {"sub": found, "done": not found.active})


@login_not_required
@require_GET
def read(request: HttpRequest, read_token: str) -> HttpResponse:
    """阅读跟踪: record the first open, then go to the document."""
    message = services.mark_read_by_token(read_token, request=request)
    if message is None:
        raise Http404("未找到该消息。")
    return redirect(message.push.link)


feed = login_not_required(SubscriptionFeed())


@login_not_required
@csrf_exempt  # gateways authenticate with the HMAC-SM3 signature, not a session
@require_POST
def receipt(request: HttpRequest, channel: str) -> HttpResponse:
    try:
        message = services.apply_receipt(channel, body=request.body,
                                         timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
                                         signature=request.headers.get(SIGNATURE_HEADER, ""), request=request)
    except PermissionDenied as exc:
        return JsonResponse({"ok": False, "error": str(exc)}, status=403)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "error": "；".join(exc.messages)}, status=400)
    return JsonResponse({"ok": True, "status": message.status})


@staff_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    """推送统计: pushes of the user's own organisations with sent / delivered / read and 到达率."""
    page = Paginator(selectors.staff_pushes(request.user), 30).get_page(request.GET.get("page"))
    counts = selectors.push_counts([p.pk for p in page])
    rows = [(p, counts.get(p.pk, selectors.PushCounts())) for p in page]
    return render(request, "push/staff_list.html", {"page": page, "rows": rows})


@staff_required
@require_GET
def staff_detail(request: HttpRequest, push_id: int) -> HttpResponse:
    push = access_push(request.user, push_id, request=request)
    totals = selectors.push_counts([push.pk]).get(push.pk, selectors.PushCounts())
    failed = (OutboxMessage.objects.filter(push=push, status=OutboxMessage.Status.FAILED)
              .only("id", "channel", "attempts", "last_error", "status").order_by("id")[:50])
    return render(request, "push/staff_detail.html", {"push": push, "totals": totals,
                                                      "by_channel": selectors.channel_counts(push),
                                                      "failed": failed})
