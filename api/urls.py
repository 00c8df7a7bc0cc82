"""``/api/``: the OpenAPI schema, its documentation (Swagger UI from an installed package, no CDN) and version 1.

Redoc is not offered: its page loads web fonts and a logo from the internet and starts a blob worker,
all refused by the site's CSP (tests/e2e/test_api_docs.py found it)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
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
    path("v1/", include(router.urls)),
    # Anything else under /api/ is a problem+json 404 too, not the site's HTML page.
    re_path(r"^", views.not_found, name="not-found"),
]
