"""一件事一次办 API (/api/v1/things/, issue 6 §5 "done when"): an enterprise sees the 一次告知,
applies once through the API, and watches each department approve its item to a confirmed payout.
Staff steps (受理, 联办, 兑现 and its 二次确认) run through the real services. Another account's
application is a 404, anonymous callers a 401."""

from __future__ import annotations

import base64
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client

from gongkai.accounts.tests.factories import PublicUserFactory
from gongkai.api.services import api_token_create
from gongkai.core.models import AuditEvent
from gongkai.portal.tests.helpers import login_verified
from gongkai.things import services
from gongkai.things.models import Application, JointTask
from gongkai.things.tests.helpers import (
    GOOD_FILES,
    GOOD_FORM,
    PDF,
    make_enterprise,
    make_enterprise_user,
    make_world,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/things"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _files() -> dict[str, dict[str, str]]:
    return {key: {"name": name, "content_base64": _b64(data)} for key, (name, data) in GOOD_FILES.items()}


def test_public_list_and_notice_show_merged_materials_fields_departments_and_windows() -> None:
    w = make_world()
    client = Client()
    listing = client.get(f"{BASE}/").json()
    assert [t["slug"] for t in listing["items"]] == [w.thing.slug]
    assert [i["title"] for i in listing["items"][0]["items"]] == ["稳岗培训补贴", "房产税困难减免"]
    body = client.get(f"{BASE}/{w.thing.slug}").json()
    materials = {m["key"]: m for m in body["materials"]}
    # 营业执照 is needed by both items: listed once, with the strictest source (申请人提供).
    assert [m["key"] for m in body["materials"]] == ["yyzz", "pxmd", "fcz", "nsb"]
    assert materials["yyzz"]["source"] == "applicant" and materials["yyzz"]["items"] == ["稳岗培训补贴", "房产税困难减免"]
    assert materials["fcz"]["source_label"] == "容缺（可后补）" and materials["fcz"]["upload"] is True
    assert materials["nsb"]["source"] == "exempt" and materials["nsb"]["upload"] is False
    fields = {f["key"]: f for f in body["fields"]}
    assert list(fields) == ["lxr", "lxdh", "fcmj"]
    assert fields["lxdh"]["required"] is True  # optional for one item, required by the other
    assert body["departments"] == [w.finance.name, w.tax.name]
    assert body["longest_days"] == 10
    assert body["windows"][0]["number"] == "8号窗口" and body["windows"][0]["kind_label"] == "一件事专窗"
    assert client.get(f"{BASE}/no-such-thing").json() == {"detail": "未找到。"}


def test_enterprise_journey_through_the_api_to_a_confirmed_payout() -> None:
    w = make_world()
    client = _client(w.applicant)

    # 一次申报: start the draft for the account's only verified enterprise.
    response = client.post(f"{BASE}/applications", {"thing_slug": w.thing.slug}, content_type="application/json")
    assert response.status_code == 201, response.content
    app = response.json()
    uid = app["uid"]
    assert app["status"] == "draft" and app["enterprise_id"] == w.enterprise.pk and app["editable"] is True
    again = client.post(f"{BASE}/applications", {"thing_slug": w.thing.slug}, content_type="application/json")
    assert again.status_code == 200 and again.json()["uid"] == uid  # the same draft, not a second one

    # Drafts may be incomplete, never malformed; a stale version is a conflict.
    url = f"{BASE}/applications/{uid}"
    bad = client.put(url, {"form_data": {"fcmj": "一百"}}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"] == {"fcmj": "“房产面积（平方米）”须填写数字。"}
    saved = client.put(url, {"form_data": {"lxr": "李四"}, "expected_version": app["version"]},
                       content_type="application/json")
    assert saved.status_code == 200 and saved.json()["version"] == app["version"] + 1
    stale = client.put(url, {"form_data": {"lxr": "王五"}, "expected_version": app["version"]},
                       content_type="application/json")
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]

    # Submitting checks the required fields and the materials the applicant must provide.
    missing = client.post(f"{url}/submit", {}, content_type="application/json").json()
    assert missing["errors"]["lxdh"] == "请填写“联系电话”。"
    assert missing["errors"]["material:yyzz"] == "请上传“营业执照”。"
    submitted = client.post(f"{url}/submit", {"form_data": GOOD_FORM, "materials": _files()},
                            content_type="application/json")
    assert submitted.status_code == 200, submitted.content
    detail = submitted.json()
    assert detail["status"] == "submitted" and detail["editable"] is False
    assert {f["key"]: f["value"] for f in detail["form"]}["lxdh"] == "138****5678"  # personal data masked
    uploads = {m["key"]: m for m in detail["materials"]}
    assert uploads["yyzz"]["uploaded"] and uploads["pxmd"]["uploaded"] and not uploads["fcz"]["uploaded"]
    assert client.put(url, {"form_data": {"lxr": "王五"}}, content_type="application/json").json()["detail"] == \
        "申请已提交，不能再修改。"

    # 一次受理 by the lead department's registrar: one task per department, in parallel.
    application = Application.objects.get(uid=uid)
    services.application_accept(actor=w.registrar, application=application, on=date(2026, 9, 21))
    detail = client.get(url).json()
    assert detail["status"] == "accepted" and detail["receipt_no"].startswith("YJS2026-")
    tasks = {t["department"]: t for t in detail["tasks"]}
    assert set(tasks) == {w.finance.name, w.tax.name}
    assert tasks[w.tax.name]["due_date"] < tasks[w.finance.name]["due_date"]  # 5 vs 10 working days
    assert all(t["status"] == "pending" for t in tasks.values())
    assert detail["acceptances"][0]["decision"] == "accepted" and detail["receipt_url"]

    # 一次联办: each department decides its own item; the applicant watches the progress.
    tax_task = JointTask.objects.get(application=application, department=w.tax)
    services.task_decide(actor=w.tax_handler, task=tax_task, approve=True)
    detail = client.get(url).json()
    assert detail["status"] == "in_joint_handling"
    assert {t["department"]: t["status_label"] for t in detail["tasks"]} == {w.tax.name: "已通过",
                                                                              w.finance.name: "办理中"}
    finance_task = JointTask.objects.get(application=application, department=w.finance)
    services.task_decide(actor=w.finance_handler, task=finance_task, approve=True)
    assert client.get(url).json()["status"] == "completed"

    # 一次兑现: recorded by the department, shown only after the head's 二次确认.
    payout = services.payout_record(actor=w.finance_handler, task=finance_task, amount="3000.00", kind="subsidy",
                                    paid_on=date(2026, 10, 9))
    assert client.get(url).json()["payouts"] == []
    services.payout_confirm(actor=w.finance_head, payout=payout)
    detail = client.get(url).json()
    assert detail["status"] == "paid"
    assert detail["payouts"] == [{"item": "稳岗培训补贴", "department": w.finance.name, "kind": "subsidy",
                                  "kind_label": "补贴", "amount": "3000.00", "paid_on": "2026-10-09",
                                  "status": "confirmed", "status_label": "已确认"}]
    mine = client.get(f"{BASE}/applications").json()
    assert [(a["uid"], a["status_label"]) for a in mine["items"]] == [(uid, "已兑现")]
    assert AuditEvent.objects.filter(action="things.application_submit", object_id=str(application.pk)).count() == 1


def test_another_enterprise_staff_and_anonymous_callers_cannot_see_my_application() -> None:
    w = make_world()
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    url = f"{BASE}/applications/{app.uid}"
    other = make_enterprise_user("other_ent")
    make_enterprise("另一家公司", user=other)
    other_client = _client(other)
    assert other_client.get(url).status_code == 404
    assert other_client.put(url, {"form_data": {"lxr": "X"}}, content_type="application/json").status_code == 404
    assert other_client.post(f"{url}/submit", {}, content_type="application/json").status_code == 404
    assert other_client.get(f"{BASE}/applications").json()["items"] == []
    staff = Client()
    login_verified(staff, w.tax_handler)
    assert staff.get(url).status_code == 403  # staff are not applicants
    app.refresh_from_db()
    assert app.form_data == {}  # nothing changed
    assert AuditEvent.objects.filter(action="access.denied", object_id=str(app.uid)).exists()

    anonymous = Client()
    for method, path in [("get", f"{BASE}/applications"), ("post", f"{BASE}/applications"), ("get", url),
                         ("put", url), ("post", f"{url}/submit")]:
        response = getattr(anonymous, method)(path, {}, content_type="application/json")
        assert response.status_code == 401, (method, path)
        assert response.json()["detail"] == "需要登录或有效的接口令牌。"


def test_only_enterprise_accounts_with_a_verified_enterprise_may_start() -> None:
    w = make_world()
    person = _client(PublicUserFactory(username="citizen"))
    refused = person.post(f"{BASE}/applications", {"thing_slug": w.thing.slug}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"] == "只有法人或其他组织账号可以申请“一件事”。"
    unverified = _client(make_enterprise_user("no_claim"))
    response = unverified.post(f"{BASE}/applications", {"thing_slug": w.thing.slug}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"] == {"enterprise_id": "请选择申请企业。"}
    bad = _client(w.applicant).post(f"{BASE}/applications/{uuid.uuid4()}/submit", {},
                                    content_type="application/json")
    assert bad.status_code == 404
    assert not Application.objects.exists()


def test_bearer_token_and_base64_checks() -> None:
    w = make_world()
    _, token = api_token_create(actor=None, user=w.applicant, name="企业对接")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    started = client.post(f"{BASE}/applications", {"thing_slug": w.thing.slug, "enterprise_id": w.enterprise.pk},
                          content_type="application/json", **headers)
    assert started.status_code == 201
    uid = started.json()["uid"]
    broken = client.put(f"{BASE}/applications/{uid}", {"materials": {"yyzz": {"name": "a.pdf", "content_base64": "%%"}}},
                        content_type="application/json", **headers)
    assert broken.status_code == 422 and broken.json()["detail"] == "材料文件应为 Base64 编码的文件内容。"
    not_needed = client.put(f"{BASE}/applications/{uid}",
                            {"materials": {"nsb": {"name": "a.pdf", "content_base64": _b64(PDF)}}},
                            content_type="application/json", **headers)
    assert not_needed.status_code == 422 and not_needed.json()["detail"] == "该材料无需申请人上传。"
    ok = client.put(f"{BASE}/applications/{uid}", {"materials": {"fcz": {"name": "房产.pdf", "content_base64": _b64(PDF)}}},
                    content_type="application/json", **headers)
    assert ok.status_code == 200 and {m["key"]: m["uploaded"] for m in ok.json()["materials"]}["fcz"] is True
