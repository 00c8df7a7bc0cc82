"""Who gets into which admin page, the user admin, and the per-role admin home."""

from __future__ import annotations

import datetime as dt
import re

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import MemberProfile, Unit, User
from proposals.choices import ProposalStatus
from proposals.models import Category, Event, Notification, Proposal, Session, SupervisionNote
from responses.choices import AssignmentStatus, ReplyStatus, RequestStatus
from responses.models import (
    Assignment,
    Contact,
    Countersign,
    ExtensionRequest,
    Feedback,
    Holiday,
    Opinion,
    Reminder,
    Reply,
    ReplyCategory,
    ReplyRevision,
    ReturnRequest,
)
from tests.base import PASSWORD, PersonaTestCase, make_proposal
from tests.responses.test_admin import admin_url, make_assignment, make_reply

ADMIN_MODELS = [
    User,
    Unit,
    MemberProfile,
    Session,
    Category,
    Proposal,
    SupervisionNote,
    Event,
    Notification,
    Holiday,
    ReplyCategory,
    Assignment,
    Opinion,
    Contact,
    Reply,
    ReplyRevision,
    Feedback,
    ReturnRequest,
    ExtensionRequest,
    Reminder,
    Countersign,
]
REFERENCE = {User, Unit, MemberProfile, Session, Category, Holiday, ReplyCategory}
OVERSIGHT_ONLY = {SupervisionNote, Event, Notification, Reminder}
UNIT_VISIBLE = {
    Proposal,
    Assignment,
    Opinion,
    Contact,
    Reply,
    ReplyRevision,
    Feedback,
    ReturnRequest,
    ExtensionRequest,
    Countersign,
}


def expected_changelist_status(role: str, model) -> int:
    if role in (Role.COMMITTEE, Role.LEADER):
        return 200
    return 200 if model in UNIT_VISIBLE else 403


def expected_add_status(role: str, model) -> int:
    if role == Role.COMMITTEE:
        return 200 if model in REFERENCE | {Proposal, SupervisionNote} else 403
    if role == Role.LEADER:
        return 200 if model is SupervisionNote else 403
    return 200 if model is Contact else 403


class AdminAccessTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", PASSWORD)

    def test_every_model_is_registered_with_unfold(self):
        from unfold.admin import ModelAdmin

        for model in ADMIN_MODELS:
            with self.subTest(model=model.__name__):
                self.assertIsInstance(admin.site.get_model_admin(model), ModelAdmin)
        self.assertFalse(admin.site.is_registered(Group))

    def test_no_model_of_the_project_is_left_unregistered(self):
        from proposals.models import Attachment, Proposer

        inlines = {Attachment, Proposer}
        for app_label in ("accounts", "proposals", "responses"):
            for model in apps.get_app_config(app_label).get_models():
                with self.subTest(model=model.__name__):
                    self.assertTrue(admin.site.is_registered(model) or model in inlines)

    def test_changelists_answer_by_role(self):
        staff = (self.committee, self.leader, self.handler, self.unitlead)
        for user in staff:
            self.client.force_login(user)
            for model in ADMIN_MODELS:
                with self.subTest(role=user.role, model=model.__name__):
                    response = self.client.get(admin_url(model))
                    self.assertEqual(response.status_code, expected_changelist_status(user.role, model))

    def test_add_pages_answer_by_role(self):
        for user in (self.committee, self.leader, self.handler):
            self.client.force_login(user)
            for model in ADMIN_MODELS:
                with self.subTest(role=user.role, model=model.__name__):
                    response = self.client.get(admin_url(model, "add"))
                    self.assertEqual(response.status_code, expected_add_status(user.role, model))

    def test_superuser_sees_every_changelist(self):
        self.client.force_login(self.root)
        for model in ADMIN_MODELS:
            with self.subTest(model=model.__name__):
                self.assertEqual(self.client.get(admin_url(model)).status_code, 200)

    def test_members_are_sent_to_the_admin_login(self):
        self.assertFalse(self.chencheng.is_staff)
        self.client.force_login(self.chencheng)
        login = reverse("admin:login")
        for url in [reverse("admin:index"), *(admin_url(model) for model in ADMIN_MODELS)]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(login), response["Location"])

    def test_anonymous_visitors_are_sent_to_the_admin_login(self):
        response = self.client.get(admin_url(Proposal))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("admin:login")))

    def test_sidebar_and_index_list_only_what_the_role_may_see(self):
        self.client.force_login(self.handler)
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, admin_url(Assignment))
        self.assertNotContains(response, admin_url(Session))
        self.assertNotContains(response, admin_url(User))

    def test_leader_views_but_cannot_change_reference_data(self):
        self.client.force_login(self.leader)
        response = self.client.get(admin_url(Unit, "change", self.unit.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])
        response = self.client.post(admin_url(Unit, "change", self.unit.pk), {"name": "改名"})
        self.assertEqual(response.status_code, 403)
        self.unit.refresh_from_db()
        self.assertEqual(self.unit.name, "深圳市福田区工业和信息化局")

    def test_committee_manages_units(self):
        self.client.force_login(self.committee)
        response = self.client.post(
            admin_url(Unit, "add"), {"name": "深圳市福田区卫生健康局", "short_name": "区卫健局", "is_active": "on"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Unit.objects.filter(short_name="区卫健局").exists())


READ_ONLY = {Event, Notification, ReplyRevision, Reminder}


class EveryPageRendersTests(PersonaTestCase):
    """With one row of every model, each role opens every admin page it may, and is refused the rest."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        proposal = make_proposal(
            cls.chencheng, cls.session, status=ProposalStatus.ASSIGNED, number="2023160", cosigners=[cls.wangfang]
        )
        assignment = make_assignment(proposal, cls.unit, cls.committee)
        reply = make_reply(assignment, cls.handler, status=ReplyStatus.SENT, category=cls.reply_categories["A"])
        for user in (cls.root, cls.committee, cls.leader, cls.handler, cls.unitlead):
            Notification.objects.create(user=user, proposal=proposal, title="提案已交办")
        cls.objects = {
            User: cls.handler,
            Unit: cls.unit,
            MemberProfile: cls.chencheng.member_profile,
            Session: cls.session,
            Category: cls.category,
            Proposal: proposal,
            SupervisionNote: SupervisionNote.objects.create(proposal=proposal, author=cls.leader, body="请加快办理"),
            Event: Event.objects.create(proposal=proposal, actor=cls.committee, verb="assigned", to_status="assigned"),
            Holiday: Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦"),
            ReplyCategory: cls.reply_categories["B"],
            Assignment: assignment,
            Opinion: Opinion.objects.create(assignment=assignment, body="会办意见", author=cls.handler),
            Contact: Contact.objects.create(
                assignment=assignment,
                contacted_on=dt.date(2023, 5, 6),
                method="meeting",
                participants="刘经办、陈澄",
                recorded_by=cls.handler,
            ),
            Reply: reply,
            ReplyRevision: ReplyRevision.objects.create(
                reply=reply, version=1, editor=cls.handler, changes={"body": ["", "答复"]}
            ),
            Feedback: Feedback.objects.create(
                reply=reply, user=cls.chencheng, attitude="satisfied", result="basically"
            ),
            ReturnRequest: ReturnRequest.objects.create(
                assignment=assignment, reason="职责不符", requested_by=cls.handler
            ),
            ExtensionRequest: ExtensionRequest.objects.create(
                assignment=assignment, reason="需要调研", requested_until=dt.date(2023, 9, 1), requested_by=cls.handler
            ),
            Reminder: Reminder.objects.create(
                kind="reply_due",
                stage="d7",
                target_type="assignment",
                target_id=assignment.pk,
                proposal=proposal,
                assignment=assignment,
            ),
            Countersign: Countersign.objects.create(
                reply=reply,
                assignment=make_assignment(proposal, cls.unit, cls.committee, role="cohandling", round=2),
                version=1,
                requested_by=cls.handler,
            ),
        }

    def obj_for(self, user, model):
        if model is Notification:
            return Notification.objects.get(user=user)
        return self.objects[model]

    def test_superuser_opens_every_page_except_edits_of_records(self):
        self.client.force_login(self.root)
        for model in ADMIN_MODELS:
            pk = self.obj_for(self.root, model).pk
            editable = model not in READ_ONLY
            expected = {
                admin_url(model): 200,
                admin_url(model, "add"): 200 if editable else 403,
                admin_url(model, "change", pk): 200,
                admin_url(model, "history", pk): 200,
                admin_url(model, "delete", pk): 200 if editable else 403,
            }
            for url, status in expected.items():
                with self.subTest(url=url):
                    self.assertEqual(self.client.get(url).status_code, status)

    def test_staff_open_the_object_pages_their_role_allows(self):
        for user in (self.committee, self.leader, self.handler, self.unitlead):
            self.client.force_login(user)
            for model in ADMIN_MODELS:
                pk = self.obj_for(user, model).pk
                visible = expected_changelist_status(user.role, model)
                for view in ("change", "history"):
                    with self.subTest(role=user.role, model=model.__name__, view=view):
                        self.assertEqual(self.client.get(admin_url(model, view, pk)).status_code, visible)
                with self.subTest(role=user.role, model=model.__name__, view="delete"):
                    deletable = user.role == Role.COMMITTEE and model in REFERENCE | {SupervisionNote}
                    self.assertEqual(
                        self.client.get(admin_url(model, "delete", pk)).status_code, 200 if deletable else 403
                    )


class UserAdminTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", PASSWORD)

    def setUp(self) -> None:
        self.client.force_login(self.committee)

    def test_list_shows_full_name_role_and_unit(self):
        response = self.client.get(admin_url(User), {"role__exact": Role.UNIT_HANDLER}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(set(response.context["cl"].result_list), {self.handler, self.other_handler})
        self.assertContains(response, "刘经办")
        self.assertContains(response, "Unit handler")
        self.assertContains(response, self.unit.name)

    def test_committee_creates_a_unit_handler(self):
        response = self.client.post(
            admin_url(User, "add"),
            {
                "username": "newhandler",
                "full_name": "钱经办",
                "role": Role.UNIT_HANDLER,
                "unit": self.unit.pk,
                "email": "newhandler@example.org",
                "usable_password": "true",
                "password1": "a-long-pass-98765",
                "password2": "a-long-pass-98765",
            },
        )
        self.assertEqual(response.status_code, 302, response.context and response.context["adminform"].form.errors)
        user = User.objects.get(username="newhandler")
        self.assertEqual((user.full_name, user.role, user.unit), ("钱经办", Role.UNIT_HANDLER, self.unit))
        self.assertTrue(user.is_staff)
        self.assertFalse(user.is_superuser)

    def test_unit_staff_without_a_unit_is_refused(self):
        response = self.client.post(
            admin_url(User, "add"),
            {
                "username": "nounit",
                "full_name": "无单位",
                "role": Role.UNIT_HANDLER,
                "usable_password": "true",
                "password1": "a-long-pass-98765",
                "password2": "a-long-pass-98765",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.filter(username="nounit").exists())

    def test_change_page_shows_the_member_profile_inline(self):
        response = self.client.get(admin_url(User, "change", self.chencheng.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.chencheng.member_profile.member_number)

    def test_committee_cannot_make_a_superuser(self):
        response = self.client.get(admin_url(User, "change", self.handler.pk))
        self.assertNotContains(response, 'name="is_superuser"')
        data = {
            "username": "handler",
            "full_name": "刘经办",
            "email": "handler@example.org",
            "role": Role.UNIT_HANDLER,
            "unit": self.unit.pk,
            "is_active": "on",
            "is_superuser": "on",
        }
        response = self.client.post(admin_url(User, "change", self.handler.pk), data)
        self.assertEqual(response.status_code, 302)
        self.handler.refresh_from_db()
        self.assertFalse(self.handler.is_superuser)

    def test_committee_cannot_touch_a_superuser_account(self):
        response = self.client.get(admin_url(User, "change", self.root.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])
        self.assertEqual(
            self.client.get(reverse("admin:auth_user_password_change", args=[self.root.pk])).status_code, 403
        )
        self.assertEqual(self.client.get(admin_url(User, "delete", self.root.pk)).status_code, 403)

    def test_committee_changes_a_users_password(self):
        url = reverse("admin:auth_user_password_change", args=[self.handler.pk])
        response = self.client.post(url, {"password1": "another-pass-24680", "password2": "another-pass-24680"})
        self.assertEqual(response.status_code, 302)
        self.handler.refresh_from_db()
        self.assertTrue(self.handler.check_password("another-pass-24680"))

    def test_leader_reads_users_but_cannot_add(self):
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(admin_url(User)).status_code, 200)
        self.assertEqual(self.client.get(admin_url(User, "add")).status_code, 403)
        self.assertEqual(
            self.client.post(admin_url(User, "change", self.handler.pk), {"username": "x"}).status_code, 403
        )


def tile(response, key: str) -> int:
    match = re.search(rf'data-tile="{key}">\s*(\d+)\s*<', response.content.decode())
    assert match, f"no tile {key}"
    return int(match.group(1))


class AdminHomeTests(PersonaTestCase):
    """Each staff role's admin home shows its own counts."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        today = timezone.localdate()
        statuses = [ProposalStatus.SUBMITTED] * 3 + [ProposalStatus.ACCEPTED] * 2 + [ProposalStatus.DRAFT]
        for i, status in enumerate(statuses):
            make_proposal(cls.chencheng, cls.session, title=f"建议{i}", status=status)
        # Our unit: one awaiting acceptance, two being handled (one of them overdue), one
        # overdue awaiting a return decision; one reply awaiting sign-off.
        # The other unit's rows must not count for our unit.
        rows = [
            (cls.unit, AssignmentStatus.PENDING, 30),
            (cls.unit, AssignmentStatus.HANDLING, 30),
            (cls.unit, AssignmentStatus.HANDLING, -3),
            (cls.unit, AssignmentStatus.RETURN_REQUESTED, -1),
            (cls.unit, AssignmentStatus.REPLIED, -10),
            (cls.other_unit, AssignmentStatus.HANDLING, -5),
            (cls.other_unit, AssignmentStatus.PENDING, 10),
        ]
        assignments = []
        for i, (unit, status, days) in enumerate(rows):
            proposal = make_proposal(
                cls.wangfang, cls.session, title=f"交办{i}", status=ProposalStatus.ASSIGNED, number=f"2023{i:03d}"
            )
            assignments.append(
                make_assignment(proposal, unit, cls.committee, status=status, reply_due=today + dt.timedelta(days=days))
            )
        make_reply(assignments[1], cls.handler, status=ReplyStatus.AWAITING_SIGNOFF)
        make_reply(assignments[4], cls.handler, status=ReplyStatus.SENT)
        make_reply(assignments[5], cls.other_handler, status=ReplyStatus.AWAITING_SIGNOFF)
        ReturnRequest.objects.create(assignment=assignments[3], reason="职责不符", requested_by=cls.handler)
        ReturnRequest.objects.create(
            assignment=assignments[5], reason="职责不符", requested_by=cls.other_handler, status=RequestStatus.REFUSED
        )
        ExtensionRequest.objects.create(
            assignment=assignments[2],
            reason="需要调研",
            requested_until=today + dt.timedelta(days=30),
            requested_by=cls.handler,
        )

    def home(self, user):
        self.client.force_login(user)
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 200)
        return response

    def test_committee_home_counts_what_waits_for_the_committee(self):
        response = self.home(self.committee)
        self.assertEqual(tile(response, "awaiting_review"), 3)
        self.assertEqual(tile(response, "awaiting_assignment"), 2)
        self.assertEqual(tile(response, "return_requests"), 1)
        self.assertEqual(tile(response, "extension_requests"), 1)
        self.assertNotContains(response, 'data-tile="pending_acceptance"')

    def test_unit_home_counts_the_units_own_work(self):
        for user in (self.handler, self.unitlead):
            with self.subTest(role=user.role):
                response = self.home(user)
                self.assertEqual(tile(response, "pending_acceptance"), 1)
                self.assertEqual(tile(response, "being_handled"), 2)
                self.assertEqual(tile(response, "overdue"), 2)
                self.assertEqual(tile(response, "awaiting_signoff"), 1)
                self.assertNotContains(response, 'data-tile="awaiting_review"')

    def test_other_units_home_counts_its_own(self):
        response = self.home(self.other_handler)
        self.assertEqual(tile(response, "pending_acceptance"), 1)
        self.assertEqual(tile(response, "overdue"), 1)
        self.assertEqual(tile(response, "awaiting_signoff"), 1)

    def test_leader_home_counts_proposals_by_status(self):
        response = self.home(self.leader)
        self.assertEqual(tile(response, "status_submitted"), 3)
        self.assertEqual(tile(response, "status_accepted"), 2)
        # The draft is its member's alone until submitted: no tile, no count.
        self.assertNotIn('data-tile="status_draft"', response.content.decode())
        self.assertEqual(tile(response, "status_assigned"), 7)
        self.assertEqual(tile(response, "status_closed"), 0)

    def test_superuser_home_shows_committee_and_status_counts(self):
        response = self.home(self.root)
        self.assertEqual(tile(response, "awaiting_review"), 3)
        self.assertEqual(tile(response, "status_assigned"), 7)

    def test_tiles_link_to_filtered_lists(self):
        response = self.home(self.handler)
        self.assertContains(response, f"{admin_url(Assignment)}?overdue=yes")
        overdue = self.client.get(f"{admin_url(Assignment)}?overdue=yes")
        self.assertEqual(len(overdue.context["cl"].result_list), 2)

    def test_admin_home_runs_a_fixed_number_of_queries(self):
        for user in (self.committee, self.handler, self.leader):
            with self.subTest(role=user.role):
                before = self.count_queries(user)
                proposal = make_proposal(self.lihua, self.session, title="再来一件", status=ProposalStatus.SUBMITTED)
                make_assignment(proposal, self.unit, self.committee, status=AssignmentStatus.PENDING)
                self.assertEqual(self.count_queries(user), before)

    def count_queries(self, user) -> int:
        self.client.force_login(user)
        self.client.get(reverse("admin:index"))  # warm caches before counting
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("admin:index"))
        return len(queries)
