"""Handling services: assignment, returns, opinions, contacts, the reply letter, feedback, re-handling, extensions."""

from __future__ import annotations

import datetime as dt
import itertools
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from accounts.choices import Role
from proposals.choices import EventVerb, ProposalStatus, ProposerStatus
from proposals.models import Event, Notification, Proposal
from proposals.services import merge_proposal
from proposals.workflow import ReplyConflict, WorkflowError
from responses.choices import (
    AssignmentRole,
    AssignmentStatus,
    ContactMethod,
    ReplyStatus,
    RequestStatus,
    Satisfaction,
)
from responses.deadlines import feedback_window_ends
from responses.models import Assignment, Contact, ExtensionRequest, Feedback, Reply, ReplyRevision, ReturnRequest
from responses.services import (
    accept_assignment,
    assign_many,
    assign_proposal,
    decide_extension,
    decide_return,
    give_feedback,
    log_contact,
    rehandle,
    request_extension,
    request_return,
    save_reply_draft,
    send_back_reply,
    send_opinion,
    send_reply,
    sign_reply,
    submit_reply,
    waive_opinion,
)
from tests.base import PersonaTestCase, make_proposal, make_user

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2023, 3, 1, 10, 0, tzinfo=SH)  # a Wednesday, soon after the 2023 session
TODAY = NOW.date()

LEAD, COHANDLING, SEPARATE = AssignmentRole.LEAD, AssignmentRole.COHANDLING, AssignmentRole.SEPARATE
SERIALS = itertools.count(100)


def last_event(proposal: Proposal, verb: str | None = None) -> Event:
    events = Event.objects.filter(proposal=proposal).order_by("pk")
    return (events.filter(verb=verb) if verb else events).last()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SH)


# setUpTestData runs before pytest's settings fixture, so the personas would get the slow production hasher.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
@time_machine.travel(NOW, tick=False)
class HandlingTestCase(PersonaTestCase):
    """Personas plus a leader for the other unit, and shortcuts that walk the workflow through the services."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.otherlead = make_user("otherlead", "钱局长", Role.UNIT_LEADER, cls.other_unit)

    def staff(self, assignment: Assignment):
        """(handler, leader) of the assignment's unit."""
        if assignment.unit_id == self.unit.pk:
            return self.handler, self.unitlead
        return self.other_handler, self.otherlead

    def accepted(self, **extra) -> Proposal:
        serial = next(SERIALS)
        extra.setdefault("cosigners", [self.wangfang])
        return make_proposal(
            self.chencheng,
            self.session,
            status=ProposalStatus.ACCEPTED,
            number=f"2023{serial:03d}",
            serial=serial,
            category=self.category,
            **extra,
        )

    def assigned(self, units_roles=None, proposal: Proposal | None = None) -> list[Assignment]:
        return assign_proposal(
            proposal or self.accepted(), actor=self.committee, units_roles=units_roles or [(self.unit, LEAD)]
        )

    def handling(self, units_roles=None, proposal: Proposal | None = None) -> list[Assignment]:
        return [accept_assignment(row, actor=self.staff(row)[0]) for row in self.assigned(units_roles, proposal)]

    def draft(self, assignment: Assignment, **data) -> Reply:
        fields = {
            "category": self.reply_categories["A"],
            "letter_number": "福工信函〔2023〕160号",
            "body": "陈澄委员：您提出的《关于福田区构建具有竞争力的现代化产业体系的建议》收悉。现答复如下：……",
            "contact_person": "刘经办",
            "contact_phone": "0755-82918888",
        }
        fields.update(data)
        return save_reply_draft(assignment, actor=self.staff(assignment)[0], data=fields, base_version=None)

    def signed(self, assignment: Assignment) -> Reply:
        handler, leader = self.staff(assignment)
        reply = self.draft(assignment)
        submit_reply(reply, actor=handler)
        return sign_reply(reply, actor=leader)

    def sent(self, assignment: Assignment) -> Reply:
        return send_reply(self.signed(assignment), actor=self.staff(assignment)[0])

    def replied(self, units_roles=None) -> tuple[Proposal, list[Reply]]:
        rows = self.handling(units_roles)
        replies = [self.sent(row) for row in rows if row.role != COHANDLING]
        return Proposal.objects.get(pk=rows[0].proposal_id), replies


