"""Two-step login: password, then TOTP or a backup code (reliability.md §5 items 9–11)."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from gongkai.accounts.models import User
from gongkai.accounts.tests.factories import (
    DEFAULT_PASSWORD,
    PublicUserFactory,
    StaffUserFactory,
    totp_device_for,
)
from gongkai.accounts.tests.fixtures import current_code
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
OTP = "/accounts/login/?step=otp"


@pytest.fixture(autouse=True)
def _no_otp_throttle(settings):
    # django-otp slows retries after a wrong code (exponential back-off); these tests check
    # what happens with the *next* code, not the back-off.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _password_step(client, user, password=DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN, {"username": user.username, "password": password, **extra})


def _strip_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_staff_login_needs_password_then_totp():
    user = StaffUserFactory()
    device = totp_device_for(user)
    client = Client()
    response = _password_step(client, user)
    assert response.status_code == 302 and response["Location"].endswith("?step=otp")
    assert "_auth_user_id" not in client.session
    response = client.post(OTP, {"otp_token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/staff/"  # staff land on the workbench
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=user).count() == 1


def test_session_key_changes_at_login():
    user = StaffUserFactory()
    device = totp_device_for(user)
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    _password_step(client, user)
    after_password = client.session.session_key
    client.post(OTP, {"otp_token": current_code(device)})
    after_login = client.session.session_key
    assert len({before, after_password, after_login}) == 3


def test_totp_code_works_once():
    user = StaffUserFactory()
    device = totp_device_for(user)
    code = current_code(device)
    first = Client()
    _password_step(first, user)
    assert first.post(OTP, {"otp_token": code}).status_code == 302
    second = Client()
    _password_step(second, user)
    response = second.post(OTP, {"otp_token": code})
    assert response.status_code == 400
    assert "动态验证码不正确或已使用" in response.content.decode()
    assert "_auth_user_id" not in second.session


def test_totp_code_outside_one_step_tolerance_is_rejected():
    user = StaffUserFactory()
    device = totp_device_for(user)
    client = Client()
    _password_step(client, user)
    stale = totp(device.bin_key, drift=-3)
    response = client.post(OTP, {"otp_token": f"{stale:06d}"})
    assert response.status_code == 400
    previous = totp(device.bin_key, drift=-1)
    assert client.post(OTP, {"otp_token": f"{previous:06d}"}).status_code == 302


def test_static_backup_code_works_once():
    user = StaffUserFactory()
    totp_device_for(user)
    static = StaticDevice.objects.create(user=user, name="备用码", confirmed=True)
    StaticToken.objects.create(device=static, token="backup01")
    client = Client()
    _password_step(client, user)
    assert client.post(OTP, {"otp_token": "backup01"}).status_code == 302
    assert client.get("/staff/").status_code == 200
    other = Client()
    _password_step(other, user)
    assert other.post(OTP, {"otp_token": "backup01"}).status_code == 400
    assert StaticToken.objects.filter(device=static).count() == 0


def test_wrong_password_gives_generic_chinese_error_and_audit():
    user = StaffUserFactory()
    response = _password_step(Client(), user, password="wrong password 123")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", object_repr=user.username).count() == 1


def test_known_and_unknown_usernames_look_the_same():
    StaffUserFactory(username="known")
    known = Client().post(LOGIN, {"username": "known", "password": "wrong password 123"})
    unknown = Client().post(LOGIN, {"username": "nobody", "password": "wrong password 123"})
    assert known.status_code == unknown.status_code == 400
    body_known = _strip_tokens(known.content.decode()).replace("known", "USER")
    body_unknown = _strip_tokens(unknown.content.decode()).replace("nobody", "USER")
    assert body_known == body_unknown


def _lock(username, limit, ip="10.0.0.1"):
    responses = [Client(REMOTE_ADDR=ip).post(LOGIN, {"username": username, "password": f"wrong-{i}-password"})
                 for i in range(limit + 1)]
    return responses


def test_lockout_after_repeated_failures_is_429_chinese_and_audited():
    user = StaffUserFactory()
    totp_device_for(user)
    limit = settings.AXES_FAILURE_LIMIT
    responses = _lock(user.username, limit)
    assert [r.status_code for r in responses[: limit - 1]] == [400] * (limit - 1)
    assert responses[-1].status_code == 429
    assert "登录失败次数过多" in responses[-1].content.decode()
    # The right password no longer helps while locked, even from another address.
    locked = _password_step(Client(REMOTE_ADDR="10.9.9.9"), user)
    assert locked.status_code == 429
    assert AuditEvent.objects.filter(action="auth.locked_out", object_repr=user.username).exists()


def test_lockout_same_for_known_and_unknown_username():
    StaffUserFactory(username="known")
    limit = settings.AXES_FAILURE_LIMIT
    known_responses = _lock("known", limit, ip="10.0.0.1")
    unknown_responses = _lock("nobody", limit, ip="10.0.0.2")
    assert [r.status_code for r in known_responses] == [r.status_code for r in unknown_responses]
    known, unknown = known_responses[-1], unknown_responses[-1]
    assert known.status_code == unknown.status_code == 429
    assert _strip_tokens(known.content.decode()) == _strip_tokens(unknown.content.decode())


def test_wrong_totp_codes_count_towards_lockout():
    user = StaffUserFactory()
    device = totp_device_for(user)
    client = Client()
    _password_step(client, user)
    statuses = [client.post(OTP, {"otp_token": "000000" if current_code(device) != "000000" else "111111"})
                .status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    assert AccessAttempt.objects.filter(username=user.username).exists()
    assert "_auth_user_id" not in client.session
    # Even the right code, on a fresh password step, is refused now.
    assert _password_step(Client(), user).status_code == 429


def test_inactive_user_cannot_log_in():
    user = StaffUserFactory(is_active=False)
    totp_device_for(user)
    response = _password_step(Client(), user)
    assert response.status_code == 400


def test_pending_second_step_expires(monkeypatch):
    import time as time_module

    user = StaffUserFactory()
    device = totp_device_for(user)
    client = Client()
    _password_step(client, user)
    real = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real() + 301)
    response = client.post(OTP, {"otp_token": current_code(device)})
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_open_redirect_is_refused():
    user = PublicUserFactory()
    response = _password_step(Client(), user, next="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == settings.LOGIN_REDIRECT_URL_PATH


def test_public_user_without_device_logs_in_with_password():
    user = PublicUserFactory()
    client = Client()
    response = _password_step(client, user)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_public_user_with_device_must_give_code():
    user = PublicUserFactory()
    device = totp_device_for(user)
    client = Client()
    response = _password_step(client, user)
    assert response["Location"].endswith("?step=otp")
    assert "_auth_user_id" not in client.session
    assert client.post(OTP, {"otp_token": current_code(device)}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_staff_without_device_must_enrol_before_login(totp_code):
    user = StaffUserFactory()
    client = Client()
    response = _password_step(client, user)
    assert response["Location"].endswith("?step=enrol")
    page = client.get("/accounts/login/?step=enrol")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "密钥" in html
    assert "_auth_user_id" not in client.session
    # A wrong code binds nothing.
    bad = client.post("/accounts/login/?step=enrol", {"otp_token": "12345"})
    assert bad.status_code == 400 and "动态验证码不正确" in bad.content.decode()
    assert not user.totpdevice_set.exists()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key_hex = client.session["gongkai_enrol_key"]
    code = f"{totp(bytes.fromhex(key_hex)):06d}"
    response = client.post("/accounts/login/?step=enrol", {"otp_token": code})
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert client.session["_auth_user_id"] == str(user.pk)
    done = client.get("/accounts/two-factor/")
    assert done.status_code == 200 and "备用码只显示这一次" in done.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert AuditEvent.objects.filter(action="security.otp_enrolled", object_id=str(user.pk)).count() == 1
    assert User.objects.get(pk=user.pk).is_active
