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


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language (Chinese), whatever language an earlier test in the same
    worker left active, so that a message checked in Chinese never depends on the order of the tests."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _jinja2_pages_report_their_context():
    """The test client reads a page's context (``response.context``) from Django's ``template_rendered``
    signal, which Django sends, in test runs, for its own templates only. The portal's Jinja2 pages
    send it here in the same way, with the context the template saw (the view's and the processors')."""
    from django.template.backends import jinja2 as backend
    from django.test.signals import template_rendered

    original = backend.Template.render

    def render(self, context=None, request=None):
        context = {} if context is None else context
        html = original(self, context, request)
        template_rendered.send(sender=self, template=self.template, context=context)
        return html

    backend.Template.render = render
    yield
    backend.Template.render = original
