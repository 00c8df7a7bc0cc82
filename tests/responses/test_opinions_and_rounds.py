"""The lead reply waits for every co-handling opinion or the committee's recorded waiver (会办意见), and a
new handling round (重新办理) closes what the earlier round left open."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from proposals.choices import EventVerb
from proposals.models import Event, Notification
from proposals.workflow import WorkflowError
from responses.choices import AssignmentStatus, ReplyStatus, RequestStatus, Satisfaction
from responses.models import ReturnRequest
from responses.services import accept_assignment, give_feedback, request_return, send_opinion, send_reply, waive_opinion
from tests.responses.helpers_units import COHANDLING, LEAD, UnitPagesTestCase, admin_url


class LeadReplyWaitsForOpinionsTests(UnitPagesTestCase):
    def setUp(self) -> None:
        self.lead, self.cohandler = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        self.contact(self.lead)
        self.reply = self.signed(self.lead)

    def test_the_lead_unit_cannot_send_while_an_opinion_is_missing_and_the_page_says_whose(self):
        with self.assertRaises(WorkflowError):
            send_reply(self.reply, actor=self.handler)
        self.client.force_login(self.handler)
        page = self.client.get(admin_url("reply_review", self.reply.pk))
        self.assertFalse(page.context["can_send"])
        self.assertContains(page, 'data-testid="missing-opinions"')
        self.assertContains(page, self.other_unit.name)

        self.client.post(admin_url("reply_review", self.reply.pk), {"action": "send"})
        self.reply.refresh_from_db()
        self.assertEqual(self.reply.status, ReplyStatus.SIGNED)

    def test_the_reply_goes_once_the_opinion_is_sent(self):
        send_opinion(self.cohandler, actor=self.other_handler, body="同意主办单位意见")
        self.assertEqual(send_reply(self.reply, actor=self.handler).status, ReplyStatus.SENT)

    def test_the_committee_waives_the_opinion_with_a_reason_on_the_co_handlers_page(self):
        self.client.force_login(self.committee)
        url = admin_url("assignment_handle", self.cohandler.pk)
        refused = self.client.post(url, {"action": "waive", "reason": "  "})
        self.assertIn("reason", refused.context["waive_form"].errors)

        self.client.post(url, {"action": "waive", "reason": "会办单位职能已划转，免于提交会办意见"})

        self.cohandler.refresh_from_db()
        self.assertEqual(self.cohandler.opinion_waived_by, self.committee)
        event = Event.objects.get(verb=EventVerb.OPINION_WAIVED)
        self.assertEqual(event.note, "会办单位职能已划转，免于提交会办意见")
        self.assertTrue(Notification.objects.filter(user=self.handler, title__contains=self.other_unit.name).exists())
        self.assertEqual(send_reply(self.reply, actor=self.handler).status, ReplyStatus.SENT)

    def test_only_committee_staff_may_waive(self):
        for user in (self.handler, self.other_handler, self.leader):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                waive_opinion(self.cohandler, actor=user, reason="不需要")
        self.client.force_login(self.handler)
        page = self.client.get(admin_url("assignment_handle", self.lead.pk))
        self.assertNotContains(page, "#waive")


class NewRoundClosesTheOldOneTests(UnitPagesTestCase):
    def test_a_co_handler_left_awaiting_acceptance_and_its_waiting_request_are_closed(self):
        lead, cohandler = self.assigned([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        request = request_return(cohandler, actor=self.other_handler, reason="不属于本单位职责")
        waive_opinion(cohandler, actor=self.committee, reason="退回申请待定，先行答复")
        lead = accept_assignment(lead, actor=self.handler)
        self.contact(lead)
        reply = send_reply(self.signed(lead), actor=self.handler)

        give_feedback(
            reply,
            actor=self.chencheng,
            attitude=Satisfaction.SATISFIED,
            result=Satisfaction.DISSATISFIED,
            comment="未落实",
        )

        cohandler.refresh_from_db()
        request = ReturnRequest.objects.get(pk=request.pk)
        self.assertEqual(cohandler.status, AssignmentStatus.SUPERSEDED)
        self.assertEqual(request.status, RequestStatus.REFUSED)
        self.assertIn("2", request.decision_note)
        new = cohandler.proposal.assignments.filter(round=2).order_by("pk")
        self.assertEqual(
            [(a.unit_id, a.status) for a in new],
            [(self.unit.pk, AssignmentStatus.PENDING), (self.other_unit.pk, AssignmentStatus.PENDING)],
        )
        rehandling = Event.objects.get(verb=EventVerb.REHANDLING)
        self.assertEqual(rehandling.data["superseded"][0]["from"], AssignmentStatus.RETURN_REQUESTED)
