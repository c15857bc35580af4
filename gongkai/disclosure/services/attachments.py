"""Files of a request: the applicant's materials, corrections and the released information.
The type is checked by content with the policy library's checks (magic bytes, zip-bomb limits,
server-generated names)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest

from gongkai.accounts.roles import Perm
from gongkai.core.audit import record
from gongkai.disclosure.access import can
from gongkai.disclosure.models import DisclosureRequest, RequestAttachment
from gongkai.policies.services.attachments import ALLOWED, KINDS, clean_name, detect_kind, max_bytes

MAX_FILES_PER_REQUEST = 20


def store_attachment(request: DisclosureRequest, *, name: str, data: bytes, kind: str, actor: Any = None,
                     visible_to_applicant: bool = True) -> RequestAttachment:
    """Check and save one file (inside the caller's transaction); ``ValidationError`` in Chinese."""
    original = clean_name(name) or "附件"
    if not data:
        raise ValidationError(f"文件“{original}”是空文件。")
    if len(data) > max_bytes():
        raise ValidationError(f"文件“{original}”超过 {max_bytes() // (1024 * 1024)} MB 的大小上限。")
    detected = detect_kind(data)
    if not detected:
        raise ValidationError(f"文件“{original}”的类型不受支持：只接受 {ALLOWED}（按文件内容判断）。")
    if RequestAttachment.objects.filter(request=request).count() >= MAX_FILES_PER_REQUEST:
        raise ValidationError(f"每件申请最多上传 {MAX_FILES_PER_REQUEST} 个文件。")
    file_kind = KINDS[detected]
    digest = hashlib.sha256(data).hexdigest()
    attachment = RequestAttachment(
        request=request, kind=kind, original_name=original, extension=file_kind.extension,
        content_type=file_kind.content_type, size=len(data), sha256=digest,
        uploaded_by=actor if getattr(actor, "pk", None) else None, visible_to_applicant=visible_to_applicant,
    )
    attachment.file.save(f"{digest}.{file_kind.extension}", ContentFile(data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_add(*, actor: Any, request: DisclosureRequest, name: str, data: bytes,
                   kind: str = RequestAttachment.Kind.RELEASED, visible_to_applicant: bool = True,
                   http_request: HttpRequest | None = None) -> RequestAttachment:
    """Staff add a file: released information (公开的政府信息), or internal material. Registrar or
    assigned handler."""
    if actor is None or not (can(actor, request, Perm.HANDLE_REQUEST) or can(actor, request, Perm.REGISTER_REQUEST)):
        raise PermissionDenied("只有登记员或承办人可以上传该申请的文件。")
    if kind not in RequestAttachment.Kind.values:
        raise ValidationError("未知的文件类型。")
    if kind == RequestAttachment.Kind.INTERNAL:
        visible_to_applicant = False
    attachment = store_attachment(request, name=name, data=data, kind=kind, actor=actor,
                                  visible_to_applicant=visible_to_applicant)
    record("disclosure.attachment_add", request=http_request, actor=actor, organisation=request.organisation,
           obj=request, after={"attachment": attachment.pk, "kind": kind, "sha256": attachment.sha256})
    return attachment
