"""Settings for `make bench`: the project's settings with a URLconf that adds the stock admin baseline."""

from config.settings import *  # noqa: F403 - the same settings, read from the same environment

ROOT_URLCONF = "bench.urls"

# The stock admin baseline renders with Django's own admin templates, as a team would get it by
# default: django.contrib.admin is put before unfold, whose templates would otherwise take over
# "admin/…" and expect unfold's admin site. The pages being measured do not use admin templates.
# The admin goes first without its autodiscovery (SimpleAdminConfig): unfold's ready() puts its own site in
# place of admin.site, so the project's admin classes are registered after that, by bench/urls.py.
INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",
    *[app for app in INSTALLED_APPS if app != "django.contrib.admin"],  # noqa: F405
]
