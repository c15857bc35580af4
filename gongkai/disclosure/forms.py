"""Forms of the staff workbench for requests (依申请公开工作台). They only parse input: every rule
that matters (roles, states, deadlines, fees) is the services' to check, and their Chinese
``ValidationError`` messages are put back onto these forms by the views."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import date, datetime
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from gongkai.accounts.models import Organisation
from gongkai.disclosure.models import (
    APPLICANT_TYPE_CHOICES,
    ORGANISATION_KIND_CHOICES,
    DeliveryMethod,
    FormWanted,
    IdType,
    RequestAttachment,
)
from gongkai.disclosure.services.submission import STAFF_CHANNELS
from gongkai.domain.disclosure_deadlines import CONSULTATION_LABELS, REPLY_DAYS
from gongkai.domain.disclosure_outcomes import GROUP_LABELS, OUTCOMES, OutcomeGroup
from gongkai.domain.disclosure_receipt import CHANNEL_LABELS, CHINA_TZ
from gongkai.domain.fees import FeeMethod

DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")


def _normalise(value: str) -> str:
    """全角 digits and punctuation as typed on Chinese keyboards; 年月日 as separators."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    for mark in ("年", "月"):
        text = text.replace(mark, "-")
    return text.replace("日", " ").replace("时", ":").replace("分", "").strip()


def parse_datetime_text(value: str) -> datetime | None:
    text = " ".join(_normalise(value).split())
    for fmt in DATETIME_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - China time is attached below
        except ValueError:
            continue
        if fmt == "%Y-%m-%d":
            parsed = parsed.replace(hour=12)
        return parsed.replace(tzinfo=CHINA_TZ)
    return None


def parse_date_text(value: str) -> date | None:
    text = _normalise(value).replace(" ", "")
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day, no time
        except ValueError:
            continue
    return None


class _TextField(forms.Field):
    widget = forms.TextInput

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "maxlength": "40", "autocomplete": "off"}


class ChinaDateTimeField(_TextField):
    """A date and time in China time typed as text (no JavaScript picker; 全角 digits accepted)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "格式：2026-06-01 09:30（北京时间）")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        text = str(value or "").strip()[:40]
        if not text:
            return None
        parsed = parse_datetime_text(text)
        if parsed is None:
            raise forms.ValidationError(f"“{self.label}”格式不正确，请按 2026-06-01 09:30 的格式填写。")
        return parsed


class ChinaDateField(_TextField):
    """A calendar day typed as text; blank means today (the services default to today)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "格式：2026-06-01；不填为今天。")
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def to_python(self, value: Any) -> date | None:
        text = str(value or "").strip()[:40]
        if not text:
            return None
        parsed = parse_date_text(text)
        if parsed is None:
            raise forms.ValidationError(f"“{self.label}”格式不正确，请按 2026-06-01 的格式填写。")
        return parsed


class NoEchoTextInput(forms.TextInput):
    """Personal data is never echoed back into a page, not even on a form with errors (the
    masking rule holds for every page but the reveal response)."""

    def format_value(self, value: Any) -> str | None:
        return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def read_files(files: list[Any]) -> list[tuple[str, bytes]]:
    return [(f.name, f.read()) for f in files]


def outcome_choices() -> list[tuple[str, Any]]:
    """The reply types grouped by the six result groups, with the labels of the outcomes table."""
    groups: list[tuple[str, Any]] = [("", "（请选择答复类型）")]
    for group in OutcomeGroup:
        items = [(o.value, info.label) for o, info in OUTCOMES.items() if info.group is group and info.is_reply]
        if items:
            groups.append((GROUP_LABELS[group], items))
    return groups


def department_choices(organisations: QuerySet[Organisation]) -> list[tuple[str, str]]:
    return [(str(o.pk), o.name) for o in organisations.order_by("tree_path")]


