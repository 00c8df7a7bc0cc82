"""bench/migrations.py, which times every migration forwards on a copy of the bench set: its plan (read
from the migration graph) on any database, and one migration timed on a copy of a tiny data set on
PostgreSQL."""

from __future__ import annotations

import unittest
from unittest import mock

import psycopg2
import pytest
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import SimpleTestCase, TransactionTestCase, override_settings

from accounts.choices import Role
from accounts.models import Unit
from bench import migrations as bench_migrations
from ops.upgrade import Lock
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from proposals.services import accept_proposal
from responses.choices import AssignmentRole
from responses.models import Assignment
from responses.services import assign_proposal
from tests.base import make_proposal, make_session, make_user

# A data migration over the assignments (it fills assigned_on): what the tiny set has rows for.
ASSIGNMENT_DATE = ("responses", "0004_assignment_date")


class PlanTests(SimpleTestCase):
    databases = {"default"}

    def setUp(self):
        self.loader = MigrationLoader(connection)
        self.graph = self.loader.graph
        self.nodes = bench_migrations.project_migrations(connection)

    def test_every_migration_of_the_project_is_listed_once_after_its_dependencies(self):
        ours = bench_migrations.project_apps()
        on_disk = {key for key in self.loader.disk_migrations if key[0] in ours}

        self.assertEqual(len(self.nodes), len(set(self.nodes)))
        self.assertEqual(set(self.nodes), on_disk)
        self.assertTrue({"accounts", "proposals", "responses", "dashboard", "ops"} <= ours)
        self.assertNotIn("auth", ours)
        position = {node: i for i, node in enumerate(self.nodes)}
        for node in self.nodes:
            for parent in self.graph.node_map[node].parents:
                if parent.key in position:
                    self.assertLess(position[parent.key], position[node], node)

    def test_standing_before_a_migration_unapplies_it_and_what_depends_on_it_dependents_first(self):
        applied = set(self.graph.nodes)
        for node in self.nodes:
            plan = bench_migrations.reversal_plan(self.graph, node, applied)

            self.assertEqual(plan[-1], node)
            dependents = {n for n in self.graph.nodes if node in self.graph.forwards_plan(n)}
            self.assertEqual(set(plan), dependents, node)
            done = set()
            for step in plan:
                children = {child.key for child in self.graph.node_map[step].children}
                self.assertEqual(children & dependents, children & done, step)
                done.add(step)

    def test_a_last_migration_is_unapplied_alone_and_the_first_of_an_app_leaves_the_apps_below(self):
        leaf = next(node for node in self.graph.leaf_nodes() if node[0] == "proposals")
        first = min(node for node in self.nodes if node[0] == "proposals")

        self.assertEqual(bench_migrations.reversal_plan(self.graph, leaf, set(self.graph.nodes)), [leaf])
        plan = bench_migrations.reversal_plan(self.graph, first, set(self.graph.nodes))
        self.assertIn(min(node for node in self.nodes if node[0] == "responses"), plan)
        self.assertFalse([node for node in plan if node[0] == "accounts"])

    def test_migrations_not_applied_are_not_unapplied(self):
        first = min(node for node in self.nodes if node[0] == "responses")
        applied = {node for node in self.graph.nodes if node[0] != "dashboard"}

        plan = bench_migrations.reversal_plan(self.graph, first, applied)

        self.assertFalse([node for node in plan if node[0] == "dashboard"])
        self.assertEqual(plan[-1], first)

    def test_only_picks_migrations_by_app_or_name_prefix(self):
        chosen = bench_migrations.select(self.nodes, ["ops", "responses.0004_assignment"])

        self.assertEqual({node[0] for node in chosen}, {"ops", "responses"})
        self.assertIn(ASSIGNMENT_DATE, chosen)
        with self.assertRaises(SystemExit):
            bench_migrations.select(self.nodes, ["nothing_of_ours"])


