"""告知书 pages: the staff letter page of a request (preview, generate a draft, download stored
letters) and the applicant's download of their frozen letters.

Staff load the request only with ``access_request``; a letter of another request (or another
organisation) is a 404. The applicant reaches a letter only through the request they looked up
on the tracking page (``public_views.applicant_access``) or their own account.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from gongkai.core.permissions import staff_required
from gongkai.disclosure.access import access_request, can
from gongkai.disclosure.letters.definitions import TEMPLATES
from gongkai.disclosure.letters.selectors import applicant_letters
from gongkai.disclosure.models import Letter
from gongkai.disclosure.services.letters import (
    CONTENT_TYPES,
    FORMATS,
    WRITER_PERMS,
    LetterIntegrityError,
    letter_file,
    letter_generate,
    letter_preview,
    letters_for_request,
)


def _file_response(data: bytes, filename: str, fmt: str, *, inline: bool) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if not inline:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _integrity_failure() -> HttpResponse:
    return HttpResponse("告知书文件校验失败（与存档摘要不符），请联系系统管理员。", status=409,
                        content_type="text/plain; charset=utf-8")


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404("不支持的格式。")
    return fmt


def _kind(kind: str) -> str:
    if kind not in TEMPLATES:
        raise Http404("没有这种告知书。")
    return kind


# --- Staff -------------------------------------------------------------------------------------


@staff_required
def staff_list(request: HttpRequest, uid: Any) -> HttpResponse:
    """告知书 of one request: stored letters and what can be previewed."""
    req = access_request(request.user, uid, request=request)
    return render(request, "disclosure/letters/staff_list.html", {
        "req": req,
        "letters": letters_for_request(req),
        "kinds": [(k, t.title) for k, t in TEMPLATES.items()],
        "can_generate": any(can(request.user, req, p) for p in WRITER_PERMS),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def staff_preview(request: HttpRequest, uid: Any, letter_kind: str, fmt: str) -> HttpResponse:
    """预览 (nothing stored): PDF inline, DOCX as a download. A POSTed ``reasons`` previews an
    edited reply text before it is saved."""
    req = access_request(request.user, uid, request=request)
    kind, fmt = _kind(letter_kind), _fmt(fmt)
    reasons = request.POST.get("reasons") if request.method == "POST" else None
    try:
        data = letter_preview(req, kind, fmt=fmt, ref=request.GET.get("ref") or None, reasons=reasons)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("disclosure_letters:staff_list", uid=req.uid)
    return _file_response(data, f"{TEMPLATES[kind].title}（预览）-{req.receipt_no}.{fmt}", fmt,
                          inline=fmt == "pdf")


@staff_required
@require_POST
def staff_generate(request: HttpRequest, uid: Any, letter_kind: str) -> HttpResponse:
    """生成草稿 of a letter (stored, regenerated on every call until frozen)."""
    req = access_request(request.user, uid, request=request)
    kind = _kind(letter_kind)
    try:
        letter = letter_generate(actor=request.user, request=req, kind=kind,
                                 ref=request.POST.get("ref") or None, http_request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, f"已生成{letter.title}草稿（第{letter.version}版）。")
    return redirect("disclosure_letters:staff_list", uid=req.uid)


@staff_required
def staff_download(request: HttpRequest, uid: Any, letter_id: int, fmt: str) -> HttpResponse:
    """A stored letter (draft or frozen), checked against its hash."""
    req = access_request(request.user, uid, request=request)
    letter = get_object_or_404(Letter.objects.select_related("request"), pk=letter_id, request=req)
    try:
        stored = letter_file(letter, _fmt(fmt), http_request=request)
    except LetterIntegrityError:
        return _integrity_failure()
    return _file_response(stored.data, stored.filename, fmt, inline=False)


# --- Applicant ---------------------------------------------------------------------------------


@login_not_required
def public_download(request: HttpRequest, uid: Any, letter_id: int, fmt: str = "pdf") -> HttpResponse:
    """下载告知书 — only frozen letters addressed to the applicant, of a request this visitor may
    open as its applicant (``public_views.applicant_access``: looked up with receipt number and
    query code in this session, or their own signed-in request); anything else is the same 404."""
    from gongkai.disclosure.public_views import applicant_access

    fmt = _fmt(fmt)
    req = applicant_access(request, uid)
    letter = applicant_letters(req).filter(pk=letter_id).first()
    if letter is None:
        raise Http404("未找到该告知书。")
    try:
        stored = letter_file(letter, fmt, http_request=request)
    except LetterIntegrityError:
        return _integrity_failure()
    return _file_response(stored.data, stored.filename, fmt, inline=False)