def subtree(roots: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """Every active organisation at or below one of ``roots`` (where a request can be assigned)."""
    condition = Q(pk__in=[])
    for path in roots.values_list("tree_path", flat=True):
        condition |= Q(tree_path__startswith=path)
    return Organisation.objects.filter(condition, is_active=True)


class ActionForm(forms.Form):
    """Every action form carries the version the user saw (optimistic locking)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, request_obj: Any = None, **kwargs: Any) -> None:
        self.request_obj = request_obj
        super().__init__(*args, **kwargs)


# --- Registration ------------------------------------------------------------------------------------------


class RegistrationForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="受理机关")
    channel = forms.ChoiceField(label="提交方式", widget=forms.RadioSelect,
                                choices=[(c.value, CHANNEL_LABELS[c]) for c in CHANNEL_LABELS if c in STAFF_CHANNELS])
    arrived_at = ChinaDateTimeField(label="提交、签收或到达时间",
                                    help_text="当面提交为提交时间，邮寄为签收时间，其他为到达时间。格式：2026-06-01 09:30")
    confirmed_at = ChinaDateTimeField(label="与申请人确认的时间", required=False,
                                      help_text="平常信函、传真、电子邮件须与申请人确认；确认之日为收到申请之日。"
                                                "格式：2026-06-01 10:00")
    applicant_type = forms.ChoiceField(label="申请人类型", choices=APPLICANT_TYPE_CHOICES, widget=forms.RadioSelect)
    organisation_kind = forms.ChoiceField(label="法人或其他组织类型", required=False,
                                          choices=[("", "（自然人不选）"), *ORGANISATION_KIND_CHOICES])
    applicant_name = forms.CharField(label="申请人姓名或名称", max_length=100, required=False)
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    id_type = forms.ChoiceField(label="证件类型", choices=[("", "（法人或其他组织可不选）"), *IdType.choices], required=False)
    id_number = forms.CharField(label="证件号码", max_length=30, required=False, widget=NoEchoTextInput,
                                help_text="如表单有错误需重新填写，为保护个人信息此项不会回显。")
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False, widget=NoEchoTextInput,
                            help_text="如表单有错误需重新填写，为保护个人信息此项不会回显。")
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    address = forms.CharField(label="通信地址", max_length=300, required=False, widget=NoEchoTextInput,
                              help_text="如表单有错误需重新填写，为保护个人信息此项不会回显。")
    postcode = forms.CharField(label="邮政编码", max_length=6, required=False)
    description = forms.CharField(label="所需政府信息的名称、文号或特征描述", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    purpose = forms.CharField(label="用途说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    form_wanted = forms.ChoiceField(label="信息提供形式", choices=FormWanted.choices, widget=forms.RadioSelect)
    delivery_method = forms.ChoiceField(label="获取方式", choices=DeliveryMethod.choices, widget=forms.RadioSelect)
    attachments = MultipleFileField(label="申请材料（扫描件）", help_text="PDF、图片或 Office 文件，按文件内容检查类型。")
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    APPLICATION_FIELDS = ("applicant_type", "organisation_kind", "applicant_name", "contact_person", "id_type",
                          "id_number", "credit_code", "phone", "email", "address", "postcode", "description",
                          "purpose", "form_wanted", "delivery_method")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = organisations.order_by("tree_path")
        if organisations.count() == 1:
            field.initial = organisations.first()
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(24))
            self.initial.setdefault("applicant_type", "natural_person")
            self.initial.setdefault("form_wanted", FormWanted.PAPER)
            self.initial.setdefault("delivery_method", DeliveryMethod.POST)

    def application_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or "" for name in self.APPLICATION_FIELDS}


class ConfirmReceiptForm(ActionForm):
    confirmed_at = ChinaDateTimeField(label="与申请人确认的时间")


# --- Workflow actions ------------------------------------------------------------------------------------


class AssignForm(ActionForm):
    department = forms.ChoiceField(label="承办部门")
    note = forms.CharField(label="分办说明", required=False, max_length=500)

    def __init__(self, *args: Any, departments: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is None and self.request_obj is not None:
            departments = subtree(Organisation.objects.filter(pk=self.request_obj.organisation_id))
        choices = department_choices(departments) if departments is not None else []
        self.fields["department"].choices = [("", "（请选择）"), *choices]  # type: ignore[attr-defined]

    def clean_department(self) -> Organisation:
        department = Organisation.objects.filter(pk=self.cleaned_data["department"], is_active=True).first()
        if department is None:
            raise forms.ValidationError("请选择承办部门。")
        return department


class AskCorrectionForm(ActionForm):
    items = forms.CharField(label="需要补正的事项", widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="每行一项，一次性告知全部需要补正的事项。")
    period_days = forms.IntegerField(label="补正期限（工作日）", min_value=1, max_value=60, initial=15)
    on = ChinaDateField(label="告知日期")

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ReceiveCorrectionForm(ActionForm):
    on = ChinaDateField(label="收到补正日期")
    description = forms.CharField(label="补正后的信息描述", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="申请人重新描述所需信息的，在此填写；不填则保留原描述。")
    note = forms.CharField(label="说明", required=False, max_length=500)
    attachments = MultipleFileField(label="补正材料")


class OnForm(ActionForm):
    on = ChinaDateField(label="日期")


class ConsultationStartForm(ActionForm):
    kind = forms.ChoiceField(label="征求意见类型", widget=forms.RadioSelect,
                             choices=[(k.value, label) for k, label in CONSULTATION_LABELS.items()])
    party = forms.CharField(label="被征求意见方", max_length=200)
    on = ChinaDateField(label="征求意见书发出日期")
    note = forms.CharField(label="说明", required=False, max_length=500)


class ConsultationEndForm(ActionForm):
    on = ChinaDateField(label="收到意见日期")
    reply_text = forms.CharField(label="意见内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    decision = forms.CharField(label="处理决定", widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(ActionForm):
    days = forms.IntegerField(label="延长期限（工作日）", min_value=1, max_value=20, initial=20)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))
    on = ChinaDateField(label="同意延期日期")


class FeeForm(ActionForm):
    method = forms.ChoiceField(label="计收方式", widget=forms.RadioSelect,
                               choices=[(m.value, m.label) for m in FeeMethod],
                               help_text="按件或按量只能选择一种，不能同时计收。")
    pages = forms.IntegerField(label="页数（按量计收时填写）", required=False, min_value=1)
    on = ChinaDateField(label="通知日期")
    received_on = ChinaDateField(label="申请人收到通知日期", help_text="不填则以通知日期计算缴费期限。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method, pages = data.get("method"), data.get("pages")
        if method == FeeMethod.PER_REQUEST and pages:
            self.add_error("pages", "按件计收不填页数：按件和按量不能同时计收。")
        if method == FeeMethod.PER_VOLUME and not pages:
            self.add_error("pages", "按量计收请填写页数。")
        return data


class DraftForm(ActionForm):
    outcome = forms.ChoiceField(label="答复类型", choices=outcome_choices)
    article = forms.CharField(label="法律依据", required=False, max_length=200,
                              help_text="不填则引用该答复类型对应的条款。")
    reasons = forms.CharField(label="答复理由", widget=forms.Textarea(attrs={"rows": 4}))
    public_location = forms.CharField(label="已公开信息的获取方式和途径", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="答复类型为“已主动公开”时必填。")
    responsible_agency = forms.CharField(label="负责公开该信息的机关", required=False, max_length=200,
                                         help_text="不属于本机关负责公开、能够确定负责机关的，告知其名称。")
    responsible_agency_contact = forms.CharField(label="该机关的联系方式", required=False, max_length=200)


class DecisionForm(ActionForm):
    decision = forms.ChoiceField(label="审核结论", widget=forms.RadioSelect,
                                 choices=[("approve", "同意"), ("reject", "退回修改")])
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="退回时必须填写意见。")


class DeliverForm(ActionForm):
    method = forms.ChoiceField(label="送达方式", choices=DeliveryMethod.choices, widget=forms.RadioSelect)
    on = ChinaDateField(label="送达日期")
    tracking_no = forms.CharField(label="邮件单号或电子邮件标识", required=False, max_length=120,
                                  help_text="邮寄、电子邮件送达时必填。")


class ReasonForm(ActionForm):
    reason = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}))
    on = ChinaDateField(label="日期")


class WithdrawForm(ReasonForm):
    reason = forms.CharField(label="撤回说明（申请人撤回的方式和时间）", widget=forms.Textarea(attrs={"rows": 2}))
    on = ChinaDateField(label="撤回日期")


class ReopenForm(ReasonForm):
    reason = forms.CharField(label="重新办理的依据（复议决定书或判决书）", widget=forms.Textarea(attrs={"rows": 2}))
    days = forms.IntegerField(label="重新办理期限（工作日）", min_value=1, max_value=60, initial=REPLY_DAYS)
    on = ChinaDateField(label="决定生效日期")


class NoteForm(ActionForm):
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    audience = forms.ChoiceField(label="类型", widget=forms.RadioSelect, initial="internal",
                                 choices=[("internal", "内部备注（申请人看不到）"), ("applicant", "给申请人的留言（申请人可见）")])


class AttachmentForm(ActionForm):
    file = forms.FileField(label="文件")
    kind = forms.ChoiceField(label="文件类型", widget=forms.RadioSelect, initial=RequestAttachment.Kind.RELEASED,
                             choices=[(RequestAttachment.Kind.RELEASED, "公开的政府信息（申请人可下载）"),
                                      (RequestAttachment.Kind.INTERNAL, "内部材料（申请人看不到）")])


class RejectPaymentForm(ActionForm):
    reason = forms.CharField(label="未通过核实的理由（申请人可见）", widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=1000, help_text="如：未查到该交易流水号的到账记录，请核对后重新报告。")


class PublishAnswerForm(ActionForm):
    title = forms.CharField(label="标题", max_length=100,
                            help_text="概括所公开的信息，如“2025年义务教育阶段招生划片方案”。不得含申请人信息。")
    summary = forms.CharField(label="公开内容摘要", max_length=500, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="写明公开了什么、在哪里可以获取；不写申请人姓名、证件号码、联系方式等个人信息。")


class SettingsForm(forms.Form):
    legal_review_all_replies = forms.BooleanField(
        label="所有答复均经法制审核", required=False,
        help_text="默认只有予以公开以外的答复须经法制审核；勾选后予以公开的答复也须审核。")
    payment_instructions = forms.CharField(
        label="信息处理费缴费方式", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="收款单位、开户银行和账号，或网上缴费渠道；申请人在查询页面缴费时看到。不填则沿用上级机关的设置，"
                  "均未填写的提示申请人向本机关领取非税收入缴款书。")
