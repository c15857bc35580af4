"""演示数据: about 60 依申请公开 requests of 2025–2026 for the demo organisations (``gongkai demo``).

Every request is driven through the services — submission or registration, then assignment,
补正, 征求意见, 延期, 收费, 答复 / 法制审核 / 审批, 送达, 归档, 撤回, 重新办理 — with the dates of
each act in the past. While a request is played, the service clock (``services.deadlines.today``,
the hook the services document for moving the clock) is set to the day of the act, so the
timeline reads in order; afterwards every open request's flags are recomputed for the real
today, which makes some of them 即将到期 and some 已超期.

The requests cover every status, every one of the 24 outcomes and both applicant types with the
five 法人或其他组织 sub-types. Applicants are fictional: ID numbers are made up with a valid
GB 11643 check digit (region 430102, born in the 1980s), telephone numbers have a local part
beginning with 0 (no Chinese subscriber number does), e-mail addresses are under example.com.

Idempotent: each request carries a fixed idempotency key; a request whose key exists is skipped.
The few extra staff accounts the workflow needs (legal reviewers and heads where the core demo
has none) are created with the demo password and an authenticator device.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import transaction

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant, user_create
from gongkai.core.demo import DEMO_PASSWORD, _ensure_devices
from gongkai.disclosure.models import DisclosureRequest
from gongkai.disclosure.services import deadlines, submission, workflow
from gongkai.domain.disclosure_outcomes import OUTCOMES, Outcome
from gongkai.domain.disclosure_receipt import CHINA_TZ
from gongkai.domain.identifiers import make_credit_code
from gongkai.workcalendar.selectors import working_calendar

KEY_PREFIX = "demo-disclosure-"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def demo_id_number(born: date, seq: int, region: str = "430102") -> str:
    """A made-up 公民身份号码 with a valid GB 11643 check digit (never a real person's)."""
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]


# --- Staff ----------------------------------------------------------------------------------------

# Accounts the core demo lacks but the workflow needs (法制审核 and 审批 in every organisation).
EXTRA_STAFF: tuple[tuple[str, str, str, str], ...] = (
    ("hncz_legal", "演示法制审核员（省财政厅）", "hunan-finance", OrgRole.LEGAL_REVIEWER),
    ("yx_legal", "演示法制审核员（黟县）", "yixian", OrgRole.LEGAL_REVIEWER),
    ("yx_head", "演示公开办负责人（黟县）", "yixian", OrgRole.OFFICE_HEAD),
    ("sh_registrar", "演示登记员（上海银保监局）", "shanghai-cbirc", OrgRole.REGISTRAR),
    ("sh_handler", "演示承办人（上海银保监局）", "shanghai-cbirc", OrgRole.HANDLER),
    ("sh_legal", "演示法制审核员（上海银保监局）", "shanghai-cbirc", OrgRole.LEGAL_REVIEWER),
    ("sh_head", "演示公开办负责人（上海银保监局）", "shanghai-cbirc", OrgRole.OFFICE_HEAD),
)

# Per organisation: registrar, handler, legal reviewer, office head (hn_head's membership covers
# the departments below the general office).
TEAMS: dict[str, tuple[str, str, str, str]] = {
    "hunan-office": ("hn_registrar", "hn_handler", "hn_legal", "hn_head"),
    "hunan-finance": ("hncz_registrar", "hncz_handler", "hncz_legal", "hn_head"),
    "yixian": ("yx_registrar", "yx_handler", "yx_legal", "yx_head"),
    "shanghai-cbirc": ("sh_registrar", "sh_handler", "sh_legal", "sh_head"),
}


def ensure_extra_staff() -> list[tuple[str, str]]:
    """Create the extra accounts (idempotent); returns (username, TOTP secret) of each."""
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


# --- Applicants -----------------------------------------------------------------------------------


