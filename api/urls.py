"""``/api/``: the OpenAPI schema, its documentation (served from installed packages, no CDN) and version 1."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

# Path converters, not regexes: ids are <int:pk>; any other path falls through to the problem+json 404 below.
router = SimpleRouter(use_regex_path=False)
router.register("sessions", views.SessionViewSet, basename="session")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("units", views.UnitViewSet, basename="unit")
router.register("reply-categories", views.ReplyCategoryViewSet, basename="reply-category")
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("replies", views.ReplyViewSet, basename="reply")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the site's CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("v1/", include(router.urls)),
    # Anything else under /api/ is a problem+json 404 too, not the site's HTML page.
    re_path(r"^", views.not_found, name="not-found"),
]
