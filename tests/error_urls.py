"""The site's URLs plus views that fail, for the error-page tests (tests/test_error_pages.py)."""

from django.core.exceptions import BadRequest
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a failure the error page must survive")


def bad(request):
    raise BadRequest("malformed")


urlpatterns = [path("test-boom/", boom), path("test-bad/", bad), *urlpatterns]
