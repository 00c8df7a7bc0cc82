"""The member portal, mounted at the site root (app namespace "portal") with the handling side's
portal pages (``responses.portal_urls``) by ``config/urls.py``."""

from django.urls import path

from proposals import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/attachments/add/", views.attachment_add, name="attachment_add"),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("proposals/<int:pk>/cosigners/", views.cosigners, name="cosigners"),
    path("proposals/<int:pk>/cosigners/search/", views.member_search, name="member_search"),
    path("proposals/<int:pk>/cosigners/invite/", views.invite, name="invite"),
    path("proposals/<int:pk>/invitation/", views.invitation, name="invitation"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_mark_all_read, name="notifications_mark_all_read"),
]
