"""URLs of policy items (政策事项, task F of issue 6).

``urlpatterns`` (namespace ``enterprise_items``) are the staff pages, mounted at
``/staff/enterprise/items/``; ``public_urls`` (namespace ``enterprise_public``) are included once
at the site root and carry their full paths: the 政策计算器, an item's public page and
我可以享受的政策."""

from django.urls import path

from gongkai.enterprise import item_views as views

app_name = "enterprise_items"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_new, name="new"),
    path("<int:item_id>/", views.item_detail, name="detail"),
    path("<int:item_id>/edit/", views.item_edit, name="edit"),
    path("<int:item_id>/conditions/", views.item_conditions, name="conditions"),
    path("<int:item_id>/publish/", views.item_publish, name="publish"),
    path("<int:item_id>/withdraw/", views.item_withdraw, name="withdraw"),
    path("<int:item_id>/recompute/", views.item_recompute, name="recompute"),
    path("<int:item_id>/audience/", views.item_audience, name="audience"),
]

public_urls = ([
    path("zhengce/jisuanqi/", views.calculator, name="calculator"),
    path("zhengce/shixiang/<int:item_id>/", views.item_public, name="item"),
    path("zhengce/wode/", views.my_policies, name="mine"),
], "enterprise_public")
