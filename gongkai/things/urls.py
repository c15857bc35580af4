"""Public and applicant pages of 一件事一次办 (/yijianshi/)."""

from django.urls import path

from gongkai.things import views

app_name = "things"

urlpatterns = [
    path("", views.index, name="index"),
    path("yibentong.docx", views.guide_docx, name="guide_docx"),
    path("tongji/", views.statistics, name="statistics"),
    path("wode/", views.mine, name="mine"),
    path("shenqing/<uuid:application_uid>/", views.application, name="application"),
    path("shenqing/<uuid:application_uid>/huizhi.pdf", views.receipt, name="receipt"),
    path("cailiao/<int:thing_file_id>/", views.material_file, name="material_file"),
    path("<slug:thing_slug>/", views.detail, name="detail"),
    path("<slug:thing_slug>/dayin/", views.print_view, name="print"),
    path("<slug:thing_slug>/shenqing/", views.apply, name="apply"),
]
