"""The error pages (400, 403, 404, 500 and a refused form's CSRF check): Chinese first, in the site's style.

Django's own pages are English and plain; these say what happened and what to do next, with
DEBUG off as in production (config/urls.py names them as handler400..500, settings the CSRF
view). The 500 page is drawn without the request's context processors, which read the database
and the session: whatever failed may fail again while the page is drawn.
"""

from __future__ import annotations

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language


def bad_request(request, exception=None):
    return render(request, "errors/400.html", {"status": 400}, status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"status": 403}, status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", {"status": 404}, status=404)


def server_error(request):
    html = loader.get_template("errors/500.html", using="jinja2").render({"LANGUAGE_CODE": get_language()})
    return HttpResponseServerError(html)


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: the reason stays in the log (django.security.csrf), not on the page."""
    return render(request, "errors/csrf.html", {"status": 403}, status=403)