class AssignProposalTests(HandlingTestCase):
    def test_it_assigns_a_lead_and_a_cohandling_unit_with_their_due_dates(self):
        lead, cohandling = self.assigned([(self.unit, LEAD), (self.other_unit, COHANDLING)])

        self.assertEqual(
            (lead.role, lead.status, lead.round, lead.assigned_by), (LEAD, AssignmentStatus.PENDING, 1, self.committee)
        )
        self.assertEqual(
            (lead.reply_due, lead.original_reply_due, lead.reply_cap),
            (dt.date(2023, 6, 1),) * 2 + (dt.date(2023, 9, 1),),
        )
        self.assertEqual(lead.return_window_ends, dt.date(2023, 3, 8))
        self.assertIsNone(lead.opinion_due)
        # 1 April 2023 is a Saturday: the opinion is due the next working day.
        self.assertEqual(cohandling.opinion_due, dt.date(2023, 4, 3))
        self.assertIn("2023-04-01", cohandling.opinion_due_note)
        self.assertEqual(lead.proposal.status, ProposalStatus.ASSIGNED)

    def test_due_dates_count_from_the_given_assignment_date(self):
        (row,) = assign_proposal(
            self.accepted(), actor=self.committee, units_roles=[(self.unit, LEAD)], assigned_on=dt.date(2023, 2, 27)
        )
        self.assertEqual(row.reply_due, dt.date(2023, 5, 29))

    def test_it_assigns_several_separate_units(self):
        rows = self.assigned([(self.unit, SEPARATE), (self.other_unit, SEPARATE), (self.third_unit, SEPARATE)])
        self.assertEqual([row.role for row in rows], [SEPARATE] * 3)

    def test_it_writes_an_assigned_event_and_notifies_the_units(self):
        proposal = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            lead, cohandling = assign_proposal(
                proposal,
                actor=self.committee,
                units_roles=[(self.unit, LEAD), (self.other_unit, COHANDLING)],
                instructions="请主动与提案人沟通",
            )
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status, event.note),
            (
                EventVerb.ASSIGNED,
                self.committee,
                ProposalStatus.ACCEPTED,
                ProposalStatus.ASSIGNED,
                "请主动与提案人沟通",
            ),
        )
        self.assertEqual([row["id"] for row in event.data["assignments"]], [lead.pk, cohandling.pk])
        notified = set(Notification.objects.filter(proposal=proposal).values_list("user__username", flat=True))
        self.assertEqual(notified, {"handler", "unitlead", "otherhandler", "otherlead"})
        self.assertEqual(len(mail.outbox), 4)

    def test_it_refuses_cohandling_without_a_lead(self):
        with self.assertRaises(WorkflowError):
            self.assigned([(self.unit, COHANDLING)])

    def test_it_refuses_two_lead_units(self):
        with self.assertRaises(WorkflowError):
            self.assigned([(self.unit, LEAD), (self.other_unit, LEAD)])

    def test_it_refuses_separate_units_combined_with_a_lead(self):
        with self.assertRaises(WorkflowError):
            self.assigned([(self.unit, LEAD), (self.other_unit, SEPARATE)])

    def test_it_refuses_the_same_unit_twice(self):
        with self.assertRaises(WorkflowError):
            self.assigned([(self.unit, LEAD), (self.unit, COHANDLING)])

    def test_it_refuses_no_units(self):
        with self.assertRaises(WorkflowError):
            assign_proposal(self.accepted(), actor=self.committee, units_roles=[])

    def test_it_refuses_a_proposal_that_is_not_accepted(self):
        for status in (ProposalStatus.SUBMITTED, ProposalStatus.REPLIED, ProposalStatus.REJECTED):
            proposal = make_proposal(self.chencheng, self.session, status=status)
            with self.subTest(status=status), self.assertRaises(WorkflowError):
                self.assigned(proposal=proposal)
        self.assertFalse(Assignment.objects.exists())

    def test_it_refuses_assignment_by_anyone_but_committee_staff(self):
        for actor in (self.handler, self.leader, self.chencheng):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                assign_proposal(self.accepted(), actor=actor, units_roles=[(self.unit, LEAD)])

    def test_assign_many_assigns_several_proposals_in_one_step(self):
        proposals = [self.accepted(), self.accepted(), self.accepted()]
        rows = assign_many(
            proposals, actor=self.committee, units_roles=[(self.unit, LEAD), (self.other_unit, COHANDLING)]
        )
        self.assertEqual(len(rows), 6)
        self.assertEqual(
            set(Proposal.objects.filter(pk__in=[p.pk for p in proposals]).values_list("status", flat=True)),
            {ProposalStatus.ASSIGNED},
        )

    def test_assign_many_assigns_none_when_one_proposal_cannot_be_assigned(self):
        good, bad = (
            self.accepted(),
            make_proposal(self.chencheng, self.session, status=ProposalStatus.SUBMITTED, title="关于另一事项的建议"),
        )
        with self.assertRaisesMessage(WorkflowError, "关于另一事项的建议"):
            assign_many([good, bad], actor=self.committee, units_roles=[(self.unit, LEAD)])
        self.assertFalse(Assignment.objects.exists())
        good.refresh_from_db()
        self.assertEqual(good.status, ProposalStatus.ACCEPTED)


class AcceptAssignmentTests(HandlingTestCase):
    def test_the_units_handler_accepts_a_pending_assignment(self):
        (row,) = self.assigned()
        row = accept_assignment(row, actor=self.handler)
        self.assertEqual((row.status, row.accepted_by, row.accepted_at), (AssignmentStatus.HANDLING, self.handler, NOW))
        event = last_event(row.proposal)
        self.assertEqual(
            (event.verb, event.actor, event.object_type, event.from_status, event.to_status),
            (
                EventVerb.ASSIGNMENT_ACCEPTED,
                self.handler,
                "assignment",
                AssignmentStatus.PENDING,
                AssignmentStatus.HANDLING,
            ),
        )

    def test_the_unit_leader_may_accept_too(self):
        (row,) = self.assigned()
        self.assertEqual(accept_assignment(row, actor=self.unitlead).status, AssignmentStatus.HANDLING)

    def test_it_refuses_acceptance_by_another_units_staff_or_the_committee(self):
        (row,) = self.assigned()
        for actor in (self.other_handler, self.committee):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                accept_assignment(row, actor=actor)

    def test_it_refuses_to_accept_twice(self):
        (row,) = self.handling()
        with self.assertRaises(WorkflowError):
            accept_assignment(row, actor=self.handler)


