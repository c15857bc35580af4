"""Fixtures for push tests: organisations, an office head, a local signed gateway on 127.0.0.1."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.push.tests.helpers import GATEWAY_KEY, LocalGateway


@pytest.fixture
def gateway(settings: Any) -> Any:
    gw = LocalGateway().start()
    settings.GONGKAI_PUSH_SMS_URL = gw.url
    settings.GONGKAI_PUSH_SMS_KEY = GATEWAY_KEY
    settings.GONGKAI_PUSH_WECHAT_URL = gw.url
    settings.GONGKAI_PUSH_WECHAT_KEY = GATEWAY_KEY
    settings.GONGKAI_PUSH_WECHAT_TEMPLATE_ID = "tpl-policy"
    settings.GONGKAI_SITE_URL = "https://zwgk.example.gov.cn"
    yield gw
    gw.stop()


@pytest.fixture
def world(org_tree: Any, taxonomy: Any) -> SimpleNamespace:
    office = StaffUserFactory()
    membership_grant(actor=None, user=office, organisation=org_tree.dept_a, role=OrgRole.OFFICE_HEAD)
    membership_grant(actor=None, user=office, organisation=org_tree.dept_a, role=OrgRole.PUBLISHER)  # reopen
    viewer_a = StaffUserFactory()
    membership_grant(actor=None, user=viewer_a, organisation=org_tree.dept_a, role=OrgRole.HANDLER)
    viewer_b = StaffUserFactory()
    membership_grant(actor=None, user=viewer_b, organisation=org_tree.dept_b, role=OrgRole.HANDLER)
    return SimpleNamespace(org=org_tree.dept_a, other=org_tree.dept_b, province=org_tree.province, office=office,
                           viewer_a=viewer_a, viewer_b=viewer_b)
