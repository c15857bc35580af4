"""Staff pages for special libraries (专题库管理), mounted at ``/staff/policies/libraries/``."""

from django.urls import path

from gongkai.policies import library_staff_views as views

app_name = "libraries_staff"

urlpatterns = [
    path("", views.library_list, name="list"),
    path("new/", views.library_new, name="new"),
    path("<int:library_id>/", views.library_edit, name="edit"),
    path("<int:library_id>/documents/", views.library_documents_page, name="documents"),
    path("<int:library_id>/documents/<int:doc_id>/remove/", views.library_document_remove, name="remove_document"),
    path("<int:library_id>/publish/", views.library_publish_toggle, name="publish"),
]
