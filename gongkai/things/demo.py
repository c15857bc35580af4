"""演示数据: the 27 政策兑现“一件事” of 湖南 (《政务公开工作交流》2020年第33期: 122项复工复产政策
“干货”改造成27件“事”), built from demo policy items of the demo departments, with service halls and
windows, applications in every state and payouts (``gongkai demo``).

The publication names three things (我要申请减免房产税, 我要申请培训补贴, 我要享受扩产扩能技术改造
补助); the other 24 names are invented in the same style and marked ``invented`` (shown as
“演示补充事项”). Enterprises, amounts and dates are made up. The enterprise profiles are minimal
rows (name, 统一社会信用代码, region, employees) where the enterprise demo has none.

Idempotent: nothing is created when the first thing already exists. The extra staff accounts the
departments need (承办人 and 部门负责人 of 税务, 市场监管, 文旅; 登记员 and 承办人 where missing)
are created with the demo password and an authenticator device.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant, user_create
from gongkai.core.demo import DEMO_PASSWORD, _ensure_devices
from gongkai.domain.documents import DocStatus
from gongkai.domain.identifiers import make_credit_code
from gongkai.enterprise.models import Enterprise, ItemCondition, PolicyItem
from gongkai.policies.models import Document, SubjectCategory
from gongkai.policies.services.documents import document_create
from gongkai.things import services
from gongkai.things.models import (
    Application,
    FormField,
    ItemField,
    ItemMaterial,
    Material,
    Payout,
    ServiceHall,
    Thing,
    Window,
)

FI, TAX, SAMR, CT, OFFICE, CS = ("hunan-finance", "hunan-tax", "hunan-samr", "hunan-culture-tourism",
                                 "hunan-office", "changsha")
PDF = b"%PDF-1.4\n% demo material\n1 0 obj<<>>endobj\n%%EOF\n"

EXTRA_STAFF: tuple[tuple[str, str, str, str], ...] = (
    ("hnsw_registrar", "演示登记员（省税务局）", TAX, OrgRole.REGISTRAR),
    ("hnsw_handler", "演示承办人（省税务局）", TAX, OrgRole.HANDLER),
    ("hnsw_head", "演示部门负责人（省税务局）", TAX, OrgRole.DEPARTMENT_HEAD),
    ("hnsj_registrar", "演示登记员（省市场监管局）", SAMR, OrgRole.REGISTRAR),
    ("hnsj_handler", "演示承办人（省市场监管局）", SAMR, OrgRole.HANDLER),
    ("hnsj_head", "演示部门负责人（省市场监管局）", SAMR, OrgRole.DEPARTMENT_HEAD),
    ("hnwl_registrar", "演示登记员（省文旅厅）", CT, OrgRole.REGISTRAR),
    ("hnwl_handler", "演示承办人（省文旅厅）", CT, OrgRole.HANDLER),
    ("hnwl_head", "演示部门负责人（省文旅厅）", CT, OrgRole.DEPARTMENT_HEAD),
)

MATERIALS = {
    "yyzz": "营业执照", "frsfz": "法定代表人身份证明", "sqb": "申请表（一表申请自动生成）", "fcz": "房产权属证明",
    "nsb": "纳税申报表", "pxmd": "培训人员名单及培训记录", "yhzh": "银行开户许可证明", "xmtz": "项目投资及备案文件",
    "ldht": "劳动合同", "sbjl": "社会保险缴费记录", "cwbb": "上年度财务报表", "zlzm": "租赁合同",
}
FIELDS = {
    "lxr": ("联系人", "text"), "lxdh": ("联系电话", "phone"), "jbrsfz": ("经办人身份证号码", "id_number"),
    "khyh": ("开户银行", "text"), "yhzh": ("银行账号", "text"), "sqje": ("申请金额（元）", "number"),
    "fcmj": ("房产面积（平方米）", "number"), "xmmc": ("项目名称", "text"), "rs": ("涉及人数（人）", "number"),
    "sm": ("情况说明", "textarea"),
}
# Material and field sets per kind of benefit: (material key, source) and (field key, required).
KIT: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, bool], ...]]] = {
    "relief": ((("yyzz", "shared"), ("fcz", "applicant"), ("nsb", "exempt"), ("sqb", "exempt")),
               (("lxr", True), ("lxdh", True), ("fcmj", False), ("sm", True))),
    "subsidy": ((("yyzz", "shared"), ("frsfz", "shared"), ("yhzh", "applicant"), ("cwbb", "deferred")),
                (("lxr", True), ("lxdh", True), ("khyh", True), ("yhzh", True), ("sqje", True))),
    "training": ((("yyzz", "applicant"), ("pxmd", "applicant"), ("ldht", "deferred"), ("sbjl", "shared")),
                 (("lxr", True), ("lxdh", True), ("rs", True), ("khyh", True), ("yhzh", True))),
    "project": ((("yyzz", "shared"), ("xmtz", "applicant"), ("cwbb", "applicant"), ("yhzh", "applicant")),
                (("lxr", True), ("lxdh", True), ("jbrsfz", True), ("xmmc", True), ("sqje", True))),
    "rent": ((("yyzz", "shared"), ("zlzm", "applicant"), ("yhzh", "applicant")),
             (("lxr", True), ("lxdh", True), ("sqje", True))),
}


@dataclass(frozen=True)
class DemoItem:
    title: str
    dept: str
    benefit: str  # PolicyItem.BenefitType
    kit: str
    days: int
    no_application: bool = False


@dataclass(frozen=True)
class DemoThing:
    slug: str
    name: str
    lead: str
    items: tuple[DemoItem, ...]
    invented: bool = True


def _i(title: str, dept: str, benefit: str, kit: str, days: int, free: bool = False) -> DemoItem:
    return DemoItem(title, dept, benefit, kit, days, free)


THINGS: tuple[DemoThing, ...] = (
    # Named in the publication.
    DemoThing("jianmian-fangchanshui", "我要申请减免房产税", TAX, (
        _i("房产税困难性减免", TAX, "relief", "relief", 10),
        _i("城镇土地使用税困难性减免", TAX, "relief", "relief", 10),
        _i("受疫情影响企业房屋租金减免核定", FI, "relief", "rent", 15)), invented=False),
    DemoThing("peixun-butie", "我要申请培训补贴", FI, (
        _i("以工代训职业培训补贴", FI, "subsidy", "training", 15),
        _i("企业职工线上职业技能培训补贴", FI, "subsidy", "training", 15),
        _i("培训机构资质核验", SAMR, "service", "training", 5)), invented=False),
    DemoThing("kuochan-jigai", "我要享受扩产扩能技术改造补助", FI, (
        _i("扩产扩能技术改造项目补助", FI, "subsidy", "project", 20),
        _i("技改项目设备购置贷款贴息", FI, "interest", "project", 20),
        _i("新增产能产品质量认证费用补助", SAMR, "subsidy", "project", 10)), invented=False),
    # Invented in the same style (演示补充).
    DemoThing("yanqi-jiaoshui", "我要申请延期缴纳税款", TAX, (_i("延期缴纳税款核准", TAX, "deferral", "relief", 10),)),
    DemoThing("shebao-jianmian", "我要申请阶段性减免社会保险费", FI, (
        _i("企业职工基本养老保险单位缴费阶段性减免", FI, "relief", "subsidy", 10),
        _i("失业保险单位缴费阶段性减免", FI, "relief", "subsidy", 10))),
    DemoThing("wengang-fanhuan", "我要申请稳岗返还", FI, (_i("失业保险稳岗返还", FI, "refund", "subsidy", 10),)),
    DemoThing("chuangye-tiexi", "我要申请创业担保贷款贴息", FI, (
        _i("创业担保贷款贴息", FI, "interest", "subsidy", 15),
        _i("创业担保贷款经营主体资格核验", SAMR, "service", "subsidy", 5))),
    DemoThing("xiaowei-tiexi", "我要申请中小微企业贷款贴息", FI, (_i("中小微企业流动资金贷款贴息", FI, "interest", "subsidy", 15),)),
    DemoThing("dianfei-jianmian", "我要申请减免电费", FI, (_i("非高耗能企业电费阶段性减免", FI, "relief", "relief", 10),)),
    DemoThing("baojian-huanjiao", "我要申请缓缴报建费用", FI, (_i("工程建设项目报建费用缓缴", FI, "deferral", "project", 10),)),
    DemoThing("guoyou-zujin", "我要申请减免国有房屋租金", FI, (_i("承租国有经营性房屋租金减免", FI, "relief", "rent", 15),)),
    DemoThing("xina-jiuye", "我要申请吸纳就业补贴", FI, (_i("一次性吸纳就业补贴", FI, "subsidy", "training", 15),)),
    DemoThing("chukou-xinbao", "我要申请出口信用保险保费补助", FI, (_i("出口信用保险保费补助", FI, "subsidy", "subsidy", 20),)),
    DemoThing("fangyi-jiangli", "我要申请防疫物资生产企业奖励", FI, (
        _i("防疫物资生产企业扩产奖励", FI, "reward", "project", 20),
        _i("防疫物资产品应急注册检验费用减免", SAMR, "relief", "project", 10))),
    DemoThing("lvxing-baozhengjin", "我要申请暂退旅游服务质量保证金", CT, (_i("旅行社旅游服务质量保证金暂退", CT, "refund", "subsidy", 5),)),
    DemoThing("jingqu-butie", "我要申请A级旅游景区运营补助", CT, (
        _i("A级旅游景区疫情期间运营补助", CT, "subsidy", "subsidy", 20),
        _i("景区门票减免财政补偿", FI, "subsidy", "subsidy", 20))),
    DemoThing("geti-zujin", "我要申请个体工商户租金补贴", FI, (_i("个体工商户经营场所租金补贴", FI, "subsidy", "rent", 15),)),
    DemoThing("fugong-yonggong", "我要申请复工复产用工补贴", FI, (_i("重点企业复工复产用工补贴", FI, "subsidy", "training", 15),)),
    DemoThing("yanfa-buzhu", "我要申请科技型中小企业研发费用补助", FI, (
        _i("科技型中小企业研发费用补助", FI, "subsidy", "project", 20),
        _i("研发费用加计扣除政策辅导", TAX, "service", "project", 5))),
    DemoThing("shouci-daikuan", "我要申请首次贷款贴息", FI, (_i("小微企业首次贷款贴息", FI, "interest", "subsidy", 15),)),
    DemoThing("shangshi-jiangli", "我要申请企业上市挂牌奖励", FI, (_i("企业上市挂牌奖励", FI, "reward", "project", 20),)),
    DemoThing("tongxingfei", "我要申请物流运输企业通行费补助", FI, (_i("物流运输企业通行费补助", FI, "subsidy", "subsidy", 15),)),
    DemoThing("nianbao-yanqi", "我要申请市场主体年报延期", SAMR, (_i("市场主体年度报告延期报送", SAMR, "service", "relief", 5),)),
    DemoThing("zhiliang-jiance", "我要申请检验检测费用减免", SAMR, (_i("中小微企业产品检验检测费用减免", SAMR, "relief", "relief", 10),)),
    DemoThing("wenhua-qiye", "我要申请文化企业纾困资金", CT, (_i("文化企业纾困专项资金", CT, "subsidy", "subsidy", 20),)),
    DemoThing("canyin-xiaofei", "我要申请餐饮企业消费券补贴", FI, (_i("餐饮企业消费券核销补贴", FI, "subsidy", "subsidy", 10),)),
    DemoThing("mianshen-shebao", "我要享受小微企业社保补贴（免申即享）", FI, (
        _i("小微企业吸纳就业社保补贴（免申即享）", FI, "subsidy", "subsidy", 10, free=True),)),
)

ENTERPRISES: tuple[tuple[str, str, int], ...] = (
    ("长沙示例科技有限公司（演示）", "430104", 45),
    ("湘江示例制造股份有限公司（演示）", "430111", 260),
    ("株洲示例轨道装备有限公司（演示）", "430211", 120),
    ("岳麓示例餐饮管理有限公司（演示）", "430104", 18),
    ("浏阳示例花炮有限公司（演示）", "430181", 75),
    ("芙蓉示例旅行社有限公司（演示）", "430102", 12),
    ("天心示例物流有限公司（演示）", "430103", 33),
)


@dataclass
class DemoThingsResult:
    things: int = 0
    applications: int = 0
    payouts: int = 0
    extra_staff: list[tuple[str, str]] | None = None


def _ensure_staff() -> list[tuple[str, str]]:
    out = []
    for username, display, slug, role in EXTRA_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(actor=None, username=username, password=DEMO_PASSWORD,
                               account_type=User.AccountType.STAFF, display_name=display)
        org = Organisation.objects.get(slug=slug)
        if not Membership.objects.filter(user=user, organisation=org, role=role).exists():
            membership_grant(actor=None, user=user, organisation=org, role=role)
        totp, _codes = _ensure_devices(user)
        out.append((username, base64.b32encode(totp.bin_key).decode()))
    return out


def _basis(org: Organisation) -> Document:
    title = f"{org.short_name or org.name}支持企业复工复产若干政策措施（演示）"
    existing = Document.objects.filter(organisation=org, title=title).first()
    if existing is not None:
        return existing
    return document_create(
        actor=None, organisation=org, title=title, status=DocStatus.PUBLISHED, published_at=timezone.now(),
        issuers=[org.name], written_on=date(2020, 3, 2), category="normative", level="provincial",
        body_html="<p>为支持企业复工复产，制定以下政策措施（演示文本）。</p>",
        subject=SubjectCategory.objects.filter(parent__isnull=False).first(),
    )


def _item(spec: DemoItem, orgs: dict[str, Organisation], docs: dict[str, Document]) -> PolicyItem:
    item = PolicyItem.objects.create(
        document=docs[spec.dept], title=spec.title, benefit_type=spec.benefit, department=orgs[spec.dept],
        promised_days=spec.days, no_application=spec.no_application, status=PolicyItem.Status.PUBLISHED,
        legal_basis=f"{docs[spec.dept].title}；湘政办明电〔2020〕23号",
        materials_text="、".join(MATERIALS[k] for k, _ in KIT[spec.kit][0]),
    )
    materials, fields = KIT[spec.kit]
    for n, (key, source) in enumerate(materials):
        material = Material.objects.get_or_create(key=key, defaults={"name": MATERIALS[key]})[0]
        ItemMaterial.objects.create(item=item, material=material, source=source, position=n)
    for n, (key, required) in enumerate(fields):
        label, ftype = FIELDS[key]
        field = FormField.objects.get_or_create(key=key, defaults={"label": label, "field_type": ftype})[0]
        ItemField.objects.create(item=item, field=field, required=required, position=n)
    if spec.no_application:
        ItemCondition.objects.create(item=item, field="employees", op="lte", value=100, hard=True,
                                     source_text="从业人员不超过100人")
        ItemCondition.objects.create(item=item, field="region_code", op="within_region", value=["430000"], hard=True,
                                     source_text="注册地在湖南省")
    return item


def _halls(orgs: dict[str, Organisation]) -> list[Window]:
    province = ServiceHall.objects.create(
        organisation=orgs[OFFICE], name="湖南省政务服务中心（演示）", address="湖南省长沙市示例路1号（演示地址）",
        hours="工作日 9:00-12:00，13:30-17:00", phone="0731-00000000")
    city = ServiceHall.objects.create(
        organisation=orgs[CS], name="长沙市政务服务中心（演示）", address="湖南省长沙市示例大道100号（演示地址）",
        hours="工作日 9:00-17:00（中午不休）", phone="0731-00000001")
    windows = [
        Window.objects.create(hall=province, number="1号窗口", kind=Window.Kind.GENERAL),
        Window.objects.create(hall=province, number="8号窗口", kind=Window.Kind.THING),
        Window.objects.create(hall=province, number="12号窗口", kind=Window.Kind.PAYOUT),
        Window.objects.create(hall=city, number="A3窗口", kind=Window.Kind.THING),
        Window.objects.create(hall=city, number="A9窗口", kind=Window.Kind.PAYOUT),
    ]
    return windows


def _enterprises() -> list[tuple[Enterprise, User]]:
    out = []
    for n, (name, region, employees) in enumerate(ENTERPRISES, 1):
        code = make_credit_code("91", region, f"{66000000 + n:08d}")
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            enterprise = Enterprise.objects.create(credit_code=code, name=name, region_code=region,
                                                   employees=employees)
        username = "enterprise" if n == 1 else f"demo_qiye_{n}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(actor=None, username=username, password=DEMO_PASSWORD,
                               account_type=User.AccountType.ENTERPRISE, display_name=name)
        if enterprise.claimed_by_id is None:
            Enterprise.objects.filter(pk=enterprise.pk).update(claimed_by=user,
                                                               claim_status=Enterprise.ClaimStatus.VERIFIED)
            enterprise.refresh_from_db()
        out.append((enterprise, user))
    return out


class _Play:
    def handler_of(self, org: Organisation) -> User:
        return User.objects.filter(memberships__organisation=org, memberships__role=OrgRole.HANDLER).order_by("pk")[0]

    def head_of(self, org: Organisation) -> User:
        return User.objects.filter(memberships__organisation=org,
                                   memberships__role=OrgRole.DEPARTMENT_HEAD).order_by("pk")[0]

    def submit(self, thing: Thing, enterprise: Enterprise, user: User) -> Application:
        app = services.application_start(actor=user, thing=thing, enterprise=enterprise)
        from gongkai.things.selectors import merged_fields, merged_materials

        data = {}
        for f in merged_fields(thing):
            data[f.key] = {"phone": "0731-01234567", "id_number": "430102198001010000", "number": "100",
                           "textarea": "受疫情影响，经营困难，特此申请（演示）。"}.get(f.type.value, "演示")
        files = {m.key: (f"{m.name}.pdf", PDF) for m in merged_materials(thing) if m.upload}
        return services.application_save(actor=user, application=app, data=data, files=files, submit=True)

    def accept(self, app: Application, on: date, window: Window | None = None) -> Application:
        registrar = User.objects.filter(memberships__organisation=app.thing.lead_department,
                                        memberships__role=OrgRole.REGISTRAR).order_by("pk")[0]
        return services.application_accept(actor=registrar, application=app, on=on,
                                           channel="window" if window else "online", window=window)

    def decide(self, app: Application, approve_all: bool = True, only_first: bool = False) -> None:
        for n, task in enumerate(app.tasks.order_by("id")):
            if only_first and n > 0:
                break
            approve = approve_all or n == 0
            services.task_decide(actor=self.handler_of(task.department), task=task, approve=approve,
                                 reasons="" if approve else "经核查，不符合该事项的申请条件（演示）。")

    def pay(self, app: Application, amount: str, paid_on: date) -> None:
        for task in app.tasks.filter(status="approved").order_by("id"):
            payout = services.payout_record(actor=self.handler_of(task.department), task=task, amount=amount,
                                            kind=task.item.benefit_type if task.item.benefit_type in Payout.Kind.values
                                            else "other", paid_on=paid_on)
            services.payout_confirm(actor=self.head_of(task.department), payout=payout)


@transaction.atomic
def load_demo_things(stdout: Any = None) -> DemoThingsResult:
    """Load (or leave unchanged) the 27 things, halls, applications and payouts."""
    result = DemoThingsResult()
    if Thing.objects.filter(slug=THINGS[0].slug).exists():
        if stdout is not None:
            stdout.write(f"一件事一次办：演示数据已存在（{Thing.objects.count()} 件事），未重复加载。\n")
        return result
    slugs = {FI, TAX, SAMR, CT, OFFICE, CS}
    orgs = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    if set(orgs) != slugs:
        raise RuntimeError("缺少演示机关，请先加载演示机关和账号（gongkai demo）。")
    result.extra_staff = _ensure_staff()
    docs = {slug: _basis(orgs[slug]) for slug in (FI, TAX, SAMR, CT)}
    windows = _halls(orgs)
    things: dict[str, Thing] = {}
    for n, spec in enumerate(THINGS, 1):
        items = [_item(i, orgs, docs) for i in spec.items]
        departments = "、".join(dict.fromkeys(orgs[i.dept].name for i in spec.items))
        things[spec.slug] = services.thing_create(
            actor=None, slug=spec.slug, name=spec.name, lead_department=orgs[spec.lead], items=items,
            windows=windows[1:3] + windows[3:], position=n, invented=spec.invented,
            summary=f"由{orgs[spec.lead].name}牵头，{departments}并联办理（演示）。",
            conditions_text="在湖南省依法登记注册、正常经营，受疫情影响的市场主体；具体条件见各事项（演示）。",
            consult_phone="0731-12345（演示）", online_note="湖南政务服务网政策兑现专区（演示）",
        )
    result.things = len(things)

    play = _Play()
    ents = _enterprises()
    today = timezone.localdate()
    (e1, u1), (e2, u2), (e3, u3), (e4, u4), (e5, u5), (e6, u6), (e7, u7) = ents
    fang, peixun, jigai = things["jianmian-fangchanshui"], things["peixun-butie"], things["kuochan-jigai"]
    # 草稿
    draft = services.application_start(actor=u1, thing=jigai, enterprise=e1)
    services.application_save(actor=u1, application=draft, data={"lxr": "王经理", "xmmc": "二期产线扩能改造"})
    # 已提交，待受理
    play.submit(peixun, e2, u2)
    # 不予受理
    rejected = play.submit(jigai, e3, u3)
    services.application_reject(actor=User.objects.get(username="hncz_registrar"), application=rejected,
                                reasons="项目投资及备案文件不完整（演示）", to_fix="请补充上传项目备案证明和设备购置发票")
    # 已受理（刚受理，各部门办理中；部分即将到期或已超期）
    play.accept(play.submit(fang, e4, u4), today - timedelta(days=12), windows[1])
    play.accept(play.submit(peixun, e5, u5), today - timedelta(days=1))
    # 联办中
    app = play.accept(play.submit(jigai, e6, u6), today - timedelta(days=20), windows[3])
    play.decide(app, only_first=True)
    # 已办结（一个部门不予通过）
    app = play.accept(play.submit(peixun, e7, u7), today - timedelta(days=40))
    play.decide(app, approve_all=False)
    # 已兑现
    months = [today - timedelta(days=d) for d in (95, 65, 35)]
    for (enterprise, user), thing, on, amount in ((ents[0], fang, months[0], "18600.00"),
                                                 (ents[1], peixun, months[1], "42000.00"),
                                                 (ents[3], things["guoyou-zujin"], months[2], "9600.00")):
        app = play.accept(play.submit(thing, enterprise, user), on - timedelta(days=30))
        play.decide(app)
        play.pay(app, amount, on)
    # 免申即享: candidates by matching; the department head confirms two of them.
    free_item = things["mianshen-shebao"].items.get()
    candidates = services.candidates_generate(actor=play.handler_of(orgs[FI]), item=free_item)
    for payout, amount in zip(candidates[:2], ("3000.00", "4500.00"), strict=False):
        services.payout_confirm(actor=play.head_of(orgs[FI]), payout=payout, amount=Decimal(amount),
                                paid_on=today - timedelta(days=10))
    result.applications = Application.objects.filter(thing__in=things.values()).count()
    result.payouts = Payout.objects.filter(item__thing_links__thing__in=things.values()).count()
    if stdout is not None:
        stdout.write(f"一件事一次办：{result.things} 件事（其中出版物列明 3 件，其余为演示补充），"
                     f"{result.applications} 件申请，{result.payouts} 条兑现记录。\n")
        for username, secret in result.extra_staff or []:
            stdout.write(f"  一件事演示账号 {username}（密码同上）TOTP 密钥 {secret}\n")
    return result
