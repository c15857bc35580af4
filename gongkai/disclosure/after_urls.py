"""After the reply (issue 4 §6), mounted at ``/staff/disclosure/after/``: 行政复议/行政诉讼 records,
the annual report's table 4 preview and 条例第四十四条 candidates."""

from django.urls import path

from gongkai.disclosure import after_views as v

app_name = "disclosure_after"

urlpatterns = [
    path("art44/", v.art44_view, name="art44"),
    path("table4/", v.table4_view, name="table4"),
    path("<uuid:uid>/remedies/", v.remedies_view, name="remedies"),
]
