"""oidc/authenticate/ and oidc/callback/ (mozilla-django-oidc's names), 404 while OIDC_ENABLED is off."""

from django.urls import path
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from ops.oidc import Callback, only_when_enabled

urlpatterns = [
    path("callback/", only_when_enabled(Callback.as_view()), name="oidc_authentication_callback"),
    path("authenticate/", only_when_enabled(OIDCAuthenticationRequestView.as_view()), name="oidc_authentication_init"),
]
