"""Publication (提案公开) and closing: the handling services that finish a proposal."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Event, Proposal
from proposals.workflow import WorkflowError
from responses.choices import ReplyStatus, Satisfaction
from responses.deadlines import feedback_window_ends
from responses.models import Feedback, Reply
from responses.services import close_proposal, publish_proposal
from tests.proposals.test_services import ProposalServiceTestCase

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2023, 2, 20, 10, 0, tzinfo=SH)  # a Monday during the 2023 session's submission period


# setUpTestData runs before pytest's settings fixture, so the personas would get the slow production hasher.
FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def last_event(proposal: Proposal) -> Event:
    return Event.objects.filter(proposal=proposal).order_by("pk").last()


@time_machine.travel(NOW, tick=False)
class PublishProposalTests(ProposalServiceTestCase):
    def test_it_publishes_a_replied_proposal_with_consent(self):
        proposal, _reply = self.replied()
        proposal = publish_proposal(proposal, actor=self.committee)
        self.assertEqual((proposal.is_published, proposal.published_at), (True, NOW))
        self.assertEqual(last_event(proposal).verb, EventVerb.PUBLISHED)
        self.assertIn(proposal, Proposal.objects.published())

    def test_it_refuses_without_a_sent_reply(self):
        proposal, reply = self.replied()
        Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.SIGNED)
        with self.assertRaises(WorkflowError):
            publish_proposal(proposal, actor=self.committee)

    def test_it_refuses_without_the_proposers_consent(self):
        proposal, _reply = self.replied(publication_consent=False, publication_refusal_reason="涉及企业信息")
        with self.assertRaises(WorkflowError):
            publish_proposal(proposal, actor=self.committee)

    def test_it_refuses_to_publish_twice(self):
        proposal, _reply = self.replied()
        publish_proposal(proposal, actor=self.committee)
        with self.assertRaises(WorkflowError):
            publish_proposal(proposal, actor=self.committee)

    def test_it_refuses_publication_by_unit_staff(self):
        proposal, _reply = self.replied()
        with self.assertRaises(PermissionDenied):
            publish_proposal(proposal, actor=self.handler)


@time_machine.travel(NOW, tick=False)
class CloseProposalTests(ProposalServiceTestCase):
    def window_end(self, reply: Reply) -> dt.date:
        return feedback_window_ends(self.session, reply.sent_at.astimezone(SH).date()).date

    def test_it_refuses_to_close_while_feedback_is_missing_and_the_window_is_open(self):
        proposal, reply = self.replied()
        Feedback.objects.create(
            reply=reply, user=self.chencheng, attitude=Satisfaction.SATISFIED, result=Satisfaction.SATISFIED
        )
        with time_machine.travel(dt.datetime.combine(self.window_end(reply), dt.time(18), SH), tick=False):
            with self.assertRaises(WorkflowError):
                close_proposal(proposal, actor=self.committee)

    def test_it_closes_once_the_feedback_window_has_ended(self):
        proposal, reply = self.replied()
        after = dt.datetime.combine(self.window_end(reply) + dt.timedelta(days=1), dt.time(9), SH)
        with time_machine.travel(after, tick=False):
            proposal = close_proposal(proposal, actor=self.committee)
        self.assertEqual((proposal.status, proposal.closed_at), (ProposalStatus.CLOSED, after))
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status),
            (EventVerb.CLOSED, self.committee, ProposalStatus.REPLIED, ProposalStatus.CLOSED),
        )

    def test_it_closes_once_every_proposer_has_rated(self):
        proposal, reply = self.replied()
        for user in (self.chencheng, self.wangfang):
            Feedback.objects.create(
                reply=reply, user=user, attitude=Satisfaction.SATISFIED, result=Satisfaction.BASICALLY
            )
        self.assertEqual(close_proposal(proposal, actor=self.committee).status, ProposalStatus.CLOSED)

    def test_the_scheduled_scan_may_close_without_an_actor(self):
        proposal, reply = self.replied()
        with time_machine.travel(dt.datetime.combine(self.window_end(reply) + dt.timedelta(days=1), dt.time(9), SH)):
            proposal = close_proposal(proposal, actor=None)
        self.assertIsNone(last_event(proposal).actor)

    def test_it_refuses_to_close_a_proposal_that_is_not_replied(self):
        with self.assertRaises(WorkflowError):
            close_proposal(self.draft(status=ProposalStatus.ASSIGNED), actor=self.committee)

    def test_it_refuses_closing_by_a_member(self):
        proposal, _reply = self.replied()
        with self.assertRaises(PermissionDenied):
            close_proposal(proposal, actor=self.chencheng)
