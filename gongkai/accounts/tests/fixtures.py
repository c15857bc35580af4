"""Shared pytest fixtures, loaded for the whole test suite by the root ``conftest.py``
(``pytest_plugins``), so tests in every app and in ``tests/`` can use them.

- ``org_tree``: a province government (省人民政府) with two departments; a namespace with
  ``.province``, ``.dept_a`` and ``.dept_b``.
- ``anon_client``: a Django test ``Client`` with no login.
- ``staff_client_factory(user)``: a ``Client`` logged in as ``user`` *and* OTP-verified, through
  the real two-step login (password, then a TOTP code from a device it creates if needed).
  Works for public users too (they then also have TOTP switched on).
- ``totp_code(device)``: the current code for a device.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp

from gongkai.accounts.models import Organisation, User
from gongkai.accounts.tests.factories import DEFAULT_PASSWORD, OrganisationFactory, totp_device_for


def current_code(device: Any) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def totp_code() -> Callable[[Any], str]:
    return current_code


@pytest.fixture
def org_tree(db: Any) -> SimpleNamespace:
    province = OrganisationFactory(name="测试省人民政府", slug="test-province",
                                   level=Organisation.Level.PROVINCIAL, kind=Organisation.Kind.GOVERNMENT)
    dept_a = OrganisationFactory(name="测试省教育厅", slug="test-edu", parent=province)
    dept_b = OrganisationFactory(name="测试省财政厅", slug="test-finance", parent=province)
    return SimpleNamespace(province=province, dept_a=dept_a, dept_b=dept_b)


@pytest.fixture
def anon_client() -> Client:
    return Client()


def login_with_totp(client: Client, user: User, password: str = DEFAULT_PASSWORD) -> Any:
    """Run the real two-step login; returns the response of the code step."""
    device = totp_device_for(user)
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302, "password step failed"
    assert response["Location"].endswith("?step=otp"), response["Location"]
    # Each code works once: step the device back so a second client for the same user in the
    # same 30-second window can log in too (tests only).
    device.last_t = -1
    device.throttling_failure_count = 0
    device.save(update_fields=["last_t", "throttling_failure_count"])
    response = client.post("/accounts/login/?step=otp", {"otp_token": current_code(device)})
    assert response.status_code == 302, "TOTP step failed"
    return response


@pytest.fixture
def staff_client_factory(db: Any) -> Callable[..., Client]:
    def make(user: User, password: str = DEFAULT_PASSWORD) -> Client:
        client = Client()
        login_with_totp(client, user, password)
        return client

    return make
