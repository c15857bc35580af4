"""订阅与推送, mounted at ``/push/``: the user's own subscriptions (login required) and the
token links in messages (no login: unsubscribe, read tracking, private feed, gateway receipts)."""

from django.urls import path

from gongkai.push import views

app_name = "push"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("mine/new/", views.subscribe, name="subscribe"),
    path("mine/<int:sub_id>/cancel/", views.cancel, name="cancel"),
    path("unsubscribe/<str:unsubscribe_token>/", views.unsubscribe, name="unsubscribe"),
    path("r/<str:read_token>/", views.read, name="read"),
    path("feed/<str:feed_token>/", views.feed, name="feed"),
    path("receipts/<str:channel>/", views.receipt, name="receipt"),
]