def _person(name: str, born: date, seq: int, n: int, delivery: str = "email") -> dict[str, Any]:
    return {
        "applicant_type": "natural_person", "applicant_name": name, "id_type": "resident_id",
        "id_number": demo_id_number(born, seq), "phone": f"0731-0{n:07d}",
        "email": f"applicant{n}@example.com", "address": f"湖南省长沙市芙蓉区示例街{n}号（演示地址）",
        "postcode": "410011", "form_wanted": "electronic", "delivery_method": delivery,
    }


def _org(kind: str, name: str, prefix: str, division: str, body: str, contact: str, n: int,
         delivery: str = "post") -> dict[str, Any]:
    return {
        "applicant_type": "organisation", "organisation_kind": kind, "applicant_name": name,
        "credit_code": make_credit_code(prefix, division, body), "contact_person": contact,
        "phone": f"0731-0{n:07d}", "email": f"contact{n}@example.com",
        "address": f"{name}办公地址（演示地址）", "postcode": "410000", "form_wanted": "paper",
        "delivery_method": delivery,
    }


APPLICANTS: tuple[dict[str, Any], ...] = (
    _person("张明", date(1983, 4, 12), 31, 101),
    _org("business", "长沙示例建材有限公司", "91", "430102", "7A3K9M2P", "周经理", 102),
    _person("王芳", date(1987, 9, 3), 42, 103, delivery="online"),
    _org("research", "湖南示例农业科学研究所", "12", "430000", "4R8T2W6Q", "李研究员", 104),
    _person("李强", date(1980, 1, 25), 15, 105, delivery="post"),
    _org("public_interest", "示例环境保护公益基金会", "53", "430000", "9H5J3L7N", "赵秘书长", 106, delivery="email"),
    _person("刘洋", date(1989, 11, 8), 57, 107),
    _org("legal_service", "湖南示例律师事务所", "31", "430000", "2C6E8G4B", "陈律师", 108),
    _person("陈静", date(1985, 6, 30), 26, 109, delivery="pickup"),
    _org("other", "黟县示例村股份经济合作社", "N2", "341023", "5D1F7K3M", "汪主任", 110, delivery="pickup"),
    _person("杨帆", date(1982, 2, 14), 73, 111, delivery="online"),
    _org("business", "上海示例保险经纪有限公司", "91", "310115", "8P2R6T4W", "孙总监", 112, delivery="email"),
)

# --- Scenarios ------------------------------------------------------------------------------------

REASONS: dict[Outcome, str] = {
    Outcome.DISCLOSED: "经审查，您申请的信息属于可以公开的政府信息，予以公开，详见附件。",
    Outcome.ALREADY_PUBLIC: "您申请的信息已经主动公开，请按下列方式和途径获取。",
    Outcome.PARTIAL: "所申请信息中涉及个人隐私的部分不予公开，其余部分予以公开。",
    Outcome.WITHHELD_STATE_SECRET: "经保密审查，所申请信息已依法确定为国家秘密，不予公开。",
    Outcome.WITHHELD_PROHIBITED_BY_LAW: "所申请信息属于法律、行政法规禁止公开的信息，不予公开。",
    Outcome.WITHHELD_SECURITY_STABILITY: "所申请信息公开后可能危及社会稳定，不予公开。",
    Outcome.WITHHELD_THIRD_PARTY: "所申请信息涉及第三方商业秘密，经征求意见第三方不同意公开，不予公开。",
    Outcome.WITHHELD_INTERNAL_AFFAIRS: "所申请信息属于人事管理、后勤管理等内部事务信息，不予公开。",
    Outcome.WITHHELD_PROCESS_INFO: "所申请信息属于讨论记录、请示报告等过程性信息，不予公开。",
    Outcome.WITHHELD_ENFORCEMENT_FILE: "所申请信息属于行政执法案卷信息，不予公开。",
    Outcome.WITHHELD_ADMIN_QUERY: "所申请内容属于行政查询事项，请通过相应的查询渠道办理。",
    Outcome.UNABLE_NOT_HELD: "经检索，本机关未制作或获取所申请的政府信息。",
    Outcome.UNABLE_NOT_THIS_AGENCY: "所申请信息不属于本机关负责公开，请向负责公开的机关申请。",
    Outcome.UNABLE_NEEDS_CREATION: "所申请信息需要对现有政府信息进行加工、分析，本机关不予另行制作。",
    Outcome.UNABLE_STILL_UNCLEAR: "经补正后申请内容仍不明确，本机关无法确定所需信息。",
    Outcome.NOT_PROCESSED_PETITION: "您的申请实质是投诉举报，请通过信访渠道反映，本机关不作为政府信息公开申请处理。",
    Outcome.NOT_PROCESSED_REPEAT: "您就同一内容已提出申请并已获答复，属于重复申请，不予重复处理。",
    Outcome.NOT_PROCESSED_PUBLICATION: "所申请的是公开出版物，请通过公开发行渠道获取。",
    Outcome.NOT_PROCESSED_EXCESSIVE: "申请人无正当理由大量、反复申请，超出合理范围，不予处理。",
    Outcome.NOT_PROCESSED_CONFIRM_OR_REISSUE: "您要求本机关确认或重新出具已获取的信息，不属于政府信息公开申请。",
    Outcome.OTHER: "所申请信息应通过档案查阅途径办理，已告知具体方式。",
}


