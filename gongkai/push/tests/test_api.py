"""订阅与推送 API (/api/v1/push/, issue 6 §4 and the §5 "done when": an enterprise gets pushed a
new item). Only the signed-in user's own subscriptions and messages; someone else's subscription
is a 404, anonymous callers a 401."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gongkai.enterprise.tests.item_helpers import make_item
from gongkai.policies.tests.fixtures import make_document
from gongkai.push import services
from gongkai.push.models import OutboxMessage, Subscription
from gongkai.push.tests.helpers import make_public_user
from gongkai.things.tests.helpers import make_enterprise, make_enterprise_user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/push"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_enterprise_subscribes_and_sees_the_item_pushed_after_it_is_published(world: Any) -> None:
    """符合条件 subscription: publishing an item the enterprise qualifies for (every hard condition
    met) puts a message in its list; marking it read is tracked."""
    user = make_enterprise_user("push_api_ent")
    make_enterprise("推送测试科技有限公司", region_code="430102", employees=50, user=user)
    client = _client(user)
    response = client.post(f"{BASE}/subscriptions", {"kind": "qualify", "channels": ["inbox"]},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    sub = response.json()
    assert sub["kind"] == "qualify" and sub["channels"] == ["inbox"] and sub["feed_url"].startswith("/push/feed/")
    assert [s["id"] for s in client.get(f"{BASE}/subscriptions").json()] == [sub["id"]]
    assert client.get(f"{BASE}/messages").json() == []

    document = make_document(world.org, title="关于小微企业稳岗补贴的通知")
    item = make_item(document, world.org, title="小微企业稳岗补贴", publish=True)  # 长沙市, ≤300 人
    assert services.deliver_due().delivered == 1
    messages = client.get(f"{BASE}/messages").json()
    assert len(messages) == 1
    message = messages[0]
    assert "小微企业稳岗补贴" in message["title"]
    assert message["subject_type"] == "item" and message["status"] == "delivered" and message["read"] is False
    push_id = message["push_id"]
    assert OutboxMessage.objects.get(recipient=user).push.item_id == item.pk

    read = client.post(f"{BASE}/messages/{push_id}/read")
    assert read.status_code == 200 and read.json()["read"] is True and read.json()["status_label"] == "已读"
    assert client.get(f"{BASE}/messages").json()[0]["status"] == "read"
    assert client.post(f"{BASE}/messages/{push_id + 999}/read").status_code == 404


def test_subscriptions_are_validated_in_chinese_and_belong_to_their_user(world: Any) -> None:
    alice, bob = make_public_user("alice_api"), make_public_user("bob_api")
    client = _client(alice)
    assert client.post(f"{BASE}/subscriptions", {"kind": "qualify"}, content_type="application/json").json() == {
        "detail": "按“本企业符合条件的政策”订阅，需要先认领并核验本企业的档案。", "errors": {}}
    assert client.post(f"{BASE}/subscriptions", {"kind": "organisation", "organisation": "no-such"},
                       content_type="application/json").status_code == 422
    created = client.post(f"{BASE}/subscriptions", {"kind": "organisation", "organisation": world.org.slug},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["organisation"] == world.org.slug
    sub_id = created.json()["id"]
    duplicate = client.post(f"{BASE}/subscriptions", {"kind": "organisation", "organisation": world.org.slug},
                            content_type="application/json")
    assert duplicate.status_code == 422 and duplicate.json()["detail"] == "您已订阅过相同的内容。"

    # Bob can neither see nor cancel Alice's subscription.
    bob_client = _client(bob)
    assert bob_client.get(f"{BASE}/subscriptions").json() == []
    assert bob_client.delete(f"{BASE}/subscriptions/{sub_id}").status_code == 404
    assert Subscription.objects.get(pk=sub_id).active is True

    assert client.delete(f"{BASE}/subscriptions/{sub_id}").status_code == 204
    assert Subscription.objects.get(pk=sub_id).active is False
    assert client.get(f"{BASE}/subscriptions").json() == []

    anonymous = Client()
    for method, path in [("get", f"{BASE}/subscriptions"), ("post", f"{BASE}/subscriptions"),
                         ("delete", f"{BASE}/subscriptions/{sub_id}"), ("get", f"{BASE}/messages"),
                         ("post", f"{BASE}/messages/1/read")]:
        response = getattr(anonymous, method)(path, {}, content_type="application/json")
        assert response.status_code == 401, (method, path)