class ReturnTests(HandlingTestCase):
    def test_a_unit_asks_to_return_inside_the_window(self):
        (row,) = self.handling()
        with self.captureOnCommitCallbacks(execute=True), time_machine.travel(at(dt.date(2023, 3, 8), 17), tick=False):
            request = request_return(row, actor=self.handler, reason="不属于本单位职责", suggested_unit=self.other_unit)

        row.refresh_from_db()
        self.assertEqual(row.status, AssignmentStatus.RETURN_REQUESTED)
        self.assertEqual(
            (request.status, request.previous_status, request.suggested_unit),
            (RequestStatus.PENDING, AssignmentStatus.HANDLING, self.other_unit),
        )
        event = last_event(row.proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status, event.note),
            (
                EventVerb.RETURN_REQUESTED,
                self.handler,
                AssignmentStatus.HANDLING,
                AssignmentStatus.RETURN_REQUESTED,
                "不属于本单位职责",
            ),
        )
        self.assertTrue(Notification.objects.filter(user=self.committee, proposal=row.proposal).exists())

    def test_it_refuses_a_return_request_after_the_window(self):
        (row,) = self.assigned()
        with time_machine.travel(at(dt.date(2023, 3, 9), 9), tick=False), self.assertRaises(WorkflowError):
            request_return(row, actor=self.handler, reason="不属于本单位职责")

    def test_it_refuses_a_return_request_without_a_reason(self):
        (row,) = self.assigned()
        with self.assertRaises(WorkflowError):
            request_return(row, actor=self.handler, reason="  ")

    def test_it_refuses_a_return_request_from_another_unit(self):
        (row,) = self.assigned()
        with self.assertRaises(PermissionDenied):
            request_return(row, actor=self.other_handler, reason="不属于本单位职责")

    def test_approving_the_only_replying_unit_puts_the_proposal_back_to_accepted_for_reassignment(self):
        (row,) = self.assigned()
        request = request_return(row, actor=self.handler, reason="不属于本单位职责")
        request = decide_return(request, actor=self.committee, approve=True, note="改由区教育局办理")

        row.refresh_from_db()
        self.assertEqual(
            (request.status, request.decided_by, row.status),
            (RequestStatus.APPROVED, self.committee, AssignmentStatus.RETURNED),
        )
        proposal = Proposal.objects.get(pk=row.proposal_id)
        self.assertEqual(proposal.status, ProposalStatus.ACCEPTED)
        event = last_event(proposal)
        self.assertEqual(event.verb, EventVerb.RETURN_APPROVED)
        self.assertEqual(event.data["proposal_status"], [ProposalStatus.ASSIGNED, ProposalStatus.ACCEPTED])

        (new,) = self.assigned([(self.other_unit, LEAD)], proposal=proposal)
        self.assertEqual((new.round, new.proposal.status), (1, ProposalStatus.ASSIGNED))

    def test_approving_a_return_keeps_the_proposal_assigned_while_another_unit_still_replies(self):
        first, second = self.assigned([(self.unit, SEPARATE), (self.other_unit, SEPARATE)])
        decide_return(
            request_return(first, actor=self.handler, reason="不属于本单位职责"), actor=self.committee, approve=True
        )
        proposal = Proposal.objects.get(pk=first.proposal_id)
        self.assertEqual(proposal.status, ProposalStatus.ASSIGNED)

        (third,) = self.assigned([(self.third_unit, SEPARATE)], proposal=proposal)
        self.assertEqual(third.role, SEPARATE)

    def test_a_lead_returned_with_cohandlers_left_takes_a_new_lead(self):
        lead, _cohandling = self.assigned([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        decide_return(
            request_return(lead, actor=self.handler, reason="不属于本单位职责"), actor=self.committee, approve=True
        )
        proposal = Proposal.objects.get(pk=lead.proposal_id)
        self.assertEqual(proposal.status, ProposalStatus.ACCEPTED)
        with self.assertRaises(WorkflowError):  # separate units cannot join the remaining co-handler
            self.assigned([(self.third_unit, SEPARATE)], proposal=proposal)
        (new_lead,) = self.assigned([(self.third_unit, LEAD)], proposal=proposal)
        self.assertEqual(new_lead.role, LEAD)

    def test_refusing_a_return_restores_the_previous_status_and_needs_a_reason(self):
        (row,) = self.handling()
        request = request_return(row, actor=self.handler, reason="不属于本单位职责")
        with self.assertRaises(WorkflowError):
            decide_return(request, actor=self.committee, approve=False, note=" ")

        request = decide_return(request, actor=self.committee, approve=False, note="属于本单位职责范围")
        row.refresh_from_db()
        self.assertEqual((request.status, row.status), (RequestStatus.REFUSED, AssignmentStatus.HANDLING))
        event = last_event(row.proposal)
        self.assertEqual(
            (event.verb, event.from_status, event.to_status, event.note),
            (
                EventVerb.RETURN_REFUSED,
                AssignmentStatus.RETURN_REQUESTED,
                AssignmentStatus.HANDLING,
                "属于本单位职责范围",
            ),
        )

    def test_it_refuses_a_decision_by_unit_staff(self):
        (row,) = self.assigned()
        request = request_return(row, actor=self.handler, reason="不属于本单位职责")
        with self.assertRaises(PermissionDenied):
            decide_return(request, actor=self.unitlead, approve=True)

    def test_it_refuses_to_decide_twice(self):
        (row,) = self.assigned()
        request = request_return(row, actor=self.handler, reason="不属于本单位职责")
        decide_return(request, actor=self.committee, approve=True)
        with self.assertRaises(WorkflowError):
            decide_return(request, actor=self.committee, approve=False, note="重复")
        self.assertEqual(ReturnRequest.objects.get().status, RequestStatus.APPROVED)


class OpinionAndContactTests(HandlingTestCase):
    def test_a_cohandling_unit_sends_its_opinion_on_time_and_the_lead_unit_is_told(self):
        _lead, cohandling = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        opinion = send_opinion(cohandling, actor=self.other_handler, body="建议加强产业用地保障。")

        cohandling.refresh_from_db()
        self.assertEqual(
            (cohandling.status, opinion.is_late, opinion.author),
            (AssignmentStatus.OPINION_SENT, False, self.other_handler),
        )
        event = last_event(cohandling.proposal)
        self.assertEqual(
            (event.verb, event.actor, event.to_status),
            (EventVerb.OPINION_SENT, self.other_handler, AssignmentStatus.OPINION_SENT),
        )
        self.assertTrue(Notification.objects.filter(user=self.handler, proposal=cohandling.proposal).exists())

    def test_an_opinion_after_its_due_date_is_marked_late(self):
        _lead, cohandling = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        with time_machine.travel(at(dt.date(2023, 4, 4)), tick=False):
            opinion = send_opinion(cohandling, actor=self.other_handler, body="建议加强产业用地保障。")
        self.assertTrue(opinion.is_late)

    def test_it_refuses_an_opinion_from_the_lead_unit(self):
        lead, _cohandling = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        with self.assertRaises(WorkflowError):
            send_opinion(lead, actor=self.handler, body="意见")

    def test_it_refuses_an_opinion_before_the_assignment_is_accepted_or_without_text(self):
        _lead, cohandling = self.assigned([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        with self.assertRaises(WorkflowError):
            send_opinion(cohandling, actor=self.other_handler, body="意见")
        accept_assignment(cohandling, actor=self.other_handler)
        with self.assertRaises(WorkflowError):
            send_opinion(cohandling, actor=self.other_handler, body=" ")

    def test_the_handler_logs_a_contact_with_the_proposer(self):
        (row,) = self.handling()
        contact = log_contact(
            row, actor=self.handler, contacted_on=TODAY, method=ContactMethod.MEETING, participants="陈澄、刘经办"
        )
        self.assertEqual((contact.recorded_by, contact.method), (self.handler, ContactMethod.MEETING))
        event = last_event(row.proposal)
        self.assertEqual(
            (event.verb, event.actor, event.object_id), (EventVerb.CONTACT_LOGGED, self.handler, contact.pk)
        )

    def test_it_refuses_a_contact_in_the_future_without_participants_or_with_an_unknown_method(self):
        (row,) = self.handling()
        bad = [
            {"contacted_on": TODAY + dt.timedelta(days=1), "method": ContactMethod.PHONE, "participants": "陈澄"},
            {"contacted_on": TODAY, "method": ContactMethod.PHONE, "participants": " "},
            {"contacted_on": TODAY, "method": "pigeon", "participants": "陈澄"},
        ]
        for fields in bad:
            with self.subTest(fields=fields), self.assertRaises(WorkflowError):
                log_contact(row, actor=self.handler, **fields)
        self.assertFalse(Contact.objects.exists())

    def test_it_refuses_a_contact_before_acceptance_or_from_another_unit(self):
        (row,) = self.assigned()
        with self.assertRaises(WorkflowError):
            log_contact(row, actor=self.handler, contacted_on=TODAY, method=ContactMethod.PHONE, participants="陈澄")
        with self.assertRaises(PermissionDenied):
            log_contact(
                row, actor=self.other_handler, contacted_on=TODAY, method=ContactMethod.PHONE, participants="陈澄"
            )


class ReplyDraftTests(HandlingTestCase):
    def test_the_first_save_creates_version_1_with_a_revision(self):
        (row,) = self.handling()
        reply = save_reply_draft(
            row,
            actor=self.handler,
            data={"body": "答复正文", "category": self.reply_categories["B"].pk},
            base_version=None,
        )

        self.assertEqual(
            (reply.status, reply.version, reply.round, reply.drafted_by), (ReplyStatus.DRAFT, 1, 1, self.handler)
        )
        revision = reply.revisions.get()
        self.assertEqual((revision.version, revision.editor), (1, self.handler))
        self.assertEqual(
            revision.changes, {"body": ["", "答复正文"], "category": [None, self.reply_categories["B"].pk]}
        )
        self.assertEqual(last_event(row.proposal).verb, EventVerb.REPLY_SAVED)

    def test_a_save_from_the_current_version_bumps_it_and_records_old_and_new_values(self):
        (row,) = self.handling()
        reply = self.draft(row)
        reply = save_reply_draft(
            row,
            actor=self.unitlead,
            data={"body": "修改后的正文", "commitment_date": "2023-12-31", "letter_number": "福工信函〔2023〕160号"},
            base_version=1,
        )
        self.assertEqual((reply.version, reply.body, reply.commitment_date), (2, "修改后的正文", dt.date(2023, 12, 31)))
        revision = reply.revisions.get(version=2)
        self.assertEqual(revision.editor, self.unitlead)
        self.assertEqual(set(revision.changes), {"body", "commitment_date"})  # the unchanged letter number is left out
        self.assertEqual(revision.changes["commitment_date"], [None, "2023-12-31"])

    def test_it_refuses_a_save_from_a_stale_version_with_the_current_values_and_revisions(self):
        (row,) = self.handling()
        self.draft(row)
        save_reply_draft(row, actor=self.unitlead, data={"body": "负责人修改的正文"}, base_version=1)

        with self.assertRaises(ReplyConflict) as caught:
            save_reply_draft(row, actor=self.handler, data={"body": "经办人修改的正文"}, base_version=1)

        conflict = caught.exception
        self.assertEqual((conflict.version, conflict.current["body"]), (2, "负责人修改的正文"))
        self.assertEqual([(r.version, r.editor) for r in conflict.revisions], [(2, self.unitlead)])
        self.assertIn("赵局长", conflict.message)
        reply = Reply.objects.get()
        self.assertEqual((reply.version, reply.body), (2, "负责人修改的正文"))
        self.assertEqual(ReplyRevision.objects.count(), 2)

    def test_the_optimistic_lock_refuses_a_save_that_loses_the_race(self):
        (row,) = self.handling()
        reply = self.draft(row)
        # Someone else's save lands between this editor's read and its UPDATE.
        original_filter = Reply.objects.filter

        def filter_after_concurrent_save(*args, **kwargs):
            if "version" in kwargs:
                original_filter(pk=reply.pk).update(body="同时保存的正文", version=2)
            return original_filter(*args, **kwargs)

        with (
            mock.patch.object(Reply.objects, "filter", side_effect=filter_after_concurrent_save),
            self.assertRaises(ReplyConflict) as caught,
        ):
            save_reply_draft(row, actor=self.handler, data={"body": "我的正文"}, base_version=1)
        self.assertEqual((caught.exception.version, caught.exception.current["body"]), (2, "同时保存的正文"))
        # (The simulated save ran inside the refused step's transaction, so it rolled back with it.)
        self.assertNotEqual(Reply.objects.get().body, "我的正文")
        self.assertEqual(ReplyRevision.objects.count(), 1)

    def test_it_refuses_a_save_without_a_base_version_when_a_draft_exists(self):
        (row,) = self.handling()
        self.draft(row)
        with self.assertRaises(ReplyConflict):
            save_reply_draft(row, actor=self.unitlead, data={"body": "另一份草稿"}, base_version=None)

    def test_a_save_without_changes_keeps_the_version(self):
        (row,) = self.handling()
        reply = self.draft(row, body="答复正文")
        reply = save_reply_draft(row, actor=self.handler, data={"body": "答复正文"}, base_version=reply.version)
        self.assertEqual((reply.version, ReplyRevision.objects.count()), (1, 1))

    def test_it_refuses_a_draft_for_a_cohandling_unit(self):
        _lead, cohandling = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        with self.assertRaises(WorkflowError):
            save_reply_draft(cohandling, actor=self.other_handler, data={"body": "答复"}, base_version=None)

    def test_it_refuses_a_draft_before_the_assignment_is_accepted(self):
        (row,) = self.assigned()
        with self.assertRaises(WorkflowError):
            save_reply_draft(row, actor=self.handler, data={"body": "答复"}, base_version=None)

    def test_it_refuses_a_draft_by_another_units_staff_or_a_member(self):
        (row,) = self.handling()
        for actor in (self.other_handler, self.chencheng, self.committee):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                save_reply_draft(row, actor=actor, data={"body": "答复"}, base_version=None)

    def test_it_refuses_to_edit_a_reply_awaiting_signoff(self):
        (row,) = self.handling()
        reply = self.draft(row)
        submit_reply(reply, actor=self.handler)
        with self.assertRaises(WorkflowError):
            save_reply_draft(row, actor=self.handler, data={"body": "再改一下"}, base_version=1)

    def test_it_refuses_unknown_fields_and_bad_values(self):
        (row,) = self.handling()
        for data in (
            {"status": "sent"},
            {"commitment_date": "明年"},
            {"category": 999999},
            {"contact_phone": "1" * 41},
        ):
            with self.subTest(data=data), self.assertRaises(WorkflowError):
                save_reply_draft(row, actor=self.handler, data=data, base_version=None)
        self.assertFalse(Reply.objects.exists())


class SignOffAndSendTests(HandlingTestCase):
    def test_it_refuses_to_submit_an_incomplete_reply_and_names_the_missing_fields(self):
        (row,) = self.handling()
        reply = save_reply_draft(row, actor=self.handler, data={"body": "答复正文"}, base_version=None)
        with self.assertRaises(WorkflowError) as caught:
            submit_reply(reply, actor=self.handler)
        for name in ("category", "letter_number", "contact_person", "contact_phone"):
            self.assertIn(str(Reply._meta.get_field(name).verbose_name), caught.exception.message)
        self.assertNotIn(str(Reply._meta.get_field("commitment_date").verbose_name), caught.exception.message)
        reply.refresh_from_db()
        self.assertEqual(reply.status, ReplyStatus.DRAFT)

    def test_a_category_b_reply_needs_a_future_commitment_date(self):
        (row,) = self.handling()
        reply = self.draft(row, category=self.reply_categories["B"])
        with self.assertRaises(WorkflowError):
            submit_reply(reply, actor=self.handler)
        with self.assertRaises(WorkflowError):  # refused as soon as it is saved
            save_reply_draft(row, actor=self.handler, data={"commitment_date": TODAY}, base_version=1)
        # A draft whose commitment date passed while it waited is refused at submission.
        Reply.objects.filter(pk=reply.pk).update(commitment_date=TODAY)
        with self.assertRaises(WorkflowError):
            submit_reply(reply, actor=self.handler)
        save_reply_draft(row, actor=self.handler, data={"commitment_date": dt.date(2023, 12, 31)}, base_version=1)
        self.assertEqual(submit_reply(reply, actor=self.handler).reply.status, ReplyStatus.AWAITING_SIGNOFF)

    def test_submitting_without_any_contact_flags_the_reply_and_asks_the_leader_to_sign(self):
        (row,) = self.handling()
        reply, missing_contact = submit_reply(self.draft(row), actor=self.handler)
        self.assertTrue(missing_contact)
        event = last_event(row.proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status, event.data),
            (
                EventVerb.REPLY_SUBMITTED,
                self.handler,
                ReplyStatus.DRAFT,
                ReplyStatus.AWAITING_SIGNOFF,
                {"no_contact": True},
            ),
        )
        self.assertTrue(Notification.objects.filter(user=self.unitlead, proposal=row.proposal).exists())

    def test_submitting_after_a_contact_does_not_flag_it(self):
        (row,) = self.handling()
        log_contact(row, actor=self.handler, contacted_on=TODAY, method=ContactMethod.PHONE, participants="陈澄")
        self.assertFalse(submit_reply(self.draft(row), actor=self.handler).missing_contact)

    def test_the_unit_leader_signs_off(self):
        (row,) = self.handling()
        reply = self.signed(row)
        self.assertEqual((reply.status, reply.signer, reply.signed_at), (ReplyStatus.SIGNED, self.unitlead, NOW))
        event = last_event(row.proposal)
        self.assertEqual(
            (event.verb, event.actor, event.to_status), (EventVerb.REPLY_SIGNED, self.unitlead, ReplyStatus.SIGNED)
        )

    def test_it_refuses_signoff_by_the_handler_another_units_leader_or_the_committee(self):
        (row,) = self.handling()
        reply = self.draft(row)
        submit_reply(reply, actor=self.handler)
        for actor in (self.handler, self.otherlead, self.committee):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                sign_reply(reply, actor=actor)

    def test_it_refuses_to_sign_a_draft(self):
        (row,) = self.handling()
        with self.assertRaises(WorkflowError):
            sign_reply(self.draft(row), actor=self.unitlead)

    def test_the_unit_leader_sends_a_reply_back_with_comments_and_it_can_be_edited_again(self):
        (row,) = self.handling()
        reply = self.draft(row)
        submit_reply(reply, actor=self.handler)
        with self.assertRaises(WorkflowError):
            send_back_reply(reply, actor=self.unitlead, comments="  ")

        reply = send_back_reply(reply, actor=self.unitlead, comments="请补充具体措施")
        self.assertEqual((reply.status, reply.sendback_comment), (ReplyStatus.DRAFT, "请补充具体措施"))
        self.assertEqual(last_event(row.proposal).verb, EventVerb.REPLY_SENT_BACK)
        reply = save_reply_draft(row, actor=self.handler, data={"body": "补充后的正文"}, base_version=reply.version)
        self.assertEqual(reply.version, 2)

    def test_it_refuses_a_send_back_by_the_handler(self):
        (row,) = self.handling()
        reply = self.draft(row)
        submit_reply(reply, actor=self.handler)
        with self.assertRaises(PermissionDenied):
            send_back_reply(reply, actor=self.handler, comments="请补充")

    def test_sending_a_signed_reply_replies_the_assignment_and_the_proposal_and_tells_every_proposer(self):
        (row,) = self.handling()
        reply = self.signed(row)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            reply = send_reply(reply, actor=self.handler)

        row.refresh_from_db()
        self.assertEqual((reply.status, reply.sent_at), (ReplyStatus.SENT, NOW))
        self.assertEqual((row.status, row.replied_at), (AssignmentStatus.REPLIED, NOW))
        proposal = Proposal.objects.get(pk=row.proposal_id)
        self.assertEqual(proposal.status, ProposalStatus.REPLIED)
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status, event.data["proposal_status"]),
            (
                EventVerb.REPLY_SENT,
                self.handler,
                ReplyStatus.SIGNED,
                ReplyStatus.SENT,
                [ProposalStatus.ASSIGNED, ProposalStatus.REPLIED],
            ),
        )
        for user in (self.chencheng, self.wangfang):
            self.assertTrue(Notification.objects.filter(user=user, proposal=proposal).exists())
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["chencheng@example.org", "wangfang@example.org"])

    def test_it_refuses_to_send_an_unsigned_reply(self):
        (row,) = self.handling()
        reply = self.draft(row)
        submit_reply(reply, actor=self.handler)
        with self.assertRaises(WorkflowError):
            send_reply(reply, actor=self.handler)

    def test_with_two_separate_units_the_proposal_is_replied_when_both_have_sent(self):
        first, second = self.handling([(self.unit, SEPARATE), (self.other_unit, SEPARATE)])
        self.sent(first)
        self.assertEqual(Proposal.objects.get(pk=first.proposal_id).status, ProposalStatus.ASSIGNED)
        self.sent(second)
        self.assertEqual(Proposal.objects.get(pk=first.proposal_id).status, ProposalStatus.REPLIED)

    def test_a_returned_unit_does_not_hold_the_proposal_back(self):
        first, second = self.handling([(self.unit, SEPARATE), (self.other_unit, SEPARATE)])
        decide_return(
            request_return(second, actor=self.other_handler, reason="不属于本单位职责"),
            actor=self.committee,
            approve=True,
        )
        self.sent(first)
        self.assertEqual(Proposal.objects.get(pk=first.proposal_id).status, ProposalStatus.REPLIED)

    def test_proposers_of_a_merged_proposal_are_told_of_the_reply_too(self):
        (row,) = self.assigned()
        other = make_proposal(self.lihua, self.session, status=ProposalStatus.SUBMITTED, title="关于时尚产业发展的建议")
        merge_proposal(other, actor=self.committee, into=row.proposal)
        accept_assignment(row, actor=self.handler)
        self.sent(row)
        self.assertTrue(Notification.objects.filter(user=self.lihua, proposal=row.proposal).exists())


