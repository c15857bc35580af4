"""演示数据: about 500 enterprise profiles (一企一档) in the areas of the demo organisations
(``gongkai demo``).

The enterprises are fictional: names are made up, 统一社会信用代码 are valid but generated
(登记管理部门 9 + 机构类别 1 企业 / 2 个体工商户, the area's 行政区划代码, a numbered body).
They go through the import service (``import_enterprises`` as the system importer), so every
size class comes from the size rule and every row has its audit entry, in bulk. About one in
seven is a 个体工商户; some figures are left empty (规模 then 未能划型 where it matters); about a
fifth hold a 资质 with issuer and validity dates. The demo enterprise account (``enterprise``)
gets a verified claim on 示例科技有限公司.

Idempotent: the import upserts by credit code (a second run changes nothing), qualifications are
added only to enterprises that have none, and the claim only when the account has none.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from gongkai.accounts.models import User
from gongkai.core.audit import AuditEntry, record_many
from gongkai.domain.identifiers import make_credit_code
from gongkai.enterprise.models import Enterprise, EnterpriseClaim, EnterpriseQualification
from gongkai.enterprise.services import claim_submit, claim_verify, import_enterprises

COUNT = 500
SEED = 20260601
DEMO_ENTERPRISE_USER = "enterprise"
SAMPLE_NAME = "示例科技有限公司"
SAMPLE_CODE = make_credit_code("91", "430104", "60000001")

# (行政区划代码, 字号前缀, weight): areas of the demo organisations.
REGIONS = [
    ("430102", "长沙芙蓉", 6), ("430103", "长沙天心", 5), ("430104", "长沙岳麓", 7), ("430105", "长沙开福", 4),
    ("430111", "长沙雨花", 5), ("430121", "长沙县", 4), ("430202", "株洲荷塘", 3), ("430203", "株洲芦淞", 3),
    ("430211", "株洲天元", 3), ("430000", "湖南", 2), ("310115", "上海浦东", 5), ("310104", "上海徐汇", 3),
    ("370602", "烟台芝罘", 3), ("370613", "烟台莱山", 3), ("341023", "黟县", 4),
]
# (行业代码, 名称后缀, 企业规模档: typical employees, revenue 万元, assets 万元)
INDUSTRIES = [
    ("C13", "粮油食品", (60, 6000, 3000)), ("C14", "食品", (40, 2500, 1200)), ("C153", "茶业", (25, 900, 600)),
    ("C26", "化工", (120, 15000, 9000)), ("C27", "生物医药", (150, 12000, 15000)), ("C34", "机械", (90, 5000, 4000)),
    ("C35", "装备制造", (200, 20000, 18000)), ("C38", "电气", (110, 8000, 6000)), ("C391", "计算机", (80, 7000, 3000)),
    ("F51", "商贸", (15, 3000, 800)), ("F521", "超市", (40, 1500, 500)), ("G54", "物流运输", (60, 2500, 2000)),
    ("G59", "仓储", (30, 900, 1500)), ("H611", "大酒店", (80, 2500, 6000)), ("H613", "民宿", (6, 80, 150)),
    ("H621", "餐饮", (25, 600, 200)), ("I64", "网络科技", (50, 1800, 900)), ("I65", "软件", (70, 2000, 800)),
    ("I6513", "信息技术", (35, 700, 300)), ("I652", "芯片设计", (90, 4000, 3500)), ("K701", "置业", (40, 30000, 60000)),
    ("K702", "物业服务", (150, 1200, 300)), ("L72", "商务咨询", (20, 500, 400)), ("M73", "研究院", (45, 800, 1200)),
    ("M74", "检测技术", (60, 1500, 1300)), ("A0164", "茶叶种植", (20, 300, 500)), ("A01", "农业发展", (30, 800, 900)),
    ("E47", "建设工程", (120, 9000, 7000)), ("E50", "装饰工程", (30, 1500, 800)), ("R88", "文化传媒", (15, 300, 200)),
    ("J66", "小额贷款", (20, 3000, 50000)),
]
# 个体工商户: (行业代码, 名称后缀)
INDIVIDUAL = [("F521", "便利店"), ("H622", "小吃店"), ("H613", "民宿"), ("O80", "理发店"), ("F52", "百货商行"),
              ("H621", "农家乐")]
WORDS = "华信恒通瑞达盛源博远鼎新兴业宏图金桥启明天成润泽嘉禾云帆锦程宇航德馨卓越"
TAGS = ["民营企业", "出口企业", "外资企业", "复工复产重点企业", "规模以上工业企业", "文旅企业", "农业产业化龙头企业"]
QUALIFICATIONS = [
    ("高新技术企业", "{province}科学技术厅", 3), ("科技型中小企业", "{province}科学技术厅", 1),
    ("专精特新中小企业", "{province}工业和信息化厅", 3), ("创新型中小企业", "{province}工业和信息化厅", 3),
]
PROVINCES = {"43": "湖南省", "31": "上海市", "37": "山东省", "34": "安徽省"}


@dataclass
class DemoEnterprisesResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    qualifications: int = 0
    claims: int = 0


def _scaled(rng: random.Random, typical: int, spread: float) -> float:
    return max(0.0, typical * rng.lognormvariate(0, spread))


def demo_rows(count: int = COUNT, seed: int = SEED) -> list[dict[str, Any]]:
    """The demo list as import rows (Chinese columns), the same on every run."""
    rng = random.Random(seed)
    regions = [r for r in REGIONS for _ in range(r[2])]
    rows: list[dict[str, Any]] = [{
        "统一社会信用代码": SAMPLE_CODE, "企业名称": SAMPLE_NAME, "成立日期": "2016-04-18", "所在地区代码": "430104",
        "行业代码": "I6513", "从业人员（人）": 85, "营业收入（万元）": 3200, "资产总额（万元）": 1500,
        "个体工商户": "否", "企业标签": "民营企业", "联系邮箱": "contact@example.com"}]
    names = {SAMPLE_NAME}
    for i in range(1, count):
        region, place, _ = rng.choice(regions)
        individual = rng.random() < 0.14
        if individual:
            industry, suffix = rng.choice(INDIVIDUAL)
            name = f"{place}{rng.choice(WORDS)}{rng.choice(WORDS)}{suffix}"
            employees, revenue, assets = rng.randint(1, 8), round(rng.uniform(5, 120), 2), round(rng.uniform(2, 80), 2)
        else:
            industry, suffix, (emp, rev, ass) = rng.choice(INDUSTRIES)
            name = f"{place}{rng.choice(WORDS)}{rng.choice(WORDS)}{suffix}有限公司"
            scale = 15 if rng.random() < 0.04 else 1  # a few big ones
            employees = round(_scaled(rng, emp * scale, 1.1))
            revenue, assets = round(_scaled(rng, rev * scale, 1.1), 2), round(_scaled(rng, ass * scale, 1.1), 2)
        while name in names:
            name = name.replace("有限公司", "") + f"{len(names) % 9 + 1}号" + ("有限公司" if not individual else "")
        names.add(name)
        code = make_credit_code("92" if individual else "91", region, f"{60000001 + i:08d}")
        founded = date(2026, 1, 1) - timedelta(days=rng.randint(200, 365 * 25))
        unknown = rng.random()
        tags = [] if individual else rng.sample(TAGS, k=rng.choice([0, 0, 1, 1, 2]))
        rows.append({
            "统一社会信用代码": code, "企业名称": name, "成立日期": founded.isoformat(), "所在地区代码": region,
            "行业代码": industry,
            "从业人员（人）": "" if unknown < 0.04 else employees,
            "营业收入（万元）": "" if 0.04 <= unknown < 0.10 else revenue,
            "资产总额（万元）": "" if 0.10 <= unknown < 0.13 else assets,
            "个体工商户": "是" if individual else "否",
            "企业标签": "、".join(tags),
            "联系邮箱": f"info{i}@example.com" if rng.random() < 0.5 else "",
        })
    return rows


def _qualifications(seed: int) -> int:
    have = set(EnterpriseQualification.objects.values_list("enterprise_id", flat=True).distinct())
    new: list[EnterpriseQualification] = []
    enterprises = list(Enterprise.objects.filter(credit_code__startswith="91", is_individual=False)
                       .exclude(pk__in=have).order_by("credit_code").only("pk", "credit_code", "region_code"))
    for enterprise in enterprises:
        rng = random.Random(f"{seed}:{enterprise.credit_code}")  # the same decision on every run
        if enterprise.credit_code != SAMPLE_CODE and rng.random() > 0.22:
            continue
        kinds = rng.sample(QUALIFICATIONS, k=1 if rng.random() < 0.8 else 2)
        if enterprise.credit_code == SAMPLE_CODE:
            kinds = [QUALIFICATIONS[0], QUALIFICATIONS[1]]
        for kind, issuer, years in kinds:
            start = date(2023, 1, 1) + timedelta(days=rng.randint(0, 900))
            end = start.replace(year=start.year + years) - timedelta(days=1)
            province = PROVINCES.get(enterprise.region_code[:2], "")
            new.append(EnterpriseQualification(
                enterprise=enterprise, kind=kind, issuer=issuer.format(province=province),
                certificate_no=f"DEMO{start:%Y}{enterprise.pk:06d}{len(new) % 10}", valid_from=start, valid_to=end))
    EnterpriseQualification.objects.bulk_create(new, batch_size=500)
    record_many([AuditEntry("enterprise.qualification_add", obj=q.enterprise, detail="演示数据",
                            after={"kind": q.kind, "issuer": q.issuer, "valid_from": q.valid_from,
                                   "valid_to": q.valid_to}) for q in new])
    return len(new)


def _claim_sample() -> int:
    user = User.objects.filter(username=DEMO_ENTERPRISE_USER, account_type=User.AccountType.ENTERPRISE).first()
    enterprise = Enterprise.objects.filter(credit_code=SAMPLE_CODE).first()
    if user is None or enterprise is None or EnterpriseClaim.objects.filter(user=user).exists():
        return 0
    claim = claim_submit(actor=user, credit_code=enterprise.credit_code, name=enterprise.name, contact_name="演示联系人",
                         contact_phone="0731-00001234", note="演示数据")
    claim_verify(actor=None, claim=claim)
    return 1


@transaction.atomic
def load_demo_enterprises(stdout: Any = None, *, count: int = COUNT) -> DemoEnterprisesResult:
    report = import_enterprises(actor=None, rows=demo_rows(count), source="演示数据")
    if not report.ok:  # the demo list is generated valid; a failure here is a bug
        raise RuntimeError("演示企业数据有误：" + "；".join(str(e) for e in report.errors[:5]))
    result = DemoEnterprisesResult(report.created, report.updated, report.unchanged)
    result.qualifications = _qualifications(SEED)
    result.claims = _claim_sample()
    if stdout is not None:
        stdout.write(f"演示企业档案：新建 {result.created} 家、更新 {result.updated} 家、未变化 {result.unchanged} 家；"
                     f"新增资质 {result.qualifications} 项；认领 {result.claims} 项。")
    return result
