"""Loading holiday arrangements (载入节假日安排): validation, atomicity, audit, recompute."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.accounts.roles import SystemRole
from gongkai.core.models import AuditEvent
from gongkai.workcalendar import services
from gongkai.workcalendar.models import HolidayArrangement, HolidayArrangementDay
from gongkai.workcalendar.recompute import register_recomputer, unregister_recomputer
from gongkai.workcalendar.selectors import deadline, working_calendar
from gongkai.workcalendar.tests.helpers import CSV_2027, make_staff

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _errors(data: str | bytes) -> list[str]:
    with pytest.raises(ValidationError) as info:
        services.arrangement_import(actor=None, file=data)
    return info.value.messages


def test_import_loads_year_and_audits():
    """regulation.md §4.1: a 国办 notice is loaded as one year's arrangement, audited."""
    loaded = services.arrangement_import(actor=None, file=CSV_2027, notice_number="国办发明电〔2026〕1号")
    assert [a.year for a in loaded] == [2027]
    arrangement = HolidayArrangement.objects.get(year=2027)
    assert arrangement.notice_title == "国务院办公厅关于2027年部分节假日安排的通知"
    assert arrangement.notice_number == "国办发明电〔2026〕1号"
    assert arrangement.days.count() == 10
    assert arrangement.days.get(date=date(2027, 2, 20)).kind == HolidayArrangementDay.Kind.WORKDAY
    event = AuditEvent.objects.get(action="workcalendar.arrangement.import")
    assert event.before is None
    assert "2027-02-20,班,春节" in event.after["days"]


def test_import_with_bom_and_english_kinds():
    """regulation.md §4.1: UTF-8 with BOM and holiday/workday kinds are accepted."""
    data = "\ufeffdate,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,Workday,春节\n".encode()
    services.arrangement_import(actor=None, file=data)
    kinds = dict(HolidayArrangementDay.objects.values_list("date", "kind"))
    assert kinds == {date(2027, 1, 1): "holiday", date(2027, 2, 20): "workday"}


def test_reimport_replaces_the_year_entirely():
    """regulation.md §4.4: a loaded year replaces the previous arrangement for that year."""
    services.arrangement_import(actor=None, file=CSV_2027)
    services.arrangement_import(actor=None, file="date,kind,name\n2027-01-01,休,元旦\n")
    assert list(HolidayArrangementDay.objects.values_list("date", flat=True)) == [date(2027, 1, 1)]
    events = AuditEvent.objects.filter(action="workcalendar.arrangement.import").order_by("seq")
    assert len(events[1].before["days"]) == 10


def test_multi_year_file_replaces_each_year():
    """regulation.md §4.4: one file may hold several years; 2026 from the file replaces
    chinese_calendar's 2026 entirely."""
    data = "date,kind,name\n2026-03-03,休,测试日\n2027-01-01,休,元旦\n"
    services.arrangement_import(actor=None, file=data)
    cal = working_calendar()
    assert not cal.is_working_day(date(2026, 3, 3))
    # chinese_calendar's 国庆 2026 is gone: 10/1 (Thu) is now an ordinary working day.
    assert cal.is_working_day(date(2026, 10, 1))
    assert cal.arrangement(2026).source == "国办通知"


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        ("date,kind,name\n2027-02-30,休,春节\n", "第2行：日期“2027-02-30”无效"),
        ("date,kind,name\n2027-1-1,休,元旦\n", "第2行：日期“2027-1-1”无效"),
        ("date,kind,name\n2027-01-01,假,元旦\n", "第2行：类型“假”无效"),
        ("date,kind,name\n2027-01-01,休,元旦\n2027-02-10,班,春节\n", "第3行：2027-02-10（星期三）不是周末，不能作为调休上班日"),
        ("date,kind,name\n2027-01-01,休,元旦\n2027-01-01,休,元旦\n", "第3行：2027-01-01 重复，已在第2行列出"),
        ("date,kind,name\n2027-01-01,休,元旦\n2027-01-01,班,元旦\n", "第3行：2027-01-01 重复，已在第2行列出"),
        ("date,kind,name\n2027-01-01,休,\n", "第2行：缺少节日名称"),
        ("date,kind,name\n2027-01-01,休\n", "第2行：应有 3 列"),
        ("日期,类型,名称\n2027-01-01,休,元旦\n", "第1行：表头应为 date,kind,name"),
        ("date,kind,name\n", "文件中没有任何日期"),
        ("", "文件是空的"),
        ("date,kind,name\n2027-02-20,班,春节\n", "2027年没有任何放假日"),
    ],
)
def test_bad_files_give_line_numbered_errors_and_change_nothing(csv_text, expected):
    """regulation.md §4.1: bad input gets a Chinese message with its line and changes nothing."""
    services.arrangement_import(actor=None, file="date,kind,name\n2027-01-01,休,元旦\n")
    before = list(HolidayArrangementDay.objects.values_list("date", "kind", "name"))
    audit_count = AuditEvent.objects.count()
    messages = _errors(csv_text)
    assert any(expected in m for m in messages), messages
    assert list(HolidayArrangementDay.objects.values_list("date", "kind", "name")) == before
    assert AuditEvent.objects.count() == audit_count


