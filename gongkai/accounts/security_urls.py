"""安全管理 URLs, mounted at /staff/security/."""

from django.urls import path

from gongkai.accounts import security_views

app_name = "security"

urlpatterns = [
    path("", security_views.security_home, name="home"),
    path("unlock/", security_views.security_unlock, name="unlock"),
    path("reset-otp/", security_views.security_reset_otp, name="reset_otp"),
]
