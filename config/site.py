"""Small site-wide answers that belong to no app."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static


def favicon(request):
    """Browsers ask for /favicon.ico whatever the pages link: the site's mark answers instead of a 404.

    Resolved per request, not at import: with the manifest storage the hashed name is known only
    once collectstatic has run.
    """
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
