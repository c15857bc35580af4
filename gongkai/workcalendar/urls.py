from django.urls import path

from gongkai.workcalendar import views

app_name = "workcalendar"

urlpatterns = [
    path("", views.calendar_index, name="index"),
]
