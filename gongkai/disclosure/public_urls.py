"""依申请公开 for the public, mounted at ``/gongkai/ysqgk/`` (the 栏目 page itself is
``portal:gongkai_ysqgk``, served by ``public_views.guide``)."""

from django.urls import path

from gongkai.disclosure import public_views as views

app_name = "disclosure_public"

urlpatterns = [
    path("shenqing/", views.apply, name="apply"),
    path("shenqing/hedui/", views.check, name="check"),
    path("shenqing/wancheng/", views.done, name="done"),
    path("chaxun/", views.lookup, name="lookup"),
    path("chaxun/<uuid:uid>/", views.status, name="status"),
    path("chaxun/<uuid:uid>/huizhi.pdf", views.receipt, name="receipt"),
    path("chaxun/<uuid:uid>/buzheng/", views.correction, name="correction"),
    path("chaxun/<uuid:uid>/liuyan/", views.message, name="message"),
    path("chaxun/<uuid:uid>/jiaofei/", views.payment, name="payment"),
    path("chaxun/<uuid:uid>/chehui/", views.withdraw, name="withdraw"),
    path("chaxun/<uuid:uid>/wenjian/<int:attachment_id>/", views.attachment, name="attachment"),
    path("wode/", views.mine, name="mine"),
]
