"""The session's documents, mounted at /documents/ (namespace "documents")."""

from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("proposals/<int:pk>/", views.proposal_form_print, name="proposal_form"),
    path("proposals/<int:pk>.docx", views.proposal_form_download, name="proposal_form_docx"),
    path("compilations/", views.compilations, name="compilations"),
    path("sessions/<int:session_pk>/compilation/", views.compilation_print, name="compilation"),
    path("sessions/<int:session_pk>/replies/", views.reply_compilation_print, name="reply_compilation"),
    path("builds/<int:pk>/", views.build, name="build"),
    path("builds/<int:pk>/download/", views.build_download, name="build_download"),
]