@dataclass(frozen=True)
class Scenario:
    """One demo request: where it goes, who asks, and how far the workflow is played.

    ``target``: the status it ends in ("reopened" = delivered then reopened; "delivered" /
    "archived" close with ``outcome``). ``extras``: "correction" (补正 then received), "consult",
    "extend", "fee" (notice then paid), "transfer" (to 省财政厅), "message", "late_confirm".
    """

    org: str
    channel: str
    arrival: date
    applicant: int
    description: str
    target: str
    outcome: Outcome | None = None
    extras: frozenset[str] = frozenset()


def _s(org: str, channel: str, arrival: date, applicant: int, description: str, target: str,
       outcome: Outcome | None = None, *extras: str) -> Scenario:
    return Scenario(org, channel, arrival, applicant, description, target, outcome, frozenset(extras))


Oc = Outcome
HO, FI, YX, SH = "hunan-office", "hunan-finance", "yixian", "shanghai-cbirc"
D = date

SCENARIOS: tuple[Scenario, ...] = (
    # --- 2025: closed, one per reply outcome and then some ----------------------------------------
    _s(HO, "online", D(2025, 1, 6), 0, "申请公开2025年长沙市某区老旧小区改造项目的资金使用情况", "archived", Oc.DISCLOSED),
    _s(HO, "in_person", D(2025, 1, 14), 1, "湖南省优化营商环境若干措施（湘政办发〔2025〕2号）的起草说明", "archived",
       Oc.ALREADY_PUBLIC),
    _s(FI, "registered_post", D(2025, 2, 10), 4, "2024年省级财政对某县乡村振兴衔接资金的分配文件", "archived", Oc.PARTIAL),
    _s(HO, "registered_post", D(2025, 2, 24), 7, "某国防工程建设用地的批复文件", "archived", Oc.WITHHELD_STATE_SECRET),
    _s(SH, "online", D(2025, 3, 3), 11, "某保险公司反洗钱检查的现场检查底稿", "archived", Oc.WITHHELD_PROHIBITED_BY_LAW),
    _s(HO, "email", D(2025, 3, 17), 6, "某群体性事件处置过程中的内部研判材料", "archived", Oc.WITHHELD_SECURITY_STABILITY),
    _s(FI, "online", D(2025, 3, 31), 5, "2024年政府采购某信息化项目的投标文件及报价明细", "archived", Oc.WITHHELD_THIRD_PARTY,
       "consult"),
    _s(HO, "in_person", D(2025, 4, 14), 2, "省政府办公厅2024年工作人员考核结果", "archived", Oc.WITHHELD_INTERNAL_AFFAIRS),
    _s(HO, "online", D(2025, 4, 28), 8, "2025年省政府常务会议研究复工复产政策的讨论记录", "archived", Oc.WITHHELD_PROCESS_INFO),
    _s(SH, "registered_post", D(2025, 5, 12), 7, "对某银行支行行政处罚案件的全部调查询问笔录", "archived",
       Oc.WITHHELD_ENFORCEMENT_FILE),
    _s(SH, "online", D(2025, 5, 26), 10, "本人名下在辖区各银行的全部账户信息", "archived", Oc.WITHHELD_ADMIN_QUERY),
    _s(YX, "in_person", D(2025, 6, 9), 9, "1985年黟县某村集体林地承包的原始登记册", "archived", Oc.UNABLE_NOT_HELD),
    _s(YX, "online", D(2025, 6, 23), 0, "黟县某小区商品房预售许可证及备案价格", "archived", Oc.UNABLE_NOT_THIS_AGENCY),
    _s(FI, "registered_post", D(2025, 7, 7), 3, "近十年全省各县市区财政科研投入占比的分析报告", "archived",
       Oc.UNABLE_NEEDS_CREATION),
    _s(HO, "ordinary_letter", D(2025, 7, 21), 4, "关于那个项目的所有文件", "archived", Oc.UNABLE_STILL_UNCLEAR,
       "correction", "late_confirm"),
    _s(YX, "in_person", D(2025, 8, 4), 4, "举报某村干部违规发放补贴，要求调查处理", "archived", Oc.NOT_PROCESSED_PETITION),
    _s(YX, "online", D(2025, 8, 18), 0, "黟县某小区商品房预售许可证及备案价格（再次申请）", "archived",
       Oc.NOT_PROCESSED_REPEAT),
    _s(HO, "online", D(2025, 9, 1), 6, "《湖南年鉴（2024）》全文", "archived", Oc.NOT_PROCESSED_PUBLICATION),
    _s(FI, "email", D(2025, 9, 15), 7, "省财政厅2015年至2025年全部发文目录及全文", "archived",
       Oc.NOT_PROCESSED_EXCESSIVE),
    _s(SH, "online", D(2025, 10, 13), 11, "要求对我司已取得的高管任职资格核准文件重新出具并加盖公章", "archived",
       Oc.NOT_PROCESSED_CONFIRM_OR_REISSUE),
    _s(HO, "in_person", D(2025, 10, 27), 2, "1990年代某国有企业改制的档案材料", "archived", Oc.OTHER),
    _s(FI, "in_person", D(2025, 11, 10), 1, "省财政厅关于中小企业纾困资金申报条件和拨付名单", "delivered", Oc.DISCLOSED,
       "fee"),
    _s(YX, "online", D(2025, 11, 24), 9, "黟县2025年乡村旅游发展专项资金的分配和使用情况", "delivered", Oc.DISCLOSED,
       "extend"),
    _s(HO, "online", D(2025, 12, 8), 0, "2025年全省安全生产大检查通报", "withdrawn"),
    _s(YX, "in_person", D(2025, 12, 15), 10, "宏村镇某村集体土地征收补偿安置方案", "abandoned", None, "correction"),
    # --- 2026: closed -------------------------------------------------------------------------------
    _s(HO, "online", D(2026, 1, 12), 8, "2026年省级重点建设项目名单及投资计划", "delivered", Oc.DISCLOSED),
    _s(FI, "online", D(2026, 1, 19), 3, "湖南省2025年省级一般公共预算支出决算表", "delivered", Oc.ALREADY_PUBLIC),
    _s(SH, "online", D(2026, 2, 2), 11, "上海银保监局2025年度保险公司分支机构设立批复清单", "delivered", Oc.DISCLOSED),
    _s(YX, "registered_post", D(2026, 2, 9), 5, "黟县2025年古民居保护修缮项目清单及资金", "delivered", Oc.PARTIAL,
       "consult"),
    _s(HO, "email", D(2026, 3, 2), 1, "2025年政府采购某信息化项目的中标结果及合同文本", "archived", Oc.PARTIAL,
       "transfer"),
    _s(HO, "online", D(2026, 3, 16), 6, "省政府办公厅2025年公务接待费用支出明细", "delivered", Oc.UNABLE_NOT_HELD),
    _s(SH, "in_person", D(2026, 4, 7), 2, "某商业银行上海分行理财产品销售违规的投诉处理结果", "delivered",
       Oc.WITHHELD_THIRD_PARTY, "consult", "extend"),
    _s(YX, "online", D(2026, 4, 20), 0, "黟县西递镇某民宿经营许可的审批材料", "delivered", Oc.DISCLOSED),
    _s(FI, "registered_post", D(2026, 5, 11), 7, "某市专项债券资金使用情况及项目清单", "stopped", None, "fee"),
    _s(HO, "email", D(2026, 6, 1), 4, "某高速公路项目征地补偿标准的批复文件", "delivered", Oc.WITHHELD_PROCESS_INFO),
    _s(SH, "online", D(2026, 6, 15), 10, "上海辖区银行业金融机构2025年消费者投诉情况通报", "delivered", Oc.ALREADY_PUBLIC),
    _s(YX, "in_person", D(2026, 7, 6), 9, "黟县2026年农村人居环境整治项目招标文件", "withdrawn", None, "consult"),
    _s(HO, "online", D(2026, 7, 20), 2, "某市城区学校布局规划调整的请示及省政府批复", "abandoned", None, "correction"),
    _s(FI, "online", D(2026, 8, 3), 8, "2026年省本级“三公”经费预算明细", "delivered", Oc.DISCLOSED, "message"),
    _s(SH, "registered_post", D(2026, 8, 17), 7, "某财产保险公司车险理赔投诉的调查报告", "delivered", Oc.PARTIAL),
    _s(HO, "in_person", D(2026, 9, 1), 5, "湖南省人民政府关于某地块土地征收的批准文件", "reopened", Oc.UNABLE_NOT_HELD),
    _s(YX, "online", D(2026, 9, 14), 6, "黟县某道路拓宽工程房屋征收决定及补偿标准", "delivered", Oc.DISCLOSED),
    # --- 2026: open -----------------------------------------------------------------------------------
    _s(HO, "online", D(2026, 9, 21), 0, "省政府办公厅关于政务服务“一件事一次办”的实施方案", "in_handling"),  # overdue
    _s(FI, "in_person", D(2026, 9, 28), 1, "某企业获得的省级财政奖补资金金额及依据", "legal_review", Oc.PARTIAL),  # overdue
    _s(YX, "registered_post", D(2026, 10, 12), 4, "黟县2025年脱贫户产业奖补资金发放名单", "awaiting_approval",
       Oc.PARTIAL),  # overdue
    _s(SH, "online", D(2026, 10, 19), 11, "某保险经纪公司高管任职资格核准文件", "in_handling"),  # overdue
    _s(HO, "in_person", D(2026, 10, 26), 8, "2026年长沙市某区保障性住房分配名单", "consulting", None, "consult"),
    _s(FI, "registered_post", D(2026, 10, 29), 3, "省财政厅2025年行政事业性收费目录清单依据文件", "approved",
       Oc.DISCLOSED),  # due soon
    _s(HO, "online", D(2026, 10, 30), 6, "2026年全省义务教育阶段学校招生计划", "in_handling"),  # due soon
    _s(YX, "online", D(2026, 11, 2), 10, "黟县2026年古民居保护修缮项目中标单位名单", "legal_review",
       Oc.WITHHELD_THIRD_PARTY),  # due soon
    _s(SH, "in_person", D(2026, 11, 3), 2, "上海银保监局对某保险公司2025年行政处罚决定书", "awaiting_approval",
       Oc.DISCLOSED),  # due soon
    _s(FI, "in_person", D(2026, 11, 4), 5, "2026年省级生态环境保护专项资金分配方案", "awaiting_fee", None, "fee"),
    _s(HO, "email", D(2026, 11, 9), 4, "省政府2026年为民办实事项目进展情况", "in_handling", None, "extend"),
    _s(YX, "in_person", D(2026, 11, 12), 9, "宏村镇2026年旅游门票收入分配方案", "consulting", None, "consult"),
    _s(HO, "in_person", D(2026, 11, 16), 7, "某开发区管委会设立的批复文件", "in_handling"),
    _s(FI, "online", D(2026, 11, 18), 0, "某市2026年政府债务限额分配文件", "awaiting_correction", None, "correction"),
    _s(SH, "registered_post", D(2026, 11, 19), 1, "辖区财产保险公司2025年偿付能力评级结果", "awaiting_correction",
       None, "correction"),
    _s(HO, "in_person", D(2026, 11, 20), 2, "2026年省政府办公厅政府购买服务项目清单", "registered"),
    _s(YX, "fax", D(2026, 11, 23), 3, "黟县2026年农业科技推广项目立项文件", "registered"),
    _s(HO, "online", D(2026, 11, 25), 6, "长沙市某区2026年道路改造工程的环评批复", "submitted"),
    _s(SH, "online", D(2026, 11, 26), 11, "某人寿保险公司上海分公司2026年投诉处理考核结果", "submitted"),
    _s(FI, "online", D(2026, 11, 27), 10, "2026年省级文化旅游发展专项资金申报指南", "submitted"),
)


