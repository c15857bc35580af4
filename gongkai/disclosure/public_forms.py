"""Forms of the applicant side (依申请公开 网上申请 and 查询). Field types only: the rules of
条例第二十九条 (ID check digit, contact details, delivery) live in
``services.submission.clean_application``, whose Chinese errors the views copy onto the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from gongkai.accounts.models import Organisation
from gongkai.disclosure.models import DeliveryMethod, FormWanted, IdType
from gongkai.domain.disclosure_outcomes import ORGANISATION_KIND_LABELS, ApplicantType
from gongkai.policies.services.attachments import ALLOWED, clean_name, detect_kind, max_bytes

MAX_ONLINE_FILES = 5
# Drafts keep uploads in the session until submission: keep them small.
MAX_ONLINE_TOTAL_BYTES = 10 * 1024 * 1024

APPLICANT_TYPE_CHOICES = [(t.value, t.label) for t in ApplicantType]
ORGANISATION_KIND_FORM_CHOICES = [(k.value, label) for k, label in ORGANISATION_KIND_LABELS.items()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def organisations_accepting() -> Any:
    """Active organisations that can receive online applications (they need a 统一社会信用代码 for
    the receipt number)."""
    return Organisation.objects.filter(is_active=True).exclude(credit_code="").order_by("tree_path", "name")


def read_uploads(files: list[UploadedFile[Any]]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The uploads' bytes, checked by content (not by name); Chinese errors."""
    out: list[tuple[str, bytes]] = []
    errors: list[str] = []
    if len(files) > MAX_ONLINE_FILES:
        return [], [f"最多上传 {MAX_ONLINE_FILES} 个文件。"]
    total = 0
    for upload in files:
        name = clean_name(upload.name or "") or "附件"
        if upload.size and upload.size > max_bytes():
            errors.append(f"文件“{name}”超过 {max_bytes() // (1024 * 1024)} MB 的大小上限。")
            continue
        data = upload.read()
        total += len(data)
        if not data:
            errors.append(f"文件“{name}”是空文件。")
        elif not detect_kind(data):
            errors.append(f"文件“{name}”的类型不受支持：只接受 {ALLOWED}（按文件内容判断）。")
        else:
            out.append((name, data))
    if total > MAX_ONLINE_TOTAL_BYTES:
        errors.append(f"网上申请的附件合计不能超过 {MAX_ONLINE_TOTAL_BYTES // (1024 * 1024)} MB。")
    return out, errors


