"""The dashboard's counters stay equal to the live tables after every kind of workflow step.

Each step runs through the real services and their commit callbacks; after it,
the figures read from the counters must equal the figures computed from the
live tables (two independent implementations, dashboard.stats), for the
committee and for each unit, for the session and for all sessions.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings

from accounts.choices import Role
from dashboard import stats, summary
from dashboard.models import PendingRefresh, ProposalFacts, Stat
from proposals.choices import ProposalStatus, ProposerRole, RejectionGround
from proposals.models import Category, Event, Proposal, Proposer
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
from responses.choices import AssignmentRole, AssignmentStatus, ContactMethod, Satisfaction
from responses.models import Assignment
from responses.services import (
    accept_assignment,
    assign_many,
    assign_proposal,
    close_proposal,
    decide_extension,
    decide_return,
    give_feedback,
    log_contact,
    publish_proposal,
    rehandle,
    request_extension,
    request_return,
    save_reply_draft,
    send_back_reply,
    send_opinion,
    send_reply,
    sign_reply,
    submit_reply,
)
from tests.base import PersonaTestCase, make_proposal, make_user

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2023, 3, 1, 10, 0, tzinfo=SH)  # a Wednesday, soon after the 2023 session
LEAD, COHANDLING, SEPARATE = AssignmentRole.LEAD, AssignmentRole.COHANDLING, AssignmentRole.SEPARATE


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SH)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
@time_machine.travel(NOW, tick=False)
class SummaryTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.otherlead = make_user("otherlead", "钱局长", Role.UNIT_LEADER, cls.other_unit)
        cls.thirdhandler = make_user("thirdhandler", "吴经办", Role.UNIT_HANDLER, cls.third_unit)

    def step(self, action, *args, **kwargs):
        """Run one service call with its commit callbacks, then check every scope."""
        with self.captureOnCommitCallbacks(execute=True):
            result = action(*args, **kwargs)
        self.assert_current()
        return result

    def assert_current(self) -> None:
        self.assertFalse(PendingRefresh.objects.exists(), "a refresh was left pending")
        self.assertEqual(summary.stored_totals(), summary.live_totals())
        scopes = [(self.committee, None), (self.handler, self.unit.pk), (self.other_handler, self.other_unit.pk)]
        scopes.append((self.thirdhandler, self.third_unit.pk))
        for user, unit_id in scopes:
            for session_id in (self.session.pk, None):
                self.assertEqual(
                    stats.from_summary(session_id=session_id, unit_id=unit_id).comparable(),
                    stats.from_live_tables(user, session_id=session_id).comparable(),
                    f"{user.username}, session {session_id}",
                )
        self.assert_list_columns_current()

    def assert_list_columns_current(self) -> None:
        """The lists' columns kept on the facts rows equal what the live rows say (read here through the ORM)."""
        order = {LEAD: 0, SEPARATE: 1}
        for facts in ProposalFacts.objects.all():
            proposal = Proposal.objects.get(pk=facts.proposal_id)
            lead = proposal.proposers.filter(role=ProposerRole.LEAD).order_by("pk").first()
            current = sorted(
                (
                    a
                    for a in proposal.assignments.all()
                    if a.round == proposal.handling_round and a.status != AssignmentStatus.RETURNED
                ),
                key=lambda a: (order.get(a.role, 2), a.pk),
            )
            self.assertEqual(
                (facts.lead_name, facts.first_unit_id, facts.unit_count),
                (lead.user.display_name if lead else "", current[0].unit_id if current else None, len(current)),
                f"list columns of proposal {proposal.pk}",
            )

    def draft(self, title: str = "关于福田区构建具有竞争力的现代化产业体系的建议") -> Proposal:
        proposal = make_proposal(self.chencheng, self.session, title=title, category=self.category)
        summary.refresh([proposal.pk])  # rows made without a service: counted once by hand
        return proposal

    def reply_data(self, **extra) -> dict:
        data = {
            "category": self.reply_categories["A"],
            "letter_number": "福工信函〔2023〕160号",
            "body": "陈澄委员：您提出的建议收悉。现答复如下：……",
            "contact_person": "刘经办",
            "contact_phone": "0755-82918888",
        }
        data.update(extra)
        return data


