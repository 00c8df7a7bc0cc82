"""How reminder work reaches the workers: batches, a queue of its own for the scan, honest scan logs."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import time_machine
from django.test import override_settings
from django.utils import timezone

from config.celery import app
from proposals.choices import ProposalStatus
from responses import reminder_delivery, reminders
from responses.choices import AssignmentRole, AssignmentStatus
from responses.deadlines import assignment_deadlines
from responses.models import Assignment, Reminder
from tests.base import PersonaTestCase, make_proposal


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class QueueTests(PersonaTestCase):
    def test_scans_have_a_queue_of_their_own_that_every_worker_consumes(self):
        route = app.amqp.router.route({}, "responses.tasks.scan_reminders")
        delivery = app.amqp.router.route({}, "responses.tasks.deliver_reminders")

        self.assertEqual(route["queue"].name, "scheduled")
        self.assertEqual(delivery["queue"].name, "celery")
        # A worker started without -Q consumes every queue declared in the settings.
        self.assertLessEqual({"celery", "scheduled"}, set(app.amqp.queues))


class ScanAndSweepTests(PersonaTestCase):
    def setUp(self):
        for serial in range(45):
            proposal = make_proposal(
                self.chencheng, self.session, status=ProposalStatus.ASSIGNED, number=f"2023{serial + 100}"
            )
            Assignment.objects.create(
                proposal=proposal,
                unit=self.unit,
                role=AssignmentRole.SEPARATE,
                status=AssignmentStatus.HANDLING,
                assigned_by=self.committee,
                assigned_at=at(dt.date(2025, 7, 1)),
                **assignment_deadlines(self.session, dt.date(2025, 7, 1), with_opinion=False),
            )

    @override_settings(REMINDER_BATCH_SIZE=20)
    def test_the_sweep_hands_unsent_rows_out_in_batches(self):
        batches = []
        with time_machine.travel(at(dt.date(2025, 10, 2)), tick=False):
            reminders.scan()
            queued = reminder_delivery.sweep(publish=batches.append)

        self.assertEqual([len(batch) for batch in batches], [20, 20, 5])
        self.assertEqual(sorted(queued), sorted(Reminder.objects.values_list("pk", flat=True)))

    def test_the_scan_logs_and_returns_what_it_really_inserted(self):
        with time_machine.travel(at(dt.date(2025, 10, 2)), tick=False):
            due = reminders.find_due()
            # Another scanner inserts two of the rows after this one looked for existing rows.
            for item in due[:2]:
                item.as_row(timezone.now() - dt.timedelta(seconds=1)).save()
            with (
                mock.patch("responses.reminders._existing_keys", return_value=set()),
                self.assertLogs("responses.reminders", "INFO") as logs,
            ):
                created = reminders.scan()

        self.assertEqual(created, 43)
        self.assertEqual(Reminder.objects.count(), 45)
        self.assertIn("reminder scan: 45 due, 43 new", logs.output[0])
