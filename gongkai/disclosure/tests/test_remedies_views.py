"""Staff pages for 行政复议/行政诉讼 of a request and the table-4 preview: permissions, IDOR (another
organisation → 404), forms through the services, Chinese errors that change nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.disclosure.after_models import Litigation, Reconsideration
from gongkai.disclosure.services import remedies
from gongkai.disclosure.tests.test_remedies import delivered
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


@pytest.fixture
def replied(world):
    return delivered(world, arrived=date(2025, 12, 1), on=date(2025, 12, 10))


def _url(req: Any) -> str:
    return reverse("disclosure_after:remedies", kwargs={"uid": req.uid})


def test_registrar_records_a_reconsideration_and_its_result_then_reopens(world, replied):
    client = _client(world.registrar)
    page = client.get(_url(replied))
    assert page.status_code == 200
    assert "登记行政复议" in page.content.decode() and replied.receipt_no in page.content.decode()
    response = client.post(_url(replied), {"action": "reconsideration", "new-recon-filed_on": "2026-01-05",
                                           "new-recon-review_body": "测试市人民政府",
                                           "new-recon-case_number": "测复〔2026〕3号"})
    assert response.status_code == 302
    recon = Reconsideration.objects.get(request=replied)
    assert (recon.filed_on, recon.result) == (date(2026, 1, 5), "pending")
    prefix = f"recon-{recon.pk}"
    response = client.post(_url(replied), {"action": "result", "record": prefix, f"{prefix}-result": "corrected",
                                           f"{prefix}-decided_on": "2026-02-10", f"{prefix}-case_number": "测复〔2026〕3号",
                                           f"{prefix}-version": "1"})
    assert response.status_code == 302
    recon.refresh_from_db()
    assert (recon.result, recon.decided_on) == ("corrected", date(2026, 2, 10))
    assert "重新办理该申请" in client.get(_url(replied)).content.decode()
    response = client.post(_url(replied), {"action": "reopen", "record": prefix, f"reopen-{prefix}-days": "20",
                                           f"reopen-{prefix}-reason": "按复议决定重新答复"})
    assert response.status_code == 302
    replied.refresh_from_db()
    assert replied.status == "in_handling"
    response = client.post(_url(replied), {"action": "litigation", "new-litig-filed_on": "2026-02-20",
                                           "new-litig-court": "测试市中级人民法院",
                                           "new-litig-reconsideration": str(recon.pk)})
    assert response.status_code == 302
    assert Litigation.objects.get(request=replied).reconsideration == recon


def test_bad_form_input_is_a_chinese_error_and_changes_nothing(world, replied):
    client = _client(world.head)
    response = client.post(_url(replied), {"action": "reconsideration", "new-recon-filed_on": "",
                                           "new-recon-review_body": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "error-summary" in body and "请填写日期" in body and "请填写复议机关" in body
    response = client.post(_url(replied), {"action": "reconsideration", "new-recon-filed_on": "2025-11-01",
                                           "new-recon-review_body": "测试市人民政府"})
    assert response.status_code == 400 and "不能早于收到申请之日" in response.content.decode()
    assert not Reconsideration.objects.exists()
    recon = remedies.reconsideration_record(actor=world.head, request=replied, filed_on=date(2026, 1, 5),
                                            review_body="测试市人民政府")
    prefix = f"recon-{recon.pk}"
    response = client.post(_url(replied), {"action": "result", "record": prefix, f"{prefix}-result": "upheld",
                                           f"{prefix}-decided_on": ""})
    assert response.status_code == 400 and "请填写复议决定日期" in response.content.decode()
    recon.refresh_from_db()
    assert recon.result == "pending" and recon.version == 1


def test_other_organisation_gets_404_and_handlers_only_read(world, replied):
    assert _client(world.outsider).get(_url(replied)).status_code == 404
    assert _client(world.outsider_head).post(_url(replied), {
        "action": "reconsideration", "new-recon-filed_on": "2026-01-05", "new-recon-review_body": "某机关"},
    ).status_code == 404
    handler = _client(world.handler)
    page = handler.get(_url(replied))
    assert page.status_code == 200 and "name=\"action\"" not in page.content.decode()
    assert handler.post(_url(replied), {"action": "reconsideration", "new-recon-filed_on": "2026-01-05",
                                        "new-recon-review_body": "测试市人民政府"}).status_code == 403
    assert _client(world.publisher).get(_url(replied)).status_code == 404
    assert not Reconsideration.objects.exists()


def test_a_record_of_another_request_cannot_be_updated_through_this_page(world, replied):
    other = delivered(world, arrived=date(2026, 3, 2), on=date(2026, 3, 9))
    foreign = remedies.reconsideration_record(actor=world.registrar, request=other, filed_on=date(2026, 4, 1),
                                              review_body="测试市人民政府")
    prefix = f"recon-{foreign.pk}"
    response = _client(world.registrar).post(_url(replied), {
        "action": "result", "record": prefix, f"{prefix}-result": "upheld", f"{prefix}-decided_on": "2026-05-01"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.result == "pending"


def test_table4_preview(world, replied):
    recon = remedies.reconsideration_record(actor=world.registrar, request=replied, filed_on=date(2026, 1, 5),
                                            review_body="测试市人民政府")
    remedies.reconsideration_update_result(actor=world.registrar, reconsideration=recon, result="upheld",
                                           decided_on=date(2026, 2, 1))
    remedies.litigation_record(actor=world.registrar, request=replied, filed_on=date(2026, 3, 1), court="某法院")
    client = _client(world.head)
    url = reverse("disclosure_after:table4")
    response = client.get(url, {"year": "2026", "org": world.org.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "未经复议直接起诉" in body and "复议后起诉" in body and "测试市人民政府 2026 年度" in body
    cells = [int(c) for c in __import__("re").findall(r'<td class="num">(\d+)</td>', body)]
    assert cells == [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    bad = client.get(url, {"year": "abc"})
    assert bad.status_code == 200 and "年度应为" in bad.content.decode()
    assert client.get(url, {"org": world.other.pk}).status_code == 404
    assert _client(world.outsider).get(url, {"org": world.org.pk}).status_code == 404
    assert _client(world.handler).get(url).status_code == 403
