"""The 一件事 demo: the publication's 27 things (three named there, the rest marked as invented),
applications in every state, confirmed payouts; loading twice changes nothing."""

from __future__ import annotations

import io

import pytest

from gongkai.core.demo import load_demo
from gongkai.domain.things_workflow import ApplicationStatus
from gongkai.things import selectors
from gongkai.things.demo import load_demo_things
from gongkai.things.models import Application, Payout, Thing, Window

pytestmark = pytest.mark.django_db


def test_demo_has_27_things_every_state_and_counted_payouts() -> None:
    """《政务公开工作交流》2020年第33期: 湖南把122项政策改造成27件“事”, naming 我要申请减免房产税,
    我要申请培训补贴, 我要享受扩产扩能技术改造补助."""
    load_demo()
    out = io.StringIO()
    result = load_demo_things(out)
    assert result.things == Thing.objects.count() == 27
    assert set(Thing.objects.filter(invented=False).values_list("name", flat=True)) == {
        "我要申请减免房产税", "我要申请培训补贴", "我要享受扩产扩能技术改造补助"}
    assert set(Application.objects.values_list("status", flat=True)) == set(ApplicationStatus)
    assert set(Window.objects.values_list("kind", flat=True)) == set(Window.Kind.values)
    assert Payout.objects.filter(source="no_application", status="candidate").exists()
    stats = selectors.statistics()
    assert stats.enterprises >= 3 and stats.amount > 0
    assert "27 件事" in out.getvalue()
    again = load_demo_things(io.StringIO())
    assert again.things == 0 and Thing.objects.count() == 27
