"""Staff pages of the policy library (政策文件管理): documents, the publishing workflow, the
disclosure attribute, interpretations and the 工作提醒 lists. Views are thin: forms parse input,
services decide and write, ``access_*`` scope every object to the user's organisations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongkai.accounts.access import organisations_for, user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.permissions import staff_required
from gongkai.domain.documents import (
    DISCLOSURE_LABELS,
    DOC_STATUS_LABELS,
    VALIDITY_LABELS,
    WITHHOLDING_GROUND_LABELS,
    Disclosure,
    DocStatus,
    DocumentError,
    normalise_doc_number,
)
from gongkai.policies.access import access_document, access_interpretation, documents_for
from gongkai.policies.models import (
    Art20Item,
    Category,
    DisclosureChange,
    Document,
    DocumentRelation,
    Interpretation,
    InterpretationImage,
    InterviewQA,
    Level,
    SubjectCategory,
    Tag,
)
from gongkai.policies.services import interpretations as interp_services
from gongkai.policies.services import workflow as wf
from gongkai.policies.services.documents import document_create, document_relate, document_update
from gongkai.policies.staff_selectors import (
    art26_due_list,
    document_history,
    interpretation_history,
    reassessment_due,
)

PAGE_SIZE = 30


# --- Forms ----------------------------------------------------------------------------------------

def subject_choices() -> list[tuple[Any, Any]]:
    """主题分类 as a select grouped by the top level."""
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    children: list[SubjectCategory] = []
    for s in SubjectCategory.objects.order_by("sort", "id"):
        if s.parent_id is None:
            groups[s.pk] = (s.name, [])
        else:
            children.append(s)
    for child in children:
        if child.parent_id in groups:
            groups[child.parent_id][1].append((child.pk, child.name))
    return [("", "（未分类）"), *[(name, items) for name, items in groups.values() if items]]


def tag_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Tags as checkboxes grouped by kind (政策主题, 适用对象, 专题)."""
    groups: dict[str, list[tuple[int, str]]] = {kind: [] for kind in Tag.Kind.values}
    for tag in Tag.objects.order_by("kind", "sort", "id"):
        groups[tag.kind].append((tag.pk, tag.name))
    return [(str(Tag.Kind(kind).label), items) for kind, items in groups.items() if items]


class DocumentForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="发布机关",
                                          help_text="在本平台维护和发布该文件的机关。")
    title = forms.CharField(label="标题", max_length=300)
    issuers = forms.CharField(label="发文机关", widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="每行一个机关；联合发文时第一行为主办机关。")
    doc_number = forms.CharField(label="发文字号", required=False, max_length=60,
                                 help_text="如 国办发〔2020〕27号；输入 [2020]、(2020)、［2020］ 也可，保存时统一为〔〕。")
    written_on = forms.DateField(label="成文日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    effective_on = forms.DateField(label="实施日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    repeal_on = forms.DateField(label="废止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text="到期后文件自动显示为“失效”。")
    subject = forms.TypedChoiceField(label="主题分类", required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    art20_item = forms.TypedChoiceField(label="法定主动公开内容", required=False, coerce=int, empty_value=None,
                                        choices=[("", "（不属于第二十条所列事项）"), *Art20Item.choices])
    level = forms.ChoiceField(label="层级", choices=Level.choices)
    tags = forms.TypedMultipleChoiceField(label="标签", required=False, coerce=int,
                                          widget=forms.CheckboxSelectMultiple)
    keywords = forms.CharField(label="关键词", required=False, max_length=200)
    summary = forms.CharField(label="内容概述", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    body_html = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 16}),
                                help_text="可粘贴带格式的正文（HTML）；保存时会清除脚本等不安全的内容。")
    source = forms.CharField(label="文件来源", required=False, max_length=200)
    validity = forms.ChoiceField(label="有效性", choices=[(k.value, v) for k, v in VALIDITY_LABELS.items()])
    needs_interpretation = forms.BooleanField(label="需要政策解读（同步组织、同步审签、同步部署）", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subject_choices()  # type: ignore[attr-defined]
        self.fields["tags"].choices = tag_choices()  # type: ignore[attr-defined]
        if creating:
            orgs = organisations_for(user, Perm.PUBLISH).order_by("tree_path")
            self.fields["organisation"].queryset = orgs  # type: ignore[attr-defined]
            if orgs.count() == 1:
                self.fields["organisation"].initial = orgs.first()
        else:
            del self.fields["organisation"]

    def clean_doc_number(self) -> str:
        try:
            return normalise_doc_number(self.cleaned_data["doc_number"])
        except DocumentError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_issuers(self) -> list[str]:
        issuers = [line.strip() for line in self.cleaned_data["issuers"].splitlines() if line.strip()]
        if not issuers:
            raise forms.ValidationError("请填写发文机关。")
        return issuers

    def clean_subject(self) -> SubjectCategory | None:
        pk = self.cleaned_data["subject"]
        if pk is None:
            return None
        subject = SubjectCategory.objects.filter(pk=pk, parent__isnull=False).first()
        if subject is None:
            raise forms.ValidationError("请选择一个二级主题分类。")
        return subject

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("organisation", None)
        data.pop("version", None)
        data["tags"] = list(Tag.objects.filter(pk__in=data["tags"]))
        data["body_html"] = data["body_html"] or ""
        return data


def document_initial(document: Document) -> dict[str, Any]:
    return {
        "title": document.title, "issuers": "\n".join(document.issuers), "doc_number": document.doc_number,
        "written_on": document.written_on, "effective_on": document.effective_on, "repeal_on": document.repeal_on,
        "subject": document.subject_id, "category": document.category, "art20_item": document.art20_item,
        "level": document.level, "tags": list(document.tags.values_list("pk", flat=True)),
        "keywords": document.keywords, "summary": document.summary, "body_html": document.body_html,
        "source": document.source, "validity": document.validity,
        "needs_interpretation": document.needs_interpretation, "version": document.version,
    }


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: field errors where the form has the field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)


# --- Documents ------------------------------------------------------------------------------------

@staff_required
def document_list(request: HttpRequest) -> HttpResponse:
    """文件管理: the user's organisations' documents, newest change first (index doc_org_work)."""
    documents = documents_for(request.user).select_related("organisation").order_by("-updated_at", "-id")
    status = request.GET.get("status", "")
    disclosure = request.GET.get("disclosure", "")
    if status in {s.value for s in DocStatus}:
        documents = documents.filter(status=status)
    else:
        status = ""
    if disclosure in {d.value for d in Disclosure}:
        documents = documents.filter(disclosure=disclosure)
    else:
        disclosure = ""
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "policies/staff/document_list.html", {
        "page": page, "status": status, "disclosure": disclosure, "now": timezone.now(),
        "status_choices": [(s.value, label) for s, label in DOC_STATUS_LABELS.items()],
        "disclosure_choices": [(d.value, label) for d, label in DISCLOSURE_LABELS.items()],
        "can_create": organisations_for(request.user, Perm.PUBLISH).exists(),
        "query_prefix": "&".join(f"{k}={v}" for k, v in (("status", status), ("disclosure", disclosure)) if v),
    })


