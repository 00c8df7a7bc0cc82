"""The project's URLs plus the stock admin that the benchmark compares our lists with."""

from django.contrib import admin
from django.urls import path

admin.autodiscover()  # bench/settings.py: on unfold's site, now that it is in place

from config.urls import urlpatterns as project_urlpatterns  # noqa: E402 - after the admin classes are registered
from dashboard.bench_admin import stock_site  # noqa: E402

urlpatterns = [path("stock-admin/", stock_site.urls), *project_urlpatterns]
