"""依申请公开 API: the public submission and lookup, the staff queue and detail, and one POST per
workflow service with the services' permissions (403), access functions (404 for other
organisations), Chinese 422 errors and 409 conflicts."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from gongkai.api.services import api_token_create
from gongkai.core.models import AuditEvent
from gongkai.disclosure.models import Consultation, DisclosureRequest, RequestEvent
from gongkai.disclosure.services import workflow
from gongkai.disclosure.tests.conftest import ID_NUMBER, PERSON, PHONE, register
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db

BASE = "/api/v1/disclosure"
KEY = "api-test-key-000001"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def bearer(user: Any) -> dict[str, str]:
    _, plaintext = api_token_create(actor=None, user=user, name="测试")
    return {"authorization": f"Bearer {plaintext}"}


def submit(client: Client, key: str = KEY, **overrides: Any) -> Any:
    body = {"organisation": "d-city", **PERSON, **overrides}
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(f"{BASE}/requests", body, content_type="application/json", headers=headers)


def act(client: Client, user: Any, req: DisclosureRequest, path: str, **body: Any) -> Any:
    return client.post(f"{BASE}/staff/requests/{req.uid}/{path}", body, content_type="application/json",
                       headers=bearer(user))


def fresh(req: DisclosureRequest) -> DisclosureRequest:
    return DisclosureRequest.objects.get(pk=req.pk)


# --- Public submission ------------------------------------------------------------------------------


def test_submit_returns_receipt_and_query_code_once_then_same_on_replay(client, world):
    first = submit(client)
    assert first.status_code == 201, first.content
    body = first.json()
    assert re.fullmatch(r"[0-9A-Z]{9}-\d{4}-00001", body["receipt_no"])
    assert body["query_code"] and len(body["query_code"]) == 10
    assert body["status"] == "submitted" and body["receipt_date"] is None and body["due_date"] is None
    assert any("确认" in line for line in body["due_explanation"])
    again = submit(client)
    assert again.status_code == 200
    assert again.json()["receipt_no"] == body["receipt_no"]
    assert again.json()["query_code"] == body["query_code"]
    assert DisclosureRequest.objects.count() == 1
    # The response never echoes personal data.
    assert ID_NUMBER not in first.content.decode() and PHONE not in first.content.decode()


def test_same_key_with_different_content_is_refused(client, world):
    submit(client)
    response = submit(client, description="完全不同的另一项政府信息描述内容")
    assert response.status_code == 422
    assert "内容与首次提交不一致" in response.json()["detail"]
    assert DisclosureRequest.objects.count() == 1


@pytest.mark.parametrize("key, message", [(None, "缺少请求头 Idempotency-Key"), ("short", "提交标识无效")])
def test_missing_or_bad_idempotency_key_is_a_chinese_422(client, world, key, message):
    response = submit(client, key=key)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not DisclosureRequest.objects.exists()


def test_bad_application_gives_field_errors_in_chinese_and_creates_nothing(client, world):
    response = submit(client, id_number="110105194912310021", description="短", phone="", email="", address="")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) >= {"id_number", "description", "phone"}
    assert "描述" in errors["description"]
    assert not DisclosureRequest.objects.exists()
    unknown = submit(client, organisation="no-such-org")
    assert unknown.status_code == 422 and "未知的机关" in unknown.json()["detail"]


def test_submissions_over_the_rate_limit_get_429_and_create_nothing(client, world, settings):
    from django.core.cache import cache
    from django.utils import timezone

    from gongkai.disclosure import api

    limit = api.SUBMIT_RATE_PER_MINUTE
    # The window is a fixed clock minute: a run that straddles a minute boundary (a slow machine)
    # legitimately starts a new count, so it is repeated inside one minute.
    for attempt in range(3):
        DisclosureRequest.objects.all().delete()
        cache.clear()
        minute = int(timezone.now().timestamp() // 60)
        statuses = [submit(client, key=f"rate-limit-{attempt}-{i:05d}").status_code for i in range(limit + 3)]
        if int(timezone.now().timestamp() // 60) == minute:
            break
    assert statuses[:limit] == [201] * limit
    assert statuses[limit:] == [429] * 3
    assert DisclosureRequest.objects.count() == limit


# --- Public lookup ---------------------------------------------------------------------------------


def test_track_with_code_shows_status_and_only_applicant_visible_events(client, world):
    body = submit(client).json()
    req = DisclosureRequest.objects.get()
    workflow.request_add_note(actor=world.registrar, request=req, text="内部：申请人曾多次来电")
    workflow.request_add_note(actor=world.registrar, request=req, text="您的申请已收到，正在核对。",
                              visible_to_applicant=True)
    response = client.get(f"{BASE}/requests/{body['receipt_no']}", {"code": body["query_code"]})
    assert response.status_code == 200
    data = response.json()
    assert data["status_label"] == "待确认收到" and data["receipt_no"] == body["receipt_no"]
    notes = [e["note"] for e in data["timeline"]]
    assert "您的申请已收到，正在核对。" in notes
    assert not any("内部" in n for n in notes)
    assert ID_NUMBER not in response.content.decode()


def test_wrong_code_and_unknown_number_are_the_same_404(client, world):
    body = submit(client).json()
    wrong = client.get(f"{BASE}/requests/{body['receipt_no']}", {"code": "AAAAAAAAAA"})
    missing = client.get(f"{BASE}/requests/000000000-2026-99999", {"code": body["query_code"]})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()


# --- Staff: auth, queue, detail ------------------------------------------------------------------------


def test_staff_endpoints_need_authentication(client, world):
    req = register(world, arrived=date(2026, 6, 1)).request
    assert client.get(f"{BASE}/staff/requests").status_code == 401
    assert client.get(f"{BASE}/staff/requests/{req.uid}").status_code == 401
    response = client.post(f"{BASE}/staff/requests/{req.uid}/archive", {"expected_version": req.version},
                           content_type="application/json")
    assert response.status_code == 401


def test_queue_is_scoped_and_filtered(client, world):
    a = register(world, arrived=date(2026, 6, 1)).request
    register(world, arrived=date(2026, 6, 2), data={**PERSON, "description": "某路段道路改造工程的招标文件"})
    response = client.get(f"{BASE}/staff/requests", headers=bearer(world.registrar))
    assert response.status_code == 200
    assert response.json()["count"] == 2
    filtered = client.get(f"{BASE}/staff/requests", {"q": "招标"}, headers=bearer(world.registrar)).json()
    assert [r["receipt_no"] for r in filtered["items"]] != [a.receipt_no] and filtered["count"] == 1
    assert client.get(f"{BASE}/staff/requests", headers=bearer(world.outsider)).json()["count"] == 0
    assert client.get(f"{BASE}/staff/requests", {"scope": "mine"},
                      headers=bearer(world.handler)).json()["count"] == 0


def test_detail_is_masked_and_other_organisations_get_404(client, world, registered):
    response = client.get(f"{BASE}/staff/requests/{registered.uid}", headers=bearer(world.handler))
    assert response.status_code == 200
    data = response.json()
    assert data["id_number_masked"] != ID_NUMBER and "*" in data["id_number_masked"]
    assert ID_NUMBER not in response.content.decode() and PHONE not in response.content.decode()
    assert data["due_date"] and data["timeline"][0]["kind"] == "submitted"
    for user in (world.outsider, world.handler_b, world.publisher):
        assert client.get(f"{BASE}/staff/requests/{registered.uid}", headers=bearer(user)).status_code == 404
    assert client.get(f"{BASE}/staff/requests/{registered.pk}", headers=bearer(world.outsider)).status_code == 404


def test_reveal_only_by_handler_and_audited(client, world, registered):
    denied = act(client, world.registrar, registered, "reveal", field="id_number")
    assert denied.status_code == 403
    ok = act(client, world.handler, registered, "reveal", field="id_number")
    assert ok.status_code == 200 and ok.json()["value"] == ID_NUMBER
    assert AuditEvent.objects.filter(action="disclosure.reveal").count() == 1
    assert act(client, world.outsider, registered, "reveal", field="id_number").status_code == 404


def test_session_auth_needs_csrf(world, registered):
    client = Client(enforce_csrf_checks=True)
    login_verified(client, world.registrar)
    response = client.post(f"{BASE}/staff/requests/{registered.uid}/notes", {"text": "无令牌的备注"},
                           content_type="application/json")
    assert response.status_code == 403
    assert not RequestEvent.objects.filter(kind="note").exists()
    client.get("/")
    csrf = client.cookies["csrftoken"].value
    response = client.post(f"{BASE}/staff/requests/{registered.uid}/notes", {"text": "有令牌的备注"},
                           content_type="application/json", headers={"x-csrftoken": csrf})
    assert response.status_code == 200
    assert RequestEvent.objects.filter(kind="note", note="有令牌的备注").exists()


# --- Staff: registration and every workflow action ------------------------------------------------------


def test_registrar_registers_a_letter_and_confirms_an_online_request(client, world):
    body = {"organisation": "d-city", "channel": "registered_post", "arrived_at": "2026-06-01T10:00:00+08:00",
            "application": PERSON}
    response = client.post(f"{BASE}/staff/requests", body, content_type="application/json",
                           headers={**bearer(world.registrar), "Idempotency-Key": "register-key-000001"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "registered" and response.json()["received_on"] == "2026-06-01"
    again = client.post(f"{BASE}/staff/requests", body, content_type="application/json",
                        headers={**bearer(world.registrar), "Idempotency-Key": "register-key-000001"})
    assert again.status_code == 200 and DisclosureRequest.objects.count() == 1
    denied = client.post(f"{BASE}/staff/requests", body, content_type="application/json",
                         headers=bearer(world.handler))
    assert denied.status_code == 403 and DisclosureRequest.objects.count() == 1

    submit(client, key="online-to-confirm-01")
    online = DisclosureRequest.objects.get(channel="online")
    now = timezone.now().isoformat()
    assert act(client, world.reviewer, online, "confirm-receipt", expected_version=online.version,
               confirmed_at=now).status_code == 403
    assert act(client, world.handler, online, "confirm-receipt", expected_version=online.version,
               confirmed_at=now).status_code == 404  # not assigned to them
    ok = act(client, world.registrar, online, "confirm-receipt", expected_version=online.version, confirmed_at=now)
    assert ok.status_code == 200, ok.content.decode("unicode_escape")
    assert ok.json()["status"] == "registered"
    assert ok.json()["received_on"] is not None and ok.json()["due_date"] is not None


def test_full_branch_through_the_api(client, world):
    req = register(world, arrived=date(2026, 6, 1)).request
    v = req.version

    def step(user: Any, path: str, expect: int = 200, **body: Any) -> dict[str, Any]:
        nonlocal v
        response = act(client, user, req, path, expected_version=v, **body)
        assert response.status_code == expect, (path, response.content.decode())
        data: dict[str, Any] = response.json()
        if expect == 200:
            v = data["version"]
        return data

    # Wrong role first for every step: 403 and nothing changes.
    step(world.reviewer, "assign", 403, department="d-edu")
    step(world.handler, "assign", 404, department="d-edu")  # not yet assigned: the handler cannot see it
    data = step(world.registrar, "assign", department="d-edu", note="教育类信息")
    assert data["status"] == "in_handling" and data["handling_department"] == "d-edu"
    step(world.registrar, "consultations/start", 403, party="某某建设有限公司", on="2026-06-03")
    data = step(world.handler, "consultations/start", party="某某建设有限公司", on="2026-06-03")
    cid = data["consultations"][0]["id"]
    assert data["status"] == "consulting"
    step(world.registrar, "consultations/deliver", 403, consultation_id=cid, on="2026-06-04")
    data = step(world.handler, "consultations/deliver", consultation_id=cid, on="2026-06-04")
    assert data["consultations"][0]["reply_due"]
    step(world.reviewer, "consultations/end", 403, consultation_id=cid, on="2026-06-10", decision="不予公开")
    data = step(world.handler, "consultations/end", consultation_id=cid, on="2026-06-10",
                reply_text="不同意公开商业秘密部分", decision="对涉及商业秘密部分不予公开")
    assert data["status"] == "in_handling" and data["consultations"][0]["decision"]
    step(world.handler, "extend", 403, days=10, reason="需要较长时间检索档案", on="2026-06-12")
    data = step(world.head, "extend", days=10, reason="需要较长时间检索档案", on="2026-06-12")
    assert any("延长" in line or "延期" in line for line in data["due_explanation"])
    step(world.registrar, "reply/draft", 403, outcome="partial", reasons="涉及第三方商业秘密的部分不予公开。")
    step(world.handler, "reply/draft", outcome="partial", reasons="涉及第三方商业秘密的部分不予公开。")
    step(world.registrar, "reply/submit", 403)
    data = step(world.handler, "reply/submit")
    assert data["status"] == "legal_review" and data["reply"]["needs_legal_review"]
    step(world.head, "reply/legal-review", 403, approve=True)
    step(world.reviewer, "reply/legal-review", approve=True, comment="同意")
    step(world.reviewer, "reply/approve", 403, approve=True)
    data = step(world.head, "reply/approve", approve=True)
    assert data["status"] == "approved"
    step(world.reviewer, "deliver", 403, method="pickup")
    data = step(world.handler, "deliver", method="post", tracking_no="EMS0001", on="2026-07-10")
    assert data["status"] == "delivered" and data["outcome"] == "partial" and data["outcome_label"] == "部分公开"
    step(world.reviewer, "archive", 403)
    assert step(world.registrar, "archive")["status"] == "archived"
    step(world.handler, "reopen", 403, reason="行政复议决定责令重新答复", on="2026-09-01")
    data = step(world.head, "reopen", reason="行政复议决定责令重新答复", on="2026-09-01")
    assert data["status"] == "in_handling" and data["outcome"] == ""
    step(world.publisher, "withdraw", 404, reason="申请人来电撤回")
    step(world.reviewer, "withdraw", 403, reason="申请人来电撤回")
    data = step(world.registrar, "withdraw", reason="申请人来电撤回", on="2026-09-02")
    assert data["status"] == "withdrawn" and data["outcome"] == "withdrawn"


def test_correction_then_abandon_and_correction_received(client, world):
    a = workflow.request_assign(actor=world.registrar, department=world.dept_a,
                                request=register(world, arrived=date(2026, 6, 1)).request)
    b = workflow.request_assign(actor=world.registrar, department=world.dept_a,
                                request=register(world, arrived=date(2026, 6, 1)).request)
    for req in (a, b):
        assert act(client, world.reviewer, req, "correction/ask", expected_version=req.version,
                   items=["请说明所需信息的文号"], on="2026-06-03").status_code == 403
        response = act(client, world.handler, req, "correction/ask", expected_version=req.version,
                       items=["请说明所需信息的文号"], on="2026-06-03")
        assert response.status_code == 200 and response.json()["status"] == "awaiting_correction"
    a, b = fresh(a), fresh(b)
    assert act(client, world.reviewer, a, "abandon", expected_version=a.version).status_code == 403
    response = act(client, world.handler, a, "abandon", expected_version=a.version)
    assert response.status_code == 200 and response.json()["outcome"] == "other_no_correction"
    response = act(client, world.handler, b, "correction/receive", expected_version=b.version, on="2026-06-10",
                   description="2025年本市义务教育招生计划（教发〔2025〕1号）")
    assert response.status_code == 200 and response.json()["status"] == "in_handling"
    assert fresh(b).description.startswith("2025年本市义务教育招生计划")


def test_fee_notice_paid_and_stopped(client, world):
    a = workflow.request_assign(actor=world.registrar, department=world.dept_a,
                                request=register(world, arrived=date(2026, 6, 1)).request)
    b = workflow.request_assign(actor=world.registrar, department=world.dept_a,
                                request=register(world, arrived=date(2026, 6, 1)).request)
    for req in (a, b):
        assert act(client, world.registrar, req, "fee/notice", expected_version=req.version,
                   method="per_volume", pages=150, on="2026-06-05").status_code == 403
        response = act(client, world.handler, req, "fee/notice", expected_version=req.version, method="per_volume",
                       pages=150, on="2026-06-05", received_on="2026-06-06")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "awaiting_fee" and response.json()["fee_notice"]["amount"] > 0
    a, b = fresh(a), fresh(b)
    assert act(client, world.reviewer, a, "fee/paid", expected_version=a.version).status_code == 403
    response = act(client, world.registrar, a, "fee/paid", expected_version=a.version, on="2026-06-15")
    assert response.status_code == 200 and response.json()["status"] == "in_handling"
    assert act(client, world.reviewer, b, "stop", expected_version=b.version).status_code == 403
    response = act(client, world.handler, b, "stop", expected_version=b.version)
    assert response.status_code == 200 and response.json()["outcome"] == "other_fee_unpaid"


def test_notes_by_staff_and_not_by_outsiders(client, world, registered):
    response = act(client, world.reviewer, registered, "notes", text="请注意核对申请人身份")
    assert response.status_code == 200
    assert response.json()["timeline"][-1]["note"] == "请注意核对申请人身份"
    assert act(client, world.outsider, registered, "notes", text="越权备注").status_code == 404
    assert not RequestEvent.objects.filter(note="越权备注").exists()


# --- Errors: conflicts, bad input, IDOR over every action -------------------------------------------------


def test_stale_version_is_a_409_and_changes_nothing(client, world, registered):
    stale = registered.version
    workflow.request_add_note(actor=world.registrar, request=registered, text="不影响版本")
    workflow.reply_draft(actor=world.handler, request=registered, outcome="disclosed", reasons="予以公开。")
    current = fresh(registered).version
    assert current > stale
    response = act(client, world.handler, registered, "reply/submit", expected_version=stale)
    assert response.status_code == 409
    assert "已被他人处理" in response.json()["detail"]
    assert fresh(registered).status == "in_handling" and fresh(registered).version == current


def test_bad_input_and_wrong_step_are_chinese_422(client, world, registered):
    v = registered.version
    future = act(client, world.handler, registered, "consultations/start", expected_version=v, party="某公司",
                 on="2099-01-01")
    assert future.status_code == 422 and "晚于今天" in future.json()["detail"]
    wrong_step = act(client, world.handler, registered, "deliver", expected_version=v, method="pickup")
    assert wrong_step.status_code == 422 and "不能送达" in wrong_step.json()["detail"]
    bad_dept = act(client, world.registrar, registered, "assign", expected_version=v, department="d-other")
    assert bad_dept.status_code == 422 and "承办部门" in bad_dept.json()["detail"]
    missing = act(client, world.handler, registered, "extend", expected_version=v)
    assert missing.status_code == 422 and missing.json()["detail"] == "请求参数有误，请检查后重试。"
    assert fresh(registered).version == v


ACTIONS = ["confirm-receipt", "assign", "correction/ask", "correction/receive", "abandon", "consultations/start",
           "consultations/deliver", "consultations/end", "extend", "fee/notice", "fee/paid", "stop", "reply/draft",
           "reply/submit", "reply/legal-review", "reply/approve", "deliver", "archive", "withdraw", "reopen",
           "notes", "reveal"]


def test_every_action_is_a_404_for_another_organisation(client, world, registered):
    """IDOR: an office head and a registrar of another organisation, with a plausible body, reach
    nothing; the request is unchanged."""
    consultation = workflow.consultation_start(actor=world.handler, request=registered, party="某公司",
                                               on=date(2026, 6, 2))
    req = fresh(registered)
    body = {"expected_version": req.version, "consultation_id": consultation.pk, "confirmed_at": "2026-06-01T10:00",
            "department": "d-other", "items": ["文号"], "party": "某公司", "decision": "同意", "days": 5,
            "reason": "越权操作测试", "method": "pickup", "outcome": "disclosed", "reasons": "予以公开。",
            "approve": True, "text": "越权", "field": "id_number", "pages": 200}
    for user in (world.outsider, world.outsider_head):
        for path in ACTIONS:
            response = act(client, user, req, path, **body)
            assert response.status_code == 404, (path, response.status_code)
    assert fresh(req).version == req.version
    assert Consultation.objects.get().delivered_on is None
    other = register(world, arrived=date(2026, 6, 1), org=world.other, actor=world.outsider).request
    # A consultation id of another request is a 404 too.
    response = act(client, world.outsider, other, "consultations/deliver", expected_version=other.version,
                   consultation_id=consultation.pk)
    assert response.status_code == 404


def test_openapi_lists_every_disclosure_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths[f"{BASE}/requests"] and "get" in paths[f"{BASE}/requests/{{receipt_no}}"]
    assert "get" in paths[f"{BASE}/staff/requests"] and "post" in paths[f"{BASE}/staff/requests"]
    assert "get" in paths[f"{BASE}/staff/requests/{{uid}}"]
    for path in ACTIONS:
        assert "post" in paths[f"{BASE}/staff/requests/{{uid}}/{path}"], path
    params = paths[f"{BASE}/requests"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params)
