"""manage.py seed_demo: the 福田区 demo data, safe to run twice, never on a production database by accident."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from proposals.choices import EventVerb, ProposalStatus, ProposerStatus
from proposals.models import Event, Notification, Proposal, Session
from responses import worklist
from responses.choices import AssignmentRole, AssignmentStatus, ReplyStatus, RequestStatus, Satisfaction
from responses.demo.texts import letter_body
from responses.models import Assignment, ExtensionRequest, Feedback, Reply, ReturnRequest
from tests.base import PersonaTestCase

IN_MEMORY_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEMO_PASSWORD = "demo-test-password"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("accounts", "proposals", "responses")
        for model in apps.get_app_config(app).get_models()
    }


@override_settings(STORAGES=IN_MEMORY_STORAGE, DEMO_PASSWORD=DEMO_PASSWORD)
class SeededTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = StringIO()
        # Class-level data is built before the per-test fast-hasher fixture applies: use the same hasher here.
        with override_settings(STORAGES=IN_MEMORY_STORAGE, DEMO_PASSWORD=DEMO_PASSWORD, PASSWORD_HASHERS=FAST_HASHER):
            call_command("seed_demo", "--force", stdout=cls.output)
        cls.today = timezone.localdate()
        cls.current = Session.objects.get(term=6, meeting=6)


class GuardTests(TestCase):
    def test_it_refuses_to_run_with_debug_off_without_force(self):
        # Tests run with DEBUG off, like production.
        with self.assertRaisesMessage(CommandError, "--force"):
            call_command("seed_demo", stdout=StringIO())
        self.assertFalse(Session.objects.exists())
        self.assertFalse(User.objects.exists())

    @override_settings(STORAGES=IN_MEMORY_STORAGE, PASSWORD_HASHERS=FAST_HASHER)
    def test_force_overrides_the_refusal(self):
        call_command("seed_demo", "--force", stdout=StringIO())
        self.assertTrue(Proposal.objects.filter(number="2023160").exists())

    @override_settings(STORAGES=IN_MEMORY_STORAGE, PASSWORD_HASHERS=FAST_HASHER, DEBUG=True)
    def test_it_runs_without_force_when_debug_is_on(self):
        call_command("seed_demo", verbosity=0)
        self.assertTrue(Session.objects.filter(is_current=True, name="六届六次会议").exists())


class ReferenceDataTests(SeededTestCase):
    def test_it_creates_both_sessions_with_the_newer_one_current(self):
        old = Session.objects.get(term=6, meeting=3)
        self.assertEqual(
            (old.name, old.full_name, old.year), ("六届三次会议", "深圳市福田区政协第六届第三次会议", 2023)
        )
        self.assertEqual(
            (self.current.name, self.current.full_name, self.current.year),
            ("六届六次会议", "深圳市福田区政协第六届第六次会议", 2026),
        )
        self.assertEqual(Session.current(), self.current)
        self.assertGreater(old.next_serial, 160)
        self.assertEqual(old.reply_months, 3)

    def test_it_creates_the_categories_reply_categories_and_units(self):
        from proposals.models import Category
        from responses.models import ReplyCategory

        self.assertEqual(Category.objects.count(), 8)
        self.assertEqual(list(ReplyCategory.objects.values_list("code", flat=True)), ["A", "B", "C", "D"])
        self.assertTrue(ReplyCategory.objects.get(code="B").requires_commitment)
        self.assertEqual(ReplyCategory.objects.get(code="D").name, "留作参考")
        from accounts.models import Unit

        self.assertEqual(Unit.objects.count(), 10)
        self.assertTrue(Unit.objects.filter(name="深圳市交通运输局福田管理局").exists())

    def test_every_demo_user_signs_in_with_the_demo_password(self):
        expected = {
            "chencheng": Role.MEMBER,
            "wangfang": Role.MEMBER,
            "committee": Role.COMMITTEE,
            "handler": Role.UNIT_HANDLER,
            "unitlead": Role.UNIT_LEADER,
            "leader": Role.LEADER,
        }
        for username, role in expected.items():
            with self.subTest(username=username):
                user = User.objects.get(username=username)
                self.assertEqual(user.role, role)
                self.assertTrue(user.check_password(DEMO_PASSWORD))
                self.assertEqual(user.email, f"{username}@example.org")
        chencheng = User.objects.get(username="chencheng")
        self.assertEqual(chencheng.full_name, "陈澄")
        self.assertEqual(chencheng.member_profile.sector, "经济界")
        handler = User.objects.get(username="handler")
        self.assertEqual(handler.unit.name, "深圳市福田区工业和信息化局")
        self.assertEqual(User.objects.get(username="unitlead").unit, handler.unit)
        self.assertTrue(User.objects.filter(role=Role.UNIT_HANDLER).exclude(unit=handler.unit).exists())
        self.assertGreaterEqual(User.objects.filter(role=Role.MEMBER).count(), 5)

    def test_it_says_what_it_created(self):
        output = self.output.getvalue()
        self.assertIn("session 六届六次会议", output)
        self.assertIn("user chencheng", output)
        self.assertIn("关于福田区构建具有竞争力的现代化产业体系的建议", output)
        # The real password, not the name of the setting; `make run` leaves the line out and prints it once.
        self.assertIn(f"(password: {DEMO_PASSWORD})", output)
        self.assertNotIn("settings.DEMO_PASSWORD", output)


class ReferenceCaseTests(SeededTestCase):
    def test_proposal_2023160_is_the_real_case(self):
        proposal = Proposal.objects.get(number="2023160")
        self.assertEqual(proposal.session.name, "六届三次会议")
        self.assertEqual(proposal.serial, 160)
        self.assertEqual(proposal.title, "关于福田区构建具有竞争力的现代化产业体系的建议")
        self.assertEqual(proposal.lead_proposer.user.username, "chencheng")
        self.assertEqual(proposal.status, ProposalStatus.CLOSED)
        self.assertTrue(proposal.is_published and proposal.publication_consent)
        self.assertIn(proposal, Proposal.objects.published())
        self.assertIn("时尚产业", proposal.background)
        self.assertIn("河套深港科技创新合作区", proposal.suggestions)
        self.assertEqual(proposal.attachments.count(), 1)

    def test_its_reply_is_the_letter_from_the_separate_unit(self):
        assignment = Assignment.objects.get(proposal__number="2023160")
        self.assertEqual(assignment.role, AssignmentRole.SEPARATE)
        self.assertEqual(assignment.unit.name, "深圳市福田区工业和信息化局")
        self.assertEqual(assignment.status, AssignmentStatus.REPLIED)
        self.assertTrue(assignment.contacts.exists())
        reply = assignment.replies.get(is_followup=False)
        self.assertEqual(reply.status, ReplyStatus.SENT)
        self.assertEqual(reply.category.code, "B")
        self.assertIsNotNone(reply.commitment_date)
        self.assertEqual(reply.letter_number, "福工信函〔2023〕160号")
        self.assertEqual(reply.sent_at.year, 2023)
        self.assertEqual(reply.signer.username, "unitlead")
        self.assertTrue(reply.contact_person and reply.contact_phone)
        self.assertEqual(reply.body, letter_body())
        self.assertTrue(reply.body.startswith("你在深圳市福田区政协六届三次会议中的提案"))
        self.assertTrue(reply.body.endswith("构建国际时尚媒体集聚区。"))
        self.assertNotIn("特此回复", reply.body)
        self.assertNotIn("尊敬的", reply.body)
        feedback = reply.feedback.get()
        self.assertEqual(
            (feedback.user.username, feedback.attitude, feedback.result),
            ("chencheng", Satisfaction.SATISFIED, Satisfaction.SATISFIED),
        )

    def test_its_follow_up_reply_was_sent_before_the_commitment_date(self):
        """The letter (category B) promised a report by its commitment date; the bureau sent it in time,
        so the unit's worklist shows the case as finished, not years overdue."""
        assignment = Assignment.objects.get(proposal__number="2023160")
        reply = assignment.replies.get(is_followup=False)
        followup = assignment.replies.get(is_followup=True)
        self.assertEqual(followup.status, ReplyStatus.SENT)
        self.assertLessEqual(timezone.localdate(followup.sent_at), reply.commitment_date)
        self.assertGreater(followup.sent_at, reply.sent_at)
        self.assertIn("跟踪", followup.body)
        handler = User.objects.get(username="handler")
        rows = [
            row for group in worklist.build(Assignment.objects.visible_to(handler), user=handler) for row in group.rows
        ]
        case = next(row for row in rows if row.assignment.pk == assignment.pk)
        self.assertEqual(case.stage, "done")

    def test_its_timeline_has_an_event_for_each_step(self):
        verbs = list(Proposal.objects.get(number="2023160").events.values_list("verb", flat=True))
        for verb in (
            "created",
            "submitted",
            "accepted",
            "assigned",
            "assignment_accepted",
            "contact_logged",
            "reply_submitted",
            "reply_signed",
            "reply_sent",
            "feedback_given",
            "closed",
            "published",
        ):
            self.assertIn(verb, verbs)


