from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dashboard/", include("dashboard.urls")),
    path("public/", include("proposals.public_urls")),
    path("letters/", include("responses.letter_urls")),
    path("", include("proposals.urls")),
]
