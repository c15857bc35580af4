"""一件事一次办 pages: the public 一次告知 page with QR code and print version, the 一本通 DOCX, the
applicant's draft → submit → progress → receipt, the staff acceptance, a department seeing only its
own tasks (others get 404), payout confirmation and the statistics page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document as DocxDocument

from gongkai.core.models import AuditEvent
from gongkai.portal.tests.helpers import login_verified
from gongkai.things import services
from gongkai.things.models import Application, JointTask, Payout
from gongkai.things.tests.helpers import GOOD_FILES, GOOD_FORM, PDF, make_world

pytestmark = pytest.mark.django_db


def accepted(w):
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    app = services.application_save(actor=w.applicant, application=app, data=GOOD_FORM, files=GOOD_FILES,
                                    submit=True)
    return services.application_accept(actor=w.registrar, application=app, on=date(2026, 9, 21))


def staff_client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_public_notice_page_lists_merged_materials_windows_and_a_qr_code() -> None:
    w = make_world()
    body = Client().get(reverse("things:detail", args=[w.thing.slug])).content.decode()
    assert w.thing.name in body
    assert body.count("<td>营业执照</td>") == 1  # deduplicated across the two items
    assert "申请人提供" in body and "容缺" in body and "免提交" in body
    assert "8号窗口" in body and "一件事专窗" in body
    assert 'class="qr-code"' in body and "style=" not in body.split("<main", 1)[1]
    printed = Client().get(reverse("things:print", args=[w.thing.slug])).content.decode()
    assert 'print.css' in printed and 'media="print"' not in printed
    assert Client().get(reverse("things:index")).status_code == 200


def test_guide_docx_has_every_thing_with_a_qr_picture() -> None:
    w = make_world()
    response = Client().get(reverse("things:guide_docx"))
    assert response.status_code == 200
    doc = DocxDocument(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert w.thing.name in text and "营业执照（申请人提供）" in text
    assert len(doc.inline_shapes) == 1


def test_applicant_saves_draft_then_submits_and_sees_progress_and_receipt() -> None:
    w = make_world()
    client = Client()
    client.force_login(w.applicant)
    response = client.post(reverse("things:apply", args=[w.thing.slug]), {"enterprise": w.enterprise.pk})
    app = Application.objects.get(enterprise=w.enterprise)
    assert response.status_code == 302 and response["Location"] == reverse("things:application", args=[app.uid])
    url = reverse("things:application", args=[app.uid])
    response = client.post(url, {"action": "save", "version": app.version, "lxr": "李四"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "draft" and app.form_data["lxr"] == "李四"
    response = client.post(url, {"action": "submit", "version": app.version, "lxr": "李四"})
    assert response.status_code == 200 and "请上传“营业执照”" in response.content.decode()
    files = {f"material__{k}": io.BytesIO(v[1]) for k, v in GOOD_FILES.items()}
    for k, f in files.items():
        f.name = f"{k}.pdf"
    response = client.post(url, {"action": "submit", "version": app.version, **GOOD_FORM, **files})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "submitted" and app.materials.count() == 2
    services.application_accept(actor=w.registrar, application=app, on=date(2026, 9, 21))
    body = client.get(url).content.decode()
    assert w.finance.name in body and w.tax.name in body and "2026-10-12" in body and "2026-09-29" in body
    assert "138****5678" in body and "13812345678" not in body
    receipt = client.get(reverse("things:receipt", args=[app.uid]))
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_another_applicant_gets_404_and_the_denial_is_audited() -> None:
    w = make_world()
    app = accepted(w)
    other = make_world("x")
    client = Client()
    client.force_login(other.applicant)
    assert client.get(reverse("things:application", args=[app.uid])).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_id=str(app.uid)).exists()


def test_registrar_accepts_at_a_window_and_the_queue_shows_only_own_things() -> None:
    w = make_world()
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    app = services.application_save(actor=w.applicant, application=app, data=GOOD_FORM, files=GOOD_FILES,
                                    submit=True)
    client = staff_client(w.registrar)
    assert w.thing.name in client.get(reverse("things_staff:acceptance_queue")).content.decode()
    page = client.get(reverse("things_staff:acceptance", args=[app.uid])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    response = client.post(reverse("things_staff:acceptance", args=[app.uid]),
                           {"action": "accept", "version": app.version, "channel": "window", "window": w.window.pk})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "accepted" and app.acceptances.get().window == w.window
    other = make_world("y")
    assert w.thing.name not in staff_client(other.registrar).get(reverse("things_staff:acceptance_queue")).content.decode()
    assert staff_client(other.registrar).get(reverse("things_staff:acceptance", args=[app.uid])).status_code == 404


def test_a_department_sees_only_its_own_tasks_and_gets_404_for_others() -> None:
    w = make_world()
    app = accepted(w)
    tax_task = JointTask.objects.get(application=app, department=w.tax)
    finance_task = JointTask.objects.get(application=app, department=w.finance)
    client = staff_client(w.tax_handler)
    queue = client.get(reverse("things_staff:tasks")).content.decode()
    assert "房产税困难减免" in queue and "稳岗培训补贴" not in queue
    assert client.get(reverse("things_staff:task", args=[finance_task.pk])).status_code == 404
    assert client.post(reverse("things_staff:task", args=[finance_task.pk]),
                       {"decision": "approve"}).status_code == 404
    finance_task.refresh_from_db()
    assert finance_task.status == "pending"
    response = client.post(reverse("things_staff:task", args=[tax_task.pk]),
                           {"action": "decide", "version": tax_task.version, "decision": "approve"})
    assert response.status_code == 302
    tax_task.refresh_from_db()
    assert tax_task.status == "approved"


def test_stale_version_is_reported_not_overwritten() -> None:
    w = make_world()
    app = accepted(w)
    task = JointTask.objects.get(application=app, department=w.tax)
    client = staff_client(w.tax_handler)
    response = client.post(reverse("things_staff:task", args=[task.pk]),
                           {"action": "decide", "version": task.version - 1, "decision": "approve"})
    assert "已被他人修改" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "pending"


def test_payout_recorded_by_handler_counts_after_head_confirms_on_the_statistics_page() -> None:
    w = make_world()
    app = accepted(w)
    for t in app.tasks.all():
        services.task_decide(actor=w.finance_handler if t.department_id == w.finance.pk else w.tax_handler,
                             task=t, approve=True)
    task = JointTask.objects.get(application=app, department=w.finance)
    client = staff_client(w.finance_handler)
    response = client.post(reverse("things_staff:task", args=[task.pk]),
                           {"action": "payout", "amount": "8800.50", "kind": "subsidy", "paid_on": "2026-10-20"})
    assert response.status_code == 302
    payout = Payout.objects.get()
    assert "8800.50" not in Client().get(reverse("things:statistics")).content.decode()
    head = staff_client(w.finance_head)
    assert "8800.50" in head.get(reverse("things_staff:payouts")).content.decode()
    response = head.post(reverse("things_staff:payout_decide", args=[payout.pk]),
                         {"action": "confirm", "version": payout.version, "amount": "", "paid_on": ""})
    assert response.status_code == 302
    payout.refresh_from_db()
    assert payout.status == "confirmed"
    stats = Client().get(reverse("things:statistics")).content.decode()
    assert "8800.50" in stats and w.thing.name in stats


def test_no_application_candidates_page_flow() -> None:
    from gongkai.enterprise.models import ItemCondition
    from gongkai.things.tests.helpers import make_enterprise, make_item

    w = make_world()
    item = make_item(w.finance, "免申即享稳岗返还", no_application=True, benefit_type="refund")
    ItemCondition.objects.create(item=item, field="employees", op="lte", value=50)
    make_enterprise("免申企业", "430104", employees=20)
    client = staff_client(w.finance_handler)
    assert "免申即享稳岗返还" in client.get(reverse("things_staff:payouts")).content.decode()
    assert client.post(reverse("things_staff:candidates", args=[item.pk])).status_code == 302
    payout = Payout.objects.get(item=item)
    assert payout.status == "candidate" and payout.kind == "refund"
    # The handler may not confirm (二次确认 is the department head's).
    assert client.post(reverse("things_staff:payout_decide", args=[payout.pk]),
                       {"action": "confirm", "amount": "100", "paid_on": "2026-11-02"}).status_code == 404
    assert staff_client(w.tax_handler).post(reverse("things_staff:candidates", args=[item.pk])).status_code == 404


def test_upload_of_unsupported_file_shows_error() -> None:
    w = make_world()
    client = Client()
    client.force_login(w.applicant)
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    bad = io.BytesIO(b"MZ\x90\x00not a pdf")
    bad.name = "virus.exe"
    response = client.post(reverse("things:application", args=[app.uid]),
                           {"action": "save", "version": app.version, "material__yyzz": bad})
    assert response.status_code == 200 and "类型不受支持" in response.content.decode()
    assert not app.materials.exists()
    ok = io.BytesIO(PDF)
    ok.name = "ok.pdf"
    assert client.post(reverse("things:application", args=[app.uid]),
                       {"action": "save", "version": app.version, "material__yyzz": ok}).status_code == 302


def test_uploaded_materials_reach_the_applicant_and_the_handling_departments_only() -> None:
    w = make_world()
    app = accepted(w)
    upload = app.materials.get(material__key="yyzz")
    url = reverse("things:material_file", args=[upload.pk])
    applicant = Client()
    applicant.force_login(w.applicant)
    response = applicant.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert staff_client(w.registrar).get(url).status_code == 200
    assert staff_client(w.tax_handler).get(url).status_code == 200  # a task department
    outsider = make_world("z")
    assert staff_client(outsider.tax_handler).get(url).status_code == 404
    other_applicant = Client()
    other_applicant.force_login(outsider.applicant)
    assert other_applicant.get(url).status_code == 404
