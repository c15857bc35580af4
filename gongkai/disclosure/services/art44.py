"""条例第四十四条: information that several applicants ask for and that may be disclosed should be
moved into proactive disclosure (转为主动公开).

``art44_candidates`` finds groups of requests to one organisation that ask for the same
information in different words (similar descriptions) or were answered with the same released
file; ``art44_propose`` turns a group into a DRAFT document in the policy library (the
publication itself goes through the library's review workflow) linked to the requests.

Similarity [I]: descriptions are normalised (NFKC, lower case, punctuation removed), request
boilerplate (请公开、申请获取、相关文件、情况 …) is removed, numbers (years, document numbers) become
whole tokens and the rest character bigrams; two descriptions are similar when the Dice
coefficient of these features is at least ``SIMILARITY_THRESHOLD`` and they do not name different
numbers (2024年 ≠ 2025年). Groups are the connected components of "similar" and "same released
file" links; a group counts when it has at least ``min_requests`` different applicants.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from gongkai.accounts.access import organisations_for, user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.audit import record
from gongkai.disclosure.access import ORG_WIDE_PERMS, can
from gongkai.disclosure.after_models import Art44Proposal, Art44ProposalRequest
from gongkai.disclosure.models import DisclosureRequest, Reply, RequestAttachment
from gongkai.disclosure.selectors import normalise_description
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services.common import add_event
from gongkai.disclosure.services.workflow import applicant_key_filter
from gongkai.domain.disclosure_outcomes import Outcome
from gongkai.policies.models import Category, Document
from gongkai.policies.services.documents import document_create

SIMILARITY_THRESHOLD = 0.7
POOL_LIMIT = 3000
# Information that may be disclosed: disclosed in full or in part, or not answered yet. Already
# public information (三(一) 已主动公开) needs no move; withheld and other results are not disclosable.
ELIGIBLE_OUTCOMES = ("", Outcome.DISCLOSED.value, Outcome.PARTIAL.value)
CATEGORIES = {Category.OTHER_POLICY.value: Category.OTHER_POLICY.label, Category.NOTICE.value: Category.NOTICE.label}
TITLE_MIN, TITLE_MAX = 4, 300

_BOILERPLATE = sorted(
    ["申请公开", "请求公开", "请公开", "要求公开", "希望公开", "予以公开", "公开", "申请", "请求", "提供", "获取",
     "查阅", "复印件", "复印", "了解", "相关", "有关", "关于", "涉及", "具体", "详细", "全部", "所有", "信息", "文件",
     "资料", "材料", "情况", "内容", "明细", "清单", "政府", "本人", "我们", "我想", "我", "贵单位", "贵局", "贵机关",
     "贵委", "贵办", "的", "及", "和", "与", "以及", "等", "包括", "请", "是怎么", "怎么", "如何", "年度", "工程",
     "项目"],
    key=len, reverse=True,
)
_BOILERPLATE_RE = re.compile("|".join(map(re.escape, _BOILERPLATE)))
_NUMBER_RE = re.compile(r"\d+(?:年|号|月|日)?")
_LEADING_ASK_RE = re.compile(r"^(?:请|恳请|申请|要求|希望)?(?:依法)?(?:公开|提供|获取|查阅)?")
_DOCUMENT_LINK_RE = re.compile(r"/zhengce/content/(\d+)/")


# --- Similarity ---------------------------------------------------------------------------------------------


def description_features(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(number tokens, character bigrams) of a description after removing request boilerplate."""
    normal = normalise_description(text)
    numbers = frozenset("#" + re.sub(r"\D", "", m) for m in _NUMBER_RE.findall(normal))
    rest = _BOILERPLATE_RE.sub("", _NUMBER_RE.sub("|", normal))
    grams: set[str] = set()
    for part in rest.split("|"):
        grams.update(part[i:i + 2] for i in range(len(part) - 1))
    return numbers, frozenset(grams)


def description_similarity(a: str, b: str) -> float:
    return _similarity(description_features(a), description_features(b))


def _similarity(fa: tuple[frozenset[str], frozenset[str]], fb: tuple[frozenset[str], frozenset[str]]) -> float:
    (na, ga), (nb, gb) = fa, fb
    if na and nb and not (na & nb):
        return 0.0
    sa, sb = na | ga, nb | gb
    if not sa or not sb:
        return 0.0
    return 2 * len(sa & sb) / (len(sa) + len(sb))


# --- Candidates ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Art44Group:
    """A group of requests asking for the same information (拟转为主动公开的候选)."""

    organisation: Organisation
    requests: tuple[DisclosureRequest, ...]
    applicants: int
    reasons: tuple[str, ...]
    suggested_title: str
    description: str

    @property
    def key(self) -> str:
        return ",".join(sorted(str(r.uid) for r in self.requests))