@staff_required
def document_create_view(request: HttpRequest) -> HttpResponse:
    if not organisations_for(request.user, Perm.PUBLISH).exists():
        raise PermissionDenied("只有信息发布员可以录入文件。")
    form = DocumentForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            document = document_create(actor=request.user, organisation=form.cleaned_data["organisation"],
                                       request=request, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存草稿，索引号 {document.index_no}。")
            return redirect("policies_staff:document_detail", doc_id=document.pk)
    return render(request, "policies/staff/document_form.html", {"form": form, "document": None},
                  status=400 if form.errors else 200)


@staff_required
def document_edit(request: HttpRequest, doc_id: int) -> HttpResponse:
    document = access_document(request.user, doc_id, request=request)
    if not user_has_org_perm(request.user, document.organisation, Perm.PUBLISH):
        raise PermissionDenied("只有本机关的信息发布员可以修改文件。")
    form = DocumentForm(request.POST or None, user=request.user, creating=False,
                        initial=document_initial(document))
    if request.method == "POST" and form.is_valid():
        try:
            document_update(actor=request.user, document=document, request=request,
                            expected_version=form.cleaned_data["version"], **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("policies_staff:document_detail", doc_id=document.pk)
    return render(request, "policies/staff/document_form.html", {"form": form, "document": document},
                  status=400 if form.errors else 200)


# Workflow actions: (label, service, perm, extra field, source statuses).
ACTIONS: dict[str, dict[str, Any]] = {
    "submit": {"label": "提交审核", "perm": Perm.PUBLISH, "from": {DocStatus.DRAFT}},
    "review": {"label": "开始保密审查", "perm": Perm.APPROVE, "from": {DocStatus.SUBMITTED}},
    "return": {"label": "退回修改", "perm": Perm.APPROVE, "from": {DocStatus.SUBMITTED, DocStatus.SECRECY_REVIEW},
               "text": ("comment", "退回意见")},
    "publish": {"label": "批准发布", "perm": Perm.APPROVE, "from": {DocStatus.SECRECY_REVIEW}},
    "override": {"label": "准予无解读发布", "perm": Perm.APPROVE,
                 "from": {DocStatus.DRAFT, DocStatus.SUBMITTED, DocStatus.SECRECY_REVIEW},
                 "text": ("reason", "无解读发布的理由")},
    "withdraw": {"label": "撤回", "perm": Perm.APPROVE, "from": {DocStatus.PUBLISHED},
                 "text": ("reason", "撤回原因")},
    "reopen": {"label": "重新编辑", "perm": Perm.PUBLISH, "from": {DocStatus.WITHDRAWN}},
    "reassess": {"label": "定期评估（继续不公开）", "perm": Perm.APPROVE, "from": set(DocStatus),
                 "text": ("note", "评估意见（条例第十八条）")},
}


def available_actions(user: Any, document: Document) -> list[tuple[str, str]]:
    result = []
    for key, spec in ACTIONS.items():
        if document.status not in spec["from"] or not user_has_org_perm(user, document.organisation, spec["perm"]):
            continue
        if key == "override" and not (document.needs_interpretation and not document.interpretation_override):
            continue
        if key == "reassess" and document.disclosure == Disclosure.PROACTIVE:
            continue
        result.append((key, spec["label"]))
    return result


class WorkflowForm(forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    published_at = forms.DateTimeField(label="定时发布时间", required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                       help_text="留空表示立即发布；填写将来的时间则到时自动公开。")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = ACTIONS[action]
        if "text" in spec:
            self.fields["text"].label = spec["text"][1]
            self.fields["text"].required = True
        else:
            del self.fields["text"]
        if action != "publish":
            del self.fields["published_at"]


@staff_required
def document_workflow(request: HttpRequest, doc_id: int) -> HttpResponse:
    """Confirmation page (GET ?action=…) and the step itself (POST)."""
    document = access_document(request.user, doc_id, request=request)
    action = request.POST.get("action") or request.GET.get("action", "")
    if action not in ACTIONS:
        raise Http404("未知的操作。")
    spec = ACTIONS[action]
    form = WorkflowForm(request.POST or None, action=action, initial={"version": document.version})
    if request.method == "POST" and form.is_valid():
        actor, version = request.user, form.cleaned_data["version"]
        text = form.cleaned_data.get("text", "")
        try:
            if action == "submit":
                wf.document_submit(actor=actor, document=document, expected_version=version, request=request)
            elif action == "review":
                wf.document_start_secrecy_review(actor=actor, document=document, expected_version=version,
                                                 request=request)
            elif action == "return":
                wf.document_return(actor=actor, document=document, comment=text, expected_version=version,
                                   request=request)
            elif action == "publish":
                when: datetime | None = form.cleaned_data.get("published_at")
                wf.document_publish(actor=actor, document=document, published_at=when,
                                    expected_version=version, request=request)
            elif action == "override":
                wf.document_override_interpretation(actor=actor, document=document, reason=text,
                                                    expected_version=version, request=request)
            elif action == "withdraw":
                wf.document_withdraw(actor=actor, document=document, reason=text, expected_version=version,
                                     request=request)
            elif action == "reassess":
                wf.disclosure_confirm_review(actor=actor, document=document, note=text, request=request)
            else:
                wf.document_reopen(actor=actor, document=document, expected_version=version, request=request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"已完成：{spec['label']}。")
            return redirect("policies_staff:document_detail", doc_id=document.pk)
    return render(request, "policies/staff/document_workflow.html",
                  {"document": document, "form": form, "action": action, "label": spec["label"]},
                  status=400 if form.errors else 200)


class RelateForm(forms.Form):
    kind = forms.ChoiceField(label="关系", choices=DocumentRelation.Kind.choices,
                             help_text="本文件修改或废止另一份文件。")
    target_index_no = forms.CharField(label="被修改或废止文件的索引号", max_length=40)


@staff_required
@require_POST
def document_relate_view(request: HttpRequest, doc_id: int) -> HttpResponse:
    document = access_document(request.user, doc_id, request=request)
    form = RelateForm(request.POST)
    if form.is_valid():
        target = interp_services.linkable_documents(request.user).filter(
            index_no=form.cleaned_data["target_index_no"].strip().upper()).first()
        if target is None:
            form.add_error("target_index_no", "未找到该索引号的文件，或您无权查看。")
        else:
            try:
                document_relate(actor=request.user, source=document, target=target,
                                kind=form.cleaned_data["kind"], request=request)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, f"已登记：本文件{dict(DocumentRelation.Kind.choices)[form.cleaned_data['kind']]}"
                                          f"《{target.title}》。")
                return redirect("policies_staff:document_detail", doc_id=document.pk)
    return _detail(request, document, relate_form=form, status=400)


class DisclosureRequestForm(forms.Form):
    attribute = forms.ChoiceField(label="申请的公开属性", choices=[(d.value, label) for d, label in DISCLOSURE_LABELS.items()])
    ground = forms.ChoiceField(label="不公开的法定理由（条例第十四条至第十六条）", required=False,
                               choices=[("", "（变更为主动公开时不选）"),
                                        *[(g.value, label) for g, label in WITHHOLDING_GROUND_LABELS.items()]])
    explanation = forms.CharField(label="具体说明", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="不主动公开的须写明具体理由，不少于10个字。")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "同意"), ("reject", "退回"), ("cancel", "撤销申请")],
                                 widget=forms.HiddenInput)
    comment = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="退回时必须填写。")


