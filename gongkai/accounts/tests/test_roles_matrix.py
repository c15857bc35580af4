"""三权分立: system role × staff endpoint matrix (reliability.md §5 item 6)."""

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.accounts.roles import OrgRole, SystemRole
from gongkai.accounts.services import membership_grant, security_reset_otp, security_unlock
from gongkai.accounts.tests.factories import MembershipFactory, StaffUserFactory
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db

# (audit log, admin index, security page, organisation detail of dept_a)
EXPECTED = {
    SystemRole.SYSTEM_ADMIN: (403, 200, 403, 404),
    SystemRole.SECURITY_ADMIN: (403, 403, 200, 404),
    SystemRole.AUDITOR: (200, 403, 403, 404),
    "org_admin_of_dept_a": (403, 403, 403, 200),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_role_matrix(role, org_tree, staff_client_factory):
    if role == "org_admin_of_dept_a":
        user = MembershipFactory(organisation=org_tree.dept_a, role=OrgRole.ORG_ADMIN).user
    else:
        user = StaffUserFactory(system_role=role)
    client = staff_client_factory(user)
    urls = ("/staff/audit/", "/admin/", "/staff/security/", f"/staff/organisations/{org_tree.dept_a.pk}/")
    got = tuple(client.get(url).status_code for url in urls)
    assert got == EXPECTED[role]


@pytest.mark.parametrize("url", ["/staff/audit/", "/admin/", "/staff/security/"])
def test_anonymous_is_sent_to_our_login(anon_client, url):
    response = anon_client.get(url, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert response.status_code == 200


def test_public_user_reaches_no_staff_page(org_tree, staff_client_factory):
    from gongkai.accounts.tests.factories import PublicUserFactory

    client = staff_client_factory(PublicUserFactory())
    for url in ("/staff/", "/staff/audit/", "/admin/", "/staff/security/"):
        assert client.get(url).status_code == 403, url


def test_auditor_reads_audit_log_contents(staff_client_factory):
    auditor = StaffUserFactory(system_role=SystemRole.AUDITOR)
    client = staff_client_factory(auditor)
    response = client.get("/staff/audit/?action=auth.login")
    assert response.status_code == 200
    assert "auth.login" in response.content.decode()


def test_auditor_cannot_post_to_admin_or_security(staff_client_factory):
    auditor = StaffUserFactory(system_role=SystemRole.AUDITOR)
    client = staff_client_factory(auditor)
    before = AuditEvent.objects.filter(action__startswith="security.").count()
    assert client.post("/staff/security/unlock/", {"username": "x"}).status_code == 403
    assert client.post("/admin/accounts/user/add/", {"username": "x"}).status_code == 403
    assert AuditEvent.objects.filter(action__startswith="security.").count() == before


def test_system_admin_cannot_use_security_services():
    sysadmin = StaffUserFactory(system_role=SystemRole.SYSTEM_ADMIN)
    target = StaffUserFactory()
    with pytest.raises(PermissionDenied):
        security_unlock(actor=sysadmin, username=target.username)
    with pytest.raises(PermissionDenied):
        security_reset_otp(actor=sysadmin, user=target)


def test_system_role_holder_cannot_get_org_role(org_tree):
    from django.core.exceptions import ValidationError

    auditor = StaffUserFactory(system_role=SystemRole.AUDITOR)
    with pytest.raises(ValidationError):
        membership_grant(actor=None, user=auditor, organisation=org_tree.dept_a, role=OrgRole.OFFICE_HEAD)
    assert not auditor.memberships.exists()


def test_system_admin_holds_no_approval_permission(org_tree):
    from gongkai.accounts.access import organisations_for, user_has_org_perm
    from gongkai.accounts.roles import Perm

    sysadmin = StaffUserFactory(system_role=SystemRole.SYSTEM_ADMIN)
    assert not user_has_org_perm(sysadmin, org_tree.province, Perm.APPROVE)
    assert organisations_for(sysadmin, Perm.APPROVE).count() == 0
