"""Staff pages of 一件事一次办 (/staff/yijianshi/)."""

from django.urls import path

from gongkai.things import manage_views, views

app_name = "things_staff"

urlpatterns = [
    path("shouli/", views.acceptance_queue, name="acceptance_queue"),
    path("shouli/<uuid:application_uid>/", views.acceptance, name="acceptance"),
    path("lianban/", views.tasks, name="tasks"),
    path("lianban/<int:task_id>/", views.task, name="task"),
    path("duixian/", views.payouts, name="payouts"),
    path("duixian/<int:payout_id>/jueding/", views.payout_decide, name="payout_decide"),
    path("duixian/mianshen/<int:policy_item_id>/", views.candidates, name="candidates"),
]

# Administration (信息发布员 of the lead department / the hall's organisation): things, halls, windows.
urlpatterns += [
    path("guanli/", manage_views.thing_list, name="thing_list"),
    path("guanli/xinjian/", manage_views.thing_create, name="thing_create"),
    path("guanli/<int:thing_id>/", manage_views.thing_edit, name="thing_edit"),
    path("dating/", manage_views.hall_list, name="hall_list"),
    path("dating/xinjian/", manage_views.hall_create, name="hall_create"),
    path("dating/<int:hall_id>/", manage_views.hall_edit, name="hall_edit"),
    path("dating/<int:hall_id>/chuangkou/xinjian/", manage_views.window_create, name="window_create"),
    path("chuangkou/<int:window_id>/", manage_views.window_edit, name="window_edit"),
]
