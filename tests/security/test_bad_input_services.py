"""Bad input straight into the services: the same rules as the forms, for callers that have no form in
front (the admin's add pages, tasks, scripts). The session began on 1 January 2023 (it has no opening
day); today is 1 March 2023.

Every refusal is checked twice: the service's message, and the rows it would write exactly as they were.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.html import escape

from proposals.models import Event, Notification, Proposal, SupervisionNote
from proposals.services import add_supervision_note, mark_key_proposal
from proposals.workflow import WorkflowError
from responses import services
from responses.choices import ContactMethod
from responses.models import Assignment, Contact, Reply, ReplyRevision
from tests.responses.helpers_units import LEAD, TODAY
from tests.security.test_bad_input_admin import UnitFormsTestCase

HANDLING_ROWS = (Proposal, Assignment, Event, Notification)
REPLY_ROWS = (Reply, ReplyRevision, Event)


class ServiceTestCase(UnitFormsTestCase):
    def assert_refused(self, message: str, call, *rows) -> None:
        """``call()`` raises WorkflowError whose message contains ``message``, and writes nothing to ``rows``."""
        with self.unchanged(*rows), self.assertRaises(WorkflowError) as caught:
            call()
        self.assertIn(message, caught.exception.message)


class ContactTests(ServiceTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.assignment = cls().handling()[0]

    def log(self, **data):
        fields = {"contacted_on": TODAY, "method": ContactMethod.PHONE, "participants": "陈澄委员；刘经办", **data}
        return lambda: services.log_contact(self.assignment, actor=self.handler, **fields)

    def test_a_contact_before_the_session_began_is_refused(self):
        for day in (dt.date(2022, 12, 31), dt.date(1, 1, 1), dt.date(2003, 3, 1)):
            with self.subTest(day=day):
                self.assert_refused(
                    "The contact date cannot be earlier than 2023-01-01, the start of 六届三次会议.",
                    self.log(contacted_on=day),
                    Contact,
                    Event,
                )

    def test_the_session_opening_day_is_the_lower_bound_when_it_is_set(self):
        self.session.opens_on = dt.date(2023, 2, 1)
        self.session.save(update_fields=["opens_on"])
        self.assert_refused("earlier than 2023-02-01", self.log(contacted_on=dt.date(2023, 1, 31)), Contact, Event)
        self.assertEqual(self.log(contacted_on=dt.date(2023, 2, 1))().contacted_on, dt.date(2023, 2, 1))

    def test_a_contact_in_the_future_is_refused(self):
        for day in (TODAY + dt.timedelta(days=1), dt.date(9999, 12, 31)):
            with self.subTest(day=day):
                self.assert_refused(
                    "The contact date cannot be in the future.", self.log(contacted_on=day), Contact, Event
                )

    def test_overlong_contact_notes_or_participants_are_refused(self):
        self.assert_refused("at most 4000 characters", self.log(notes="记" * 4001), Contact, Event)
        self.assert_refused("at most 200 characters", self.log(participants="人" * 201), Contact, Event)

    def test_the_admin_add_page_shows_the_services_refusal_and_saves_nothing(self):
        self.client.force_login(self.handler)
        target = reverse("admin:responses_contact_add")
        data = {"assignment": self.assignment.pk, "method": ContactMethod.PHONE, "participants": "陈澄委员"}
        cases = {
            "2022-12-31": "The contact date cannot be earlier than 2023-01-01, the start of 六届三次会议.",
            "0001-01-01": "The contact date cannot be earlier than 2023-01-01, the start of 六届三次会议.",
            "2023-03-02": "The contact date cannot be in the future.",
        }
        for day, message in cases.items():
            with self.subTest(day=day), self.unchanged(Contact, Event):
                response = self.client.post(target, {**data, "contacted_on": day})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["adminform"].form.non_field_errors(), [message])
                self.assertContains(response, escape(message))
        with self.unchanged(Contact, Event):
            response = self.client.post(target, {**data, "contacted_on": TODAY.isoformat(), "notes": "记" * 4001})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "at most 4000 characters")


class AssignmentDateTests(ServiceTestCase):
    def test_an_assignment_before_the_session_began_or_in_the_future_is_refused(self):
        proposal = self.accepted()
        cases = {
            dt.date(2022, 12, 31): "The assignment date cannot be earlier than 2023-01-01, the start of 六届三次会议.",
            dt.date(1, 1, 1): "The assignment date cannot be earlier than 2023-01-01",
            TODAY + dt.timedelta(days=1): "The assignment date cannot be in the future.",
        }
        for day, message in cases.items():
            with self.subTest(day=day, service="assign_proposal"):
                self.assert_refused(
                    message,
                    lambda day=day: services.assign_proposal(
                        proposal, actor=self.committee, units_roles=[(self.unit, LEAD)], assigned_on=day
                    ),
                    *HANDLING_ROWS,
                )
            with self.subTest(day=day, service="assign_many"):
                self.assert_refused(
                    message,
                    lambda day=day: services.assign_many(
                        [proposal, self.accepted()],
                        actor=self.committee,
                        units_roles=[(self.unit, LEAD)],
                        assigned_on=day,
                    ),
                    *HANDLING_ROWS[1:],  # the second proposal is made here; nothing of it is assigned
                )
        # The first day of the session is allowed.
        rows = services.assign_proposal(
            proposal, actor=self.committee, units_roles=[(self.unit, LEAD)], assigned_on=dt.date(2023, 1, 1)
        )
        self.assertEqual(len(rows), 1)


class ReplyDataTests(ServiceTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        scene = cls()
        cls.assignment = scene.handling()[0]
        cls.reply = scene.draft(cls.assignment, category=cls.reply_categories["B"])
        cls.fresh = scene.handling()[0]  # no draft yet

    def save(self, assignment=None, **data):
        base = None if assignment else self.reply.version
        return lambda: services.save_reply_draft(
            assignment or self.assignment, actor=self.handler, data=data, base_version=base
        )

    def test_commitment_dates_not_after_today_or_beyond_five_years_are_refused(self):
        cases = {
            TODAY: "The commitment date must be in the future.",
            TODAY - dt.timedelta(days=1): "The commitment date must be in the future.",
            "0001-01-01": "The commitment date must be in the future.",
            dt.date(2028, 3, 2): "The commitment date must be within 5 years.",
            "9999-12-31": "The commitment date must be within 5 years.",
        }
        for day, message in cases.items():
            for assignment in (None, self.fresh):
                with self.subTest(day=day, new=assignment is not None):
                    self.assert_refused(message, self.save(assignment, commitment_date=day), *REPLY_ROWS)
        # Five years ahead to the day is still a plan.
        self.assertEqual(self.save(commitment_date=dt.date(2028, 3, 1))().commitment_date, dt.date(2028, 3, 1))

    def test_a_letter_body_beyond_its_limit_is_refused(self):
        for assignment in (None, self.fresh):
            with self.subTest(new=assignment is not None):
                self.assert_refused("at most 20000 characters", self.save(assignment, body="答" * 20001), *REPLY_ROWS)
        self.assertEqual(len(self.save(body="答" * 20000)().body), 20000)


class SupervisionNoteTests(ServiceTestCase):
    def test_an_overlong_supervision_note_is_refused_in_the_service_and_on_the_admin_add_page(self):
        proposal = self.accepted()
        mark_key_proposal(proposal, actor=self.committee, supervisor=self.leader)
        self.assert_refused(
            "at most 4000 characters",
            lambda: add_supervision_note(proposal, actor=self.leader, body="督" * 4001),
            SupervisionNote,
            Event,
        )
        self.client.force_login(self.leader)
        with self.unchanged(SupervisionNote, Event):
            response = self.client.post(
                reverse("admin:proposals_supervisionnote_add"), {"proposal": proposal.pk, "body": "督" * 4001}
            )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "at most 4000 characters")
