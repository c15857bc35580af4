"""考核和通报 against the known dataset: the figures per department and per handler, the ranking
with the default weights, configurable weights (audited, office head only) changing the ranking,
and scope isolation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.core.models import AuditEvent
from gongkai.domain.statistics import DEFAULT_WEIGHTS
from gongkai.statistics import selectors
from gongkai.statistics.access import statistics_scope
from gongkai.statistics.assessment import build_report
from gongkai.statistics.services import assessment_weights_update
from gongkai.statistics.tests.conftest import period
from gongkai.workcalendar.selectors import working_calendar

pytestmark = pytest.mark.django_db

DOCUMENT_ONLY = {"on_time_rate": 0, "overdue": 0, "corrected": 0, "legal_rejections": 0,
                 "interpretation_coverage": 50, "art26_timeliness": 50}


def _tallies(assessment):
    return {assessment.labels[k]: t for k, t in assessment.tallies.items()}


def test_department_figures(city_scope):
    """条例第三十三条 (on time), 条例第二十六条 (20 working days to publish), 行政复议 纠正, 法制审核."""
    t = _tallies(selectors.department_assessment(city_scope, period(), working_calendar()))
    edu, fin, city = t["测试市教育局"], t["测试市财政局"], t["测试市人民政府"]
    assert (edu.replied, edu.on_time, edu.late, edu.open_overdue) == (2, 1, 1, 0)
    assert (edu.corrected, edu.legal_rejections) == (1, 1)
    assert (edu.interp_total, edu.interp_covered, edu.art26_total, edu.art26_on_time) == (1, 1, 1, 1)
    assert (fin.replied, fin.on_time, fin.late, fin.open_overdue, fin.overdue) == (1, 1, 0, 1, 1)
    assert (fin.corrected, fin.legal_rejections) == (0, 0)
    assert (fin.interp_total, fin.interp_covered, fin.art26_total, fin.art26_on_time) == (1, 0, 1, 0)
    assert (city.replied, city.active, city.overdue, city.art26_total) == (0, 2, 0, 0)
    assert "另一市人民政府" not in t


def test_handler_figures(city_scope):
    t = _tallies(selectors.handler_assessment(city_scope, period()))
    assert set(t) == {"s_handler_a", "s_handler_b"}
    a, b = t["s_handler_a"], t["s_handler_b"]
    assert (a.replied, a.on_time, a.late, a.corrected, a.legal_rejections) == (2, 1, 1, 1, 1)
    assert (b.replied, b.on_time, b.late, b.corrected, b.legal_rejections) == (1, 1, 0, 0, 0)


def test_ranking_with_the_default_weights(city_scope):
    report = build_report(city_scope, period(), working_calendar())
    assert report.weights.is_default and report.weights.weights == dict(DEFAULT_WEIGHTS)
    # city: overdue, corrected, legal all 100 → 100; 财政局: (30×100 + 15×100 + 10×100) ÷ 100 = 55;
    # 教育局: (30×50 + 10×100 + 15×100) ÷ 100 = 40.
    assert [(r.rank, r.label, r.total) for r in report.departments] == [
        (1, "测试市人民政府", 100.0), (2, "测试市财政局", 55.0), (3, "测试市教育局", 40.0)]
    edu = report.departments[2]
    assert edu.figures == ("50.0%（1/2）", "1", "1", "1", "100.0%（1/1）", "100.0%（1/1）")
    # handlers: b = 100; a = 30 × 50 ÷ 75 = 20 (document metrics do not apply to handlers).
    assert [(r.rank, r.label, r.total) for r in report.handlers] == [
        (1, "s_handler_b", 100.0), (2, "s_handler_a", 20.0)]
    assert report.handlers[0].figures[4:] == ("—", "—")


def test_weights_change_the_ranking_and_are_shown(dataset, city_scope):
    row = assessment_weights_update(actor=dataset.head, organisation=dataset.city, weights=DOCUMENT_ONLY)
    report = build_report(city_scope, period(), working_calendar())
    assert report.weights.source == row and report.weights.weights == DOCUMENT_ONLY
    assert "测试市人民政府设置" in report.weights_source
    assert [(r.rank, r.label, r.total) for r in report.departments] == [
        (1, "测试市教育局", 100.0), (2, "测试市财政局", 0.0), (None, "测试市人民政府", None)]
    event = AuditEvent.objects.get(action="statistics.weights_update")
    assert event.actor == dataset.head and event.after == DOCUMENT_ONLY and event.before is None


def test_subordinates_inherit_the_weights_of_their_parent(dataset):
    assessment_weights_update(actor=dataset.head, organisation=dataset.city, weights=DOCUMENT_ONLY)
    assert selectors.weights_for(dataset.dept_a).weights == DOCUMENT_ONLY
    assert selectors.weights_for(dataset.other).is_default


def test_only_the_office_head_sets_weights(dataset):
    for actor in (dataset.registrar, dataset.handler_a, dataset.other_head, None):
        with pytest.raises(PermissionDenied, match="公开办负责人"):
            assessment_weights_update(actor=actor, organisation=dataset.city, weights=DOCUMENT_ONLY)
    assert not AuditEvent.objects.filter(action="statistics.weights_update").exists()


def test_bad_weights_change_nothing(dataset):
    with pytest.raises(ValidationError, match="之和应为100"):
        assessment_weights_update(actor=dataset.head, organisation=dataset.city,
                                  weights={**DOCUMENT_ONLY, "overdue": 1})
    assert selectors.weights_for(dataset.city).is_default


def test_another_organisation_is_ranked_alone(dataset):
    report = build_report(statistics_scope(dataset.other_head), period(), working_calendar())
    assert [r.label for r in report.departments] == ["另一市人民政府"]
    assert [r.label for r in report.handlers] == ["s_other_handler"]
    assert report.departments[0].figures[:2] == ("0.0%（0/1）", "2")  # X2 late + X1 open and overdue