class CurrentSessionTests(SeededTestCase):
    def test_every_proposal_status_occurs_in_the_current_session(self):
        statuses = set(Proposal.objects.filter(session=self.current).values_list("status", flat=True))
        self.assertEqual(statuses, set(ProposalStatus.values))

    def test_the_handlers_unit_has_pending_overdue_soon_due_and_co_handling_work(self):
        unit = User.objects.get(username="handler").unit
        mine = Assignment.objects.filter(unit=unit, proposal__session=self.current)
        self.assertTrue(mine.filter(status=AssignmentStatus.PENDING).exists())
        self.assertTrue(mine.filter(status=AssignmentStatus.HANDLING, reply_due__lt=self.today).exists())
        self.assertTrue(
            mine.filter(
                status=AssignmentStatus.HANDLING,
                reply_due__gte=self.today,
                reply_due__lte=self.today + dt.timedelta(days=7),
            ).exists()
        )
        lead = mine.get(proposal__title="关于培育福田区低空经济应用场景的建议")
        co = Assignment.objects.get(proposal=lead.proposal, role=AssignmentRole.COHANDLING)
        self.assertEqual(lead.role, AssignmentRole.LEAD)
        self.assertEqual(co.status, AssignmentStatus.OPINION_SENT)
        self.assertTrue(co.opinion.body)
        self.assertIsNotNone(co.opinion_due)

    def test_due_dates_come_from_the_deadline_rules(self):
        from responses.deadlines import WorkCalendar, assignment_deadlines

        for assignment in Assignment.objects.all():
            expected = assignment_deadlines(
                assignment.proposal.session,
                timezone.localtime(assignment.assigned_at).date(),
                with_opinion=assignment.role == AssignmentRole.COHANDLING,
                cal=WorkCalendar.load(),
            )
            extension = assignment.extension_requests.filter(status=RequestStatus.APPROVED).first()
            with self.subTest(proposal=assignment.proposal.title, round=assignment.round):
                self.assertEqual(assignment.original_reply_due, expected["reply_due"])
                self.assertEqual(assignment.reply_cap, expected["reply_cap"])
                self.assertEqual(assignment.return_window_ends, expected["return_window_ends"])
                self.assertEqual(assignment.opinion_due, expected["opinion_due"])
                if extension is None:
                    self.assertEqual(assignment.reply_due, expected["reply_due"])
                    self.assertEqual(assignment.reply_due_note, expected["reply_due_note"])
                else:
                    # Moved by the committee's decision, dated on the demo's day of approval.
                    self.assertEqual(assignment.reply_due, extension.approved_until)
                    self.assertIn(
                        timezone.localtime(extension.decided_at).date().isoformat(), assignment.reply_due_note
                    )

    def test_replies_in_each_stage_exist(self):
        self.assertTrue(Reply.objects.filter(status=ReplyStatus.AWAITING_SIGNOFF).exists())
        replied = Proposal.objects.get(session=self.current, status=ProposalStatus.REPLIED)
        reply = Reply.objects.get(assignment__proposal=replied)
        self.assertEqual(reply.status, ReplyStatus.SENT)
        self.assertFalse(reply.feedback.exists())
        closed = Proposal.objects.get(session=self.current, status=ProposalStatus.CLOSED)
        self.assertTrue(Reply.objects.get(assignment__proposal=closed).feedback.exists())

    def test_the_joint_proposal_has_one_invited_and_one_confirmed_co_signer(self):
        proposal = Proposal.objects.get(proposers__user__username="wangfang", proposers__status=ProposerStatus.INVITED)
        statuses = dict(proposal.proposers.filter(role="cosigner").values_list("user__username", "status"))
        self.assertEqual(statuses["wangfang"], ProposerStatus.INVITED)
        self.assertIn(ProposerStatus.CONFIRMED, statuses.values())

    def test_a_paper_proposal_was_entered_by_committee_staff_and_awaits_review(self):
        proposal = Proposal.objects.get(session=self.current, entered_by__isnull=False)
        self.assertEqual(proposal.status, ProposalStatus.SUBMITTED)
        self.assertEqual(proposal.entered_by.username, "committee")
        proposers = {p.user.username: p for p in proposal.proposers.select_related("user")}
        self.assertEqual(set(proposers), {"zhangwei", "liming", "huangli"})
        self.assertEqual(proposal.lead_proposer.user.username, "zhangwei")
        self.assertTrue(all(p.confirmed_on_paper and p.status == ProposerStatus.CONFIRMED for p in proposers.values()))
        scan = proposal.attachments.get()
        self.assertEqual((scan.original_name, scan.content_type), ("张伟委员提案（纸质）.pdf", "application/pdf"))
        event = proposal.events.get(verb=EventVerb.ENTERED_FROM_PAPER)
        self.assertEqual((event.actor.username, event.data["member"]), ("committee", "张伟"))
        for username in proposers:
            self.assertTrue(Notification.objects.filter(user__username=username, proposal=proposal).exists())

    def test_a_paper_rating_was_recorded_by_committee_staff_and_closed_its_proposal(self):
        rating = Feedback.objects.get(recorded_by__isnull=False)
        self.assertEqual((rating.user.username, rating.recorded_by.username), ("huangli", "committee"))
        self.assertEqual(rating.reply.assignment.proposal.status, ProposalStatus.CLOSED)
        self.assertEqual(
            (rating.paper_form_name, rating.paper_form_type), ("黄丽委员满意度测评表.pdf", "application/pdf")
        )
        self.assertTrue(rating.paper_form.name.endswith(".pdf"))
        event = Event.objects.get(verb=EventVerb.FEEDBACK_RECORDED)
        self.assertEqual(
            (event.actor.username, event.object_id, event.created_at), ("committee", rating.pk, rating.created_at)
        )

    def test_the_key_proposal_is_supervised_by_the_leader(self):
        key = Proposal.objects.get(session=self.current, is_key=True)
        self.assertEqual(key.supervisor.username, "leader")
        self.assertTrue(key.supervision_notes.exists())

    def test_merged_and_rejected_proposals_carry_their_reasons(self):
        merged = Proposal.objects.get(status=ProposalStatus.MERGED)
        self.assertIsNotNone(merged.merged_into)
        rejected = Proposal.objects.get(status=ProposalStatus.REJECTED)
        self.assertTrue(rejected.rejection_ground and rejected.rejection_reason)

    def test_chencheng_has_unread_and_read_notifications(self):
        mine = Notification.objects.filter(user__username="chencheng")
        self.assertTrue(mine.filter(read_at__isnull=True).exists())
        self.assertTrue(mine.filter(read_at__isnull=False).exists())

    def test_numbers_are_unique_and_the_next_serial_is_past_them(self):
        numbered = Proposal.objects.filter(session=self.current).exclude(number="")
        serials = list(numbered.values_list("serial", flat=True))
        self.assertEqual(len(serials), len(set(serials)))
        self.current.refresh_from_db()
        self.assertGreater(self.current.next_serial, max(serials))
        self.assertTrue(all(n.startswith("2026") for n in numbered.values_list("number", flat=True)))

    def test_the_demo_pages_render_for_each_role(self):
        for username in ("chencheng", "wangfang", "handler", "unitlead", "committee", "leader"):
            user = User.objects.get(username=username)
            self.client.force_login(user)
            with self.subTest(username=username):
                self.assertEqual(self.client.get("/").status_code, 200)
                self.assertEqual(self.client.get("/notifications/").status_code, 200)
                for proposal in Proposal.objects.visible_to(user):
                    self.assertEqual(self.client.get(f"/proposals/{proposal.pk}/").status_code, 200)
                if user.has_staff_role:
                    self.assertEqual(self.client.get("/dashboard/").status_code, 200)
        self.assertEqual(self.client.get("/public/").status_code, 200)


