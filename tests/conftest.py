import pytest


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The production hasher is deliberately slow; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    # Tasks published from services run in-process in unit tests; the integration
    # tests start real workers instead.
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _fresh_dashboard_overviews():
    """Rendered overviews are kept per process under the newest event's id, which a rolled-back
    test database hands out again: each test starts with none kept."""
    from dashboard import overview_cache

    overview_cache.clear()
    yield
    overview_cache.clear()
