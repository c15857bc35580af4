"""Objects of organisation A for the URL-coverage test (tests/test_url_coverage.py): a thing led by
A, an accepted application with an uploaded material and its task, a 免申即享 candidate, and a
service hall of A with a window (the administration pages)."""

from __future__ import annotations

from typing import Any

from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import OrgRole
from gongkai.portal.tests.helpers import make_staff
from gongkai.things import services
from gongkai.things.models import ItemMaterial, Payout, ServiceHall, Window
from gongkai.things.tests.helpers import PDF, make_enterprise, make_enterprise_user, make_item, material


def url_coverage_fillers(org: Organisation) -> dict[str, Any]:
    item = make_item(org, "覆盖测试补贴")
    free_item = make_item(org, "覆盖测试免申即享补贴", no_application=True)
    ItemMaterial.objects.create(item=item, material=material("cover-yyzz", "营业执照"), source="applicant")
    thing = services.thing_create(actor=None, slug="cover-thing", name="我要申请覆盖测试补贴", lead_department=org,
                                  items=[item])
    user = make_enterprise_user("things_cover_ent")
    enterprise = make_enterprise("覆盖测试企业", user=user)
    app = services.application_start(actor=user, thing=thing, enterprise=enterprise)
    app = services.application_save(actor=user, application=app, data={}, files={"cover-yyzz": ("a.pdf", PDF)},
                                    submit=True)
    registrar = make_staff("things_cover_registrar", org, OrgRole.REGISTRAR)
    app = services.application_accept(actor=registrar, application=app)
    payout = Payout.objects.create(enterprise=enterprise, item=free_item, department=org, source="no_application",
                                   kind="subsidy")
    hall = ServiceHall.objects.create(organisation=org, name="覆盖测试政务服务中心", address="示例路2号")
    window = Window.objects.create(hall=hall, number="1号窗口", kind=Window.Kind.GENERAL)
    return {
        "thing_id": thing.pk, "hall_id": hall.pk, "window_id": window.pk,
        "thing_slug": thing.slug, "application_uid": app.uid, "task_id": app.tasks.get().pk,
        "payout_id": payout.pk, "policy_item_id": free_item.pk, "thing_file_id": app.materials.get().pk,
    }
