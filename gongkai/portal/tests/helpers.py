"""Local test helpers for the web shell (independent of the shared conftest)."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import organisation_create
from gongkai.domain.identifiers import make_credit_code

_counter = itertools.count(1)


def make_org(name: str, slug: str, *, parent: Organisation | None = None, level: str = "county",
             kind: str = "department", **fields: Any) -> Organisation:
    """Create an organisation through the service (demo-loader mode, ``actor=None``)."""
    n = next(_counter)
    return organisation_create(
        actor=None, name=name, slug=slug, level=level, kind=kind, parent=parent,
        credit_code=make_credit_code("11", "110101", f"{7000000 + n:08d}"), division_code="110101",
        **fields,
    )


def make_staff(username: str, org: Organisation | None, role: str = OrgRole.HANDLER,
               *, system_role: str = "") -> User:
    user = User.objects.create_user(username=username, password="correct horse battery staple",
                                    account_type=User.AccountType.STAFF, system_role=system_role)
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def login_verified(client: Client, user: User) -> None:
    """force_login plus an OTP-verified session (StaffVerificationMiddleware logs out others)."""
    client.force_login(user)
    device = StaticDevice.objects.create(user=user, name="backup")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
