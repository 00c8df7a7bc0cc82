"""The WSGI entry point gunicorn imports: everything loaded at start-up is frozen out of the collector."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent


class WsgiStartupTests(SimpleTestCase):
    def test_the_loaded_objects_are_frozen_and_the_views_imported(self):
        # In a process of its own: freezing this test run's objects would change every later test's collections.
        probe = (
            "import gc, sys; import config.wsgi; "
            "print(gc.get_freeze_count(), 'proposals.views_member' in sys.modules, config.wsgi.application is not None)"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
        result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed program
            [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
        )
        frozen, views_imported, application = result.stdout.split()
        self.assertGreater(int(frozen), 10_000)  # Django, the apps and the dictionary: ~100,000 objects
        self.assertEqual((views_imported, application), ("True", "True"))
