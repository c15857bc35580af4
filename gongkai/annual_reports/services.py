"""The only code that changes annual reports: write sections 一、五、六 and the table-2 figures,
insert the generated facts, publish a version, and send the 条例第四十九条 reminders.

Each service checks the permission itself (``access``), runs in one transaction and writes its
audit row in it; errors are ``ValidationError``/``PermissionDenied`` with Chinese messages.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import ORG_ROLE_PERMS
from gongkai.annual_reports import access, selectors
from gongkai.annual_reports.models import AnnualReport, AnnualReportVersion, content_digest
from gongkai.core.audit import record
from gongkai.domain import annual_report as rules

YEAR_MIN = 2008  # 条例 in force since 2008-05-01
TEXT_FIELDS = ("overview", "problems", "other_matters")
FIGURE_FIELDS = {  # figure → its source-note field
    "licensing_count": "licensing_source",
    "penalty_count": "penalty_source",
    "enforcement_count": "enforcement_source",
    "fee_amount": "fee_source",
}
EDITABLE_FIELDS = (*TEXT_FIELDS, *FIGURE_FIELDS, *FIGURE_FIELDS.values())
MIN_NOTE = 5


def today() -> date:
    return timezone.localdate()


def _check_year(year: int, *, finished: bool = False) -> None:
    this_year = today().year
    if not YEAR_MIN <= year <= this_year:
        raise ValidationError(f"年度应在 {YEAR_MIN} 年至 {this_year} 年之间。")
    if finished and year >= this_year:
        raise ValidationError(f"{year}年度尚未结束，年度报告须在次年1月1日以后发布。")


def _locked_report(organisation: Organisation, year: int) -> AnnualReport:
    AnnualReport.objects.get_or_create(organisation=organisation, year=year)
    return AnnualReport.objects.select_for_update().get(organisation=organisation, year=year)


def _snapshot(report: AnnualReport) -> dict[str, Any]:
    return {name: getattr(report, name) for name in EDITABLE_FIELDS}


def _validate(report: AnnualReport) -> None:
    errors: dict[str, str] = {}
    for figure, source in FIGURE_FIELDS.items():
        value = getattr(report, figure)
        if value is not None and value < 0:
            errors[figure] = "数字不能为负数。"
        elif value is not None and not str(getattr(report, source) or "").strip():
            errors[source] = "填写了数字的，须注明数据来源（如业务系统名称、统计报表或负责提供数据的科室）。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_update(*, actor: Any, organisation: Organisation, year: int, expected_version: int | None = None,
                  request: HttpRequest | None = None, **fields: Any) -> AnnualReport:
    """编写年度报告: sections 一、五、六 and the table-2 figures with their source notes. A figure
    needs a source note; ``expected_version`` detects two people editing at once."""
    if not access.can_edit(actor, organisation):
        raise PermissionDenied("您无权编写该机关的年度报告。")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    _check_year(year)
    report = _locked_report(organisation, year)
    if expected_version is not None and report.version != expected_version:
        raise ValidationError("该年度报告已被他人修改，请刷新页面后重新编辑。")
    before = _snapshot(report)
    for name, value in fields.items():
        if name in TEXT_FIELDS or name in FIGURE_FIELDS.values():
            value = str(value or "").strip()
        elif name == "fee_amount" and value is not None and not isinstance(value, Decimal):
            try:
                value = rules.parse_amount(value)
            except rules.ReportError as exc:
                raise ValidationError({name: str(exc)}) from None
        setattr(report, name, value)
    _validate(report)
    report.version += 1
    report.updated_by = actor
    report.full_clean()
    report.save()
    after = _snapshot(report)
    changed = [k for k in after if before[k] != after[k]]
    record("annual_report.update", request=request, actor=actor, organisation=organisation, obj=report,
           before={k: before[k] for k in changed}, after={k: after[k] for k in changed},
           detail=f"{year}年度")
    return report


@transaction.atomic
def report_insert_facts(*, actor: Any, organisation: Organisation, year: int,
                        request: HttpRequest | None = None) -> AnnualReport:
    """插入数据: append the generated facts (totals, on-time rate, fees collected, changes against
    last year) to 一、总体情况, where staff edit them like any other text."""
    if not access.can_edit(actor, organisation):
        raise PermissionDenied("您无权编写该机关的年度报告。")
    _check_year(year)
    report = _locked_report(organisation, year)
    lines = selectors.facts_lines(organisation, year, selectors.build_content(organisation, year, report))
    before = report.overview
    report.overview = "\n".join([*([before.rstrip(), ""] if before.strip() else []), *lines])
    report.version += 1
    report.updated_by = actor
    report.full_clean()
    report.save()
    record("annual_report.insert_facts", request=request, actor=actor, organisation=organisation, obj=report,
           before={"overview": before}, after={"overview": report.overview}, detail=f"{year}年度")
    return report


def _subject() -> Any:
    from gongkai.policies.models import SubjectCategory

    return SubjectCategory.objects.filter(name="政务公开", parent__name="综合政务").first()


def _publish_document(organisation: Organisation, content: dict[str, Any], number: int,
                      previous: AnnualReportVersion | None, published_at: Any) -> Any:
    """The report as a 政府信息 in the library (政府信息公开年报), published by the system on the
    office head's behalf (the publishing service has checked the permission and audits it). A
    correction amends the previous version's document (修改 link; it shows as 已修改)."""
    from gongkai.policies.models import Category
    from gongkai.policies.services.documents import document_create, document_relate

    year = content["year"]
    body = render_to_string("annual_reports/_document_body.html", {"c": content, "number": number})
    summary = (f"{organisation.name}按照{rules.FORMAT_NAME}格式编制的{year}年政府信息公开工作年度报告"
               + (f"（第{number}版，更正说明：{content['note']}）" if number > 1 else "") + "。")
    document = document_create(
        actor=None, organisation=organisation, status="published", published_at=published_at,
        title=content["title"] + (f"（第{number}版）" if number > 1 else ""), issuers=[organisation.name],
        written_on=timezone.localdate(published_at), category=Category.OTHER, level=organisation.level,
        subject=_subject(), keywords="政府信息公开,年度报告", summary=summary[:1000], body_html=body,
        source="政府信息公开工作年度报告",
    )
    if previous is not None and previous.document is not None:
        document_relate(actor=None, source=document, target=previous.document, kind="amends")
    return document