def test_all_errors_are_reported_and_valid_years_not_loaded():
    """A file with one bad line loads none of its years (atomic)."""
    data = "date,kind,name\n2026-03-03,休,测试\n2027-01-01,休,元旦\n2027-13-01,休,x\n2027-03-03,bad,x\n"
    messages = _errors(data)
    assert messages == [
        "第4行：日期“2027-13-01”无效，应为 YYYY-MM-DD 格式的真实日期",
        "第5行：类型“bad”无效，应为“休”或“班”（或 holiday / workday）",
    ]
    assert not HolidayArrangement.objects.exists()


def test_non_utf8_file_rejected():
    """Bad encoding gets a Chinese message."""
    assert _errors("date,kind,name\n2027-01-01,休,元旦\n".encode("gbk")) == ["文件不是 UTF-8 编码，请另存为 UTF-8 后重试。"]


def test_rows_interface_numbers_rows_from_one():
    """Rows without a header are numbered from 1."""
    with pytest.raises(ValidationError) as info:
        services.arrangement_import(actor=None, rows=[["2027-01-01", "休", "元旦"], ["2027-01-04", "班", "x"]])
    assert info.value.messages == ["第2行：2027-01-04（星期一）不是周末，不能作为调休上班日"]


def test_system_admin_may_import_others_may_not():
    """Only 系统管理员 (MANAGE_CALENDAR) may load arrangements; a denial is audited."""
    admin = make_staff("sysadmin", system_role=SystemRole.SYSTEM_ADMIN)
    services.arrangement_import(actor=admin, file=CSV_2027)
    assert HolidayArrangement.objects.get(year=2027).loaded_by == admin
    auditor = make_staff("auditor", system_role=SystemRole.AUDITOR)
    with pytest.raises(PermissionDenied):
        services.arrangement_import(actor=auditor, file="date,kind,name\n2027-01-01,休,元旦\n")
    assert HolidayArrangementDay.objects.count() == 10
    denied = AuditEvent.objects.get(result=AuditEvent.Result.DENIED)
    assert denied.actor == auditor


def test_loading_2027_makes_deadline_final_and_moves_it():
    """条例第三十三条第二款 with regulation.md §4.1 and §6 case 15: 2027-01-04 + 20 working days
    is provisional until the 2027 arrangement is loaded, then final and following the notice."""
    before = deadline(date(2027, 1, 4), 20)
    assert before.provisional and before.due == date(2027, 2, 1)
    services.arrangement_import(actor=None, file="date,kind,name\n2027-01-01,休,元旦\n2027-01-25,休,测试假日\n")
    after = deadline(date(2027, 1, 4), 20)
    assert not after.provisional
    assert after.due == date(2027, 2, 2)
    assert "2027-01-25 测试假日放假，不计算" in after.explanation


def test_import_enqueues_recompute_and_runs_registered_recomputer(settings, django_capture_on_commit_callbacks):
    """regulation.md §4.1: loading a year recomputes provisional deadlines (after commit)."""
    settings.TASKS = IMMEDIATE
    calls: list[int] = []
    recomputer = register_recomputer(calls.append)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.arrangement_import(actor=None, file=CSV_2027)
        assert calls == []  # nothing runs before commit
        assert len(callbacks) == 1
        for callback in callbacks:
            callback()
        assert calls == [2027]
    finally:
        unregister_recomputer(recomputer)


def test_failed_import_enqueues_nothing(settings, django_capture_on_commit_callbacks):
    """A rejected file schedules no recompute."""
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        services.arrangement_import(actor=None, file="date,kind,name\n2027-01-01,x,元旦\n")
    assert callbacks == []


def test_task_calls_every_recomputer_even_if_one_fails(settings):
    """One failing recomputer does not stop the others; the task result records the failure."""
    from django_tasks import TaskResultStatus

    from gongkai.workcalendar.tasks import recompute_provisional_deadlines

    settings.TASKS = IMMEDIATE
    calls: list[int] = []

    def broken(year: int) -> None:
        raise RuntimeError("boom")

    register_recomputer(broken)
    register_recomputer(calls.append)
    try:
        result = recompute_provisional_deadlines.enqueue(2028)
    finally:
        unregister_recomputer(broken)
        unregister_recomputer(calls.append)
    assert calls == [2028]
    assert result.status == TaskResultStatus.FAILED


def test_delete_falls_back_and_audits(settings, django_capture_on_commit_callbacks):
    """Deleting a loaded year returns it to the provisional statutory days, audited."""
    settings.TASKS = IMMEDIATE
    services.arrangement_import(actor=None, file=CSV_2027)
    calls: list[int] = []
    register_recomputer(calls.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.arrangement_delete(actor=None, arrangement=HolidayArrangement.objects.get(year=2027))
    finally:
        unregister_recomputer(calls.append)
    assert calls == [2027]
    assert not HolidayArrangement.objects.exists()
    assert not working_calendar().is_loaded(2027)
    assert AuditEvent.objects.filter(action="workcalendar.arrangement.delete").count() == 1
