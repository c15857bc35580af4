"""Fixtures for disclosure tests: an organisation tree with every role, and helpers that create
requests through the real services."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import OrgRole
from gongkai.accounts.tests.factories import MembershipFactory, OrganisationFactory, StaffUserFactory
from gongkai.disclosure.services import submission

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
ADDRESS = "广东省广州市越秀区府前路1号"
CREDIT_CODE = "914400001234567886"

PERSON = {
    "applicant_type": "natural_person", "applicant_name": "张三", "id_type": "resident_id",
    "id_number": ID_NUMBER, "phone": PHONE, "email": "zhangsan@example.com", "address": ADDRESS,
    "postcode": "510000", "description": "2025年本市义务教育阶段学校招生计划及划片方案",
    "form_wanted": "electronic", "delivery_method": "email",
}
LAW_FIRM = {
    "applicant_type": "organisation", "organisation_kind": "legal_service", "applicant_name": "某某律师事务所",
    "credit_code": CREDIT_CODE, "contact_person": "李律师", "phone": "020-12345678",
    "address": "广东省广州市天河区珠江新城", "description": "某项目环境影响评价批复文件",
    "form_wanted": "paper", "delivery_method": "post",
}


def member(org: Organisation, role: str, username: str, **kw: Any) -> Any:
    user = StaffUserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role, **kw)
    return user


@pytest.fixture
def world(db: Any) -> SimpleNamespace:
    province = OrganisationFactory(name="测试市人民政府", slug="d-city", level=Organisation.Level.MUNICIPAL,
                                   kind=Organisation.Kind.GOVERNMENT)
    dept_a = OrganisationFactory(name="测试市教育局", slug="d-edu", parent=province)
    dept_b = OrganisationFactory(name="测试市财政局", slug="d-fin", parent=province)
    other = OrganisationFactory(name="另一市人民政府", slug="d-other", level=Organisation.Level.MUNICIPAL,
                                kind=Organisation.Kind.GOVERNMENT)
    w = SimpleNamespace(org=province, dept_a=dept_a, dept_b=dept_b, other=other)
    w.registrar = member(province, OrgRole.REGISTRAR, "d_registrar")
    w.handler = member(dept_a, OrgRole.HANDLER, "d_handler")
    w.handler2 = member(dept_a, OrgRole.HANDLER, "d_handler2")
    w.handler_b = member(dept_b, OrgRole.HANDLER, "d_handler_b")
    w.reviewer = member(province, OrgRole.LEGAL_REVIEWER, "d_reviewer")
    w.head = member(province, OrgRole.OFFICE_HEAD, "d_head")
    w.publisher = member(province, OrgRole.PUBLISHER, "d_publisher")
    w.outsider = member(other, OrgRole.REGISTRAR, "d_outsider")
    w.outsider_head = member(other, OrgRole.OFFICE_HEAD, "d_outsider_head")
    return w


def register(w: SimpleNamespace, *, channel: str = "in_person", arrived: date | datetime,
             confirmed: date | datetime | None = None, data: dict[str, Any] | None = None,
             org: Organisation | None = None, actor: Any = None, **kw: Any) -> submission.Submission:
    return submission.request_register(actor=actor or w.registrar, organisation=org or w.org, channel=channel,
                                       arrived_at=arrived, confirmed_at=confirmed, data=data or PERSON, **kw)


@pytest.fixture
def registered(world: SimpleNamespace) -> Any:
    """An in-person request received 2026-06-01 (Mon), assigned to dept_a."""
    from gongkai.disclosure.services import workflow

    req = register(world, arrived=date(2026, 6, 1)).request
    return workflow.request_assign(actor=world.registrar, request=req, department=world.dept_a)
