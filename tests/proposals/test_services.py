"""Proposal workflow services: submission, co-signers, review, key proposals, publication, closing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from proposals.choices import (
    EventVerb,
    JointRule,
    ProposalKind,
    ProposalStatus,
    ProposerRole,
    ProposerStatus,
    RejectionGround,
)
from proposals.models import Event, Notification, Proposal, Proposer, SupervisionNote
from proposals.notifications import pending_emails
from proposals.services import (
    accept_proposal,
    add_supervision_note,
    answer_invitation,
    invite_cosigner,
    mark_key_proposal,
    merge_proposal,
    reject_proposal,
    submit_proposal,
    withdraw_proposal,
)
from proposals.workflow import WorkflowError, notify
from responses.choices import AssignmentRole, AssignmentStatus, ReplyStatus
from responses.models import Assignment, Reply
from tests.base import PersonaTestCase, make_proposal, make_session

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2023, 2, 20, 10, 0, tzinfo=SH)  # a Monday during the 2023 session's submission period


# setUpTestData runs before pytest's settings fixture, so the personas would get the slow production hasher.
FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


def last_event(proposal: Proposal) -> Event:
    return Event.objects.filter(proposal=proposal).order_by("pk").last()


@FAST_HASHER
class ProposalServiceTestCase(PersonaTestCase):
    def draft(self, **extra) -> Proposal:
        return make_proposal(self.chencheng, self.session, **extra)

    def submitted(self, **extra) -> Proposal:
        return make_proposal(self.chencheng, self.session, status=ProposalStatus.SUBMITTED, submitted_at=NOW, **extra)

    def replied(self, *, sent_at: dt.datetime = NOW, **extra) -> tuple[Proposal, Reply]:
        """A replied proposal with one sent reply, built from rows (the handling services have their own tests)."""
        proposal = make_proposal(
            self.chencheng,
            self.session,
            status=ProposalStatus.REPLIED,
            cosigners=[self.wangfang],
            number="2023160",
            serial=160,
            **extra,
        )
        assignment = Assignment.objects.create(
            proposal=proposal,
            unit=self.unit,
            role=AssignmentRole.SEPARATE,
            status=AssignmentStatus.REPLIED,
            assigned_by=self.committee,
            replied_at=sent_at,
        )
        reply = Reply.objects.create(
            assignment=assignment,
            status=ReplyStatus.SENT,
            sent_at=sent_at,
            drafted_by=self.handler,
            category=self.reply_categories["A"],
            body="关于福田区构建现代化产业体系的答复。",
            letter_number="福工信函〔2023〕160号",
        )
        return proposal, reply


@time_machine.travel(NOW, tick=False)
class SubmitProposalTests(ProposalServiceTestCase):
    def test_it_submits_a_draft_and_records_who_did_it(self):
        proposal = submit_proposal(self.draft(), actor=self.chencheng)

        self.assertEqual(proposal.status, ProposalStatus.SUBMITTED)
        self.assertEqual(proposal.submitted_at, NOW)
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status),
            (EventVerb.SUBMITTED, self.chencheng, ProposalStatus.DRAFT, ProposalStatus.SUBMITTED),
        )

    def test_it_refuses_submission_by_anyone_but_the_lead_proposer(self):
        proposal = self.draft(cosigners=[self.wangfang])
        for actor in (self.wangfang, self.committee, self.lihua):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                submit_proposal(proposal, actor=actor)
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, ProposalStatus.DRAFT)

    def test_it_refuses_to_submit_a_proposal_twice(self):
        proposal = self.submitted()
        with self.assertRaises(WorkflowError):
            submit_proposal(proposal, actor=self.chencheng)
        self.assertFalse(Event.objects.filter(proposal=proposal).exists())

    def test_it_refuses_a_proposal_without_suggestions(self):
        proposal = self.draft()
        Proposal.objects.filter(pk=proposal.pk).update(suggestions="  ")
        with self.assertRaises(WorkflowError):
            submit_proposal(proposal, actor=self.chencheng)

    def test_it_refuses_submission_after_the_session_closes(self):
        self.session.closes_on = dt.date(2023, 2, 19)
        self.session.save()
        with self.assertRaises(WorkflowError):
            submit_proposal(self.draft(), actor=self.chencheng)

    def test_under_the_all_rule_a_joint_proposal_waits_for_every_cosigner(self):
        self.session.joint_rule = JointRule.ALL
        self.session.save()
        proposal = self.draft(cosigners=[self.wangfang])
        Proposer.objects.create(proposal=proposal, user=self.lihua, status=ProposerStatus.INVITED, order=2)

        with self.assertRaises(WorkflowError):
            submit_proposal(proposal, actor=self.chencheng)

        Proposer.objects.filter(user=self.lihua).update(status=ProposerStatus.DECLINED)
        self.assertEqual(submit_proposal(proposal, actor=self.chencheng).status, ProposalStatus.SUBMITTED)

    def test_under_the_all_rule_a_joint_proposal_needs_at_least_one_confirmed_cosigner(self):
        self.session.joint_rule = JointRule.ALL
        self.session.save()
        proposal = self.draft(cosigners=[self.wangfang], cosigner_status=ProposerStatus.DECLINED)
        with self.assertRaises(WorkflowError):
            submit_proposal(proposal, actor=self.chencheng)

    def test_under_the_minimum_rule_it_refuses_until_enough_cosigners_confirm(self):
        self.session.joint_rule = JointRule.MINIMUM
        self.session.joint_min_confirmed = 2
        self.session.save()
        proposal = self.draft(cosigners=[self.wangfang])
        Proposer.objects.create(proposal=proposal, user=self.lihua, status=ProposerStatus.INVITED, order=2)

        with self.assertRaisesMessage(WorkflowError, "2"):
            submit_proposal(proposal, actor=self.chencheng)

        Proposer.objects.filter(user=self.lihua).update(status=ProposerStatus.CONFIRMED)
        self.assertEqual(submit_proposal(proposal, actor=self.chencheng).status, ProposalStatus.SUBMITTED)

    def test_under_the_minimum_rule_pending_invitations_do_not_block_submission(self):
        proposal = self.draft(cosigners=[self.wangfang])
        Proposer.objects.create(proposal=proposal, user=self.lihua, status=ProposerStatus.INVITED, order=2)
        self.assertEqual(submit_proposal(proposal, actor=self.chencheng).status, ProposalStatus.SUBMITTED)


@time_machine.travel(NOW, tick=False)
class WithdrawProposalTests(ProposalServiceTestCase):
    def test_the_lead_withdraws_a_submitted_proposal_and_cosigners_are_told(self):
        proposal = self.submitted(cosigners=[self.wangfang])
        with self.captureOnCommitCallbacks(execute=True):
            proposal = withdraw_proposal(proposal, actor=self.chencheng, reason="情况已变化")

        self.assertEqual(proposal.status, ProposalStatus.WITHDRAWN)
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.note, event.from_status), (EventVerb.WITHDRAWN, "情况已变化", ProposalStatus.SUBMITTED)
        )
        self.assertTrue(Notification.objects.filter(user=self.wangfang, proposal=proposal).exists())
        self.assertEqual([m.to for m in mail.outbox], [["wangfang@example.org"]])

    def test_the_lead_withdraws_a_draft(self):
        self.assertEqual(withdraw_proposal(self.draft(), actor=self.chencheng).status, ProposalStatus.WITHDRAWN)

    def test_it_refuses_to_withdraw_an_accepted_proposal(self):
        proposal = self.draft(status=ProposalStatus.ACCEPTED)
        with self.assertRaises(WorkflowError):
            withdraw_proposal(proposal, actor=self.chencheng)

    def test_it_refuses_withdrawal_by_a_cosigner(self):
        proposal = self.submitted(cosigners=[self.wangfang])
        with self.assertRaises(PermissionDenied):
            withdraw_proposal(proposal, actor=self.wangfang)


@time_machine.travel(NOW, tick=False)
class CosignerTests(ProposalServiceTestCase):
    def set_cutoff(self, when: dt.datetime) -> None:
        self.session.cosign_cutoff = when
        self.session.save()

    def test_the_lead_invites_a_cosigner_who_is_notified(self):
        proposal = self.draft()
        with self.captureOnCommitCallbacks(execute=True):
            proposer = invite_cosigner(proposal, actor=self.chencheng, user=self.wangfang)

        self.assertEqual(
            (proposer.role, proposer.status, proposer.order), (ProposerRole.COSIGNER, ProposerStatus.INVITED, 1)
        )
        proposal.refresh_from_db()
        self.assertEqual(proposal.kind, ProposalKind.JOINT)
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.object_type, event.object_id),
            (EventVerb.COSIGNER_INVITED, self.chencheng, "proposer", proposer.pk),
        )
        self.assertTrue(Notification.objects.filter(user=self.wangfang, proposal=proposal).exists())
        self.assertEqual(mail.outbox[0].to, ["wangfang@example.org"])

    def test_it_refuses_an_invitation_from_someone_other_than_the_lead(self):
        proposal = self.draft(cosigners=[self.wangfang])
        with self.assertRaises(PermissionDenied):
            invite_cosigner(proposal, actor=self.wangfang, user=self.lihua)

    def test_it_refuses_to_invite_someone_who_is_not_a_member(self):
        with self.assertRaises(WorkflowError):
            invite_cosigner(self.draft(), actor=self.chencheng, user=self.handler)

    def test_it_refuses_to_invite_someone_already_on_the_proposal(self):
        proposal = self.draft(cosigners=[self.wangfang])
        for user in (self.wangfang, self.chencheng):
            with self.subTest(user=user.username), self.assertRaises(WorkflowError):
                invite_cosigner(proposal, actor=self.chencheng, user=user)

    def test_it_invites_again_a_cosigner_who_declined(self):
        proposal = self.draft(cosigners=[self.wangfang], cosigner_status=ProposerStatus.DECLINED)
        proposer = invite_cosigner(proposal, actor=self.chencheng, user=self.wangfang)
        self.assertEqual(proposer.status, ProposerStatus.INVITED)
        self.assertEqual(Proposer.objects.filter(proposal=proposal).count(), 2)

    def test_it_refuses_to_invite_to_a_collective_proposal(self):
        proposal = self.draft(collective_author="民盟福田区基层委员会")
        Proposal.objects.filter(pk=proposal.pk).update(kind=ProposalKind.COLLECTIVE)
        with self.assertRaises(WorkflowError):
            invite_cosigner(proposal, actor=self.chencheng, user=self.wangfang)

    def test_it_refuses_new_invitations_once_submitted_even_before_the_cutoff(self):
        # Issue 18: the committee reviews a submitted proposal with the proposers it was submitted with;
        # those invited before submission may still answer until the cutoff.
        self.set_cutoff(NOW + dt.timedelta(days=1))
        with self.assertRaises(WorkflowError):
            invite_cosigner(self.submitted(), actor=self.chencheng, user=self.wangfang)

    def test_it_refuses_invitations_on_a_submitted_proposal_after_the_cutoff(self):
        self.set_cutoff(NOW - dt.timedelta(minutes=1))
        with self.assertRaises(WorkflowError):
            invite_cosigner(self.submitted(), actor=self.chencheng, user=self.wangfang)

    def test_it_refuses_invitations_on_an_accepted_proposal(self):
        with self.assertRaises(WorkflowError):
            invite_cosigner(self.draft(status=ProposalStatus.ACCEPTED), actor=self.chencheng, user=self.wangfang)

    def test_an_invited_member_confirms_before_the_cutoff_and_the_lead_is_told(self):
        self.set_cutoff(NOW + dt.timedelta(hours=1))
        proposal = self.submitted(cosigners=[self.wangfang], cosigner_status=ProposerStatus.INVITED)
        proposer = answer_invitation(proposal.proposers.get(user=self.wangfang), actor=self.wangfang, accept=True)

        self.assertEqual(
            (proposer.status, proposer.confirmed_at, proposer.responded_at), (ProposerStatus.CONFIRMED, NOW, NOW)
        )
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status),
            (EventVerb.COSIGNER_CONFIRMED, self.wangfang, ProposerStatus.INVITED, ProposerStatus.CONFIRMED),
        )
        self.assertTrue(Notification.objects.filter(user=self.chencheng, proposal=proposal).exists())

    def test_an_invited_member_declines(self):
        proposal = self.draft(cosigners=[self.wangfang], cosigner_status=ProposerStatus.INVITED)
        proposer = answer_invitation(proposal.proposers.get(user=self.wangfang), actor=self.wangfang, accept=False)
        self.assertEqual((proposer.status, proposer.confirmed_at), (ProposerStatus.DECLINED, None))
        self.assertEqual(last_event(proposal).verb, EventVerb.COSIGNER_DECLINED)

    def test_it_refuses_an_answer_after_the_cutoff(self):
        self.set_cutoff(NOW - dt.timedelta(seconds=1))
        proposal = self.submitted(cosigners=[self.wangfang], cosigner_status=ProposerStatus.INVITED)
        with self.assertRaises(WorkflowError):
            answer_invitation(proposal.proposers.get(user=self.wangfang), actor=self.wangfang, accept=True)

    def test_it_refuses_an_answer_from_someone_else(self):
        proposal = self.draft(cosigners=[self.wangfang], cosigner_status=ProposerStatus.INVITED)
        for actor in (self.chencheng, self.lihua):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                answer_invitation(proposal.proposers.get(user=self.wangfang), actor=actor, accept=True)

    def test_it_refuses_to_answer_twice(self):
        proposal = self.draft(cosigners=[self.wangfang], cosigner_status=ProposerStatus.INVITED)
        proposer = proposal.proposers.get(user=self.wangfang)
        answer_invitation(proposer, actor=self.wangfang, accept=True)
        with self.assertRaises(WorkflowError):
            answer_invitation(proposer, actor=self.wangfang, accept=False)


@time_machine.travel(NOW, tick=False)
class AcceptProposalTests(ProposalServiceTestCase):
    def test_numbers_follow_the_default_format_2023001_2023002_2023003(self):
        numbers = [accept_proposal(self.submitted(), actor=self.committee).number for _ in range(3)]
        self.assertEqual(numbers, ["2023001", "2023002", "2023003"])
        self.session.refresh_from_db()
        self.assertEqual(self.session.next_serial, 4)

    def test_it_continues_from_the_sessions_counter(self):
        self.session.next_serial = 160
        self.session.save()
        proposal = accept_proposal(self.submitted(), actor=self.committee)
        self.assertEqual((proposal.number, proposal.serial), ("2023160", 160))

    def test_it_skips_a_number_already_taken_in_the_session(self):
        self.submitted(number="2023001", serial=None, title="关于手工编号的建议")
        self.assertEqual(accept_proposal(self.submitted(), actor=self.committee).number, "2023002")

    def test_each_session_numbers_its_own_proposals_in_its_own_format(self):
        other = make_session(
            name="六届四次会议", term=6, meeting=4, year=2024, is_current=False, number_format="{year}-{serial:04d}"
        )
        accept_proposal(self.submitted(), actor=self.committee)
        proposal = make_proposal(self.chencheng, other, status=ProposalStatus.SUBMITTED)
        self.assertEqual(accept_proposal(proposal, actor=self.committee).number, "2024-0001")

    def test_it_records_the_accept_event_and_tells_the_proposers(self):
        proposal = self.submitted(cosigners=[self.wangfang])
        with self.captureOnCommitCallbacks(execute=True):
            proposal = accept_proposal(proposal, actor=self.committee)

        self.assertEqual((proposal.status, proposal.accepted_at), (ProposalStatus.ACCEPTED, NOW))
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status, event.data),
            (
                EventVerb.ACCEPTED,
                self.committee,
                ProposalStatus.SUBMITTED,
                ProposalStatus.ACCEPTED,
                {"number": "2023001"},
            ),
        )
        self.assertEqual(Notification.objects.filter(proposal=proposal).count(), 2)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["chencheng@example.org", "wangfang@example.org"])

    def test_a_superuser_counts_as_committee_staff(self):
        self.leader.is_superuser = True
        self.leader.save()
        self.assertEqual(accept_proposal(self.submitted(), actor=self.leader).status, ProposalStatus.ACCEPTED)

    def test_it_refuses_acceptance_by_anyone_but_committee_staff(self):
        proposal = self.submitted()
        for actor in (self.chencheng, self.handler, self.unitlead, self.leader):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                accept_proposal(proposal, actor=actor)

    def test_it_refuses_to_accept_a_draft_and_uses_no_number(self):
        with self.assertRaises(WorkflowError):
            accept_proposal(self.draft(), actor=self.committee)
        self.session.refresh_from_db()
        self.assertEqual(self.session.next_serial, 1)

    def test_it_refuses_to_accept_twice(self):
        proposal = accept_proposal(self.submitted(), actor=self.committee)
        with self.assertRaises(WorkflowError):
            accept_proposal(proposal, actor=self.committee)


@time_machine.travel(NOW, tick=False)
class RejectProposalTests(ProposalServiceTestCase):
    def test_it_rejects_on_a_standard_ground_and_may_convert_to_an_opinion(self):
        proposal = reject_proposal(
            self.submitted(), actor=self.committee, ground=RejectionGround.PERSONAL, convert_to_suggestion=True
        )
        self.assertEqual(
            (proposal.status, proposal.rejection_ground, proposal.converted_to_suggestion, proposal.number),
            (ProposalStatus.REJECTED, RejectionGround.PERSONAL, True, ""),
        )
        event = last_event(proposal)
        self.assertEqual(
            (event.verb, event.actor, event.to_status), (EventVerb.REJECTED, self.committee, ProposalStatus.REJECTED)
        )
        self.assertTrue(Notification.objects.filter(user=self.chencheng, proposal=proposal).exists())

    def test_it_keeps_the_free_text_reason(self):
        proposal = reject_proposal(
            self.submitted(), actor=self.committee, ground=RejectionGround.OTHER, reason=" 属于信访事项 "
        )
        self.assertEqual(proposal.rejection_reason, "属于信访事项")

    def test_it_refuses_the_other_ground_without_a_reason(self):
        with self.assertRaises(WorkflowError):
            reject_proposal(self.submitted(), actor=self.committee, ground=RejectionGround.OTHER, reason="  ")

    def test_it_refuses_an_unknown_ground(self):
        with self.assertRaises(WorkflowError):
            reject_proposal(self.submitted(), actor=self.committee, ground="bored")

    def test_it_refuses_to_reject_an_accepted_proposal(self):
        with self.assertRaises(WorkflowError):
            reject_proposal(
                self.draft(status=ProposalStatus.ACCEPTED), actor=self.committee, ground=RejectionGround.SECRET
            )

    def test_it_refuses_rejection_by_a_member(self):
        with self.assertRaises(PermissionDenied):
            reject_proposal(self.submitted(), actor=self.chencheng, ground=RejectionGround.SECRET)


@time_machine.travel(NOW, tick=False)
class MergeProposalTests(ProposalServiceTestCase):
    def test_it_folds_one_proposal_into_another_and_keeps_its_proposers(self):
        target = make_proposal(
            self.wangfang, self.session, status=ProposalStatus.SUBMITTED, title="关于发展时尚产业的建议"
        )
        merged = merge_proposal(self.submitted(), actor=self.committee, into=target, note="内容相近")

        self.assertEqual((merged.status, merged.merged_into), (ProposalStatus.MERGED, target))
        self.assertEqual(list(merged.proposers.values_list("user__username", flat=True)), ["chencheng"])
        event = last_event(merged)
        self.assertEqual(
            (event.verb, event.actor, event.from_status, event.to_status, event.object_id),
            (EventVerb.MERGED, self.committee, ProposalStatus.SUBMITTED, ProposalStatus.MERGED, target.pk),
        )
        merged_in = last_event(target)
        self.assertEqual(
            (merged_in.verb, merged_in.object_id, merged_in.note), (EventVerb.MERGED_IN, merged.pk, "内容相近")
        )

    def test_it_refuses_to_merge_a_proposal_into_itself(self):
        proposal = self.submitted()
        with self.assertRaises(WorkflowError):
            merge_proposal(proposal, actor=self.committee, into=proposal)

    def test_it_refuses_to_merge_across_sessions(self):
        other = make_session(name="六届四次会议", term=6, meeting=4, year=2024, is_current=False)
        target = make_proposal(self.wangfang, other, status=ProposalStatus.SUBMITTED)
        with self.assertRaises(WorkflowError):
            merge_proposal(self.submitted(), actor=self.committee, into=target)

    def test_it_refuses_to_merge_into_a_rejected_proposal(self):
        target = make_proposal(self.wangfang, self.session, status=ProposalStatus.REJECTED)
        with self.assertRaises(WorkflowError):
            merge_proposal(self.submitted(), actor=self.committee, into=target)

    def test_it_refuses_to_merge_an_accepted_proposal(self):
        target = make_proposal(self.wangfang, self.session, status=ProposalStatus.SUBMITTED)
        with self.assertRaises(WorkflowError):
            merge_proposal(self.draft(status=ProposalStatus.ACCEPTED), actor=self.committee, into=target)

    def test_it_refuses_a_merge_by_a_member(self):
        target = make_proposal(self.wangfang, self.session, status=ProposalStatus.SUBMITTED)
        with self.assertRaises(PermissionDenied):
            merge_proposal(self.submitted(), actor=self.chencheng, into=target)


@time_machine.travel(NOW, tick=False)
class KeyProposalTests(ProposalServiceTestCase):
    def test_committee_marks_a_key_proposal_with_a_supervising_leader(self):
        proposal = mark_key_proposal(
            self.draft(status=ProposalStatus.ASSIGNED), actor=self.committee, supervisor=self.leader
        )
        self.assertEqual((proposal.is_key, proposal.supervisor), (True, self.leader))
        event = last_event(proposal)
        self.assertEqual((event.verb, event.actor), (EventVerb.MARKED_KEY, self.committee))
        self.assertTrue(Notification.objects.filter(user=self.leader, proposal=proposal).exists())

    def test_committee_can_unmark_a_key_proposal(self):
        proposal = self.draft(status=ProposalStatus.ASSIGNED, is_key=True, supervisor=self.leader)
        proposal = mark_key_proposal(proposal, actor=self.committee, supervisor=None, is_key=False)
        self.assertEqual((proposal.is_key, proposal.supervisor), (False, None))

    def test_it_refuses_a_supervisor_who_is_not_a_leader(self):
        for supervisor in (self.committee, self.chencheng, None):
            with self.subTest(supervisor=supervisor), self.assertRaises(WorkflowError):
                mark_key_proposal(
                    self.draft(status=ProposalStatus.ACCEPTED), actor=self.committee, supervisor=supervisor
                )

    def test_it_refuses_to_mark_a_proposal_not_yet_accepted(self):
        with self.assertRaises(WorkflowError):
            mark_key_proposal(self.submitted(), actor=self.committee, supervisor=self.leader)

    def test_it_refuses_marking_by_a_leader(self):
        with self.assertRaises(PermissionDenied):
            mark_key_proposal(self.draft(status=ProposalStatus.ACCEPTED), actor=self.leader, supervisor=self.leader)

    def test_a_leader_adds_a_supervision_note(self):
        proposal = self.draft(status=ProposalStatus.ASSIGNED, is_key=True, supervisor=self.leader)
        note = add_supervision_note(proposal, actor=self.leader, body=" 请加快推进 ")
        self.assertEqual((note.body, note.author), ("请加快推进", self.leader))
        event = last_event(proposal)
        self.assertEqual((event.verb, event.actor, event.object_id), (EventVerb.SUPERVISION_NOTE, self.leader, note.pk))

    def test_it_refuses_a_blank_supervision_note(self):
        proposal = self.draft(status=ProposalStatus.ASSIGNED, is_key=True, supervisor=self.leader)
        with self.assertRaises(WorkflowError):
            add_supervision_note(proposal, actor=self.leader, body="   ")

    def test_it_refuses_a_note_on_a_proposal_that_is_not_key(self):
        with self.assertRaises(WorkflowError):
            add_supervision_note(self.draft(status=ProposalStatus.ASSIGNED), actor=self.leader, body="请加快")

    def test_it_refuses_a_note_from_a_member_or_unit_staff(self):
        proposal = self.draft(status=ProposalStatus.ASSIGNED, is_key=True, supervisor=self.leader)
        for actor in (self.chencheng, self.handler):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                add_supervision_note(proposal, actor=actor, body="请加快")
        self.assertFalse(SupervisionNote.objects.exists())


@FAST_HASHER
class NotifyTests(PersonaTestCase):
    def test_it_creates_one_notification_per_user_and_mails_after_commit(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            rows = notify(
                [self.chencheng, self.wangfang, self.chencheng], title="提案已立案", body="请查看", url="/p/1/"
            )
            self.assertEqual(mail.outbox, [])
        self.assertEqual(len(rows), 2)
        for callback in callbacks:
            callback()
        self.assertEqual([m.to for m in mail.outbox], [["chencheng@example.org"], ["wangfang@example.org"]])
        self.assertIn("http://localhost:8000/p/1/", mail.outbox[0].body)

    def test_in_app_only_sends_no_email(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            notify([self.chencheng], title="提案已立案", email=False)
        self.assertEqual((len(callbacks), len(mail.outbox)), (0, 0))
        self.assertEqual(Notification.objects.get().user, self.chencheng)

    def test_a_mail_failure_does_not_raise_and_the_email_stays_pending_for_the_sweep(self):
        with (
            mock.patch("proposals.notifications.send_mail", side_effect=OSError("mail server down")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            notify([self.chencheng], title="提案已立案")
        notification = Notification.objects.get()
        self.assertTrue(notification.email_pending)
        self.assertEqual(mail.outbox, [])

        call_command("send_reminders", "--once", stdout=StringIO())

        notification.refresh_from_db()
        self.assertFalse(notification.email_pending)
        self.assertIsNotNone(notification.emailed_at)
        self.assertEqual([m.to for m in mail.outbox], [[self.chencheng.email]])

    def test_a_dead_broker_leaves_the_email_for_the_sweep(self):
        with (
            mock.patch("proposals.tasks.send_notification_email.apply_async", side_effect=ConnectionError("down")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            notify([self.chencheng], title="提案已立案")
        self.assertTrue(Notification.objects.get().email_pending)
        self.assertEqual(pending_emails(older_than_seconds=0), [Notification.objects.get().pk])

    def test_nothing_is_sent_when_the_step_rolls_back(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    notify([self.chencheng], title="提案已立案")
                    raise WorkflowError("refused")
            except WorkflowError:
                pass
        self.assertEqual((len(callbacks), len(mail.outbox), Notification.objects.count()), (0, 0, 0))
