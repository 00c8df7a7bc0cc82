"""Sign-in, sign-out and passwords: the stock auth views with the project's templates.

The templates live under accounts/, not registration/, so they never shadow the
admin's own password pages (which look those names up in registration/).
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path
from mozilla_django_oidc.views import OIDCLogoutView

from accounts.forms import ThrottledAuthenticationForm
from accounts.landing import landing_url


class SiteLoginView(auth_views.LoginView):
    """The stock sign-in; without a ``next`` page, each user lands on his own worklist (accounts.landing)."""

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


_local_logout = auth_views.LogoutView.as_view()
# With single sign-on, signing out also ends the provider's session: the library's view asks
# settings.OIDC_OP_LOGOUT_URL_METHOD (ops.oidc.provider_logout_url) where to send the browser.
_provider_logout = OIDCLogoutView.as_view()


def logout(request, *args, **kwargs):
    view = _provider_logout if settings.OIDC_ENABLED else _local_logout
    return view(request, *args, **kwargs)


urlpatterns = [
    # The name "login" is settings.LOGIN_URL.
    path(
        "login/",
        SiteLoginView.as_view(
            template_name="accounts/login.html",
            redirect_authenticated_user=True,
            authentication_form=ThrottledAuthenticationForm,
        ),
        name="login",
    ),
    path("logout/", logout, name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change_form.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.html",
            subject_template_name="accounts/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="accounts/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
