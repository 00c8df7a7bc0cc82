from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from config.site import favicon
from ops.metrics import metrics
from proposals import public_urls as proposals_public
from proposals import urls as proposals_portal
from responses import portal_urls as responses_portal

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("metrics", metrics, name="metrics"),
    path("oidc/", include("ops.oidc_urls")),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dashboard/", include("dashboard.urls")),
    # The portal and public namespaces hold pages of both apps: proposals' own and those that show handling.
    path("public/", include((proposals_public.urlpatterns + responses_portal.public_urlpatterns, "public"))),
    path("letters/", include("responses.letter_urls")),
    path("documents/", include("documents.urls")),
    path("", include((proposals_portal.urlpatterns + responses_portal.portal_urlpatterns, "portal"))),
]

# The error pages, in Chinese and in the site's style (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
