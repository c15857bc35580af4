"""Local test helpers for the calendar app (kept here so the app's tests stand alone)."""

from __future__ import annotations

import django_otp
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice

from gongkai.accounts.models import User
from gongkai.accounts.roles import SystemRole

CSV_2027 = """date,kind,name
2027-01-01,休,元旦
2027-02-05,休,春节
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-08,休,春节
2027-02-09,休,春节
2027-02-10,休,春节
2027-02-11,休,春节
2027-02-12,休,春节
2027-02-20,班,春节
"""


def make_staff(username: str = "clerk", *, system_role: str = SystemRole.NONE) -> User:
    user = User(username=username, account_type="staff", system_role=system_role)
    user.set_password("correct horse battery staple")
    user.save()
    return user


def login_verified(client: Client, user: User) -> Client:
    """Log in and mark the session OTP-verified (StaffVerificationMiddleware logs out others)."""
    client.force_login(user)
    device = StaticDevice.objects.create(user=user, name="test")
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
