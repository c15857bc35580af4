"""Demo requests (``gongkai demo``): about 60 requests driven through the services, covering
every status, all 24 outcomes, both applicant types with the five sub-types, due-soon and
overdue requests; fictional but valid ID numbers; loading twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from gongkai.core.audit import verify_chain
from gongkai.core.demo import load_demo
from gongkai.disclosure import crypto
from gongkai.disclosure.demo import APPLICANTS, SCENARIOS, load_demo_requests
from gongkai.disclosure.models import DisclosureRequest, Reply, RequestEvent
from gongkai.domain.disclosure_outcomes import OrganisationKind, Outcome
from gongkai.domain.disclosure_workflow import CLOSED_STATES, RequestStatus
from gongkai.domain.identifiers import validate_resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    load_demo()
    out = io.StringIO()
    result = load_demo_requests(out)
    return result, out.getvalue()


def test_demo_covers_every_status_outcome_and_applicant_type(loaded):
    result, summary = loaded
    demo = DisclosureRequest.objects.all()
    assert result.total == demo.count() == len(SCENARIOS) >= 55
    assert set(demo.values_list("status", flat=True)) == {s.value for s in RequestStatus}
    assert set(demo.exclude(outcome="").values_list("outcome", flat=True)) == {o.value for o in Outcome}
    assert set(demo.values_list("organisation_kind", flat=True)) == {"", *(k.value for k in OrganisationKind)}
    assert demo.filter(applicant_type="natural_person").exists()
    assert {r.receipt_year for r in demo} == {2025, 2026}
    assert demo.filter(due_soon=True).exists() and demo.filter(overdue=True).exists()
    assert result.due_soon >= 1 and result.overdue >= 1
    assert summary.count("\n") == 0 and "24/24 种办理结果" in summary
    print("\n" + summary)

    # Consistent, as the services guarantee.
    for req in DisclosureRequest.objects.all():
        assert (RequestStatus(req.status) in CLOSED_STATES) == bool(req.outcome)
        assert RequestEvent.objects.filter(request=req, kind="submitted").exists()
        if req.received_on and req.due_date:
            assert req.due_date > req.received_on
    for reply in Reply.objects.filter(approved_by__isnull=False):
        assert reply.approved_by_id != reply.drafted_by_id
        if reply.needs_legal_review:
            assert reply.legal_reviewed_by_id and reply.legal_reviewed_by_id != reply.drafted_by_id
    assert DisclosureRequest.objects.filter(same_day_breach=True).exists()
    checked, broken = verify_chain()
    assert broken is None and checked > 0

    # Personal data is encrypted, shown masked.
    number = APPLICANTS[0]["id_number"]
    req = DisclosureRequest.objects.filter(applicant_name="张明").first()
    assert req is not None
    assert number not in req.id_number_cipher and crypto.decrypt(req.id_number_cipher) == number
    assert req.id_number_masked != number

    # Loading again creates nothing.
    before = (DisclosureRequest.objects.count(), RequestEvent.objects.count())
    again = load_demo_requests()
    assert again.created == 0
    assert (DisclosureRequest.objects.count(), RequestEvent.objects.count()) == before


def test_applicants_are_fictional_with_valid_id_numbers():
    numbers = [a["id_number"] for a in APPLICANTS if a["applicant_type"] == "natural_person"]
    assert len(numbers) == 6
    for number in numbers:
        assert validate_resident_id(number) == number
        assert number.startswith("430102198")
    for applicant in APPLICANTS:
        assert applicant["phone"].split("-")[1].startswith("0")
        assert applicant["email"].endswith("@example.com")


def test_demo_command_loads_requests(settings):
    settings.HTTPS = False
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "演示依申请公开申请：共" in out.getvalue()
    assert DisclosureRequest.objects.count() == len(SCENARIOS)
