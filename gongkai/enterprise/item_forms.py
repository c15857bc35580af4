"""Forms for policy items (政策事项), their conditions (申报条件) and the public 政策计算器.

Condition values are typed as text (``430100、430200``, ``300``, ``是``) and turned into the JSON
value here; whether the value makes sense for the field and operator is decided by
``item_services.clean_conditions`` (through the domain ``Condition``)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone

from gongkai.accounts.models import Organisation
from gongkai.domain.amount_formula import variables_help
from gongkai.domain.eligibility import FIELDS, Op, Profile, Qualification
from gongkai.domain.enterprise_size import SIZE_LABELS, SizeClass, SizeError, size_class
from gongkai.domain.identifiers import IdentifierError, validate_division_code
from gongkai.enterprise.models import Industry, ItemCondition, PolicyItem

LIST_OPS = {Op.IN, Op.INDUSTRY_IN, Op.WITHIN_REGION}
NUMBER_FIELDS = {"employees", "revenue", "assets", "registered_on"}
_SPLIT = re.compile(r"[\s,，、;；]+")
_YES = {"是", "true", "True", "1", "yes"}
_NO = {"否", "false", "False", "0", "no"}
_SIZE_BY_LABEL = {label: size.value for size, label in SIZE_LABELS.items()}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemForm(forms.Form):
    title = forms.CharField(label="事项名称", max_length=120)
    benefit_type = forms.ChoiceField(label="兑现方式", choices=PolicyItem.BenefitType.choices)
    amount_rule = forms.CharField(label="兑现标准", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="例如：按上年度研发投入的10%给予补助，最高不超过50万元。")
    amount_formula = forms.CharField(label="计算公式（可选）", max_length=200, required=False,
                                     help_text=f"用于估算企业预计可享受的金额（元），不参与匹配。{variables_help()}")
    promised_days = forms.IntegerField(label="承诺办理时限（工作日）", required=False, min_value=1, max_value=365)
    materials_text = forms.CharField(label="申报材料", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text="每行一项。可通过部门共享获取的材料请注明“免提交”。")
    legal_basis = forms.CharField(label="政策依据", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="写明文件名称和条款，例如：《……若干措施》第三条。")
    valid_from = forms.DateField(label="有效期起", required=False, widget=DATE_INPUT)
    valid_to = forms.DateField(label="有效期至", required=False, widget=DATE_INPUT)
    no_application = forms.BooleanField(label="免申即享（无需企业申请，符合条件直接兑现）", required=False)


class ItemCreateForm(ItemForm):
    index_no = forms.CharField(label="政策文件索引号", max_length=40,
                               help_text="事项所属的政策文件，在“文件管理”或政策库中可查到索引号。")
    department = forms.ModelChoiceField(label="承办部门", queryset=Organisation.objects.none(), empty_label=None)

    field_order = ["index_no", "department"]

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class ItemEditForm(ItemForm):
    department = forms.ModelChoiceField(label="承办部门", queryset=Organisation.objects.none(), empty_label=None)

    field_order = ["department"]

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


# --- Conditions -------------------------------------------------------------------------------

FIELD_CHOICES = [("", "（不使用此行）"), *[(k, v[0]) for k, v in FIELDS.items()]]
OP_CHOICES = [(o.value, o.label) for o in Op]


class ConditionForm(forms.Form):
    field = forms.ChoiceField(label="条件字段", choices=FIELD_CHOICES, required=False)
    op = forms.ChoiceField(label="比较方式", choices=OP_CHOICES, required=False)
    value = forms.CharField(label="取值", max_length=300, required=False,
                            help_text="多个取值用顿号或逗号分隔；地区填行政区划代码（如 430100），行业填代码（如 C13），"
                                      "规模填大型/中型/小型/微型，个体工商户填是/否，金额单位为万元。")
    hard = forms.BooleanField(label="必须满足", required=False, initial=True)
    source_text = forms.CharField(label="条件原文", max_length=300, required=False)

    def cleaned_row(self) -> dict[str, Any] | None:
        """The row for ``clean_conditions``, or ``None`` for an unused row."""
        data = self.cleaned_data
        if not data.get("field"):
            return None
        return {"field": data["field"], "op": data.get("op") or "", "value": parse_value(
            data["field"], data.get("op") or "", data.get("value") or ""), "hard": bool(data.get("hard")),
            "source_text": data.get("source_text") or ""}


ConditionFormSet = forms.formset_factory(ConditionForm, extra=3, max_num=30, validate_max=True)


def parse_value(field: str, op: str, text: str) -> Any:
    """Text typed by staff → the JSON value of a condition (validation is the service's)."""
    text = text.strip()
    if op in {o.value for o in LIST_OPS}:
        return [parse_value(field, Op.EQ.value, part) for part in _SPLIT.split(text) if part]
    if field in NUMBER_FIELDS:
        try:
            number = Decimal(text.replace("万", "").replace("人", "").replace("年", "").strip())
        except InvalidOperation:
            return text
        return int(number) if number == number.to_integral_value() else float(number)
    if field == "is_individual":
        return True if text in _YES else False if text in _NO else text
    if field == "size_class":
        return _SIZE_BY_LABEL.get(text, text)
    return text


def value_text(field: str, value: Any) -> str:
    """A stored value back as the text staff typed."""
    if isinstance(value, list | tuple):
        return "、".join(value_text(field, v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if field == "size_class" and value in {s.value for s in SizeClass}:
        return SIZE_LABELS[SizeClass(value)]
    return str(value)


def condition_initial(conditions: list[ItemCondition]) -> list[dict[str, Any]]:
    return [{"field": c.field, "op": c.op, "value": value_text(c.field, c.value), "hard": c.hard, "source_text": c.source_text}
            for c in conditions]


# --- The public calculator --------------------------------------------------------------------

def industry_choices() -> list[tuple[str, Any]]:
    """门类 and 大类 of GB/T 4754-2017, grouped by 门类."""
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for code, name, level in Industry.objects.filter(level__lte=2).values_list("code", "name", "level"):
        if level == 1:
            names[code] = name
            groups.setdefault(code, []).insert(0, (code, f"{code} {name}（整个门类）"))
        else:
            groups.setdefault(code[0], []).append((code, f"{code} {name}"))
    choices: list[tuple[str, Any]] = [("", "不确定")]
    for letter in sorted(groups):
        choices.append((f"{letter} {names.get(letter, '')}".strip(), groups[letter]))
    return choices


TRI_STATE = [("", "不确定"), ("no", "否"), ("yes", "是")]


class CalculatorForm(forms.Form):
    """政策计算器: a few facts; every field may be left empty (the result then says what is
    missing). Nothing entered here is stored."""

    region_code = forms.CharField(label="所在地区（行政区划代码）", max_length=6, required=False,
                                  help_text="6位数字，例如 430102。可在营业执照登记机关的代码中查到。")
    industry_code = forms.ChoiceField(label="所属行业", required=False, choices=[])
    employees = forms.IntegerField(label="从业人员（人）", required=False, min_value=0, max_value=10_000_000)
    revenue = forms.DecimalField(label="上年度营业收入（万元）", required=False, min_value=0, max_digits=14,
                                 decimal_places=2)
    assets = forms.DecimalField(label="资产总额（万元）", required=False, min_value=0, max_digits=14, decimal_places=2)
    registered_on = forms.DateField(label="成立日期", required=False, widget=DATE_INPUT)
    is_individual = forms.ChoiceField(label="是否个体工商户", required=False, choices=TRI_STATE,
                                      widget=forms.RadioSelect)
    qualifications = forms.MultipleChoiceField(label="已取得且在有效期内的资质", required=False, choices=[],
                                               widget=forms.CheckboxSelectMultiple)
    tags = forms.MultipleChoiceField(label="企业类型标签", required=False, choices=[],
                                     widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, qualification_kinds: list[str], tag_names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry_code"].choices = industry_choices()  # type: ignore[attr-defined]
        self.fields["qualifications"].choices = [(k, k) for k in qualification_kinds]  # type: ignore[attr-defined]
        self.fields["tags"].choices = [(n, n) for n in tag_names]  # type: ignore[attr-defined]
        for name in ("qualifications", "tags"):  # no item asks about them: no empty box group
            if not self.fields[name].choices:  # type: ignore[attr-defined]
                del self.fields[name]

    def clean_region_code(self) -> str:
        code = (self.cleaned_data.get("region_code") or "").strip()
        if code:
            try:
                validate_division_code(code)
            except IdentifierError as exc:
                raise forms.ValidationError(str(exc)) from None
        return code

    def clean_registered_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("registered_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError("成立日期不能晚于今天。")
        return value

    def profile(self) -> tuple[Profile, str | None]:
        """The oracle's profile of what was entered, and the size class computed from it (划型,
        工信部联企业〔2011〕300号) or ``None`` when it cannot be decided."""
        data = self.cleaned_data
        industry = data.get("industry_code") or None
        figures = {k: float(data[k]) if data.get(k) is not None else None for k in ("employees", "revenue", "assets")}
        size = None
        if industry:
            try:
                computed = size_class(industry, **figures)
            except SizeError:
                computed = None
            size = computed.value if computed else None
        individual = {"yes": True, "no": False}.get(data.get("is_individual") or "")
        profile = Profile(
            region_code=data.get("region_code") or None, industry_code=industry, size_class=size,
            is_individual=individual, employees=figures["employees"], revenue=figures["revenue"],
            assets=figures["assets"], registered_on=data.get("registered_on"),
            tags=frozenset(data.get("tags") or []),
            qualifications=tuple(Qualification(kind) for kind in data.get("qualifications") or []))
        return profile, size
