"""Writing, publishing and freezing annual reports, and the 条例第四十九条 reminders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.annual_reports import selectors, services
from gongkai.annual_reports.models import AnnualReport, AnnualReportVersion, content_digest
from gongkai.annual_reports.tests.conftest import add_request
from gongkai.core.models import AuditEvent
from gongkai.disclosure.models import DisclosureRequest
from gongkai.domain.disclosure_outcomes import Outcome, ReportColumn
from gongkai.domain.documents import Validity
from gongkai.notifications.models import Notification
from gongkai.policies.models import Document, DocumentRelation
from gongkai.policies.selectors import public_documents

pytestmark = pytest.mark.django_db

TEXTS = {"overview": "本年度总体情况。", "problems": "存在的问题和改进措施。", "other_matters": "无。"}
FIGURES = {"licensing_count": 12, "licensing_source": "行政审批系统", "penalty_count": 3,
           "penalty_source": "执法系统", "enforcement_count": 0, "enforcement_source": "执法系统",
           "fee_amount": Decimal("1.25"), "fee_source": "财务台账"}


def _complete(w, org, year, actor=None):
    return services.report_update(actor=actor or w.head, organisation=org, year=year, **TEXTS, **FIGURES)


def _dataset(w):
    add_request(w.edu, date(2025, 3, 2), date(2025, 3, 20), Outcome.DISCLOSED)
    add_request(w.edu, date(2025, 12, 29), None, None, ReportColumn.LEGAL_SERVICE)
    return add_request(w.edu, date(2025, 5, 10), date(2025, 6, 1), Outcome.PARTIAL, ReportColumn.BUSINESS)


def test_update_writes_texts_and_figures_with_an_audit_row(w) -> None:
    report = services.report_update(actor=w.edu_publisher, organisation=w.edu, year=2025,
                                    overview="  总体情况。 ", licensing_count=5, licensing_source="审批系统")
    assert (report.overview, report.licensing_count, report.version) == ("总体情况。", 5, 2)
    event = AuditEvent.objects.get(action="annual_report.update")
    assert event.actor == w.edu_publisher and event.organisation_id == w.edu.pk
    assert event.after["licensing_count"] == 5
    with pytest.raises(ValidationError, match="刷新页面"):
        services.report_update(actor=w.edu_publisher, organisation=w.edu, year=2025, expected_version=1,
                               overview="旧版本")


def test_a_figure_needs_its_source_note(w) -> None:
    """Table-2 figures no module records yet are entered with a source note (issue 5 §1)."""
    with pytest.raises(ValidationError) as exc:
        services.report_update(actor=w.edu_publisher, organisation=w.edu, year=2025, penalty_count=3)
    assert "须注明数据来源" in str(exc.value.message_dict["penalty_source"])
    assert not AnnualReport.objects.exists()


def test_only_publishers_and_office_heads_of_the_organisation_may_write(w) -> None:
    for actor in (w.edu_handler, w.outsider):
        with pytest.raises(PermissionDenied, match="无权编写"):
            services.report_update(actor=actor, organisation=w.edu, year=2025, overview="x")
    # The government's office head covers its departments (含下级机关).
    services.report_update(actor=w.head, organisation=w.edu, year=2025, overview="由县政府公开办编写")


def test_insert_facts_appends_generated_sentences_to_section_one(w) -> None:
    _dataset(w)
    services.report_update(actor=w.edu_publisher, organisation=w.edu, year=2025, overview="已有的文字。")
    report = services.report_insert_facts(actor=w.edu_publisher, organisation=w.edu, year=2025)
    lines = report.overview.splitlines()
    assert lines[0] == "已有的文字。" and lines[1] == ""
    assert lines[2] == "2025年，本机关新收政府信息公开申请3件，上年结转0件；本年度办结2件，结转下年度继续办理1件。"
    assert AuditEvent.objects.filter(action="annual_report.insert_facts").count() == 1


def test_publish_freezes_the_tables_and_texts_and_publishes_a_document(w) -> None:
    _dataset(w)
    _complete(w, w.edu, 2025)
    version = services.report_publish(actor=w.edu_head, organisation=w.edu, year=2025)
    assert version.number == 1
    assert version.sha256 == content_digest(version.content) and version.intact
    assert version.content["table3"]["一"]["total"] == 3 and version.content["texts"] == TEXTS
    assert version.content["table2"]["fees"] == {"value": "1.25", "source": "财务台账"}
    document = version.document
    assert document is not None and public_documents().filter(pk=document.pk).exists()
    assert document.title == "示例县教育局2025年政府信息公开工作年度报告"
    assert "<table>" in document.body_html and "申请人情况" in document.body_html
    audit = AuditEvent.objects.get(action="annual_report.publish")
    assert audit.actor == w.edu_head and audit.after["sha256"] == version.sha256

    # Regenerating later does not change what was published.
    add_request(w.edu, date(2025, 8, 8), date(2025, 8, 9), Outcome.DISCLOSED)
    services.report_update(actor=w.edu_head, organisation=w.edu, year=2025, overview="之后修改的文字。")
    stored = AnnualReportVersion.objects.get(pk=version.pk)
    assert stored.content == version.content and stored.intact
    assert stored.content["table3"]["一"]["total"] == 3
    assert selectors.build_content(w.edu, 2025, selectors.report_for(w.edu, 2025))["table3"]["一"]["total"] == 4
    with pytest.raises(ValueError, match="不能修改"):
        stored.save()
    with pytest.raises(ValueError, match="不能删除"):
        stored.delete()


def test_a_correction_is_a_new_version_with_a_note(w) -> None:
    _dataset(w)
    _complete(w, w.edu, 2025)
    first = services.report_publish(actor=w.edu_head, organisation=w.edu, year=2025)
    with pytest.raises(ValidationError, match="更正说明"):
        services.report_publish(actor=w.edu_head, organisation=w.edu, year=2025, note="")
    second = services.report_publish(actor=w.edu_head, organisation=w.edu, year=2025,
                                     note="更正表二行政许可数量的统计口径。")
    assert second.number == 2 and second.content["note"] == "更正表二行政许可数量的统计口径。"
    assert AnnualReportVersion.objects.get(pk=first.pk).content == first.content
    old = Document.objects.get(pk=first.document_id)
    assert old.validity == Validity.AMENDED
    assert DocumentRelation.objects.filter(source=second.document, target=old, kind="amends").exists()


def test_only_the_office_head_publishes(w) -> None:
    _dataset(w)
    _complete(w, w.edu, 2025)
    for actor in (w.edu_publisher, w.outsider):
        with pytest.raises(PermissionDenied, match="公开办负责人"):
            services.report_publish(actor=actor, organisation=w.edu, year=2025)
    assert services.report_publish(actor=w.head, organisation=w.edu, year=2025).number == 1


def _blocked(w, org, year, match):
    with pytest.raises(ValidationError) as exc:
        services.report_publish(actor=w.head, organisation=org, year=year)
    assert any(match in m for m in exc.value.messages), exc.value.messages
    assert exc.value.messages[0].startswith("发布前检查未通过")
    assert not AnnualReportVersion.objects.filter(report__organisation=org, report__year=year).exists()
    return exc.value.messages


def test_publishing_is_blocked_by_missing_texts_and_figures(w) -> None:
    """条例第五十条: sections 一、五、六; table-2 figures need a value and a source."""
    _dataset(w)
    _blocked(w, w.edu, 2025, "“一、总体情况”尚未填写")
    services.report_update(actor=w.head, organisation=w.edu, year=2025, **TEXTS)
    _blocked(w, w.edu, 2025, "表二“行政许可本年处理决定数量”尚未填写")
    assert not Document.objects.exists()


def test_publishing_is_blocked_when_carried_over_differs_from_last_years_published_report(w, monkeypatch) -> None:
    """二 (上年结转) must equal 四 of last year's published report: a 2025 request closed in 2025 and
    reopened later changes 2026's 二 but not the frozen 2025 report."""
    closed_2025 = _dataset(w)
    _complete(w, w.edu, 2025)
    services.report_publish(actor=w.head, organisation=w.edu, year=2025)
    _complete(w, w.edu, 2026)
    content = selectors.build_content(w.edu, 2026, selectors.report_for(w.edu, 2026))
    assert content["previous_source"] == "2025年度报告（已发布第1版）"
    DisclosureRequest.objects.filter(pk=closed_2025.pk).update(status="in_handling", outcome="", closed_on=None)
    monkeypatch.setattr(services, "today", lambda: date(2027, 1, 10))  # 2026 has ended
    messages = _blocked(w, w.edu, 2026, "本年二（上年结转）为 2，而2025年度报告（已发布第1版）的四")
    assert any("“商业企业”列" in m for m in messages)


