"""Forms of the enterprise-profile pages. Values stay text here: the services parse and validate
them (one set of Chinese messages for pages, import and API) and their errors are put back on
the fields."""

from __future__ import annotations

from typing import Any

from django import forms

from gongkai.accounts.models import Organisation
from gongkai.enterprise.selectors import industry_choices
from gongkai.enterprise.services import QUALIFICATION_KINDS


def _text(label: str, *, required: bool = False, max_length: int = 120, help_text: str = "",
          **attrs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text,
                           widget=forms.TextInput(attrs=attrs))


def _date(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=20, help_text="格式：2020-03-02",
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


FIGURE_HELP = "单位：万元，可保留两位小数；不清楚的请留空。"


class FiguresForm(forms.Form):
    """企业自报: the figures the enterprise keeps current itself."""

    employees = _text("从业人员（人）", max_length=10, help_text="期末从业人员数；不清楚的请留空。", inputmode="numeric")
    revenue = _text("营业收入（万元）", max_length=20, help_text=FIGURE_HELP, inputmode="decimal")
    assets = _text("资产总额（万元）", max_length=20, help_text=FIGURE_HELP, inputmode="decimal")
    contact_email = forms.CharField(label="联系邮箱", required=False, max_length=254,
                                    widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class EnterpriseForm(FiguresForm):
    """企业档案 (staff). ``creating=False`` drops the credit code: it is the identity."""

    field_order = ["credit_code", "name", "registered_on", "region_code", "industry", "is_individual",
                   "employees", "revenue", "assets", "contact_email"]

    credit_code = _text("统一社会信用代码", required=True, max_length=18, help_text="18位，见营业执照。",
                        autocomplete="off", spellcheck="false")
    name = _text("企业名称", required=True, help_text="与营业执照一致。")
    registered_on = _date("成立日期")
    region_code = _text("所在地区（行政区划代码）", required=True, max_length=6, help_text="6位代码，如 430102。",
                        inputmode="numeric")
    industry = forms.ChoiceField(label="所属行业（GB/T 4754-2017）", required=False, choices=())
    is_individual = forms.BooleanField(label="个体工商户", required=False,
                                       help_text="统一社会信用代码以“92”开头的为个体工商户。")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        industry = self.fields["industry"]
        assert isinstance(industry, forms.ChoiceField)
        industry.choices = industry_choices()
        if not creating:
            del self.fields["credit_code"]


class QualificationForm(forms.Form):
    kind = _text("资质名称", required=True, max_length=40, list="qualification-kinds",
                 help_text="如：" + "、".join(QUALIFICATION_KINDS[:4]) + "。")
    issuer = _text("认定机关", max_length=100)
    certificate_no = _text("证书编号", max_length=60)
    valid_from = _date("有效期起")
    valid_to = _date("有效期至")


class TagsForm(forms.Form):
    tags = forms.CharField(label="企业标签", required=False, max_length=500, help_text="多个标签用顿号（、）分隔。",
                           widget=forms.TextInput())


class ClaimForm(forms.Form):
    credit_code = _text("统一社会信用代码", required=True, max_length=18, help_text="18位，见营业执照。",
                        autocomplete="off", spellcheck="false")
    name = _text("企业名称", required=True, help_text="与营业执照上的名称完全一致。")
    contact_name = _text("联系人", required=True, max_length=50, autocomplete="name")
    contact_phone = _text("联系电话", required=True, max_length=20, help_text="核验时工作人员会与您联系。",
                          autocomplete="tel", inputmode="tel")
    note = forms.CharField(label="说明（选填）", required=False, max_length=300,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", required=True, max_length=300, help_text="申请人会看到此理由。",
                             widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(label="导入机关", queryset=Organisation.objects.none(), empty_label=None,
                                          help_text="只能导入该机关所在行政区划内的企业。")
    file = forms.FileField(label="名录文件（CSV 或 XLSX）", help_text="第一行为列名，见导入模板；统一社会信用代码相同的更新，"
                           "其余新建；有任何错误时全部不导入。")

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations if organisations is not None else Organisation.objects.none()
