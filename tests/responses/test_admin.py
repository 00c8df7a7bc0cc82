"""The handling side of the admin: unit staff see their own unit's work and nothing else."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Event, Proposal
from responses.choices import (
    AssignmentRole,
    AssignmentStatus,
    ContactMethod,
    ReminderKind,
    ReplyStatus,
    RequestStatus,
    Satisfaction,
)
from responses.models import (
    Assignment,
    Contact,
    ExtensionRequest,
    Feedback,
    Opinion,
    Reminder,
    Reply,
    ReplyRevision,
    ReturnRequest,
)
from tests.base import PASSWORD, PersonaTestCase, make_proposal

OTHER_TITLE = "关于加强中小学心理健康教育的建议"
OTHER_LETTER = "福教函〔2023〕88号"
OTHER_BODY = "心理健康教育答复正文"


def make_assignment(proposal: Proposal, unit, assigned_by: User, **extra) -> Assignment:
    """An assignment row as the assign service would leave it, without the service."""
    today = timezone.localdate()
    fields = {
        "role": AssignmentRole.LEAD,
        "status": AssignmentStatus.HANDLING,
        "reply_due": today + dt.timedelta(days=60),
        "reply_cap": today + dt.timedelta(days=150),
        "opinion_due": today + dt.timedelta(days=30),
        "return_window_ends": today + dt.timedelta(days=7),
        "contact_due": today + dt.timedelta(days=21),
    }
    fields.update(extra)
    return Assignment.objects.create(proposal=proposal, unit=unit, assigned_by=assigned_by, **fields)


def make_reply(assignment: Assignment, drafted_by: User, **extra) -> Reply:
    fields = {
        "status": ReplyStatus.DRAFT,
        "body": "答复正文",
        "contact_person": "刘经办",
        "contact_phone": "0755-8391xxxx",
    }
    fields.update(extra)
    return Reply.objects.create(assignment=assignment, drafted_by=drafted_by, **fields)


def admin_url(model, view: str = "changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


class UnitScopingTests(PersonaTestCase):
    """Our unit (区工信局) handles 陈澄's proposal; the education bureau handles another one."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.chencheng, cls.session, status=ProposalStatus.ASSIGNED, number="2023160")
        cls.other_proposal = make_proposal(
            cls.wangfang, cls.session, title=OTHER_TITLE, status=ProposalStatus.ASSIGNED, number="2023161"
        )
        cls.assignment = make_assignment(cls.proposal, cls.unit, cls.committee)
        cls.other_assignment = make_assignment(cls.other_proposal, cls.other_unit, cls.committee)
        cls.reply = make_reply(cls.assignment, cls.handler, letter_number="福工信函〔2023〕160号")
        cls.other_reply = make_reply(
            cls.other_assignment, cls.other_handler, letter_number=OTHER_LETTER, body=OTHER_BODY
        )
        cls.other_contact = Contact.objects.create(
            assignment=cls.other_assignment,
            contacted_on=dt.date(2023, 5, 6),
            method=ContactMethod.PHONE,
            participants="孙经办、王芳",
            recorded_by=cls.other_handler,
        )
        ReplyRevision.objects.create(
            reply=cls.other_reply, version=1, editor=cls.other_handler, changes={"body": ["", OTHER_BODY]}
        )
        ReplyRevision.objects.create(reply=cls.reply, version=1, editor=cls.handler, changes={"body": ["", "答复正文"]})

    def setUp(self) -> None:
        self.client.force_login(self.handler)

    def assert_hidden(self, response) -> None:
        self.assertIn(response.status_code, (403, 404))
        body = response.content.decode()
        for secret in (OTHER_TITLE, OTHER_LETTER, OTHER_BODY, "2023161"):
            self.assertNotIn(secret, body)

    def test_handler_sees_only_own_units_assignments_in_the_list(self):
        response = self.client.get(admin_url(Assignment))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["cl"].result_list), [self.assignment])
        self.assertContains(response, "2023160")
        self.assertNotContains(response, "2023161")

    def test_handler_sees_only_own_units_replies_in_the_list(self):
        response = self.client.get(admin_url(Reply))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["cl"].result_list), [self.reply])
        self.assertNotContains(response, OTHER_LETTER)
        self.assertNotContains(response, OTHER_TITLE)

    def test_handler_sees_only_own_units_rows_in_every_handling_list(self):
        for model, mine in (
            (Contact, []),
            (ReplyRevision, list(ReplyRevision.objects.filter(reply=self.reply))),
        ):
            with self.subTest(model=model.__name__):
                response = self.client.get(admin_url(model))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(list(response.context["cl"].result_list), mine)
                self.assertNotContains(response, OTHER_TITLE)

    def test_unit_filter_lists_only_the_handlers_own_unit(self):
        response = self.client.get(admin_url(Assignment))
        self.assertNotContains(response, self.other_unit.name)

    def test_other_units_assignment_answers_403_or_404_on_every_object_url(self):
        pk = self.other_assignment.pk
        for view in ("change", "history", "delete"):
            with self.subTest(view=view):
                self.assert_hidden(self.client.get(admin_url(Assignment, view, pk)))

    def test_other_units_reply_answers_403_or_404_on_every_object_url(self):
        pk = self.other_reply.pk
        for view in ("change", "history", "delete"):
            with self.subTest(view=view):
                self.assert_hidden(self.client.get(admin_url(Reply, view, pk)))

    def test_other_units_contact_and_revision_are_hidden(self):
        self.assert_hidden(self.client.get(admin_url(Contact, "change", self.other_contact.pk)))
        revision = ReplyRevision.objects.get(reply=self.other_reply)
        self.assert_hidden(self.client.get(admin_url(ReplyRevision, "change", revision.pk)))

    def test_other_units_proposal_is_hidden(self):
        for view in ("change", "history"):
            with self.subTest(view=view):
                self.assert_hidden(self.client.get(admin_url(Proposal, view, self.other_proposal.pk)))

    def test_own_assignment_and_reply_open_read_only(self):
        response = self.client.get(admin_url(Assignment, "change", self.assignment.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])
        response = self.client.get(admin_url(Reply, "change", self.reply.pk))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="_save"')

    def test_handler_cannot_post_changes_to_own_reply(self):
        response = self.client.post(
            admin_url(Reply, "change", self.reply.pk), {"body": "改了", "status": ReplyStatus.SENT}
        )
        self.assertEqual(response.status_code, 403)
        self.reply.refresh_from_db()
        self.assertEqual((self.reply.body, self.reply.status), ("答复正文", ReplyStatus.DRAFT))

    def autocomplete(self, model_name: str, field_name: str, term: str = "") -> list[dict]:
        response = self.client.get(
            reverse("admin:autocomplete"),
            {"app_label": "responses", "model_name": model_name, "field_name": field_name, "term": term},
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(OTHER_TITLE, response.content.decode())
        return json.loads(response.content)["results"]

    def test_proposal_autocomplete_offers_only_assigned_proposals(self):
        self.assertEqual([r["id"] for r in self.autocomplete("assignment", "proposal")], [str(self.proposal.pk)])
        self.assertEqual(self.autocomplete("assignment", "proposal", "心理健康"), [])
        self.assertEqual(self.autocomplete("assignment", "proposal", "2023161"), [])

    def test_assignment_autocomplete_offers_only_own_units_assignments(self):
        self.assertEqual([r["id"] for r in self.autocomplete("contact", "assignment")], [str(self.assignment.pk)])
        self.assertEqual(self.autocomplete("contact", "assignment", "心理"), [])

    def test_handler_records_a_contact_on_own_assignment(self):
        response = self.client.post(
            admin_url(Contact, "add"),
            {
                "assignment": self.assignment.pk,
                "contacted_on": "2023-05-08",
                "method": ContactMethod.MEETING,
                "participants": "刘经办、陈澄",
                "notes": "面谈产业体系建设建议",
            },
        )
        self.assertEqual(response.status_code, 302)
        contact = Contact.objects.get(assignment=self.assignment)
        self.assertEqual(contact.recorded_by, self.handler)
        event = Event.objects.get(verb=EventVerb.CONTACT_LOGGED)
        self.assertEqual((event.proposal, event.actor, event.object_id), (self.proposal, self.handler, contact.pk))

    def test_contact_before_accepting_the_assignment_is_refused_on_the_form(self):
        Assignment.objects.filter(pk=self.assignment.pk).update(status=AssignmentStatus.PENDING)
        response = self.client.post(
            admin_url(Contact, "add"),
            {
                "assignment": self.assignment.pk,
                "contacted_on": "2023-05-08",
                "method": ContactMethod.PHONE,
                "participants": "刘经办",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.non_field_errors())
        self.assertFalse(Contact.objects.filter(assignment=self.assignment).exists())
        self.assertFalse(Event.objects.filter(verb=EventVerb.CONTACT_LOGGED).exists())

    def test_handler_cannot_record_a_contact_on_another_units_assignment(self):
        response = self.client.post(
            admin_url(Contact, "add"),
            {
                "assignment": self.other_assignment.pk,
                "contacted_on": "2023-05-08",
                "method": ContactMethod.MEETING,
                "participants": "刘经办",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("assignment", response.context["adminform"].form.errors)
        self.assertFalse(Contact.objects.filter(recorded_by=self.handler).exists())

    def test_handler_cannot_change_a_contact(self):
        contact = Contact.objects.create(
            assignment=self.assignment,
            contacted_on=dt.date(2023, 5, 6),
            method=ContactMethod.PHONE,
            participants="刘经办",
            recorded_by=self.handler,
        )
        response = self.client.post(admin_url(Contact, "change", contact.pk), {"participants": "改"})
        self.assertEqual(response.status_code, 403)

    def test_committee_and_leader_see_every_units_assignments(self):
        for user in (self.committee, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(admin_url(Assignment))
                self.assertEqual(set(response.context["cl"].result_list), {self.assignment, self.other_assignment})

    def test_committee_cannot_add_contacts_or_edit_assignments(self):
        self.client.force_login(self.committee)
        self.assertEqual(self.client.get(admin_url(Contact, "add")).status_code, 403)
        self.assertEqual(self.client.get(admin_url(Assignment, "add")).status_code, 403)
        response = self.client.post(admin_url(Assignment, "change", self.assignment.pk), {"status": "replied"})
        self.assertEqual(response.status_code, 403)


class ReadOnlyRecordsTests(PersonaTestCase):
    """Reply revisions and reminders are records: nobody edits them, superusers included."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        proposal = make_proposal(cls.chencheng, cls.session, status=ProposalStatus.ASSIGNED, number="2023160")
        assignment = make_assignment(proposal, cls.unit, cls.committee)
        reply = make_reply(assignment, cls.handler)
        cls.revision = ReplyRevision.objects.create(reply=reply, version=1, editor=cls.handler, changes={})
        cls.reminder = Reminder.objects.create(
            kind=ReminderKind.REPLY_DUE,
            stage="d7",
            target_type="assignment",
            target_id=assignment.pk,
            proposal=proposal,
            assignment=assignment,
        )

    def test_superuser_cannot_add_change_or_delete_records(self):
        self.client.force_login(self.root)
        for obj in (self.revision, self.reminder):
            model = type(obj)
            with self.subTest(model=model.__name__):
                self.assertEqual(self.client.get(admin_url(model)).status_code, 200)
                self.assertEqual(self.client.get(admin_url(model, "add")).status_code, 403)
                self.assertEqual(self.client.get(admin_url(model, "delete", obj.pk)).status_code, 403)
                response = self.client.get(admin_url(model, "change", obj.pk))
                self.assertEqual(response.status_code, 200)
                self.assertFalse(response.context["has_change_permission"])
                self.assertEqual(self.client.post(admin_url(model, "change", obj.pk), {"stage": "x"}).status_code, 403)
        self.reminder.refresh_from_db()
        self.assertEqual(self.reminder.stage, "d7")


class HandlingListQueryTests(PersonaTestCase):
    """Every handling list runs the same number of queries for one row as for many."""

    serial = 0

    def build(self, n: int) -> None:
        for _ in range(n):
            self.serial += 1
            lead = self.chencheng if self.serial % 2 else self.wangfang
            proposal = make_proposal(
                lead,
                self.session,
                title=f"建议{self.serial}",
                status=ProposalStatus.ASSIGNED,
                number=f"2023{self.serial:03d}",
            )
            assignment = make_assignment(proposal, self.unit, self.committee, status=AssignmentStatus.HANDLING)
            reply = make_reply(assignment, self.handler, status=ReplyStatus.SENT, category=self.reply_categories["A"])
            ReplyRevision.objects.create(reply=reply, version=1, editor=self.handler, changes={})
            Feedback.objects.create(
                reply=reply, user=lead, attitude=Satisfaction.SATISFIED, result=Satisfaction.BASICALLY
            )
            Contact.objects.create(
                assignment=assignment,
                contacted_on=dt.date(2023, 5, 6),
                method=ContactMethod.PHONE,
                participants="刘经办",
                recorded_by=self.handler,
            )
            Opinion.objects.create(assignment=assignment, body="会办意见", author=self.handler)
            ReturnRequest.objects.create(
                assignment=assignment,
                reason="不属于本单位职责",
                requested_by=self.handler,
                status=RequestStatus.REFUSED,
            )
            ExtensionRequest.objects.create(
                assignment=assignment, reason="需要调研", requested_until=dt.date(2023, 9, 1), requested_by=self.handler
            )
            Reminder.objects.create(
                kind=ReminderKind.REPLY_DUE,
                stage="d7",
                target_type="assignment",
                target_id=assignment.pk,
                proposal=proposal,
                assignment=assignment,
            )
            Event.objects.create(proposal=proposal, actor=self.committee, verb=EventVerb.ASSIGNED)

    def count_queries(self, user: User, url: str) -> int:
        self.client.force_login(user)
        self.client.get(url)  # warm caches (content types, session) before counting
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_list_queries_do_not_grow_with_rows(self):
        handling = [
            Proposal,
            Assignment,
            Opinion,
            Contact,
            Reply,
            ReplyRevision,
            Feedback,
            ReturnRequest,
            ExtensionRequest,
        ]
        cases = [(self.handler, m) for m in handling] + [(self.committee, m) for m in (*handling, Reminder, Event)]
        self.build(1)
        small = {(user, model): self.count_queries(user, admin_url(model)) for user, model in cases}
        self.build(6)
        for (user, model), count in small.items():
            with self.subTest(user=user.username, model=model.__name__):
                self.assertEqual(self.count_queries(user, admin_url(model)), count)
