"""Public self-registration and optional TOTP for public users."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.models import User
from gongkai.accounts.tests.factories import DEFAULT_PASSWORD, PublicUserFactory, StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.domain.identifiers import make_credit_code

pytestmark = pytest.mark.django_db

URL = "/accounts/register/"
GOOD_PASSWORD = "a sturdy passphrase 42"


def _data(**overrides):
    data = {"account_type": "person", "username": "zhangsan", "display_name": "张三", "credit_code": "",
            "email": "", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "homepage": ""}
    data.update(overrides)
    return data


def test_page_renders_for_anonymous(anon_client):
    response = anon_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "公民" in html and "法人或其他组织" in html and 'aria-hidden="true"' in html


def test_citizen_registers_and_is_logged_in():
    client = Client()
    response = client.post(URL, _data())
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert user.account_type == User.AccountType.PERSON and user.system_role == ""
    assert user.check_password(GOOD_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    row = AuditEvent.objects.get(action="user.register")
    assert row.object_id == str(user.pk) and "password" not in str(row.after)


def test_enterprise_registers_with_valid_credit_code():
    code = make_credit_code("91", "440300", "12345678")
    response = Client().post(URL, _data(account_type="enterprise", username="acme", display_name="某某有限公司",
                                        credit_code=code.lower()))
    assert response.status_code == 302
    user = User.objects.get(username="acme")
    assert user.account_type == User.AccountType.ENTERPRISE and user.credit_code == code


@pytest.mark.parametrize(("overrides", "message"), [
    ({"account_type": "enterprise", "credit_code": "91440300123456789X"}, "统一社会信用代码"),
    ({"account_type": "enterprise", "credit_code": "9144030012"}, "统一社会信用代码应为18位"),
    ({"account_type": "enterprise", "credit_code": ""}, "法人或其他组织须填写统一社会信用代码"),
    ({"password1": "short", "password2": "short"}, "密码太短，至少需要12个字符"),
    ({"password1": "123456789012345", "password2": "123456789012345"}, "密码只包含数字"),
    ({"password2": "something else entirely"}, "两次输入的密码不一致"),
    ({"account_type": "staff"}, "账号类型"),
    ({"username": "bad name!"}, "用户名只能包含"),
])
def test_bad_input_gives_chinese_error_and_creates_nothing(overrides, message):
    users, events = User.objects.count(), AuditEvent.objects.count()
    response = Client().post(URL, _data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary"' in html
    assert User.objects.count() == users
    assert AuditEvent.objects.count() == events


def test_duplicate_username_refused():
    PublicUserFactory(username="zhangsan")
    response = Client().post(URL, _data(username="ZhangSan"))
    assert response.status_code == 400
    assert "该用户名已被使用" in response.content.decode()
    assert User.objects.filter(username__iexact="zhangsan").count() == 1


def test_staff_cannot_self_register():
    response = Client().post(URL, _data(account_type="staff"))
    assert response.status_code == 400
    assert not User.objects.filter(account_type=User.AccountType.STAFF).exists()


def test_honeypot_creates_nothing_and_is_logged():
    response = Client().post(URL, _data(homepage="http://spam.example"))
    assert response.status_code == 400
    assert not User.objects.filter(username="zhangsan").exists()
    assert AuditEvent.objects.filter(action="antiautomation.honeypot", result="denied").count() == 1


def _login_public(user):
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    return client


def test_public_user_enrols_totp_and_then_needs_it():
    user = PublicUserFactory()
    client = _login_public(user)
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode() and "<title>动态验证码绑定二维码</title>" in page.content.decode()
    bad = client.post("/accounts/two-factor/", {"otp_token": "000000"})
    assert bad.status_code == 400 and "动态验证码不正确" in bad.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    key_hex = client.session["gongkai_enrol_key"]
    response = client.post("/accounts/two-factor/", {"otp_token": f"{totp(bytes.fromhex(key_hex)):06d}"})
    assert response.status_code == 302
    codes_page = client.get("/accounts/two-factor/").content.decode()
    tokens = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(tokens) == 10 and all(t in codes_page for t in tokens)
    # Shown once only.
    assert tokens[0] not in client.get("/accounts/two-factor/").content.decode()
    assert AuditEvent.objects.filter(action="security.otp_enrolled", actor=user).count() == 1
    # From now on the password alone does not log in.
    again = Client()
    response = again.post("/accounts/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response["Location"].endswith("?step=otp")
    assert "_auth_user_id" not in again.session


def test_two_factor_page_needs_login(anon_client):
    response = anon_client.get("/accounts/two-factor/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_staff_does_not_enrol_on_public_page(staff_client_factory):
    staff = StaffUserFactory()
    client = staff_client_factory(staff)
    # Staff already have a device (they cannot log in otherwise): the page only confirms it.
    response = client.get("/accounts/two-factor/")
    assert response.status_code == 200 and "已绑定动态验证码" in response.content.decode()
    assert client.post("/accounts/two-factor/", {"otp_token": "123456"}).status_code == 200
    assert TOTPDevice.objects.filter(user=staff).count() == 1
