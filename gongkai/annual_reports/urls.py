"""Staff URLs of the annual report, mounted at ``/staff/reports/``. Every view requires a verified
staff session; organisations are loaded through ``access.access_report_organisation``."""

from django.urls import path

from gongkai.annual_reports import views

app_name = "annual_reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:org_id>/<int:year>/", views.report_detail, name="detail"),
    path("<int:org_id>/<int:year>/edit/", views.report_edit, name="edit"),
    path("<int:org_id>/<int:year>/facts/", views.report_facts, name="facts"),
    path("<int:org_id>/<int:year>/publish/", views.report_publish, name="publish"),
    path("<int:org_id>/<int:year>/export/<str:fmt>/", views.report_export, name="export"),
    path("<int:org_id>/<int:year>/rollup/", views.report_rollup, name="rollup"),
]
