"""Staff pages of 一件事一次办 (/staff/yijianshi/)."""

from django.urls import path

from gongkai.things import views

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
