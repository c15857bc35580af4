"""Staff workbench URLs (工作台). Every view here requires a verified staff session."""

from django.urls import path

from gongkai.core import staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.workbench, name="workbench"),
    path("audit/", staff_views.audit_log, name="audit_log"),
    path("organisations/<int:org_id>/", staff_views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:org_id>/edit/", staff_views.organisation_edit, name="organisation_edit"),
]
