"""Fixtures for the annual-report tests: a county government with two departments and another
county, staff in every role that matters, and ``add_requests`` — requests written straight to the
real database (what the report reads is the stored rows; the workflow has its own tests, and the
regulation cases below also go through the services)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from gongkai.accounts.models import Membership, Organisation
from gongkai.accounts.roles import OrgRole
from gongkai.accounts.tests.factories import OrganisationFactory, StaffUserFactory
from gongkai.disclosure.models import DisclosureRequest
from gongkai.domain.disclosure_outcomes import Outcome, ReportColumn

_seq = itertools.count(1)
COLUMN_APPLICANT = {
    ReportColumn.NATURAL_PERSON: ("natural_person", ""),
    ReportColumn.BUSINESS: ("organisation", "business"),
    ReportColumn.RESEARCH: ("organisation", "research"),
    ReportColumn.PUBLIC_INTEREST: ("organisation", "public_interest"),
    ReportColumn.LEGAL_SERVICE: ("organisation", "legal_service"),
    ReportColumn.OTHER_ORGANISATION: ("organisation", "other"),
}
CLOSED_STATUS = {Outcome.WITHDRAWN: "withdrawn", Outcome.OTHER_NO_CORRECTION: "abandoned",
                 Outcome.OTHER_FEE_UNPAID: "stopped"}


def member(org: Organisation, role: str, username: str, *, subordinates: bool = False) -> Any:
    user = StaffUserFactory(username=username)
    Membership.objects.create(user=user, organisation=org, role=role, includes_subordinates=subordinates)
    return user


@pytest.fixture
def w(db: Any) -> SimpleNamespace:
    gov = OrganisationFactory(name="示例县人民政府", slug="ar-county", level=Organisation.Level.COUNTY,
                              kind=Organisation.Kind.GOVERNMENT)
    edu = OrganisationFactory(name="示例县教育局", slug="ar-edu", parent=gov, level=Organisation.Level.COUNTY,
                              kind=Organisation.Kind.DEPARTMENT)
    fin = OrganisationFactory(name="示例县财政局", slug="ar-fin", parent=gov, level=Organisation.Level.COUNTY,
                              kind=Organisation.Kind.DEPARTMENT)
    other = OrganisationFactory(name="另一县人民政府", slug="ar-other", level=Organisation.Level.COUNTY,
                                kind=Organisation.Kind.GOVERNMENT)
    ns = SimpleNamespace(gov=gov, edu=edu, fin=fin, other=other)
    ns.head = member(gov, OrgRole.OFFICE_HEAD, "ar_head", subordinates=True)  # 政府公开办负责人
    ns.edu_head = member(edu, OrgRole.OFFICE_HEAD, "ar_edu_head")
    ns.edu_publisher = member(edu, OrgRole.PUBLISHER, "ar_edu_publisher")
    ns.edu_handler = member(edu, OrgRole.HANDLER, "ar_edu_handler")
    ns.registrar = member(edu, OrgRole.REGISTRAR, "ar_edu_registrar")
    ns.reviewer = member(edu, OrgRole.LEGAL_REVIEWER, "ar_edu_reviewer")
    ns.outsider = member(other, OrgRole.OFFICE_HEAD, "ar_outsider")
    return ns


def add_request(org: Organisation, received: date | None, closed: date | None = None,
                outcome: Outcome | str | None = None, column: ReportColumn = ReportColumn.NATURAL_PERSON,
                **fields: Any) -> DisclosureRequest:
    """One request as stored rows: received (收到申请之日), closed with its one outcome (or open)."""
    n = next(_seq)
    applicant_type, kind = COLUMN_APPLICANT[column]
    day = received or date(2025, 6, 1)
    arrived = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    outcome_value = Outcome(outcome).value if outcome else ""
    status = (CLOSED_STATUS.get(Outcome(outcome), "archived") if outcome else "in_handling") if received else "submitted"
    values: dict[str, Any] = {
        "uid": uuid.uuid4(), "organisation": org, "receipt_no": f"AR-{n:07d}", "receipt_year": day.year,
        "receipt_seq": n, "query_code_hash": "x", "channel": "online", "arrived_at": arrived,
        "confirmed_at": arrived if received else None, "received_on": received, "applicant_type": applicant_type,
        "organisation_kind": kind, "applicant_name": "测试申请人", "description": "测试信息",
        "form_wanted": "electronic", "delivery_method": "online", "status": status, "outcome": outcome_value,
        "closed_on": closed,
    }
    values.update(fields)
    return DisclosureRequest.objects.create(**values)
