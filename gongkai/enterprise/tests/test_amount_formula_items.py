"""计算公式 of a policy item: an invalid formula is refused (service and staff form) with nothing
saved; the estimate (预计可享受金额) shows on 我可以享受的政策, in the 政策计算器 when the visitor
entered the figures it needs, and in the API."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gongkai.accounts.roles import OrgRole
from gongkai.core.models import AuditEvent
from gongkai.enterprise import item_services as svc
from gongkai.enterprise.models import Enterprise, PolicyItem
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

CALCULATOR = "/zhengce/jisuanqi/"
NOTE = "（按计算公式估算，以部门核定为准）"


@pytest.fixture
def world():
    city = make_org("430100", name="长沙市工业和信息化局")
    publisher = make_staff(city, OrgRole.PUBLISHER, username="formula_publisher")
    document = document_in_state(city, "public", "长沙市关于支持中小企业稳岗发展的若干措施")
    stable = make_item(document, city, title="小微企业稳岗补贴", publish=True,
                       amount_rule="按上年度参保职工人数，每人500元，最高不超过10万元。",
                       amount_formula="min(employees * 500, 100000)", conditions=[
                           {"field": "region_code", "op": "within_region", "value": ["430100"],
                            "source_text": "注册地在长沙市"}])
    return {"city": city, "publisher": publisher, "document": document, "stable": stable}


def test_the_service_refuses_an_invalid_formula_and_saves_nothing(world):
    before = (PolicyItem.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as info:
        svc.item_create(actor=world["publisher"], document=world["document"], department=world["city"],
                        title="研发补助", benefit_type="subsidy", amount_formula="profit * 0.1")
    assert "未知的变量“profit”" in info.value.message_dict["amount_formula"][0]
    assert (PolicyItem.objects.count(), AuditEvent.objects.count()) == before

    item = world["stable"]
    with pytest.raises(ValidationError) as info:
        svc.item_update(actor=world["publisher"], item=item, amount_formula="employees * 500 / 0")
    assert "除以零" in info.value.message_dict["amount_formula"][0]
    item.refresh_from_db()
    assert item.amount_formula == "min(employees * 500, 100000)"
    assert not AuditEvent.objects.filter(action="enterprise.item_update", object_id=str(item.pk)).exists()


def test_a_valid_formula_is_saved_trimmed(world):
    item = svc.item_update(actor=world["publisher"], item=world["stable"],
                           amount_formula="  min(从业人员 × 500, 100000)  ")
    assert PolicyItem.objects.get(pk=item.pk).amount_formula == "min(从业人员 × 500, 100000)"


def test_the_staff_form_shows_the_variables_and_refuses_an_invalid_formula(world):
    client = Client()
    login_verified(client, world["publisher"])
    page = client.get(reverse("enterprise_items:new")).content.decode()
    assert "employees（从业人员，人）" in page and "years（成立年限，年）" in page
    before = PolicyItem.objects.count()
    response = client.post(reverse("enterprise_items:new"), {
        "index_no": world["document"].index_no, "department": world["city"].pk, "title": "研发补助",
        "benefit_type": "subsidy", "amount_formula": "__import__('os')"})
    assert response.status_code == 400
    assert "计算公式有误：不支持函数“__import__”" in response.content.decode()
    assert PolicyItem.objects.count() == before

    item = world["stable"]
    response = client.post(reverse("enterprise_items:edit", args=[item.pk]), {
        "department": world["city"].pk, "title": item.title, "benefit_type": "subsidy",
        "amount_formula": "min(employees * 500,", "version": str(item.version)})
    assert response.status_code == 400 and "计算公式的写法有误" in response.content.decode()
    assert PolicyItem.objects.get(pk=item.pk).amount_formula == "min(employees * 500, 100000)"


def test_the_enterprise_page_shows_the_estimate(world):
    user = make_enterprise_user("formula_acme")
    enterprise = make_enterprise(21, name="长沙某某软件有限公司", region_code="430102", employees=30)
    Enterprise.objects.filter(pk=enterprise.pk).update(claimed_by=user, claim_status=Enterprise.ClaimStatus.VERIFIED)
    client = Client()
    client.force_login(user)
    body = client.get(reverse("enterprise_public:mine")).content.decode()
    assert f"预计可享受金额：约 <strong>15,000.00</strong> 元{NOTE}" in body
    api = client.get("/api/v1/policy-items/mine/matches").json()
    assert api["enterprises"][0]["qualifies"][0]["estimated_amount"] == "15000.00"


def test_the_calculator_shows_the_estimate_only_with_the_needed_figures(world):
    body = Client().post(CALCULATOR, {"region_code": "430102", "employees": "300"}).content.decode()
    assert f"预计可享受金额：约 <strong>100,000.00</strong> 元{NOTE}" in body  # 最高不超过10万元
    body = Client().post(CALCULATOR, {"region_code": "430102"}).content.decode()
    assert "小微企业稳岗补贴" in body and "预计可享受金额" not in body  # 从业人员 not entered
    api = Client().post("/api/v1/policy-items/calculator", json.dumps({"region_code": "430102", "employees": 8}),
                        content_type="application/json").json()
    assert api["qualifies"][0]["estimated_amount"] == "4000.00"


def test_no_estimate_for_an_item_the_enterprise_does_not_qualify_for(world):
    body = Client().post(CALCULATOR, {"region_code": "430202", "employees": "30"}).content.decode()
    assert "小微企业稳岗补贴" in body and "预计可享受金额" not in body
