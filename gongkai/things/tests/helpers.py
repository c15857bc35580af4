"""A small 一件事 world for the tests: two departments (财政 as lead, 税务), two items that share
materials and form fields, one thing, a service hall, an enterprise claimed by an enterprise
account, and staff of each department. All rows through services or plain model rows where the
other apps have no service yet (enterprise profiles, policy items)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole
from gongkai.domain.identifiers import make_credit_code
from gongkai.enterprise.models import Enterprise, PolicyItem
from gongkai.portal.tests.helpers import make_org, make_staff
from gongkai.things.models import FormField, ItemField, ItemMaterial, Material, ServiceHall, Thing, Window
from gongkai.things.services import thing_create

_n = itertools.count(1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def make_item(department: Organisation, title: str, *, days: int | None = 10, no_application: bool = False,
              benefit_type: str = "subsidy") -> PolicyItem:
    from gongkai.policies.tests.fixtures import make_document

    document = make_document(department, title=f"关于{title}的通知")
    return PolicyItem.objects.create(document=document, title=title, benefit_type=benefit_type,
                                     department=department, promised_days=days, no_application=no_application,
                                     status=PolicyItem.Status.PUBLISHED, legal_basis="《示例条例》第六条")


def material(key: str, name: str) -> Material:
    return Material.objects.get_or_create(key=key, defaults={"name": name})[0]


def form_field(key: str, label: str, field_type: str = "text") -> FormField:
    return FormField.objects.get_or_create(key=key, defaults={"label": label, "field_type": field_type})[0]


def make_enterprise(name: str = "示例科技有限公司", region_code: str = "430102", *, user: User | None = None,
                    **fields: Any) -> Enterprise:
    n = next(_n)
    code = make_credit_code("91", region_code, f"{5000000 + n:08d}")
    enterprise = Enterprise.objects.create(credit_code=code, name=name, region_code=region_code, **fields)
    if user is not None:
        enterprise.claimed_by = user
        enterprise.claim_status = Enterprise.ClaimStatus.VERIFIED
        enterprise.save()
    return enterprise


def make_enterprise_user(username: str) -> User:
    return User.objects.create_user(username=username, password="correct horse battery staple",
                                    account_type=User.AccountType.ENTERPRISE)


@dataclass
class World:
    finance: Organisation
    tax: Organisation
    item_subsidy: PolicyItem
    item_tax: PolicyItem
    thing: Thing
    window: Window
    enterprise: Enterprise
    applicant: User
    registrar: User
    finance_handler: User
    finance_head: User
    tax_handler: User
    tax_head: User


def make_world(prefix: str = "w") -> World:
    n = next(_n)
    finance = make_org(f"{prefix}{n}市财政局", f"{prefix}{n}-czj")
    tax = make_org(f"{prefix}{n}市税务局", f"{prefix}{n}-swj")
    Organisation.objects.filter(pk__in=[finance.pk, tax.pk]).update(division_code="430100")
    finance.refresh_from_db()
    tax.refresh_from_db()
    item_subsidy = make_item(finance, "稳岗培训补贴", days=10)
    item_tax = make_item(tax, "房产税困难减免", days=5, benefit_type="relief")
    licence = material("yyzz", "营业执照")
    for item, source in ((item_subsidy, "shared"), (item_tax, "applicant")):
        ItemMaterial.objects.create(item=item, material=licence, source=source)
    ItemMaterial.objects.create(item=item_subsidy, material=material("pxmd", "培训人员名单"), source="applicant",
                                position=1)
    ItemMaterial.objects.create(item=item_tax, material=material("fcz", "房产证明"), source="deferred", position=1)
    ItemMaterial.objects.create(item=item_tax, material=material("nsb", "纳税申报表"), source="exempt", position=2)
    contact = form_field("lxr", "联系人")
    phone = form_field("lxdh", "联系电话", "phone")
    ItemField.objects.create(item=item_subsidy, field=contact, required=True)
    ItemField.objects.create(item=item_subsidy, field=phone, required=False, position=1)
    ItemField.objects.create(item=item_tax, field=phone, required=True)
    ItemField.objects.create(item=item_tax, field=form_field("fcmj", "房产面积（平方米）", "number"), required=True,
                             position=1)
    hall = ServiceHall.objects.create(organisation=finance, name=f"{prefix}{n}市政务服务中心", address="示例路1号")
    window = Window.objects.create(hall=hall, number="8号窗口", kind=Window.Kind.THING)
    thing = thing_create(actor=None, slug=f"{prefix}{n}-fcs", name=f"我要申请减免房产税{prefix}{n}",
                         lead_department=finance, items=[item_subsidy, item_tax], windows=[window])
    applicant = make_enterprise_user(f"{prefix}{n}_ent")
    enterprise = make_enterprise(user=applicant)
    registrar = make_staff(f"{prefix}{n}_reg", finance, OrgRole.REGISTRAR)
    finance_handler = make_staff(f"{prefix}{n}_czh", finance, OrgRole.HANDLER)
    finance_head = make_staff(f"{prefix}{n}_czhead", finance, OrgRole.DEPARTMENT_HEAD)
    tax_handler = make_staff(f"{prefix}{n}_swh", tax, OrgRole.HANDLER)
    tax_head = make_staff(f"{prefix}{n}_swhead", tax, OrgRole.DEPARTMENT_HEAD)
    return World(finance, tax, item_subsidy, item_tax, thing, window, enterprise, applicant, registrar,
                 finance_handler, finance_head, tax_handler, tax_head)


def grant(user: User, org: Organisation, role: str) -> None:
    Membership.objects.create(user=user, organisation=org, role=role)


GOOD_FORM = {"lxr": "李四", "lxdh": "13812345678", "fcmj": "120.5"}
GOOD_FILES = {"yyzz": ("营业执照.pdf", PDF), "pxmd": ("名单.pdf", PDF)}
