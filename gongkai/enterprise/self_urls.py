"""我的企业: an enterprise account's own pages, mounted at ``/qiye/``."""

from django.urls import path

from gongkai.enterprise import views

app_name = "enterprise_self"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("renling/", views.claim, name="claim"),
    path("renling/chehui/", views.claim_withdraw, name="claim_withdraw"),
    path("bianji/", views.edit_own, name="edit"),
]
