"""Organisation tree, memberships and access functions (issue §2; reliability.md §5 items 2, 6)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongkai.accounts.access import access_organisation, organisations_for, user_has_org_perm
from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole, Perm, SystemRole
from gongkai.accounts.services import (
    membership_grant,
    organisation_create,
    organisation_update,
    user_create,
)
from gongkai.core.models import AuditEvent
from gongkai.domain.identifiers import make_credit_code

pytestmark = pytest.mark.django_db


def _org(name, n, parent=None, level=Organisation.Level.PROVINCIAL, kind=Organisation.Kind.DEPARTMENT):
    return organisation_create(
        actor=None, name=name, slug=f"org-{n}", level=level, kind=kind, parent=parent,
        credit_code=make_credit_code("11", "430000", f"{n:08d}"), division_code="430000",
    )


def _staff(username, system_role=SystemRole.NONE):
    return user_create(actor=None, username=username, password=None, account_type=User.AccountType.STAFF,
                       system_role=system_role)


@pytest.fixture
def tree():
    gov = _org("湖南省人民政府", 1, kind=Organisation.Kind.GOVERNMENT)
    finance = _org("湖南省财政厅", 2, parent=gov)
    culture = _org("湖南省文化和旅游厅", 3, parent=gov)
    changsha = _org("长沙市人民政府", 4, parent=gov, level=Organisation.Level.MUNICIPAL)
    changsha_finance = _org("长沙市财政局", 5, parent=changsha, level=Organisation.Level.MUNICIPAL)
    return gov, finance, culture, changsha, changsha_finance


def test_tree_paths_support_subtree_queries(tree):
    gov, finance, culture, changsha, changsha_finance = tree
    assert changsha_finance.tree_path == "/" + "".join(
        Organisation.path_segment(o.pk) for o in (gov, changsha, changsha_finance))
    subtree = Organisation.objects.filter(tree_path__startswith=changsha.tree_path)
    assert set(subtree) == {changsha, changsha_finance}


def test_malformed_credit_code_creates_nothing():
    before = Organisation.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        organisation_create(actor=None, name="某局", slug="x", level="county", kind="department",
                            credit_code="11430000000000001A", division_code="430000")
    assert "统一社会信用代码" in str(info.value)
    assert (Organisation.objects.count(), AuditEvent.objects.count()) == before


def test_malformed_division_code_and_postcode_create_nothing():
    with pytest.raises(ValidationError) as info:
        organisation_create(actor=None, name="某局", slug="x", level="county", kind="department",
                            credit_code=make_credit_code("11", "430000", "00000099"), division_code="4300",
                            postcode="41")
    text = str(info.value)
    assert "行政区划代码应为6位数字" in text and "邮政编码应为6位数字" in text
    assert not Organisation.objects.exists()


def test_parent_cannot_be_own_descendant(tree):
    gov, *_ = tree
    changsha = Organisation.objects.get(name="长沙市人民政府")
    with pytest.raises(ValidationError, match="上级机关"):
        organisation_update(actor=None, organisation=gov, parent=changsha)


def test_moving_an_organisation_moves_its_subtree(tree):
    gov, finance, culture, changsha, changsha_finance = tree
    organisation_update(actor=None, organisation=changsha, parent=finance)
    changsha_finance.refresh_from_db()
    assert changsha_finance.tree_path == "/" + "".join(
        Organisation.path_segment(o.pk) for o in (gov, finance, changsha, changsha_finance))


def test_staff_see_only_their_organisation(tree):
    gov, finance, culture, *_ = tree
    clerk = _staff("finance_clerk")
    membership_grant(actor=None, user=clerk, organisation=finance, role=OrgRole.HANDLER)
    assert access_organisation(clerk, finance.pk) == finance
    with pytest.raises(Http404):
        access_organisation(clerk, culture.pk)
    denial = AuditEvent.objects.filter(action="access.denied").latest("seq")
    assert denial.actor == clerk and denial.object_id == str(culture.pk)
    assert list(organisations_for(clerk)) == [finance]


def test_subordinate_scope_only_when_the_membership_says_so(tree):
    gov, finance, culture, changsha, changsha_finance = tree
    head = _staff("office_head")
    membership_grant(actor=None, user=head, organisation=changsha, role=OrgRole.OFFICE_HEAD,
                     includes_subordinates=True)
    registrar = _staff("registrar")
    membership_grant(actor=None, user=registrar, organisation=changsha, role=OrgRole.REGISTRAR)
    assert set(organisations_for(head)) == {changsha, changsha_finance}
    assert set(organisations_for(registrar)) == {changsha}
    assert user_has_org_perm(head, changsha_finance, Perm.APPROVE)
    assert not user_has_org_perm(head, finance, Perm.APPROVE)
    assert not user_has_org_perm(registrar, changsha, Perm.APPROVE)


def test_system_roles_cannot_hold_organisation_roles(tree):
    gov, *_ = tree
    for role in (SystemRole.SYSTEM_ADMIN, SystemRole.SECURITY_ADMIN, SystemRole.AUDITOR):
        user = _staff(f"sys_{role}", system_role=role)
        with pytest.raises(ValidationError, match="三权分立"):
            membership_grant(actor=None, user=user, organisation=gov, role=OrgRole.OFFICE_HEAD)
    assert not Membership.objects.exists()


def test_system_admin_has_no_approval_or_audit_permission(tree):
    gov, *_ = tree
    admin = _staff("sysadmin", system_role=SystemRole.SYSTEM_ADMIN)
    assert not user_has_org_perm(admin, gov, Perm.APPROVE)
    assert list(organisations_for(admin, Perm.APPROVE)) == []
    from gongkai.accounts.access import has_system_perm

    assert not has_system_perm(admin, Perm.READ_AUDIT)
    assert has_system_perm(_staff("aud", system_role=SystemRole.AUDITOR), Perm.READ_AUDIT)


def test_public_accounts_cannot_get_system_roles():
    with pytest.raises(ValidationError):
        user_create(actor=None, username="citizen", password=None, account_type=User.AccountType.PERSON,
                    system_role=SystemRole.AUDITOR)
    assert not User.objects.filter(username="citizen").exists()


def test_org_admin_edits_contact_data_with_audited_before_after(tree):
    gov, finance, *_ = tree
    admin = _staff("fin_admin")
    membership_grant(actor=None, user=admin, organisation=finance, role=OrgRole.ORG_ADMIN)
    organisation_update(actor=admin, organisation=finance, phone="0731-88880000")
    event = AuditEvent.objects.filter(action="organisation.update").latest("seq")
    assert event.actor == admin
    assert event.before == {"phone": ""} and event.after == {"phone": "0731-88880000"}
    with pytest.raises(PermissionDenied):
        organisation_update(actor=admin, organisation=finance, name="改名")
    with pytest.raises(PermissionDenied):
        organisation_update(actor=admin, organisation=gov, phone="1")
    finance.refresh_from_db()
    assert finance.name == "湖南省财政厅"


def test_column_paths_cannot_be_organisation_slugs():
    with pytest.raises(ValidationError, match="栏目保留字"):
        organisation_create(actor=None, name="某局", slug="zhinan", level="county", kind="department",
                            credit_code=make_credit_code("11", "430000", "00000077"), division_code="430000")
    assert not Organisation.objects.exists()


def test_tree_order_is_depth_first_in_creation_order():
    """Ordering by tree_path must not put organisation 10 before organisation 9."""
    roots = [_org(f"第{n}机关", n) for n in range(1, 12)]
    child = _org("第1机关下属局", 99, parent=roots[0])
    ordered = list(Organisation.objects.order_by("tree_path"))
    assert ordered == [roots[0], child, *roots[1:]]
