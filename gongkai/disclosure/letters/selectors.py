"""Read-only queries on letters for other pages (the public tracking page, the staff request page)."""

from __future__ import annotations

from django.db.models import QuerySet

from gongkai.disclosure.models import DisclosureRequest, Letter
from gongkai.disclosure.services.letters import letters_for_request


def applicant_letters(request: DisclosureRequest) -> QuerySet[Letter]:
    """The frozen letters addressed to the applicant (reply, 补正, 延期, 收费), newest first. The
    caller has checked that the visitor may open ``request`` as its applicant."""
    return letters_for_request(request, applicant_view=True)


def staff_letters(request: DisclosureRequest) -> QuerySet[Letter]:
    """Every stored letter of the request (drafts and frozen), newest first; the caller loaded
    ``request`` with ``access_request``."""
    return letters_for_request(request)
