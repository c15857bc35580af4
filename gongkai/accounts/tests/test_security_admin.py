"""安全管理: unlock accounts and reset TOTP — 安全管理员 only, audited."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.roles import SystemRole
from gongkai.accounts.tests.factories import DEFAULT_PASSWORD, StaffUserFactory, totp_device_for
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def security_client(staff_client_factory):
    return staff_client_factory(StaffUserFactory(system_role=SystemRole.SECURITY_ADMIN))


def _lock_out(user):
    for i in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="10.1.1.1").post("/accounts/login/", {"username": user.username, "password": f"bad-{i}-pw"})


def test_security_page_lists_lockouts_and_unlock_works(security_client):
    victim = StaffUserFactory(username="lockedclerk")
    totp_device_for(victim)
    _lock_out(victim)
    assert Client().post("/accounts/login/", {"username": victim.username, "password": DEFAULT_PASSWORD}).status_code == 429
    page = security_client.get("/staff/security/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "lockedclerk" in html and "已锁定" in html
    response = security_client.post("/staff/security/unlock/", {"username": "lockedclerk"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="lockedclerk").exists()
    row = AuditEvent.objects.get(action="security.unlock")
    assert row.object_repr == "lockedclerk" and row.after["removed"] >= 1
    assert row.before["attempts"][0]["failures"] == settings.AXES_FAILURE_LIMIT
    # The password step works again (from an address that is not itself locked).
    response = Client(REMOTE_ADDR="10.2.2.2").post(
        "/accounts/login/", {"username": victim.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"].endswith("?step=otp")


def test_unlock_is_post_only(security_client):
    assert security_client.get("/staff/security/unlock/?username=x").status_code == 405


def test_unlock_without_target_changes_nothing(security_client):
    response = security_client.post("/staff/security/unlock/", {"username": "", "ip_address": ""}, follow=True)
    assert "请指定要解除锁定的用户名或 IP 地址" in response.content.decode()
    assert not AuditEvent.objects.filter(action="security.unlock").exists()


def test_reset_otp_deletes_devices_and_is_audited(security_client):
    victim = StaffUserFactory()
    totp_device_for(victim)
    StaticDevice.objects.create(user=victim, name="备用码", confirmed=True)
    response = security_client.post("/staff/security/reset-otp/", {"username": victim.username})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=victim).exists()
    assert not StaticDevice.objects.filter(user=victim).exists()
    row = AuditEvent.objects.get(action="security.otp_reset", object_id=str(victim.pk))
    assert row.before == {"totp_devices": 1, "static_devices": 1}
    # Next login: password, then enrolment of a new device.
    client = Client()
    response = client.post("/accounts/login/", {"username": victim.username, "password": DEFAULT_PASSWORD})
    assert response["Location"].endswith("?step=enrol")


def test_reset_otp_unknown_user_changes_nothing(security_client):
    response = security_client.post("/staff/security/reset-otp/", {"username": "ghost"}, follow=True)
    assert "未找到该用户" in response.content.decode()
    assert not AuditEvent.objects.filter(action="security.otp_reset").exists()


@pytest.mark.parametrize("role", [SystemRole.SYSTEM_ADMIN, SystemRole.AUDITOR, SystemRole.NONE])
def test_other_roles_cannot_unlock_or_reset(role, staff_client_factory):
    victim = StaffUserFactory()
    totp_device_for(victim)
    _lock_out(victim)
    client = staff_client_factory(StaffUserFactory(system_role=role))
    assert client.post("/staff/security/unlock/", {"username": victim.username}).status_code == 403
    assert client.post("/staff/security/reset-otp/", {"username": victim.username}).status_code == 403
    assert AccessAttempt.objects.filter(username=victim.username).exists()
    assert TOTPDevice.objects.filter(user=victim).exists()
