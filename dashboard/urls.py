from django.urls import path

from dashboard import lists, views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("ping", views.ping, name="ping"),
    path("proposals/", lists.proposal_list, name="proposals"),
    path("proposals/export.xlsx", lists.proposal_export, name="proposals_export"),
    path("assignments/", lists.assignment_list, name="assignments"),
    path("assignments/export.xlsx", lists.assignment_export, name="assignments_export"),
]
