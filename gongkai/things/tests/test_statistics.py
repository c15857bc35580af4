"""Statistics equal a known dataset (《政务公开工作交流》2020年第33期: 办结事项、惠及企业、减免金额):
two completed applications, four payouts (three confirmed, one candidate) across two things, two
departments, two regions and two months. Candidates and rejected payouts never count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gongkai.things import selectors, services
from gongkai.things.models import JointTask, Payout
from gongkai.things.tests.helpers import GOOD_FILES, GOOD_FORM, make_enterprise, make_item, make_world

pytestmark = pytest.mark.django_db


def completed(w, enterprise, *, approve_tax: bool = True):
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=enterprise)
    app = services.application_save(actor=w.applicant, application=app, data=GOOD_FORM, files=GOOD_FILES,
                                    submit=True)
    app = services.application_accept(actor=w.registrar, application=app, on=date(2026, 3, 2))
    services.task_decide(actor=w.finance_handler, task=JointTask.objects.get(application=app, department=w.finance),
                         approve=True)
    services.task_decide(actor=w.tax_handler, task=JointTask.objects.get(application=app, department=w.tax),
                         approve=approve_tax, reasons="" if approve_tax else "不符合条件")
    return app


def test_statistics_equal_the_known_dataset() -> None:
    w = make_world()
    zhuzhou = make_enterprise("株洲企业", "430211", user=w.applicant)
    app1 = completed(w, w.enterprise)  # 长沙 430102
    app2 = completed(w, zhuzhou, approve_tax=False)
    finance_task = JointTask.objects.get(application=app1, department=w.finance)
    tax_task = JointTask.objects.get(application=app1, department=w.tax)
    p1 = services.payout_record(actor=w.finance_handler, task=finance_task, amount="1000.00", kind="subsidy",
                                paid_on=date(2026, 3, 20))
    p2 = services.payout_record(actor=w.tax_handler, task=tax_task, amount="250.50", kind="relief",
                                paid_on=date(2026, 4, 3))
    services.payout_confirm(actor=w.finance_head, payout=p1)
    services.payout_confirm(actor=w.tax_head, payout=p2)
    # 免申即享, not part of a thing: one confirmed (株洲), one still a candidate, one rejected.
    free = make_item(w.finance, "免申即享补贴", no_application=True)
    confirmed = Payout.objects.create(enterprise=zhuzhou, item=free, department=w.finance, source="no_application",
                                      kind="subsidy")
    services.payout_confirm(actor=w.finance_head, payout=confirmed, amount="300", paid_on=date(2026, 4, 10))
    Payout.objects.create(enterprise=w.enterprise, item=free, department=w.finance, source="no_application",
                          kind="subsidy", amount=Decimal("999"), paid_on=date(2026, 4, 10))
    rejected = Payout.objects.create(enterprise=w.enterprise, item=free, department=w.finance,
                                     source="no_application", kind="subsidy", amount=Decimal("777"))
    services.payout_reject(actor=w.finance_head, payout=rejected, reason="重复")

    stats = selectors.statistics()
    assert (stats.completed, stats.enterprises, stats.amount, stats.payouts) == (3, 2, Decimal("1550.50"), 3)

    def table(rows):
        return {r.label: (r.completed, r.enterprises, r.amount) for r in rows}

    assert table(stats.by_thing) == {
        w.thing.name: (2, 1, Decimal("1250.50")),
        "（未归属）": (1, 1, Decimal("300.00")),
    }
    assert table(stats.by_department) == {
        w.finance.name: (3, 2, Decimal("1300.00")),  # 2 applications led by 财政 + 1 免申即享
        w.tax.name: (0, 1, Decimal("250.50")),
    }
    assert table(stats.by_region) == {"湖南省长沙市（430100）": (1, 1, Decimal("1250.50")),
                                      "湖南省株洲市（430200）": (2, 1, Decimal("300.00"))}
    months = table(stats.by_month)
    assert months["2026-03"] == (0, 1, Decimal("1000.00"))
    assert months["2026-04"] == (1, 2, Decimal("550.50"))
    assert sum(r[0] for r in months.values()) == 3  # the two applications completed this month
    assert app2.pk and p1.pk