class FeedbackTests(HandlingTestCase):
    def rate(self, reply: Reply, user, value=Satisfaction.SATISFIED, comment=""):
        return give_feedback(reply, actor=user, attitude=value, result=value, comment=comment)

    def test_a_proposer_rates_a_sent_reply(self):
        proposal, (reply,) = self.replied()
        feedback = give_feedback(
            reply,
            actor=self.wangfang,
            attitude=Satisfaction.SATISFIED,
            result=Satisfaction.BASICALLY,
            comment="答复及时",
        )
        self.assertEqual(
            (feedback.user, feedback.attitude, feedback.result),
            (self.wangfang, Satisfaction.SATISFIED, Satisfaction.BASICALLY),
        )
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.object_id), (EventVerb.FEEDBACK_GIVEN, self.wangfang, feedback.pk)
        )
        self.assertEqual(Proposal.objects.get(pk=proposal.pk).status, ProposalStatus.REPLIED)

    def test_it_refuses_feedback_from_anyone_but_a_proposer(self):
        _proposal, (reply,) = self.replied()
        for actor in (self.lihua, self.handler, self.committee):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                self.rate(reply, actor)

    def test_it_refuses_feedback_from_a_cosigner_who_declined(self):
        proposal, (reply,) = self.replied()
        proposal.proposers.filter(user=self.wangfang).update(status=ProposerStatus.DECLINED)
        with self.assertRaises(PermissionDenied):
            self.rate(reply, self.wangfang)

    def test_a_proposer_of_a_merged_proposal_may_rate_the_reply(self):
        (row,) = self.handling()
        other = make_proposal(self.lihua, self.session, status=ProposalStatus.SUBMITTED, title="关于时尚产业发展的建议")
        merge_proposal(other, actor=self.committee, into=row.proposal)
        reply = self.sent(row)
        self.assertEqual(self.rate(reply, self.lihua).user, self.lihua)

    def test_it_refuses_feedback_twice(self):
        _proposal, (reply,) = self.replied()
        self.rate(reply, self.chencheng)
        with self.assertRaises(WorkflowError):
            self.rate(reply, self.chencheng, Satisfaction.BASICALLY)
        self.assertEqual(Feedback.objects.count(), 1)

    def test_it_refuses_feedback_after_the_window(self):
        _proposal, (reply,) = self.replied()
        ends = feedback_window_ends(self.session, TODAY).date
        with time_machine.travel(at(ends, 23), tick=False):
            self.rate(reply, self.chencheng)
        with time_machine.travel(at(ends + dt.timedelta(days=1), 0), tick=False), self.assertRaises(WorkflowError):
            self.rate(reply, self.wangfang)

    def test_it_refuses_feedback_on_a_reply_not_yet_sent(self):
        (row,) = self.handling()
        with self.assertRaises(WorkflowError):
            self.rate(self.signed(row), self.chencheng)

    def test_it_refuses_dissatisfaction_without_a_comment(self):
        _proposal, (reply,) = self.replied()
        with self.assertRaises(WorkflowError):
            give_feedback(
                reply, actor=self.chencheng, attitude=Satisfaction.SATISFIED, result=Satisfaction.DISSATISFIED
            )

    def test_it_refuses_an_unknown_rating(self):
        _proposal, (reply,) = self.replied()
        with self.assertRaises(WorkflowError):
            give_feedback(reply, actor=self.chencheng, attitude="great", result=Satisfaction.SATISFIED)

    def test_the_proposal_closes_when_every_proposer_has_rated(self):
        proposal, (reply,) = self.replied()
        self.rate(reply, self.chencheng)
        self.assertEqual(Proposal.objects.get(pk=proposal.pk).status, ProposalStatus.REPLIED)
        self.rate(reply, self.wangfang, Satisfaction.BASICALLY)
        proposal.refresh_from_db()
        self.assertEqual((proposal.status, proposal.closed_at), (ProposalStatus.CLOSED, NOW))
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status),
            (EventVerb.CLOSED, None, ProposalStatus.REPLIED, ProposalStatus.CLOSED),
        )

    def test_a_dissatisfied_rating_starts_a_new_handling_round_for_the_same_units(self):
        first_lead, first_cohandler = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        # The co-handler never sent its opinion; the committee let the lead unit reply without it.
        waive_opinion(first_cohandler, actor=self.committee, reason="会办单位机构调整，免于提交会办意见")
        reply = self.sent(first_lead)
        proposal = Proposal.objects.get(pk=first_lead.proposal_id)
        later = at(dt.date(2023, 3, 10))
        with time_machine.travel(later, tick=False):
            self.rate(reply, self.wangfang, Satisfaction.DISSATISFIED, comment="措施不够具体")

        proposal.refresh_from_db()
        self.assertEqual((proposal.status, proposal.handling_round), (ProposalStatus.ASSIGNED, 2))
        new = Assignment.objects.filter(proposal=proposal, round=2).order_by("pk")
        self.assertEqual(
            [(a.unit, a.role, a.status) for a in new],
            [(self.unit, LEAD, AssignmentStatus.PENDING), (self.other_unit, COHANDLING, AssignmentStatus.PENDING)],
        )
        self.assertEqual(new[0].reply_due, dt.date(2023, 6, 12))  # 10 June 2023 is a Saturday
        self.assertEqual(new[0].assigned_by, self.committee)
        event = last_event(proposal, EventVerb.REHANDLING)
        self.assertEqual(
            (event.from_status, event.to_status, event.data["round"]),
            (ProposalStatus.REPLIED, ProposalStatus.ASSIGNED, 2),
        )
        # What the first round left open is closed by the new one, not left waiting forever.
        first_cohandler.refresh_from_db()
        self.assertEqual(first_cohandler.status, AssignmentStatus.SUPERSEDED)
        self.assertEqual([item["id"] for item in event.data["superseded"]], [first_cohandler.pk])

        # The new round is handled and replied like the first one.
        lead = accept_assignment(new[0], actor=self.handler)
        send_opinion(accept_assignment(new[1], actor=self.other_handler), actor=self.other_handler, body="同意")
        self.assertEqual(self.sent(lead).round, 2)
        self.assertEqual(Proposal.objects.get(pk=proposal.pk).status, ProposalStatus.REPLIED)

    def test_a_late_rating_of_the_old_round_starts_no_further_round(self):
        proposal, (reply,) = self.replied()
        self.rate(reply, self.chencheng, Satisfaction.DISSATISFIED, comment="未解决")
        self.rate(reply, self.wangfang, Satisfaction.DISSATISFIED, comment="未解决")
        self.assertEqual(Proposal.objects.get(pk=proposal.pk).handling_round, 2)

    def test_a_dissatisfied_rating_of_one_separate_reply_waits_until_every_unit_has_replied(self):
        first, second = self.handling([(self.unit, SEPARATE), (self.other_unit, SEPARATE)])
        reply = self.sent(first)
        self.rate(reply, self.chencheng, Satisfaction.DISSATISFIED, comment="未解决")
        proposal = Proposal.objects.get(pk=first.proposal_id)
        self.assertEqual((proposal.status, proposal.handling_round), (ProposalStatus.ASSIGNED, 1))

        self.sent(second)
        proposal.refresh_from_db()
        self.assertEqual((proposal.status, proposal.handling_round), (ProposalStatus.ASSIGNED, 2))
        # Only the unit whose reply was rated 不满意 handles it again.
        self.assertEqual(
            list(Assignment.objects.filter(proposal=proposal, round=2).values_list("unit", flat=True)), [self.unit.pk]
        )

    def test_committee_may_reopen_a_closed_proposal_with_a_reason(self):
        proposal, (reply,) = self.replied()
        self.rate(reply, self.chencheng)
        self.rate(reply, self.wangfang)
        with self.assertRaises(WorkflowError):
            rehandle(proposal, actor=self.committee, reason=" ")
        with self.assertRaises(PermissionDenied):
            rehandle(proposal, actor=self.leader, reason="领导批示重新办理")
        (row,) = rehandle(proposal, actor=self.committee, reason="领导批示重新办理")
        self.assertEqual((row.round, row.unit, row.assigned_by), (2, self.unit, self.committee))
        self.assertEqual(last_event(proposal).actor, self.committee)


