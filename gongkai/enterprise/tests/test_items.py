"""政策事项 (issue 6 §2): services (permission, validation in Chinese, audit in the same
transaction, publish computes the push audience), the staff pages (own organisation only, the
audience restricted to the viewer's area), the snapshots (recompute all, the daily task) and the
public API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.accounts.roles import OrgRole
from gongkai.core.models import AuditEvent
from gongkai.enterprise import item_services as svc
from gongkai.enterprise import matching
from gongkai.enterprise.models import EnterpriseTag, ItemCondition, MatchSnapshot, PolicyItem
from gongkai.enterprise.tests.item_helpers import make_item
from gongkai.enterprise.tests.profile_helpers import make_enterprise, make_org, make_staff
from gongkai.policies.tests.public_helpers import document_in_state
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    city = make_org("430100", name="长沙市工业和信息化局")
    other = make_org("430200", name="株洲市工业和信息化局")
    publisher = make_staff(city, OrgRole.PUBLISHER, username="city_publisher")
    handler = make_staff(city, OrgRole.HANDLER, username="city_handler")
    outsider = make_staff(other, OrgRole.PUBLISHER, username="other_publisher")
    document = document_in_state(city, "public", "长沙市关于支持中小企业稳岗发展的若干措施")
    # 软件业 (I65): 50 人、800 万元 → 小型 (工信部联企业〔2011〕300号 软件和信息技术服务业).
    small = make_enterprise(1, region_code="430102", employees=50, revenue="800", registered_on="2019-05-01")
    big = make_enterprise(2, region_code="430103", employees=800, revenue="90000")
    unknown = make_enterprise(3, region_code="430104", employees=None, revenue=None)
    elsewhere = make_enterprise(4, region_code="430202", employees=20, revenue="100", registered_on="2025-06-01")
    return {"city": city, "other": other, "publisher": publisher, "handler": handler, "outsider": outsider,
            "document": document, "small": small, "big": big, "unknown": unknown, "elsewhere": elsewhere}


def _create(world, actor=None, **fields):
    values = {"title": "小微企业稳岗补贴", "benefit_type": "subsidy"}
    values.update(fields)
    return svc.item_create(actor=actor or world["publisher"], document=world["document"], department=world["city"],
                           **values)


# --- Services ---------------------------------------------------------------------------------

def test_publisher_of_the_department_creates_a_draft_with_an_audit_row(world):
    item = _create(world, amount_rule="每人500元", promised_days=20)
    assert item.status == PolicyItem.Status.DRAFT and item.department == world["city"]
    event = AuditEvent.objects.get(action="enterprise.item_create", object_id=str(item.pk))
    assert event.actor == world["publisher"] and event.after["title"] == "小微企业稳岗补贴"


def test_only_publishers_of_the_handling_department_may_manage_items(world):
    for actor in (world["handler"], world["outsider"]):
        with pytest.raises(PermissionDenied, match="信息发布员"):
            _create(world, actor=actor)
    item = _create(world)
    with pytest.raises(PermissionDenied):
        svc.item_publish(actor=world["outsider"], item=item)
    with pytest.raises(PermissionDenied):
        svc.item_replace_conditions(actor=world["handler"], item=item, conditions=[])
    assert PolicyItem.objects.count() == 1 and not ItemCondition.objects.exists()


def test_item_fields_are_validated_in_chinese(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, title="  ", benefit_type="gift", promised_days=0,
                valid_from=date(2026, 5, 1), valid_to=date(2026, 1, 1))
    errors = exc.value.message_dict
    assert errors["title"] == ["请填写事项名称。"] and errors["benefit_type"] == ["请选择兑现方式。"]
    assert "1至365" in errors["promised_days"][0] and "不能早于" in errors["valid_to"][0]


@pytest.mark.parametrize(("row", "message"), [
    ({"field": "region_code", "op": "within_region", "value": ["43010"]}, "2位（省）、4位（市）或6位"),
    ({"field": "region_code", "op": "eq", "value": "4301"}, "应为6位数字"),
    ({"field": "employees", "op": "within_region", "value": ["43"]}, "不能使用“位于”比较"),
    ({"field": "size_class", "op": "in", "value": ["huge"]}, "大型、中型、小型或微型"),
    ({"field": "revenue", "op": "gte", "value": "多"}, "必须是数字"),
    ({"field": "registered_on", "op": "years_since_gte", "value": 500}, "0至200年"),
    ({"field": "industry_code", "op": "industry_in", "value": ["Z9"]}, "行业代码“Z9”格式不正确"),
    ({"field": "tags", "op": "contains", "value": "不存在的标签"}, "企业标签“不存在的标签”不存在"),
    ({"field": "is_individual", "op": "eq", "value": "maybe"}, "“是”或“否”"),
    ({"field": "colour", "op": "eq", "value": "red"}, "未知的条件字段"),
])
def test_conditions_are_validated_through_the_domain_condition(world, row, message):
    item = _create(world)
    with pytest.raises(ValidationError) as exc:
        svc.item_replace_conditions(actor=world["publisher"], item=item,
                                    conditions=[{"field": "employees", "op": "lte", "value": 300}, row])
    assert exc.value.messages[0].startswith("第2条条件：") and message in exc.value.messages[0]
    assert not item.conditions.exists()


def test_conditions_are_normalised_and_replaced_with_an_audit_row(world):
    EnterpriseTag.objects.create(name="出口企业")
    item = _create(world)
    svc.item_replace_conditions(actor=world["publisher"], item=item, conditions=[
        {"field": "industry_code", "op": "industry_in", "value": [" c13 ", "I65", "I65"], "source_text": "制造业或软件业"},
        {"field": "tags", "op": "contains", "value": "出口企业", "hard": False},
    ])
    rows = list(item.conditions.order_by("position").values_list("field", "value", "hard"))
    assert rows == [("industry_code", ["C13", "I65"], True), ("tags", "出口企业", False)]
    event = AuditEvent.objects.get(action="enterprise.item_conditions", object_id=str(item.pk))
    assert event.before == {"conditions": []} and len(event.after["conditions"]) == 2


def test_publishing_needs_a_public_document_and_a_hard_condition(world):
    draft_doc = document_in_state(world["city"], "draft", "长沙市尚未发布的措施")
    item = svc.item_create(actor=world["publisher"], document=draft_doc, department=world["city"], title="某补贴",
                           benefit_type="subsidy")
    svc.item_replace_conditions(actor=world["publisher"], item=item,
                                conditions=[{"field": "employees", "op": "lte", "value": 300}])
    with pytest.raises(ValidationError, match="所属政策文件尚未公开发布"):
        svc.item_publish(actor=world["publisher"], item=item)
    soft_only = _create(world)
    svc.item_replace_conditions(actor=world["publisher"], item=soft_only,
                                conditions=[{"field": "employees", "op": "lte", "value": 300, "hard": False}])
    with pytest.raises(ValidationError, match="至少设置一条必须满足的申报条件"):
        svc.item_publish(actor=world["publisher"], item=soft_only)
    expired = _create(world, valid_to=timezone.localdate() - timedelta(days=1))
    svc.item_replace_conditions(actor=world["publisher"], item=expired,
                                conditions=[{"field": "employees", "op": "lte", "value": 300}])
    with pytest.raises(ValidationError, match="有效期已过"):
        svc.item_publish(actor=world["publisher"], item=expired)
    assert not PolicyItem.objects.filter(status=PolicyItem.Status.PUBLISHED).exists()


def test_publishing_computes_the_push_audience(world):
    """符合 when every hard condition is met, 可能符合 when a needed field is empty (platforms.md §2)."""
    item = make_item(world["document"], world["city"])  # 长沙市 (4301) and 从业人员 ≤ 300
    snapshot = svc.item_publish(actor=world["publisher"], item=item)
    assert set(matching.audience(snapshot)) == {world["small"].pk}
    assert set(matching.audience(snapshot, might=True)) == {world["unknown"].pk}
    assert (snapshot.qualify_count, snapshot.might_count, snapshot.enterprise_count) == (1, 1, 4)
    assert snapshot.by_region == {"430102": [1, 0], "430104": [0, 1]}
    assert snapshot.by_size == {"small": [1, 0], "": [0, 1]}
    assert matching.enterprise_in(snapshot, world["small"].pk) == "qualifies"
    assert matching.enterprise_in(snapshot, world["big"].pk) == "not"
    event = AuditEvent.objects.get(action="enterprise.item_publish", object_id=str(item.pk))
    assert event.after["status"] == "published" and event.after["qualify_count"] == 1


def test_a_condition_change_recomputes_a_published_item(world):
    item = make_item(world["document"], world["city"], publish=True)
    svc.item_replace_conditions(actor=world["publisher"], item=item, conditions=[
        {"field": "region_code", "op": "within_region", "value": ["43"]},
        {"field": "employees", "op": "gte", "value": 10}])
    snapshot = MatchSnapshot.objects.get(item=item)
    assert set(matching.audience(snapshot)) == {world["small"].pk, world["big"].pk, world["elsewhere"].pk}
    with pytest.raises(ValidationError, match="至少要有一条必须满足的条件"):
        svc.item_replace_conditions(actor=world["publisher"], item=item, conditions=[])


def test_withdrawing_drops_the_audience_and_hides_the_item(world):
    item = make_item(world["document"], world["city"], publish=True)
    client = Client()
    assert client.get(reverse("enterprise_public:item", args=[item.pk])).status_code == 200
    with pytest.raises(ValidationError, match="请填写撤回原因"):
        svc.item_withdraw(actor=world["publisher"], item=item, reason=" ")
    svc.item_withdraw(actor=world["publisher"], item=item, reason="政策已调整")
    assert not MatchSnapshot.objects.filter(item=item).exists()
    assert client.get(reverse("enterprise_public:item", args=[item.pk])).status_code == 404
    assert client.get(f"/api/v1/policy-items/{item.pk}").status_code == 404
    assert AuditEvent.objects.get(action="enterprise.item_withdraw", object_id=str(item.pk)).detail == "政策已调整"


def test_a_stale_version_is_refused(world):
    item = _create(world)
    svc.item_update(actor=world["publisher"], item=item, expected_version=1, title="新名称")
    with pytest.raises(ValidationError, match="已被他人修改"):
        svc.item_update(actor=world["publisher"], item=item, expected_version=1, title="另一个名称")
    assert PolicyItem.objects.get(pk=item.pk).title == "新名称"


def test_moving_an_item_needs_the_publisher_role_in_both_departments(world):
    item = _create(world)
    with pytest.raises(PermissionDenied):
        svc.item_update(actor=world["publisher"], item=item, department=world["other"])
    assert PolicyItem.objects.get(pk=item.pk).department == world["city"]


# --- Snapshots --------------------------------------------------------------------------------

def test_recompute_all_matches_the_sql_engine_and_the_daily_task_runs_once_a_day(world):
    first = make_item(world["document"], world["city"], publish=True)
    second = make_item(world["document"], world["city"], title="成立满三年的企业奖励", publish=True, conditions=[
        {"field": "registered_on", "op": "years_since_gte", "value": 3},
        {"field": "size_class", "op": "in", "value": ["small", "micro"]}])
    sql = {pk: MatchSnapshot.objects.get(item_id=pk) for pk in (first.pk, second.pk)}
    assert matching.refresh_match_snapshots.call() == 0  # published today: already fresh
    MatchSnapshot.objects.filter(item=second).update(evaluated_on=date(2020, 1, 1))
    assert matching.refresh_match_snapshots.call() == 2
    for pk, old in sql.items():
        new = MatchSnapshot.objects.get(item_id=pk)
        assert new.method == "bitset" and new.evaluated_on == timezone.localdate()
        assert matching.unpack_bits(new.qualify_bits) == matching.unpack_bits(old.qualify_bits) != 0
        assert matching.unpack_bits(new.might_bits) == matching.unpack_bits(old.might_bits)
        assert (new.by_region, new.by_size) == (old.by_region, old.by_size)


def test_recompute_all_leaves_drafts_and_drops_withdrawn_items(world):
    draft = make_item(world["document"], world["city"])
    svc.item_recompute(actor=world["publisher"], item=draft)  # a preview of a draft
    withdrawn = make_item(world["document"], world["city"], publish=True)
    assert MatchSnapshot.objects.filter(item=withdrawn).exists()
    PolicyItem.objects.filter(pk=withdrawn.pk).update(status=PolicyItem.Status.WITHDRAWN)
    assert matching.recompute_all() == 0
    assert MatchSnapshot.objects.filter(item=draft).exists()
    assert not MatchSnapshot.objects.filter(item=withdrawn).exists()


# --- Staff pages ------------------------------------------------------------------------------

def test_staff_pages_of_the_own_department(world):
    item = make_item(world["document"], world["city"], publish=True)
    client = Client()
    login_verified(client, world["publisher"])
    listing = client.get(reverse("enterprise_items:list")).content.decode()
    assert "小微企业稳岗补贴" in listing
    page = client.get(reverse("enterprise_items:detail", args=[item.pk])).content.decode()
    assert "从业人员不超过300人" in page and "湖南省长沙市（430100）（地市合计）" in page and "小型" in page
    assert "enterprise.item_publish" in page  # the history


def test_staff_of_another_organisation_gets_a_404_with_an_audit_row(world):
    item = make_item(world["document"], world["city"], publish=True)
    client = Client()
    login_verified(client, world["outsider"])
    for name in ("detail", "edit", "conditions", "audience"):
        assert client.get(reverse(f"enterprise_items:{name}", args=[item.pk])).status_code == 404, name
    assert client.post(reverse("enterprise_items:publish", args=[item.pk])).status_code == 404
    assert "小微企业稳岗补贴" not in client.get(reverse("enterprise_items:list")).content.decode()
    assert AuditEvent.objects.filter(action="access.denied", object_type="enterprise.PolicyItem").count() >= 4


def test_the_form_pages_create_set_conditions_and_publish(world):
    client = Client()
    login_verified(client, world["publisher"])
    response = client.post(reverse("enterprise_items:new"), {
        "index_no": world["document"].index_no, "department": world["city"].pk, "title": "软件企业研发补助",
        "benefit_type": "subsidy", "promised_days": "15"})
    item = PolicyItem.objects.get(title="软件企业研发补助")
    assert response.status_code == 302 and response["Location"] == reverse("enterprise_items:conditions",
                                                                            args=[item.pk])
    data = {"form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "0", "version": str(item.version),
            "form-0-field": "region_code", "form-0-op": "within_region", "form-0-value": "430100、430200",
            "form-0-hard": "on", "form-0-source_text": "长沙市或株洲市",
            "form-1-field": "size_class", "form-1-op": "in", "form-1-value": "小型，微型", "form-1-hard": "on",
            "form-2-field": "is_individual", "form-2-op": "eq", "form-2-value": "否", "form-2-hard": "on",
            "form-3-field": ""}
    response = client.post(reverse("enterprise_items:conditions", args=[item.pk]), data)
    assert response.status_code == 302
    assert list(item.conditions.values_list("value", flat=True)) == [["430100", "430200"], ["small", "micro"], False]
    page = client.get(reverse("enterprise_items:conditions", args=[item.pk])).content.decode()
    assert "430100、430200" in page and "小型、微型" in page  # shown back as typed
    item.refresh_from_db()
    client.post(reverse("enterprise_items:publish", args=[item.pk]), {"version": str(item.version)})
    assert PolicyItem.objects.get(pk=item.pk).status == PolicyItem.Status.PUBLISHED
    assert set(matching.audience(MatchSnapshot.objects.get(item=item))) == {world["small"].pk,
                                                                          world["elsewhere"].pk}


def test_a_bad_condition_row_is_shown_back_with_its_chinese_message(world):
    item = _create(world)
    client = Client()
    login_verified(client, world["publisher"])
    response = client.post(reverse("enterprise_items:conditions", args=[item.pk]), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-field": "employees", "form-0-op": "gte",
        "form-0-value": "很多", "form-0-hard": "on"})
    assert response.status_code == 400
    assert "第1条条件：“从业人员（人）”条件的取值必须是数字。" in response.content.decode()


def test_the_audience_list_shows_only_enterprises_of_the_viewers_area(world):
    item = make_item(world["document"], world["city"], publish=True, conditions=[
        {"field": "employees", "op": "lte", "value": 300}])
    county = make_org("430102", level="county", name="芙蓉区市场监督管理局")
    county_manager = make_staff(county, username="county_manager")
    from gongkai.accounts.models import Membership

    Membership.objects.create(user=county_manager, organisation=world["city"], role=OrgRole.HANDLER)
    client = Client()
    login_verified(client, county_manager)
    page = client.get(reverse("enterprise_items:audience", args=[item.pk])).content.decode()
    assert world["small"].name in page and world["elsewhere"].name not in page  # 430102 only
    assert "共 1 家" in page
    publisher = Client()
    login_verified(publisher, world["publisher"])  # no enterprise role: the counts, not the names
    page = publisher.get(reverse("enterprise_items:audience", args=[item.pk])).content.decode()
    assert world["small"].name not in page and "共 0 家" in page


# --- API --------------------------------------------------------------------------------------

def test_the_api_lists_published_items_of_public_documents_only(world):
    published = make_item(world["document"], world["city"], publish=True)
    make_item(world["document"], world["city"], title="草稿事项")
    client = Client()
    body = client.get("/api/v1/policy-items/").json()
    assert [i["title"] for i in body["items"]] == ["小微企业稳岗补贴"]
    detail = client.get(f"/api/v1/policy-items/{published.pk}").json()
    assert detail["department"] == world["city"].name
    assert [c["source_text"] for c in detail["conditions"]] == ["注册地在长沙市", "从业人员不超过300人"]
    assert detail["conditions"][0]["op_label"] == "位于"
    assert client.get("/api/v1/policy-items/?benefit_type=gift").status_code == 400


def test_the_public_document_page_lists_its_published_items(world):
    item = make_item(world["document"], world["city"], publish=True)
    make_item(world["document"], world["city"], title="草稿中的事项")
    body = Client().get(reverse("policies:document", args=[world["document"].pk])).content.decode()
    assert reverse("enterprise_public:item", args=[item.pk]) in body and "草稿中的事项" not in body
    assert reverse("enterprise_public:calculator") in body


def test_the_demo_items_load_once_and_are_matched(world):
    from gongkai.accounts.services import organisation_create
    from gongkai.domain.identifiers import make_credit_code
    from gongkai.enterprise.item_demo import ITEMS, load_demo_items

    finance = organisation_create(actor=None, name="湖南省财政厅", slug="hunan-finance", level="provincial",
                                  kind="department", division_code="430000",
                                  credit_code=make_credit_code("11", "430000", "77000001"))
    document_in_state(finance, "public", "湖南省支持中小企业发展的若干财政措施")
    first = load_demo_items()
    assert first.created == len(ITEMS) and first.matched == len(ITEMS)
    assert load_demo_items().created == 0
    items = PolicyItem.objects.filter(department=finance)
    assert items.count() == len(ITEMS) and not items.exclude(status=PolicyItem.Status.PUBLISHED).exists()
    stable = items.get(title="小微企业稳岗补贴")
    assert set(matching.audience(stable.match_snapshot)) == {world["small"].pk, world["elsewhere"].pk}