class ApplicationForm(forms.Form):
    """政府信息公开申请表."""

    organisation = forms.ModelChoiceField(
        label="受理机关", queryset=Organisation.objects.none(), empty_label="请选择",
        error_messages={"required": "请选择受理申请的机关。", "invalid_choice": "请选择受理申请的机关。"},
        help_text="向制作或者保存该政府信息的行政机关提出申请。",
    )
    applicant_type = forms.ChoiceField(
        label="申请人类型", choices=APPLICANT_TYPE_CHOICES, widget=forms.RadioSelect,
        error_messages={"required": "请选择申请人类型：自然人或法人或其他组织。",
                        "invalid_choice": "请选择申请人类型：自然人或法人或其他组织。"},
    )
    applicant_name = forms.CharField(label="姓名或名称", max_length=100, required=False,
                                     help_text="自然人填写姓名；法人或其他组织填写全称。")
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices, initial=IdType.RESIDENT_ID,
                                required=False)
    id_number = forms.CharField(label="证件号码", max_length=30, required=False,
                                help_text="居民身份证为18位，最后一位可能是 X。")
    organisation_kind = forms.ChoiceField(label="组织类型", choices=ORGANISATION_KIND_FORM_CHOICES,
                                          widget=forms.RadioSelect, required=False)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False,
                                  help_text="18位，见营业执照或登记证书。")
    contact_person = forms.CharField(label="联系人", max_length=50, required=False,
                                     help_text="法人或其他组织的经办人（选填）。")
    phone = forms.CharField(label="联系电话", max_length=30, required=False,
                            help_text="手机号为11位数字，固定电话如 020-12345678。")
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    address = forms.CharField(label="通信地址", max_length=300, required=False,
                              help_text="选择邮寄的必须填写。")
    postcode = forms.CharField(label="邮政编码", max_length=6, required=False)
    description = forms.CharField(
        label="所需政府信息的名称、文号或特征描述", widget=forms.Textarea(attrs={"rows": 5}), required=False,
        help_text="尽量写明文件名称、文号、发布机关和时间。一件申请请只写一项信息。",
    )
    purpose = forms.CharField(label="用途（选填）", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                              max_length=1000)
    form_wanted = forms.ChoiceField(label="信息的提供形式", choices=FormWanted.choices, widget=forms.RadioSelect,
                                    error_messages={"required": "请选择信息的提供形式：纸质、电子或查阅。",
                                                    "invalid_choice": "请选择信息的提供形式：纸质、电子或查阅。"})
    delivery_method = forms.ChoiceField(
        label="获取信息的方式", choices=DeliveryMethod.choices, widget=forms.RadioSelect,
        error_messages={"required": "请选择获取方式：邮寄、电子邮件、自取或在线。",
                        "invalid_choice": "请选择获取方式：邮寄、电子邮件、自取或在线。"},
    )
    attachments = MultipleFileField(
        label="附件（选填）", required=False,
        help_text=f"如身份证明、营业执照或其他有助于确定所需信息的材料；支持 {ALLOWED}，"
                  f"最多 {MAX_ONLINE_FILES} 个，合计不超过 {MAX_ONLINE_TOTAL_BYTES // (1024 * 1024)} MB。",
    )
    remove_attachments = forms.BooleanField(label="删除已上传的全部附件", required=False)

    # Order of the error summary and the fieldsets.
    SERVICE_FIELDS = ("applicant_type", "applicant_name", "id_type", "id_number", "organisation_kind", "credit_code",
                      "contact_person", "phone", "email", "address", "postcode", "description", "purpose",
                      "form_wanted", "delivery_method")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations_accepting()
        for name, bound in self.fields.items():
            if name in {"attachments", "remove_attachments"}:
                continue
            if isinstance(bound.widget, forms.TextInput | forms.Textarea | forms.Select):
                bound.widget.attrs.setdefault("class", "input")
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["email"].widget.attrs.update({"inputmode": "email", "autocomplete": "email", "spellcheck": "false"})
        self.fields["postcode"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})
        self.fields["address"].widget.attrs.update({"autocomplete": "street-address"})
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class LookupForm(forms.Form):
    """查询: 受理编号 + 查询码."""

    receipt_no = forms.CharField(label="受理编号", max_length=40,
                                 error_messages={"required": "请填写受理编号。"},
                                 help_text="见提交成功页面或回执，如 000014349-2026-00001。")
    query_code = forms.CharField(label="查询码", max_length=20,
                                 error_messages={"required": "请填写查询码。"},
                                 help_text="提交申请时显示的10位查询码。")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receipt_no"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["query_code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false",
                                                       "autocapitalize": "characters"})


class CorrectionForm(forms.Form):
    """补正: the corrected description, a note and files."""

    description = forms.CharField(label="补正后的所需信息描述", widget=forms.Textarea(attrs={"rows": 5}),
                                  required=False, help_text="按补正告知书的要求修改；无需修改描述的可不改。")
    note = forms.CharField(label="补正说明", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=2000)
    attachments = MultipleFileField(label="补正材料（选填）", required=False,
                                    help_text=f"支持 {ALLOWED}，最多 {MAX_ONLINE_FILES} 个。")


class MessageForm(forms.Form):
    text = forms.CharField(label="留言内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
                           error_messages={"required": "请填写留言内容。",
                                           "max_length": "留言不能超过4000个字。"})


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因（选填）", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             max_length=500)
    confirm = forms.BooleanField(label="我确认撤回这件申请，撤回后不能恢复",
                                 error_messages={"required": "请勾选确认撤回。"})
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PaymentReportForm(forms.Form):
    """我已缴费: the transaction reference and, optionally, the receipt (checked by content)."""

    reference = forms.CharField(label="交易流水号", max_length=80,
                                error_messages={"required": "请填写交易流水号（缴费凭证上的交易号或票据号）。"},
                                help_text="见银行回单、网上缴费记录或非税收入缴款书，如 2026061512345678。")
    receipt = forms.FileField(label="缴费凭证（选填）", required=False,
                              help_text=f"回单截图或扫描件，支持 {ALLOWED}。")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false",
                                                      "class": "input"})
