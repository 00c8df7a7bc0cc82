"""`manage.py upgrade_check` (make upgrade): which migrations lock a large table, with rows and an estimate."""

from __future__ import annotations

import io
import unittest
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings
from django.utils import translation

from ops.upgrade import Lock, assess, row_count
from proposals.choices import ProposalStatus
from tests.base import PersonaTestCase, make_proposal


def _state_now():
    loader = MigrationLoader(connection)
    return loader.project_state()


def _migration(*operations) -> migrations.Migration:
    migration = migrations.Migration("0999_upgrade_drill", "proposals")
    migration.operations = list(operations)
    return migration


class UpgradeCheckTests(PersonaTestCase):
    def setUp(self):
        for i in range(3):
            make_proposal(self.chencheng, self.session, title=f"关于第{i}项的建议", status=ProposalStatus.SUBMITTED)

    def test_an_index_build_and_a_column_rewrite_are_reported_with_rows_and_time(self):
        migration = _migration(
            migrations.AddIndex("proposal", models.Index(fields=["title"], name="proposal_title_drill")),
            migrations.AddField("proposal", "remark", models.TextField(null=True)),
            migrations.AlterField("proposal", "title", models.CharField(max_length=400)),
        )

        locks = assess(migration, _state_now(), row_count)

        self.assertEqual([lock.table for lock in locks], ["proposals_proposal", "proposals_proposal"])
        self.assertEqual([lock.operation.split()[0] for lock in locks], ["Create", "Alter"])
        rows = row_count("proposals_proposal")
        for lock in locks:
            self.assertEqual(lock.rows, rows)
            self.assertIsNotNone(lock.seconds)

    @unittest.skipUnless(
        connection.vendor == "postgresql",
        "asks PostgreSQL's schema editor which SQL an AlterField runs; on SQLite every AlterField is listed",
    )
    def test_an_alter_field_that_changes_no_column_takes_no_lock(self):
        state = _state_now()
        title = state.models["proposals", "proposal"].fields["title"].clone()
        title.verbose_name = "heading"
        title.help_text = "Only Django reads this"

        locks = assess(_migration(migrations.AlterField("proposal", "title", title)), state, row_count)

        self.assertEqual(locks, [])

    def test_a_data_migration_is_reported_with_an_unknown_time(self):
        migration = _migration(migrations.RunPython(migrations.RunPython.noop))

        (lock,) = assess(migration, _state_now(), row_count)

        self.assertIsNone(lock.seconds)
        self.assertTrue(lock.big)

    @override_settings(UPGRADE_BIG_TABLE_ROWS=1_000_000)
    def test_small_tables_are_not_big(self):
        migration = _migration(migrations.AddIndex("proposal", models.Index(fields=["title"], name="p_t_drill")))

        (lock,) = assess(migration, _state_now(), lambda table: 10)

        self.assertFalse(lock.big)

    def test_with_every_migration_applied_there_is_nothing_to_warn_about(self):
        out = io.StringIO()

        with translation.override("en"):
            call_command("upgrade_check", stdout=out)

        self.assertIn("No migrations to apply", out.getvalue())

    def test_it_stops_before_a_migration_that_locks_a_large_table_unless_accepted(self):
        lock = Lock(
            "proposals.0999_upgrade_drill", "Create index t on field(s) title", "proposals_proposal", 500_000, 2.5
        )
        out = io.StringIO()

        with mock.patch("ops.management.commands.upgrade_check.pending", return_value=([lock.migration], [lock])):
            with translation.override("en"), self.assertRaisesMessage(CommandError, "--accept-locks"):
                call_command("upgrade_check", stdout=io.StringIO())
            with translation.override("en"):
                call_command("upgrade_check", "--accept-locks", stdout=out)

        self.assertIn("WARNING: proposals.0999_upgrade_drill", out.getvalue())
        self.assertIn("proposals_proposal, 500000 rows, about 2 s", out.getvalue())
