"""Test helpers for push: a local signed HTTP gateway on 127.0.0.1 (never an outside address),
users, publication through the real workflow, and the URL-coverage fillers."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gongkai.domain.push import verify

GATEWAY_KEY = "test-gateway-key-0123456789abcdef"


class LocalGateway:
    """A gateway that follows the contract in ``gongkai.push.gateways``: checks the HMAC-SM3
    signature, delivers each Idempotency-Key once (a repeat answers with the first provider id),
    and can be told to fail the next N requests with a status code."""

    def __init__(self, key: str = GATEWAY_KEY) -> None:
        self.key = key.encode()
        self.requests: list[dict[str, Any]] = []  # every POST received (signature valid or not)
        self.delivered: dict[str, dict[str, Any]] = {}  # idempotency key → first payload
        self.handset: list[tuple[str, str]] = []  # (to, message link subject) actually handed on, in order
        self.bad_signatures = 0
        self.fail_next: list[int] = []
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 — http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ok = verify(gateway.key, self.headers.get("X-Gongkai-Timestamp", ""), body,
                            self.headers.get("X-Gongkai-Signature", ""))
                key = self.headers.get("Idempotency-Key", "")
                with gateway.lock:
                    gateway.requests.append({"key": key, "path": self.path, "body": json.loads(body or b"{}")})
                    if not ok:
                        gateway.bad_signatures += 1
                        status, answer = 401, {"error": "bad signature"}
                    elif gateway.fail_next:
                        status, answer = gateway.fail_next.pop(0), {"error": "try later"}
                    else:
                        if key not in gateway.delivered:  # a repeated key is answered, not re-sent
                            payload = json.loads(body)
                            gateway.delivered[key] = payload
                            gateway.handset.append((payload.get("to", ""), payload.get("title", "")))
                        status = 200
                        answer = {"provider_message_id": f"prov-{key}",
                                  "duplicate": sum(1 for r in gateway.requests if r["key"] == key) > 1}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/send"

    def start(self) -> LocalGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def deliveries_per_recipient(self) -> Counter[tuple[str, str]]:
        """How many times each (recipient, message title) reached a handset."""
        return Counter(self.handset)

    def posts_per_key(self) -> Counter[str]:
        return Counter(r["key"] for r in self.requests)


def make_public_user(username: str, *, email: str = "") -> Any:
    from gongkai.accounts.tests.factories import PublicUserFactory

    return PublicUserFactory(username=username, email=email)


def publish(document: Any, office: Any, *, published_at: Any = None) -> Any:
    """Through the real workflow: submit → 保密审查 → publish (the publisher is created here)."""
    from gongkai.accounts.roles import OrgRole
    from gongkai.accounts.services import membership_grant
    from gongkai.accounts.tests.factories import StaffUserFactory
    from gongkai.policies.services import workflow as wf

    publisher = StaffUserFactory()
    membership_grant(actor=None, user=publisher, organisation=document.organisation, role=OrgRole.PUBLISHER)
    wf.document_submit(actor=publisher, document=document)
    wf.document_start_secrecy_review(actor=office, document=document)
    return wf.document_publish(actor=office, document=document, published_at=published_at)


def url_fillers(organisation: Any, document_id: int) -> dict[str, Any]:
    """For tests/test_url_coverage.py: organisation A's push, a subscription of a user of A's
    world, and tokens that exist (public token pages) — created with plain rows on purpose, so the
    coverage test does not depend on the delivery machinery."""
    from django.urls import reverse

    from gongkai.push.models import OutboxMessage, Push, Subscription

    user = make_public_user("push_url_coverage_user")
    sub = Subscription.objects.create(user=user, kind=Subscription.Kind.ORGANISATION, organisation=organisation,
                                      unsubscribe_token="url-coverage-unsub", feed_token="url-coverage-feed")
    push = Push.objects.create(subject_type=Push.Subject.DOCUMENT, subject_key=f"document:{document_id}",
                               document_id=document_id, organisation=organisation, title="甲县推送",
                               link=reverse("policies:document", args=[document_id]))
    OutboxMessage.objects.create(push=push, recipient=user, subscription=sub, subject_key=push.subject_key,
                                 channel="inbox", read_token="url-coverage-read")
    return {"push_id": push.pk, "sub_id": sub.pk, "unsubscribe_token": sub.unsubscribe_token,
            "feed_token": sub.feed_token, "read_token": "url-coverage-read", "channel": "sms"}
