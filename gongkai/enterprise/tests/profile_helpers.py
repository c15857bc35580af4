"""Helpers for the enterprise-profile tests (task E): organisations with a 行政区划, managers
(企业服务专员), enterprise accounts and valid made-up 统一社会信用代码."""

from __future__ import annotations

import itertools
from typing import Any

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import organisation_create
from gongkai.domain.identifiers import make_credit_code
from gongkai.enterprise.models import Enterprise
from gongkai.enterprise.services import enterprise_create

_n = itertools.count(1)
PASSWORD = "correct horse battery staple 9"


def code(n: int, *, prefix: str = "91", division: str = "430102") -> str:
    """A valid 统一社会信用代码 (made up)."""
    return make_credit_code(prefix, division, f"{n:08d}")


def make_org(division: str = "430100", *, level: str = Organisation.Level.MUNICIPAL, name: str = "") -> Organisation:
    i = next(_n)
    return organisation_create(actor=None, name=name or f"测试市场监管局{i}", slug=f"ent-org-{i}", level=level,
                               kind=Organisation.Kind.DEPARTMENT, division_code=division,
                               credit_code=make_credit_code("11", division, f"{8800000 + i:08d}"))


def make_staff(org: Organisation | None, role: str = OrgRole.ENTERPRISE_SERVICE, username: str = "") -> User:
    user = User.objects.create_user(username=username or f"ent_staff_{next(_n)}", password=PASSWORD,
                                    account_type=User.AccountType.STAFF)
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def make_enterprise_user(username: str = "", credit_code: str = "") -> User:
    return User.objects.create_user(username=username or f"ent_user_{next(_n)}", password=PASSWORD,
                                    account_type=User.AccountType.ENTERPRISE, credit_code=credit_code,
                                    display_name="测试企业账号")


def make_enterprise(n: int, **fields: Any) -> Enterprise:
    values: dict[str, Any] = {"credit_code": code(n), "name": f"测试企业{n}有限公司", "region_code": "430102",
                              "industry": "I65", "employees": 50, "revenue": "800", "assets": "300"}
    values.update(fields)
    return enterprise_create(actor=None, **values)


def url_fillers(org: Organisation) -> dict[str, Any]:
    """Objects of organisation ``org``'s area for tests/test_url_coverage.py: an enterprise in its
    行政区划 with a qualification and a pending claim, and an import job run for ``org``."""
    from gongkai.enterprise.services import claim_submit, import_job_create, qualification_add

    enterprise = make_enterprise(990001, region_code=org.division_code, name="甲县示例企业有限公司")
    qualification = qualification_add(actor=None, enterprise=enterprise, kind="高新技术企业",
                                      valid_from="2024-01-01", valid_to="2026-12-31")
    claim = claim_submit(actor=make_enterprise_user("url_coverage_enterprise"), credit_code=enterprise.credit_code,
                         name=enterprise.name, contact_name="王五", contact_phone="13812345678")
    manager = make_staff(org, username="url_coverage_enterprise_staff")
    job = import_job_create(actor=manager, organisation=org, file_name="甲县企业.csv", data=b"x")
    return {"enterprise_id": enterprise.pk, "qualification_id": qualification.pk, "claim_id": claim.pk,
            "import_job_id": job.pk}
