"""站内消息, mounted at ``/staff/inbox/`` (verified staff only)."""

from django.urls import path

from gongkai.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark_read"),
]

# 我的消息 for citizen and enterprise accounts, mounted at ``/xiaoxi/``.
public_urls = ([
    path("", views.public_inbox, name="inbox"),
    path("read/", views.public_mark_read, name="mark_read"),
], "notifications_public")