def _applicant(req: DisclosureRequest) -> tuple[Any, ...]:
    key = applicant_key_filter(req)
    # Without an ID number or credit code the applicant cannot be matched: count them separately.
    return tuple(sorted(key.items())) if key else (("request", req.pk),)


def viewable_organisations(user: Any) -> list[Organisation]:
    """Organisations whose requests ``user`` sees as a whole (登记员, 公开办负责人, 法制审核员)."""
    seen: dict[int, Organisation] = {}
    for perm in ORG_WIDE_PERMS:
        for org in organisations_for(user, perm):
            seen[org.pk] = org
    return list(seen.values())


def may_view_candidates(user: Any) -> bool:
    return bool(viewable_organisations(user))


def _pool(organisations: Iterable[Organisation]) -> list[DisclosureRequest]:
    proposed = Art44ProposalRequest.objects.values("request_id")
    return list(
        DisclosureRequest.objects.filter(organisation__in=list(organisations), outcome__in=ELIGIBLE_OUTCOMES)
        .exclude(status="submitted")
        .exclude(pk__in=proposed)
        .select_related("organisation")
        .order_by("-created_at", "-id")[:POOL_LIMIT]
    )


class _Components:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _released_links(pool: list[DisclosureRequest]) -> dict[str, list[int]]:
    """Requests answered with the same released file (same SHA-256) or pointing to the same
    library document in the reply."""
    ids = [r.pk for r in pool]
    by_file: dict[str, list[int]] = defaultdict(list)
    for request_id, sha in (RequestAttachment.objects.filter(request_id__in=ids, kind=RequestAttachment.Kind.RELEASED)
                            .values_list("request_id", "sha256")):
        by_file[f"file:{sha}"].append(request_id)
    for request_id, location, reasons in (Reply.objects.filter(request_id__in=ids).exclude(state="withdrawn")
                                          .values_list("request_id", "public_location", "reasons")):
        for doc_id in set(_DOCUMENT_LINK_RE.findall(f"{location} {reasons}")):
            by_file[f"doc:{doc_id}"].append(request_id)
    return {k: sorted(set(v)) for k, v in by_file.items() if len(set(v)) > 1}


