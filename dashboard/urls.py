from django.urls import path

from dashboard import lists, report_views, views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("ping", views.ping, name="ping"),
    path("proposals/", lists.proposal_list, name="proposals"),
    path("proposals/export.xlsx", lists.proposal_export, name="proposals_export"),
    path("assignments/", lists.assignment_list, name="assignments"),
    path("assignments/export.xlsx", lists.assignment_export, name="assignments_export"),
    path("report/<int:session_id>/", report_views.report_print, name="report"),
    path("report/<int:session_id>.docx", report_views.report_download, name="report_docx"),
]
