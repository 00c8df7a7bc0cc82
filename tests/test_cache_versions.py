"""The shared cache's versions: what a change or an upgrade makes out of date is never served again."""

from __future__ import annotations

from django.core.management import call_command
from django.test import TestCase

from proposals import cache_versions


class CacheVersionTests(TestCase):
    def test_a_migrate_makes_every_value_kept_before_it_out_of_date(self):
        before = {name: cache_versions.version(name) for name in (cache_versions.PROPOSALS, cache_versions.REFERENCE)}
        call_command("migrate", verbosity=0)
        for name, version in before.items():
            self.assertNotEqual(cache_versions.version(name), version, name)

    def test_a_value_is_computed_once_then_taken_from_the_cache_until_its_key_changes(self):
        calls = []

        def compute():
            calls.append(1)
            return {"n": len(calls)}

        key = f"test:{cache_versions.version(cache_versions.PROPOSALS)}"
        self.assertEqual(cache_versions.get_or_compute(key, compute, 60), {"n": 1})
        self.assertEqual(cache_versions.get_or_compute(key, compute, 60), {"n": 1})
        cache_versions.changed(cache_versions.PROPOSALS)
        key = f"test:{cache_versions.version(cache_versions.PROPOSALS)}"
        self.assertEqual(cache_versions.get_or_compute(key, compute, 60), {"n": 2})
