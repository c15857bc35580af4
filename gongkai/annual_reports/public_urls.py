"""Public URLs of one organisation's annual reports, mounted at ``/gongkai/<slug>/nianbao/``
(the organisation's 政府信息公开 pages). Every view is ``login_not_required``."""

from django.urls import path

from gongkai.annual_reports import public_views

app_name = "annual_reports_public"

urlpatterns = [
    path("", public_views.organisation_reports, name="organisation"),
    path("<int:year>/", public_views.report, name="report"),
    path("<int:year>/<str:fmt>/", public_views.report_download, name="download"),
]
