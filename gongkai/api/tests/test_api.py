"""REST API: public organisation data, /me with session or token auth, tokens, errors, docs."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from gongkai.accounts.models import ApiToken, User
from gongkai.accounts.roles import OrgRole, SystemRole
from gongkai.api.services import api_token_create, api_token_revoke
from gongkai.core.audit import sm3_hex
from gongkai.core.models import AuditEvent
from gongkai.portal.tests.helpers import login_verified, make_org, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    city = make_org("示范市人民政府", "shifan-shi", level="municipal", kind="government",
                    office_name="示范市人民政府办公室", phone="010-1111", email="gk@shifan.example.gov.cn")
    county = make_org("示范县人民政府", "shifan-xian", parent=city, level="county", kind="government")
    dept = make_org("示范县教育局", "shifan-jiaoyu", parent=county, level="county")
    make_org("示范县已撤销局", "shifan-closed", parent=county, is_active=False)
    return city, county, dept


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


# --- Public organisation endpoints -----------------------------------------------------------

def test_organisation_list_is_public_paginated_and_excludes_inactive(client: Client, orgs) -> None:
    body = client.get("/api/v1/organisations").json()
    assert body["count"] == 3
    assert [o["slug"] for o in body["items"]] == ["shifan-shi", "shifan-xian", "shifan-jiaoyu"]
    assert body["items"][1]["parent"] == "shifan-shi"
    assert body["items"][0]["zhinan_url"] == "/gongkai/shifan-shi/zhinan/"
    page2 = client.get("/api/v1/organisations", {"page": 2, "page_size": 2}).json()
    assert page2["count"] == 3 and [o["slug"] for o in page2["items"]] == ["shifan-jiaoyu"]


def test_organisation_list_filters_by_level_and_parent(client: Client, orgs) -> None:
    by_level = client.get("/api/v1/organisations", {"level": "county"}).json()
    assert {o["slug"] for o in by_level["items"]} == {"shifan-xian", "shifan-jiaoyu"}
    by_parent = client.get("/api/v1/organisations", {"parent": "shifan-xian"}).json()
    assert [o["slug"] for o in by_parent["items"]] == ["shifan-jiaoyu"]


def test_unknown_level_is_a_chinese_400(client: Client, orgs) -> None:
    response = client.get("/api/v1/organisations", {"level": "galactic"})
    assert response.status_code == 400
    assert "未知的层级" in response.json()["detail"]


def test_bad_page_number_is_a_chinese_422(client: Client, orgs) -> None:
    response = client.get("/api/v1/organisations", {"page": "abc"})
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数有误，请检查后重试。"


def test_organisation_detail_gives_zhinan_contact_data(client: Client, orgs) -> None:
    body = client.get("/api/v1/organisations/shifan-shi").json()
    assert body["office_name"] == "示范市人民政府办公室"
    assert body["phone"] == "010-1111" and body["email"] == "gk@shifan.example.gov.cn"
    assert body["fax"] == "" and body["level_display"] == "市"


@pytest.mark.parametrize("slug", ["shifan-closed", "nobody"])
def test_inactive_or_unknown_organisation_is_a_chinese_404(client: Client, orgs, slug) -> None:
    response = client.get(f"/api/v1/organisations/{slug}")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


# --- /me: session or token --------------------------------------------------------------------

def test_me_requires_authentication_with_chinese_401(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "需要登录或有效的接口令牌。"}


def test_me_with_verified_staff_session(client: Client, orgs) -> None:
    _, _, dept = orgs
    user = make_staff("handler1", dept, OrgRole.HANDLER)
    login_verified(client, user)
    body = client.get("/api/v1/me").json()
    assert body["username"] == "handler1" and body["account_type"] == "staff"
    assert body["memberships"] == [{"organisation": "shifan-jiaoyu", "organisation_name": "示范县教育局",
                                    "role": "handler", "role_display": "承办人",
                                    "includes_subordinates": False}]


def test_unverified_staff_session_is_not_authenticated(client: Client, orgs) -> None:
    user = make_staff("handler2", orgs[2])
    client.force_login(user)  # password only, no OTP step
    assert client.get("/api/v1/me").status_code == 401


def test_me_with_token_updates_last_used(client: Client, orgs) -> None:
    user = make_staff("integration", orgs[2])
    token, plaintext = api_token_create(actor=None, user=user, name="统计系统对接")
    assert token.last_used_at is None
    response = client.get("/api/v1/me", headers=_bearer(plaintext))
    assert response.status_code == 200 and response.json()["username"] == "integration"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_is_stored_only_as_sm3_digest(orgs) -> None:
    user = make_staff("integration", orgs[2])
    token, plaintext = api_token_create(actor=None, user=user, name="对接")
    assert plaintext.startswith("gk_") and len(plaintext) > 40
    assert token.digest == sm3_hex(plaintext.encode()) and plaintext not in token.digest
    assert token.prefix == plaintext[:8]
    event = AuditEvent.objects.get(action="api_token.create")
    assert plaintext not in str(event.after) and event.after["prefix"] == token.prefix


@pytest.mark.parametrize("presented", ["gk_wrong", "not-a-gk-token", ""])
def test_wrong_tokens_are_rejected(client: Client, orgs, presented) -> None:
    api_token_create(actor=None, user=make_staff("integration", orgs[2]), name="对接")
    assert client.get("/api/v1/me", headers=_bearer(presented)).status_code == 401


def test_revoked_token_is_rejected(client: Client, orgs) -> None:
    user = make_staff("integration", orgs[2])
    token, plaintext = api_token_create(actor=None, user=user, name="对接")
    api_token_revoke(actor=None, token=token)
    assert client.get("/api/v1/me", headers=_bearer(plaintext)).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_token_of_disabled_user_is_rejected(client: Client, orgs) -> None:
    user = make_staff("integration", orgs[2])
    _, plaintext = api_token_create(actor=None, user=user, name="对接")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/v1/me", headers=_bearer(plaintext)).status_code == 401


# --- Who may create tokens ---------------------------------------------------------------------

def test_staff_actor_without_verified_session_cannot_create_own_token(orgs) -> None:
    user = make_staff("handler", orgs[2])
    loaded = User.objects.get(pk=user.pk)  # no OTP-verified session behind this object
    with pytest.raises(PermissionDenied):
        api_token_create(actor=loaded, user=user, name="对接")
    assert not ApiToken.objects.exists()


def test_staff_cannot_create_tokens_for_someone_else(orgs) -> None:
    alice = make_staff("alice", orgs[2])
    bob = make_staff("bob", orgs[2], OrgRole.ORG_ADMIN)
    bob.is_verified = lambda: True  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        api_token_create(actor=bob, user=alice, name="对接")


def test_system_admin_may_create_tokens_for_others(orgs) -> None:
    admin = make_staff("sysadmin", None, system_role=SystemRole.SYSTEM_ADMIN)
    alice = make_staff("alice", orgs[2])
    token, _ = api_token_create(actor=admin, user=alice, name="对接")
    assert token.user == alice


def test_empty_token_name_is_refused_in_chinese(orgs) -> None:
    with pytest.raises(ValidationError, match="请填写令牌用途"):
        api_token_create(actor=None, user=make_staff("alice", orgs[2]), name="  ")
    assert not ApiToken.objects.exists()


def test_verified_session_creates_token_via_api_with_csrf(orgs) -> None:
    client = Client(enforce_csrf_checks=True)
    user = make_staff("handler", orgs[2])
    login_verified(client, user)
    # Without the CSRF token the session-authenticated POST is refused.
    denied = client.post("/api/v1/me/tokens", {"name": "对接"}, content_type="application/json")
    assert denied.status_code == 403
    assert not ApiToken.objects.exists()
    client.get("/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    created = client.post("/api/v1/me/tokens", {"name": "对接"}, content_type="application/json",
                          headers={"x-csrftoken": csrf})
    assert created.status_code == 201
    plaintext = created.json()["token"]
    assert Client().get("/api/v1/me", headers=_bearer(plaintext)).json()["username"] == "handler"
    listed = client.get("/api/v1/me/tokens").json()
    assert [t["name"] for t in listed] == ["对接"] and "token" not in listed[0]
    revoked = client.delete(f"/api/v1/me/tokens/{listed[0]['id']}", headers={"x-csrftoken": csrf})
    assert revoked.status_code == 204
    assert Client().get("/api/v1/me", headers=_bearer(plaintext)).status_code == 401


def test_a_token_cannot_mint_more_tokens(client: Client, orgs) -> None:
    _, plaintext = api_token_create(actor=None, user=make_staff("integration", orgs[2]), name="对接")
    response = client.post("/api/v1/me/tokens", {"name": "再来一个"}, content_type="application/json",
                           headers=_bearer(plaintext))
    assert response.status_code == 401
    assert ApiToken.objects.count() == 1


# --- Management command ------------------------------------------------------------------------

def test_apitoken_command_creates_and_revokes(client: Client, orgs) -> None:
    make_staff("integration", orgs[2])
    out, err = StringIO(), StringIO()
    call_command("apitoken", "create", "integration", "--name", "统计系统对接", stdout=out, stderr=err)
    plaintext = out.getvalue().strip()
    assert plaintext.startswith("gk_") and "只显示这一次" in err.getvalue()
    assert client.get("/api/v1/me", headers=_bearer(plaintext)).status_code == 200
    call_command("apitoken", "revoke", plaintext[:8], stdout=StringIO())
    assert client.get("/api/v1/me", headers=_bearer(plaintext)).status_code == 401


def test_apitoken_command_reports_unknown_user_in_chinese() -> None:
    with pytest.raises(CommandError, match="不存在"):
        call_command("apitoken", "create", "ghost", "--name", "对接")


# --- OpenAPI and docs ---------------------------------------------------------------------------

def test_openapi_lists_our_endpoints_and_calendar(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path in ["/api/v1/organisations", "/api/v1/organisations/{slug}", "/api/v1/me",
                 "/api/v1/calendar/deadline"]:
        assert path in schema["paths"], path


def test_docs_page_uses_only_local_static_files_and_no_inline_script(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        attrs, body = script
        assert "src=" in attrs or 'type="application/json"' in attrs
    assert "style=" not in html and "<style" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for url in urls:
        assert client.get(url).status_code == 200, url
