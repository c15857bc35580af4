"""Every URL pattern, requested anonymously and as a verified staff member of *another*
organisation (Zulip-style URL coverage).

Deny by default: a named URL is *restricted* unless it is listed in ``PUBLIC_URL_NAMES`` or
``SELF_SERVICE_URL_NAMES``. Restricted URLs, filled with the ids of organisation A's objects, must
send anonymous visitors to the login page (HTML) or answer 401/403 (API), and must not answer 200
to staff of organisation B. A URL whose parameters the test cannot fill, or an unnamed pattern it
does not know, fails the test: new URLs have to be classified deliberately.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.models import Membership, Organisation
from gongkai.accounts.roles import OrgRole
from gongkai.api.services import api_token_create
from gongkai.portal.tests.helpers import login_verified, make_org, make_staff

pytestmark = pytest.mark.django_db

# Anyone may open these (anonymous GET must not fail with 4xx/5xx unless noted).
PUBLIC_URL_NAMES = {
    # 一件事一次办 (issue 6 §5): list, 一次告知 page and print version, 政务服务一本通, statistics.
    "things:index", "things:detail", "things:print", "things:guide_docx", "things:statistics",
    "portal:home", "portal:gongkai_index", "portal:gongkai_zhidu",
    "portal:gongkai_fdzdgknr", "portal:gongkai_ysqgk", "portal:gongkai_nianbao", "portal:organisation",
    "portal:zhinan", "portal:services", "portal:interaction",
    "accounts:login", "accounts:register", "admin:login",
    "healthz",
    "api:openapi-json", "api:openapi-view", "api:api-root", "api:ping", "api:organisation_list",
    "api:organisation_detail", "api:deadline",
    # 政策库 (issue 3): pages, feeds, sitemap, API, and the per-organisation 目录 / 法定主动公开内容.
    "policies:home", "policies:search", "policies:document", "policies:document_print", "policies:attachment",
    "policies:interpretation_list", "policies:interpretation", "policies:library_list", "policies:library",
    "policies:feed_rss", "policies:feed_atom", "policies:library_feed_rss", "policies:library_feed_atom",
    "policies:organisation_feed_rss", "policies:organisation_feed_atom", "policies:tag_feed_rss",
    "policies:tag_feed_atom", "sitemap", "portal:mulu", "portal:org_fdzdgknr",
    "api:policy_document_list", "api:policy_search", "api:policy_document_detail", "api:policy_library_list",
    "api:policy_library_detail",
    # 依申请公开 applicant side (issue 4): request pages answer 404 without a lookup in this session.
    "disclosure_public:apply", "disclosure_public:check", "disclosure_public:done", "disclosure_public:lookup",
    "disclosure_public:status", "disclosure_public:receipt", "disclosure_public:correction",
    "disclosure_public:message", "disclosure_public:withdraw", "disclosure_public:attachment",
    "disclosure_letters:public_download",
    "api:disclosure_submit", "api:disclosure_track",  # 依申请公开 API: POST-only submission; lookup needs the code
    "disclosure_public:payment", "api:disclosure_report_payment",  # 我已缴费: POST only, after the lookup / with the code
    # 政府信息公开年报 (issue 5 §1): published versions only; the 栏目 replaces the portal placeholder.
    "annual_reports_column", "annual_reports_public:organisation", "annual_reports_public:report",
    "annual_reports_public:download",
    # 推送 token links (no login; the token is the authority) and the signed gateway receipts.
    "push:unsubscribe", "push:read", "push:feed", "push:receipt",
    # 政策事项 (issue 6 §2–§3): the 政策计算器 (nothing stored), published items, the items API.
    "enterprise_public:calculator", "enterprise_public:item", "api:policy_item_list", "api:policy_item_detail",
    "api:policy_item_calculator",
    "api:things_list", "api:things_detail",  # 一件事一次办 API: the things and their 一次告知
}
# Public URLs whose anonymous GET legitimately is not 200 (method or state).
PUBLIC_NON_200 = {
    "api:api-root": {404},
    "admin:login": {302},   # hands over to the two-step login (accounts:login)
    "api:deadline": {422},  # needs ?start=…&days=…; without them a Chinese 422
    "disclosure_public:check": {302}, "disclosure_public:done": {302},  # no draft → back to the form/guide
    "disclosure_public:status": {404}, "disclosure_public:receipt": {404}, "disclosure_public:withdraw": {404},
    "disclosure_public:attachment": {404},  # only after 受理编号 + 查询码 in this session
    "disclosure_public:correction": {405}, "disclosure_public:message": {405},  # POST only
    "disclosure_letters:public_download": {404},  # only the applicant's frozen letters, after the lookup
    "api:disclosure_submit": {405}, "api:disclosure_track": {404},  # POST only; wrong/missing 查询码 → 404
    "disclosure_public:payment": {405}, "api:disclosure_report_payment": {405},  # POST only
    "annual_reports_public:report": {404}, "annual_reports_public:download": {404},  # A has published nothing
    "push:read": {302}, "push:receipt": {405},  # read tracking redirects to the document; receipts: POST only
    "api:policy_item_calculator": {405},  # 政策计算器 API: POST only
}

# Any verified staff member may open these, and they show only the user's own data or
# system-wide non-organisation data; anonymous visitors are still refused.
SELF_SERVICE_URL_NAMES = {
    # 一件事一次办 queues: only the user's own departments' applications, tasks and payouts.
    "things_staff:acceptance_queue", "things_staff:tasks", "things_staff:payouts",
    # 一件事设置 and 服务大厅 lists and their "new" forms: only the things the user's own departments
    # lead and the halls of the user's own organisations; the forms offer only those as lead
    # department / hall owner (staff without the publish permission get a notice, no form); the
    # items offered are the published 政策事项 (public data, shown by title and number only).
    "things_staff:thing_list", "things_staff:thing_create", "things_staff:hall_list", "things_staff:hall_create",
    "staff:workbench",          # own memberships and organisations
    "accounts:two_factor",      # own second-factor devices
    "api:me", "api:token_list", "api:token_create",  # own account and tokens (same URL for both)
    "workcalendar:index",        # the national working-day calendar (no organisation data)
    "libraries_staff:list",      # only the libraries of the user's own organisations
    # 文件管理, 政策解读 and 工作提醒 lists: only the user's own organisations' documents.
    "policies_staff:document_list", "policies_staff:interpretation_list", "policies_staff:reminders",
    "disclosure_public:mine",   # 我的申请: only requests the signed-in user submitted
    "disclosure_staff:queue",   # 依申请公开 queue: only requests of the user's own organisations
    "api:disclosure_queue", "api:disclosure_register",  # the same queue in the API (POST registers)
    "notifications:inbox",      # 站内消息: only the signed-in user's own messages
    "notifications_public:inbox",  # 我的消息 (citizens, enterprises; staff get their staff inbox)
    "push:mine",                # 我的订阅: only the signed-in user's own subscriptions
    "push_staff:list",          # 推送统计: only pushes of the user's own organisations
    # 统计分析 and 考核通报 (issue 5 §2–§3): only the figures of the user's own organisations.
    "statistics:dashboard", "statistics:assessment",
    "annual_reports:list",      # 年度报告 list: only the reports of the user's own organisations
    "enterprise_items:list",    # 政策事项: only the items the user's own organisations handle
    "enterprise_public:mine", "api:policy_item_mine",  # 我可以享受的政策: only the user's own verified enterprise
    # 一件事一次办 API: the user's own applications (the same URL starts a draft by POST).
    "api:things_application_list", "api:things_application_start",
    # 订阅与推送 API: the user's own subscriptions (POST subscribes) and push messages.
    "api:push_subscription_list", "api:push_subscribe", "api:push_message_list",
}

# Patterns without a name, by route: the concrete URL the test requests.
UNNAMED_PATTERNS = {
    "admin/(?P<url>.*)$": "admin/no-such-page/",
}
ADMIN_OBJECT_REDIRECT_SUFFIX = "/<path:object_id>/"  # admin's unnamed "object → change" redirect


@dataclass(frozen=True)
class Entry:
    route: str
    name: str | None
    kwargs: tuple[str, ...]


def _params(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def walk(patterns: list[Any], prefix: str = "", namespace: str | None = None,
         params: tuple[str, ...] = ()) -> Iterator[Entry]:
    for p in patterns:
        here = params + tuple(_params(p.pattern))
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns, here)
        elif isinstance(p, URLPattern):
            name = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else None
            yield Entry(prefix + str(p.pattern), name, tuple(k for k in here if k not in p.default_args))


@pytest.fixture
def world(settings, tmp_path) -> dict[str, Any]:
    """Organisation A with staff, a token and a TOTP device; organisation B with its own staff."""
    settings.MEDIA_ROOT = tmp_path
    org_a = make_org("甲县人民政府", "jia-xian", kind="government")
    org_b = make_org("乙县人民政府", "yi-xian", kind="government")
    staff_a = make_staff("staff_a", org_a, OrgRole.ORG_ADMIN)
    Membership.objects.create(user=staff_a, organisation=org_a, role=OrgRole.HANDLER)
    staff_b = make_staff("staff_b", org_b, OrgRole.ORG_ADMIN)
    Membership.objects.create(user=staff_b, organisation=org_b, role=OrgRole.HANDLER)
    token, _ = api_token_create(actor=None, user=staff_a, name="甲县对接")
    device = TOTPDevice.objects.create(user=staff_a, name="甲的验证器")
    fillers = {
        "org_id": org_a.pk,
        "slug": org_a.slug,
        "token_id": token.pk,
        "pk": device.pk,
        "object_id": org_a.pk,
        "content_type_id": ContentType.objects.get_for_model(Organisation).pk,
        "app_label": "accounts",
        "year": 2025,  # 年度报告 (annual_reports, annual_reports_public)
        **_policy_fillers(org_a),
    }
    fillers["change_id"] = _disclosure_change(fillers["doc_id"], staff_a)
    fillers["uid"] = _disclosure_request(org_a)
    fillers["receipt_no"] = _receipt_no(fillers["uid"])
    fillers.update(letter_id=_disclosure_letter(org_a, fillers["uid"]), fmt="pdf", letter_kind="reply")
    fillers.update(_disclosure_staff_fillers(org_a, staff_a, fillers["uid"]))
    from gongkai.things.tests.url_fixtures import url_coverage_fillers

    fillers.update(url_coverage_fillers(org_a))  # 一件事一次办 (issue 6 §5)
    from gongkai.push.tests.helpers import url_fillers as push_fillers  # 订阅与推送 (issue 6 §4)

    fillers.update(push_fillers(org_a, fillers["doc_id"]))
    from gongkai.enterprise.tests.profile_helpers import url_fillers as enterprise_fillers

    fillers.update(enterprise_fillers(org_a))  # 一企一档 (issue 6 §1)
    from gongkai.enterprise.tests.item_helpers import url_fillers as item_fillers

    fillers.update(item_fillers(org_a, fillers["doc_id"]))  # 政策事项 and 政策计算器 (issue 6 §2–§3)
    return {"org_a": org_a, "staff_a": staff_a, "staff_b": staff_b, "fillers": fillers}


def _policy_fillers(org: Organisation) -> dict[str, Any]:
    """A public document of organisation A with an attachment and an interpretation, and an
    online special library of A (public pages need them; staff pages use them as A's objects)."""
    from gongkai.policies.services.libraries import library_create, library_publish
    from gongkai.policies.tests.public_helpers import attach, document_in_state, interpret

    document = document_in_state(org, "public", "甲县关于支持小微企业的通知")
    attachment = attach(document, "附件.pdf", b"%PDF-1.4 test")
    interpretation = interpret(org, [document])
    library = library_create(actor=None, organisation=org, slug="jia-zhuanti", name="甲县专题库",
                             kind="curated")
    library_publish(actor=None, library=library)
    return {
        "doc_id": document.pk, "document_id": document.pk, "attachment_id": attachment.pk,
        "interp_id": interpretation.pk, "library_slug": library.slug, "library_id": library.pk,
        "kind": "theme", "tag_slug": "shuifei",
    }


def _disclosure_request(org: Organisation) -> str:
    """An online 依申请公开 request to organisation A (public request pages must not open it)."""
    from gongkai.disclosure.services.submission import request_submit_online

    data = {"applicant_type": "natural_person", "applicant_name": "张三", "id_type": "resident_id",
            "id_number": "11010519491231002X", "phone": "13812345678", "description": "甲县2025年财政预算执行情况",
            "form_wanted": "electronic", "delivery_method": "online"}
    return str(request_submit_online(organisation=org, data=data, idempotency_key="url-coverage-request-1").request.uid)


def _receipt_no(uid: str) -> str:
    from gongkai.disclosure.models import DisclosureRequest

    return DisclosureRequest.objects.get(uid=uid).receipt_no


def _disclosure_letter(org: Organisation, uid: str) -> int:
    """A frozen 补正告知书 of organisation A's request (letter download pages)."""
    from gongkai.disclosure.access import access_request
    from gongkai.disclosure.services.letters import letter_for_event
    from gongkai.disclosure.services.submission import request_confirm_receipt
    from gongkai.disclosure.services.workflow import request_ask_correction

    registrar = make_staff("letters_registrar_a", org, OrgRole.REGISTRAR)
    req = access_request(registrar, uid)
    request_confirm_receipt(actor=registrar, request=req, confirmed_at=req.arrived_at)
    req = request_ask_correction(actor=registrar, request=access_request(registrar, uid), items=["请写明文件名称"])
    return letter_for_event(actor=registrar, request=req, kind="correction").pk


def _disclosure_staff_fillers(org: Organisation, handler: Any, uid: str) -> dict[str, Any]:
    """Organisation A's request assigned to A, with an attachment and an open consultation
    (the staff workbench pages of issue 4)."""
    from gongkai.disclosure.access import access_request
    from gongkai.disclosure.services import workflow
    from gongkai.disclosure.services.attachments import attachment_add
    from gongkai.disclosure.services.submission import request_confirm_receipt

    registrar = make_staff("workbench_registrar_a", org, OrgRole.REGISTRAR)
    req = access_request(registrar, uid)
    if req.status == "submitted":
        req = request_confirm_receipt(actor=registrar, request=req, confirmed_at=req.arrived_at)
    if req.status == "awaiting_correction":
        req = workflow.request_receive_correction(actor=registrar, request=req)
    req = workflow.request_assign(actor=registrar, request=req, department=org)
    attachment = attachment_add(actor=registrar, request=req, name="材料.pdf", data=b"%PDF-1.4\n%%EOF\n")
    consultation = workflow.consultation_start(actor=handler, request=access_request(handler, uid), party="某公司")
    return {"file_id": attachment.pk, "consultation_id": consultation.pk}


def _disclosure_change(document_id: int, requester: Any) -> int:
    """An open 公开属性 change request on organisation A's document (staff workflow pages)."""
    from gongkai.policies.models import DisclosureChange

    return DisclosureChange.objects.create(
        document_id=document_id, requested_attribute="withheld", ground="art16_process",
        explanation="内部讨论的过程稿，尚未定稿。", requested_by=requester,
    ).pk


def concrete_urls(fillers: dict[str, Any]) -> tuple[list[tuple[str | None, str]], list[str]]:
    """[(name, url)] for every pattern, plus the patterns the test cannot classify."""
    urls: list[tuple[str | None, str]] = []
    problems: list[str] = []
    for entry in walk(get_resolver().url_patterns):
        if entry.name is None:
            if entry.route in UNNAMED_PATTERNS:
                urls.append((None, "/" + UNNAMED_PATTERNS[entry.route]))
            elif entry.route.startswith("admin/") and entry.route.endswith(ADMIN_OBJECT_REDIRECT_SUFFIX):
                urls.append((None, "/" + entry.route.replace("<path:object_id>", str(fillers["object_id"]))))
            else:
                problems.append(f"unnamed pattern {entry.route!r}")
            continue
        missing = [k for k in entry.kwargs if k not in fillers]
        if missing:
            problems.append(f"{entry.name} ({entry.route}): no filler for {missing}")
            continue
        urls.append((entry.name, reverse(entry.name, kwargs={k: fillers[k] for k in entry.kwargs})))
    return sorted(set(urls), key=lambda u: u[1]), problems


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def _is_login_redirect(response: Any) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code == 302 and (
        location.startswith("/accounts/login/") or location.startswith("/admin/login/")
    )


def test_every_url_pattern_can_be_classified(world) -> None:
    urls, problems = concrete_urls(world["fillers"])
    assert not problems, "新 URL 需要在测试中明确分类：\n" + "\n".join(problems)
    names = {n for n, _ in urls}
    assert PUBLIC_URL_NAMES <= names, f"stale public names: {PUBLIC_URL_NAMES - names}"
    assert SELF_SERVICE_URL_NAMES <= names, f"stale self-service names: {SELF_SERVICE_URL_NAMES - names}"
    assert len(urls) > 50  # admin and API included


def test_public_urls_answer_anonymous_visitors(world) -> None:
    client = Client()
    client.raise_request_exception = False
    urls, _ = concrete_urls(world["fillers"])
    failures = []
    for name, url in urls:
        if name in PUBLIC_URL_NAMES:
            status = client.get(url).status_code
            if status not in PUBLIC_NON_200.get(name, {200}):
                failures.append(f"{name} {url} → {status}")
    assert not failures, "\n".join(failures)


def test_anonymous_visitors_are_refused_everywhere_else(world) -> None:
    client = Client()
    client.raise_request_exception = False
    urls, _ = concrete_urls(world["fillers"])
    failures = []
    checked = 0
    for name, url in urls:
        if name in PUBLIC_URL_NAMES:
            continue
        checked += 1
        response = client.get(url)
        if _is_api(url):
            ok = response.status_code in {401, 403, 405}
        else:
            ok = _is_login_redirect(response)
        if not ok:
            failures.append(f"{name} {url} → {response.status_code} {response.headers.get('Location', '')}")
    assert checked > 40
    assert not failures, "\n".join(failures)


def test_staff_of_another_organisation_gets_nothing_of_organisation_a(world) -> None:
    client = Client()
    client.raise_request_exception = False
    login_verified(client, world["staff_b"])
    urls, _ = concrete_urls(world["fillers"])
    failures = []
    for name, url in urls:
        if name in PUBLIC_URL_NAMES or name in SELF_SERVICE_URL_NAMES:
            continue
        response = client.get(url)
        if response.status_code not in {302, 401, 403, 404, 405}:
            failures.append(f"{name} {url} → {response.status_code}")
        if response.status_code == 302 and not _is_login_redirect(response):
            failures.append(f"{name} {url} → redirect to {response.headers['Location']}")
    assert not failures, "\n".join(failures)
    # Still logged in at the end: the refusals were authorisation, not a lost session.
    assert client.get(reverse("api:me")).json()["username"] == "staff_b"


def test_self_service_pages_show_staff_b_nothing_of_organisation_a(world) -> None:
    client = Client()
    login_verified(client, world["staff_b"])
    for name in sorted(SELF_SERVICE_URL_NAMES):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "甲县" not in body and "staff_a" not in body, name


def test_staff_of_organisation_a_does_reach_its_own_object_pages(world) -> None:
    """The refusals above are about the other organisation, not a broken page."""
    client = Client()
    login_verified(client, world["staff_a"])
    org_id = world["org_a"].pk
    assert client.get(reverse("staff:organisation_detail", kwargs={"org_id": org_id})).status_code == 200
    assert client.get(reverse("staff:organisation_edit", kwargs={"org_id": org_id})).status_code == 200


def test_a_parameter_without_filler_is_reported_not_skipped(world) -> None:
    fillers = {k: v for k, v in world["fillers"].items() if k != "org_id"}
    _, problems = concrete_urls(fillers)
    assert any(p.startswith("staff:organisation_detail ") for p in problems)
