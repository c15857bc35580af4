from django.urls import path

from gongkai.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("two-factor/", views.two_factor_view, name="two_factor"),
]
