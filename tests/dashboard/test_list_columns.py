"""The lists' columns and the dashboard's figures follow every kind of workflow step.

Each step runs through the real services and their commit callbacks; after it, the
list columns the services keep on each proposal (lead proposer, first unit, number of
units) must equal what its proposers and assignments say, and the dashboard, opened
by the committee and by each unit, must show the figures of the data as it is now
(never an overview kept from before the step).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import time_machine
from django.core.cache import cache
from django.test import override_settings

from accounts.choices import Role
from proposals.choices import ProposalStatus, ProposerRole, RejectionGround
from proposals.list_columns import fill_lead_names, refresh_lead_name
from proposals.models import Proposal
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
from responses.list_columns import fill_units
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
        """Every scope's overview, as served (perhaps from the shared cache), equals one computed afresh."""
        scopes = [
            (self.committee, self.session.pk),
            (self.committee, "all"),
            (self.handler, self.session.pk),
            (self.other_handler, "all"),
            (self.thirdhandler, self.session.pk),
        ]
        for user, session in scopes:
            self.client.force_login(user)
            served = self.overview(session=session)
            cache.clear()
            fresh = self.overview(session=session)
            self.assertEqual(served, fresh, f"{user.username}, session {session}")
        self.assert_list_columns_current()

    def overview(self, **params) -> str:
        """The overview as the signed-in user gets it, without the time it was computed."""
        html = self.client.get("/dashboard/", params).content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        return re.sub(r'<span id="computed-at">.*?</span>', "", main)

    def figures(self, **params):
        """The figures of the overview computed for this request (never taken from the cache)."""
        cache.clear()
        return self.client.get("/dashboard/", params).context["figures"]

    def assert_list_columns_current(self) -> None:
        """The list columns on each proposal equal what its live rows say (read here through the ORM)."""
        order = {LEAD: 0, SEPARATE: 1}
        for proposal in Proposal.objects.all():
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
                (proposal.lead_display, proposal.first_unit_id, proposal.unit_count),
                (lead.user.display_name if lead else "", current[0].unit_id if current else None, len(current)),
                f"list columns of proposal {proposal.pk}",
            )

    def draft(self, title: str = "关于福田区构建具有竞争力的现代化产业体系的建议") -> Proposal:
        proposal = make_proposal(self.chencheng, self.session, title=title, category=self.category)
        refresh_lead_name(proposal)  # made without the drafting service
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
        self.client.force_login(self.committee)
        figures = self.figures(session="all")
        self.assertEqual(figures.units[self.unit.pk].attitude[Satisfaction.SATISFIED], 3)

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
            self.client.force_login(self.handler)
            figures = self.figures()
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
        self.client.force_login(self.committee)
        counts = self.figures().by_status
        self.assertEqual(
            {k: v for k, v in counts.items() if v}, {"withdrawn": 1, "rejected": 1, "merged": 1, "accepted": 1}
        )


class FillTests(SummaryTestCase):
    def test_filling_in_bulk_gives_what_the_services_wrote(self):
        import importlib

        from django.core.management import call_command
        from django.db import connection

        proposal = self.draft()
        self.step(submit_proposal, proposal, actor=self.chencheng)
        self.step(accept_proposal, proposal, actor=self.committee)
        units_roles = [(self.other_unit, COHANDLING), (self.unit, LEAD), (self.third_unit, COHANDLING)]
        self.step(assign_proposal, proposal, actor=self.committee, units_roles=units_roles)
        columns = ("lead_display", "first_unit_id", "unit_count")
        kept = Proposal.objects.values_list(*columns).get(pk=proposal.pk)
        self.assertEqual(kept, ("陈澄", self.unit.pk, 3))
        migration = importlib.import_module("dashboard.migrations.0003_drop_counters")
        for fill in (
            lambda: (fill_lead_names(), fill_units()),
            lambda: call_command("fill_list_columns", verbosity=0),
            lambda: connection.cursor().execute(migration.FILL),
        ):
            Proposal.objects.update(lead_display="", first_unit_id=None, unit_count=0)
            fill()
            self.assertEqual(Proposal.objects.values_list(*columns).get(pk=proposal.pk), kept)

    def test_a_cache_that_is_down_makes_the_dashboard_compute_its_figures_each_time(self):
        from unittest import mock

        self.draft()
        self.client.force_login(self.committee)
        with mock.patch.object(cache, "get", side_effect=ConnectionError("down")):
            response = self.client.get("/dashboard/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["total_proposals"], 0)