@staff_required
@require_POST
def disclosure_request(request: HttpRequest, doc_id: int) -> HttpResponse:
    document = access_document(request.user, doc_id, request=request)
    form = DisclosureRequestForm(request.POST)
    if form.is_valid():
        try:
            wf.disclosure_change_request(actor=request.user, document=document, request=request,
                                         **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "已提交公开属性变更申请，等待起草部门负责人审批。")
            return redirect("policies_staff:document_detail", doc_id=document.pk)
    return _detail(request, document, disclosure_form=form, status=400)


def access_disclosure_change(user: Any, change_id: Any, *, request: HttpRequest) -> DisclosureChange:
    try:
        change = DisclosureChange.objects.get(pk=int(change_id))
    except (DisclosureChange.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该申请。") from None
    change.document = access_document(user, change.document_id, request=request)
    return change


@staff_required
def disclosure_decide(request: HttpRequest, change_id: int) -> HttpResponse:
    """A decision on an attribute-change request (同意/退回/撤销)."""
    change = access_disclosure_change(request.user, change_id, request=request)
    document = change.document
    if request.method != "POST":
        return redirect(reverse("policies_staff:document_detail", kwargs={"doc_id": document.pk}) + "#disclosure")
    form = DecisionForm(request.POST)
    if form.is_valid():
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
        try:
            if decision == "cancel":
                wf.disclosure_change_cancel(actor=request.user, change=change, request=request)
            elif decision == "reject":
                wf.disclosure_change_reject(actor=request.user, change=change, comment=comment, request=request)
            elif change.status == DisclosureChange.Status.PENDING_DEPARTMENT:
                wf.disclosure_change_approve_department(actor=request.user, change=change, comment=comment,
                                                        request=request)
            else:
                wf.disclosure_change_approve_office(actor=request.user, change=change, comment=comment,
                                                    request=request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "审批意见已记录。")
            return redirect("policies_staff:document_detail", doc_id=document.pk)
    return _detail(request, document, decision_form=form, status=400)


def _detail(request: HttpRequest, document: Document, *, status: int = 200, **forms_: Any) -> HttpResponse:
    user = request.user
    changes = list(document.disclosure_changes.select_related("requested_by", "department_approver",
                                                               "office_approver"))
    open_change = next((c for c in changes if c.status in wf.OPEN_CHANGE_STATUSES), None)
    can_request = user_has_org_perm(user, document.organisation, Perm.PUBLISH) or user_has_org_perm(
        user, document.organisation, Perm.APPROVE_DEPARTMENT)
    can_decide = False
    if open_change is not None and open_change.requested_by_id != user.pk:
        perm = (Perm.APPROVE_DEPARTMENT if open_change.status == DisclosureChange.Status.PENDING_DEPARTMENT
                else Perm.APPROVE)
        can_decide = user_has_org_perm(user, document.organisation, perm) and \
            open_change.department_approver_id != user.pk
    context = {
        "document": document,
        "actions": available_actions(user, document),
        "can_edit": user_has_org_perm(user, document.organisation, Perm.PUBLISH),
        "history": document_history(document),
        "outgoing": document.outgoing.select_related("target"),
        "incoming": document.incoming.select_related("source"),
        "attachments": document.attachments.all(),
        "interpretations": document.interpretations.all(),
        "tags": document.tags.all(),
        "changes": changes,
        "open_change": open_change,
        "can_request": can_request and open_change is None,
        "can_decide": can_decide,
        "can_cancel": open_change is not None and open_change.requested_by_id == user.pk,
        "relate_form": forms_.get("relate_form") or RelateForm(),
        "disclosure_form": forms_.get("disclosure_form") or DisclosureRequestForm(),
        "decision_form": forms_.get("decision_form") or DecisionForm(),
        "attachment_form": forms_.get("attachment_form") or AttachmentForm(),
    }
    return render(request, "policies/staff/document_detail.html", context, status=status)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件", help_text="PDF、DOCX、XLSX、OFD 或图片；类型按文件内容检查。")
    alt_text = forms.CharField(label="替代文字", required=False, max_length=300,
                               help_text="图片附件必填：用文字说明图片内容，供读屏软件朗读。")


@staff_required
@require_POST
def attachment_upload(request: HttpRequest, doc_id: int) -> HttpResponse:
    from gongkai.policies.services.attachments import attachment_add, attachment_remove

    document = access_document(request.user, doc_id, request=request)
    if request.POST.get("remove"):
        attachment = document.attachments.filter(pk=_int(request.POST["remove"])).first()
        if attachment is None:
            raise Http404("未找到该附件。")
        attachment_remove(actor=request.user, attachment=attachment, request=request)
        messages.success(request, "已删除附件。")
        return redirect("policies_staff:document_detail", doc_id=document.pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment_add(actor=request.user, document=document, uploaded_file=form.cleaned_data["file"],
                           alt_text=form.cleaned_data["alt_text"], request=request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "已上传附件。")
            return redirect("policies_staff:document_detail", doc_id=document.pk)
    return _detail(request, document, attachment_form=form, status=400)


@staff_required
def document_detail(request: HttpRequest, doc_id: int) -> HttpResponse:
    return _detail(request, access_document(request.user, doc_id, request=request))


@staff_required
def reminders(request: HttpRequest) -> HttpResponse:
    """工作提醒: drafts, approvals waiting for me, 条例第二十六条 deadlines, 条例第十八条 reviews."""
    today = timezone.localdate()
    return render(request, "policies/staff/reminders.html", {**dashboard_data(request.user, today), "today": today})


def dashboard_data(user: Any, today: Any) -> dict[str, Any]:
    approve_orgs = organisations_for(user, Perm.APPROVE)
    dept_orgs = organisations_for(user, Perm.APPROVE_DEPARTMENT)
    drafts = documents_for(user, Perm.PUBLISH).filter(status=DocStatus.DRAFT, created_by=user).order_by("-updated_at")
    reviews = Document.objects.filter(organisation__in=approve_orgs, status__in=[
        DocStatus.SUBMITTED, DocStatus.SECRECY_REVIEW]).select_related("organisation").order_by("updated_at")
    changes = DisclosureChange.objects.filter(
        Q(status=DisclosureChange.Status.PENDING_DEPARTMENT, document__organisation__in=dept_orgs)
        | Q(status=DisclosureChange.Status.PENDING_OFFICE, document__organisation__in=approve_orgs)
    ).exclude(requested_by=user).exclude(department_approver=user).select_related("document").order_by("requested_at")
    art26 = art26_due_list(user, today)
    return {
        "drafts": drafts, "reviews": reviews, "changes": changes,
        "art26": art26, "art26_overdue": sum(1 for i in art26 if i.overdue),
        "art18": reassessment_due(user, today),
    }


# --- Interpretations ------------------------------------------------------------------------------

class InterpretationForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="解读机关")
    kind = forms.ChoiceField(label="形式", choices=Interpretation.Kind.choices)
    title = forms.CharField(label="标题", max_length=300)
    summary = forms.CharField(label="摘要", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    body_html = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 12}),
                                help_text="文字解读必填；保存时会清除脚本等不安全的内容。")
    video_url = forms.URLField(label="视频链接", required=False, assume_scheme="https", help_text="视频解读必填。")
    host = forms.CharField(label="主持人", required=False, max_length=100, help_text="访谈必填。")
    guests = forms.CharField(label="嘉宾", required=False, max_length=300, help_text="访谈必填，多位嘉宾用顿号分隔。")
    themes = forms.TypedMultipleChoiceField(label="主题", required=False, coerce=int,
                                            widget=forms.CheckboxSelectMultiple)
    documents = forms.CharField(label="被解读文件的索引号", widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="每行一个索引号，如 000014349/2026-00001。可关联本机关的文件或已公开的其他机关文件。")

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        themes = [(t.pk, t.name) for t in Tag.objects.filter(kind=Tag.Kind.THEME)]
        self.fields["themes"].choices = themes  # type: ignore[attr-defined]
        if creating:
            self.fields["organisation"].queryset = organisations_for(user, Perm.PUBLISH)  # type: ignore[attr-defined]
        else:
            del self.fields["organisation"]

    def clean_documents(self) -> list[Document]:
        numbers = [line.strip().upper() for line in self.cleaned_data["documents"].splitlines() if line.strip()]
        if not numbers:
            raise forms.ValidationError("请至少填写一份被解读文件的索引号。")
        found = {d.index_no: d for d in interp_services.linkable_documents(self.user).filter(index_no__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(f"未找到这些索引号的文件，或您无权查看：{'、'.join(missing)}。")
        return list(found.values())

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("organisation", None)
        data["themes"] = list(Tag.objects.filter(pk__in=data["themes"]))
        return data


@staff_required
def interpretation_list(request: HttpRequest) -> HttpResponse:
    items = Interpretation.objects.filter(organisation__in=organisations_for(request.user)).select_related(
        "organisation").order_by("-updated_at", "-id")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "policies/staff/interpretation_list.html", {
        "page": page, "can_create": organisations_for(request.user, Perm.PUBLISH).exists()})


@staff_required
def interpretation_create_view(request: HttpRequest) -> HttpResponse:
    if not organisations_for(request.user, Perm.PUBLISH).exists():
        raise PermissionDenied("只有信息发布员可以录入政策解读。")
    initial: dict[str, Any] = {}
    doc_id = request.GET.get("doc", "")
    if doc_id.isdigit():
        linked = documents_for(request.user).filter(pk=int(doc_id)).first()
        if linked is not None:
            initial = {"documents": linked.index_no, "organisation": linked.organisation_id}
    form = InterpretationForm(request.POST or None, user=request.user, creating=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = interp_services.interpretation_create(
                actor=request.user, organisation=form.cleaned_data["organisation"], request=request,
                **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存解读草稿。")
            return redirect("policies_staff:interpretation_detail", interp_id=item.pk)
    return render(request, "policies/staff/interpretation_form.html", {"form": form, "item": None},
                  status=400 if form.errors else 200)


@staff_required
def interpretation_edit(request: HttpRequest, interp_id: int) -> HttpResponse:
    item = access_interpretation(request.user, interp_id, request=request)
    if not user_has_org_perm(request.user, item.organisation, Perm.PUBLISH):
        raise PermissionDenied("只有本机关的信息发布员可以修改解读。")
    initial = {"kind": item.kind, "title": item.title, "summary": item.summary, "body_html": item.body_html,
               "video_url": item.video_url, "host": item.host, "guests": item.guests,
               "themes": list(item.themes.values_list("pk", flat=True)),
               "documents": "\n".join(item.documents.values_list("index_no", flat=True))}
    form = InterpretationForm(request.POST or None, user=request.user, creating=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            interp_services.interpretation_update(actor=request.user, interpretation=item, request=request,
                                                  **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("policies_staff:interpretation_detail", interp_id=item.pk)
    return render(request, "policies/staff/interpretation_form.html", {"form": form, "item": item},
                  status=400 if form.errors else 200)


class ImageForm(forms.Form):
    image = forms.FileField(label="图片", help_text="PNG、JPEG、GIF 或 WebP，不超过 5 MB。")
    alt_text = forms.CharField(label="替代文字", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="用文字说明图片内容，供读屏软件朗读（必填）。")


class QAForm(forms.Form):
    question = forms.CharField(label="问题", widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label="回答", widget=forms.Textarea(attrs={"rows": 4}))
    asked_by = forms.CharField(label="提问人", required=False, max_length=100)
    answered_by = forms.CharField(label="回答人", required=False, max_length=100)


def _interpretation_detail(request: HttpRequest, item: Interpretation, *, status: int = 200,
                           **forms_: Any) -> HttpResponse:
    return render(request, "policies/staff/interpretation_detail.html", {
        "item": item,
        "can_edit": user_has_org_perm(request.user, item.organisation, Perm.PUBLISH),
        "documents": item.documents.select_related("organisation"),
        "images": item.images.all(), "qas": item.qas.all(), "history": interpretation_history(item),
        "image_form": forms_.get("image_form") or ImageForm(), "qa_form": forms_.get("qa_form") or QAForm(),
        "errors": forms_.get("errors", []),
    }, status=status)


@staff_required
def interpretation_detail(request: HttpRequest, interp_id: int) -> HttpResponse:
    return _interpretation_detail(request, access_interpretation(request.user, interp_id, request=request))


@staff_required
@require_POST
def interpretation_action(request: HttpRequest, interp_id: int) -> HttpResponse:
    """发布/撤回/重新编辑, and removing an image or a Q&A pair."""
    item = access_interpretation(request.user, interp_id, request=request)
    action = request.POST.get("action", "")
    try:
        if action == "publish":
            interp_services.interpretation_publish(actor=request.user, interpretation=item, request=request)
        elif action == "withdraw":
            interp_services.interpretation_withdraw(actor=request.user, interpretation=item,
                                                    reason=request.POST.get("reason", ""), request=request)
        elif action == "reopen":
            interp_services.interpretation_reopen(actor=request.user, interpretation=item, request=request)
        elif action == "remove_image":
            image = InterpretationImage.objects.filter(interpretation=item, pk=_int(request.POST.get("id"))).first()
            if image is None:
                raise Http404("未找到该图片。")
            interp_services.interpretation_remove_image(actor=request.user, image=image, request=request)
        elif action == "remove_qa":
            qa = InterviewQA.objects.filter(interpretation=item, pk=_int(request.POST.get("id"))).first()
            if qa is None:
                raise Http404("未找到该问答。")
            interp_services.interpretation_remove_qa(actor=request.user, qa=qa, request=request)
        else:
            raise Http404("未知的操作。")
    except ValidationError as exc:
        return _interpretation_detail(request, item, errors=exc.messages, status=400)
    messages.success(request, "操作已完成。")
    return redirect("policies_staff:interpretation_detail", interp_id=item.pk)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@staff_required
@require_POST
def interpretation_image_add(request: HttpRequest, interp_id: int) -> HttpResponse:
    item = access_interpretation(request.user, interp_id, request=request)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            interp_services.interpretation_add_image(actor=request.user, interpretation=item, request=request,
                                                     uploaded_file=form.cleaned_data["image"],
                                                     alt_text=form.cleaned_data["alt_text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已添加图片。")
            return redirect("policies_staff:interpretation_detail", interp_id=item.pk)
    return _interpretation_detail(request, item, image_form=form, status=400)


@staff_required
@require_POST
def interpretation_qa_add(request: HttpRequest, interp_id: int) -> HttpResponse:
    item = access_interpretation(request.user, interp_id, request=request)
    form = QAForm(request.POST)
    if form.is_valid():
        try:
            interp_services.interpretation_add_qa(actor=request.user, interpretation=item, request=request,
                                                  **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已添加问答。")
            return redirect("policies_staff:interpretation_detail", interp_id=item.pk)
    return _interpretation_detail(request, item, qa_form=form, status=400)
