"""``gongkai demo``: the organisations of the four published cases and one account per role."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.access import organisations_for
from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole, SystemRole
from gongkai.core.audit import verify_chain
from gongkai.core.demo import BACKUP_CODES, DEMO_PASSWORD, ORGANISATIONS, USERS, load_demo
from gongkai.core.models import AuditEvent
from gongkai.domain.identifiers import validate_credit_code, validate_division_code

pytestmark = pytest.mark.django_db

STAFF_USERNAMES = {u.username for u in USERS if u.account_type == User.AccountType.STAFF}


def counts() -> dict[str, int]:
    return {
        "orgs": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "totp": TOTPDevice.objects.count(),
        "static": StaticDevice.objects.count(),
        "tokens": StaticToken.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_demo_loads_the_published_organisations_with_real_division_codes():
    load_demo()

    by_name = {o.name: o for o in Organisation.objects.all()}
    assert by_name["湖南省人民政府"].parent is None
    office = by_name["湖南省人民政府办公厅"]
    assert office.parent == by_name["湖南省人民政府"]
    assert office.office_name == "湖南省人民政府办公厅政务公开办公室"
    for dept in ["湖南省财政厅", "湖南省文化和旅游厅", "湖南省市场监督管理局", "国家税务总局湖南省税务局"]:
        assert by_name[dept].parent == office
    assert by_name["国家税务总局湖南省税务局"].kind == Organisation.Kind.VERTICAL
    assert by_name["长沙市人民政府"].division_code == "430100"
    assert by_name["株洲市人民政府"].division_code == "430200"
    assert by_name["株洲市人民政府"].parent == by_name["湖南省人民政府"]
    cbirc = by_name["中国银行保险监督管理委员会上海监管局"]
    assert (cbirc.short_name, cbirc.kind, cbirc.level, cbirc.division_code) == (
        "上海银保监局", Organisation.Kind.VERTICAL, Organisation.Level.PROVINCIAL, "310000")
    ftz = by_name["中国（山东）自由贸易试验区烟台片区管理委员会"]
    assert (ftz.kind, ftz.level, ftz.division_code) == (
        Organisation.Kind.DISPATCHED, Organisation.Level.MUNICIPAL, "370600")
    assert by_name["黟县人民政府"].level == Organisation.Level.COUNTY
    assert by_name["黟县人民政府"].division_code == "341023"
    assert len(by_name) == len(ORGANISATIONS) == 11


def test_demo_credit_codes_are_valid_unique_and_contact_data_is_clearly_fake():
    load_demo()

    orgs = list(Organisation.objects.all())
    assert len({o.credit_code for o in orgs}) == len(orgs)
    for org in orgs:
        assert validate_credit_code(org.credit_code) == org.credit_code
        assert validate_division_code(org.division_code) == org.division_code
        assert org.credit_code[2:8] == org.division_code
        assert org.email.endswith(".example.gov.cn")
        assert "（演示地址）" in org.office_address
        assert org.office_hours.startswith("工作日 9:00-12:00，14:00-17:30")
        # The local number begins with 0, which no real subscriber number does.
        assert org.phone.split("-")[1].startswith("0")


def test_every_role_has_an_account_and_system_roles_hold_no_memberships():
    load_demo()

    office = Organisation.objects.get(slug="hunan-office")
    office_roles = set(Membership.objects.filter(organisation=office).values_list("role", flat=True))
    assert office_roles == set(OrgRole.values)
    expected = {
        "hunan-finance": {OrgRole.HANDLER, OrgRole.REGISTRAR, OrgRole.PUBLISHER, OrgRole.DEPARTMENT_HEAD},
        "yixian": {OrgRole.HANDLER, OrgRole.REGISTRAR},
    }
    for slug in expected:
        roles = set(Membership.objects.filter(organisation__slug=slug).values_list("role", flat=True))
        assert roles == expected[slug]
    for username, role in [("sysadmin", SystemRole.SYSTEM_ADMIN), ("secadmin", SystemRole.SECURITY_ADMIN),
                           ("auditor", SystemRole.AUDITOR)]:
        user = User.objects.get(username=username)
        assert user.system_role == role
        assert not user.memberships.exists()
    assert User.objects.get(username="citizen").account_type == User.AccountType.PERSON
    assert User.objects.get(username="enterprise").account_type == User.AccountType.ENTERPRISE
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.all())


def test_office_head_sees_the_departments_below_the_general_office():
    load_demo()

    head = User.objects.get(username="hn_head")
    visible = set(organisations_for(head).values_list("slug", flat=True))
    assert visible == {"hunan-office", "hunan-finance", "hunan-culture-tourism", "hunan-samr", "hunan-tax"}
    handler = User.objects.get(username="hn_handler")
    assert set(organisations_for(handler).values_list("slug", flat=True)) == {"hunan-office"}


def test_staff_get_a_confirmed_totp_device_and_five_backup_codes_public_users_none():
    result = load_demo()

    for login in result.logins:
        user = User.objects.get(username=login.username)
        if login.username in STAFF_USERNAMES:
            device = TOTPDevice.objects.get(user=user)
            assert device.confirmed
            assert login.otpauth_uri.startswith("otpauth://totp/")
            assert f"secret={login.totp_secret}" in login.otpauth_uri
            assert sorted(login.backup_codes) == sorted(
                StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
            assert len(login.backup_codes) == BACKUP_CODES
        else:
            assert not TOTPDevice.objects.filter(user=user).exists()
            assert login.backup_codes == [] and login.totp_secret == ""


def test_loading_twice_creates_nothing_and_returns_the_same_logins():
    first = load_demo()
    before = counts()

    second = load_demo()

    assert counts() == before
    assert (second.created_organisations, second.created_users, second.created_memberships) == (0, 0, 0)
    assert second.logins == first.logins


def test_every_demo_row_is_in_the_audit_trail_and_the_chain_verifies():
    load_demo()

    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("organisation.create") == len(ORGANISATIONS)
    assert actions.count("user.create") == len(USERS)
    assert actions.count("membership.grant") == Membership.objects.count() == 15
    assert actions.count("otp.device_create") == len(STAFF_USERNAMES)
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()
    checked, broken = verify_chain()
    assert broken is None and checked == len(actions)


def test_a_used_backup_code_is_replaced_on_the_next_run():
    first = {x.username: x for x in load_demo().logins}
    used = first["hn_handler"].backup_codes[0]
    device = StaticDevice.objects.get(user__username="hn_handler")
    assert device.verify_token(used)

    again = {x.username: x for x in load_demo().logins}["hn_handler"]

    assert used not in again.backup_codes
    assert len(again.backup_codes) == BACKUP_CODES
    assert set(first["hn_handler"].backup_codes[1:]) <= set(again.backup_codes)


def test_printed_totp_secret_logs_a_demo_user_in():
    load_demo()
    client = Client()
    response = client.post("/accounts/login/", {"username": "hn_registrar", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user__username="hn_registrar")

    response = client.post("/accounts/login/?step=otp", {"otp_token": f"{totp(device.bin_key):06d}"})

    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_command_prints_chinese_login_table_with_every_username():
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()

    assert "演示数据已就绪" in text
    for heading in ["用户名", "角色", "机关", "密码", "一次性备用码", "TOTP 密钥（base32）"]:
        assert heading in text
    for spec in USERS:
        assert spec.username in text
    assert DEMO_PASSWORD in text and "仅供演示" in text
    assert text.count("otpauth://totp/") == len(STAFF_USERNAMES)


def test_command_refuses_to_load_on_an_https_site(settings):
    settings.HTTPS = True

    with pytest.raises(CommandError, match="HTTPS"):
        call_command("demo", stdout=StringIO())

    assert not Organisation.objects.exists()
