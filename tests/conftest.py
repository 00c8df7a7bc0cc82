import pytest


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The production hasher is deliberately slow; tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    # Tasks published from services run in-process in unit tests; the integration
    # tests start real workers instead. Celery reads its settings once, at its first use, so
    # the app's own configuration is set too: whichever test of a worker comes first.
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    """Each test starts with nothing cached: a rolled-back test database hands out the same ids and
    versions again, which values cached by an earlier test could otherwise be taken for."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
