"""What becomes due, when, for whom; delivered once, retried on failure (DESIGN.md section 5)."""

import datetime as dt
from io import StringIO
from unittest import mock

import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.choices import Role
from proposals.choices import ProposalStatus, ProposerStatus
from proposals.models import Event, Notification
from proposals.workflow import WorkflowError
from responses import reminder_delivery, reminders
from responses.choices import AssignmentRole, AssignmentStatus, ReminderKind, ReplyStatus
from responses.deadlines import assignment_deadlines
from responses.models import Assignment, Feedback, Reminder, Reply
from tests.base import PersonaTestCase, make_proposal, make_user


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class ReminderTestCase(PersonaTestCase):
    def assign(self, assigned_on: dt.date, role=AssignmentRole.SEPARATE, unit=None, status=AssignmentStatus.HANDLING):
        proposal = make_proposal(
            self.chencheng,
            self.session,
            status=ProposalStatus.ASSIGNED,
            number=f"2023{Assignment.objects.count() + 160}",
        )
        return Assignment.objects.create(
            proposal=proposal,
            unit=unit or self.unit,
            role=role,
            status=status,
            assigned_by=self.committee,
            assigned_at=at(assigned_on),
            assigned_on=assigned_on,
            **assignment_deadlines(self.session, assigned_on, with_opinion=role == AssignmentRole.COHANDLING),
        )

    def scan_on(self, day: dt.date) -> list[tuple[str, str]]:
        """Scan as of that morning; returns the (kind, stage) of rows created by this scan."""
        before = set(Reminder.objects.values_list("pk", flat=True))
        with time_machine.travel(at(day), tick=False):
            reminders.scan()
        return sorted(Reminder.objects.exclude(pk__in=before).values_list("kind", "stage"))


class ReplyDueTests(ReminderTestCase):
    def setUp(self):
        # Assigned 2025-07-01: due 2025-10-01 falls in the National Day week, so 2025-10-09.
        self.assignment = self.assign(dt.date(2025, 7, 1))
        self.assertEqual(self.assignment.reply_due, dt.date(2025, 10, 9))

    def test_nothing_is_due_long_before_the_deadline(self):
        self.assertEqual(self.scan_on(dt.date(2025, 8, 1)), [])

    def test_the_stages_come_thirty_seven_and_one_day_before_and_on_the_day(self):
        self.assertEqual(self.scan_on(dt.date(2025, 9, 9)), [(ReminderKind.REPLY_DUE, "d30")])
        self.assertEqual(self.scan_on(dt.date(2025, 9, 10)), [])
        # 2025-10-02 is inside the National Day holiday: reminders run on calendar days all the same.
        self.assertEqual(self.scan_on(dt.date(2025, 10, 2)), [(ReminderKind.REPLY_DUE, "d7")])
        self.assertEqual(self.scan_on(dt.date(2025, 10, 8)), [(ReminderKind.REPLY_DUE, "d1")])
        self.assertEqual(self.scan_on(dt.date(2025, 10, 9)), [(ReminderKind.REPLY_DUE_TODAY, "today")])
        self.assertEqual(self.scan_on(dt.date(2025, 10, 9)), [])

    def test_a_scan_that_missed_days_catches_up_once(self):
        self.assertEqual(self.scan_on(dt.date(2025, 9, 13)), [(ReminderKind.REPLY_DUE, "d30")])
        self.assertEqual(self.scan_on(dt.date(2025, 9, 14)), [])

    def test_a_second_scanner_makes_no_second_row(self):
        with time_machine.travel(at(dt.date(2025, 9, 9)), tick=False):
            reminders.scan()
            reminders.scan()
        self.assertEqual(Reminder.objects.count(), 1)

    def test_overdue_replies_escalate_every_seven_days(self):
        for day in (dt.date(2025, 10, 10), dt.date(2025, 10, 17), dt.date(2025, 10, 24), dt.date(2025, 10, 31)):
            self.scan_on(day)
        rows = {r.stage: set(r.recipients) for r in Reminder.objects.filter(kind=ReminderKind.REPLY_OVERDUE)}
        self.assertEqual(rows["overdue-1"], {self.handler.pk})
        self.assertEqual(rows["overdue-2"], {self.handler.pk, self.unitlead.pk})
        self.assertEqual(rows["overdue-3"], {self.handler.pk, self.unitlead.pk, self.committee.pk})
        self.assertEqual(rows["overdue-4"], {self.handler.pk, self.unitlead.pk, self.committee.pk, self.leader.pk})

    def test_no_overdue_reminder_between_the_stages(self):
        self.scan_on(dt.date(2025, 10, 10))
        self.assertEqual(self.scan_on(dt.date(2025, 10, 13)), [])

    def test_the_session_decides_the_stages_and_the_escalation(self):
        self.session.reminder_days_before = [14]
        self.session.escalation = ["unit_leader"]
        self.session.save()
        self.assertEqual(self.scan_on(dt.date(2025, 9, 9)), [])
        self.assertEqual(self.scan_on(dt.date(2025, 9, 25)), [(ReminderKind.REPLY_DUE, "d14")])
        self.scan_on(dt.date(2025, 10, 10))
        overdue = Reminder.objects.get(kind=ReminderKind.REPLY_OVERDUE)
        self.assertEqual(overdue.recipients, [self.unitlead.pk])

    def test_a_replied_assignment_gets_no_reminder(self):
        Assignment.objects.filter(pk=self.assignment.pk).update(status=AssignmentStatus.REPLIED)
        self.assertEqual(self.scan_on(dt.date(2025, 10, 8)), [])

    def test_another_units_handler_is_not_reminded(self):
        self.scan_on(dt.date(2025, 9, 9))
        self.assertNotIn(self.other_handler.pk, Reminder.objects.get().recipients)


