from django.conf import settings


def sign_on(request) -> dict[str, bool]:
    """Which ways of signing in the sign-in page offers."""
    return {"sso_enabled": settings.OIDC_ENABLED, "local_login_enabled": settings.LOCAL_LOGIN_ENABLED}
