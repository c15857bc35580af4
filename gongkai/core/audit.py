"""Writing and verifying the audit trail (审计日志).

``record`` is the only writer. Each row's hash is SM3 over a canonical JSON form of the row plus
the previous row's hash, so editing, deleting or re-ordering rows directly in the database breaks
the chain at that row; ``verify_chain`` (``gongkai audit verify``) finds the first broken link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest

from gongkai.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _clean_text(value: str, limit: int) -> str:
    # CR/LF and other control characters from user input must not forge log lines (ASVS 16.4.1).
    return _CONTROL_CHARS.sub(" ", value)[:limit]


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _canonical(row: AuditEvent) -> bytes:
    payload = {
        "seq": row.seq,
        "occurred_at": row.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": row.actor_id,
        "actor_label": row.actor_label,
        "organisation_id": row.organisation_id,
        "action": row.action,
        "result": row.result,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "object_repr": row.object_repr,
        "before": row.before,
        "after": row.after,
        "detail": row.detail,
        "ip_address": row.ip_address,
        "prev_hash": row.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(row: AuditEvent) -> str:
    return sm3_hex(_canonical(row))


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    organisation: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    result: str = AuditEvent.Result.SUCCESS,
    detail: str = "",
) -> AuditEvent:
    """Append one audit row. Runs inside the caller's transaction, so the row and the change it
    describes commit or roll back together."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        row = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=datetime.now(UTC),
            actor=actor if actor is not None and getattr(actor, "pk", None) else None,
            actor_label=_clean_text(getattr(actor, "username", "") or "", 150),
            organisation=organisation,
            action=action,
            result=result,
            object_type=object_type,
            object_id=_clean_text(object_id, 64),
            object_repr=_clean_text(object_repr, 200),
            before=_jsonable(before),
            after=_jsonable(after),
            detail=_clean_text(detail, 500),
            ip_address=client_ip(request),
            prev_hash=head.last_hash,
        )
        row.row_hash = compute_hash(row)
        row.save()
        head.last_seq = row.seq
        head.last_hash = row.row_hash
        head.save(update_fields=["last_seq", "last_hash"])
    return row


@dataclass(frozen=True)
class AuditEntry:
    """One row for ``record_many``: the same fields ``record`` takes (no request: batch writers are
    system jobs such as a file import)."""

    action: str
    actor: Any = None
    organisation: Any = None
    obj: models.Model | None = None
    object_repr: str = ""
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    detail: str = ""


def record_many(entries: list[AuditEntry], *, batch_size: int = 500) -> int:
    """Append many audit rows with one lock of the chain head: the same rows, hashes and chain as
    calling ``record`` once per entry, in order, inside the caller's transaction — for bulk writers
    (a 100,000-row import), where a lock and two writes per row would dominate."""
    if not entries:
        return 0
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        seq, prev = head.last_seq, head.last_hash
        rows = []
        now = datetime.now(UTC)
        for entry in entries:
            actor = entry.actor
            obj = entry.obj
            seq += 1
            row = AuditEvent(
                seq=seq,
                occurred_at=now,
                actor=actor if actor is not None and getattr(actor, "pk", None) else None,
                actor_label=_clean_text(getattr(actor, "username", "") or "", 150),
                organisation=entry.organisation,
                action=entry.action,
                result=AuditEvent.Result.SUCCESS,
                object_type=obj._meta.label if obj is not None else "",
                object_id=_clean_text(str(obj.pk) if obj is not None else "", 64),
                object_repr=_clean_text(entry.object_repr or (str(obj) if obj is not None else ""), 200),
                before=_jsonable(entry.before),
                after=_jsonable(entry.after),
                detail=_clean_text(entry.detail, 500),
                ip_address=None,
                prev_hash=prev,
            )
            row.row_hash = prev = compute_hash(row)
            rows.append(row)
        AuditEvent.objects.bulk_create(rows, batch_size=batch_size)
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash"])
    return len(rows)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(batch_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return (rows checked, first break or None)."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in _iter_rows(batch_size):
        if row.seq != expected_seq:
            return checked, ChainBreak(expected_seq, f"缺少第 {expected_seq} 条（下一条为第 {row.seq} 条）")
        if row.prev_hash != expected_prev:
            return checked, ChainBreak(row.seq, "上一条哈希不匹配（前一条被修改或删除）")
        if compute_hash(row) != row.row_hash:
            return checked, ChainBreak(row.seq, "本条内容与哈希不符（该条被修改）")
        expected_prev = row.row_hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.last_seq != checked:
        return checked, ChainBreak(checked + 1, f"链头记录 {head.last_seq} 条，实际 {checked} 条（末尾被删除）")
    return checked, None


def _iter_rows(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def model_snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The before/after picture of a model instance for an audit row."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password"}:
            continue
        data[field.attname] = field.value_from_object(obj)
    snapshot: dict[str, Any] = _jsonable(data)
    return snapshot
