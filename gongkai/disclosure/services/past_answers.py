"""以往答复: staff publish an anonymised summary of a delivered 予以公开 / 部分公开 reply
("公开此答复"), and the pre-submission deflection search ("这些信息可能已经公开") also matches
those summaries, so the next applicant asking for the same information finds it first.

The summary is written by staff — a title and what was released — and never copied from the
application: the service refuses text that contains the applicant's name, contact person, ID
number, phone, e-mail, address or credit code, or anything shaped like an ID or mobile number.

Search: a LIKE match on the title and summary of this small table (terms from the description by
the policy search's segmenter, common words dropped), ranked by the number of matching terms. The
tantivy index holds public documents only (``gongkai.policies.search``); adding a second kind would
change its schema, so this table is queried directly. The reader lives here with its writers
because it is the one query on this one table.
"""

from __future__ import annotations

import re
import unicodedata
from functools import reduce
from operator import add
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.roles import Perm
from gongkai.disclosure import crypto
from gongkai.disclosure.models import Delivery, DisclosureRequest, PublishedAnswer, Reply
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services.common import add_event, finish, lock, require, required_text, snapshot
from gongkai.domain.disclosure_outcomes import Outcome
from gongkai.domain.disclosure_workflow import RequestStatus

S = RequestStatus
# 予以公开 and 部分公开: replies that released something (the brief's "answers worth finding").
PUBLISHABLE_OUTCOMES = (Outcome.DISCLOSED, Outcome.PARTIAL)
ANSWERED_STATES = (S.DELIVERED, S.ARCHIVED)
TITLE_MIN, TITLE_MAX = 5, 100
SUMMARY_MIN, SUMMARY_MAX = 10, 500
MAX_TERMS = 10
DEFAULT_LIMIT = 5

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")
_MOBILE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


_ADMIN_DIVISION = re.compile(r".*(?:省|自治区|市|区|县|旗|镇|乡|街道)")


def _applicant_values(obj: DisclosureRequest) -> list[tuple[str, str]]:
    """(label, value) of the applicant's data a summary must not contain. For the address also its
    street part (after the last 省/市/区/县/镇/乡/街道), which identifies a household on its own."""
    address = crypto.decrypt(obj.address_cipher)
    street = _ADMIN_DIVISION.sub("", _normalise(address))
    values = [
        ("申请人姓名或名称", obj.applicant_name), ("联系人", obj.contact_person), ("电子邮箱", obj.email),
        ("统一社会信用代码", obj.credit_code), ("证件号码", crypto.decrypt(obj.id_number_cipher)),
        ("联系电话", crypto.decrypt(obj.phone_cipher)), ("通信地址", address),
        ("通信地址", street if len(street) >= 4 else ""),
    ]
    return [(label, _normalise(v)) for label, v in values if len(_normalise(v or "")) >= 2]


def check_anonymised(obj: DisclosureRequest, *texts: str) -> None:
    """Refuse text carrying the applicant's data (or any ID / mobile number / e-mail address)."""
    for text in texts:
        flat = _normalise(text)
        for label, value in _applicant_values(obj):
            if value in flat:
                raise ValidationError(f"标题或摘要中含有申请人的个人信息（{label}），请删去后再公开。")
        if _ID_LIKE.search(flat) or _MOBILE_LIKE.search(flat):
            raise ValidationError("标题或摘要中含有证件号码或手机号码，请删去后再公开。")
        if _EMAIL_LIKE.search(flat):
            raise ValidationError("标题或摘要中含有电子邮箱地址，请删去后再公开。")


def _delivered_reply(obj: DisclosureRequest) -> Reply:
    reply = Reply.objects.filter(request=obj, state=Reply.State.DELIVERED).order_by("-id").first()
    if reply is None:
        raise ValidationError("该申请没有已送达的答复。")
    return reply


def can_publish(obj: DisclosureRequest) -> bool:
    """Whether the request's answer may be published (delivered with 予以公开 or 部分公开)."""
    return S(obj.status) in ANSWERED_STATES and obj.outcome in {o.value for o in PUBLISHABLE_OUTCOMES}


# --- Writers ----------------------------------------------------------------------------------------


