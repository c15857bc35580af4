"""演示文件 (demo documents) for ``gongkai demo``: the policy libraries of 《政务公开工作交流》
2020年第7期 (总第33期), “湖南创新公开解读回应 助力复工复产政策落地”.

The publication's counts are reproduced: 复工复产政策库 — 国家 16, 省级 75, 市州 58;
小微企业和个体工商户政策库 — 省级 29, 市州 27; 8 期图解 by theme, a “‘厅’说政策” 访谈, a few
文字解读, and documents with 法定主动公开内容 items for several organisations (湖南省财政厅, 长沙市,
株洲市, 黟县 …), some repealed or amended, a few drafts and one 依申请公开 document.

Every document is written for the demo in the style of real ones and says so in 文件来源
(``DEMO_SOURCE``); titles and numbers follow real patterns but the texts are not real documents,
except that the two documents the publication names (湘政办明电〔2020〕23号, 沪银保监办通〔2020〕1号)
keep their titles and numbers. National documents are issued by 国务院/部委 and reposted
(转载) by 湖南省人民政府办公厅, as the provincial portal did; 市州 documents of the cities that have
no organisation in the demo are reposted the same way.

Documents go through the real import path (``import_documents``) with stable 索引号s, so loading
twice changes nothing; interpretations and libraries go through their services.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from gongkai.accounts.models import Organisation, User
from gongkai.policies.models import Document, Interpretation, SpecialLibrary, Tag
from gongkai.policies.services.documents import org_code
from gongkai.policies.services.imports import ImportReport, OrganisationResolver, import_documents

DEMO_SOURCE = "演示数据（为演示编写，非真实文件）"
FUGONG = "复工复产"
XIAOWEI = "小微企业和个体工商户"

# Library, level → count, as published.
LIBRARY_COUNTS: dict[tuple[str, str], int] = {
    (FUGONG, "national"): 16, (FUGONG, "provincial"): 75, (FUGONG, "municipal"): 58,
    (XIAOWEI, "provincial"): 29, (XIAOWEI, "municipal"): 27,
}


@dataclass(frozen=True)
class Theme:
    name: str
    subject: str
    measures: tuple[str, ...]
    items: tuple[str, ...]
    audiences: tuple[str, ...] = ()


THEMES: tuple[Theme, ...] = (
    Theme("融资贷款", "财政、金融、审计\\银行", (
        "加大金融支持力度缓解企业融资难题", "开展复工复产专项贷款贴息", "对受疫情影响企业实行贷款延期还本付息",
        "设立应急转贷资金帮助企业续贷", "扩大政府性融资担保覆盖面并降低担保费率", "推广“银税互动”信用贷款",
    ), (
        "对受疫情影响较大、有发展前景但暂时受困的企业，金融机构不得盲目抽贷、断贷、压贷，对到期还款困难的可予以展期或续贷。",
        "对重点企业新增贷款给予贴息支持，贴息比例为贷款合同利率的50%，贴息期限不超过1年。",
        "政府性融资担保机构对小微企业和个体工商户的担保费率降至1%以下，对受疫情影响较大的免收担保费。",
        "应急转贷资金单笔使用期限一般不超过15天，使用费率按日万分之一收取。",
        "鼓励金融机构开发线上信用贷款产品，推行“不见面”放贷，提高审批效率。",
    ), ("小微企业", "民营企业")),
    Theme("稳岗就业", "劳动、人事、监察\\劳动就业", (
        "做好疫情防控期间稳就业工作", "阶段性减免企业社会保险费", "实施失业保险稳岗返还政策",
        "支持农民工返岗复工", "开展以工代训职业技能培训补贴", "促进高校毕业生就业创业",
    ), (
        "对不裁员或少裁员的参保企业，可返还其上年度实际缴纳失业保险费的50%；对中小微企业返还比例最高可提至100%。",
        "免征中小微企业基本养老保险、失业保险、工伤保险单位缴费，免征期限为2020年2月至6月。",
        "对组织农民工返岗复工的企业，按实际人数给予一次性交通补助。",
        "企业组织职工参加线上职业技能培训的，按规定给予职业培训补贴。",
        "对吸纳高校毕业生就业并签订一年以上劳动合同的小微企业，给予一次性吸纳就业补贴。",
    ), ("重点群体", "小微企业")),
    Theme("运营成本", "国民经济管理、国有资产监管\\物价", (
        "阶段性降低企业用电用气成本", "减免中小企业国有资产类经营用房租金", "延期缴纳城市基础设施配套费",
        "降低企业物流成本", "减免承租国有房屋个体工商户房租", "降低企业用水成本",
    ), (
        "除高耗能行业用户外，对现执行一般工商业及其他电价、大工业电价的电力用户，按原到户电价水平的95%结算。",
        "承租国有资产类经营用房的中小企业，免收3个月租金，减半收取3个月租金。",
        "对受疫情影响确有困难的建设项目，城市基础设施配套费可申请延期缴纳，延期期限不超过6个月。",
        "对非居民用户用气、用水实行“欠费不停供”，疫情结束后3个月内补缴缓缴费用，免收滞纳金。",
        "鼓励业主（房东）为租户减免租金，对减免租金的业主可按规定减免当年房产税、城镇土地使用税。",
    ), ("小微企业", "个体工商户")),
    Theme("税费优惠", "财政、金融、审计\\税务", (
        "减免小规模纳税人增值税", "延长受疫情影响企业亏损结转年限", "减免房产税城镇土地使用税",
        "延期申报纳税", "免征部分行政事业性收费", "支持疫情防控重点保障物资生产企业扩大产能",
    ), (
        "自2020年3月1日至5月31日，增值税小规模纳税人适用3%征收率的应税销售收入，减按1%征收率征收增值税。",
        "受疫情影响较大的困难行业企业2020年度发生的亏损，最长结转年限由5年延长至8年。",
        "因疫情影响遭受重大损失，缴纳房产税、城镇土地使用税确有困难的纳税人，可申请困难减免。",
        "对受疫情影响不能按期办理纳税申报的纳税人，可依法申请延期申报；确有困难的可申请延期缴纳税款，最长不超过3个月。",
        "纳税人可通过电子税务局“非接触式”办税，实现办税缴费“网上办、掌上办”。",
    ), ("小微企业", "个体工商户")),
    Theme("财政奖补", "财政、金融、审计\\财政", (
        "对扩产扩能技术改造给予补助", "对重点防疫物资生产企业给予财政贴息", "设立复工复产专项奖补资金",
        "支持企业吸纳就业给予一次性补贴", "对外贸企业开拓市场给予奖励", "支持专精特新中小企业发展",
    ), (
        "对疫情防控重点物资生产企业扩产扩能、技术改造项目，按设备投资额的一定比例给予补助，单个企业最高不超过500万元。",
        "对2020年一季度营业收入保持增长的规模以上工业企业，给予一次性奖励。",
        "财政奖补资金实行“一次申报、一次兑现”，由各级政务服务大厅政策兑现窗口统一受理。",
        "对参加境外展会的外贸企业，展位费按规定比例给予补助。",
        "对新认定的专精特新“小巨人”企业，给予一次性奖励。",
    ), ("高新技术企业", "专精特新企业")),
    Theme("市场监管", "市场监管、安全生产监管\\市场主体监管", (
        "优化市场主体登记服务", "推行包容审慎监管", "开展复工复产产品质量安全指导",
        "实施个体工商户简易注销", "规范涉企收费行为", "加强防疫用品价格监管",
    ), (
        "全面推行企业登记“全程网办”，营业执照“不见面”审批、寄递送达。",
        "对企业轻微违法行为依法从轻、减轻或不予行政处罚，推行“首违不罚”。",
        "对生产防疫物资的企业开辟检验检测绿色通道，检测费用减半收取。",
        "个体工商户可通过简易程序办理注销登记，公告期由45天缩短为20天。",
        "严肃查处哄抬价格、乱收费等违法行为，公布价格投诉举报电话12345。",
    ), ("个体工商户", "小微企业")),
    Theme("文化旅游", "商贸、海关、旅游\\旅游", (
        "支持文化旅游企业纾困发展", "有序恢复旅游景区开放", "暂退旅行社部分质量保证金",
        "促进文化和旅游消费", "支持乡村旅游和民宿业健康发展", "推行景区分时段预约游览",
    ), (
        "向旅行社暂退80%的旅游服务质量保证金，交还期限为两年。",
        "景区实行分时段预约游览，接待游客量不超过最大承载量的30%。",
        "对受疫情影响的文化旅游企业给予贷款贴息，支持举办线上演出和“云旅游”活动。",
        "鼓励各地发放文化旅游消费券，开展“百元畅游”等优惠活动。",
        "对规范经营的乡村民宿给予奖补，支持成立乡村客栈联盟。",
    ), ("文化旅游企业",)),
    Theme("办事服务", "综合政务\\电子政务", (
        "推进复工复产政策兑现“一件事一次办”", "实行企业复工复产“不见面”审批", "开通12345复工复产咨询专线",
        "推行政务服务“网上办、掌上办”", "优化工程建设项目审批服务", "建立惠企政策精准推送机制",
    ), (
        "在各级政务服务大厅开设政策兑现专窗，实行“一次告知、一次申报、一次受理、一次联办、一次兑现”。",
        "12345热线开辟复工复产专线，安排专人接听，及时解答企业群众的政策咨询。",
        "对复工证明、复产登记实行在线指导，企业可在政务服务一体化平台在线申报。",
        "工程建设项目审批实行容缺受理，申请材料可先行受理后补齐。",
        "通过短信、公众号和门户网站专题精准推送复工复产政策。",
    ), ("小微企业", "民营企业")),
)
THEME_BY_NAME = {t.name: t for t in THEMES}

XIAOWEI_MEASURES = (
    "应对新冠肺炎疫情支持中小微企业和个体工商户共渡难关", "进一步支持小微企业和个体工商户发展",
    "减免个体工商户经营用房租金", "加大对小微企业和个体工商户信贷支持", "支持个体工商户复工复业",
    "帮助小微企业纾困解难", "降低小微企业和个体工商户运营成本",
)

NORMATIVE_GENRES = ("若干措施", "实施意见", "实施细则", "暂行办法")
OTHER_GENRES = ("通知", "工作方案", "补充通知", "指导意见")


@dataclass(frozen=True)
class Issuer:
    name: str
    agency: str  # 机关代字
    owner: str  # organisation slug that keeps the document in Gongkai
    themes: tuple[str, ...] = ()


NATIONAL = (
    Issuer("国务院", "国发", "hunan-office", ("办事服务", "税费优惠", "稳岗就业")),
    Issuer("国务院办公厅", "国办发", "hunan-office", ("办事服务", "运营成本", "稳岗就业", "市场监管")),
    Issuer("财政部、税务总局", "财税", "hunan-office", ("税费优惠",)),
    Issuer("人力资源社会保障部", "人社部发", "hunan-office", ("稳岗就业",)),
    Issuer("国家发展改革委", "发改价格", "hunan-office", ("运营成本",)),
    Issuer("中国人民银行、银保监会", "银发", "hunan-office", ("融资贷款",)),
    Issuer("工业和信息化部", "工信部企业", "hunan-office", ("财政奖补", "融资贷款")),
    Issuer("文化和旅游部", "文旅发", "hunan-office", ("文化旅游",)),
    Issuer("市场监管总局", "国市监注", "hunan-office", ("市场监管",)),
)
PROVINCIAL = (
    Issuer("湖南省人民政府", "湘政发", "hunan", ("办事服务", "财政奖补", "稳岗就业")),
    Issuer("湖南省人民政府办公厅", "湘政办发", "hunan-office", ("办事服务", "运营成本", "融资贷款", "稳岗就业")),
    Issuer("湖南省财政厅", "湘财发", "hunan-finance", ("财政奖补", "融资贷款", "税费优惠")),
    Issuer("湖南省文化和旅游厅", "湘文旅发", "hunan-culture-tourism", ("文化旅游",)),
    Issuer("湖南省市场监督管理局", "湘市监发", "hunan-samr", ("市场监管",)),
    Issuer("国家税务总局湖南省税务局", "湘税发", "hunan-tax", ("税费优惠",)),
    Issuer("湖南省人力资源和社会保障厅", "湘人社发", "hunan-office", ("稳岗就业",)),
    Issuer("湖南省发展和改革委员会", "湘发改价调", "hunan-office", ("运营成本",)),
    Issuer("湖南省地方金融监督管理局", "湘金监发", "hunan-office", ("融资贷款",)),
    Issuer("湖南省工业和信息化厅", "湘工信发", "hunan-office", ("财政奖补", "运营成本")),
)
# 长沙 and 株洲 have their own accounts in the demo; the other 市州 are reposted.
MUNICIPAL = (
    Issuer("长沙市人民政府办公厅", "长政办发", "changsha"),
    Issuer("株洲市人民政府办公室", "株政办发", "zhuzhou"),
    Issuer("长沙市人民政府", "长政发", "changsha"),
    Issuer("株洲市人民政府", "株政发", "zhuzhou"),
    Issuer("湘潭市人民政府办公室", "潭政办发", "hunan-office"),
    Issuer("衡阳市人民政府办公室", "衡政办发", "hunan-office"),
    Issuer("岳阳市人民政府办公室", "岳政办发", "hunan-office"),
    Issuer("常德市人民政府办公室", "常政办发", "hunan-office"),
    Issuer("郴州市人民政府办公室", "郴政办发", "hunan-office"),
    Issuer("永州市人民政府办公室", "永政办发", "hunan-office"),
    Issuer("怀化市人民政府办公室", "怀政办发", "hunan-office"),
    Issuer("湘西土家族苗族自治州人民政府办公室", "州政办发", "hunan-office"),
)

ADDRESSEES = {
    "national": "各省、自治区、直辖市人民政府，国务院各部委、各直属机构",
    "provincial": "各市州人民政府，省政府各厅委、各直属机构",
    "municipal": "各区县（市）人民政府，市直各单位",
    "county": "各乡镇人民政府，县直各单位",
}
REGION = {"national": "全国", "provincial": "全省", "municipal": "全市", "county": "全县"}
ORDINALS = "一二三四五六七八九十"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class _Builder:
    """Deterministic rows: the same call always yields the same rows, 索引号s and numbers."""

    def __init__(self, orgs: dict[str, Organisation]) -> None:
        self.orgs = orgs
        self.rows: list[dict[str, Any]] = []
        self.titles: set[str] = set()
        self.seq: dict[tuple[str, int], int] = defaultdict(int)
        self.numbers: dict[str, int] = defaultdict(lambda: 2)
        self.reserved: set[str] = set()

    def index_no(self, owner: str, year: int) -> str:
        self.seq[(owner, year)] += 1
        return f"{org_code(self.orgs[owner])}/{year}-{self.seq[(owner, year)]:05d}"

    def doc_number(self, agency: str, year: int) -> str:
        while True:
            self.numbers[agency] += 3 if len(agency) % 2 else 2
            number = f"{agency}〔{year}〕{self.numbers[agency]}号"
            if number not in self.reserved:
                return number

    def body(self, *, level: str, issuer: str, measure: str, items: list[str], written_on: date,
             closing: str = "") -> str:
        paragraphs = [
            f"<p>{ADDRESSEES[level]}：</p>",
            "<p>为深入贯彻落实党中央、国务院关于统筹推进新冠肺炎疫情防控和经济社会发展工作的决策部署，"
            f"帮助{REGION[level]}企业特别是中小微企业和个体工商户应对疫情影响、加快复工复产，"
            f"现就{measure}有关事项通知如下。</p>",
        ]
        for i, item in enumerate(items):
            paragraphs.append(f"<p>{ORDINALS[i]}、{item}</p>")
        paragraphs.append(f"<p>{ORDINALS[len(items)]}、"
                          + (closing or "各地各有关部门要加强政策宣传解读，通过门户网站、政务新媒体和12345热线"
                             "及时回应企业关切，确保政策措施落地见效。本文件自印发之日起施行。") + "</p>")
        paragraphs.append(f"<p>{issuer.split('、')[0]}</p><p>{_cn_date(written_on)}</p>")
        return "".join(paragraphs)

    def add(self, *, owner: str, issuer: str, agency: str, level: str, title: str, theme: Theme,
            topics: list[str], written_on: date, category: str, art20: int | None = None,
            audiences: tuple[str, ...] | list[str] = (), items: list[str] | None = None, closing: str = "",
            measure: str = "", extra: dict[str, Any] | None = None, doc_number: str | None = None) -> dict[str, Any]:
        assert title not in self.titles, title
        self.titles.add(title)
        number = doc_number if doc_number is not None else self.doc_number(agency, written_on.year)
        self.reserved.add(number)
        row = {
            "索引号": self.index_no(owner, written_on.year),
            "标题": title,
            "发文机关": issuer,
            "发文字号": number,
            "成文日期": written_on.isoformat(),
            "发布日期": (written_on + timedelta(days=2)).isoformat(),
            "实施日期": written_on.isoformat(),
            "主题分类": theme.subject,
            "类别": category,
            "法定主动公开事项": art20 or "",
            "层级": level,
            "政策主题": theme.name,
            "适用对象": "、".join(audiences),
            "专题": "、".join(topics),
            "关键词": f"{theme.name}、{(measure or title)[:12]}",
            "内容概述": f"{measure or title}的具体措施，适用于受疫情影响的"
                        f"{'、'.join(audiences) or '各类市场主体'}。",
            "正文": self.body(level=level, issuer=issuer, measure=measure or title, written_on=written_on,
                            items=items if items is not None else list(theme.items[:3]), closing=closing),
            "状态": "已发布",
            "公开属性": "主动公开",
            "文件来源": DEMO_SOURCE,
            "发布机关": owner,
        }
        row.update(extra or {})
        self.rows.append(row)
        return row

    def generated(self, *, library: str, level: str, count: int, issuers: tuple[Issuer, ...], offset: int) -> None:
        """``count`` documents of a library level, themes spread evenly, dates from February to June."""
        for i in range(count):
            n = i + offset
            if library == XIAOWEI:
                themes = ("融资贷款", "税费优惠", "运营成本", "稳岗就业", "市场监管", "办事服务", "财政奖补")
                theme = THEME_BY_NAME[themes[n % len(themes)]]
            else:
                theme = THEMES[n % len(THEMES)]
            candidates = [x for x in issuers if not x.themes or theme.name in x.themes] or list(issuers)
            issuer = candidates[(n // len(THEMES)) % len(candidates)]
            written_on = date(2020, 2, 3) + timedelta(days=(n * 11) % 145)
            normative = n % 3 != 2
            for attempt in range(40):
                if library == XIAOWEI and attempt % 2 == 0:
                    measure = XIAOWEI_MEASURES[(n + attempt // 2) % len(XIAOWEI_MEASURES)]
                else:
                    measure = theme.measures[(n + attempt) % len(theme.measures)]
                genres = NORMATIVE_GENRES if normative else OTHER_GENRES
                genre = genres[(n + attempt // len(theme.measures)) % len(genres)]
                title = f"{issuer.name.split('、')[0]}关于{measure}的{genre}"
                if title not in self.titles:
                    break
            else:
                title = f"{issuer.name.split('、')[0]}关于{measure}的{genre}（{n}）"
            art20: int | None = None
            if level != "national":
                art20 = 1 if normative else (11 if theme.name == "稳岗就业" else (8 if "收费" in measure else None))
            audiences = (("小微企业", "个体工商户") if library == XIAOWEI else theme.audiences)
            items = [theme.items[(n + k) % len(theme.items)] for k in range(3 + n % 2)]
            self.add(owner=issuer.owner, issuer=issuer.name, agency=issuer.agency, level=level, title=title,
                     theme=theme, topics=[library], written_on=written_on,
                     category="行政规范性文件" if normative else "其他政策文件", art20=art20,
                     audiences=audiences, items=items, measure=measure)


def build_rows(orgs: dict[str, Organisation]) -> list[dict[str, Any]]:
    b = _Builder(orgs)
    office, changsha = "湖南省人民政府办公厅", "长沙市人民政府办公厅"
    service, jobs, finance = THEME_BY_NAME["办事服务"], THEME_BY_NAME["稳岗就业"], THEME_BY_NAME["融资贷款"]

    # Hand-written documents first (they count towards the library totals).
    b.add(owner="hunan-office", issuer=office, agency="湘政办明电", level="provincial",
          title="湖南省人民政府办公厅关于推进复工复产政策兑现“一件事一次办”的通知", theme=service,
          topics=[FUGONG, "一件事一次办"], written_on=date(2020, 4, 3), category="其他政策文件", art20=1,
          doc_number="湘政办明电〔2020〕23号", audiences=("小微企业", "民营企业"),
          measure="推进复工复产政策兑现“一件事一次办”",
          items=["梳理国家和省出台的复工复产政策，形成“我要申请减免房产税”“我要申请培训补贴”“我要享受扩产扩能技术改造补助”"
                 "等27件“事”，逐项编制办事指南。",
                 "构建“一次告知、一次申报、一次受理、一次联办、一次兑现”的闭环流程。",
                 "在各级政务服务大厅开设“一件事一次办”专窗和政策兑现窗口，依托政务服务一体化平台建设线上政策兑现窗口，"
                 "实行政策兑现“直给直兑”。"])
    amended = b.add(owner="hunan-office", issuer=office, agency="湘政办发", level="provincial",
                    title="湖南省人民政府办公厅关于阶段性减免企业社会保险费的实施意见", theme=jobs, topics=[FUGONG],
                    written_on=date(2020, 2, 28), category="行政规范性文件", art20=11,
                    audiences=("小微企业", "重点群体"), measure="阶段性减免企业社会保险费",
                    items=list(jobs.items[1:4]), doc_number="湘政办发〔2020〕9号")
    b.add(owner="hunan-office", issuer=office, agency="湘政办发", level="provincial",
          title="湖南省人民政府办公厅关于延长阶段性减免企业社会保险费政策实施期限的通知", theme=jobs,
          topics=[FUGONG], written_on=date(2020, 6, 22), category="行政规范性文件", art20=11,
          audiences=("小微企业", "重点群体"), measure="延长阶段性减免企业社会保险费政策实施期限",
          doc_number="湘政办发〔2020〕31号",
          items=["中小微企业三项社会保险单位缴费部分免征的执行期限延长至2020年12月底。",
                 "大型企业等其他参保单位三项社会保险单位缴费部分减半征收的执行期限延长至2020年6月底。"],
          closing=f"《{amended['标题']}》（湘政办发〔2020〕9号）第二条第一款的执行期限按本通知调整，其他规定继续执行。",
          extra={"修改的文件": amended["索引号"]})
    b.add(owner="hunan-finance", issuer="湖南省财政厅", agency="湘财金", level="provincial",
          title="湖南省财政厅关于复工复产重点企业贷款贴息的暂行办法", theme=finance, topics=[FUGONG],
          written_on=date(2020, 2, 20), category="行政规范性文件", art20=1, audiences=("小微企业",),
          measure="复工复产重点企业贷款贴息", items=list(finance.items[:3]),
          closing="本办法自印发之日起施行，有效期至2020年12月31日。",
          extra={"废止日期": "2020-12-31"})
    repealed = b.add(owner="changsha", issuer=changsha, agency="长政办发", level="municipal",
                     title="长沙市人民政府办公厅关于支持企业复工复产的若干措施", theme=service, topics=[FUGONG],
                     written_on=date(2020, 2, 10), category="行政规范性文件", art20=1,
                     audiences=("小微企业", "民营企业"), measure="支持企业复工复产", doc_number="长政办发〔2020〕6号",
                     items=[service.items[1], service.items[2], THEME_BY_NAME["运营成本"].items[0]])
    b.add(owner="changsha", issuer=changsha, agency="长政办发", level="municipal",
          title="长沙市人民政府办公厅关于进一步支持企业复工复产稳定经济增长的若干措施", theme=service,
          topics=[FUGONG], written_on=date(2020, 4, 16), category="行政规范性文件", art20=1,
          audiences=("小微企业", "民营企业"), measure="进一步支持企业复工复产稳定经济增长",
          doc_number="长政办发〔2020〕18号",
          items=[service.items[0], service.items[1], THEME_BY_NAME["运营成本"].items[2]],
          closing=f"本措施自印发之日起施行，《{repealed['标题']}》（长政办发〔2020〕6号）同时废止。",
          extra={"废止的文件": repealed["索引号"]})
    b.add(owner="zhuzhou", issuer="株洲市人民政府", agency="株政发", level="municipal",
          title="株洲市人民政府关于开展复工复产政策兑现“一件事一次办”的通知", theme=service,
          topics=[FUGONG, "一件事一次办"], written_on=date(2020, 4, 20), category="其他政策文件", art20=5,
          measure="开展复工复产政策兑现“一件事一次办”", doc_number="株政发〔2020〕5号",
          items=["为企业办理延期缴纳税款、工程建设项目缓缴报建费用、减免电费等政策兑现事项提供“一次办”服务。",
                 service.items[0], service.items[3]])
    b.add(owner="hunan-office", issuer=office, agency="湘政办发", level="provincial",
          title="湖南省人民政府办公厅关于应对新冠肺炎疫情支持中小微企业和个体工商户共渡难关的若干措施",
          theme=THEME_BY_NAME["运营成本"], topics=[XIAOWEI], written_on=date(2020, 2, 8), category="行政规范性文件",
          art20=1, audiences=("小微企业", "个体工商户"), doc_number="湘政办发〔2020〕15号",
          measure="应对新冠肺炎疫情支持中小微企业和个体工商户共渡难关",
          items=[THEME_BY_NAME["运营成本"].items[1], finance.items[2], THEME_BY_NAME["税费优惠"].items[0],
                 jobs.items[0]])

    hand: dict[tuple[str, str], int] = defaultdict(int)
    for row in b.rows:
        for topic in row["专题"].split("、"):
            if topic in (FUGONG, XIAOWEI):
                hand[(topic, row["层级"])] += 1
    offset = 0
    for (library, level), count in LIBRARY_COUNTS.items():
        issuers = {"national": NATIONAL, "provincial": PROVINCIAL, "municipal": MUNICIPAL}[level]
        b.generated(library=library, level=level, count=count - hand[(library, level)], issuers=issuers,
                    offset=offset)
        offset += count

    _other_organisations(b)
    _not_public(b)
    return b.rows


def _other_organisations(b: _Builder) -> None:
    """法定主动公开内容 of 黟县, 上海银保监局 and 烟台片区 (not in the Hunan libraries)."""
    tourism, market = THEME_BY_NAME["文化旅游"], THEME_BY_NAME["市场监管"]
    old = b.add(owner="yixian", issuer="黟县人民政府", agency="黟政", level="county",
                title="黟县促进服务业发展专项资金奖励办法", theme=tourism, topics=[], written_on=date(2018, 3, 12),
                category="行政规范性文件", art20=1, audiences=("文化旅游企业",), measure="促进服务业发展专项资金奖励",
                items=["县财政每年安排服务业发展专项资金，用于支持旅游、商贸、物流等服务业发展。",
                       "对新评定为国家4A级及以上旅游景区的，给予一次性奖励。",
                       "对规范经营的民宿、农家乐，按床位数给予一次性改造补助。"])
    b.add(owner="yixian", issuer="黟县人民政府", agency="黟政", level="county",
          title="黟县促进服务业发展专项资金奖励办法（修订）", theme=tourism, topics=[], written_on=date(2019, 9, 2),
          category="行政规范性文件", art20=1, audiences=("文化旅游企业",), measure="促进服务业发展专项资金奖励（修订）",
          items=list(tourism.items[2:5]),
          closing=f"本办法自2019年10月1日起施行，《{old['标题']}》（{old['发文字号']}）同时废止。",
          extra={"废止的文件": old["索引号"], "实施日期": "2019-10-01"})
    b.add(owner="yixian", issuer="黟县人民政府办公室", agency="黟政办", level="county",
          title="促进黟县民宿业健康发展的实施办法（试行）", theme=tourism, topics=[], written_on=date(2019, 5, 20),
          category="行政规范性文件", art20=1, audiences=("文化旅游企业", "个体工商户"), measure="促进民宿业健康发展",
          items=[tourism.items[4], "民宿经营者应当依法办理营业执照、特种行业许可证和食品经营许可证。",
                 "建立民宿客栈信息集中公开和客源共享机制，统一公开价格、床位和入住信息。"])
    b.add(owner="yixian", issuer="黟县人民政府", agency="黟政", level="county",
          title="黟县全域旅游发展规划（2018—2030年）", theme=tourism, topics=[], written_on=date(2018, 8, 6),
          category="规划计划", art20=3, measure="全域旅游发展规划",
          items=["以西递、宏村世界文化遗产为核心，推动乡村旅游由点向面的全域拓展。",
                 "建设黟西北国家生态旅游示范区，完善旅游交通和公共服务设施。",
                 "发展民宿、研学、摄影、山地车等旅游新业态。"])
    b.add(owner="yixian", issuer="黟县文化旅游体育局", agency="黟文旅", level="county",
          title="黟县2019年涉旅违法违规行为查处情况的公告", theme=market, topics=[], written_on=date(2020, 1, 15),
          category="通知公告", art20=6, measure="涉旅违法违规行为查处情况",
          items=["2019年全县开展旅游市场综合执法检查，公开发布涉旅违法违规信息130余条。",
                 "对未经许可经营旅行社业务、强迫游客购物等行为依法予以行政处罚。",
                 "游客可通过12345热线投诉举报涉旅违法违规行为。"])
    b.add(owner="yixian", issuer="黟县人民政府办公室", agency="黟政办", level="county",
          title="黟县旅游景区分时段预约游览工作方案", theme=tourism, topics=[FUGONG], written_on=date(2020, 3, 2),
          category="其他政策文件", art20=12, measure="旅游景区分时段预约游览",
          items=[tourism.items[1], "通过微信小程序、旅游官微、手机短信和交通节点提示牌发布分流提示信息，引导游客错峰旅游。",
                 "景区入口实行测温、扫码登记，发现异常立即按应急预案处置。"])
    b.add(owner="shanghai-cbirc", issuer="中国银行保险监督管理委员会上海监管局办公室", agency="沪银保监办通",
          level="provincial", title="上海银保监局办公室关于印发政府信息公开实施规程的通知",
          theme=THEME_BY_NAME["办事服务"], topics=[], written_on=date(2020, 1, 6), category="其他政策文件", art20=15,
          measure="政府信息公开实施规程", doc_number="沪银保监办通〔2020〕1号",
          items=["在综合办公平台系统办公流程中默认政府信息公开属性为“主动公开”。",
                 "更改属性为“不予公开”的，须注明条例第十四条至第十六条规定的理由，并分别经主办部门、政府信息公开牵头部门审核。",
                 "定期分析和评估依申请公开案例，将社会申请较多的事项调整为主动公开。"],
          closing="第十七条　上海银保监局应当建立健全政府信息公开工作考核、社会评议和责任追究等机制，定期对政府信息公开工作进行考核、评议。")
    b.add(owner="yantai-ftz", issuer="中国（山东）自由贸易试验区烟台片区管理委员会", agency="烟自贸发",
          level="municipal", title="中国（山东）自由贸易试验区烟台片区关于推进智慧自贸建设的行动意见",
          theme=THEME_BY_NAME["办事服务"], topics=["优化营商环境"], written_on=date(2020, 5, 8),
          category="其他政策文件", art20=3, measure="推进智慧自贸建设",
          items=["制定过程中征集20余家专业机构意见，召开政策商讨会、园区和数字经济企业座谈会近30场。",
                 "推行“不见面”办事，创新公开“不见面”办事咨询二维码服务库。",
                 "按照有“贷”必应的原则，以“明白纸”形式开展政策讲解和政银企对接。"])


def _not_public(b: _Builder) -> None:
    """Drafts and one 依申请公开 document: staff pages show them, public pages never do."""
    fund, jobs = THEME_BY_NAME["财政奖补"], THEME_BY_NAME["稳岗就业"]
    draft = {"状态": "草稿", "发布日期": ""}
    b.add(owner="hunan-finance", issuer="湖南省财政厅", agency="湘财发", level="provincial",
          title="湖南省财政厅关于2020年下半年稳企业保就业资金安排的通知（征求意见稿）", theme=fund, topics=[FUGONG],
          written_on=date(2020, 6, 28), category="其他政策文件", measure="2020年下半年稳企业保就业资金安排",
          extra=draft, doc_number="")
    b.add(owner="hunan-office", issuer="湖南省人民政府办公厅", agency="湘政办发", level="provincial",
          title="湖南省人民政府办公厅关于做好复工复产政策评估工作的通知（送审稿）", theme=THEME_BY_NAME["办事服务"],
          topics=[FUGONG], written_on=date(2020, 6, 29), category="其他政策文件", measure="做好复工复产政策评估工作",
          extra={"状态": "已提交", "发布日期": ""}, doc_number="")
    b.add(owner="changsha", issuer="长沙市人民政府办公厅", agency="长政办发", level="municipal",
          title="长沙市人民政府办公厅关于支持个体工商户复工复业的若干措施（草稿）", theme=jobs, topics=[XIAOWEI],
          written_on=date(2020, 6, 30), category="行政规范性文件", measure="支持个体工商户复工复业", extra=draft,
          doc_number="")
    b.add(owner="hunan-finance", issuer="湖南省财政厅", agency="湘财请", level="provincial",
          title="湖南省财政厅关于复工复产专项奖补资金分配方案的请示", theme=fund, topics=[],
          written_on=date(2020, 3, 9), category="其他", measure="复工复产专项奖补资金分配方案",
          extra={"公开属性": "依申请公开", "不公开理由": "第十六条第二款：过程性信息（讨论记录、过程稿、磋商信函、请示报告等）",
                 "不公开说明": "该请示为资金分配方案报批过程中形成的请示报告，属于过程性信息，分配结果已另行主动公开。"})


# --- Images for 图解 (PNG written with zlib only: no imaging library is a dependency) ---------

def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def chart_png(values: list[int], colour: tuple[int, int, int], width: int = 480, height: int = 270) -> bytes:
    """A banner and one bar per measure (height from ``values``)."""
    background, banner = bytes((250, 246, 238)), bytes((179, 38, 30))
    rows: list[bytes] = []
    bars = len(values)
    slot = (width - 40) // max(bars, 1)
    top = max(values) or 1
    for y in range(height):
        if y < 44:
            rows.append(banner * width)
            continue
        row = bytearray(background * width)
        for i, value in enumerate(values):
            bar_height = int((height - 80) * value / top)
            if height - 20 - bar_height <= y < height - 20:
                start = 20 + i * slot + slot // 6
                end = start + slot * 2 // 3
                row[start * 3:end * 3] = bytes(colour) * (end - start)
        if y == height - 20:
            row[20 * 3:(width - 20) * 3] = bytes((90, 90, 90)) * (width - 40)
        rows.append(bytes(row))
    return _png(width, height, rows)


GRAPHICS: tuple[tuple[str, str, tuple[int, int, int]], ...] = (
    ("融资贷款", "融资贷款", (29, 92, 150)),
    ("稳岗就业", "稳岗就业", (46, 125, 50)),
    ("运营成本", "运营成本", (191, 112, 0)),
    ("办事服务", "办事服务", (94, 53, 177)),
    ("文化企业", "文化旅游", (0, 121, 107)),
    ("税费优惠", "税费优惠", (173, 20, 87)),
    ("财政奖补", "财政奖补", (121, 85, 72)),
    ("市场监管", "市场监管", (55, 71, 79)),
)

INTERVIEW_QA: tuple[tuple[str, str], ...] = (
    ("今年以来，省财政出台了哪些支持复工复产的政策？",
     "我们围绕财政奖补、税费优惠、融资贷款三个方面出台了一揽子政策：对扩产扩能、技术改造给予补助，"
     "对重点企业贷款给予贴息，对受疫情影响较大的中小微企业减免房产税、城镇土地使用税。"),
    ("企业申请扩产扩能技术改造补助，需要准备哪些材料？要跑几次？",
     "只要跑一次，甚至一次都不用跑。补助已纳入复工复产政策兑现“一件事一次办”，企业在政务服务大厅政策兑现窗口或"
     "网上政务服务平台“我要享受扩产扩能技术改造补助”一次提交申请表、项目投资凭证即可。"),
    ("贷款贴息的比例是多少？哪些企业能享受？",
     "对纳入重点保障名单的企业，新增贷款按合同利率的50%给予贴息，期限不超过1年。小微企业和个体工商户通过"
     "政府性融资担保机构获得的贷款，担保费率降至1%以下。"),
    ("个体工商户承租国有房屋，房租怎么减免？",
     "承租国有资产类经营用房的中小企业和个体工商户，免收3个月租金、减半收取3个月租金。已经缴纳的，可以在以后的"
     "租期中抵扣。"),
    ("政策出台后，企业怎样才能及时知道？",
     "省政府门户网站开设了复工复产政策库，分层级集中公开国家、省级和市州政策，并设置了搜索栏；同时开通了12345"
     "复工复产专线，企业可以随时咨询。"),
    ("资金什么时候能到企业账上？",
     "实行“直给直兑”，审核通过后资金直接拨付到企业账户，不需要企业再跑财政部门。"),
)


def _publisher(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _interpretations(orgs: dict[str, Organisation], docs_by_title: dict[str, Document]) -> int:
    from gongkai.policies.services.interpretations import (
        interpretation_add_image,
        interpretation_add_qa,
        interpretation_create,
        interpretation_publish,
    )

    office_publisher, finance_publisher = _publisher("hn_publisher"), _publisher("hncz_publisher")
    if office_publisher is None or finance_publisher is None:
        return 0
    tags = {t.name: t for t in Tag.objects.filter(kind=Tag.Kind.THEME)}
    public_provincial = list(Document.objects.filter(level__in=["provincial", "national"], status="published",
                                                     disclosure="proactive", tags__name=FUGONG)
                             .order_by("index_no").prefetch_related("tags"))
    created = 0

    def exists(title: str) -> bool:
        return Interpretation.objects.filter(title=title).exists()

    for number, (label, theme_name, colour) in enumerate(GRAPHICS, start=1):
        title = f"图解：湖南复工复产政策之{label}篇（第{number}期）"
        if exists(title):
            continue
        theme = THEME_BY_NAME[theme_name]
        related = [d for d in public_provincial if any(t.name == theme_name for t in d.tags.all())][:3]
        items = list(theme.items)
        alt = (f"图解“{label}篇”，{len(items)}根柱形分别代表{len(items)}项措施：" + "；".join(items))[:500]
        body = "".join(f"<p>{i}. {item}</p>" for i, item in enumerate(items, start=1))
        graphic = interpretation_create(
            actor=office_publisher, organisation=orgs["hunan-office"], documents=related, kind="graphic",
            title=title, summary=f"一图读懂复工复产{label}政策：{theme.measures[0]}等{len(items)}项措施。",
            body_html=body, themes=[tags[theme_name]])
        values = [len(item) for item in items]
        png = chart_png(values, colour)
        interpretation_add_image(
            actor=office_publisher, interpretation=graphic, alt_text=alt,
            uploaded_file=SimpleUploadedFile(f"{hashlib.sha256(png).hexdigest()}.png", png, "image/png"))
        interpretation_publish(actor=office_publisher, interpretation=graphic)
        created += 1

    title = "“厅”说政策——2020年复工复产政策访谈：省财政厅谈财政奖补和融资贷款政策"
    if not exists(title):
        finance_docs = [d for d in public_provincial if d.organisation_id == orgs["hunan-finance"].pk][:4]
        interview = interpretation_create(
            actor=finance_publisher, organisation=orgs["hunan-finance"], documents=finance_docs, kind="interview",
            title=title, host="省政府门户网站主持人（演示）", guests="湖南省财政厅分管负责同志（演示）",
            summary="省财政厅分管负责同志用群众语言解读财政奖补、税费优惠、融资贷款等复工复产政策。",
            body_html="<p>“‘厅’说政策”是省政府门户网站开设的复工复产政策访谈栏目，邀请省直部门分管负责同志"
                      "解读政策、回答企业关心的问题。本期邀请省财政厅分管负责同志。</p>",
            themes=[tags["财政奖补"], tags["融资贷款"], tags["税费优惠"]])
        for question, answer in INTERVIEW_QA:
            interpretation_add_qa(actor=finance_publisher, interpretation=interview, question=question, answer=answer,
                                  asked_by="主持人", answered_by="省财政厅分管负责同志")
        interpretation_publish(actor=finance_publisher, interpretation=interview)
        created += 1

    texts = (
        ("湖南省人民政府办公厅关于推进复工复产政策兑现“一件事一次办”的通知", "办事服务",
         "<p>一、出台背景。为解决政策兑现“材料多、程序繁、反复跑、不知道哪里找”等问题，推动复工复产政策落地见效，"
         "省政府办公厅印发了本通知。</p><p>二、主要内容。梳理出122项复工复产政策“干货”，改造成27件“事”，"
         "构建“一次告知、一次申报、一次受理、一次联办、一次兑现”的闭环流程。</p>"
         "<p>三、怎么办理。企业可到各级政务服务大厅“一件事一次办”专窗或政策兑现窗口办理，也可在政务服务一体化平台"
         "线上申请。</p>"),
        ("湖南省人民政府办公厅关于应对新冠肺炎疫情支持中小微企业和个体工商户共渡难关的若干措施", "运营成本",
         "<p>一、为什么出台。疫情对中小微企业和个体工商户生产经营造成较大影响，需要精准施策、帮助其共渡难关。</p>"
         "<p>二、有哪些措施。主要包括减免房租、降低融资成本、减免税费、稳定就业岗位四个方面。</p>"
         "<p>三、谁能享受。在湖南省内依法登记的中小微企业和个体工商户。</p>"),
    )
    for doc_title, theme_name, body in texts:
        title = f"《{doc_title.removeprefix('湖南省人民政府办公厅')}》政策解读"
        document = docs_by_title.get(doc_title)
        if exists(title) or document is None:
            continue
        text = interpretation_create(actor=office_publisher, organisation=orgs["hunan-office"], documents=[document],
                                     kind="text", title=title, summary=f"解读{doc_title}的出台背景、主要内容和办理方式。",
                                     body_html=body, themes=[tags[theme_name]])
        interpretation_publish(actor=office_publisher, interpretation=text)
        created += 1
    return created


def _libraries(orgs: dict[str, Organisation]) -> int:
    from gongkai.policies.services.libraries import library_create, library_publish

    created = 0
    specs = (
        ("fugong-fuchan", "复工复产政策库", FUGONG,
         "分层级集中公开国家、省级和市州复工复产政策文件，方便企业群众检索。"),
        ("xiaowei-geti", "湖南省支持小微企业和个体工商户政策库", XIAOWEI,
         "集中发布支持小微企业和个体工商户的省级政策和各市州地方配套政策。"),
    )
    for sort, (slug, name, topic, description) in enumerate(specs, start=1):
        if SpecialLibrary.objects.filter(slug=slug).exists():
            continue
        library = library_create(actor=None, organisation=orgs["hunan-office"], slug=slug, name=name,
                                 description=description, kind=SpecialLibrary.Kind.RULE,
                                 rule_tags=[Tag.objects.get(kind=Tag.Kind.TOPIC, name=topic)],
                                 rule_levels=["national", "provincial", "municipal"], sort=sort)
        library_publish(actor=None, library=library)
        created += 1
    return created


@dataclass
class DemoDocumentsResult:
    report: ImportReport
    interpretations: int = 0
    libraries: int = 0


@transaction.atomic
def load_demo_documents(stdout: Any = None) -> DemoDocumentsResult:
    """Load (or leave unchanged) the demo documents, interpretations and special libraries; the
    demo organisations and accounts must exist (``gongkai.core.demo.load_demo``)."""
    slugs = {"hunan", "hunan-office", "hunan-finance", "hunan-culture-tourism", "hunan-samr", "hunan-tax",
             "changsha", "zhuzhou", "shanghai-cbirc", "yantai-ftz", "yixian"}
    orgs = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    missing = slugs - set(orgs)
    if missing:
        raise RuntimeError(f"缺少演示机关：{'、'.join(sorted(missing))}，请先加载演示机关和账号。")
    rows = build_rows(orgs)
    report = import_documents(actor=None, rows=rows, organisation_resolver=OrganisationResolver(),
                              source="演示数据")
    if not report.ok:
        raise RuntimeError("演示文件导入失败：" + "；".join(map(str, report.errors[:5])))
    titles = [r["标题"] for r in rows]
    docs_by_title = {d.title: d for d in Document.objects.filter(title__in=titles)}
    result = DemoDocumentsResult(report, _interpretations(orgs, docs_by_title), _libraries(orgs))
    if stdout is not None:
        stdout.write(
            f"演示文件：{len(rows)} 件（新建 {report.created}、更新 {report.updated}、未变化 {report.unchanged}，"
            f"修改/废止关系 {report.relations} 条）；新建政策解读 {result.interpretations} 篇、专题库 {result.libraries} 个。")
    return result