@transaction.atomic
def report_publish(*, actor: Any, organisation: Organisation, year: int, note: str = "",
                   request: HttpRequest | None = None) -> AnnualReportVersion:
    """发布年度报告: every check (``domain.annual_report.run_checks``) must pass; the tables and
    texts are frozen as JSON with their SHA-256 in a new version, and the report becomes a
    published document in the library. A second or later version is a correction and needs a
    note (更正说明)."""
    if not access.can_publish(actor, organisation):
        raise PermissionDenied("只有公开办负责人可以发布年度报告。")
    _check_year(year, finished=True)
    report = _locked_report(organisation, year)
    content = selectors.build_content(organisation, year, report)
    failures = rules.failed(rules.run_checks(content))
    if failures:
        raise ValidationError(["发布前检查未通过，请先处理以下问题：", *rules.check_messages(failures)])
    previous = AnnualReportVersion.objects.filter(report=report).select_related("document").order_by("-number").first()
    number = previous.number + 1 if previous else 1
    note = (note or "").strip()
    if previous is not None and len(note) < MIN_NOTE:
        raise ValidationError({"note": f"已发布过第{previous.number}版，再次发布是更正，须填写更正说明（至少{MIN_NOTE}个字）。"})
    published_at = timezone.now()
    content.update(version=number, note=note, published_on=timezone.localdate(published_at).isoformat())
    document = _publish_document(organisation, content, number, previous, published_at)
    content["document_index_no"] = document.index_no
    version = AnnualReportVersion(report=report, number=number, content=content, sha256=content_digest(content),
                                  note=note, document=document, published_at=published_at,
                                  published_by=actor if getattr(actor, "pk", None) else None)
    version.save()
    record("annual_report.publish", request=request, actor=actor, organisation=organisation, obj=version,
           after={"year": year, "number": number, "sha256": version.sha256, "document": document.index_no,
                  "note": note})
    return version


# --- 条例第四十九条 reminders ------------------------------------------------------------------------

