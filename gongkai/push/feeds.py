"""专属订阅源: a private RSS feed per subscription, reached by its ``feed_token`` (no login)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed

from gongkai.policies.models import Document
from gongkai.push.models import Subscription
from gongkai.push.selectors import feed_documents


class SubscriptionFeed(Feed):  # type: ignore[type-arg]
    feed_type = Rss201rev2Feed
    language = "zh-cn"

    def get_object(self, request: HttpRequest, feed_token: str = "") -> Subscription:
        sub = (Subscription.objects.select_related("tag", "organisation")
               .filter(feed_token=feed_token, active=True).first() if 0 < len(feed_token) <= 64 else None)
        if sub is None:
            raise Http404("未找到该订阅源。")
        return sub

    def title(self, obj: Subscription) -> str:
        return f"我的政策订阅：{obj.describe()}"

    def link(self, obj: Subscription) -> str:
        return reverse("policies:home")

    def description(self, obj: Subscription) -> str:
        return "根据您的订阅条件筛选的已公开政策文件（专属订阅源，请勿分享链接）。"

    def items(self, obj: Subscription) -> list[Document]:
        return list(feed_documents(obj))

    def item_title(self, item: Document) -> str:
        return f"{item.title}（{item.doc_number}）" if item.doc_number else item.title

    def item_description(self, item: Document) -> str:
        return item.summary or item.body_text[:300]

    def item_link(self, item: Document) -> str:
        return reverse("policies:document", args=[item.pk])

    def item_guid(self, item: Document) -> str:
        return item.index_no

    item_guid_is_permalink = False

    def item_pubdate(self, item: Document) -> datetime | None:
        return item.published_at

    def item_author_name(self, item: Document) -> str:
        return item.lead_issuer

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = super().__call__(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private, max-age=300"
        return response
