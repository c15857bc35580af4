"""One template per letter type (告知书模板), as data.

A template is a title, an addressee line and a sequence of blocks. A block is a paragraph with
``{placeholders}`` filled from the letter's context (``build.letter_context``); ``when`` names a
context key that must be truthy for the block to appear; an ``items`` block is a numbered list
from a context list. The renderer (``render``) turns the same filled template into DOCX and PDF,
and always adds the agency, the seal placeholder (（印章）) and the date at the end.

Wording follows the usual 政府信息公开申请答复告知书 of Chinese agencies; every letter cites its
article of 《中华人民共和国政府信息公开条例》 (regulation.md §1.3–§1.7) and every reply that is
not a full disclosure states the remedies (``remedies_text``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from gongkai.domain.disclosure_outcomes import Outcome, OutcomeGroup

LAW: Final = "《中华人民共和国政府信息公开条例》"
FEE_RULES: Final = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
SEAL: Final = "（印章）"


@dataclass(frozen=True)
class Block:
    """``para``: one paragraph; ``items``: numbered lines from the context list ``key``."""

    text: str = ""
    when: str = ""
    kind: str = "para"
    key: str = ""


@dataclass(frozen=True)
class LetterTemplate:
    kind: str
    title: str
    addressee: str
    blocks: tuple[Block, ...]
    # Whether the applicant may download the letter (a 征求意见函 goes to the third party).
    applicant_visible: bool = True


INTRO: Final = Block("本机关于{received_date}收到您（单位）提交的政府信息公开申请（受理编号：{receipt_no}），"
                     "您申请获取的政府信息为：“{description}”。")
CONTACT: Final = Block("联系方式：{office_contact}", when="office_contact")

REPLY: Final = LetterTemplate(
    kind="reply",
    title="政府信息公开申请答复告知书",
    addressee="{applicant_name}：",
    blocks=(
        INTRO,
        Block("经审查，您申请获取的政府信息属于可以公开的政府信息。根据{article}的规定，本机关决定予以公开。",
              when="is_disclosed"),
        Block("提供形式：{form_wanted}；获取方式：{delivery_method}。{delivery_note}", when="is_disclosed"),
        Block("经审查，您申请获取的政府信息已经主动公开。根据{article}的规定，现告知您获取该政府信息的方式和途径："
              "{public_location}", when="is_already_public"),
        Block("经审查，您申请获取的政府信息中有部分内容可以公开。根据{article}的规定，本机关对可以公开的部分予以公开"
              "（提供形式：{form_wanted}；获取方式：{delivery_method}），对其余部分不予公开。{delivery_note}",
              when="is_partial"),
        Block("不予公开的内容及理由：{reasons}", when="is_partial"),
        Block("经审查，{finding}。根据{article}的规定，{decision}。", when="is_refusal"),
        Block("理由：{reasons}", when="is_refusal"),
        Block("该政府信息由{responsible_agency}负责公开{responsible_agency_contact}，请您向该机关申请。",
              when="responsible_agency"),
        Block("说明：{reasons}", when="is_full"),
        Block("{remedies}", when="remedies"),
        CONTACT,
        Block("特此告知。"),
    ),
)

CORRECTION: Final = LetterTemplate(
    kind="correction",
    title="政府信息公开申请补正告知书",
    addressee="{applicant_name}：",
    blocks=(
        INTRO,
        Block("经审查，您的申请内容不明确。根据{article}的规定，现一次性告知您对下列事项作出补正："),
        Block(kind="items", key="items"),
        Block("请您自收到本告知书之日起{period_days}个工作日内{correction_due_note}提交补正后的申请。"
              "本机关的答复期限自收到补正后的申请之日起重新计算。"),
        Block("您无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。"),
        CONTACT,
        Block("特此告知。"),
    ),
)

EXTENSION: Final = LetterTemplate(
    kind="extension",
    title="政府信息公开申请延期答复告知书",
    addressee="{applicant_name}：",
    blocks=(
        INTRO,
        Block("延期理由：{reason}"),
        Block("因上述原因，本机关不能在规定期限内作出答复。经本机关政府信息公开工作机构负责人同意，根据{article}的"
              "规定，答复期限延长{days}个工作日，延长后的答复期限至{new_due}。"),
        Block("本机关将在延长后的期限内作出答复。"),
        CONTACT,
        Block("特此告知。"),
    ),
)

CONSULTATION: Final = LetterTemplate(
    kind="consultation",
    title="政府信息公开征求意见函",
    addressee="{party}：",
    applicant_visible=False,
    blocks=(
        # The applicant's identity is not the third party's business: the letter names only
        # the receipt number and the information asked for.
        Block("本机关于{received_date}收到政府信息公开申请（受理编号：{receipt_no}），申请获取的政府信息为："
              "“{description}”。"),
        Block("经审查，本机关认为公开该政府信息可能损害您（单位）的合法权益。根据{article}的规定，现书面征求您（单位）"
              "的意见。", when="is_third_party"),
        Block("该政府信息由本机关与贵机关共同制作。根据{article}的规定，现征求贵机关的意见。", when="is_other_agency"),
        Block("请自收到本函之日起15个工作日内{reply_due_note}提出书面意见；不同意公开的，请说明理由。"),
        Block("逾期未提出意见的，由本机关依照" + LAW + "的规定决定是否公开。第三方不同意公开且有合理理由的，本机关"
              "不予公开；本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，并将决定公开的政府信息内容"
              "和理由书面告知第三方。", when="is_third_party"),
        Block("逾期未提出意见的，视为同意公开。", when="is_other_agency"),
        CONTACT,
        Block("特此函告。"),
    ),
)

FEE: Final = LetterTemplate(
    kind="fee",
    title="政府信息公开信息处理费缴费通知书",
    addressee="{applicant_name}：",
    blocks=(
        INTRO,
        Block("您申请公开政府信息的数量、频次明显超过合理范围。根据{article}的规定，本机关依法收取信息处理费，"
              "具体如下："),
        Block("计收方式：{method}（同一申请只按一种方式计收）"),
        Block("计算依据：{explanation}"),
        Block("应缴金额：人民币{amount}元"),
        Block("请您自收到本通知之日起20个工作日内{payment_due_note}缴纳。缴费方式：{payment_method}。"
              "信息处理费属于政府非税收入，全额上缴国库。"),
        Block("自本通知发出之日至本机关收到费用之日的期间，不计算在答复期限内。您逾期未缴纳的，视为放弃申请，"
              "本机关不再处理该政府信息公开申请。"),
        CONTACT,
        Block("特此通知。"),
    ),
)

TEMPLATES: Final[dict[str, LetterTemplate]] = {
    t.kind: t for t in (REPLY, CORRECTION, EXTENSION, CONSULTATION, FEE)
}

# What the agency found (经审查，…), for every reply other than a (full or partial) disclosure.
FINDINGS: Final[dict[Outcome, str]] = {
    Outcome.WITHHELD_STATE_SECRET: "您申请获取的政府信息属于国家秘密",
    Outcome.WITHHELD_PROHIBITED_BY_LAW: "您申请获取的政府信息属于法律、行政法规禁止公开的政府信息",
    Outcome.WITHHELD_SECURITY_STABILITY: "您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定",
    Outcome.WITHHELD_THIRD_PARTY: "您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害",
    Outcome.WITHHELD_INTERNAL_AFFAIRS: "您申请获取的政府信息属于人事管理、后勤管理、内部工作流程等方面的内部事务信息",
    Outcome.WITHHELD_PROCESS_INFO: "您申请获取的政府信息属于讨论记录、过程稿、磋商信函、请示报告等过程性信息",
    Outcome.WITHHELD_ENFORCEMENT_FILE: "您申请获取的政府信息属于行政执法案卷信息",
    Outcome.WITHHELD_ADMIN_QUERY: "您申请获取的信息属于依照有关法律、行政法规须通过专门程序查询的信息",
    Outcome.UNABLE_NOT_HELD: "本机关经检索，没有您申请获取的政府信息，该政府信息不存在",
    Outcome.UNABLE_NOT_THIS_AGENCY: "您申请获取的政府信息不属于本机关负责公开",
    Outcome.UNABLE_NEEDS_CREATION: "本机关没有您申请获取的现成信息，提供该信息需要对现有政府信息进行加工、分析",
    Outcome.UNABLE_STILL_UNCLEAR: "您补正后的申请内容仍不明确，本机关无法确定您所需的政府信息",
    Outcome.NOT_PROCESSED_PETITION: "您的申请属于以政府信息公开申请的形式进行信访、投诉、举报等活动",
    Outcome.NOT_PROCESSED_REPEAT: "您就同一政府信息重复申请公开，本机关已就该申请作出过答复",
    Outcome.NOT_PROCESSED_PUBLICATION: "您申请获取的是公开出版物，可以通过公开发行渠道获取",
    Outcome.NOT_PROCESSED_EXCESSIVE: "您申请公开政府信息的数量、频次明显超过合理范围，且未能说明正当理由",
    Outcome.NOT_PROCESSED_CONFIRM_OR_REISSUE: "您的申请系要求本机关确认或者重新出具已获取的信息",
    Outcome.OTHER: "现就您的申请答复如下",
}

DECISIONS: Final[dict[OutcomeGroup, str]] = {
    OutcomeGroup.WITHHELD: "本机关决定不予公开",
    OutcomeGroup.UNABLE: "本机关无法提供",
    OutcomeGroup.NOT_PROCESSED: "本机关不予处理",
    OutcomeGroup.OTHER: "本机关作如下处理",
}

DELIVERY_NOTES: Final[dict[str, str]] = {
    "post": "本机关将按您提供的通信地址邮寄送达。",
    "email": "本机关将通过您提供的电子邮箱发送。",
    "pickup": "请您持本告知书及有效身份证件，于工作时间到本机关政府信息公开工作机构领取。",
    "online": "请您凭受理编号和查询码在本平台“申请查询”页面下载。",
}


def cite(article: str) -> str:
    """条例第三十六条第（二）项 → 《中华人民共和国政府信息公开条例》第三十六条第（二）项."""
    text = (article or "").strip()
    if text.startswith("条例"):
        return LAW + text[2:]
    return text or LAW
