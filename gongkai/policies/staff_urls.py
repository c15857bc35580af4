"""Staff pages of the policy library, mounted at /staff/policies/ (namespace policies_staff)."""

from django.urls import path

from gongkai.policies import staff_views as views

app_name = "policies_staff"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("new/", views.document_create_view, name="document_create"),
    path("reminders/", views.reminders, name="reminders"),
    path("<int:doc_id>/", views.document_detail, name="document_detail"),
    path("<int:doc_id>/edit/", views.document_edit, name="document_edit"),
    path("<int:doc_id>/workflow/", views.document_workflow, name="document_workflow"),
    path("<int:doc_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:doc_id>/relate/", views.document_relate_view, name="document_relate"),
    path("<int:doc_id>/disclosure/", views.disclosure_request, name="disclosure_request"),
    path("disclosure/<int:change_id>/", views.disclosure_decide, name="disclosure_decide"),
    path("interpretations/", views.interpretation_list, name="interpretation_list"),
    path("interpretations/new/", views.interpretation_create_view, name="interpretation_create"),
    path("interpretations/<int:interp_id>/", views.interpretation_detail, name="interpretation_detail"),
    path("interpretations/<int:interp_id>/edit/", views.interpretation_edit, name="interpretation_edit"),
    path("interpretations/<int:interp_id>/action/", views.interpretation_action, name="interpretation_action"),
    path("interpretations/<int:interp_id>/images/", views.interpretation_image_add, name="interpretation_image_add"),
    path("interpretations/<int:interp_id>/qas/", views.interpretation_qa_add, name="interpretation_qa_add"),
]
