"""The committee's manual 催办 from the admin: recorded, delivered, at most one per assignment per day."""

import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from proposals.choices import ProposalStatus
from responses.choices import AssignmentRole, AssignmentStatus, ReminderKind
from responses.models import Assignment, Reminder
from tests.base import PersonaTestCase, make_proposal


class ManualReminderAdminTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        proposal = make_proposal(cls.chencheng, cls.session, status=ProposalStatus.ASSIGNED, number="2023160")
        cls.assignment = Assignment.objects.create(
            proposal=proposal,
            unit=cls.unit,
            role=AssignmentRole.SEPARATE,
            status=AssignmentStatus.HANDLING,
            assigned_by=cls.committee,
            reply_due=timezone.localdate() - dt.timedelta(days=4),
        )
        cls.url = reverse("admin:responses_reminder_manual", args=[cls.assignment.pk])

    def test_committee_sends_a_manual_reminder_that_reaches_the_unit(self):
        self.client.force_login(self.committee)
        page = self.client.get(self.url)
        self.assertContains(page, "2023160")
        self.assertContains(page, self.unit.name)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"note": "请于本周内答复"})

        self.assertRedirects(
            response,
            reverse("admin:responses_assignment_change", args=[self.assignment.pk]),
            fetch_redirect_response=False,
        )
        reminder = Reminder.objects.get(kind=ReminderKind.MANUAL)
        self.assertEqual(reminder.created_by, self.committee)
        self.assertIsNotNone(reminder.sent_at)
        self.assertEqual(sorted(mail.outbox[0].to), sorted([self.handler.email, self.unitlead.email]))
        self.assertIn("请于本周内答复", mail.outbox[0].body)
        self.assertTrue(self.assignment.proposal.events.filter(verb="reminder_sent").exists())

    def test_a_second_manual_reminder_the_same_day_is_refused_with_a_message(self):
        self.client.force_login(self.committee)
        self.client.post(self.url, {"note": ""})
        response = self.client.post(self.url, {"note": "再次催办"})

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "already-today")
        self.assertEqual(Reminder.objects.filter(kind=ReminderKind.MANUAL).count(), 1)

    def test_only_committee_staff_may_send_one(self):
        for user in (self.handler, self.unitlead, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.post(self.url, {"note": "x"}).status_code, 403)
        self.client.force_login(self.chencheng)
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.assertFalse(Reminder.objects.exists())

    def test_an_unknown_assignment_answers_404(self):
        self.client.force_login(self.committee)
        url = reverse("admin:responses_reminder_manual", args=[self.assignment.pk + 999])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_assignment_page_offers_committee_staff_the_reminder_button(self):
        change = reverse("admin:responses_assignment_change", args=[self.assignment.pk])
        self.client.force_login(self.committee)
        self.assertContains(self.client.get(change), self.url)
        self.client.force_login(self.handler)
        self.assertNotContains(self.client.get(change), self.url)

    def test_a_replied_assignment_shows_no_form(self):
        Assignment.objects.filter(pk=self.assignment.pk).update(status=AssignmentStatus.REPLIED)
        self.client.force_login(self.committee)
        response = self.client.get(self.url)
        self.assertContains(response, 'data-testid="not-open"')
        self.assertNotContains(response, 'data-testid="send-reminder"')
