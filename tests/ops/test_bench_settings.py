"""bench/settings.py, the settings `make bench` serves the project with: the project's own admin (where a
unit handler lands after signing in) and the stock admin baseline are both there. Once every project admin
class was lost to a site that unfold replaces at start-up, and `make bench` stopped at the first sign-in."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

CHECK = """
import django
django.setup()
from django.contrib import admin
from django.urls import reverse
from responses.models import Assignment
print(reverse("admin:responses_assignment_worklist"))
print(reverse("stock_admin:proposals_proposal_changelist"))
assert admin.site.is_registered(Assignment), "the project's admin classes are not on admin.site"
"""


def test_the_bench_settings_serve_the_projects_admin_and_the_stock_one():
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHECK],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["/admin/responses/assignment/worklist/", "/stock-admin/proposals/proposal/"]
