"""Staff pages of the policy library: scoping, forms with Chinese errors, the workflow buttons,
the disclosure panel, interpretations and the workbench dashboard."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.core.models import AuditEvent
from gongkai.policies.models import DisclosureChange, Document, Interpretation, InterviewQA, Tag
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def staff(org, *roles):
    user = StaffUserFactory()
    for role in roles:
        membership_grant(actor=None, user=user, organisation=org, role=role)
    return user


@pytest.fixture
def env(org_tree, taxonomy, staff_client_factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    publisher = staff(org_tree.dept_a, OrgRole.PUBLISHER)
    office = staff(org_tree.dept_a, OrgRole.OFFICE_HEAD)
    dept_head = staff(org_tree.dept_a, OrgRole.DEPARTMENT_HEAD)
    outsider = staff(org_tree.dept_b, OrgRole.PUBLISHER, OrgRole.OFFICE_HEAD)
    return SimpleNamespace(
        org=org_tree.dept_a, other=org_tree.dept_b,
        publisher=publisher, office=office, dept_head=dept_head, outsider=outsider,
        pc=staff_client_factory(publisher), oc=staff_client_factory(office),
        dc=staff_client_factory(dept_head), xc=staff_client_factory(outsider),
    )


def url(name, **kwargs):
    return reverse(f"policies_staff:{name}", kwargs=kwargs)


def form_data(env, **overrides):
    data = {
        "organisation": env.org.pk, "title": "关于做好2026年稳岗就业工作的通知", "issuers": "测试省教育厅\n测试省财政厅",
        "doc_number": "湘教发(2026) 7号", "written_on": "2026-03-02", "category": "normative", "level": "provincial",
        "validity": "valid", "body_html": "<p>正文</p><script>alert(1)</script>",
        "tags": [Tag.objects.get(kind="theme", name="稳岗就业").pk],
    }
    data.update(overrides)
    return data


def test_list_is_scoped_and_filtered(env):
    mine = make_document(env.org, title="本机关已发布文件")
    draft = make_document(env.org, published=False, title="本机关草稿")
    make_document(env.other, title="他机关的文件")
    body = env.pc.get(url("document_list")).content.decode()
    assert mine.title in body and draft.title in body and "他机关的文件" not in body
    body = env.pc.get(url("document_list") + "?status=draft").content.decode()
    assert draft.title in body and mine.title not in body
    assert env.pc.get(url("document_list") + "?status=bogus&page=x").status_code == 200


def test_another_organisations_document_is_404(env):
    doc = make_document(env.org, published=False)
    for name in ["document_detail", "document_edit", "document_workflow"]:
        assert env.xc.get(url(name, doc_id=doc.pk) + "?action=submit").status_code == 404, name
    response = env.xc.post(url("document_workflow", doc_id=doc.pk), {"action": "submit", "version": 1})
    assert response.status_code == 404
    change = DisclosureChange.objects.create(document=doc, requested_attribute="withheld", ground="art16_process",
                                             explanation="内部讨论的过程稿。", requested_by=env.publisher)
    response = env.xc.post(url("disclosure_decide", change_id=change.pk), {"decision": "approve"})
    assert response.status_code == 404
    doc.refresh_from_db()
    change.refresh_from_db()
    assert doc.status == "draft" and change.status == "pending_department"


def test_create_form_groups_tags_and_subjects(env):
    body = env.pc.get(url("document_create")).content.decode()
    assert "<legend>标签</legend>" in body and "政策主题" in body and "适用对象" in body
    assert "<optgroup" in body  # 主题分类 grouped by top level


def test_create_with_bad_input_shows_chinese_errors_and_changes_nothing(env):
    before = (Document.objects.count(), AuditEvent.objects.count())
    response = env.pc.post(url("document_create"), form_data(env, title="", doc_number="湘教发2026第7号",
                                                               written_on="2026-13-45"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "请更正以下问题" in body and "这个字段是必填项" in body and "发文字号" in body and "格式不正确" in body
    response = env.pc.post(url("document_create"), form_data(env, effective_on="2026-03-01"))
    assert response.status_code == 400 and "实施日期不能早于成文日期" in response.content.decode()
    assert (Document.objects.count(), AuditEvent.objects.count()) == before


def test_create_and_edit(env):
    response = env.pc.post(url("document_create"), form_data(env))
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == url("document_detail", doc_id=doc.pk)
    assert doc.doc_number == "湘教发〔2026〕7号" and doc.issuers == ["测试省教育厅", "测试省财政厅"]
    assert "script" not in doc.body_html and doc.status == "draft" and doc.created_by == env.publisher
    assert list(doc.tags.values_list("name", flat=True)) == ["稳岗就业"]
    # Office heads may look but not edit.
    assert env.oc.get(url("document_edit", doc_id=doc.pk)).status_code == 403
    data = form_data(env, title="修改后的标题", version=1)
    del data["organisation"]
    assert env.pc.post(url("document_edit", doc_id=doc.pk), data).status_code == 302
    doc.refresh_from_db()
    assert doc.title == "修改后的标题" and doc.version == 2
    # <input type="date"> accepts only ISO dates: the zh-hans format (2026/03/01) would be dropped
    # by the browser and the edit form would then fail with 请填写日期.
    page = env.pc.get(url("document_edit", doc_id=doc.pk)).content.decode()
    assert f'value="{doc.written_on.isoformat()}"' in page
    # A stale form (someone else saved in between) is refused with a Chinese message.
    response = env.pc.post(url("document_edit", doc_id=doc.pk), {**data, "title": "过期的修改"})
    assert response.status_code == 400 and "已被他人修改" in response.content.decode()
    doc.refresh_from_db()
    assert doc.title == "修改后的标题"


def test_workflow_buttons_with_confirmation(env):
    doc = make_document(env.org, published=False)
    detail = env.pc.get(url("document_detail", doc_id=doc.pk)).content.decode()
    assert "提交审核" in detail and "批准发布" not in detail
    confirm = env.pc.get(url("document_workflow", doc_id=doc.pk) + "?action=submit")
    assert confirm.status_code == 200 and "确认提交审核" in confirm.content.decode()
    assert 'name="csrfmiddlewaretoken"' in confirm.content.decode()
    assert env.pc.post(url("document_workflow", doc_id=doc.pk), {"action": "submit", "version": 1}).status_code == 302
    # The publisher may not start the secrecy review: the service refuses (403).
    assert env.pc.post(url("document_workflow", doc_id=doc.pk), {"action": "review", "version": 2}).status_code == 403
    detail = env.oc.get(url("document_detail", doc_id=doc.pk)).content.decode()
    assert "开始保密审查" in detail and "退回修改" in detail
    response = env.oc.post(url("document_workflow", doc_id=doc.pk), {"action": "return", "version": 2, "text": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    env.oc.post(url("document_workflow", doc_id=doc.pk), {"action": "review", "version": 2})
    response = env.oc.post(url("document_workflow", doc_id=doc.pk),
                           {"action": "publish", "version": 3, "published_at": "2001-01-01T09:00"})
    assert response.status_code == 400 and "不能早于当前时间" in response.content.decode()
    assert env.oc.post(url("document_workflow", doc_id=doc.pk), {"action": "publish", "version": 3}).status_code == 302
    doc.refresh_from_db()
    assert doc.status == "published"
    history = env.pc.get(url("document_detail", doc_id=doc.pk)).content.decode()
    for action in ["document.create", "document.submit", "document.secrecy_review", "document.publish"]:
        assert action in history
    assert env.oc.get(url("document_workflow", doc_id=doc.pk) + "?action=nonsense").status_code == 404


def test_disclosure_panel_two_approvals(env):
    doc = make_document(env.org)
    response = env.pc.post(url("disclosure_request", doc_id=doc.pk), {"attribute": "withheld", "explanation": "过程稿"})
    assert response.status_code == 400 and "必须选择条例第十四条至第十六条规定的理由" in response.content.decode()
    assert not DisclosureChange.objects.exists()
    env.pc.post(url("disclosure_request", doc_id=doc.pk),
                {"attribute": "withheld", "ground": "art16_process", "explanation": "本文件为内部讨论的过程稿。"})
    change = DisclosureChange.objects.get()
    # The requester sees only the cancel button; the department head sees approve/reject.
    assert 'value="approve"' not in env.pc.get(url("document_detail", doc_id=doc.pk)).content.decode()
    assert 'value="approve"' in env.dc.get(url("document_detail", doc_id=doc.pk)).content.decode()
    response = env.dc.post(url("disclosure_decide", change_id=change.pk), {"decision": "reject", "comment": ""})
    assert response.status_code == 400 and "退回意见" in response.content.decode()
    # Office first is the wrong order.
    response = env.oc.post(url("disclosure_decide", change_id=change.pk), {"decision": "approve"})
    assert response.status_code == 403
    env.dc.post(url("disclosure_decide", change_id=change.pk), {"decision": "approve", "comment": "同意"})
    env.oc.post(url("disclosure_decide", change_id=change.pk), {"decision": "approve"})
    change.refresh_from_db()
    doc.refresh_from_db()
    assert change.status == "approved" and doc.disclosure == "withheld"
    detail = env.pc.get(url("document_detail", doc_id=doc.pk)).content.decode()
    assert "disclosure.approve_office" in detail and "第十六条第二款" in detail


def test_relation_form(env):
    old = make_document(env.org, title="旧办法")
    new = make_document(env.org, title="新办法")
    response = env.pc.post(url("document_relate", doc_id=new.pk), {"kind": "repeals", "target_index_no": "nope"})
    assert response.status_code == 400 and "未找到该索引号的文件" in response.content.decode()
    env.pc.post(url("document_relate", doc_id=new.pk), {"kind": "repeals", "target_index_no": old.index_no})
    old.refresh_from_db()
    assert old.validity == "repealed"
    assert "本文件已被废止" in env.pc.get(url("document_detail", doc_id=old.pk)).content.decode()


def test_interpretation_pages(env):
    doc = make_document(env.org, published=False, needs_interpretation=True)
    assert env.pc.get(url("interpretation_create") + f"?doc={doc.pk}").status_code == 200
    response = env.pc.post(url("interpretation_create"), {"organisation": env.org.pk, "kind": "qa", "title": "答记者问",
                                                          "documents": "000/2026-99999"})
    assert response.status_code == 400 and "未找到这些索引号的文件" in response.content.decode()
    assert not Interpretation.objects.exists()
    env.pc.post(url("interpretation_create"), {"organisation": env.org.pk, "kind": "qa", "title": "答记者问",
                                               "documents": doc.index_no})
    item = Interpretation.objects.get()
    assert list(item.documents.all()) == [doc]
    response = env.pc.post(url("interpretation_action", interp_id=item.pk), {"action": "publish"})
    assert response.status_code == 400 and "至少有一组问答" in response.content.decode()
    response = env.pc.post(url("interpretation_qa_add", interp_id=item.pk), {"question": "", "answer": "回答"})
    assert response.status_code == 400 and not InterviewQA.objects.exists()
    env.pc.post(url("interpretation_qa_add", interp_id=item.pk), {"question": "适用哪些企业？", "answer": "小微企业。"})
    env.pc.post(url("interpretation_action", interp_id=item.pk), {"action": "publish"})
    item.refresh_from_db()
    assert item.status == "published"
    assert env.xc.get(url("interpretation_detail", interp_id=item.pk)).status_code == 404
    assert "答记者问" not in env.xc.get(url("interpretation_list")).content.decode()


def test_graphic_image_needs_alt_text_and_real_image(env):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = make_document(env.org)
    env.pc.post(url("interpretation_create"), {"organisation": env.org.pk, "kind": "graphic", "title": "一图读懂",
                                               "documents": doc.index_no})
    item = Interpretation.objects.get()
    response = env.pc.post(url("interpretation_image_add", interp_id=item.pk),
                           {"image": SimpleUploadedFile("a.png", PNG), "alt_text": ""})
    assert response.status_code == 400 and "替代文字" in response.content.decode()
    response = env.pc.post(url("interpretation_image_add", interp_id=item.pk),
                           {"image": SimpleUploadedFile("a.png", b"<svg onload=alert(1)>"), "alt_text": "一张图表说明"})
    assert response.status_code == 400 and "只能上传" in response.content.decode()
    assert not item.images.exists()
    env.pc.post(url("interpretation_image_add", interp_id=item.pk),
                {"image": SimpleUploadedFile("a.png", PNG), "alt_text": "融资贷款政策要点示意图"})
    image = item.images.get()
    assert image.alt_text == "融资贷款政策要点示意图" and image.image.name.endswith(".png")
    assert "a.png" not in image.image.name  # server-generated name


def test_workbench_dashboard_counts(env):
    make_document(env.org, published=False, written_on=date(2020, 1, 6))  # long overdue (条例第二十六条)
    doc = make_document(env.org, title="不公开的文件")
    Document.objects.filter(pk=doc.pk).update(disclosure="withheld")  # no review date → 条例第十八条
    body = env.oc.get(reverse("staff:workbench")).content.decode()
    assert "政策文件与主动公开" in body and "其中逾期 1 件" in body
    assert "待定期评估的不公开文件（条例第十八条）</a>：1 件" in body
    reminders = env.oc.get(url("reminders")).content.decode()
    assert "已逾期" in reminders and "不公开的文件" in reminders


def test_attachment_upload_and_remove(env):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = make_document(env.org, published=False)
    response = env.pc.post(url("attachment_upload", doc_id=doc.pk),
                           {"file": SimpleUploadedFile("图.png", PNG), "alt_text": ""})
    assert response.status_code == 400 and "替代文字" in response.content.decode()
    assert not doc.attachments.exists()
    assert env.xc.post(url("attachment_upload", doc_id=doc.pk),
                       {"file": SimpleUploadedFile("图.png", PNG), "alt_text": "示意图"}).status_code == 404
    env.pc.post(url("attachment_upload", doc_id=doc.pk), {"file": SimpleUploadedFile("图.png", PNG),
                                                          "alt_text": "政策要点示意图"})
    attachment = doc.attachments.get()
    assert "政策要点示意图" in env.pc.get(url("document_detail", doc_id=doc.pk)).content.decode()
    env.pc.post(url("attachment_upload", doc_id=doc.pk), {"remove": attachment.pk})
    assert not doc.attachments.exists()


def test_periodic_reassessment_from_the_detail_page(env):
    doc = make_document(env.org, title="内部流程文件")
    Document.objects.filter(pk=doc.pk).update(disclosure="withheld", disclosure_ground="art16_internal")
    assert "定期评估" in env.oc.get(url("document_detail", doc_id=doc.pk)).content.decode()
    response = env.oc.post(url("document_workflow", doc_id=doc.pk), {"action": "reassess", "version": 1, "text": ""})
    assert response.status_code == 400
    env.oc.post(url("document_workflow", doc_id=doc.pk),
                {"action": "reassess", "version": 1, "text": "仍属内部事务信息，继续不公开。"})
    doc.refresh_from_db()
    assert doc.disclosure_review_on is not None
    assert "内部流程文件" not in env.oc.get(url("reminders")).content.decode()
