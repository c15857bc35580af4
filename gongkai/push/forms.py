"""订阅表单 (我的订阅)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from gongkai.accounts.models import Organisation
from gongkai.policies.models import Tag
from gongkai.push.gateways import channel_enabled
from gongkai.push.models import Channel, Subscription


class SubscriptionForm(forms.Form):
    kind = forms.ChoiceField(label="订阅方式", choices=Subscription.Kind.choices, widget=forms.RadioSelect,
                             initial=Subscription.Kind.TAG)
    tag = forms.ModelChoiceField(label="政策主题或适用对象", required=False, empty_label="（请选择）",
                                 queryset=Tag.objects.filter(kind__in=[Tag.Kind.THEME, Tag.Kind.AUDIENCE]),
                                 help_text="订阅方式为“政策主题或适用对象”时填写。")
    region_code = forms.CharField(label="地区（6位行政区划代码）", required=False, max_length=6,
                                  help_text="订阅方式为“地区”时填写，如 440300（深圳市）。本地区及上级地区发布的政策都会推送。")
    organisation = forms.CharField(label="发布机关名称", required=False, max_length=100,
                                   help_text="订阅方式为“发布机关”时填写机关全称或简称，如“某某市财政局”。")
    channels = forms.MultipleChoiceField(label="接收方式", choices=(), widget=forms.CheckboxSelectMultiple,
                                         help_text="每项订阅另有一个专属 RSS 订阅源，订阅后在列表中查看。")
    phone = forms.CharField(label="接收短信的手机号码", required=False, max_length=20,
                            help_text="选择短信接收时填写；加密保存，页面上只显示部分号码。")
    wechat_openid = forms.CharField(label="微信 openid", required=False, max_length=64,
                                    help_text="选择微信接收时填写（关注公众号后获得）。")

    def clean_organisation(self) -> Organisation | None:
        """The organisation named (全称 or 简称), or None when the field is empty."""
        name = (self.cleaned_data.get("organisation") or "").strip()
        if not name:
            return None
        found = list(Organisation.objects.filter(Q(name=name) | Q(short_name=name), is_active=True)[:2])
        if len(found) != 1:
            raise forms.ValidationError("未找到该机关，请填写机关全称。" if not found else "有多个机关使用该简称，请填写全称。")
        return found[0]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(c.value, c.label) for c in Channel if channel_enabled(c.value)]
        channels: Any = self.fields["channels"]
        channels.choices = choices
        channels.initial = [Channel.INBOX.value]
        if not channel_enabled(Channel.SMS):
            del self.fields["phone"]
        if not channel_enabled(Channel.WECHAT):
            del self.fields["wechat_openid"]
