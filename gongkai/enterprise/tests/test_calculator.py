"""政策计算器 and 我可以享受的政策 (issue 6 §3): an anonymous visitor's facts are matched against
the items in force and nothing is stored; the enterprise account's page lists every item with
each condition met / failed / unknown, for its own verified enterprise only."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from gongkai.accounts.roles import OrgRole
from gongkai.enterprise.models import Enterprise, EnterpriseQualification, EnterpriseTag
from gongkai.enterprise.tests.item_helpers import make_item
from gongkai.enterprise.tests.profile_helpers import (
    make_enterprise,
    make_enterprise_user,
    make_org,
    make_staff,
)
from gongkai.policies.tests.public_helpers import document_in_state
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db

URL = "/zhengce/jisuanqi/"


@pytest.fixture
def items():
    city = make_org("430100", name="长沙市工业和信息化局")
    document = document_in_state(city, "public", "长沙市关于支持中小企业发展的若干措施")
    EnterpriseTag.objects.create(name="出口企业")
    stable = make_item(document, city, title="小微企业稳岗补贴", publish=True, conditions=[
        {"field": "region_code", "op": "within_region", "value": ["430100"], "source_text": "注册地在长沙市"},
        {"field": "size_class", "op": "in", "value": ["small", "micro"], "source_text": "属于小型或微型企业"}])
    hightech = make_item(document, city, title="高新技术企业认定奖励", publish=True, conditions=[
        {"field": "qualifications", "op": "qualification_valid", "value": "高新技术企业",
         "source_text": "持有有效的高新技术企业证书"},
        {"field": "registered_on", "op": "years_since_gte", "value": 1, "source_text": "成立满一年"}])
    export = make_item(document, city, title="出口信用保险补贴", publish=True, conditions=[
        {"field": "tags", "op": "contains", "value": "出口企业", "source_text": "有出口业绩"}])
    make_item(document, city, title="尚未发布的事项")
    return {"city": city, "stable": stable, "hightech": hightech, "export": export}


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.managed and not m._meta.proxy}


def test_the_calculator_page_is_public_and_labelled(items):
    response = Client().get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_region_code">所在地区（行政区划代码）</label>' in body
    assert "高新技术企业" in body and "出口企业" in body  # the boxes the items in force ask for
    assert "尚未发布的事项" not in body
    assert f'<a href="{URL}" aria-current="page">政策计算器</a>' in body  # the main navigation


def test_the_calculator_splits_items_into_qualifies_might_and_not_with_reasons(items):
    """Size class by 《中小企业划型标准规定》(工信部联企业〔2011〕300号): 软件和信息技术服务业 with
    50 人 and 800 万元 is 小型 (小型: 从业人员 10 人及以上且营业收入 50 万元及以上)."""
    response = Client().post(URL, {"region_code": "430102", "industry_code": "I65", "employees": "50",
                                   "revenue": "800", "qualifications": ["高新技术企业"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "属于<strong>小型企业</strong>" in body
    qualifies, rest = body.split("可能符合的政策", 1)
    might, failed = rest.split("不符合条件的政策", 1)
    assert "小微企业稳岗补贴" in qualifies and "属于小型或微型企业" in qualifies
    assert "高新技术企业认定奖励" in might and "还需要：成立满一年" in might  # no 成立日期 given
    assert "出口信用保险补贴" in failed and "不符合：有出口业绩" in failed


def test_qualifications_and_tags_entered_make_items_fit(items):
    response = Client().post(URL, {"qualifications": ["高新技术企业"], "tags": ["出口企业"],
                                   "registered_on": "2020-03-01"})
    qualifies = response.content.decode().split("可能符合的政策", 1)[0]
    assert "高新技术企业认定奖励" in qualifies and "出口信用保险补贴" in qualifies


def test_the_calculator_stores_nothing(items):
    before = _row_counts()
    client = Client()
    page = client.post(URL, {"region_code": "430102", "industry_code": "I65", "employees": "50", "revenue": "800",
                             "qualifications": ["高新技术企业"], "registered_on": "2020-03-01"})
    api = client.post("/api/v1/policy-items/calculator", json.dumps({"region_code": "430102", "employees": 50}),
                      content_type="application/json")
    assert page.status_code == 200 and api.status_code == 200
    assert _row_counts() == before  # no row anywhere: no audit row, no session, no snapshot
    assert "sessionid" not in page.cookies and "sessionid" not in api.cookies


def test_bad_input_gets_chinese_messages(items):
    response = Client().post(URL, {"region_code": "991234", "employees": "-3", "registered_on": "2999-01-01"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "不是有效的省级代码" in body and "成立日期不能晚于今天" in body
    api = Client().post("/api/v1/policy-items/calculator", json.dumps({"region_code": "12"}),
                        content_type="application/json")
    assert api.status_code == 422 and "行政区划代码应为6位数字" in api.json()["detail"]


def test_the_calculator_api(items):
    body = Client().post("/api/v1/policy-items/calculator", json.dumps({
        "region_code": "430102", "industry_code": "I65", "employees": 50, "revenue": "800",
        "qualifications": ["高新技术企业"]}), content_type="application/json").json()
    assert body["size_class"] == "small"
    assert [i["title"] for i in body["qualifies"]] == ["小微企业稳岗补贴"]
    [might] = body["might"]
    assert might["title"] == "高新技术企业认定奖励" and might["result_label"] == "可能符合（信息不全）"
    assert [(c["text"], c["state"]) for c in might["conditions"]] == [
        ("持有有效的高新技术企业证书", "met"), ("成立满一年", "unknown")]
    assert [i["title"] for i in body["not_matching"]] == ["出口信用保险补贴"]


# --- 我可以享受的政策 --------------------------------------------------------------------------

def _claimed(user, n: int, **fields) -> Enterprise:
    enterprise = make_enterprise(n, **fields)
    Enterprise.objects.filter(pk=enterprise.pk).update(claimed_by=user, claim_status=Enterprise.ClaimStatus.VERIFIED)
    return enterprise


def test_the_enterprise_page_lists_every_item_with_each_condition(items):
    user = make_enterprise_user("acme")
    mine = _claimed(user, 11, name="长沙某某软件有限公司", region_code="430102", employees=50, revenue="800")
    EnterpriseQualification.objects.create(enterprise=mine, kind="高新技术企业", valid_from=date(2024, 1, 1),
                                           valid_to=date(2099, 12, 31))
    make_enterprise(12, name="别人家的公司", region_code="430102")  # not claimed by this user
    client = Client()
    client.force_login(user)
    body = client.get(reverse("enterprise_public:mine")).content.decode()
    assert mine.name in body and "别人家的公司" not in body
    qualifies, rest = body.split("可能符合的政策", 1)
    assert "小微企业稳岗补贴" in qualifies
    assert "<td>注册地在长沙市</td><td>符合</td>" in qualifies
    might, failed = rest.split("不符合条件的政策", 1)
    assert "<td>成立满一年</td><td>信息不全</td>" in might  # the profile has no 成立日期
    assert "<td>有出口业绩</td><td>不符合</td>" in failed


def test_a_pending_claim_shows_no_policies(items):
    user = make_enterprise_user("pending")
    enterprise = make_enterprise(13, name="待核验公司")
    Enterprise.objects.filter(pk=enterprise.pk).update(claimed_by=user, claim_status=Enterprise.ClaimStatus.PENDING)
    client = Client()
    client.force_login(user)
    body = client.get(reverse("enterprise_public:mine")).content.decode()
    assert "还没有已核验的企业档案" in body and "小微企业稳岗补贴" not in body


def test_the_page_needs_a_login_and_staff_see_an_explanation(items):
    assert Client().get(reverse("enterprise_public:mine")).status_code == 302
    staff = make_staff(items["city"], OrgRole.PUBLISHER, username="some_staff")
    client = Client()
    login_verified(client, staff)
    assert "本页面供法人或其他组织账号使用" in client.get(reverse("enterprise_public:mine")).content.decode()


def test_the_api_matches_the_own_enterprise(items):
    user = make_enterprise_user("acme_api")
    _claimed(user, 14, name="接口测试公司", region_code="430102", employees=50, revenue="800")
    client = Client()
    client.force_login(user)
    [entry] = client.get("/api/v1/policy-items/mine/matches").json()["enterprises"]
    assert entry["enterprise_name"] == "接口测试公司"
    assert [i["title"] for i in entry["qualifies"]] == ["小微企业稳岗补贴"]
    assert Client().get("/api/v1/policy-items/mine/matches").status_code == 401