# --- Playing a scenario ------------------------------------------------------------------------------


@contextmanager
def service_clock(day: date) -> Iterator[None]:
    """Set the services' "today" to ``day`` for the acts recorded inside."""
    original = deadlines.today
    setattr(deadlines, "today", lambda: day)  # noqa: B010 — the documented hook, restored below
    try:
        yield
    finally:
        setattr(deadlines, "today", original)  # noqa: B010


class _Player:
    def __init__(self, n: int, spec: Scenario, users: dict[str, User], orgs: dict[str, Organisation],
                 real_today: date) -> None:
        self.n, self.spec, self.orgs, self.real_today = n, spec, orgs, real_today
        self.calendar = working_calendar()
        reg, hdl, legal, head = TEAMS[spec.org]
        self.registrar, self.handler, self.legal, self.head = (users[reg], users[hdl], users[legal], users[head])
        self.day = spec.arrival
        self.req: DisclosureRequest | None = None

    def later(self, working_days: int) -> date:
        self.day = min(self.calendar.add_working_days(self.day, working_days).due, self.real_today)
        return self.day

    def act(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        with service_clock(self.day):
            result = fn(**kwargs)
        if isinstance(result, DisclosureRequest):
            self.req = result
        else:
            assert self.req is not None
            self.req = DisclosureRequest.objects.get(pk=self.req.pk)
        return result

    @property
    def r(self) -> DisclosureRequest:
        assert self.req is not None
        return self.req

    def play(self) -> None:
        spec, target = self.spec, self.spec.target
        self.create()
        if target in ("submitted", "registered"):
            return
        if "correction" in spec.extras:
            self.later(2)
            self.act(workflow.request_ask_correction, actor=self.registrar, request=self.r,
                     items=["请写明所需信息的名称、文号或者便于查询的其他特征描述", "请补充身份证明材料"])
            if target == "awaiting_correction":
                return
            if target == "abandoned":
                self.later(20)
                self.act(workflow.request_mark_abandoned, actor=self.registrar, request=self.r)
                return
            self.later(5)
            self.act(workflow.request_receive_correction, actor=self.registrar, request=self.r,
                     note="申请人来函补正", description=spec.description + "（补正后的描述）")
        self.later(1)
        self.act(workflow.request_assign, actor=self.registrar, request=self.r, department=self.orgs[spec.org],
                 note="请按期办理")
        if "transfer" in spec.extras:
            self.later(1)
            self.act(workflow.request_assign, actor=self.registrar, request=self.r, department=self.orgs[FI],
                     note="该信息由省财政厅掌握，转其办理")
            self.handler = User.objects.get(username="hncz_handler")
        if "message" in spec.extras:
            self.act(workflow.request_add_note, actor=self.handler, request=self.r, visible_to_applicant=True,
                     text="您的申请正在办理中，如需补充说明请留言。")
        if "consult" in spec.extras:
            self.consult(close=target != "consulting")
            if target == "consulting":
                return
        if target == "withdrawn":
            self.later(2)
            self.act(workflow.request_withdraw, actor=self.registrar, request=self.r,
                     reason="申请人来电表示已通过其他途径获取，申请撤回")
            return
        if "extend" in spec.extras:
            self.later(3)
            self.act(workflow.request_extend, actor=self.head, request=self.r, days=15,
                     reason="所需信息涉及多个部门，需要较长时间检索汇总")
        if "fee" in spec.extras:
            notice_day = self.later(2)
            received = self.later(1)
            self.act(workflow.fee_notice, actor=self.handler, request=self.r, method="per_volume",
                     pages=120 + 20 * (self.n % 5), on=notice_day, received_on=received)
            if target == "awaiting_fee":
                return
            if target == "stopped":
                self.later(22)
                self.act(workflow.request_mark_stopped, actor=self.handler, request=self.r)
                return
            self.later(4)
            self.act(workflow.fee_paid, actor=self.registrar, request=self.r)
        if target == "in_handling":
            return
        self.reply()

    def create(self) -> None:
        spec = self.spec
        data = {**APPLICANTS[spec.applicant], "description": spec.description}
        arrived = datetime.combine(spec.arrival, time(10, 0), tzinfo=CHINA_TZ)
        key = f"{KEY_PREFIX}{self.n:03d}"
        if spec.channel == "online":
            self.act(lambda **kw: submission.request_submit_online(**kw).request, organisation=self.orgs[spec.org],
                     data=data, idempotency_key=key, arrived_at=arrived)
            if spec.target != "submitted":
                self.act(submission.request_confirm_receipt, actor=self.registrar, request=self.r,
                         confirmed_at=datetime.combine(spec.arrival, time(16, 0), tzinfo=CHINA_TZ))
            return
        confirmed = None
        if spec.channel in ("ordinary_letter", "fax", "email"):
            day = self.later(1) if "late_confirm" in spec.extras else spec.arrival
            confirmed = datetime.combine(day, time(15, 0), tzinfo=CHINA_TZ)
        self.act(lambda **kw: submission.request_register(**kw).request, actor=self.registrar,
                 organisation=self.orgs[spec.org], channel=spec.channel, arrived_at=arrived,
                 confirmed_at=confirmed, data=data, idempotency_key=key)

    def consult(self, *, close: bool) -> None:
        self.later(2)
        consultation = self.act(workflow.consultation_start, actor=self.handler, request=self.r,
                                party="相关第三方（演示单位）", kind="third_party")
        self.later(1)
        self.act(workflow.consultation_deliver, actor=self.handler, consultation=consultation)
        if close:
            self.later(8)
            self.act(workflow.consultation_end, actor=self.handler, consultation=consultation,
                     reply_text="第三方书面回复：涉及本单位商业秘密的部分不同意公开。",
                     decision="对涉及商业秘密的部分不予公开，其余部分依法处理")

    def reply(self) -> None:
        spec, target = self.spec, self.spec.target
        outcome = spec.outcome or Outcome.DISCLOSED
        self.later(3)
        extra: dict[str, Any] = {}
        if outcome is Outcome.ALREADY_PUBLIC:
            extra["public_location"] = "已在本机关门户网站“政府信息公开”专栏主动公开，可在线查阅或下载。"
        if outcome is Outcome.UNABLE_NOT_THIS_AGENCY:
            extra["responsible_agency"] = "黟县住房和城乡建设局（演示）"
            extra["responsible_agency_contact"] = "0559-00005678"
        self.act(workflow.reply_draft, actor=self.handler, request=self.r, outcome=outcome, reasons=REASONS[outcome],
                 **extra)
        self.act(workflow.reply_submit_for_review, actor=self.handler, request=self.r)
        if self.r.status == "legal_review":
            if target == "legal_review":
                return
            self.later(1)
            self.act(workflow.reply_legal_review, actor=self.legal, request=self.r, approve=True,
                     comment="经审核，答复理由和依据适当")
        if target == "awaiting_approval":
            return
        self.later(1)
        self.act(workflow.reply_approve, actor=self.head, request=self.r, approve=True, comment="同意")
        if target == "approved":
            return
        self.later(1)
        method = self.r.delivery_method
        tracking = {"post": f"EMS{9000000000 + self.n}", "email": f"<demo-{self.n}@mail.example.gov.cn>"}
        self.act(workflow.request_deliver, actor=self.handler, request=self.r, method=method,
                 tracking_no=tracking.get(method, ""))
        if target == "archived":
            self.later(2)
            self.act(workflow.request_archive, actor=self.registrar, request=self.r)
        if target == "reopened":
            self.later(20)
            self.act(workflow.request_reopen, actor=self.head, request=self.r,
                     reason="行政复议决定（演示）责令重新答复")


# --- Loading ------------------------------------------------------------------------------------------


@dataclass
class DemoRequestsResult:
    total: int
    created: int
    statuses: int
    outcomes: int
    due_soon: int
    overdue: int
    extra_staff: list[tuple[str, str]]


@transaction.atomic
def load_demo_requests(stdout: Any = None) -> DemoRequestsResult:
    """Load (or leave unchanged) the demo requests; the demo organisations and accounts must exist
    (``gongkai.core.demo.load_demo``). Writes a one-line summary to ``stdout``."""
    slugs = {HO, FI, YX, SH}
    orgs = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    if set(orgs) != slugs:
        raise RuntimeError("缺少演示机关，请先加载演示机关和账号（gongkai demo）。")
    extra = ensure_extra_staff()
    usernames = {u for team in TEAMS.values() for u in team} | {"hncz_handler"}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    real_today = deadlines.today()
    existing = set(DisclosureRequest.objects.filter(idempotency_key__startswith=KEY_PREFIX)
                   .values_list("idempotency_key", flat=True))
    created = 0
    # Played in arrival order so each organisation's receipt numbers follow the calendar.
    for n, spec in sorted(enumerate(SCENARIOS, start=1), key=lambda item: (item[1].arrival, item[0])):
        if f"{KEY_PREFIX}{n:03d}" in existing or spec.arrival > real_today:
            continue
        _Player(n, spec, users, orgs, real_today).play()
        created += 1
    deadlines.recompute_open_requests(as_of=real_today)
    demo = DisclosureRequest.objects.filter(idempotency_key__startswith=KEY_PREFIX)
    result = DemoRequestsResult(
        total=demo.count(), created=created,
        statuses=demo.values("status").distinct().count(),
        outcomes=demo.exclude(outcome="").values("outcome").distinct().count(),
        due_soon=demo.filter(due_soon=True).count(), overdue=demo.filter(overdue=True).count(),
        extra_staff=extra,
    )
    if stdout is not None:
        stdout.write(
            f"演示依申请公开申请：共 {result.total} 件（新建 {result.created} 件），覆盖 {result.statuses} 种状态、"
            f"{result.outcomes}/{len(OUTCOMES)} 种办理结果，即将到期 {result.due_soon} 件、已超期 {result.overdue} 件；"
            "补充演示账号（密码同上，TOTP 密钥）：" + "，".join(f"{u} {s}" for u, s in extra) + "。"
        )
    return result