def art44_candidates(user: Any, min_requests: int = 2) -> list[Art44Group]:
    """Groups of requests of ``user``'s organisations (those whose requests they see as 登记员,
    公开办负责人 or 法制审核员) asking for the same information, with at least ``min_requests``
    different applicants; requests already proposed are left out. Most applicants first."""
    pool = _pool(viewable_organisations(user))
    by_pk = {r.pk: r for r in pool}
    features = {r.pk: description_features(r.description) for r in pool}
    comps = _Components()
    why: dict[int, set[str]] = defaultdict(set)

    # Inverted index: only requests sharing a feature are compared (not all pairs).
    index: dict[tuple[int, str], list[int]] = defaultdict(list)
    for r in pool:
        numbers, grams = features[r.pk]
        for token in numbers | grams:
            index[(r.organisation_id, token)].append(r.pk)
    shared: Counter[tuple[int, int]] = Counter()
    limit = max(50, len(pool) // 4)
    for members in index.values():
        if len(members) > limit:  # a feature most requests share says nothing
            continue
        for a, b in combinations(sorted(members), 2):
            shared[(a, b)] += 1
    for (a, b), count in shared.items():
        if count >= 2 and _similarity(features[a], features[b]) >= SIMILARITY_THRESHOLD:
            comps.union(a, b)
            why[a].add("描述相似")
            why[b].add("描述相似")
    for linked in _released_links(pool).values():
        for other in linked[1:]:
            if by_pk[linked[0]].organisation_id == by_pk[other].organisation_id:
                comps.union(linked[0], other)
                why[linked[0]].add("答复公开了相同文件")
                why[other].add("答复公开了相同文件")

    grouped: dict[int, list[DisclosureRequest]] = defaultdict(list)
    for r in pool:
        if r.pk in comps.parent:
            grouped[comps.find(r.pk)].append(r)
    groups: list[Art44Group] = []
    for group_members in grouped.values():
        applicants = len({_applicant(r) for r in group_members})
        if applicants < max(2, min_requests):
            continue
        group_members.sort(key=lambda r: (r.received_on or r.created_at.date(), r.pk))
        centre = max(group_members, key=lambda r: (sum(_similarity(features[r.pk], features[o.pk])
                                                 for o in group_members if o is not r), -r.pk))
        reasons = tuple(sorted({reason for r in group_members for reason in why[r.pk]}))
        groups.append(Art44Group(group_members[0].organisation, tuple(group_members), applicants, reasons,
                                 suggest_title(centre.description), centre.description))
    groups.sort(key=lambda g: (-g.applicants, -max(r.pk for r in g.requests)))
    return groups


def suggest_title(description: str) -> str:
    text = " ".join(description.split())
    text = _LEADING_ASK_RE.sub("", text).strip(" ，。；：,.;:") or text
    return text[:60]


# --- Proposal -----------------------------------------------------------------------------------------------


@transaction.atomic
def art44_propose(*, actor: Any, requests: Sequence[DisclosureRequest], title: str, summary: str = "",
                  category: str = Category.OTHER_POLICY.value,
                  http_request: HttpRequest | None = None) -> Document:
    """拟转为主动公开: a DRAFT document of the requests' organisation in the policy library, linked
    to the requests (``Art44Proposal``), by a 信息发布员 of that organisation who can also open the
    requests. Returns the document; nothing is written when any check fails."""
    pks = sorted({r.pk for r in requests})
    if len(pks) < 2:
        raise ValidationError("请至少选择两件申请（第四十四条针对多个申请人申请的相同信息）。")
    locked = list(DisclosureRequest.objects.select_for_update(of=("self",)).select_related("organisation")
                  .filter(pk__in=pks).order_by("pk"))
    if len(locked) != len(pks):
        raise ValidationError("所选申请不存在。")
    organisation = locked[0].organisation
    if any(r.organisation_id != organisation.pk for r in locked):
        raise ValidationError("所选申请不属于同一机关，不能合并提出。")
    if actor is None or not user_has_org_perm(actor, organisation, Perm.PUBLISH):
        raise PermissionDenied("只有本机关的信息发布员可以提出转为主动公开。")
    if not all(can(actor, r) for r in locked):
        raise PermissionDenied("您无权查看所选申请。")
    clean_title = " ".join((title or "").split())
    if not TITLE_MIN <= len(clean_title) <= TITLE_MAX:
        raise ValidationError(f"请填写文件标题（{TITLE_MIN}至{TITLE_MAX}个字）。")
    if category not in CATEGORIES:
        raise ValidationError(f"请选择文件类别：{'或'.join(CATEGORIES.values())}。")
    for r in locked:
        if r.outcome not in ELIGIBLE_OUTCOMES:
            raise ValidationError(f"申请 {r.receipt_no} 的办理结果为“{r.get_outcome_display()}”，不宜转为主动公开。")
    taken = (Art44ProposalRequest.objects.filter(request_id__in=pks).select_related("request")
             .order_by("request_id").first())
    if taken is not None:
        raise ValidationError(f"申请 {taken.request.receipt_no} 已提出过转为主动公开建议。")
    applicants = len({_applicant(r) for r in locked})
    if applicants < 2:
        raise ValidationError("所选申请来自同一申请人；第四十四条针对多个申请人申请的相同信息。")
    text = (summary or "").strip() or (
        f"根据《中华人民共和国政府信息公开条例》第四十四条，{applicants}个申请人申请公开的下列政府信息可以公开，"
        f"拟转为主动公开：{suggest_title(locked[0].description)}"
    )
    document = document_create(
        actor=actor, organisation=organisation, request=http_request, title=clean_title, issuers=[organisation.name],
        written_on=clock.today(), category=category, level=organisation.level, summary=text[:4000],
        source="依申请公开转为主动公开（条例第四十四条）",
    )
    proposal = Art44Proposal.objects.create(document=document, proposed_by=actor)
    Art44ProposalRequest.objects.bulk_create([Art44ProposalRequest(proposal=proposal, request=r) for r in locked])
    for r in locked:
        add_event(r, "art44_proposed", on=clock.today(), actor=actor, payload={"document": document.pk},
                  note=f"依条例第四十四条拟转为主动公开（文件草稿：{clean_title}）")
    record("disclosure.art44_propose", request=http_request, actor=actor, organisation=organisation, obj=proposal,
           after={"document": document.pk, "index_no": document.index_no, "title": clean_title,
                  "requests": [r.receipt_no for r in locked]})
    return document


def proposals_for(user: Any) -> list[Art44Proposal]:
    """Recent proposals of the user's organisations (for the Art. 44 page)."""
    orgs = viewable_organisations(user)
    return list(Art44Proposal.objects.filter(Q(document__organisation__in=orgs))
                .select_related("document", "proposed_by").order_by("-at")[:20])
