from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from gongkai.annual_reports import public_views as annual_reports_public_views
from gongkai.api.api import api_urls
from gongkai.core import views as core_views
from gongkai.enterprise import item_urls as enterprise_item_urls
from gongkai.notifications.urls import public_urls as notification_public_urls
from gongkai.policies.sitemaps import SITEMAPS

urlpatterns = [
    # 政府信息公开年报 栏目: published annual reports (the portal's placeholder until one exists).
    path("gongkai/nianbao/", annual_reports_public_views.column, name="annual_reports_column"),
    path("", include("gongkai.portal.urls")),
    # 告知书: /staff/disclosure/letters/… and /gongkai/ysqgk/letters/… (full paths inside).
    path("", include("gongkai.disclosure.letters.urls")),
    path("gongkai/ysqgk/", include("gongkai.disclosure.public_urls")),
    path("gongkai/<slug:slug>/nianbao/", include("gongkai.annual_reports.public_urls")),
    path("zhengce/", include("gongkai.policies.urls")),
    path("sitemap.xml", login_not_required(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("staff/policies/libraries/", include("gongkai.policies.library_staff_urls")),
    path("staff/policies/", include("gongkai.policies.staff_urls")),
    path("accounts/", include("gongkai.accounts.urls")),
    path("qiye/", include("gongkai.enterprise.self_urls")),
    path("staff/security/", include("gongkai.accounts.security_urls")),
    path("staff/disclosure/after/", include("gongkai.disclosure.after_urls")),
    path("staff/disclosure/", include("gongkai.disclosure.staff_urls")),
    path("staff/inbox/", include("gongkai.notifications.urls")),
    path("xiaoxi/", include(notification_public_urls)),
    path("staff/push/", include("gongkai.push.staff_urls")),
    path("push/", include("gongkai.push.urls")),
    path("staff/reports/", include("gongkai.annual_reports.urls")),
    path("staff/", include("gongkai.statistics.urls")),  # /staff/statistics/, /staff/assessment/
    path("yijianshi/", include("gongkai.things.urls")),
    path("staff/yijianshi/", include("gongkai.things.staff_urls")),
    path("staff/enterprises/", include("gongkai.enterprise.urls")),
    # 政策事项 (issue 6 §2–§3): staff pages; the 政策计算器, item pages and 我可以享受的政策 (full paths inside).
    path("staff/enterprise/items/", include("gongkai.enterprise.item_urls")),
    path("", include(enterprise_item_urls.public_urls)),
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