KIND_REMINDER = "annual_report.deadline"
REMINDER_ROLES = {str(role) for role, perms in ORG_ROLE_PERMS.items()
                  if any(p in perms for p in access.EDIT_PERMS)}


def reminder_message(org: Organisation, deadline: rules.ReportDeadline,
                     stage: rules.ReminderStage) -> tuple[str, str]:
    year = deadline.year
    title = f"年度报告：{org.name}{year}年度政府信息公开工作年度报告{stage.label}"
    due = rules.cn_date(deadline.due)
    lead = {
        rules.ReminderStage.UPCOMING: f"本机关{year}年度报告尚未发布，法定期限为{due}，请于{rules.cn_date(deadline.alert_on)}前完成审核并发布。",
        rules.ReminderStage.FINAL: f"本机关{year}年度报告尚未发布，法定期限为{due}，最迟须于{rules.cn_date(deadline.alert_on)}（期限前最后一个工作日）完成发布。",
        rules.ReminderStage.OVERDUE: f"本机关{year}年度报告尚未发布，已超过{due}的法定期限，请尽快发布。",
    }[stage]
    return title, "\n".join([lead, f"依据：{deadline.basis}。"])


def send_deadline_reminders(on: date | None = None) -> int:
    """Remind the 信息发布员 and 公开办负责人 of every active organisation whose last-year report is
    not yet published, from ``REMIND_WORKING_DAYS`` working days before the alert day until
    shortly after the deadline. One message per recipient, organisation, year and stage (the
    ``dedupe_key``), so the job may run every minute. A system job: no actor; one audit row when
    it created messages. Returns the number of messages created."""
    from django.apps import apps

    if not apps.is_installed("gongkai.notifications"):
        return 0
    from gongkai.notifications.models import Notification
    from gongkai.notifications.services import notify

    day = on or today()
    year = day.year - 1
    working = selectors.is_working_day_fn()
    stages = {}
    for kind in rules.DeadlineKind:
        deadline = rules.report_deadline(year, kind, working)
        stages[kind] = (deadline, rules.reminder_stage(deadline, day))
    if all(stage is None for _, stage in stages.values()):
        return 0
    published = set(AnnualReportVersion.objects.filter(report__year=year)
                    .values_list("report__organisation_id", flat=True))
    candidates = [org for org in Organisation.objects.filter(is_active=True).order_by("tree_path")
                  if org.pk not in published and stages[rules.deadline_kind(org.kind, org.level)][1] is not None]
    if not candidates:
        return 0
    path_ids = {pk for org in candidates for pk in org.path_ids()}
    memberships = list(Membership.objects.filter(organisation_id__in=path_ids, role__in=REMINDER_ROLES,
                                                 organisation__is_active=True, user__is_active=True,
                                                 user__account_type=User.AccountType.STAFF)
                       .select_related("organisation", "user"))
    plans = []
    for org in candidates:
        deadline, stage = stages[rules.deadline_kind(org.kind, org.level)]
        assert stage is not None
        users = {m.user.pk: m.user for m in memberships if m.covers(org)}
        if users:
            plans.append((org, deadline, stage, users, f"{KIND_REMINDER}:{stage.value}:{org.pk}:{year}"))
    # Steady state (every minute after the first reminder): one query finds nothing is missing.
    have = set(Notification.objects.filter(recipient_id__in={pk for p in plans for pk in p[3]},
                                           dedupe_key__in={p[4] for p in plans})
               .values_list("recipient_id", "dedupe_key"))
    created: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        for org, deadline, stage, users, key in plans:
            missing = [u for pk, u in users.items() if (pk, key) not in have]
            if not missing:
                continue
            title, body = reminder_message(org, deadline, stage)
            rows = notify(missing, kind=KIND_REMINDER, title=title, body=body,
                          link=reverse("annual_reports:detail", args=[org.pk, year]), dedupe_key=key,
                          organisation=org)
            created[stage.value] += len(rows)
        total = sum(created.values())
        if total:
            record("annual_report.reminders", object_type="annual_reports.AnnualReport",
                   detail=f"年度报告期限提醒：{year}年度，{total} 条",
                   after={"as_of": day, "year": year, **created})
    return total