class WorkflowTests(SeededTestCase):
    """The demo is what the services make: statuses agree with the events that moved them."""

    def test_every_assignment_and_reply_status_occurs(self):
        self.assertEqual(set(Assignment.objects.values_list("status", flat=True)), set(AssignmentStatus.values))
        self.assertEqual(set(Reply.objects.values_list("status", flat=True)), set(ReplyStatus.values))

    def test_each_proposals_status_is_where_its_last_move_took_it(self):
        for proposal in Proposal.objects.all():
            moves = []
            for event in proposal.events.order_by("created_at", "pk"):
                if (event.data or {}).get("proposal_status"):
                    moves.append(event.data["proposal_status"][1])
                elif event.object_type == "proposal" and event.to_status:
                    moves.append(event.to_status)
            with self.subTest(proposal=proposal.title):
                # A paper proposal enters the system submitted (代提交); every other one starts as a draft.
                first = ProposalStatus.SUBMITTED if proposal.entered_on_paper else ProposalStatus.DRAFT
                self.assertEqual(moves[0], first)
                self.assertEqual(moves[-1], proposal.status)

    def test_each_assignments_status_is_where_its_last_move_took_it(self):
        for assignment in Assignment.objects.all():
            moves = Event.objects.filter(object_type="assignment", object_id=assignment.pk).exclude(to_status="")
            last = moves.order_by("created_at", "pk").values_list("to_status", flat=True).last()
            with self.subTest(proposal=assignment.proposal.title, unit=assignment.unit.name):
                if assignment.status == AssignmentStatus.REPLIED:
                    # The unit replied when it sent the letter, or, where the committee reviews replies
                    # (督办审核), when it handed the letter to the committee.
                    reply = assignment.replies.get(round=assignment.round, is_followup=False)
                    self.assertIn(reply.status, (ReplyStatus.SENT, ReplyStatus.IN_REVIEW))
                    verb = EventVerb.REPLY_TO_REVIEW if reply.to_review_at else EventVerb.REPLY_SENT
                    replied = Event.objects.filter(verb=verb, object_type="reply", object_id=reply.pk).latest("pk")
                    self.assertEqual(assignment.replied_at, replied.created_at)
                    self.assertEqual(last, AssignmentStatus.HANDLING)
                else:
                    self.assertEqual(last or AssignmentStatus.PENDING, assignment.status)

    def test_timelines_run_forward_in_the_past(self):
        now = timezone.now()
        for proposal in Proposal.objects.all():
            times = list(proposal.events.order_by("pk").values_list("created_at", flat=True))
            with self.subTest(proposal=proposal.title):
                self.assertEqual(times, sorted(times))
                self.assertLess(times[-1], now - dt.timedelta(hours=1))
                self.assertEqual(proposal.created_at, times[0])
                self.assertEqual(proposal.updated_at, times[-1])
        case = Proposal.objects.get(number="2023160")
        self.assertEqual({t.year for t in case.events.values_list("created_at", flat=True)}, {2023})
        self.assertEqual(case.attachments.get().uploaded_at, case.created_at)

    def test_dates_on_the_rows_are_the_dates_of_their_events(self):
        def when(proposal, verb):
            return proposal.events.filter(verb=verb).order_by("pk").values_list("created_at", flat=True).last()

        for proposal in Proposal.objects.exclude(submitted_at=None):
            # A paper proposal is submitted as it is entered (代提交): that event is its submission.
            submission = EventVerb.ENTERED_FROM_PAPER if proposal.entered_on_paper else EventVerb.SUBMITTED
            self.assertEqual(proposal.submitted_at, when(proposal, submission))
        for proposal in Proposal.objects.exclude(entered_at=None):
            self.assertEqual(proposal.entered_at, when(proposal, EventVerb.ENTERED_FROM_PAPER))
        for proposal in Proposal.objects.exclude(accepted_at=None):
            self.assertEqual(proposal.accepted_at, when(proposal, EventVerb.ACCEPTED))
        for proposal in Proposal.objects.exclude(closed_at=None):
            self.assertEqual(proposal.closed_at, when(proposal, EventVerb.CLOSED))
        for reply in Reply.objects.filter(status=ReplyStatus.SENT):
            event = Event.objects.get(verb=EventVerb.REPLY_SENT, object_type="reply", object_id=reply.pk)
            self.assertEqual(reply.sent_at, event.created_at)
            self.assertLess(reply.signed_at, reply.sent_at)
        case = Reply.objects.get(letter_number="福工信函〔2023〕160号")
        self.assertEqual(case.commitment_date, dt.date(2023, 12, 29))

    def test_numbers_follow_the_order_of_acceptance(self):
        numbered = Proposal.objects.filter(session=self.current).exclude(serial=None)
        self.assertEqual(
            list(numbered.order_by("accepted_at").values_list("serial", flat=True)),
            sorted(numbered.values_list("serial", flat=True)),
        )

    def test_returns_extensions_and_a_sent_back_letter_occur(self):
        approved = ReturnRequest.objects.get(status=RequestStatus.APPROVED)
        self.assertEqual(approved.assignment.status, AssignmentStatus.RETURNED)
        after = Assignment.objects.get(proposal=approved.assignment.proposal, unit=approved.suggested_unit)
        self.assertLess(approved.decided_at, after.assigned_at)
        self.assertLessEqual(timezone.localtime(approved.requested_at).date(), approved.assignment.return_window_ends)
        self.assertTrue(ReturnRequest.objects.filter(status=RequestStatus.PENDING).exists())
        for status in RequestStatus.values:
            self.assertTrue(ExtensionRequest.objects.filter(status=status).exists(), status)
        sent_back = Reply.objects.get(status=ReplyStatus.DRAFT, sendback_comment__gt="")
        self.assertFalse(sent_back.returned_by_committee)

    def test_a_dissatisfied_rating_started_a_second_handling_round(self):
        rating = Feedback.objects.get(result=Satisfaction.DISSATISFIED)
        proposal = rating.reply.assignment.proposal
        self.assertEqual((proposal.status, proposal.handling_round), (ProposalStatus.ASSIGNED, 2))
        again = Assignment.objects.get(proposal=proposal, round=2, role=AssignmentRole.LEAD)
        self.assertEqual(again.status, AssignmentStatus.HANDLING)
        self.assertEqual(timezone.localtime(again.assigned_at).date(), timezone.localtime(rating.created_at).date())
        self.assertTrue(proposal.events.filter(verb=EventVerb.REHANDLING).exists())

    def test_notifications_are_history_not_a_flood_of_email(self):
        self.assertFalse(Notification.objects.filter(email_pending=True).exists())
        week_ago = timezone.now() - dt.timedelta(days=8)
        self.assertFalse(Notification.objects.filter(read_at=None, created_at__lt=week_ago).exists())
        for username in ("chencheng", "wangfang", "handler", "unitlead", "committee", "leader"):
            unread = Notification.objects.filter(user__username=username, read_at=None).count()
            self.assertLess(unread, 10, username)
        from django.core import mail

        self.assertEqual(mail.outbox, [])


