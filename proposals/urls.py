from django.urls import path

from proposals import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_mark_all_read, name="notifications_mark_all_read"),
]