class OtherKindsTests(ReminderTestCase):
    def test_a_cohandling_opinion_is_reminded_before_it_is_due(self):
        cohandling = self.assign(dt.date(2025, 7, 1), role=AssignmentRole.COHANDLING, unit=self.other_unit)
        self.assertEqual(cohandling.opinion_due, dt.date(2025, 8, 1))
        self.assertEqual(self.scan_on(dt.date(2025, 7, 25)), [(ReminderKind.OPINION_DUE, "d7")])
        self.assertEqual(self.scan_on(dt.date(2025, 8, 1)), [(ReminderKind.OPINION_DUE, "today")])
        self.assertEqual(
            Reminder.objects.filter(kind=ReminderKind.OPINION_DUE).first().recipients, [self.other_handler.pk]
        )

    def test_the_return_window_closing_is_reminded_over_the_spring_festival(self):
        # Assigned Thu 2026-02-12: five working days end 2026-02-26 (the Saturday 02-14 works, 15–23 off).
        assignment = self.assign(dt.date(2026, 2, 12), status=AssignmentStatus.PENDING)
        self.assertEqual(assignment.return_window_ends, dt.date(2026, 2, 26))
        self.assertNotIn((ReminderKind.RETURN_WINDOW, "closing"), self.scan_on(dt.date(2026, 2, 20)))
        self.assertIn((ReminderKind.RETURN_WINDOW, "closing"), self.scan_on(dt.date(2026, 2, 25)))

    def test_a_co_signer_is_reminded_before_the_cutoff(self):
        self.session.cosign_cutoff = at(dt.date(2025, 1, 10), 18)
        self.session.save()
        make_proposal(
            self.chencheng,
            self.session,
            status=ProposalStatus.DRAFT,
            cosigners=[self.wangfang],
            cosigner_status=ProposerStatus.INVITED,
        )
        self.assertEqual(self.scan_on(dt.date(2025, 1, 2)), [])
        self.assertEqual(self.scan_on(dt.date(2025, 1, 8)), [(ReminderKind.COSIGN_PENDING, "cutoff")])
        self.assertEqual(Reminder.objects.get().recipients, [self.wangfang.pk])

    def _sent_reply(self, sent_on: dt.date, category="A", commitment=None) -> Reply:
        assignment = self.assign(dt.date(2025, 3, 3), status=AssignmentStatus.REPLIED)
        return Reply.objects.create(
            assignment=assignment,
            status=ReplyStatus.SENT,
            category=self.reply_categories[category],
            body="答复正文",
            drafted_by=self.handler,
            signer=self.unitlead,
            sent_at=at(sent_on),
            commitment_date=commitment,
        )

    def test_a_proposer_who_has_not_rated_is_reminded_a_week_after_the_reply(self):
        reply = self._sent_reply(dt.date(2025, 5, 6))
        self.assertEqual(self.scan_on(dt.date(2025, 5, 12)), [])
        self.assertEqual(
            self.scan_on(dt.date(2025, 5, 13)), [(ReminderKind.FEEDBACK_PENDING, f"rate-{self.chencheng.pk}")]
        )
        Feedback.objects.create(reply=reply, user=self.chencheng, attitude="satisfied", result="satisfied")
        Reminder.objects.all().delete()
        self.assertEqual(self.scan_on(dt.date(2025, 5, 14)), [])

    def test_a_b_reply_commitment_brings_a_follow_up_reminder(self):
        self._sent_reply(dt.date(2025, 5, 6), category="B", commitment=dt.date(2025, 9, 30))
        self.assertEqual(self.scan_on(dt.date(2025, 9, 23)), [(ReminderKind.FOLLOWUP_DUE, "d7")])
        self.assertEqual(self.scan_on(dt.date(2025, 9, 30)), [(ReminderKind.FOLLOWUP_DUE, "today")])


