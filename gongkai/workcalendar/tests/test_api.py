"""Public API GET /deadline (mounted at /api/v1/calendar/)."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from gongkai.workcalendar.api import router

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return TestClient(router)


def test_deadline(api):
    """条例第三十三条第二款, §6 case 1: 2026-01-05 + 20 working days = 2026-02-02."""
    response = api.get("/deadline?start=2026-01-05&days=20")
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == "2026-01-05"
    assert body["days"] == 20
    assert body["due"] == "2026-02-02"
    assert body["provisional"] is False
    assert body["explanation"][-1] == "第20个工作日为 2026-02-02（星期一）"


def test_deadline_provisional(api):
    """§6 case 15: 2027 is provisional."""
    body = api.get("/deadline?start=2027-01-04&days=20").json()
    assert body["provisional"] is True
    assert body["due"] == "2027-02-01"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("days=20", "缺少参数 start"),
        ("start=2026-02-30&days=20", "不是有效日期"),
        ("start=2026-01-05", "缺少参数 days"),
        ("start=2026-01-05&days=abc", "days 应为 1 到 250 之间的整数"),
        ("start=2026-01-05&days=0", "days 应为 1 到 250 之间的整数"),
        ("start=2100-01-05&days=5", "只支持"),
    ],
)
def test_bad_input_in_chinese(api, query, message):
    """Bad input gets a Chinese message (HTTP 422)."""
    response = api.get(f"/deadline?{query}")
    assert response.status_code == 422
    assert message in response.json()["detail"]
