"""Acts that send a notice commit together with their frozen letter (issue 4 §3): the 补正告知书
(条例第三十条), 延期答复告知书 (第三十三条第二款), 征求意见函 (第三十二条) and 缴费通知书."""

from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from gongkai.disclosure.models import DisclosureRequest, Letter
from gongkai.disclosure.services import letters

from .conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def test_correction_act_issues_its_frozen_notice(world):
    req = register(world, arrived=date(2026, 6, 1)).request
    req = letters.ask_correction_and_notify(actor=world.registrar, request=req, items=["请写明文件名称"],
                                            period_days=10, on=date(2026, 6, 3))
    assert req.status == "awaiting_correction"
    letter = Letter.objects.get(request=req, kind=Letter.Kind.CORRECTION)
    assert letter.is_frozen


def test_third_party_consultation_issues_its_letter(world, registered):
    consultation = letters.consultation_start_and_notify(actor=world.handler, request=registered,
                                                         party="某科技有限公司", on=date(2026, 6, 2))
    letter = Letter.objects.get(request=registered, kind=Letter.Kind.CONSULTATION)
    assert letter.ref == f"c{consultation.pk}" and letter.is_frozen


def test_if_the_letter_fails_the_act_is_rolled_back(world):
    req = register(world, arrived=date(2026, 6, 1)).request
    version = req.version
    with mock.patch.object(letters, "letter_for_event", side_effect=ValidationError("模拟生成失败")), \
            pytest.raises(ValidationError):
        letters.ask_correction_and_notify(actor=world.registrar, request=req, items=["请写明文件名称"],
                                          period_days=10, on=date(2026, 6, 3))
    req = DisclosureRequest.objects.get(pk=req.pk)
    assert req.version == version and req.status == "registered"
    assert not Letter.objects.filter(request=req).exists()
