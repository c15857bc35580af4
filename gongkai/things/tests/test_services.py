"""一件事一次办 services on the real database: 一表一套 merging, submission, acceptance with a
gapless receipt, parallel department tasks with working-day deadlines, completion only when all
tasks close, payouts counted only after 二次确认, 免申即享 candidates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.core.models import AuditEvent
from gongkai.domain.things_workflow import MaterialSource
from gongkai.enterprise.models import ItemCondition
from gongkai.things import selectors, services
from gongkai.things.models import Acceptance, Application, JointTask, Payout
from gongkai.things.tests.helpers import GOOD_FILES, GOOD_FORM, PDF, make_enterprise, make_item, make_world

pytestmark = pytest.mark.django_db


def submitted(w):
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    return services.application_save(actor=w.applicant, application=app, data=GOOD_FORM, files=GOOD_FILES,
                                     submit=True)


def accepted(w, on=date(2026, 9, 21)):
    return services.application_accept(actor=w.registrar, application=submitted(w), on=on)


def test_merged_materials_are_deduplicated_with_the_strictest_source() -> None:
    """一套材料 (湘政办明电〔2020〕23号 “一次告知”; 国发〔2024〕3号 一套材料): 营业执照 is needed by
    both items, shared for one and from the applicant for the other → listed once, 申请人提供."""
    w = make_world()
    materials = selectors.merged_materials(w.thing)
    assert [m.key for m in materials] == ["yyzz", "pxmd", "fcz", "nsb"]
    licence = materials[0]
    assert licence.source is MaterialSource.APPLICANT
    assert licence.items == ("稳岗培训补贴", "房产税困难减免")
    assert {m.key: m.source for m in materials}["fcz"] is MaterialSource.DEFERRED
    assert {m.key: m.source for m in materials}["nsb"] is MaterialSource.EXEMPT


def test_merged_form_fields_are_deduplicated_and_required_if_any_item_requires() -> None:
    """一表申请: 联系电话 asked by both items appears once; optional for one, required for the other."""
    w = make_world()
    fields = selectors.merged_fields(w.thing)
    assert [f.key for f in fields] == ["lxr", "lxdh", "fcmj"]
    phone = fields[1]
    assert phone.required is True and phone.items == ("稳岗培训补贴", "房产税困难减免")


def test_draft_saves_incomplete_and_submission_checks_fields_and_materials() -> None:
    w = make_world()
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    app = services.application_save(actor=w.applicant, application=app, data={"lxr": "李四"})
    assert app.status == "draft" and app.form_data == {"lxr": "李四"}
    assert services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise).pk == app.pk
    with pytest.raises(ValidationError) as err:
        services.application_save(actor=w.applicant, application=app, data={"lxr": "李四"}, submit=True)
    messages = err.value.message_dict
    assert messages["lxdh"] == ["请填写“联系电话”。"]
    assert messages["material:yyzz"] == ["请上传“营业执照”。"]
    assert "material:fcz" not in messages  # 容缺: may be handed in later
    app.refresh_from_db()
    assert app.status == "draft"


def test_each_material_is_uploaded_once_and_a_new_upload_replaces_it() -> None:
    w = make_world()
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    app = services.application_save(actor=w.applicant, application=app, data={}, files={"yyzz": ("a.pdf", PDF)})
    app = services.application_save(actor=w.applicant, application=app, data={},
                                    files={"yyzz": ("b.pdf", PDF + b"\n")})
    uploads = list(app.materials.all())
    assert len(uploads) == 1 and uploads[0].original_name == "b.pdf"
    with pytest.raises(ValidationError, match="无需申请人上传"):
        services.application_save(actor=w.applicant, application=app, data={}, files={"nsb": ("c.pdf", PDF)})
    with pytest.raises(ValidationError, match="类型不受支持"):
        services.application_save(actor=w.applicant, application=app, data={}, files={"pxmd": ("x.exe", b"MZ\x90")})


def test_only_the_verified_claimant_may_apply() -> None:
    w = make_world()
    other = make_enterprise("别家公司")
    with pytest.raises(PermissionDenied):
        services.application_start(actor=w.applicant, thing=w.thing, enterprise=other)
    with pytest.raises(PermissionDenied):
        services.application_start(actor=w.finance_handler, thing=w.thing, enterprise=w.enterprise)


def test_acceptance_gives_gapless_receipts_and_one_task_per_item_with_working_day_deadlines() -> None:
    """Deadlines in working days with 调休 (cf. tests/domain/test_calendar.py case 5: from Mon
    2026-09-21, 中秋 9/25–27 and 国庆 10/1–7 are skipped and Sat 10/10 is a working day)."""
    w = make_world()
    app = accepted(w, on=date(2026, 9, 21))
    assert app.status == "accepted" and app.accepted_on == date(2026, 9, 21)
    assert app.receipt_no == f"YJS2026-{w.finance.pk:03d}-00001"
    tasks = {t.department_id: t for t in app.tasks.all()}
    assert tasks[w.finance.pk].days == 10 and tasks[w.finance.pk].due_date == date(2026, 10, 12)
    assert tasks[w.tax.pk].days == 5 and tasks[w.tax.pk].due_date == date(2026, 9, 29)
    second = make_enterprise("第二家公司", user=w.applicant)
    app2 = services.application_start(actor=w.applicant, thing=w.thing, enterprise=second)
    app2 = services.application_save(actor=w.applicant, application=app2, data=GOOD_FORM, files=GOOD_FILES,
                                     submit=True)
    app2 = services.application_accept(actor=w.registrar, application=app2, channel="window", window=w.window,
                                       on=date(2026, 9, 22))
    assert app2.receipt_no == f"YJS2026-{w.finance.pk:03d}-00002"
    assert Acceptance.objects.get(application=app2).window == w.window
    assert AuditEvent.objects.filter(action="things.application_accept").count() == 2


def test_acceptance_needs_the_lead_departments_registrar_and_the_current_version() -> None:
    w = make_world()
    app = submitted(w)
    with pytest.raises(PermissionDenied):
        services.application_accept(actor=w.tax_handler, application=app)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.application_accept(actor=w.registrar, application=app, expected_version=app.version - 1)
    with pytest.raises(ValidationError, match="须选择受理窗口"):
        services.application_accept(actor=w.registrar, application=app, channel="window")


def test_rejection_names_reasons_and_the_applicant_fixes_and_resubmits() -> None:
    w = make_world()
    app = services.application_reject(actor=w.registrar, application=submitted(w), reasons="营业执照不清晰",
                                      to_fix="请上传清晰的营业执照扫描件")
    assert app.status == "rejected"
    assert Acceptance.objects.get(application=app).to_fix == "请上传清晰的营业执照扫描件"
    with pytest.raises(ValidationError, match="不能变更"):
        services.application_accept(actor=w.registrar, application=app)
    app = services.application_save(actor=w.applicant, application=app, data=GOOD_FORM, files=GOOD_FILES,
                                    submit=True)
    assert app.status == "submitted"


def test_application_completes_only_when_every_department_has_closed_its_task() -> None:
    w = make_world()
    app = accepted(w)
    finance_task = JointTask.objects.get(application=app, department=w.finance)
    tax_task = JointTask.objects.get(application=app, department=w.tax)
    services.task_decide(actor=w.finance_handler, task=finance_task, approve=True)
    app.refresh_from_db()
    assert app.status == "in_joint_handling" and app.completed_at is None
    with pytest.raises(ValidationError, match="须填写理由"):
        services.task_decide(actor=w.tax_handler, task=tax_task, approve=False)
    services.task_decide(actor=w.tax_handler, task=tax_task, approve=False, reasons="房产不在减免范围")
    app.refresh_from_db()
    assert app.status == "completed" and app.completed_at is not None
    with pytest.raises(ValidationError, match="不能变更"):
        services.task_decide(actor=w.tax_handler, task=tax_task, approve=True)


def test_a_department_cannot_decide_another_departments_task() -> None:
    w = make_world()
    app = accepted(w)
    tax_task = JointTask.objects.get(application=app, department=w.tax)
    with pytest.raises(PermissionDenied):
        services.task_decide(actor=w.finance_handler, task=tax_task, approve=True)
    tax_task.refresh_from_db()
    assert tax_task.status == "pending"


def test_payouts_count_only_after_confirmation_and_then_the_application_is_paid() -> None:
    w = make_world()
    app = accepted(w)
    for task in app.tasks.all():
        handler = w.finance_handler if task.department_id == w.finance.pk else w.tax_handler
        services.task_decide(actor=handler, task=task, approve=True)
    task = JointTask.objects.get(application=app, department=w.finance)
    payout = services.payout_record(actor=w.finance_handler, task=task, amount="12000.00", kind="subsidy",
                                    paid_on=date(2026, 10, 20))
    stats = selectors.statistics()
    assert stats.amount == Decimal("0") and stats.enterprises == 0
    with pytest.raises(PermissionDenied):
        services.payout_confirm(actor=w.finance_handler, payout=payout)  # 承办人 cannot confirm own entry
    with pytest.raises(PermissionDenied):
        services.payout_confirm(actor=w.tax_head, payout=payout)  # another department's head
    services.payout_confirm(actor=w.finance_head, payout=payout)
    app.refresh_from_db()
    assert app.status == "paid"
    stats = selectors.statistics()
    assert stats.amount == Decimal("12000.00") and stats.enterprises == 1 and stats.completed == 1


def test_no_application_candidates_come_from_matching_and_need_confirmation() -> None:
    """免申即享: enterprises of the department's region that meet every hard condition become
    candidates; a second run creates no duplicates; the department head confirms with the amount."""
    w = make_world()
    item = make_item(w.finance, "小微企业社保补贴（免申即享）", no_application=True)
    ItemCondition.objects.create(item=item, field="employees", op="lte", value=100, hard=True)
    small = make_enterprise("小型企业", "430102", employees=30)
    make_enterprise("大型企业", "430102", employees=500)
    make_enterprise("外省小企业", "110101", employees=10)
    make_enterprise("人数未知企业", "430103")
    created = services.candidates_generate(actor=w.finance_handler, item=item)
    assert [p.enterprise_id for p in created] == [small.pk]
    assert services.candidates_generate(actor=w.finance_handler, item=item) == []
    with pytest.raises(PermissionDenied):
        services.candidates_generate(actor=w.tax_handler, item=item)
    payout = created[0]
    assert selectors.statistics().enterprises == 0
    with pytest.raises(ValidationError, match="须填写兑现金额"):
        services.payout_confirm(actor=w.finance_head, payout=payout)
    services.payout_confirm(actor=w.finance_head, payout=payout, amount="3000", paid_on=date(2026, 11, 2))
    stats = selectors.statistics()
    assert (stats.completed, stats.enterprises, stats.amount) == (1, 1, Decimal("3000.00"))
    assert Payout.objects.get(pk=payout.pk).source == "no_application"


def test_not_a_no_application_item_is_refused() -> None:
    w = make_world()
    with pytest.raises(ValidationError, match="不是免申即享"):
        services.candidates_generate(actor=w.finance_handler, item=w.item_subsidy)


def test_audit_rows_never_hold_form_values() -> None:
    w = make_world()
    submitted(w)
    for event in AuditEvent.objects.filter(action__startswith="things.application"):
        assert "13812345678" not in str(event.after) and "李四" not in str(event.after)
    assert Application.objects.get(enterprise=w.enterprise).form_data["lxdh"] == "13812345678"


def test_matching_adapter_agrees_with_the_eligibility_oracle() -> None:
    """The engine (``gongkai.enterprise.matching``) and the pure oracle give the same candidates."""
    from gongkai.domain.eligibility import Result, evaluate
    from gongkai.enterprise.models import Enterprise
    from gongkai.things.matching import profile_of, qualifying_enterprise_ids

    w = make_world()
    item = make_item(w.finance, "免申即享比对核验", no_application=True)
    ItemCondition.objects.create(item=item, field="employees", op="gte", value=10, hard=True)
    ItemCondition.objects.create(item=item, field="region_code", op="within_region", value=["430100"], hard=True)
    for n, (region, employees) in enumerate([("430102", 5), ("430102", 50), ("430211", 50), ("430104", None)]):
        make_enterprise(f"比对企业{n}", region, employees=employees)
    conditions = [c.as_condition() for c in item.conditions.all()]
    oracle = sorted(e.pk for e in Enterprise.objects.filter(region_code__startswith="4301")
                    if evaluate(conditions, profile_of(e), date.today()).result is Result.QUALIFIES)
    assert qualifying_enterprise_ids(item, date.today()) == oracle
    assert len(oracle) == 1