class DeliveryTests(ReminderTestCase):
    def setUp(self):
        self.assignment = self.assign(dt.date(2025, 7, 1))

    def run_once(self, day: dt.date) -> str:
        out = StringIO()
        with time_machine.travel(at(day), tick=False):
            call_command("send_reminders", "--once", stdout=out)
        return out.getvalue()

    def test_send_reminders_once_sends_one_message_naming_what_is_due(self):
        output = self.run_once(dt.date(2025, 10, 2))

        self.assertIn("1 sent", output)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, [self.handler.email])
        self.assertIn(self.assignment.proposal.number, message.subject)
        self.assertIn(self.assignment.proposal.title, message.subject)
        self.assertIn(self.unit.name, message.body)
        self.assertIn("2025-10-09", message.body)
        self.assertIn("7", message.body)
        self.assertIn(f"/admin/responses/assignment/{self.assignment.pk}/", message.body)
        self.assertEqual(Notification.objects.filter(user=self.handler).count(), 1)
        event = Event.objects.get(verb="reminder_sent")
        self.assertEqual(event.proposal_id, self.assignment.proposal_id)

    def test_a_second_run_sends_nothing_more(self):
        self.run_once(dt.date(2025, 10, 2))
        self.run_once(dt.date(2025, 10, 2))
        self.assertEqual(len(mail.outbox), 1)

    def test_delivering_a_sent_row_again_is_a_no_op(self):
        self.run_once(dt.date(2025, 10, 2))
        reminder = Reminder.objects.get()
        self.assertFalse(reminder_delivery.deliver(reminder.pk))
        self.assertEqual(len(mail.outbox), 1)

    def test_a_failed_send_is_recorded_and_retried_with_backoff(self):
        with mock.patch("responses.reminder_delivery.get_connection") as broken:
            broken.return_value.send_messages.side_effect = ConnectionRefusedError("smtp down")
            self.run_once(dt.date(2025, 10, 2))
        reminder = Reminder.objects.get()
        self.assertIsNone(reminder.sent_at)
        self.assertEqual(reminder.attempts, 1)
        self.assertIn("smtp down", reminder.last_error)
        # The in-app notification does not wait for the mail server.
        self.assertEqual(Notification.objects.filter(user=self.handler).count(), 1)
        # Not retried before its backoff time, retried after it.
        with time_machine.travel(at(dt.date(2025, 10, 2)) + dt.timedelta(seconds=30), tick=False):
            self.assertEqual(reminder_delivery.sweep(publish=None), [])
        with time_machine.travel(at(dt.date(2025, 10, 2)) + dt.timedelta(minutes=3), tick=False):
            call_command("send_reminders", "--once", stdout=StringIO())
        reminder.refresh_from_db()
        self.assertIsNotNone(reminder.sent_at)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(Notification.objects.filter(user=self.handler).count(), 1)

    def test_the_sweep_requeues_rows_queued_long_ago_but_never_sent(self):
        with time_machine.travel(at(dt.date(2025, 10, 2)), tick=False):
            reminders.scan()
            queued = reminder_delivery.sweep(publish=lambda pk: None)
            self.assertEqual(len(queued), 1)
            self.assertEqual(reminder_delivery.sweep(publish=lambda pk: None), [])
        with time_machine.travel(at(dt.date(2025, 10, 2)) + dt.timedelta(minutes=6), tick=False):
            self.assertEqual(reminder_delivery.sweep(publish=lambda pk: None), queued)

    def test_a_dead_broker_leaves_the_row_for_the_next_sweep(self):
        def broken(pk):
            raise ConnectionRefusedError("redis down")

        with time_machine.travel(at(dt.date(2025, 10, 2)), tick=False):
            reminders.scan()
            self.assertEqual(reminder_delivery.sweep(publish=broken), [])
            self.assertEqual(len(reminder_delivery.sweep(publish=None)), 1)

    def test_dry_run_lists_and_writes_nothing(self):
        out = StringIO()
        with time_machine.travel(at(dt.date(2025, 10, 2)), tick=False):
            call_command("send_reminders", "--dry-run", stdout=out)
        self.assertIn("reply_due\td7", out.getvalue())
        self.assertFalse(Reminder.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_inactive_recipients_get_nothing(self):
        self.handler.is_active = False
        self.handler.save()
        spare = make_user("handler2", "钱经办", Role.UNIT_HANDLER, self.unit)
        self.run_once(dt.date(2025, 10, 2))
        self.assertEqual(mail.outbox[0].to, [spare.email])


class ManualReminderTests(ReminderTestCase):
    def test_committee_can_send_one_manual_reminder_per_assignment_per_day(self):
        assignment = self.assign(dt.date(2025, 7, 1))
        with time_machine.travel(at(dt.date(2025, 9, 1)), tick=False):
            reminder = reminders.manual_reminder(assignment, actor=self.committee, note="请加快办理")
            with self.assertRaises(WorkflowError):
                reminders.manual_reminder(assignment, actor=self.committee)
            self.assertTrue(reminder_delivery.deliver(reminder.pk))
        self.assertEqual(set(reminder.recipients), {self.handler.pk, self.unitlead.pk})
        self.assertIn("请加快办理", mail.outbox[0].body)
        with time_machine.travel(at(dt.date(2025, 9, 2)), tick=False):
            reminders.manual_reminder(assignment, actor=self.committee)
        self.assertEqual(Reminder.objects.filter(kind=ReminderKind.MANUAL).count(), 2)

    def test_a_unit_handler_cannot_send_a_manual_reminder(self):
        from django.core.exceptions import PermissionDenied

        assignment = self.assign(dt.date(2025, 7, 1))
        with self.assertRaises(PermissionDenied):
            reminders.manual_reminder(assignment, actor=self.handler)
