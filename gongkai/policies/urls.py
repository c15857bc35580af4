"""Public URLs of the policy library, mounted at ``/zhengce/`` (namespace ``policies``).

The 索引号 contains "/", so documents are addressed by their numeric id (``content/<id>/``)."""

from django.urls import path

from gongkai.policies import views
from gongkai.policies.feeds import LibraryFeed, OrganisationFeed, SpecialLibraryFeed, TagFeed, public_feed

app_name = "policies"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("content/<int:doc_id>/", views.document_detail, name="document"),
    path("content/<int:doc_id>/print/", views.document_print, name="document_print"),
    path("content/<int:doc_id>/fujian/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("jiedu/", views.interpretation_list, name="interpretation_list"),
    path("jiedu/<int:interp_id>/", views.interpretation_detail, name="interpretation"),
    path("zhuanti/", views.library_list, name="library_list"),
    path("zhuanti/<slug:library_slug>/", views.library_detail, name="library"),
    # Feeds (订阅): the whole library, a special library, an organisation, a tag.
    path("feed/rss/", public_feed(LibraryFeed), name="feed_rss"),
    path("feed/atom/", public_feed(LibraryFeed, atom=True), name="feed_atom"),
    path("zhuanti/<slug:library_slug>/rss/", public_feed(SpecialLibraryFeed), name="library_feed_rss"),
    path("zhuanti/<slug:library_slug>/atom/", public_feed(SpecialLibraryFeed, atom=True), name="library_feed_atom"),
    path("jiguan/<slug:slug>/rss/", public_feed(OrganisationFeed), name="organisation_feed_rss"),
    path("jiguan/<slug:slug>/atom/", public_feed(OrganisationFeed, atom=True), name="organisation_feed_atom"),
    path("biaoqian/<str:kind>/<slug:tag_slug>/rss/", public_feed(TagFeed), name="tag_feed_rss"),
    path("biaoqian/<str:kind>/<slug:tag_slug>/atom/", public_feed(TagFeed, atom=True), name="tag_feed_atom"),
]
