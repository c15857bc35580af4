"""Staff pages of enterprise profiles, mounted at ``/staff/enterprises/``."""

from django.urls import path

from gongkai.enterprise import views

app_name = "enterprise_staff"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("export/", views.export, name="export"),
    path("<int:enterprise_id>/", views.enterprise_detail, name="detail"),
    path("<int:enterprise_id>/edit/", views.enterprise_edit, name="edit"),
    path("<int:enterprise_id>/tags/", views.tags_edit, name="tags"),
    path("<int:enterprise_id>/qualifications/add/", views.qualification_add, name="qualification_add"),
    path("<int:enterprise_id>/qualifications/<int:qualification_id>/remove/", views.qualification_remove,
         name="qualification_remove"),
    path("claims/", views.claim_queue, name="claims"),
    path("claims/<int:claim_id>/", views.claim_detail, name="claim"),
    path("import/", views.import_start, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<int:import_job_id>/", views.import_job, name="import_job"),
]
