"""Staff workbench for requests (依申请公开工作台), mounted at ``/staff/disclosure/``. Every view
requires a verified staff session; requests are loaded only through ``access_request``."""

from django.urls import path

from gongkai.disclosure import staff_views as v

app_name = "disclosure_staff"

_REQUEST_ACTIONS = (
    "confirm_receipt", "assign", "ask_correction", "receive_correction", "abandon", "consultation_start",
    "extend", "fee_notice", "fee_paid", "stop", "draft", "submit_review", "legal_review", "approve", "deliver",
    "archive", "withdraw", "reopen", "note", "attachment", "reject_payment", "publish_answer", "withdraw_answer",
)

urlpatterns = [
    path("", v.queue, name="queue"),
    path("bulk-assign/", v.bulk_assign, name="bulk_assign"),
    path("register/", v.register, name="register"),
    path("settings/<int:org_id>/", v.settings_view, name="settings"),
    path("<uuid:uid>/", v.detail, name="detail"),
    path("<uuid:uid>/reveal/", v.reveal, name="reveal"),
    path("<uuid:uid>/attachments/<int:file_id>/", v.attachment_download, name="attachment"),
    *[path(f"<uuid:uid>/{name.replace('_', '-')}/", v.action_view(name), name=name) for name in _REQUEST_ACTIONS],
    path("<uuid:uid>/consultations/<int:consultation_id>/deliver/", v.action_view("consultation_deliver",
         consultation=True), name="consultation_deliver"),
    path("<uuid:uid>/consultations/<int:consultation_id>/end/", v.action_view("consultation_end",
         consultation=True), name="consultation_end"),
]
