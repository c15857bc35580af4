"""``gongkai calendar`` (deadline / import / show)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.workcalendar.models import HolidayArrangement, HolidayArrangementDay
from gongkai.workcalendar.tests.helpers import CSV_2027

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_deadline_prints_due_date_and_reasons():
    """条例第三十一条第二项、第三十三条第二款, §6 case 5: 2026-09-21 + 20 working days = 2026-10-26."""
    out, err = run("deadline", "--from", "2026-09-21", "--days", "20")
    assert out.splitlines() == [
        "期限届满日：2026-10-26（星期一）",
        "计算过程：",
        "  起算日 2026-09-21（星期一），当日不计入，从次日起计算20个工作日",
        "  2026-09-25 至 2026-09-27 中秋节放假，不计算",
        "  2026-10-01 至 2026-10-07 国庆节放假，不计算",
        "  2026-10-10（星期六）国庆节调休上班，计入",
        "  第20个工作日为 2026-10-26（星期一）",
    ]
    assert err == ""


def test_deadline_with_pause():
    """条例第三十三条第三款, §6 case 9: the consultation span is not counted."""
    out, _ = run("deadline", "--from", "2026-07-01", "--days", "20", "--pause", "2026-07-03,2026-07-14")
    assert out.startswith("期限届满日：2026-08-07（星期五）")


def test_deadline_into_2027_warns_provisional():
    """regulation.md §4.1, §6 case 15: a 2027 date is 待确认 with a warning."""
    out, err = run("deadline", "--from", "2027-01-04", "--days", "20")
    assert out.startswith("期限届满日：2027-02-01（星期一）（待确认）")
    assert "待确认" in err and "2027年" in err


def test_import_then_show(tmp_path):
    """regulation.md §4.1: the CLI loads a CSV; show lists the year and its source."""
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8-sig")
    out, _ = run("import", str(path), "--number", "国办发明电〔2026〕1号", "--published", "2026-11-05")
    assert "已载入2027年节假日安排（10个日期）" in out
    arrangement = HolidayArrangement.objects.get(year=2027)
    assert arrangement.notice_number == "国办发明电〔2026〕1号"
    assert str(arrangement.published_on) == "2026-11-05"
    out, _ = run("show", "2027")
    assert "来源：国务院办公厅节假日安排通知（管理员载入）" in out
    assert "2027-02-20（星期六） 班 春节" in out
    deadline_out, err = run("deadline", "--from", "2027-01-04", "--days", "20")
    assert "待确认" not in deadline_out and err == ""


def test_import_errors_list_lines_and_change_nothing(tmp_path):
    """Bad rows give line-numbered Chinese errors; nothing is loaded."""
    path = tmp_path / "bad.csv"
    path.write_text("date,kind,name\n2027-01-01,休,元旦\n2027-02-10,班,春节\n2027-01-01,休,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run("import", str(path))
    message = str(info.value)
    assert "未做任何修改" in message
    assert "第3行：2027-02-10（星期三）不是周末，不能作为调休上班日" in message
    assert "第4行：2027-01-01 重复，已在第2行列出" in message
    assert not HolidayArrangementDay.objects.exists()


def test_import_missing_file(tmp_path):
    """A missing file is a clear error."""
    with pytest.raises(CommandError, match="无法读取文件"):
        run("import", str(tmp_path / "nope.csv"))


def test_show_2026_counts_248_days():
    """regulation.md §4.2: 2026 has 248 working days."""
    out, _ = run("show", "2026")
    assert "来源：chinese_calendar" in out
    assert out.rstrip().endswith("全年工作日：248天")
