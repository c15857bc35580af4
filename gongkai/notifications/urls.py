"""站内消息, mounted at ``/staff/inbox/`` (verified staff only)."""

from django.urls import path

from gongkai.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark_read"),
]