@transaction.atomic
def past_answer_publish(*, actor: Any, request: DisclosureRequest, title: str, summary: str,
                        expected_version: int | None = None,
                        http_request: HttpRequest | None = None) -> PublishedAnswer:
    """公开此答复 (handler or 公开办负责人): a delivered 予以公开/部分公开 answer becomes findable
    under 以往答复 with the anonymised title and summary written here. Publishing again replaces
    the text (and republishes a withdrawn one)."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, Perm.APPROVE, message="只有承办人或公开办负责人可以公开答复。")
    if not can_publish(obj):
        raise ValidationError("只有已送达、答复类型为予以公开或部分公开的申请，才能公开其答复。")
    reply = _delivered_reply(obj)
    title_text = required_text(title, "标题", TITLE_MIN)
    summary_text = required_text(summary, "公开内容摘要", SUMMARY_MIN)
    if len(title_text) > TITLE_MAX:
        raise ValidationError({"title": f"标题不能超过{TITLE_MAX}个字。"})
    if len(summary_text) > SUMMARY_MAX:
        raise ValidationError({"summary": f"摘要不能超过{SUMMARY_MAX}个字。"})
    check_anonymised(obj, title_text, summary_text)
    delivery = Delivery.objects.filter(request=obj, reply=reply).order_by("-delivered_on", "-id").first()
    answered_on = delivery.delivered_on if delivery is not None else (obj.closed_on or clock.today())
    answer = PublishedAnswer.objects.select_for_update().filter(request=obj).first()
    created = answer is None
    if answer is None:
        answer = PublishedAnswer(request=obj)
    answer.reply = reply
    answer.organisation = obj.organisation
    answer.outcome = obj.outcome
    answer.answered_on = answered_on
    answer.title = title_text
    answer.summary = summary_text
    answer.is_public = True
    answer.published_by = actor
    answer.published_at = timezone.now()
    answer.save()
    before = snapshot(obj)
    add_event(obj, "answer_published", on=clock.today(), actor=actor, note=title_text,
              payload={"published_answer": answer.pk, "created": created})
    finish(obj, action="disclosure.past_answer_publish", actor=actor, before=before, http_request=http_request,
           fields=[], extra_after={"published_answer": answer.pk, "created": created})
    return answer


@transaction.atomic
def past_answer_withdraw(*, actor: Any, request: DisclosureRequest, expected_version: int | None = None,
                         http_request: HttpRequest | None = None) -> PublishedAnswer:
    """撤下 a published answer (handler or 公开办负责人): it no longer appears under 以往答复."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, Perm.APPROVE, message="只有承办人或公开办负责人可以撤下公开的答复。")
    answer = PublishedAnswer.objects.select_for_update().filter(request=obj, is_public=True).first()
    if answer is None:
        raise ValidationError("该申请的答复没有公开。")
    answer.is_public = False
    answer.save(update_fields=["is_public", "updated_at"])
    before = snapshot(obj)
    add_event(obj, "answer_withdrawn", on=clock.today(), actor=actor, payload={"published_answer": answer.pk})
    finish(obj, action="disclosure.past_answer_withdraw", actor=actor, before=before, http_request=http_request,
           fields=[], extra_after={"published_answer": answer.pk})
    return answer


# --- Reader -----------------------------------------------------------------------------------------


def public_past_answers() -> QuerySet[PublishedAnswer]:
    """What the public may see: published answers whose request is still answered with 予以公开
    or 部分公开 (a request reopened after review drops out until answered again)."""
    return PublishedAnswer.objects.filter(
        is_public=True, request__status__in=[s.value for s in ANSWERED_STATES],
        request__outcome__in=[o.value for o in PUBLISHABLE_OUTCOMES],
    )


def _terms(text: str) -> list[str]:
    from gongkai.policies.search.tokenize import common_words, search_terms

    common = common_words()
    terms = [t for t in search_terms(text[:200]) if len(t) >= 2 and not t.isdigit() and t not in common]
    return sorted(dict.fromkeys(terms), key=len, reverse=True)[:MAX_TERMS]


def matching_past_answers(text: str, *, limit: int = DEFAULT_LIMIT) -> list[PublishedAnswer]:
    """以往答复 for a description: summaries and titles sharing its words (at least two when it has
    two or more), most shared words first, then the most recent."""
    terms = _terms(text or "")
    if not terms:
        return []
    conditions = [Q(title__icontains=t) | Q(summary__icontains=t) for t in terms]
    parts: list[Combinable] = [Case(When(c, then=Value(1)), default=Value(0), output_field=IntegerField())
                               for c in conditions]
    score = reduce(add, parts)
    qs = (public_past_answers().filter(reduce(lambda a, b: a | b, conditions))
          .annotate(score=score).filter(score__gte=min(2, len(terms)))
          .select_related("organisation").order_by("-score", "-answered_on", "-id"))
    return list(qs[:limit])