class EveryTransitionTests(SummaryTestCase):
    def test_the_counters_follow_a_proposal_from_draft_to_closed_through_every_step(self):
        proposal = self.draft()
        self.assert_current()
        # Member steps: co-signer invited and confirmed, submission.
        proposer = self.step(invite_cosigner, proposal, actor=self.chencheng, user=self.wangfang)
        self.step(answer_invitation, proposer, actor=self.wangfang, accept=True)
        self.step(submit_proposal, proposal, actor=self.chencheng)
        # Committee: accept (立案), key proposal with a supervisor, a supervision note.
        self.step(accept_proposal, proposal, actor=self.committee)
        self.step(mark_key_proposal, proposal, actor=self.committee, supervisor=self.leader)
        self.step(add_supervision_note, proposal, actor=self.leader, body="请抓紧办理")
        # 交办: a lead unit with a co-handling unit.
        lead, cohandling = self.step(
            assign_proposal,
            proposal,
            actor=self.committee,
            units_roles=[(self.unit, LEAD), (self.other_unit, COHANDLING)],
        )
        self.step(accept_assignment, lead, actor=self.handler)
        self.step(accept_assignment, cohandling, actor=self.other_handler)
        # A return asked and refused.
        request = self.step(request_return, cohandling, actor=self.other_handler, reason="不属于本单位职责")
        self.step(decide_return, request, actor=self.committee, approve=False, note="属于本单位职责")
        self.step(send_opinion, Assignment.objects.get(pk=cohandling.pk), actor=self.other_handler, body="同意主办意见")
        self.step(
            log_contact,
            lead,
            actor=self.handler,
            contacted_on=NOW.date(),
            method=ContactMethod.MEETING,
            participants="陈澄、刘经办",
        )
        # An extension asked and approved moves the reply due date (the weekly and overdue counters).
        request = self.step(
            request_extension, lead, actor=self.handler, requested_until=dt.date(2023, 7, 3), reason="需协调多个部门"
        )
        self.step(decide_extension, request, actor=self.committee, approve=True)
        # The reply: drafted, submitted, sent back, submitted again, signed and sent.
        reply = self.step(save_reply_draft, lead, actor=self.handler, data=self.reply_data(), base_version=None)
        self.step(submit_reply, reply, actor=self.handler)
        self.step(send_back_reply, reply, actor=self.unitlead, comments="请补充具体措施")
        reply.refresh_from_db()
        reply = self.step(
            save_reply_draft,
            lead,
            actor=self.handler,
            data=self.reply_data(body="陈澄委员：……补充具体措施。"),
            base_version=reply.version,
        )
        self.step(submit_reply, reply, actor=self.handler)
        self.step(sign_reply, reply, actor=self.unitlead)
        with time_machine.travel(at(dt.date(2023, 4, 20)), tick=False):
            self.step(send_reply, reply, actor=self.handler)
            self.assertEqual(Proposal.objects.get(pk=proposal.pk).status, ProposalStatus.REPLIED)
            # 不满意 starts a new handling round by itself.
            self.step(
                give_feedback,
                reply,
                actor=self.chencheng,
                attitude=Satisfaction.SATISFIED,
                result=Satisfaction.DISSATISFIED,
                comment="措施不具体",
            )
        proposal.refresh_from_db()
        self.assertEqual((proposal.status, proposal.handling_round), (ProposalStatus.ASSIGNED, 2))
        with time_machine.travel(at(dt.date(2023, 4, 21)), tick=False):
            new_lead = Assignment.objects.get(proposal=proposal, round=2, role=LEAD)
            self.step(accept_assignment, new_lead, actor=self.handler)
            reply2 = self.step(
                save_reply_draft, new_lead, actor=self.handler, data=self.reply_data(), base_version=None
            )
            self.step(submit_reply, reply2, actor=self.handler)
            self.step(sign_reply, reply2, actor=self.unitlead)
        with time_machine.travel(at(dt.date(2023, 6, 1)), tick=False):
            self.step(send_reply, reply2, actor=self.handler)
            # Both proposers rate the new reply: the proposal closes.
            for user in (self.chencheng, self.wangfang):
                self.step(
                    give_feedback, reply2, actor=user, attitude=Satisfaction.SATISFIED, result=Satisfaction.BASICALLY
                )
            self.assertEqual(Proposal.objects.get(pk=proposal.pk).status, ProposalStatus.CLOSED)
            self.step(publish_proposal, proposal, actor=self.committee)
            # The committee reopens it (重新办理) and it can be closed again by hand later.
            self.step(rehandle, proposal, actor=self.committee, reason="领导批示重新办理")
        self.assertGreater(Stat.objects.filter(metric="fa").count(), 0)

    def test_separate_units_a_return_approved_and_bulk_assignment(self):
        first, second = self.draft(), self.draft("关于提升社区养老服务的建议")
        for proposal in (first, second):
            self.step(submit_proposal, proposal, actor=self.chencheng)
            self.step(accept_proposal, proposal, actor=self.committee)
        rows = self.step(
            assign_many,
            [first, second],
            actor=self.committee,
            units_roles=[(self.unit, SEPARATE), (self.third_unit, SEPARATE)],
        )
        third = next(row for row in rows if row.proposal_id == first.pk and row.unit_id == self.third_unit.pk)
        self.step(accept_assignment, third, actor=self.thirdhandler)
        request = self.step(request_return, third, actor=self.thirdhandler, reason="不属于本单位职责")
        self.step(decide_return, request, actor=self.committee, approve=True, note="同意退回")
        self.assertEqual(Assignment.objects.get(pk=third.pk).status, AssignmentStatus.RETURNED)
        # Sent after its due date: a late reply.
        ours = next(row for row in rows if row.proposal_id == first.pk and row.unit_id == self.unit.pk)
        self.step(accept_assignment, ours, actor=self.handler)
        reply = self.step(save_reply_draft, ours, actor=self.handler, data=self.reply_data(), base_version=None)
        self.step(submit_reply, reply, actor=self.handler)
        self.step(sign_reply, reply, actor=self.unitlead)
        with time_machine.travel(at(dt.date(2023, 8, 1)), tick=False):
            self.step(send_reply, reply, actor=self.handler)
            figures = stats.from_summary(session_id=self.session.pk, unit_id=self.unit.pk)
            self.assertEqual((figures.units[self.unit.pk].replied, figures.units[self.unit.pk].on_time), (1, 0))
            # The feedback window ended without a rating: closed by hand.
        with time_machine.travel(at(dt.date(2023, 9, 1)), tick=False):
            self.step(close_proposal, first, actor=self.committee)
        self.assertEqual(Proposal.objects.get(pk=first.pk).status, ProposalStatus.CLOSED)

    def test_withdrawn_rejected_merged_and_unmarked_proposals(self):
        unsent, withdrawn, rejected, merged, target = (self.draft(f"关于第{i}项工作的建议") for i in range(5))
        # A draft withdrawn before submission never reached the committee: it is not counted.
        self.step(withdraw_proposal, unsent, actor=self.chencheng, reason="暂不提交")
        for proposal in (withdrawn, rejected, merged, target):
            self.step(submit_proposal, proposal, actor=self.chencheng)
        self.step(withdraw_proposal, withdrawn, actor=self.chencheng, reason="重复提交")
        self.step(reject_proposal, rejected, actor=self.committee, ground=RejectionGround.PERSONAL, reason="个人事务")
        self.step(accept_proposal, target, actor=self.committee)
        self.step(merge_proposal, merged, actor=self.committee, into=target, note="内容相近")
        self.step(mark_key_proposal, target, actor=self.committee, supervisor=self.leader)
        self.step(mark_key_proposal, target, actor=self.committee, supervisor=None, is_key=False)
        counts = stats.from_summary(session_id=self.session.pk, unit_id=None).by_status
        self.assertEqual(
            {k: v for k, v in counts.items() if v}, {"withdrawn": 1, "rejected": 1, "merged": 1, "accepted": 1}
        )


