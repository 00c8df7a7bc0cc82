"""Reminder delivery under faults: the crash window, one Message-ID per reminder, in-app once,
no final give-up after a long mail outage, and what committee staff see meanwhile (issue 17)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Unit
from proposals.choices import ProposalStatus
from proposals.models import Event, Notification
from responses import reminder_delivery, reminders
from responses.choices import AssignmentRole, AssignmentStatus, ReminderKind
from responses.deadlines import assignment_deadlines
from responses.models import Assignment, Reminder
from tests.base import PersonaTestCase, make_proposal, make_session, make_user


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class Journal(BaseEmailBackend):
    """An email backend that notes, at each step, what the database held (from this connection)."""

    steps: list[tuple[str, dict]] = []

    @staticmethod
    def state() -> dict:
        reminder = Reminder.objects.get()
        return {
            "in_transaction": connection.in_atomic_block,
            "notifications": Notification.objects.count(),
            "events": Event.objects.filter(verb="reminder_sent").count(),
            "sent": reminder.sent_at is not None,
        }

    def open(self):
        Journal.steps.append(("open", self.state()))
        return True

    def send_messages(self, messages):
        Journal.steps.append(("send", self.state()))
        return len(messages)

    def close(self):
        Journal.steps.append(("close", self.state()))


@override_settings(EMAIL_BACKEND="tests.responses.test_reminder_delivery.Journal")
class CrashWindowTests(TransactionTestCase):
    """Without a test transaction around it, so that what each step committed is what it sees."""

    def setUp(self):
        session = make_session()
        unit = Unit.objects.create(name="深圳市福田区工业和信息化局")
        self.handler = make_user("handler", "刘经办", Role.UNIT_HANDLER, unit)
        member = make_user("chencheng", "陈澄")
        committee = make_user("committee", "张委办", Role.COMMITTEE)
        proposal = make_proposal(member, session, status=ProposalStatus.ASSIGNED, number="2023160")
        assignment = Assignment.objects.create(
            proposal=proposal,
            unit=unit,
            role=AssignmentRole.SEPARATE,
            status=AssignmentStatus.HANDLING,
            assigned_by=committee,
            assigned_at=at(dt.date(2025, 7, 1)),
            **assignment_deadlines(session, dt.date(2025, 7, 1), with_opinion=False),
        )
        self.reminder = Reminder.objects.create(
            kind=ReminderKind.REPLY_DUE,
            stage="d7",
            target_type="assignment",
            target_id=assignment.pk,
            proposal=proposal,
            assignment=assignment,
            due_on=assignment.reply_due,
            recipients=[self.handler.pk],
        )
        Journal.steps = []

    def test_everything_is_committed_before_the_email_and_the_sent_mark_before_the_connection_closes(self):
        self.assertTrue(reminder_delivery.deliver(self.reminder.pk))

        steps = dict(Journal.steps)
        self.assertEqual([name for name, _ in Journal.steps], ["open", "send", "close"])
        # In-app notification and timeline event are committed before the message goes out. On
        # PostgreSQL the send happens inside the transaction of the sent mark (written, not yet
        # committed), so that the server's 250 leaves only its COMMIT to do; on SQLite the mark follows.
        if connection.vendor == "postgresql":
            self.assertEqual(steps["send"], {"in_transaction": True, "notifications": 1, "events": 1, "sent": True})
        else:
            self.assertEqual(steps["send"], {"in_transaction": False, "notifications": 1, "events": 1, "sent": False})
        # ...and the sent mark is committed before the connection's QUIT.
        self.assertEqual(steps["close"], {"in_transaction": False, "notifications": 1, "events": 1, "sent": True})


class KilledAfterAccepting(LocmemBackend):
    """The server accepts the message (it is in the outbox), then the worker dies before the sent mark commits."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise SystemExit("kill -9")


class CrashRecoveryTests(PersonaTestCase):
    def setUp(self):
        proposal = make_proposal(self.chencheng, self.session, status=ProposalStatus.ASSIGNED, number="2023160")
        self.assignment = Assignment.objects.create(
            proposal=proposal,
            unit=self.unit,
            role=AssignmentRole.SEPARATE,
            status=AssignmentStatus.HANDLING,
            assigned_by=self.committee,
            assigned_at=at(dt.date(2025, 7, 1)),
            **assignment_deadlines(self.session, dt.date(2025, 7, 1), with_opinion=False),
        )
        with time_machine.travel(at(dt.date(2025, 10, 2)), tick=False):
            reminders.scan()
        self.reminder = Reminder.objects.get()

    def test_every_copy_of_a_reminder_carries_the_same_message_id(self):
        start = at(dt.date(2025, 10, 2))
        # A worker killed after the server accepted the message, before it marked the row sent.
        with (
            time_machine.travel(start, tick=False),
            override_settings(EMAIL_BACKEND="tests.responses.test_reminder_delivery.KilledAfterAccepting"),
            self.assertRaises(SystemExit),
        ):
            reminder_delivery.deliver(self.reminder.pk)
        # While its lease runs, no other worker takes the row...
        with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
            self.assertFalse(reminder_delivery.deliver(self.reminder.pk))
            self.assertEqual(reminder_delivery.sweep(publish=None), [])
        # ...then the sweep hands it on and the second copy is the same message, in-app still once.
        with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
            self.assertEqual(reminder_delivery.sweep(publish=None), [self.reminder.pk])
            self.assertTrue(reminder_delivery.deliver(self.reminder.pk))

        ids = {message.extra_headers["Message-ID"] for message in mail.outbox}
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(ids, {f"<reminder-{self.reminder.pk}.reply_due.d7@localhost>"})
        self.assertIn(ids.pop(), mail.outbox[0].message().as_string())
        self.assertEqual(Notification.objects.filter(user=self.handler).count(), 1)
        self.assertEqual(Event.objects.filter(verb="reminder_sent").count(), 1)


