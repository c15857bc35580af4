"""Staff page /staff/calendar/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongkai.workcalendar.tests.helpers import login_verified, make_staff

pytestmark = pytest.mark.django_db

URL = "/staff/calendar/"


def test_reverse():
    assert reverse("workcalendar:index") == URL


def test_anonymous_redirected_to_login(client):
    """Staff pages need a login."""
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_public_user_forbidden(client):
    """Only staff see the calendar page."""
    from gongkai.accounts.models import User

    person = User.objects.create_user("citizen", password="correct horse battery staple")
    client.force_login(person)
    assert client.get(URL).status_code == 403


def test_staff_sees_years_and_warning(client):
    """regulation.md §4.1: the page lists sources and warns about 2027."""
    login_verified(client, make_staff())
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2027年节假日安排尚未载入" in html
    assert "chinese_calendar 数据包" in html
    assert '<label for="id_start">起算日</label>' in html


def test_calculator_shows_due_date_and_explanation(client):
    """条例第三十三条第二款, §6 case 5: the calculator explains 2026-10-26."""
    login_verified(client, make_staff())
    html = client.get(URL, {"start": "2026-09-21", "days": "20"}).content.decode()
    assert "期限届满日：2026-10-26（星期一）" in html
    assert "2026-10-10（星期六）国庆节调休上班，计入" in html
    assert "待确认" not in html.split("计算过程")[0].split("期限计算")[1]


def test_calculator_provisional(client):
    """§6 case 15: a 2027 result is marked 待确认."""
    login_verified(client, make_staff())
    html = client.get(URL, {"start": "2027-01-04", "days": "20"}).content.decode()
    assert "期限届满日：2027-02-01" in html
    assert "待确认" in html


def test_calculator_errors_in_chinese(client):
    """Bad input gets the error summary and changes nothing."""
    login_verified(client, make_staff())
    response = client.get(URL, {"start": "2026-02-30", "days": "0"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>错误：" in html
    assert "请更正以下问题" in html
    assert "起算日应为 YYYY-MM-DD 格式的真实日期" in html
    assert "工作日数至少为 1。" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_start-hint id_start-error"' in html
    assert " required" not in html.split("<form")[2]
