"""Gateway adapters for SMS (短信) and WeChat template messages (微信模板消息).

The contract with a gateway (what a provider adapter or the local test gateway implements):

- Request: ``POST <GONGKAI_PUSH_<CHANNEL>_URL>`` with a JSON body
  ``{"message_id", "channel", "to", "template_id", "title", "text", "link", "unsubscribe"}`` and the
  headers ``X-Gongkai-Timestamp`` (Unix seconds), ``X-Gongkai-Signature`` (HMAC-SM3, hex, over
  ``<timestamp>.<raw body>`` with the channel's key, ``gongkai.domain.push.sign``) and
  ``Idempotency-Key`` (``gongkai-push-<outbox id>``, the same on every attempt).
- Idempotency: the gateway delivers each ``Idempotency-Key`` at most once. A repeated request with
  a key it has seen answers 2xx with the first ``provider_message_id`` and sends nothing. This is
  what makes a resend after a worker crash (sent, but not yet marked sent) harmless: the outbox
  row is claimed again after its lease runs out and re-posted with the same key.
- Response: 2xx with ``{"provider_message_id": "…"}``; 408/429/5xx or a network error are retried
  with backoff; any other 4xx is a permanent failure (bad number, unknown openid).
- Delivery receipts (回执): the gateway POSTs ``{"message_id", "status": "delivered"|"failed",
  "provider_message_id", "error"}`` to ``/push/receipts/<channel>/`` signed the same way with the
  same key; ``services.apply_receipt`` marks the message 已送达 or 失败.

A channel whose URL or key is not configured is disabled: subscriptions cannot choose it and no
messages are queued for it. Signature algorithm: HMAC-SM3 (``cryptography``'s SM3 through
OpenSSL), not HMAC-SHA256.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from gongkai.domain.push import sign

SIGNATURE_HEADER = "X-Gongkai-Signature"
TIMESTAMP_HEADER = "X-Gongkai-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
GATEWAY_CHANNELS = ("sms", "wechat")


class GatewayError(Exception):
    """A failed send. ``permanent`` failures are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SimulatedCrash(BaseException):  # noqa: N818 — not an error the worker may catch
    """Test-only: raised right after a successful send when the test hook asks for it, so the
    worker dies between "sent" and "marked sent" (a BaseException: nothing in the worker catches
    it, exactly like ``kill -9``)."""


@dataclass(frozen=True)
class GatewayConfig:
    channel: str
    url: str
    key: bytes
    template_id: str = ""
    timeout: float = 10.0

    @property
    def enabled(self) -> bool:
        return bool(self.key) and self.url.startswith(("http://", "https://"))


def gateway_config(channel: str) -> GatewayConfig:
    prefix = f"GONGKAI_PUSH_{channel.upper()}"
    return GatewayConfig(
        channel=channel,
        url=str(getattr(settings, f"{prefix}_URL", "") or ""),
        key=str(getattr(settings, f"{prefix}_KEY", "") or "").encode(),
        template_id=str(getattr(settings, f"{prefix}_TEMPLATE_ID", "") or ""),
        timeout=float(getattr(settings, "GONGKAI_PUSH_GATEWAY_TIMEOUT", 10.0)),
    )


def channel_enabled(channel: str) -> bool:
    if channel in GATEWAY_CHANNELS:
        return gateway_config(channel).enabled
    return True


def _test_hook(name: str) -> bool:
    """Test-only fault injection, honoured only when GONGKAI_TESTING is on: the setting
    ``GONGKAI_PUSH_TEST_HOOKS`` (in-process tests) or the environment variable
    ``GONGKAI_PUSH_TEST_HOOK`` (a worker subprocess that the test kills with SIGKILL)."""
    if not getattr(settings, "TESTING", False):
        return False
    hooks = getattr(settings, "GONGKAI_PUSH_TEST_HOOKS", None) or {}
    return bool(hooks.get(name)) or os.environ.get("GONGKAI_PUSH_TEST_HOOK", "") == name


def signed_headers(key: bytes, body: bytes, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    return {"Content-Type": "application/json", TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: sign(key, ts, body)}


def send(config: GatewayConfig, *, idempotency_key: str, payload: dict[str, Any]) -> str:
    """POST one message; returns the provider message id or raises ``GatewayError``."""
    if not config.enabled:
        raise GatewayError(f"{config.channel} 网关未配置。")
    body = json.dumps({"message_id": idempotency_key, "channel": config.channel,
                       "template_id": config.template_id, **payload}, ensure_ascii=False,
                      separators=(",", ":"), sort_keys=True).encode()
    headers = {**signed_headers(config.key, body), IDEMPOTENCY_HEADER: idempotency_key}
    request = urllib.request.Request(config.url, data=body, headers=headers, method="POST")  # noqa: S310 — http(s) only
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310 — http(s) only (enabled)
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise GatewayError(f"网关返回 HTTP {exc.code}", permanent=permanent) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise GatewayError(f"无法连接网关：{exc}") from None
    try:
        provider_id = str(json.loads(raw or b"{}").get("provider_message_id", ""))[:100]
    except (ValueError, AttributeError):
        raise GatewayError("网关应答不是有效的 JSON。") from None
    if _test_hook("crash_after_send"):
        raise SimulatedCrash(idempotency_key)
    if _test_hook("hang_after_send"):  # the test kills the worker process here (kill -9)
        time.sleep(600)
    return provider_id
