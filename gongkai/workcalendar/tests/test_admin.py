"""Admin pages for holiday arrangements: edits are validated, audited and trigger recompute."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.accounts.roles import SystemRole
from gongkai.core.models import AuditEvent
from gongkai.workcalendar import services
from gongkai.workcalendar.models import HolidayArrangement, HolidayArrangementDay
from gongkai.workcalendar.recompute import register_recomputer, unregister_recomputer
from gongkai.workcalendar.tests.helpers import login_verified, make_staff

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/workcalendar/holidayarrangement/add/"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _post_data(year: int, days: list[tuple[str, str, str]]) -> dict[str, str]:
    data = {
        "year": str(year), "notice_title": "", "notice_number": "国办发明电〔2026〕1号", "published_on": "",
        "days-TOTAL_FORMS": str(len(days)), "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000",
    }
    for i, (d, kind, name) in enumerate(days):
        data.update({f"days-{i}-date": d, f"days-{i}-kind": kind, f"days-{i}-name": name})
    return data


@pytest.fixture
def sysadmin_client(client):
    return login_verified(client, make_staff("sysadmin", system_role=SystemRole.SYSTEM_ADMIN))


def test_admin_add_is_audited_and_recomputes(sysadmin_client, settings, django_capture_on_commit_callbacks):
    """regulation.md §4.1: an arrangement entered in the admin is audited and recomputes 2027."""
    settings.TASKS = IMMEDIATE
    calls: list[int] = []
    register_recomputer(calls.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = sysadmin_client.post(
                ADD_URL, _post_data(2027, [("2027-01-01", "holiday", "元旦"), ("2027-02-20", "workday", "春节")])
            )
    finally:
        unregister_recomputer(calls.append)
    assert response.status_code == 302, response.content.decode()[:2000]
    arrangement = HolidayArrangement.objects.get(year=2027)
    assert arrangement.days.count() == 2
    assert arrangement.loaded_by.username == "sysadmin"
    event = AuditEvent.objects.get(action="workcalendar.arrangement.admin_create")
    assert event.actor.username == "sysadmin"
    assert event.after["days"] == ["2027-01-01,休,元旦", "2027-02-20,班,春节"]
    assert calls == [2027]


def test_admin_rejects_weekday_makeup_day(sysadmin_client):
    """A make-up working day must be a weekend day; nothing is saved."""
    response = sysadmin_client.post(
        ADD_URL, _post_data(2027, [("2027-01-01", "holiday", "元旦"), ("2027-02-10", "workday", "春节")])
    )
    assert response.status_code == 200
    assert "2027-02-10（星期三）不是周末，不能作为调休上班日" in response.content.decode()
    assert not HolidayArrangement.objects.exists()


def test_admin_delete_goes_through_service(sysadmin_client):
    """Deleting in the admin is audited."""
    services.arrangement_import(actor=None, file="date,kind,name\n2027-01-01,休,元旦\n")
    arrangement = HolidayArrangement.objects.get(year=2027)
    response = sysadmin_client.post(f"/admin/workcalendar/holidayarrangement/{arrangement.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not HolidayArrangementDay.objects.filter(date=date(2027, 1, 1)).exists()
    assert AuditEvent.objects.filter(action="workcalendar.arrangement.delete").count() == 1


def test_other_staff_cannot_use_admin(client):
    """Only the system administrator manages arrangements."""
    login_verified(client, make_staff("clerk"))
    assert client.get(ADD_URL).status_code == 403


def test_admin_change_records_before_and_after(sysadmin_client):
    """An edit in the admin keeps the previous days in the audit row."""
    services.arrangement_import(actor=None, file="date,kind,name\n2027-01-01,休,元旦\n")
    arrangement = HolidayArrangement.objects.get(year=2027)
    day = arrangement.days.get()
    data = _post_data(2027, [])
    data.update({
        "days-TOTAL_FORMS": "2", "days-INITIAL_FORMS": "1",
        "days-0-id": str(day.pk), "days-0-arrangement": str(arrangement.pk),
        "days-0-date": "2027-01-01", "days-0-kind": "holiday", "days-0-name": "元旦",
        "days-1-date": "2027-01-25", "days-1-kind": "holiday", "days-1-name": "测试假日",
    })
    response = sysadmin_client.post(f"/admin/workcalendar/holidayarrangement/{arrangement.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="workcalendar.arrangement.admin_change")
    assert event.before["days"] == ["2027-01-01,休,元旦"]
    assert event.after["days"] == ["2027-01-01,休,元旦", "2027-01-25,休,测试假日"]
