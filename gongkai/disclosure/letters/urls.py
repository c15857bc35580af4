"""告知书 URLs, included once at the site root: staff pages under /staff/disclosure/letters/, the
applicant's download under /gongkai/ysqgk/letters/ (next to the tracking page)."""

from django.urls import path

from gongkai.disclosure.letters import views

app_name = "disclosure_letters"

urlpatterns = [
    path("staff/disclosure/letters/<uuid:uid>/", views.staff_list, name="staff_list"),
    path("staff/disclosure/letters/<uuid:uid>/preview/<slug:letter_kind>/<slug:fmt>/", views.staff_preview,
         name="staff_preview"),
    path("staff/disclosure/letters/<uuid:uid>/generate/<slug:letter_kind>/", views.staff_generate,
         name="staff_generate"),
    path("staff/disclosure/letters/<uuid:uid>/<int:letter_id>/<slug:fmt>/", views.staff_download,
         name="staff_download"),
    # Two patterns, one name: reverse() without ``fmt`` gives the PDF.
    path("gongkai/ysqgk/letters/<uuid:uid>/<int:letter_id>/", views.public_download, name="public_download"),
    path("gongkai/ysqgk/letters/<uuid:uid>/<int:letter_id>/<slug:fmt>/", views.public_download,
         name="public_download"),
]