class MailOutage:
    """Switches the test mail backend between refusing every connection and delivering to the outbox."""

    down = False


class OutageBackend(LocmemBackend):
    def open(self):
        if MailOutage.down:
            raise ConnectionRefusedError("mail relay down")
        return super().open()

    def send_messages(self, messages):
        if MailOutage.down:
            raise ConnectionRefusedError("mail relay down")
        return super().send_messages(messages)


@override_settings(
    EMAIL_BACKEND="tests.responses.test_reminder_delivery.OutageBackend",
    REMINDER_RETRY_MAX_SECONDS=1800,
    REMINDER_MAIL_ALERT_SECONDS=3600,
)
class LongOutageTests(PersonaTestCase):
    def setUp(self):
        for serial in range(3):
            proposal = make_proposal(
                self.chencheng, self.session, status=ProposalStatus.ASSIGNED, number=f"202316{serial}"
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
        MailOutage.down = True
        self.addCleanup(setattr, MailOutage, "down", False)

    def run_at(self, moment: dt.datetime) -> None:
        with time_machine.travel(moment, tick=False):
            call_command("send_reminders", "--once", stdout=StringIO())

    def healthz(self, moment: dt.datetime) -> dict:
        with time_machine.travel(moment, tick=False):
            return json.loads(self.client.get("/healthz").content)

    def test_a_72_hour_outage_ends_with_every_reminder_delivered_exactly_once(self):
        start = at(dt.date(2025, 10, 2))
        step = dt.timedelta(minutes=10)
        moment = start
        self.run_at(moment)
        # In-app reminders went out at once: they never wait for the mail server.
        self.assertEqual(Notification.objects.filter(user=self.handler).count(), 3)
        # /healthz asks the relay itself, so it says "degraded" while the relay is down; the committee's
        # banner waits for an hour of failures (the test below).
        self.assertEqual(self.healthz(start + dt.timedelta(minutes=50))["mail"], "degraded")

        while moment < start + dt.timedelta(hours=72):
            moment += step
            self.run_at(moment)
        self.assertEqual(Reminder.objects.filter(sent_at__isnull=False).count(), 0)
        self.assertEqual(self.healthz(moment)["status"], "degraded")
        self.assertEqual(self.healthz(moment)["mail"], "degraded")
        # Retried all along, never more than 30 minutes apart at the end: no final give-up.
        self.assertTrue(all(r.next_attempt_at - moment <= dt.timedelta(minutes=30) for r in Reminder.objects.all()))

        MailOutage.down = False
        recovered = moment
        while Reminder.objects.filter(sent_at__isnull=True).exists() and moment < recovered + dt.timedelta(hours=1):
            moment += step
            self.run_at(moment)
        for _ in range(6):  # later runs send nothing more
            moment += step
            self.run_at(moment)

        self.assertLessEqual(moment - recovered, dt.timedelta(minutes=31 + 60))
        self.assertEqual(Reminder.objects.filter(sent_at__isnull=True).count(), 0)
        numbers = sorted(message.subject.split("：")[1][:7] for message in mail.outbox)
        self.assertEqual(numbers, ["2023160", "2023161", "2023162"])
        self.assertEqual(len({m.extra_headers["Message-ID"] for m in mail.outbox}), 3)
        self.assertEqual(Notification.objects.filter(user=self.handler).count(), 3)
        self.assertEqual(Event.objects.filter(verb="reminder_sent").count(), 3)
        self.assertEqual(self.healthz(moment)["mail"], "ok")

    def test_committee_staff_see_a_banner_after_an_hour_of_failures_and_unit_staff_do_not(self):
        start = at(dt.date(2025, 10, 2))
        self.run_at(start)
        banner = "邮件发送失败"
        self.client.force_login(self.committee)
        with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
            self.assertNotContains(self.client.get("/admin/"), banner)
        with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
            self.assertContains(self.client.get("/admin/"), banner)
            self.client.force_login(self.handler)
            self.assertNotContains(self.client.get("/admin/"), banner)
