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
            widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
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
    paid_on = forms.DateField(label="兑现日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label="说明", max_length=300, required=False)


class PayoutConfirmForm(forms.Form):
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2, min_value=0, required=False)
    paid_on = forms.DateField(label="兑现日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False)
    reason = forms.CharField(label="不予兑现的理由", max_length=300, required=False)


# ---------------------------------------------------------------- administration (一件事, 服务大厅, 窗口)

ITEM_ROWS_MIN = 5
ITEM_ROWS_MAX = 50


def item_rows(data: Any = None, current: int = 0) -> int:
    """How many ordered item selects the thing form shows: the posted ones, or the current items
    plus three empty rows (no script: order is the row order)."""
    if data is not None:
        posted = sum(1 for k in data if k.startswith("item_") and k[5:].isdigit())
        return max(ITEM_ROWS_MIN, min(posted, ITEM_ROWS_MAX))
    return max(ITEM_ROWS_MIN, min(current + 3, ITEM_ROWS_MAX))


def _item_label(obj: Any) -> str:
    return f"{obj.title}（编号 {obj.pk}）"


class ThingForm(forms.Form):
    """一件事 as staff set it up: texts, the items in order (one select per row) and the windows."""

    name = forms.CharField(label="名称", max_length=60, help_text="以办事人的口吻命名，如“我要申请减免房产税”。")
    slug = forms.SlugField(label="网址标识", max_length=60,
                           help_text="用于网址，只能使用英文字母、数字、连字符和下划线，如 fangchanshui-jianmian。")
    summary = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    conditions_text = forms.CharField(label="申请条件", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    fees_text = forms.CharField(label="收费标准", max_length=200, initial="不收费")
    online_note = forms.CharField(label="网上办理说明", max_length=300, required=False)
    consult_phone = forms.CharField(label="咨询电话", max_length=50, required=False)
    published = forms.BooleanField(label="发布（在门户“一件事一次办”中公开，可以申请）", required=False, initial=True)
    windows = forms.ModelMultipleChoiceField(label="受理窗口", queryset=Window.objects.none(), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    TEXT_FIELDS = ("name", "slug", "summary", "conditions_text", "fees_text", "online_note", "consult_phone",
                   "published")

    def __init__(self, *args: Any, items: Any, windows: Any, rows: int, lead_departments: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["windows"].queryset = windows  # type: ignore[attr-defined]
        if lead_departments is not None:
            self.fields["lead_department"] = forms.ModelChoiceField(
                label="牵头部门", queryset=lead_departments, empty_label=None,
                help_text="负责受理和出具受理回执的部门，创建后不能更改。")
            self.order_fields(["lead_department"])
        self.item_names = [f"item_{n}" for n in range(1, rows + 1)]
        for n, name in enumerate(self.item_names, 1):
            field = forms.ModelChoiceField(label=f"第 {n} 个事项", queryset=items, required=False,
                                           empty_label="（不选）")
            field.label_from_instance = _item_label  # type: ignore[method-assign]
            self.fields[name] = field

    def item_fields(self) -> list[Any]:
        return [self[name] for name in self.item_names]

    def other_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name not in self.item_names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [data[name] for name in self.item_names if data.get(name)]
        if not chosen:
            raise forms.ValidationError("“一件事”至少包含一个事项，请选择事项。")
        seen: set[int] = set()
        for item in chosen:
            if item.pk in seen:
                raise forms.ValidationError(f"事项“{item.title}”重复选择了，每个事项只能包含一次。")
            seen.add(item.pk)
        data["items"] = chosen
        return data

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.TEXT_FIELDS}


class HallForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200)
    hours = forms.CharField(label="办公时间", max_length=200, required=False,
                            help_text="如：周一至周五 9:00—12:00，13:30—17:00（法定节假日除外）。")
    phone = forms.CharField(label="咨询电话", max_length=50, required=False)

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"] = forms.ModelChoiceField(label="所属机关", queryset=organisations,
                                                                 empty_label=None)
            self.order_fields(["organisation"])

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("name", "address", "hours", "phone")}


class WindowForm(forms.Form):
    number = forms.CharField(label="窗口编号", max_length=20, help_text="如：8号窗口。")
    kind = forms.ChoiceField(label="窗口类型", choices=Window.Kind.choices)
    is_active = forms.BooleanField(label="启用（停用的窗口不能再选为受理窗口，已有的受理记录保留）", required=False,
                                   initial=True)
