"""专题库 services (permission, validation, audit) and the staff pages for them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import SpecialLibrary
from gongkai.policies.selectors import library_documents
from gongkai.policies.services.libraries import (
    library_add_document,
    library_create,
    library_publish,
    library_remove_document,
    library_update,
)
from gongkai.policies.tests.fixtures import make_document, tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher(org_tree):
    user = StaffUserFactory()
    membership_grant(actor=None, user=user, organisation=org_tree.province, role=OrgRole.PUBLISHER)
    return user


def test_only_publishers_of_the_owning_organisation_manage_libraries(org_tree, taxonomy, publisher) -> None:
    outsider = StaffUserFactory()
    membership_grant(actor=None, user=outsider, organisation=org_tree.dept_b, role=OrgRole.HANDLER)
    with pytest.raises(PermissionDenied):
        library_create(actor=outsider, organisation=org_tree.province, slug="x", name="x",
                       rule_tags=[tag("topic", "复工复产")])
    library = library_create(actor=publisher, organisation=org_tree.province, slug="fugong", name="复工复产政策库",
                             rule_tags=[tag("topic", "复工复产")], rule_levels=["municipal", "national"])
    assert library.rule_levels == ["national", "municipal"]  # stored in level order
    event = AuditEvent.objects.get(action="library.create")
    assert event.actor == publisher and event.after["slug"] == "fugong"
    with pytest.raises(PermissionDenied):
        library_publish(actor=outsider, library=library)


def test_bad_input_is_rejected_in_chinese_and_changes_nothing(org_tree, taxonomy, publisher) -> None:
    library_create(actor=publisher, organisation=org_tree.province, slug="taken", name="甲",
                   rule_tags=[tag("topic", "复工复产")])
    count = SpecialLibrary.objects.count()
    audits = AuditEvent.objects.count()
    for kwargs, message in [
        ({"slug": "taken", "name": "乙", "rule_tags": [tag("topic", "复工复产")]}, "已被其他专题库使用"),
        ({"slug": "new", "name": "丙", "rule_tags": []}, "至少要选择一个标签"),
        ({"slug": "new", "name": "丁", "rule_tags": [tag("topic", "复工复产")], "rule_levels": ["galaxy"]}, "未知的层级"),
        ({"slug": "new", "name": "  ", "kind": "curated"}, "请填写专题库名称"),
    ]:
        with pytest.raises(ValidationError) as info:
            library_create(actor=publisher, organisation=org_tree.province, **kwargs)
        assert message in str(info.value)
    assert SpecialLibrary.objects.count() == count and AuditEvent.objects.count() == audits


def test_curation_rules_and_what_the_library_shows(org_tree, taxonomy, publisher) -> None:
    public = make_document(org_tree.province, title="公开文件")
    draft = make_document(org_tree.province, title="草稿文件", published=False)
    curated = library_create(actor=publisher, organisation=org_tree.province, slug="c", name="人工库", kind="curated")
    library_add_document(actor=publisher, library=curated, document=public)
    library_add_document(actor=publisher, library=curated, document=draft)  # shown once it is public
    with pytest.raises(ValidationError, match="已在本专题库中"):
        library_add_document(actor=publisher, library=curated, document=public)
    assert list(library_documents(curated)) == [public]
    library_remove_document(actor=publisher, library=curated, document=public)
    assert list(library_documents(curated)) == []
    rule = library_create(actor=publisher, organisation=org_tree.province, slug="r", name="规则库",
                          rule_tags=[tag("topic", "复工复产")])
    with pytest.raises(ValidationError, match="不能手工收录"):
        library_add_document(actor=publisher, library=rule, document=public)
    # Another organisation's draft is not curatable (it would reveal it exists).
    foreign_draft = make_document(org_tree.dept_b, title="他人草稿", published=False)
    with pytest.raises(ValidationError, match="未找到该文件"):
        library_add_document(actor=publisher, library=curated, document=foreign_draft)
    library_update(actor=publisher, library=rule, name="复工复产政策库（新）", rule_levels=["provincial"])
    rule.refresh_from_db()
    assert rule.name == "复工复产政策库（新）" and rule.rule_levels == ["provincial"]
    assert AuditEvent.objects.filter(action="library.update").get().before["name"] == "规则库"
    library_publish(actor=publisher, library=rule)
    with pytest.raises(ValidationError, match="已上线"):
        library_publish(actor=publisher, library=rule)


def test_staff_pages_create_curate_and_publish(org_tree, taxonomy, publisher, staff_client_factory) -> None:
    client = staff_client_factory(publisher)
    response = client.post(reverse("libraries_staff:new"), {
        "organisation": org_tree.province.pk, "name": "小微企业和个体工商户政策库", "slug": "xiaowei",
        "description": "", "kind": "curated", "rule_levels": ["provincial", "municipal"],
    })
    library = SpecialLibrary.objects.get(slug="xiaowei")
    assert response.status_code == 302 and response["Location"] == reverse("libraries_staff:edit", args=[library.pk])
    doc = make_document(org_tree.province, title="小微企业文件")
    bad = client.post(reverse("libraries_staff:documents", args=[library.pk]), {"index_no": "nope"})
    assert bad.status_code == 400 and "未找到该索引号" in bad.content.decode()
    client.post(reverse("libraries_staff:documents", args=[library.pk]), {"index_no": doc.index_no})
    assert list(library.documents.all()) == [doc]
    client.post(reverse("libraries_staff:publish", args=[library.pk]), {"publish": "1"})
    library.refresh_from_db()
    assert library.is_published
    listing = client.get(reverse("libraries_staff:list")).content.decode()
    assert "小微企业和个体工商户政策库" in listing and "已上线" in listing
    client.post(reverse("libraries_staff:remove_document", args=[library.pk, doc.pk]))
    assert not library.documents.exists()
    # Staff of another organisation get a 404 for this library.
    other = StaffUserFactory()
    membership_grant(actor=None, user=other, organisation=org_tree.dept_b, role=OrgRole.PUBLISHER)
    assert staff_client_factory(other).get(reverse("libraries_staff:edit", args=[library.pk])).status_code == 404
