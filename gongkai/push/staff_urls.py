"""推送统计 for staff, mounted at ``/staff/push/`` (own organisations only)."""

from django.urls import path

from gongkai.push import views

app_name = "push_staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<int:push_id>/", views.staff_detail, name="detail"),
]