class MaintenanceTests(SummaryTestCase):
    def test_a_refresh_that_failed_after_its_commit_is_left_pending_and_the_sweep_does_it(self):
        proposal = self.draft()
        # The commit callbacks are not run here, as if the process died right after the commit.
        submit_proposal(proposal, actor=self.chencheng)
        self.assertTrue(PendingRefresh.objects.filter(pk=proposal.pk).exists())
        self.assertNotEqual(summary.stored_totals(), summary.live_totals())
        self.assertEqual(summary.refresh_pending(), 1)
        self.assert_current()

    def test_a_refresh_is_idempotent_and_a_deleted_proposal_leaves_the_counters(self):
        proposal = self.draft()
        self.step(submit_proposal, proposal, actor=self.chencheng)
        before = summary.stored_totals()
        summary.refresh([proposal.pk, proposal.pk])
        self.assertEqual(summary.stored_totals(), before)
        Proposer.objects.filter(proposal=proposal).delete()
        Event.objects.filter(proposal=proposal).delete()
        proposal.delete()
        self.assertFalse(ProposalFacts.objects.filter(pk=proposal.pk).exists())
        self.assertEqual(summary.stored_totals(), {})
        self.assert_current()

    def test_a_rebuild_gives_the_same_counters_as_the_steps_did(self):
        proposal = self.draft()
        self.step(submit_proposal, proposal, actor=self.chencheng)
        self.step(accept_proposal, proposal, actor=self.committee)
        self.step(assign_proposal, proposal, actor=self.committee, units_roles=[(self.unit, LEAD)])
        before = summary.stored_totals()
        self.assertEqual(summary.rebuild(), 1)
        self.assertEqual(summary.stored_totals(), before)
        self.assertEqual(ProposalFacts.objects.get(pk=proposal.pk).first_unit_id, self.unit.pk)
        self.assert_list_columns_current()

    def test_the_migration_fills_the_list_columns_as_the_refresh_does(self):
        import importlib

        from django.db import connection

        proposal = self.draft()
        self.step(submit_proposal, proposal, actor=self.chencheng)
        self.step(accept_proposal, proposal, actor=self.committee)
        units_roles = [(self.other_unit, COHANDLING), (self.unit, LEAD), (self.third_unit, COHANDLING)]
        self.step(assign_proposal, proposal, actor=self.committee, units_roles=units_roles)
        kept = ProposalFacts.objects.values_list("lead_name", "first_unit_id", "unit_count").get(pk=proposal.pk)
        self.assertEqual(kept, ("陈澄", self.unit.pk, 3))
        ProposalFacts.objects.update(lead_name="", first_unit_id=None, unit_count=0)
        migration = importlib.import_module("dashboard.migrations.0002_list_columns")
        with connection.cursor() as cursor:
            cursor.execute(migration.FILL)
        filled = ProposalFacts.objects.values_list("lead_name", "first_unit_id", "unit_count").get(pk=proposal.pk)
        self.assertEqual(filled, kept)

    def test_a_proposal_changed_in_the_admin_is_counted_again(self):
        from django.contrib.admin.models import CHANGE, LogEntry

        proposal = self.draft()
        self.step(submit_proposal, proposal, actor=self.chencheng)
        # The admin's proposer inline makes 王芳 the lead proposer and its form changes the category: no event.
        Proposer.objects.filter(proposal=proposal).delete()
        Proposer.objects.create(proposal=proposal, user=self.wangfang, role=ProposerRole.LEAD)
        other = Category.objects.create(name="社会事业", order=2)
        Proposal.objects.filter(pk=proposal.pk).update(category=other)
        with self.captureOnCommitCallbacks(execute=True):
            LogEntry.objects.log_actions(self.committee.pk, [proposal], CHANGE, single_object=True)
        self.assertEqual(ProposalFacts.objects.get(pk=proposal.pk).lead_name, self.wangfang.display_name)
        self.assert_current()

    def test_a_renamed_lead_proposer_shows_under_the_new_name(self):
        proposal = self.draft()
        self.step(submit_proposal, proposal, actor=self.chencheng)
        self.chencheng.last_login = NOW
        self.chencheng.save(update_fields=["last_login"])  # signing in changes no name
        self.assertEqual(ProposalFacts.objects.get(pk=proposal.pk).lead_name, "陈澄")
        self.chencheng.full_name = "陈澄澄"
        self.chencheng.save()
        self.assertEqual(ProposalFacts.objects.get(pk=proposal.pk).lead_name, "陈澄澄")
        self.assert_list_columns_current()

    def test_the_command_checks_the_counters(self):
        from django.core.management import CommandError, call_command

        proposal = self.draft()
        self.step(submit_proposal, proposal, actor=self.chencheng)
        call_command("refresh_dashboard", "--check", verbosity=0)
        Stat.objects.filter(metric="pc").update(value=5)
        with self.assertRaises(CommandError):
            call_command("refresh_dashboard", "--check", verbosity=0)
        call_command("refresh_dashboard", "--rebuild", "--check", verbosity=0)
        self.assertEqual(Proposer.objects.filter(proposal=proposal, role=ProposerRole.LEAD).count(), 1)
