"""Revealing and re-encrypting personal data (个人信息). Plaintext leaves the database only
through ``reveal_personal_data``, for the assigned handler, and every reveal is audited."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from gongkai.accounts.roles import Perm
from gongkai.core.audit import record
from gongkai.disclosure import crypto
from gongkai.disclosure.access import can
from gongkai.disclosure.models import DisclosureRequest

REVEALABLE = {"id_number": "证件号码", "phone": "联系电话", "address": "通信地址"}
_CIPHER_FIELDS = ("id_number_cipher", "phone_cipher", "address_cipher")
# Other apps' SM4-GCM columns (no blind index): model label → encrypted fields.
OTHER_CIPHER_COLUMNS = {
    "push.Subscription": ("sms_phone", "wechat_openid"),
    "things.Application": ("form_data_cipher",),
}


@transaction.atomic
def reveal_personal_data(*, actor: Any, request: DisclosureRequest, field: str,
                         http_request: HttpRequest | None = None) -> str:
    """查看完整个人信息: only a handler of the assigned department; writes a "disclosure.reveal"
    audit row naming the field (never the value)."""
    if field not in REVEALABLE:
        raise ValidationError("未知的个人信息字段。")
    if actor is None or not can(actor, request, Perm.HANDLE_REQUEST):
        raise PermissionDenied("只有该申请的承办人可以查看完整的个人信息。")
    value = crypto.decrypt(getattr(request, f"{field}_cipher"))
    record("disclosure.reveal", request=http_request, actor=actor, organisation=request.organisation, obj=request,
           detail=f"查看完整{REVEALABLE[field]}", after={"field": field})
    return value


def rotate_keys(*, batch_size: int = 200) -> tuple[int, int]:
    """Re-encrypt every request's personal data under the current key and recompute the blind
    indexes (they depend on the key). Returns (rows checked, rows rewritten). Old keys must still
    be in ``GONGKAI_FIELD_OLD_KEYS`` while this runs."""
    current = crypto.current_key().key_id
    checked = rewritten = 0
    last = 0
    while True:
        ids = list(DisclosureRequest.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return checked, rewritten
        with transaction.atomic():
            for obj in DisclosureRequest.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
                checked += 1
                tokens = [getattr(obj, name) for name in _CIPHER_FIELDS]
                if all(not t or crypto.key_id_of(t) == current for t in tokens) and obj.id_number_index == (
                    crypto.blind_index(crypto.decrypt(obj.id_number_cipher), purpose="id")
                ):
                    continue
                id_number, phone, address = (crypto.decrypt(t) for t in tokens)
                obj.id_number_cipher = crypto.encrypt(id_number)
                obj.phone_cipher = crypto.encrypt(phone)
                obj.address_cipher = crypto.encrypt(address)
                obj.id_number_index = crypto.blind_index(id_number, purpose="id")
                obj.phone_index = crypto.blind_index(phone, purpose="phone")
                obj.save(update_fields=[*_CIPHER_FIELDS, "id_number_index", "phone_index"])
                rewritten += 1
            record("disclosure.rotate_key", object_type="disclosure.DisclosureRequest",
                   after={"key_id": current, "first": ids[0], "last": ids[-1]})
        last = ids[-1]


def rotate_other_columns(*, batch_size: int = 200) -> dict[str, tuple[int, int]]:
    """The same re-encryption for the encrypted columns of other apps (``OTHER_CIPHER_COLUMNS``):
    per model, (rows checked, rows rewritten)."""
    current = crypto.current_key().key_id
    result: dict[str, tuple[int, int]] = {}
    for label, fields in OTHER_CIPHER_COLUMNS.items():
        model = apps.get_model(label)
        checked = rewritten = 0
        last = 0
        while True:
            ids = list(model._default_manager.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            with transaction.atomic():
                for obj in model._default_manager.select_for_update().filter(pk__in=ids).order_by("pk").only("pk", *fields):
                    checked += 1
                    stale = [f for f in fields if getattr(obj, f) and crypto.key_id_of(getattr(obj, f)) != current]
                    if not stale:
                        continue
                    for f in stale:
                        setattr(obj, f, crypto.encrypt(crypto.decrypt(getattr(obj, f))))
                    obj.save(update_fields=stale)
                    rewritten += 1
                record("disclosure.rotate_key", object_type=label,
                       after={"key_id": current, "first": ids[0], "last": ids[-1]})
            last = ids[-1]
        result[label] = (checked, rewritten)
    return result
