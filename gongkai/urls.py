from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from gongkai.api.api import api_urls
from gongkai.core import views as core_views
from gongkai.policies.sitemaps import SITEMAPS

urlpatterns = [
    path("", include("gongkai.portal.urls")),
    # 告知书: /staff/disclosure/letters/… and /gongkai/ysqgk/letters/… (full paths inside).
    path("", include("gongkai.disclosure.letters.urls")),
    path("gongkai/ysqgk/", include("gongkai.disclosure.public_urls")),
    path("zhengce/", include("gongkai.policies.urls")),
    path("sitemap.xml", login_not_required(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("staff/policies/libraries/", include("gongkai.policies.library_staff_urls")),
    path("staff/policies/", include("gongkai.policies.staff_urls")),
    path("accounts/", include("gongkai.accounts.urls")),
    path("staff/security/", include("gongkai.accounts.security_urls")),
    path("staff/disclosure/after/", include("gongkai.disclosure.after_urls")),
    path("staff/disclosure/", include("gongkai.disclosure.staff_urls")),
    path("staff/inbox/", include("gongkai.notifications.urls")),
    path("staff/", include("gongkai.core.staff_urls")),
    path("staff/calendar/", include("gongkai.workcalendar.urls")),
    path("api/v1/", api_urls()),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

handler400 = "gongkai.core.views.bad_request"
handler403 = "gongkai.core.views.permission_denied"
handler404 = "gongkai.core.views.page_not_found"
handler500 = "gongkai.core.views.server_error"
