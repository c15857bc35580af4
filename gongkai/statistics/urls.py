"""统计分析 and 考核通报, mounted at ``/staff/`` (namespace ``statistics``)."""

from django.urls import path

from gongkai.statistics import views

app_name = "statistics"

urlpatterns = [
    path("statistics/", views.dashboard, name="dashboard"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/weights/<int:org_id>/", views.weights, name="weights"),
]