class PreviousSessionTests(SeededTestCase):
    """六届五次会议: countersigning (会签) and the committee's review of replies (督办审核) are on."""

    def test_the_previous_session_asks_for_both_and_the_current_one_for_neither(self):
        previous = Session.objects.get(term=6, meeting=5)
        self.assertEqual((previous.name, previous.countersign, previous.reply_review), ("六届五次会议", True, True))
        self.assertEqual((self.current.countersign, self.current.reply_review), (False, False))
        self.assertFalse(previous.is_current)

    def test_a_signed_reply_waits_for_the_committee_and_the_proposer_has_not_been_told(self):
        reply = Reply.objects.get(status=ReplyStatus.IN_REVIEW)
        proposal = reply.assignment.proposal
        self.assertEqual(proposal.session.meeting, 5)
        self.assertEqual(proposal.status, ProposalStatus.ASSIGNED)
        self.assertEqual(reply.assignment.status, AssignmentStatus.REPLIED)
        self.assertEqual(reply.assignment.replied_at, reply.to_review_at)
        told = Notification.objects.filter(user__username="wangfang", proposal=proposal)
        self.assertTrue(told.exists())  # of the acceptance and the assignment
        self.assertFalse(told.filter(url__contains="#reply-").exists())
        committee = User.objects.get(username="committee")
        self.client.force_login(committee)
        queue = self.client.get("/admin/responses/reply/review-queue/")
        self.assertEqual(list(queue.context["page"].object_list), [reply])

    def test_a_draft_waits_for_the_co_handlers_countersignature_after_a_first_return(self):
        from responses.choices import CountersignStatus
        from responses.models import Countersign

        row = Countersign.objects.get()
        reply = row.reply
        self.assertEqual((row.status, row.version, reply.version), (CountersignStatus.PENDING, 2, 2))
        self.assertEqual(row.assignment.unit.name, "深圳市福田区科技创新局")
        self.assertIn("关键技术攻关", row.letter["body"])
        verbs = list(reply.assignment.proposal.events.order_by("pk").values_list("verb", flat=True))
        self.assertEqual(verbs.count(EventVerb.COUNTERSIGN_REQUESTED), 2)
        self.assertIn(EventVerb.COUNTERSIGN_RETURNED, verbs)
        kjhandler = User.objects.get(username="kjhandler")
        rows = [
            row
            for group in worklist.build(Assignment.objects.visible_to(kjhandler), user=kjhandler)
            for row in group.rows
        ]
        self.assertIn("countersign", [r.stage for r in rows if r.assignment.pk == row.assignment_id])


