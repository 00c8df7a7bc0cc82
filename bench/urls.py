"""The project's URLs plus the stock admin that the benchmark compares our lists with."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from dashboard.bench_admin import stock_site

urlpatterns = [path("stock-admin/", stock_site.urls), *project_urlpatterns]
