from django.urls import path

from gongkai.disclosure import public_views as disclosure_public_views
from gongkai.portal import views

app_name = "portal"

# The 政策库 (``/zhengce/``) lives in ``gongkai.policies.urls``.
# Fixed 栏目 paths come before ``gongkai/<slug>/`` so they always win; RESERVED_SLUGS lists them
# so that organisation slugs never shadow them.
urlpatterns = [
    path("", views.home, name="home"),
    path("gongkai/", views.gongkai_index, name="gongkai_index"),
    path("gongkai/zhidu/", views.section_placeholder, {"section": "zhidu"}, name="gongkai_zhidu"),
    path("gongkai/fdzdgknr/", views.fdzdgknr_index, name="gongkai_fdzdgknr"),
    path("gongkai/ysqgk/", disclosure_public_views.guide, name="gongkai_ysqgk"),
    path("gongkai/nianbao/", views.section_placeholder, {"section": "nianbao"}, name="gongkai_nianbao"),
    path("gongkai/<slug:slug>/", views.organisation_page, name="organisation"),
    path("gongkai/<slug:slug>/zhinan/", views.zhinan, name="zhinan"),
    path("gongkai/<slug:slug>/mulu/", views.mulu, name="mulu"),
    path("gongkai/<slug:slug>/fdzdgknr/", views.org_fdzdgknr, name="org_fdzdgknr"),
    path("banshi/", views.section_placeholder, {"section": "services"}, name="services"),
    path("hudong/", views.section_placeholder, {"section": "interaction"}, name="interaction"),
]
