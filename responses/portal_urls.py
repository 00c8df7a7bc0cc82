"""The portal's and the public pages' URLs of the handling side.

``config/urls.py`` mounts them beside ``proposals.urls`` (namespace "portal") and
``proposals.public_urls`` (namespace "public"), so every URL keeps its path and name.
"""

from django.urls import path

from responses import views_portal

portal_urlpatterns = [
    path("proposals/similar/", views_portal.similar, name="similar"),
    path("proposals/<int:pk>/", views_portal.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/replies/<int:reply_pk>/feedback/", views_portal.feedback, name="feedback"),
    path(
        "proposals/<int:pk>/replies/<int:reply_pk>/feedback/<int:feedback_pk>/paper-form/",
        views_portal.feedback_paper_form,
        name="feedback_paper_form",
    ),
]

public_urlpatterns = [
    path("<int:pk>/", views_portal.public_detail, name="detail"),
]