def test_publishing_is_blocked_by_records_that_do_not_balance(w) -> None:
    """三(七) = the sum of the result rows, and 总计 = the sum of the applicant columns."""
    _dataset(w)
    odd = add_request(w.edu, date(2025, 4, 1), None, None)
    DisclosureRequest.objects.filter(pk=odd.pk).update(closed_on=date(2025, 4, 9))
    _complete(w, w.edu, 2025)
    _blocked(w, w.edu, 2025, "三（七）总计为 3，而（一）至（六）各项办理结果之和为 2")
    DisclosureRequest.objects.filter(pk=odd.pk).update(closed_on=None)
    add_request(w.edu, date(2025, 6, 1), date(2025, 6, 2), Outcome.DISCLOSED, ReportColumn.BUSINESS,
                organisation_kind="")
    _blocked(w, w.edu, 2025, "而自然人和五类法人或其他组织之和为")


def test_a_year_is_published_only_after_it_has_ended(w) -> None:
    _complete(w, w.edu, services.today().year)
    with pytest.raises(ValidationError, match="尚未结束"):
        services.report_publish(actor=w.head, organisation=w.edu, year=services.today().year)


# --- Reminders -----------------------------------------------------------------------------------------


def test_reminders_before_the_art49_deadline_reach_publishers_and_office_heads_once(w) -> None:
    """条例第四十九条; regulation.md §6 case 15: departments' 2025 reports are due 2026-01-31 (a
    Saturday, alert by Fri 2026-01-30); governments' by 2026-03-31."""
    _complete(w, w.fin, 2025)
    services.report_publish(actor=w.head, organisation=w.fin, year=2025)  # published: no reminder
    assert services.send_deadline_reminders(date(2026, 1, 5)) == 0  # before the reminder window
    created = services.send_deadline_reminders(date(2026, 1, 20))
    rows = Notification.objects.filter(kind=services.KIND_REMINDER)
    assert created == rows.count() == 3  # edu: its publisher, its office head and the county's head
    assert {n.recipient.username for n in rows} == {"ar_edu_publisher", "ar_edu_head", "ar_head"}
    note = rows.first()
    assert note.title == "年度报告：示例县教育局2025年度政府信息公开工作年度报告即将到期"
    assert "2026年1月31日" in note.body and "2026年1月30日" in note.body and "第四十九条" in note.body
    assert note.link == f"/staff/reports/{w.edu.pk}/2025/"
    assert services.send_deadline_reminders(date(2026, 1, 21)) == 0  # deduplicated
    assert services.send_deadline_reminders(date(2026, 1, 30)) == 3  # the alert day itself
    assert "今日须发布" in Notification.objects.filter(kind=services.KIND_REMINDER).order_by("-id").first().title
    # The county government's own report (31 March): reminded from mid-March, not in January.
    assert not rows.filter(organisation=w.gov).exists()
    services.send_deadline_reminders(date(2026, 3, 20))
    assert Notification.objects.filter(organisation=w.gov, recipient=w.head).count() == 1
    assert AuditEvent.objects.filter(action="annual_report.reminders").count() == 3
