"""Forms of the staff report pages (server-side validation only, Chinese messages)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from gongkai.domain import annual_report as rules

TEXT_HELP = {
    "overview": "概述本年度政府信息公开工作的总体情况。可先点击“插入数据”，再在此基础上修改。",
    "problems": "存在的主要问题及改进措施（政府年度报告还须写明工作考核、社会评议和责任追究结果）。",
    "other_matters": "其他需要报告的事项，如收取信息处理费的情况、人大代表建议和政协提案办理结果公开情况等；没有的写“无”。",
}
SOURCE_HELP = "数据来源，如业务系统名称、统计报表或提供数据的科室。"


def _count(key: str) -> forms.IntegerField:
    return forms.IntegerField(label=rules.STAFF_FIGURES[key], required=False, min_value=0,
                              error_messages={"invalid": "请填写整数。", "min_value": "数字不能为负数。"},
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-short"}))


def _source(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=200, help_text=SOURCE_HELP)


class ReportForm(forms.Form):
    overview = forms.CharField(label=rules.SECTIONS[0], required=False, max_length=20000,
                               help_text=TEXT_HELP["overview"], widget=forms.Textarea(attrs={"rows": 10}))
    licensing_count = _count("licensing")
    licensing_source = _source("行政许可数据来源")
    penalty_count = _count("penalty")
    penalty_source = _source("行政处罚数据来源")
    enforcement_count = _count("enforcement")
    enforcement_source = _source("行政强制数据来源")
    fee_amount = forms.DecimalField(label=rules.STAFF_FIGURES["fees"], required=False, min_value=Decimal(0),
                                    max_digits=14, decimal_places=4,
                                    error_messages={"invalid": "请填写数字，如 12.5。", "min_value": "数字不能为负数。",
                                                    "max_decimal_places": "最多保留4位小数。",
                                                    "max_digits": "数字过大。"},
                                    widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-short"}))
    fee_source = _source("行政事业性收费数据来源")
    problems = forms.CharField(label=rules.SECTIONS[4], required=False, max_length=20000,
                               help_text=TEXT_HELP["problems"], widget=forms.Textarea(attrs={"rows": 8}))
    other_matters = forms.CharField(label=rules.SECTIONS[5], required=False, max_length=20000,
                                    help_text=TEXT_HELP["other_matters"], widget=forms.Textarea(attrs={"rows": 6}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.visible_fields():
            if field.help_text:
                field.field.widget.attrs["aria-describedby"] = f"{field.auto_id}_helptext"


class PublishForm(forms.Form):
    note = forms.CharField(label="更正说明（发布更正版本时必填）", required=False, max_length=1000,
                           help_text="说明更正了哪些内容及原因，将随新版本一并公开。",
                           widget=forms.Textarea(attrs={"rows": 3}))
