"""Forms of 一件事一次办: the merged application form (一表申请, built from the merged fields) with
one file input per material the applicant uploads (一套材料), and the staff decision forms."""

from __future__ import annotations

from typing import Any

from django import forms

from gongkai.domain.things_workflow import FieldType, MergedField, MergedMaterial
from gongkai.things.models import Acceptance, Payout, Window


def application_form_class(fields: list[MergedField], materials: list[MergedMaterial],
                           helps: dict[str, str]) -> type[forms.Form]:
    attrs: dict[str, Any] = {}
    for f in fields:
        widget: forms.Widget
        if f.type is FieldType.TEXTAREA:
            widget = forms.Textarea(attrs={"rows": 3})
        elif f.type is FieldType.DATE:
            widget = forms.DateInput(attrs={"type": "date"})
        elif f.type is FieldType.NUMBER:
            widget = forms.TextInput(attrs={"inputmode": "decimal"})
        elif f.type is FieldType.PHONE:
            widget = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
        else:
            widget = forms.TextInput()
        label = f.label if f.required else f"{f.label}（选填）"
        attrs[f.key] = forms.CharField(label=label, required=False, max_length=500, widget=widget,
                                       help_text=helps.get(f.key, ""))
    for m in materials:
        if m.upload:
            note = "必须上传" if m.required_at_submission else "容缺：可先提交，受理后补交"
            attrs[f"material__{m.key}"] = forms.FileField(
                label=f"{m.name}（{note}）", required=False,
                help_text="PDF、DOCX、XLSX、OFD、PNG、JPEG；同一材料只需上传一次，重新上传将替换原文件。")
    return type("ApplicationForm", (forms.Form,), attrs)


class AcceptForm(forms.Form):
    channel = forms.ChoiceField(label="受理方式", choices=Acceptance.Channel.choices, initial="online")
    window = forms.ModelChoiceField(label="受理窗口（窗口受理时选择）", queryset=Window.objects.none(),
                                    required=False)

    def __init__(self, *args: Any, windows: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if windows is not None:
            self.fields["window"].queryset = windows  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reasons = forms.CharField(label="不予受理的理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    to_fix = forms.CharField(label="需补正的内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             required=False, help_text="逐项写明申请人需要修改或补充的内容。")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="办理结论", choices=[("approve", "通过"), ("reject", "不予通过")],
                                 widget=forms.RadioSelect)
    reasons = forms.CharField(label="理由或意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                              required=False, help_text="不予通过时必须填写。")


class PayoutRecordForm(forms.Form):
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2, min_value=0)
    kind = forms.ChoiceField(label="兑现方式", choices=Payout.Kind.choices)
    paid_on = forms.DateField(label="兑现日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=300, required=False)


class PayoutConfirmForm(forms.Form):
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2, min_value=0, required=False)
    paid_on = forms.DateField(label="兑现日期", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    reason = forms.CharField(label="不予兑现的理由", max_length=300, required=False)
