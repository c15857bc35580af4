"""行政区划名称 (GB/T 2260 table in ``data/gbt2260_divisions.csv``): names instead of bare codes in
the counts by region of a policy item's audience and of the 一件事一次办 statistics."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.accounts.roles import OrgRole
from gongkai.enterprise import item_selectors as sel
from gongkai.enterprise.regions import region_label, region_name
from gongkai.enterprise.tests.item_helpers import make_item
from gongkai.enterprise.tests.profile_helpers import make_enterprise, make_org, make_staff
from gongkai.policies.tests.public_helpers import document_in_state
from gongkai.portal.tests.helpers import login_verified


@pytest.mark.parametrize(("code", "name"), [
    ("430000", "湖南省"),
    ("430100", "湖南省长沙市"),
    ("430102", "湖南省长沙市芙蓉区"),
    ("110100", "北京市"),  # a 直辖市 has no 地级 row
    ("110105", "北京市朝阳区"),
    ("441900", "广东省东莞市"),
    ("429004", "湖北省仙桃市"),  # 省直辖县级行政区划
    ("4302", "湖南省株洲市"),  # a prefix, as in conditions
])
def test_known_codes_have_their_names(code, name):
    assert region_name(code) == name


@pytest.mark.parametrize("code", ["439900", "430199", "990000", "12345", "abcdef", ""])
def test_unknown_codes_fall_back_to_the_code(code):
    assert region_name(code) == code
    assert region_label(code) == code


def test_labels_carry_the_code_and_counties_drop_their_citys_name():
    assert region_label("430100") == "湖南省长沙市（430100）"
    assert region_label("430102", within="430100") == "芙蓉区（430102）"


def test_region_rows_are_labelled_with_names():
    rows = sel.region_rows({"430102": [2, 1], "430103": [1, 0], "439901": [1, 1], "": [0, 3]})
    assert [r.label for r in rows] == ["湖南省长沙市（430100）", "439900", ""]
    assert [c.label for c in rows[0].counties] == ["芙蓉区（430102）", "天心区（430103）"]
    assert [c.label for c in rows[1].counties] == ["439901"]  # unknown: the code


@pytest.mark.django_db
def test_the_item_page_shows_region_names():
    city = make_org("430100", name="长沙市工业和信息化局")
    publisher = make_staff(city, OrgRole.PUBLISHER, username="region_publisher")
    document = document_in_state(city, "public", "长沙市关于支持中小企业发展的若干措施")
    make_enterprise(31, region_code="430102", employees=10)
    make_enterprise(32, region_code="430211", employees=10)
    item = make_item(document, city, publish=True, conditions=[{"field": "employees", "op": "lte", "value": 300}])
    client = Client()
    login_verified(client, publisher)
    body = client.get(reverse("enterprise_items:detail", args=[item.pk])).content.decode()
    assert "湖南省长沙市（430100）（地市合计）" in body and "湖南省株洲市（430200）（地市合计）" in body
    assert "<td>芙蓉区（430102）</td>" in body and "<td>天元区（430211）</td>" in body


@pytest.mark.django_db
def test_the_statistics_show_region_names():
    from gongkai.things import selectors, services
    from gongkai.things.models import Payout
    from gongkai.things.tests.helpers import make_enterprise as thing_enterprise
    from gongkai.things.tests.helpers import make_item as thing_item
    from gongkai.things.tests.helpers import make_world

    w = make_world("rg")
    zhuzhou = thing_enterprise("株洲区划企业", "430211", user=w.applicant)
    free = thing_item(w.finance, "免申即享补贴", no_application=True)
    payout = Payout.objects.create(enterprise=zhuzhou, item=free, department=w.finance, source="no_application",
                                   kind="subsidy")
    services.payout_confirm(actor=w.finance_head, payout=payout, amount="300", paid_on=date(2026, 4, 10))
    assert [r.label for r in selectors.statistics().by_region] == ["湖南省株洲市（430200）"]
    assert "湖南省株洲市（430200）" in Client().get(reverse("things:statistics")).content.decode()


def test_an_enterprise_shows_its_region_by_name() -> None:
    from gongkai.enterprise.models import Enterprise

    assert Enterprise(region_code="430102").region_display == "湖南省长沙市芙蓉区（430102）"
    assert Enterprise(region_code="").region_display == ""