class TimingStatusTests(SimpleTestCase):
    def test_rows_gone_in_the_forward_step_fail_the_migration(self):
        timing = bench_migrations.Timing(
            "proposals.0999", seconds=1.0, recorded=True, bench={"t": 5}, before={"t": 5}, after={"t": 3}
        )

        self.assertFalse(timing.ok)
        self.assertIn("ROWS LOST", timing.status())

    def test_tables_the_reversal_dropped_come_back_empty_without_failing(self):
        timing = bench_migrations.Timing(
            "proposals.0001_initial", seconds=1.0, recorded=True, bench={"t": 5}, before={"t": None}, after={"t": 0}
        )

        self.assertTrue(timing.ok)
        self.assertEqual(timing.created_empty, ["t"])

    def test_tables_the_reversal_dropped_for_good_are_named(self):
        timing = bench_migrations.Timing(
            "accounts.0002", seconds=0.1, recorded=True, bench={"t": 5}, before={"t": None}, after={"t": None}
        )

        self.assertTrue(timing.ok)
        self.assertIn("without (dropped by the reversal): t", timing.status())

    def test_an_error_or_a_missing_record_fails_the_migration(self):
        failed = bench_migrations.Timing("a.1", error="ProgrammingError: boom", recorded=False)
        unrecorded = bench_migrations.Timing("a.1", seconds=0.1, recorded=False)

        self.assertFalse(failed.ok)
        self.assertIn("boom", failed.status())
        self.assertFalse(unrecorded.ok)

    def test_the_lock_lines_sum_a_migration_s_estimates_and_leave_out_empty_tables(self):
        index = "Create index proposal_draft_id on field(s) id of model proposal"
        timings = [
            bench_migrations.Timing(
                "proposals.0005", seconds=9.5, locks=[Lock("p", index, "proposals_proposal", 50_000, 0.25)] * 3
            ),
            bench_migrations.Timing(
                "responses.0004",
                seconds=48.0,
                locks=[
                    Lock("r", "Add field assigned_on to assignment", "responses_assignment", 155_335, 0.78),
                    Lock("r", "Raw Python operation", "", None, None),
                ],
            ),
            bench_migrations.Timing(
                "proposals.0001", seconds=1.0, locks=[Lock("p", index, "proposals_proposal", 0, 0.0)]
            ),
        ]

        lines = bench_migrations.lock_lines(timings)

        self.assertIn("| proposals.0005 | Create index ×3 proposals_proposal (50,000 rows) | 0.75 | no | 9.50 |", lines)
        self.assertIn("| 0.78 + unknown | yes | 48.00 |", lines[3])
        self.assertFalse([line for line in lines if "proposals.0001" in line])


@pytest.mark.postgres
@unittest.skipUnless(
    connection.vendor == "postgresql", "copies the database with CREATE DATABASE … TEMPLATE: needs PostgreSQL"
)
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class TimingOnACopyTests(TransactionTestCase):
    def setUp(self):
        session = make_session()
        unit = Unit.objects.create(name="深圳市福田区工业和信息化局", short_name="区工信局")
        committee = make_user("committee", "何静", Role.COMMITTEE)
        member = make_user("chencheng", "陈澄")
        for i in range(3):
            proposal = make_proposal(member, session, title=f"关于第{i}项的建议", status=ProposalStatus.SUBMITTED)
            accept_proposal(proposal, actor=committee)
            assign_proposal(proposal, actor=committee, units_roles=[(unit, AssignmentRole.LEAD)])

    def test_it_times_the_migration_on_a_copy_and_leaves_the_rows_and_the_source_alone(self):
        source = connection.settings_dict["NAME"]

        timing = bench_migrations.time_migration(source, ASSIGNMENT_DATE)

        self.assertTrue(timing.ok, timing.status())
        self.assertEqual(timing.status(), "ok")
        self.assertIsNotNone(timing.seconds)
        self.assertGreaterEqual(timing.unapplied, 1)
        for counts in (timing.bench, timing.before, timing.after):
            self.assertEqual(counts["proposals_proposal"], 3)
            self.assertEqual(counts["responses_assignment"], 3)
        self.assertIn("responses_assignment", {lock.table for lock in timing.locks})
        # The copy is gone; the source still has every migration and its rows.
        self.assertFalse(self._databases_named(bench_migrations.copy_name(source)))
        self.assertEqual(connection.settings_dict["NAME"], source)
        self.assertIn(ASSIGNMENT_DATE, MigrationRecorder(connection).applied_migrations())
        self.assertEqual((Proposal.objects.count(), Assignment.objects.count()), (3, 3))

    def test_a_migration_that_cannot_be_unapplied_is_reported_and_its_copy_dropped(self):
        source = connection.settings_dict["NAME"]
        refusal = IrreversibleError("Operation RunPython in responses.0009 is not reversible")

        with mock.patch.object(MigrationExecutor, "unapply_migration", side_effect=refusal):
            timing = bench_migrations.time_migration(source, ASSIGNMENT_DATE)

        self.assertFalse(timing.ok)
        self.assertIn("cannot stand before it: IrreversibleError", timing.status())
        self.assertIsNone(timing.seconds)
        self.assertFalse(self._databases_named(bench_migrations.copy_name(source)))
        self.assertEqual(Assignment.objects.count(), 3)

    def _databases_named(self, name: str) -> list:
        admin = psycopg2.connect(**bench_migrations._admin_params(connection.settings_dict))
        try:
            with admin.cursor() as cursor:
                cursor.execute("SELECT datname FROM pg_database WHERE datname = %s", [name])
                return cursor.fetchall()
        finally:
            admin.close()
