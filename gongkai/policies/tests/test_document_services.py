"""Document create/update: 索引号, 发文字号, sanitising, audit and the search change log."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import Document, SearchChange
from gongkai.policies.services.documents import document_create, document_update, org_code
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db


def test_index_numbers_are_gapless_per_organisation_and_year(org_tree, taxonomy):
    a = make_document(org_tree.dept_a, written_on=date(2026, 1, 5))
    b = make_document(org_tree.dept_a, written_on=date(2026, 2, 5))
    c = make_document(org_tree.dept_a, written_on=date(2025, 12, 30))
    d = make_document(org_tree.dept_b, written_on=date(2026, 2, 5))
    code = org_code(org_tree.dept_a)
    assert [a.index_no, b.index_no, c.index_no] == [f"{code}/2026-00001", f"{code}/2026-00002", f"{code}/2025-00001"]
    assert d.index_no.endswith("/2026-00001") and not d.index_no.startswith(code)


def test_doc_number_is_normalised_and_split(org_tree, taxonomy):
    doc = make_document(org_tree.dept_a, doc_number="湘财发[2020] 15 号")
    assert doc.doc_number == "湘财发〔2020〕15号"
    assert (doc.doc_number_agency, doc.doc_number_year, doc.doc_number_seq) == ("湘财发", 2020, 15)


def test_script_in_body_does_not_survive(org_tree, taxonomy):
    doc = make_document(org_tree.dept_a, body_html='<p onclick="x()">正文<script>alert(1)</script></p>'
                                                   '<a href="javascript:alert(1)">链接</a><img src=x onerror=y>')
    assert "script" not in doc.body_html and "onclick" not in doc.body_html
    assert "javascript:" not in doc.body_html and "onerror" not in doc.body_html
    assert doc.body_text.startswith("正文")


def test_bad_input_changes_nothing(org_tree, taxonomy):
    counts = (Document.objects.count(), AuditEvent.objects.count(), SearchChange.objects.count())
    with pytest.raises(ValidationError) as info:
        make_document(org_tree.dept_a, doc_number="湘财发2020第15号")
    assert "发文字号" in str(info.value)
    with pytest.raises(ValidationError) as info:
        make_document(org_tree.dept_a, written_on=date(2026, 3, 2), effective_on=date(2026, 3, 1))
    assert "实施日期不能早于成文日期" in str(info.value)
    with pytest.raises(ValidationError):
        make_document(org_tree.dept_a, issuers=[])
    assert (Document.objects.count(), AuditEvent.objects.count(), SearchChange.objects.count()) == counts


def test_every_change_is_audited_and_logged_for_search(org_tree, taxonomy):
    publisher = StaffUserFactory()
    membership_grant(actor=None, user=publisher, organisation=org_tree.dept_a, role=OrgRole.PUBLISHER)
    doc = document_create(actor=publisher, organisation=org_tree.dept_a, title="草稿", issuers=["测试省教育厅"],
                          written_on=date(2026, 3, 2), category="notice", level="provincial")
    assert doc.status == "draft"
    updated = document_update(actor=publisher, document=doc, expected_version=1, title="新标题")
    assert updated.version == 2
    event = AuditEvent.objects.filter(action="document.update").latest("seq")
    assert event.before == {"title": "草稿"} and event.after == {"title": "新标题"}
    assert list(SearchChange.objects.filter(document_id=doc.pk).values_list("document_id", flat=True)) == [doc.pk] * 2


def test_concurrent_edit_is_detected(org_tree, taxonomy):
    doc = make_document(org_tree.dept_a, published=False)
    document_update(actor=None, document=doc, expected_version=1, title="甲的修改")
    with pytest.raises(ValidationError, match="已被他人修改"):
        document_update(actor=None, document=doc, expected_version=1, title="乙的修改")
    doc.refresh_from_db()
    assert doc.title == "甲的修改"


def test_staff_of_another_organisation_cannot_create_or_edit(org_tree, taxonomy):
    outsider = StaffUserFactory()
    membership_grant(actor=None, user=outsider, organisation=org_tree.dept_b, role=OrgRole.PUBLISHER)
    with pytest.raises(PermissionDenied):
        document_create(actor=outsider, organisation=org_tree.dept_a, title="越权", issuers=["x"],
                        written_on=date(2026, 3, 2), category="notice", level="provincial")
    doc = make_document(org_tree.dept_a)
    with pytest.raises(PermissionDenied):
        document_update(actor=outsider, document=doc, title="越权修改")


def test_staff_cannot_create_published_documents_directly(org_tree, taxonomy):
    publisher = StaffUserFactory()
    membership_grant(actor=None, user=publisher, organisation=org_tree.dept_a, role=OrgRole.PUBLISHER)
    with pytest.raises(PermissionDenied, match="审核流程"):
        document_create(actor=publisher, organisation=org_tree.dept_a, title="x", issuers=["x"],
                        written_on=date(2026, 3, 2), category="notice", level="provincial", status="published")
