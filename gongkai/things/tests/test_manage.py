"""Staff administration of 一件事一次办 through the pages: the lead department's publisher (信息发布员)
creates and edits a thing (items in order, windows, optimistic lock), another organisation's
publisher gets a 404 and changes nothing, bad input gives a Chinese message and changes nothing,
every change is audited; service halls and their windows (停用 instead of delete)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gongkai.accounts.roles import OrgRole
from gongkai.core.models import AuditEvent
from gongkai.portal.tests.helpers import login_verified, make_staff
from gongkai.things import services
from gongkai.things.models import FormField, ItemField, ServiceHall, Thing, Window
from gongkai.things.tests.helpers import form_field, make_item, make_world

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def thing_post(
    items: list[Any],
    *,
    windows: tuple[Any, ...] | list[Any] = (),
    version: int | None = None,
    **overrides: Any,
) -> dict:
    data: dict[str, Any] = {
        "name": "我要开办餐饮店",
        "slug": "canyin-kaiban",
        "summary": "一次申请，多个部门并联办理。",
        "conditions_text": "在本市登记注册的企业。",
        "fees_text": "不收费",
        "online_note": "全程网办",
        "consult_phone": "0731-12345",
        "published": "on",
        "windows": [w.pk for w in windows],
    }
    for n in range(1, 6):
        data[f"item_{n}"] = items[n - 1].pk if n <= len(items) else ""
    if version is not None:
        data["version"] = version
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def publisher(org: Any, name: str) -> Any:
    return make_staff(name, org, OrgRole.PUBLISHER)


def item_ids(thing: Thing) -> list[int]:
    return list(thing.thing_items.order_by("order", "id").values_list("item_id", flat=True))


# ---------------------------------------------------------------- 一件事


def test_publisher_creates_a_thing_with_items_in_order_and_a_window() -> None:
    w = make_world("mc")
    pub = publisher(w.finance, "mc_pub")
    client = client_for(pub)
    page = client.get(reverse("things_staff:thing_create")).content.decode()
    assert "牵头部门" in page and f"{w.item_tax.title}（编号 {w.item_tax.pk}）" in page and "8号窗口" in page
    assert "style=" not in page.split("<main", 1)[1] and "<script>" not in page
    data = thing_post([w.item_tax, w.item_subsidy], windows=[w.window], lead_department=w.finance.pk)
    response = client.post(reverse("things_staff:thing_create"), data)
    assert response.status_code == 302 and response["Location"] == reverse("things_staff:thing_list")
    thing = Thing.objects.get(slug="canyin-kaiban")
    assert thing.lead_department == w.finance and thing.published and thing.online_note == "全程网办"
    assert item_ids(thing) == [w.item_tax.pk, w.item_subsidy.pk]
    assert list(thing.windows.all()) == [w.window]
    event = AuditEvent.objects.get(action="things.thing_create", object_id=str(thing.pk))
    assert event.actor == pub and event.after["items"] == [w.item_tax.pk, w.item_subsidy.pk]
    listing = client.get(reverse("things_staff:thing_list")).content.decode()
    assert "我要开办餐饮店" in listing and "2 项" in listing and "已发布" in listing
    assert reverse("things_staff:thing_edit", args=[thing.pk]) in listing


def test_publisher_edits_texts_items_order_windows_and_unpublishes() -> None:
    w = make_world("me")
    pub = publisher(w.finance, "me_pub")
    other_dept_item = make_item(w.tax, "小微企业社保补贴")  # any department's published item
    client = client_for(pub)
    url = reverse("things_staff:thing_edit", args=[w.thing.pk])
    page = client.get(url).content.decode()
    assert w.thing.name in page and 'name="version" value="1"' in page
    data = thing_post(
        [other_dept_item, w.item_tax, w.item_subsidy],
        version=1,
        name="我要申请房产税减免",
        slug=w.thing.slug,
        published=None,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    thing = Thing.objects.get(pk=w.thing.pk)
    assert thing.name == "我要申请房产税减免" and not thing.published and thing.version == 2
    assert item_ids(thing) == [other_dept_item.pk, w.item_tax.pk, w.item_subsidy.pk]
    assert not thing.windows.exists()
    event = AuditEvent.objects.get(action="things.thing_update", object_id=str(thing.pk))
    assert event.actor == pub and event.organisation == w.finance
    assert event.before["items"] == [w.item_subsidy.pk, w.item_tax.pk]
    assert event.after["items"] == [other_dept_item.pk, w.item_tax.pk, w.item_subsidy.pk]
    assert event.before["published"] is True and event.after["published"] is False
    assert event.after["windows"] == [] and "consult_phone" in event.after
    assert Client().get(reverse("things:detail", args=[thing.slug])).status_code == 404  # unpublished


def test_stale_version_is_a_conflict_and_changes_nothing() -> None:
    w = make_world("mv")
    pub = publisher(w.finance, "mv_pub")
    services.thing_update(
        actor=pub,
        thing=w.thing,
        items=[w.item_subsidy, w.item_tax],
        windows=[w.window],
        expected_version=1,
        name="他人先改的名称",
        slug=w.thing.slug,
    )
    response = client_for(pub).post(
        reverse("things_staff:thing_edit", args=[w.thing.pk]),
        thing_post([w.item_tax], version=1, slug=w.thing.slug),
    )
    assert response.status_code == 200
    assert services.CONFLICT in response.content.decode()
    thing = Thing.objects.get(pk=w.thing.pk)
    assert thing.name == "他人先改的名称" and thing.version == 2
    assert item_ids(thing) == [w.item_subsidy.pk, w.item_tax.pk]
    assert AuditEvent.objects.filter(action="things.thing_update", object_id=str(thing.pk)).count() == 1


def test_another_organisations_publisher_gets_404_and_nothing_changes() -> None:
    w = make_world("mo")
    outsider = publisher(w.tax, "mo_pub_tax")  # publishes for 税务局, not the lead 财政局
    client = client_for(outsider)
    url = reverse("things_staff:thing_edit", args=[w.thing.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, thing_post([w.item_tax], version=1, slug=w.thing.slug)).status_code == 404
    thing = Thing.objects.get(pk=w.thing.pk)
    assert thing.name == w.thing.name and thing.version == 1
    assert item_ids(thing) == [w.item_subsidy.pk, w.item_tax.pk]
    assert not AuditEvent.objects.filter(action="things.thing_update").exists()
    assert (
        AuditEvent.objects.filter(action="access.denied", object_type="things.Thing", actor=outsider).count()
        == 2
    )
    hall = w.window.hall
    for name, arg in (("hall_edit", hall.pk), ("window_create", hall.pk), ("window_edit", w.window.pk)):
        assert client.get(reverse(f"things_staff:{name}", args=[arg])).status_code == 404, name
    assert (
        client.post(
            reverse("things_staff:window_edit", args=[w.window.pk]), {"number": "9号窗口", "kind": "general"}
        ).status_code
        == 404
    )
    assert Window.objects.get(pk=w.window.pk).number == "8号窗口" and w.window.is_active
    # The lists show only their own organisation's rows; the "new" form offers only their own.
    assert w.thing.name not in client.get(reverse("things_staff:thing_list")).content.decode()
    assert hall.name not in client.get(reverse("things_staff:hall_list")).content.decode()
    page = client.get(reverse("things_staff:thing_create")).content.decode()
    assert w.tax.name in page and w.finance.name not in page and "8号窗口" not in page
    response = client.post(
        reverse("things_staff:thing_create"), thing_post([w.item_tax], lead_department=w.finance.pk)
    )
    assert response.status_code == 200 and not Thing.objects.filter(slug="canyin-kaiban").exists()


def test_staff_without_publish_permission_get_a_notice_and_no_form() -> None:
    w = make_world("mn")
    client = client_for(w.registrar)
    page = client.get(reverse("things_staff:thing_create")).content.decode()
    assert "您没有可以设置“一件事”的部门" in page and 'name="slug"' not in page
    assert (
        client.post(
            reverse("things_staff:thing_create"), thing_post([w.item_tax], lead_department=w.finance.pk)
        ).status_code
        == 200
    )
    assert not Thing.objects.filter(slug="canyin-kaiban").exists()
    assert "新建一件事" not in client.get(reverse("things_staff:thing_list")).content.decode()


def test_empty_items_give_a_chinese_message_and_change_nothing() -> None:
    w = make_world("mi")
    client = client_for(publisher(w.finance, "mi_pub"))
    response = client.post(
        reverse("things_staff:thing_edit", args=[w.thing.pk]),
        thing_post([], version=1, slug=w.thing.slug, name="不应保存"),
    )
    body = response.content.decode()
    assert response.status_code == 200 and "至少包含一个事项" in body and "<title>错误：" in body
    thing = Thing.objects.get(pk=w.thing.pk)
    assert (
        thing.name != "不应保存"
        and thing.version == 1
        and item_ids(thing) == [w.item_subsidy.pk, w.item_tax.pk]
    )
    response = client.post(reverse("things_staff:thing_create"), thing_post([], lead_department=w.finance.pk))
    assert (
        "至少包含一个事项" in response.content.decode()
        and not Thing.objects.filter(slug="canyin-kaiban").exists()
    )
    assert not AuditEvent.objects.filter(
        action__in=["things.thing_update", "things.thing_create"], actor__username="mi_pub"
    ).exists()


def test_duplicate_slug_or_item_gives_a_chinese_message_and_changes_nothing() -> None:
    w = make_world("md")
    client = client_for(publisher(w.finance, "md_pub"))
    before = Thing.objects.count()
    response = client.post(
        reverse("things_staff:thing_create"),
        thing_post([w.item_tax], lead_department=w.finance.pk, slug=w.thing.slug),
    )
    body = response.content.decode()
    assert response.status_code == 200 and "网址标识" in body and "已存在" in body
    assert Thing.objects.count() == before
    response = client.post(
        reverse("things_staff:thing_edit", args=[w.thing.pk]),
        thing_post([w.item_tax, w.item_tax], version=1, slug=w.thing.slug),
    )
    assert "重复选择" in response.content.decode()
    assert item_ids(Thing.objects.get(pk=w.thing.pk)) == [w.item_subsidy.pk, w.item_tax.pk]
    assert not AuditEvent.objects.filter(actor__username="md_pub", action__startswith="things.").exists()


def test_a_form_field_configuration_error_gives_a_chinese_message_and_changes_nothing() -> None:
    """``merged_fields`` must stay valid. ``FormField.key`` is unique, so the same key cannot carry
    two types in the database; what can break the merged form is a field row with a type the form
    does not know (written around the model's choices), and it is refused just the same."""
    w = make_world("mf")
    pub = publisher(w.finance, "mf_pub")
    broken = make_item(w.tax, "配置有误的事项")
    field = form_field("mf-bad", "有误的字段")
    ItemField.objects.create(item=broken, field=field)
    FormField.objects.filter(pk=field.pk).update(field_type="colour")
    client = client_for(pub)
    response = client.post(
        reverse("things_staff:thing_edit", args=[w.thing.pk]),
        thing_post([w.item_subsidy, broken], version=1, slug=w.thing.slug, name="不应保存"),
    )
    assert "表单字段配置有误" in response.content.decode()
    thing = Thing.objects.get(pk=w.thing.pk)
    assert (
        thing.name != "不应保存"
        and thing.version == 1
        and item_ids(thing) == [w.item_subsidy.pk, w.item_tax.pk]
    )
    response = client.post(
        reverse("things_staff:thing_create"), thing_post([broken], lead_department=w.finance.pk)
    )
    assert "表单字段配置有误" in response.content.decode()
    assert not Thing.objects.filter(slug="canyin-kaiban").exists()
    assert not AuditEvent.objects.filter(actor=pub, action__startswith="things.").exists()


def test_update_service_refuses_unpublished_items_and_other_organisations_windows() -> None:
    w = make_world("ms")
    pub = publisher(w.finance, "ms_pub")
    draft = make_item(w.finance, "尚未发布的事项")
    draft.status = "draft"
    draft.save()
    with pytest.raises(ValidationError, match="尚未发布"):
        services.thing_update(actor=pub, thing=w.thing, items=[draft], expected_version=1, name="不应保存")
    tax_hall = ServiceHall.objects.create(organisation=w.tax, name="ms税务服务厅", address="示例路3号")
    tax_window = Window.objects.create(hall=tax_hall, number="1号窗口", kind=Window.Kind.GENERAL)
    with pytest.raises(ValidationError, match="无权使用窗口"):
        services.thing_update(
            actor=pub, thing=w.thing, items=[w.item_tax], windows=[tax_window], expected_version=1
        )
    with pytest.raises(ValidationError, match="不能修改"):
        services.thing_update(
            actor=pub, thing=w.thing, items=[w.item_tax], expected_version=1, lead_department=w.tax
        )
    thing = Thing.objects.get(pk=w.thing.pk)
    assert thing.version == 1 and thing.name == w.thing.name and list(thing.windows.all()) == [w.window]


# ---------------------------------------------------------------- 服务大厅 and 窗口


def test_publisher_creates_and_edits_a_hall_and_its_windows() -> None:
    w = make_world("mh")
    pub = publisher(w.finance, "mh_pub")
    client = client_for(pub)
    response = client.post(
        reverse("things_staff:hall_create"),
        {
            "organisation": w.finance.pk,
            "name": "mh区政务服务中心",
            "address": "示例大道8号",
            "hours": "周一至周五 9:00—17:00",
            "phone": "0731-00000",
        },
    )
    hall = ServiceHall.objects.get(name="mh区政务服务中心")
    assert response.status_code == 302 and response["Location"] == reverse(
        "things_staff:hall_edit", args=[hall.pk]
    )
    assert hall.organisation == w.finance
    assert AuditEvent.objects.get(action="things.hall_create", object_id=str(hall.pk)).actor == pub
    response = client.post(
        reverse("things_staff:hall_edit", args=[hall.pk]),
        {"name": "mh区政务服务中心", "address": "示例大道9号", "hours": "", "phone": "0731-00000"},
    )
    assert response.status_code == 302
    hall.refresh_from_db()
    assert hall.address == "示例大道9号" and hall.hours == ""
    event = AuditEvent.objects.get(action="things.hall_update", object_id=str(hall.pk))
    assert event.before == {"address": "示例大道8号", "hours": "周一至周五 9:00—17:00"}
    assert event.after == {"address": "示例大道9号", "hours": ""}

    response = client.post(
        reverse("things_staff:window_create", args=[hall.pk]),
        {"number": "3号窗口", "kind": "payout", "is_active": "on"},
    )
    assert response.status_code == 302
    window = Window.objects.get(hall=hall, number="3号窗口")
    assert window.kind == Window.Kind.PAYOUT and window.is_active
    assert AuditEvent.objects.get(action="things.window_create", object_id=str(window.pk)).actor == pub
    # The same number twice in one hall: a Chinese message, nothing added.
    response = client.post(
        reverse("things_staff:window_create", args=[hall.pk]),
        {"number": "3号窗口", "kind": "general", "is_active": "on"},
    )
    assert response.status_code == 200 and "本大厅已有编号为“3号窗口”的窗口" in response.content.decode()
    assert hall.windows.count() == 1
    page = client.get(reverse("things_staff:hall_edit", args=[hall.pk])).content.decode()
    assert "3号窗口" in page and "政策兑现窗口" in page and "启用" in page
    assert client.get(reverse("things_staff:hall_list")).content.decode().count("mh区政务服务中心") >= 1


def test_stale_hall_and_window_forms_are_refused_and_change_nothing() -> None:
    """Optimistic locking: two staff edit the same hall (or window); the second save, based on the
    version the first one replaced, gets the Chinese conflict message and changes nothing."""
    w = make_world("mv")
    client = client_for(publisher(w.finance, "mv_pub"))
    hall = w.window.hall
    form = {"name": hall.name, "address": "新地址1号", "hours": "", "phone": "", "version": hall.version}
    assert client.post(reverse("things_staff:hall_edit", args=[hall.pk]), form).status_code == 302
    stale = client.post(reverse("things_staff:hall_edit", args=[hall.pk]), {**form, "address": "过期地址"})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    hall.refresh_from_db()
    assert hall.address == "新地址1号" and hall.version == 2
    window = w.window
    form = {"number": "9号窗口", "kind": window.kind, "is_active": "on", "version": window.version}
    assert client.post(reverse("things_staff:window_edit", args=[window.pk]), form).status_code == 302
    stale = client.post(reverse("things_staff:window_edit", args=[window.pk]), {**form, "number": "10号窗口"})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    window.refresh_from_db()
    assert window.number == "9号窗口" and window.version == 2


def test_a_window_is_deactivated_not_deleted_and_is_no_longer_offered() -> None:
    w = make_world("mw")
    pub = publisher(w.finance, "mw_pub")
    client = client_for(pub)
    response = client.post(
        reverse("things_staff:window_edit", args=[w.window.pk]), {"number": "8号窗口", "kind": "thing"}
    )  # unchecked 启用 → 停用
    assert response.status_code == 302
    w.window.refresh_from_db()
    assert not w.window.is_active and Window.objects.filter(pk=w.window.pk).exists()
    event = AuditEvent.objects.get(action="things.window_update", object_id=str(w.window.pk))
    assert event.before == {"is_active": True} and event.after == {"is_active": False}
    # Still linked to the thing (kept for the record) but not offered for a new thing.
    assert "8号窗口" in client.get(reverse("things_staff:thing_edit", args=[w.thing.pk])).content.decode()
    assert "8号窗口" not in client.get(reverse("things_staff:thing_create")).content.decode()
    with pytest.raises(ValidationError, match="已停用"):
        services.thing_create_by_staff(
            actor=pub,
            slug="mw-new",
            name="mw新事项",
            lead_department=w.finance,
            items=[w.item_tax],
            windows=[w.window],
        )
    with pytest.raises(ValidationError, match="未知的窗口类型"):
        services.window_update(actor=pub, window=w.window, kind="vip")
    assert Window.objects.get(pk=w.window.pk).kind == Window.Kind.THING


def test_staff_pages_link_to_the_administration_pages() -> None:
    w = make_world("ml")
    body = (
        client_for(publisher(w.finance, "ml_pub"))
        .get(reverse("things_staff:acceptance_queue"))
        .content.decode()
    )
    assert reverse("things_staff:thing_list") in body and reverse("things_staff:hall_list") in body
