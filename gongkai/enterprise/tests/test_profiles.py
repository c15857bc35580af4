"""Enterprise profiles (一企一档, issue 6 §1): industry table, size class, claims, permissions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import OrgRole
from gongkai.core.models import AuditEvent
from gongkai.enterprise import access
from gongkai.enterprise.industries import read_table
from gongkai.enterprise.models import Enterprise, EnterpriseClaim, EnterpriseQualification, Industry
from gongkai.enterprise.services import (
    claim_reject,
    claim_revoke,
    claim_submit,
    claim_verify,
    claim_withdraw,
    enterprise_create,
    enterprise_set_tags,
    enterprise_update,
    qualification_add,
    qualification_remove,
)
from gongkai.enterprise.services.claims import NO_MATCH, TAKEN
from gongkai.enterprise.tests.profile_helpers import (
    code,
    make_enterprise,
    make_enterprise_user,
    make_org,
    make_staff,
)

pytestmark = pytest.mark.django_db


def messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# --- The GB/T 4754-2017 table ----------------------------------------------------------------------

def test_industry_table_is_loaded_by_migration_with_all_sections_and_divisions():
    """GB/T 4754-2017: 20 门类 (A–T) and 97 大类, plus the 中类 the size rules need."""
    sections = Industry.objects.filter(level=1)
    assert sorted(sections.values_list("code", flat=True)) == [chr(c) for c in range(ord("A"), ord("U"))]
    assert Industry.objects.filter(level=2).count() == 97
    assert Industry.objects.get(code="I65").name == "软件和信息技术服务业"
    assert Industry.objects.get(code="I65").parent_id == "I"
    assert Industry.objects.get(code="K701").parent_id == "K70"
    assert Industry.objects.get(code="K702").name == "物业管理"
    assert len(read_table()) == Industry.objects.count()


def test_loader_is_idempotent():
    from gongkai.enterprise.industries import load_industries

    assert load_industries() == 0
    Industry.objects.filter(code="C13").update(name="改错的名称")
    assert load_industries() == 1
    assert Industry.objects.get(code="C13").name == "农副食品加工业"


# --- Size class: computed, never typed in -------------------------------------------------------------

def test_size_is_computed_on_create_and_recomputed_on_every_update():
    """工信部联企业〔2011〕300号 第四条, 软件和信息技术服务业: 中型 = 从业人员100人及以上且营业收入1000万元
    及以上; 小型 = 10人及以上且50万元及以上; 300人以上且1亿元以上为大型."""
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(1, employees=50, revenue="800")
    assert enterprise.size_class == "small"
    enterprise = enterprise_update(actor=manager, enterprise=enterprise, employees=150, revenue="1200")
    assert Enterprise.objects.get(pk=enterprise.pk).size_class == "medium"
    enterprise = enterprise_update(actor=manager, enterprise=enterprise, employees=400, revenue="20000")
    assert Enterprise.objects.get(pk=enterprise.pk).size_class == "large"
    # 工业: 从业人员1000人以下或营业收入40000万元以下为中小微型; 400人、20000万元 → 中型.
    enterprise = enterprise_update(actor=manager, enterprise=enterprise, industry="C39")
    assert Enterprise.objects.get(pk=enterprise.pk).size_class == "medium"
    # A figure that matters is unknown → cannot be decided.
    enterprise = enterprise_update(actor=manager, enterprise=enterprise, revenue="")
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.revenue is None and stored.size_class == ""
    assert stored.version == 5


def test_size_class_cannot_be_typed_in():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(2)
    with pytest.raises(ValidationError):
        enterprise_update(actor=manager, enterprise=enterprise, size_class="micro")
    with pytest.raises(ValidationError):
        enterprise_create(actor=None, credit_code=code(3), name="某公司", region_code="430102", size_class="micro")


def test_update_that_changes_nothing_writes_no_audit_row():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(4)
    before = AuditEvent.objects.count()
    enterprise_update(actor=manager, enterprise=enterprise, employees=50, revenue="800.00", name="测试企业4有限公司")
    assert AuditEvent.objects.count() == before
    assert Enterprise.objects.get(pk=enterprise.pk).version == 1
    enterprise_update(actor=manager, enterprise=enterprise, employees=51)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "enterprise.update"
    assert event.before == {"employees": 50} and event.after == {"employees": 51}
    assert event.organisation is not None


def test_stale_version_is_refused():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(5)
    with pytest.raises(ValidationError) as caught:
        enterprise_update(actor=manager, enterprise=enterprise, expected_version=7, employees=3)
    assert "已被他人修改" in messages(caught.value)


# --- Validation in Chinese --------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "expected"), [
    ("credit_code", "91430102MA4L00000X", "校验"),
    ("credit_code", "12345", "应为18位"),
    ("region_code", "99010", "6位数字"),
    ("region_code", "990100", "不是有效的省级代码"),
    ("industry", "Z99", "不在国民经济行业分类"),
    ("industry", "C99", "不在国民经济行业分类"),
    ("employees", "-3", "不能为负数"),
    ("revenue", "很多", "应为数字"),
    ("registered_on", "2020-02-30", "不存在"),
    ("contact_email", "not-an-email", "联系邮箱"),
])
def test_invalid_values_are_rejected_in_chinese(field, value, expected):
    """统一社会信用代码 per GB 32100-2015 (check digit), 行政区划代码 per GB/T 2260, 行业 per
    GB/T 4754-2017."""
    values = {"credit_code": code(10), "name": "某某科技有限公司", "region_code": "430102", "industry": "I65",
              field: value}
    with pytest.raises(ValidationError) as caught:
        enterprise_create(actor=None, **values)
    assert field in caught.value.message_dict
    assert expected in messages(caught.value)
    assert not Enterprise.objects.exists()


def test_individual_business_flag_must_agree_with_the_credit_code():
    """GB 32100-2015: 登记管理部门代码 9 + 机构类别代码 2 = 个体工商户."""
    with pytest.raises(ValidationError) as caught:
        enterprise_create(actor=None, credit_code=code(11), name="张三小吃店", region_code="430102",
                          industry="H62", is_individual=True)
    assert "92" in messages(caught.value)
    with pytest.raises(ValidationError):
        enterprise_create(actor=None, credit_code=code(12, prefix="92"), name="李四小吃店", region_code="430102",
                          industry="H62", is_individual=False)
    shop = enterprise_create(actor=None, credit_code=code(12, prefix="92"), name="李四小吃店", region_code="430102",
                             industry="H62", is_individual=True, employees=3, revenue="40")
    assert shop.is_individual and shop.size_class == "micro"


def test_duplicate_credit_code_is_refused():
    make_enterprise(13)
    with pytest.raises(ValidationError) as caught:
        make_enterprise(13, name="另一家公司")
    assert "已建档" in messages(caught.value)


# --- Who may change what --------------------------------------------------------------------------------

def test_region_jurisdiction_of_managers():
    province = make_org("430000", level=Organisation.Level.PROVINCIAL)
    city = make_org("430100")
    county = make_org("341023", level=Organisation.Level.COUNTY)
    other_city = make_org("430200")
    assert access.region_prefix(province) == "43"
    assert access.region_prefix(city) == "4301"
    assert access.region_prefix(county) == "341023"
    inside = make_enterprise(20, region_code="430102")
    outside = make_enterprise(21, region_code="341023")
    assert set(access.enterprises_for(make_staff(province))) == {inside}
    assert set(access.enterprises_for(make_staff(city))) == {inside}
    assert set(access.enterprises_for(make_staff(county))) == {outside}
    other = make_staff(other_city)
    assert not access.enterprises_for(other).exists()
    with pytest.raises(Http404):
        access.access_enterprise(other, inside.pk)
    assert AuditEvent.objects.filter(action="access.denied", object_id=str(inside.pk)).exists()
    with pytest.raises(PermissionDenied):
        enterprise_update(actor=other, enterprise=inside, employees=1)


def test_staff_without_the_enterprise_role_manage_nothing():
    org = make_org("430100")
    handler = make_staff(org, role=OrgRole.HANDLER)
    enterprise = make_enterprise(22)
    assert not access.enterprises_for(handler).exists()
    with pytest.raises(PermissionDenied):
        enterprise_update(actor=handler, enterprise=enterprise, employees=1)
    with pytest.raises(PermissionDenied):
        enterprise_create(actor=handler, credit_code=code(23), name="某公司", region_code="430102")


def test_manager_cannot_move_an_enterprise_out_of_the_area():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(24)
    with pytest.raises(PermissionDenied) as caught:
        enterprise_update(actor=manager, enterprise=enterprise, region_code="430202")
    assert "管辖范围" in str(caught.value)


def test_enterprise_edits_only_its_own_figures():
    enterprise = make_enterprise(25)
    owner = _verified_owner(enterprise)
    enterprise_update(actor=owner, enterprise=enterprise, employees=120, revenue="1500", contact_email="a@b.cn")
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.size_class == "medium" and stored.contact_email == "a@b.cn"
    assert AuditEvent.objects.filter(action="enterprise.self_update").count() == 1
    with pytest.raises(PermissionDenied) as caught:
        enterprise_update(actor=owner, enterprise=enterprise, name="改个名字有限公司")
    assert "登记信息" in str(caught.value)
    stranger = make_enterprise_user()
    with pytest.raises(PermissionDenied):
        enterprise_update(actor=stranger, enterprise=enterprise, employees=1)


# --- Qualifications and tags --------------------------------------------------------------------------

def test_qualifications_with_issuer_and_validity_and_tags():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(26)
    with pytest.raises(ValidationError) as caught:
        qualification_add(actor=manager, enterprise=enterprise, kind="高新技术企业", valid_from="2024-01-01",
                          valid_to="2023-12-31")
    assert "不能早于" in messages(caught.value)
    q = qualification_add(actor=manager, enterprise=enterprise, kind="高新技术企业", issuer="湖南省科学技术厅",
                          certificate_no="GR202443000001", valid_from="2024-01-01", valid_to="2026-12-31")
    assert q.valid_to.isoformat() == "2026-12-31"
    assert Enterprise.objects.get(pk=enterprise.pk).version == 2
    assert enterprise_set_tags(actor=manager, enterprise=enterprise, names="出口企业、外资企业") == ["出口企业", "外资企业"]
    assert sorted(enterprise.tags.values_list("name", flat=True)) == ["出口企业", "外资企业"]
    other = make_staff(make_org("430200"))
    with pytest.raises(PermissionDenied):
        qualification_remove(actor=other, qualification=q)
    qualification_remove(actor=manager, qualification=q)
    assert not EnterpriseQualification.objects.exists()
    actions = list(AuditEvent.objects.filter(action__startswith="enterprise.").values_list("action", flat=True))
    assert {"enterprise.qualification_add", "enterprise.qualification_remove", "enterprise.tags_set"} <= set(actions)


# --- Claims ---------------------------------------------------------------------------------------------

def _claim(user, enterprise, phone="13812345678"):
    return claim_submit(actor=user, credit_code=enterprise.credit_code, name=enterprise.name, contact_name="王五",
                        contact_phone=phone)


def _verified_owner(enterprise):
    user = make_enterprise_user()
    claim_verify(actor=None, claim=_claim(user, enterprise))
    return user


def test_claim_flow_pending_then_verified_by_staff_of_the_area():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(30, name="长沙示例(科技)有限公司")
    user = make_enterprise_user(credit_code=enterprise.credit_code)
    # Half-width brackets and spaces in the name still match the licence name.
    claim = claim_submit(actor=user, credit_code=enterprise.credit_code.lower(), name="长沙示例（科技） 有限公司",
                         contact_name="王五", contact_phone="138 1234 5678")
    assert claim.status == "pending" and claim.contact_phone == "13812345678"
    assert Enterprise.objects.get(pk=enterprise.pk).claim_status == "pending"
    assert access.own_enterprise(user) is None
    outsider = make_staff(make_org("430200"))
    with pytest.raises(PermissionDenied):
        claim_verify(actor=outsider, claim=claim)
    claim_verify(actor=manager, claim=claim)
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.claim_status == "verified" and stored.claimed_by == user
    assert access.own_enterprise(user) == stored
    # The phone (personal data) never enters the audit trail.
    for event in AuditEvent.objects.filter(action__startswith="enterprise.claim"):
        assert "13812345678" not in str(event.after) + str(event.before) + event.detail


def test_second_claimant_is_refused_and_pending_rivals_are_rejected_on_verification():
    enterprise = make_enterprise(31)
    first, second, third = make_enterprise_user(), make_enterprise_user(), make_enterprise_user()
    first_claim = _claim(first, enterprise)
    rival = _claim(second, enterprise)
    claim_verify(actor=None, claim=first_claim)
    rival.refresh_from_db()
    assert rival.status == "rejected" and "其他账号" in rival.reason
    with pytest.raises(ValidationError) as caught:
        _claim(third, enterprise)
    assert TAKEN in messages(caught.value)
    assert EnterpriseClaim.objects.filter(enterprise=enterprise, status="verified").count() == 1


def test_wrong_name_or_unknown_code_gets_the_same_answer():
    enterprise = make_enterprise(32)
    user = make_enterprise_user()
    with pytest.raises(ValidationError) as wrong_name:
        claim_submit(actor=user, credit_code=enterprise.credit_code, name="别的公司", contact_name="王五",
                     contact_phone="13812345678")
    with pytest.raises(ValidationError) as unknown:
        claim_submit(actor=user, credit_code=code(99), name=enterprise.name, contact_name="王五",
                     contact_phone="13812345678")
    assert messages(wrong_name.value) == messages(unknown.value) == NO_MATCH
    with pytest.raises(ValidationError) as bad_phone:
        claim_submit(actor=user, credit_code=enterprise.credit_code, name=enterprise.name, contact_name="王五",
                     contact_phone="12345")
    assert "联系电话" in messages(bad_phone.value)


def test_only_enterprise_accounts_claim_and_one_open_claim_per_account():
    enterprise, other = make_enterprise(33), make_enterprise(34)
    staff = make_staff(make_org("430100"))
    with pytest.raises(PermissionDenied):
        _claim(staff, enterprise)
    user = make_enterprise_user()
    claim = _claim(user, enterprise)
    with pytest.raises(ValidationError) as caught:
        _claim(user, other)
    assert "只能认领一家" in messages(caught.value)
    claim_withdraw(actor=user, claim=claim)
    assert Enterprise.objects.get(pk=enterprise.pk).claim_status == "unclaimed"
    assert _claim(user, other).status == "pending"
    registered = make_enterprise_user(credit_code=enterprise.credit_code)
    with pytest.raises(ValidationError) as mismatch:
        _claim(registered, other)
    assert "不一致" in messages(mismatch.value)


def test_reject_needs_a_reason_and_revoke_frees_the_enterprise():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(35)
    user = make_enterprise_user()
    claim = _claim(user, enterprise)
    with pytest.raises(ValidationError):
        claim_reject(actor=manager, claim=claim, reason=" ")
    claim_reject(actor=manager, claim=claim, reason="联系人无法提供营业执照。")
    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.decided_by == manager
    assert Enterprise.objects.get(pk=enterprise.pk).claim_status == "unclaimed"
    claim = _claim(user, enterprise)
    claim_verify(actor=manager, claim=claim)
    claim_revoke(actor=manager, claim=claim, reason="企业申请更换管理账号。")
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.claim_status == "unclaimed" and stored.claimed_by is None
    assert _claim(make_enterprise_user(), enterprise).status == "pending"


def test_masked_phone_property():
    enterprise = make_enterprise(36)
    claim = _claim(make_enterprise_user(), enterprise, phone="0731-88886666")
    assert claim.contact_phone_masked == "073******6666"
    assert _claim(make_enterprise_user(), make_enterprise(37)).contact_phone_masked == "138****5678"


def test_figures_are_stored_as_decimals():
    enterprise = make_enterprise(38, revenue="1,234.567", assets=99.5)
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.revenue == Decimal("1234.57") and stored.assets == Decimal("99.50")


# --- Pages and API -----------------------------------------------------------------------------------

def _staff_client(user):
    from django.test import Client

    from gongkai.portal.tests.helpers import login_verified

    client = Client()
    login_verified(client, user)
    return client


def _public_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_staff_pages_list_only_the_own_area_and_refuse_others():
    manager = make_staff(make_org("430100"))
    mine = make_enterprise(40, name="岳麓本地企业有限公司", region_code="430104")
    theirs = make_enterprise(41, name="株洲外地企业有限公司", region_code="430202")
    client = _staff_client(manager)
    body = client.get("/staff/enterprises/").content.decode()
    assert "岳麓本地企业有限公司" in body and "株洲外地企业有限公司" not in body
    assert "岳麓本地" in client.get("/staff/enterprises/?q=91430102").content.decode()
    assert client.get("/staff/enterprises/?q=不存在").content.decode().count("岳麓本地") == 0
    assert client.get(f"/staff/enterprises/{mine.pk}/").status_code == 200
    assert client.get(f"/staff/enterprises/{theirs.pk}/").status_code == 404
    assert client.get(f"/staff/enterprises/{theirs.pk}/edit/").status_code == 404
    handler = make_staff(make_org("430100"), role=OrgRole.HANDLER)
    other = _staff_client(handler)
    assert other.get("/staff/enterprises/").status_code == 403
    assert other.get(f"/staff/enterprises/{mine.pk}/").status_code == 404
    assert other.get("/staff/enterprises/import/").status_code == 403


def test_staff_create_and_edit_through_the_pages_recompute_size():
    """工信部联企业〔2011〕300号 第四条（零售业）: 从业人员10人及以上且营业收入100万元及以上为小型."""
    manager = make_staff(make_org("430100"))
    client = _staff_client(manager)
    response = client.post("/staff/enterprises/new/", {
        "credit_code": code(42), "name": "芙蓉便民超市有限公司", "region_code": "430102", "industry": "F52",
        "employees": "12", "revenue": "150", "assets": "", "contact_email": ""})
    enterprise = Enterprise.objects.get(credit_code=code(42))
    assert response.status_code == 302 and enterprise.size_class == "small"
    page = client.get(f"/staff/enterprises/{enterprise.pk}/").content.decode()
    assert "小型" in page and "零售业" in page
    bad = client.post("/staff/enterprises/new/", {"credit_code": "91430102MA4L00000X", "name": "某公司",
                                                  "region_code": "430102"})
    assert bad.status_code == 200 and "校验" in bad.content.decode() and "请更正以下问题" in bad.content.decode()
    response = client.post(f"/staff/enterprises/{enterprise.pk}/edit/", {
        "name": "芙蓉便民超市有限公司", "region_code": "430102", "industry": "F52", "employees": "60",
        "revenue": "600", "version": str(enterprise.version)})
    assert response.status_code == 302
    assert Enterprise.objects.get(pk=enterprise.pk).size_class == "medium"
    stale = client.post(f"/staff/enterprises/{enterprise.pk}/edit/", {
        "name": "芙蓉便民超市有限公司", "region_code": "430102", "industry": "F52", "employees": "1",
        "version": "1"})
    assert "已被他人修改" in stale.content.decode()
    outside = client.post("/staff/enterprises/new/", {"credit_code": code(43), "name": "外地公司",
                                                      "region_code": "430202"})
    assert outside.status_code == 403
    assert not Enterprise.objects.filter(credit_code=code(43)).exists()


def test_claim_pages_mask_the_phone_and_staff_verify():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(44)
    user = make_enterprise_user()
    public = _public_client(user)
    assert public.get("/qiye/").status_code == 200
    response = public.post("/qiye/renling/", {"credit_code": enterprise.credit_code, "name": enterprise.name,
                                             "contact_name": "王五", "contact_phone": "13812345678"})
    assert response.status_code == 302
    assert "待核验" in public.get("/qiye/").content.decode()
    claim = EnterpriseClaim.objects.get(user=user)
    client = _staff_client(manager)
    queue = client.get("/staff/enterprises/claims/").content.decode()
    detail = client.get(f"/staff/enterprises/claims/{claim.pk}/").content.decode()
    for page in (queue, detail, client.get(f"/staff/enterprises/{enterprise.pk}/").content.decode()):
        assert "138****5678" in page and "13812345678" not in page
    assert client.post(f"/staff/enterprises/claims/{claim.pk}/", {"action": "reject", "reason": ""}).status_code == 200
    assert client.post(f"/staff/enterprises/claims/{claim.pk}/", {"action": "verify"}).status_code == 302
    page = public.get("/qiye/").content.decode()
    assert enterprise.name in page and "更新从业人员" in page
    outsider = _staff_client(make_staff(make_org("430200")))
    assert outsider.get(f"/staff/enterprises/claims/{claim.pk}/").status_code == 404


def test_enterprise_edits_own_figures_on_its_page_and_staff_cannot_use_it():
    enterprise = make_enterprise(45, employees=5, revenue="40")
    owner = _verified_owner(enterprise)
    public = _public_client(owner)
    assert public.get("/qiye/bianji/").status_code == 200
    response = public.post("/qiye/bianji/", {"employees": "120", "revenue": "1500", "assets": "",
                                            "contact_email": "x@example.com", "name": "篡改的名称"})
    assert response.status_code == 302
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.employees == 120 and stored.size_class == "medium" and stored.name == enterprise.name
    staff = _staff_client(make_staff(make_org("430100")))
    assert staff.get("/qiye/").status_code == 403
    citizen = _public_client(make_enterprise_user())
    assert citizen.get("/qiye/bianji/").status_code == 302  # not claimed yet → back to 我的企业


def test_api_own_profile_and_staff_list_detail():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(46, region_code="430104")
    far = make_enterprise(47, region_code="430202")
    owner = _verified_owner(enterprise)
    public = _public_client(owner)
    data = public.get("/api/v1/enterprises/mine").json()
    assert data["credit_code"] == enterprise.credit_code and data["size_label"] == "小型"
    assert "contact_phone" not in str(data)
    assert _public_client(make_enterprise_user()).get("/api/v1/enterprises/mine").status_code == 404
    client = _staff_client(manager)
    listed = client.get("/api/v1/enterprises/").json()
    assert [i["credit_code"] for i in listed["items"]] == [enterprise.credit_code]
    assert client.get(f"/api/v1/enterprises/{enterprise.pk}").json()["industry_code"] == "I65"
    assert client.get(f"/api/v1/enterprises/{far.pk}").status_code == 404
    handler = _staff_client(make_staff(make_org("430100"), role=OrgRole.HANDLER))
    assert handler.get("/api/v1/enterprises/").status_code == 403
    assert handler.get(f"/api/v1/enterprises/{enterprise.pk}").status_code == 404


def test_workbench_shows_the_enterprise_box_to_managers_only():
    manager = make_staff(make_org("430100"))
    make_enterprise(48)
    assert "企业档案（一企一档）" in _staff_client(manager).get("/staff/").content.decode()
    handler = make_staff(make_org("430100"), role=OrgRole.HANDLER)
    assert "企业档案（一企一档）" not in _staff_client(handler).get("/staff/").content.decode()


def test_demo_enterprises_are_computed_by_the_size_rule_and_load_idempotently():
    from gongkai.core.demo import load_demo
    from gongkai.enterprise.demo import SAMPLE_CODE, load_demo_enterprises
    from gongkai.enterprise.services import compute_size

    load_demo()
    first = load_demo_enterprises()
    assert first.created == 500 and first.claims == 1 and first.qualifications > 50
    again = load_demo_enterprises()
    assert (again.created, again.updated, again.unchanged, again.qualifications, again.claims) == (0, 0, 500, 0, 0)
    sizes = set(Enterprise.objects.values_list("size_class", flat=True))
    assert {"large", "medium", "small", "micro", ""} <= sizes
    assert Enterprise.objects.filter(is_individual=True).count() > 30
    for e in Enterprise.objects.select_related("industry")[:200]:
        assert e.size_class == compute_size(e.industry_id, e.employees, e.revenue, e.assets)
    sample = Enterprise.objects.get(credit_code=SAMPLE_CODE)
    assert sample.claimed_by.username == "enterprise" and sample.claim_status == "verified"
    from gongkai.accounts.models import User

    hunan = access.enterprises_for(User.objects.get(username="hn_qiye"))
    assert hunan.exists() and not hunan.exclude(region_code__startswith="43").exists()


def test_every_staff_page_renders_for_a_manager():
    manager = make_staff(make_org("430100"))
    enterprise = make_enterprise(60)
    qualification_add(actor=manager, enterprise=enterprise, kind="科技型中小企业", valid_to="2026-12-31")
    claim = _claim(make_enterprise_user(), enterprise)
    client = _staff_client(manager)
    base = f"/staff/enterprises/{enterprise.pk}/"
    for url in ("/staff/enterprises/", "/staff/enterprises/new/", base, base + "edit/", base + "tags/",
                base + "qualifications/add/", "/staff/enterprises/claims/", f"/staff/enterprises/claims/{claim.pk}/",
                "/staff/enterprises/import/", "/staff/enterprises/?size=small&industry=I&region=43&claim=pending"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'style="' not in response.content.decode(), url  # CSP: no inline styles
    template = client.get("/staff/enterprises/import/template.csv")
    assert template["Content-Type"].startswith("text/csv") and "统一社会信用代码".encode() in template.content
    xlsx = client.get("/staff/enterprises/export/?fmt=xlsx&q=测试企业60")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats") and xlsx.content[:2] == b"PK"
    response = client.post(base + "tags/", {"tags": "出口企业、外资企业"})
    assert response.status_code == 302 and enterprise.tags.count() == 2
    response = client.post(base + "qualifications/add/", {"kind": "高新技术企业", "issuer": "湖南省科学技术厅",
                                                          "valid_from": "2024-01-01", "valid_to": "2026-12-31"})
    assert response.status_code == 302 and enterprise.qualifications.count() == 2
    q = enterprise.qualifications.get(kind="高新技术企业")
    assert client.get(base + f"qualifications/{q.pk}/remove/").status_code == 405
    assert client.post(base + f"qualifications/{q.pk}/remove/").status_code == 302
    assert enterprise.qualifications.count() == 1