class ExtensionTests(HandlingTestCase):
    def test_a_unit_asks_for_an_extension_within_the_cap(self):
        (row,) = self.handling()
        request = request_extension(
            row, actor=self.handler, requested_until=dt.date(2023, 7, 3), reason="需协调多个部门"
        )
        self.assertEqual((request.status, request.requested_by), (RequestStatus.PENDING, self.handler))
        event = last_event(row.proposal)
        self.assertEqual(
            (event.verb, event.actor, event.to_status),
            (EventVerb.EXTENSION_REQUESTED, self.handler, RequestStatus.PENDING),
        )
        self.assertTrue(Notification.objects.filter(user=self.committee).exists())

    def test_it_refuses_an_extension_past_the_cap(self):
        (row,) = self.handling()
        with self.assertRaisesMessage(WorkflowError, "2023-09-01"):
            request_extension(row, actor=self.handler, requested_until=dt.date(2023, 9, 4), reason="需协调多个部门")

    def test_it_refuses_an_extension_not_after_the_current_due_date(self):
        (row,) = self.handling()
        with self.assertRaises(WorkflowError):
            request_extension(row, actor=self.handler, requested_until=dt.date(2023, 6, 1), reason="需协调多个部门")

    def test_it_refuses_an_extension_without_a_reason_or_for_a_cohandling_unit(self):
        lead, cohandling = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        with self.assertRaises(WorkflowError):
            request_extension(lead, actor=self.handler, requested_until=dt.date(2023, 7, 3), reason="")
        with self.assertRaises(WorkflowError):
            request_extension(
                cohandling, actor=self.other_handler, requested_until=dt.date(2023, 7, 3), reason="需协调"
            )

    def test_it_refuses_a_second_pending_extension(self):
        (row,) = self.handling()
        request_extension(row, actor=self.handler, requested_until=dt.date(2023, 7, 3), reason="需协调多个部门")
        with self.assertRaises(WorkflowError):
            request_extension(row, actor=self.handler, requested_until=dt.date(2023, 8, 1), reason="还需要时间")

    def test_committee_approves_an_extension_and_the_due_date_moves(self):
        (row,) = self.handling()
        request = request_extension(
            row, actor=self.handler, requested_until=dt.date(2023, 7, 3), reason="需协调多个部门"
        )
        request = decide_extension(request, actor=self.committee, approve=True)

        row.refresh_from_db()
        self.assertEqual(
            (request.status, request.approved_until, request.decided_by),
            (RequestStatus.APPROVED, dt.date(2023, 7, 3), self.committee),
        )
        self.assertEqual((row.reply_due, row.original_reply_due), (dt.date(2023, 7, 3), dt.date(2023, 6, 1)))
        self.assertIn("2023-07-03", row.reply_due_note)
        event = last_event(row.proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status, event.data["reply_due"]),
            (
                EventVerb.EXTENSION_APPROVED,
                self.committee,
                RequestStatus.PENDING,
                RequestStatus.APPROVED,
                ["2023-06-01", "2023-07-03"],
            ),
        )

    def test_committee_may_approve_a_different_date_but_never_past_the_cap(self):
        (row,) = self.handling()
        request = request_extension(
            row, actor=self.handler, requested_until=dt.date(2023, 9, 1), reason="需协调多个部门"
        )
        with self.assertRaises(WorkflowError):
            decide_extension(request, actor=self.committee, approve=True, approved_until=dt.date(2023, 9, 4))
        request = decide_extension(request, actor=self.committee, approve=True, approved_until=dt.date(2023, 8, 1))
        self.assertEqual(Assignment.objects.get(pk=row.pk).reply_due, dt.date(2023, 8, 1))

    def test_refusing_an_extension_needs_a_reason_and_keeps_the_due_date(self):
        (row,) = self.handling()
        request = request_extension(
            row, actor=self.handler, requested_until=dt.date(2023, 7, 3), reason="需协调多个部门"
        )
        with self.assertRaises(WorkflowError):
            decide_extension(request, actor=self.committee, approve=False)
        request = decide_extension(request, actor=self.committee, approve=False, note="时间充足")
        self.assertEqual((request.status, request.decision_note), (RequestStatus.REFUSED, "时间充足"))
        self.assertEqual(Assignment.objects.get(pk=row.pk).reply_due, dt.date(2023, 6, 1))

    def test_it_refuses_a_decision_by_unit_staff_or_twice(self):
        (row,) = self.handling()
        request = request_extension(
            row, actor=self.handler, requested_until=dt.date(2023, 7, 3), reason="需协调多个部门"
        )
        with self.assertRaises(PermissionDenied):
            decide_extension(request, actor=self.unitlead, approve=True)
        decide_extension(request, actor=self.committee, approve=True)
        with self.assertRaises(WorkflowError):
            decide_extension(request, actor=self.committee, approve=True)
        self.assertEqual(ExtensionRequest.objects.get().status, RequestStatus.APPROVED)
