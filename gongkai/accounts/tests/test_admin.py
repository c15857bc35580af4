"""The admin site: only for a verified 系统管理员; every change audited through the services."""

import pytest
from django.contrib import admin
from django.test import Client

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole, SystemRole
from gongkai.accounts.tests.factories import DEFAULT_PASSWORD, StaffUserFactory, totp_device_for
from gongkai.core.models import AuditEvent
from gongkai.domain.identifiers import make_credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin():
    return StaffUserFactory(system_role=SystemRole.SYSTEM_ADMIN)


@pytest.fixture
def admin_client(sysadmin, staff_client_factory):
    return staff_client_factory(sysadmin)


def _org_data(**overrides):
    data = {
        "name": "测试省民政厅", "short_name": "", "slug": "test-civil", "level": "provincial",
        "kind": "department", "parent": "", "credit_code": make_credit_code("11", "440000", "87654321"),
        "division_code": "440000", "office_name": "", "office_address": "", "office_hours": "",
        "phone": "", "fax": "", "email": "", "postcode": "", "website": "", "is_active": "on",
    }
    data.update(overrides)
    return data


def test_audit_log_is_not_in_admin():
    from gongkai.core.models import AuditEvent as Model

    assert not admin.site.is_registered(Model)


def test_django_admin_login_form_is_no_bypass_around_totp(sysadmin):
    totp_device_for(sysadmin)
    client = Client()
    get = client.get("/admin/login/?next=/admin/")
    assert get.status_code == 302 and get["Location"].startswith("/accounts/login/")
    post = client.post("/admin/login/", {"username": sysadmin.username, "password": DEFAULT_PASSWORD})
    assert post.status_code == 302 and post["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_unverified_system_admin_session_reaches_no_admin(sysadmin):
    client = Client()
    client.force_login(sysadmin)  # password-equivalent session without the OTP step
    response = client.get("/admin/accounts/organisation/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin_creates_organisation_with_tree_path_and_audit(admin_client, org_tree):
    response = admin_client.post("/admin/accounts/organisation/add/",
                                 _org_data(parent=str(org_tree.province.pk)))
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(slug="test-civil")
    assert org.tree_path == org_tree.province.tree_path + Organisation.path_segment(org.pk)
    row = AuditEvent.objects.get(action="organisation.create", object_id=str(org.pk))
    assert row.after["name"] == "测试省民政厅"
    assert row.actor.system_role == SystemRole.SYSTEM_ADMIN


def test_admin_rejects_bad_credit_code_and_creates_nothing(admin_client):
    count = Organisation.objects.count()
    response = admin_client.post("/admin/accounts/organisation/add/", _org_data(credit_code="91440000ABCDEFGHIJ"))
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()
    assert Organisation.objects.count() == count
    assert not AuditEvent.objects.filter(action="organisation.create").exclude(actor=None).exists()


def test_admin_refuses_parent_cycle(admin_client, org_tree):
    province = org_tree.province
    data = _org_data(name=province.name, slug=province.slug, level=province.level, kind=province.kind,
                     credit_code=province.credit_code, parent=str(org_tree.dept_a.pk))
    response = admin_client.post(f"/admin/accounts/organisation/{province.pk}/change/", data)
    assert response.status_code == 200
    assert "上级机关不能是本机关或其下级机关" in response.content.decode()
    province.refresh_from_db()
    assert province.parent_id is None


def test_admin_moves_subtree_and_audits_before_after(admin_client, org_tree):
    dept_a = org_tree.dept_a
    data = _org_data(name=dept_a.name, slug=dept_a.slug, level=dept_a.level, kind=dept_a.kind,
                     credit_code=dept_a.credit_code, parent=str(org_tree.dept_b.pk))
    response = admin_client.post(f"/admin/accounts/organisation/{dept_a.pk}/change/", data)
    assert response.status_code == 302
    dept_a.refresh_from_db()
    assert dept_a.tree_path == org_tree.dept_b.tree_path + Organisation.path_segment(dept_a.pk)
    row = AuditEvent.objects.filter(action="organisation.update", object_id=str(dept_a.pk)).latest("seq")
    assert row.before["parent_id"] == org_tree.province.pk
    assert row.after["parent_id"] == org_tree.dept_b.pk


def test_admin_user_form_has_no_superuser_permissions_or_hash(admin_client, sysadmin):
    target = StaffUserFactory()
    html = admin_client.get(f"/admin/accounts/user/{target.pk}/change/").content.decode()
    for forbidden in ("is_superuser", "user_permissions", "groups", "md5$", "pbkdf2_sha256$", target.password):
        assert forbidden not in html


def test_admin_creates_user_with_hashed_password_and_audit(admin_client):
    response = admin_client.post("/admin/accounts/user/add/", {
        "username": "newclerk", "display_name": "新办事员", "email": "", "account_type": "staff",
        "system_role": "", "is_active": "on", "is_superuser": "on",
        "new_password1": "a long enough passphrase", "new_password2": "a long enough passphrase",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newclerk")
    assert user.check_password("a long enough passphrase")
    assert not user.is_superuser
    row = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert "password" not in str(row.after)


def test_admin_rejects_weak_password_and_creates_nothing(admin_client):
    count = User.objects.count()
    response = admin_client.post("/admin/accounts/user/add/", {
        "username": "weak", "display_name": "", "email": "", "account_type": "staff", "system_role": "",
        "is_active": "on", "new_password1": "password", "new_password2": "password",
    })
    assert response.status_code == 200
    assert "密码太短，至少需要12个字符" in response.content.decode()
    assert User.objects.count() == count


def test_admin_changes_password_and_audits_only_the_fact(admin_client):
    target = StaffUserFactory()
    response = admin_client.post(f"/admin/accounts/user/{target.pk}/change/", {
        "username": target.username, "display_name": "改名", "email": "", "account_type": "staff",
        "system_role": "", "is_active": "on",
        "new_password1": "another long passphrase", "new_password2": "another long passphrase",
    })
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("another long passphrase")
    row = AuditEvent.objects.filter(action="user.update", object_id=str(target.pk)).latest("seq")
    assert row.after == {"display_name": "改名", "password_changed": True}
    assert target.password not in str(row.before) + str(row.after)


def test_admin_cannot_give_system_role_to_org_role_holder(admin_client, org_tree):
    from gongkai.accounts.tests.factories import MembershipFactory

    clerk = MembershipFactory(organisation=org_tree.dept_a).user
    response = admin_client.post(f"/admin/accounts/user/{clerk.pk}/change/", {
        "username": clerk.username, "display_name": clerk.display_name, "email": "", "account_type": "staff",
        "system_role": "auditor", "is_active": "on", "new_password1": "", "new_password2": "",
    })
    assert response.status_code == 200
    assert "三权分立" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.system_role == ""


def test_admin_grants_and_revokes_membership_with_audit(admin_client, org_tree):
    clerk = StaffUserFactory()
    response = admin_client.post("/admin/accounts/membership/add/", {
        "user": str(clerk.pk), "organisation": str(org_tree.dept_a.pk), "role": OrgRole.HANDLER,
    })
    assert response.status_code == 302
    membership = Membership.objects.get(user=clerk)
    assert AuditEvent.objects.filter(action="membership.grant", object_id=str(membership.pk)).exists()
    response = admin_client.post(f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.revoke", object_id=str(membership.pk)).exists()


def test_organisations_and_users_cannot_be_deleted_in_admin(admin_client, org_tree):
    response = admin_client.post(f"/admin/accounts/organisation/{org_tree.dept_a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Organisation.objects.filter(pk=org_tree.dept_a.pk).exists()


@pytest.mark.parametrize("path", [
    "/admin/", "/admin/accounts/organisation/", "/admin/accounts/organisation/add/",
    "/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/accounts/membership/",
    "/admin/accounts/membership/add/",
])
def test_admin_pages_render_for_system_admin(admin_client, org_tree, path):
    response = admin_client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "系统管理" in html
    # Security and audit models stay out of the system administrator's sight.
    assert "/admin/axes/" not in html and "/admin/otp_totp/" not in html and "auditevent" not in html