class IdempotenceTests(SeededTestCase):
    def test_a_second_run_creates_nothing(self):
        before = row_counts()
        output = seed()
        self.assertEqual(row_counts(), before)
        self.assertIn("nothing to do", output)

    def test_passwords_are_left_alone_unless_asked(self):
        chencheng = User.objects.get(username="chencheng")
        chencheng.set_password("changed-by-the-user")
        chencheng.save()
        seed()
        chencheng.refresh_from_db()
        self.assertTrue(chencheng.check_password("changed-by-the-user"))
        seed("--reset-passwords")
        chencheng.refresh_from_db()
        self.assertTrue(chencheng.check_password(DEMO_PASSWORD))

    def test_a_deleted_story_is_recreated_without_touching_the_others(self):
        Proposal.objects.filter(title="关于增设福田区夜间儿科门诊的建议").delete()
        before = Proposal.objects.count()
        output = seed()
        self.assertEqual(Proposal.objects.count(), before + 1)
        self.assertIn("关于增设福田区夜间儿科门诊的建议", output)

    def test_the_current_session_chosen_later_is_kept(self):
        Session.objects.update(is_current=False)
        Session.objects.filter(term=6, meeting=3).update(is_current=True)
        seed()
        self.assertEqual(Session.current().name, "六届三次会议")


@override_settings(STORAGES=IN_MEMORY_STORAGE, DEMO_PASSWORD=DEMO_PASSWORD)
class ExistingDataTests(PersonaTestCase):
    def test_it_runs_beside_existing_people_and_leaves_them_alone(self):
        password_hash = User.objects.get(username="handler").password
        seed()
        handler = User.objects.get(username="handler")
        self.assertEqual(handler.full_name, "刘经办")  # the persona, not the demo's 刘洋
        self.assertEqual(handler.password, password_hash)
        self.assertEqual(Session.objects.filter(term=6, meeting=3).count(), 1)
        self.assertTrue(Proposal.objects.filter(number="2023160").exists())
        before = row_counts()
        seed()
        self.assertEqual(row_counts(), before)
