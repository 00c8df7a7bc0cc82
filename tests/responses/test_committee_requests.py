"""The committee decides return requests (申请退回) and extension requests (延期) in the admin."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Event, Notification
from responses import services
from responses.choices import AssignmentRole, AssignmentStatus, RequestStatus
from responses.deadlines import WorkCalendar
from responses.models import Assignment, ExtensionRequest, ReturnRequest
from tests.base import PersonaTestCase
from tests.proposals.helpers_committee import assigned, url


def decide_url(row) -> str:
    return reverse(f"admin:responses_{row._meta.model_name}_decide", args=[row.pk])


class ReturnDecisionTests(PersonaTestCase):
    def setUp(self) -> None:
        self.proposal, (self.assignment,) = assigned(self.committee, self.chencheng, self.session, self.unit)
        self.request = services.request_return(
            self.assignment, actor=self.handler, reason="不属于本单位职责", suggested_unit=self.other_unit
        )
        self.client.force_login(self.committee)

    def reassign(self, **data) -> dict:
        return {"approve": "1", "note": "", "reassign-assigned_on": dt.date.today().isoformat(), **data}

    def test_the_page_shows_the_request_and_proposes_the_suggested_unit_in_the_same_role(self):
        response = self.client.get(decide_url(self.request))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "不属于本单位职责")
        self.assertEqual(response.context["form"].initial["lead_unit"], self.other_unit)
        # The unit handing it back is not offered again.
        self.assertNotIn(self.unit, response.context["form"].fields["lead_unit"].queryset)

    def test_approve_and_reassign_hands_the_proposal_to_the_new_unit_in_one_step(self):
        response = self.client.post(
            decide_url(self.request), self.reassign(**{"reassign-lead_unit": self.other_unit.pk})
        )
        self.assertRedirects(response, url("assign", self.proposal.pk), fetch_redirect_response=False)
        self.request.refresh_from_db()
        self.assignment.refresh_from_db()
        self.proposal.refresh_from_db()
        self.assertEqual(self.request.status, RequestStatus.APPROVED)
        self.assertEqual(self.assignment.status, AssignmentStatus.RETURNED)
        new = Assignment.objects.get(proposal=self.proposal, unit=self.other_unit)
        self.assertEqual((new.role, new.status), (AssignmentRole.LEAD, AssignmentStatus.PENDING))
        self.assertEqual(self.proposal.status, ProposalStatus.ASSIGNED)
        verbs = list(Event.objects.filter(proposal=self.proposal).values_list("verb", flat=True))
        self.assertIn(EventVerb.RETURN_APPROVED, verbs)
        self.assertEqual(verbs.count(EventVerb.ASSIGNED), 2)

    def test_approve_without_units_sends_the_proposal_back_to_awaiting_assignment(self):
        self.client.post(decide_url(self.request), self.reassign())
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.ACCEPTED)
        self.assertEqual(Assignment.objects.filter(proposal=self.proposal).count(), 1)

    def test_a_reassignment_the_service_refuses_leaves_the_request_undecided(self):
        data = self.reassign(**{"reassign-cohandling_units": [self.other_unit.pk]})  # co-handling without a lead
        response = self.client.post(decide_url(self.request), data)
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].non_field_errors())
        self.request.refresh_from_db()
        self.assignment.refresh_from_db()
        self.assertEqual(self.request.status, RequestStatus.PENDING)
        self.assertEqual(self.assignment.status, AssignmentStatus.RETURN_REQUESTED)
        self.assertFalse(Event.objects.filter(proposal=self.proposal, verb=EventVerb.RETURN_APPROVED).exists())

    def test_refusing_needs_a_reason(self):
        response = self.client.post(decide_url(self.request), {"refuse": "1", "note": "  "})
        self.assertEqual(response.status_code, 400)
        self.assertIn("note", response.context["refuse_form"].errors)
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, RequestStatus.PENDING)

    def test_a_refusal_is_recorded_and_visible_to_the_unit(self):
        self.client.post(decide_url(self.request), {"refuse": "1", "note": "该事项属贵局职责范围，请继续办理。"})
        self.request.refresh_from_db()
        self.assignment.refresh_from_db()
        self.assertEqual(self.request.status, RequestStatus.REFUSED)
        self.assertEqual(self.assignment.status, AssignmentStatus.PENDING)
        self.assertTrue(Notification.objects.filter(user=self.handler, body__contains="请继续办理").exists())
        self.assertTrue(Event.objects.filter(proposal=self.proposal, verb=EventVerb.RETURN_REFUSED).exists())

        self.client.force_login(self.handler)
        listing = self.client.get(reverse("admin:responses_returnrequest_changelist"))
        self.assertContains(listing, "该事项属贵局职责范围")
        self.assertNotContains(listing, decide_url(self.request))
        page = self.client.get(reverse("admin:responses_returnrequest_change", args=[self.request.pk]))
        self.assertContains(page, "该事项属贵局职责范围，请继续办理。")

    def test_a_decided_request_shows_the_decision_and_no_forms(self):
        services.decide_return(self.request, actor=self.committee, approve=False, note="请继续办理")
        response = self.client.get(decide_url(self.request))
        self.assertFalse(response.context["pending"])
        self.assertContains(response, 'data-testid="decision"')
        self.assertNotContains(response, 'data-testid="approve"')
        response = self.client.post(decide_url(self.request), {"refuse": "1", "note": "再次"})
        self.assertEqual(response.status_code, 400)

    def test_the_committee_list_links_pending_requests_to_their_decision_page(self):
        listing = self.client.get(reverse("admin:responses_returnrequest_changelist"))
        self.assertContains(listing, decide_url(self.request))


class ExtensionDecisionTests(PersonaTestCase):
    def setUp(self) -> None:
        self.proposal, (self.assignment,) = assigned(self.committee, self.chencheng, self.session, self.unit)
        # A working day about a month later: a weekend or holiday would be moved to the next working day.
        calendar = WorkCalendar.load()
        self.wanted = self.assignment.reply_due + dt.timedelta(days=30)
        while not calendar.is_working_day(self.wanted):
            self.wanted += dt.timedelta(days=1)
        self.request = services.request_extension(
            self.assignment, actor=self.handler, requested_until=self.wanted, reason="需开展实地调研"
        )
        self.client.force_login(self.committee)

    def test_approving_the_requested_date_moves_the_reply_due_date(self):
        response = self.client.get(decide_url(self.request))
        self.assertEqual(response.context["approve_form"].initial["approved_until"], self.wanted)
        self.assertContains(response, self.assignment.reply_cap.isoformat())
        self.client.post(decide_url(self.request), {"approve": "1", "approved_until": self.wanted.isoformat()})
        self.assignment.refresh_from_db()
        self.request.refresh_from_db()
        self.assertEqual(self.assignment.reply_due, self.wanted)
        self.assertEqual((self.request.status, self.request.approved_until), (RequestStatus.APPROVED, self.wanted))
        self.assertTrue(Event.objects.filter(proposal=self.proposal, verb=EventVerb.EXTENSION_APPROVED).exists())

    def test_a_date_past_the_hard_cap_is_refused_beside_the_field(self):
        too_late = self.assignment.reply_cap + dt.timedelta(days=1)
        response = self.client.post(decide_url(self.request), {"approve": "1", "approved_until": too_late.isoformat()})
        self.assertEqual(response.status_code, 400)
        self.assertIn("approved_until", response.context["approve_form"].errors)
        self.request.refresh_from_db()
        self.assignment.refresh_from_db()
        self.assertEqual(self.request.status, RequestStatus.PENDING)
        self.assertNotEqual(self.assignment.reply_due, too_late)

    def test_the_cap_itself_may_be_approved(self):
        cap = self.assignment.reply_cap
        self.client.post(decide_url(self.request), {"approve": "1", "approved_until": cap.isoformat()})
        self.assignment.refresh_from_db()
        self.assertEqual(self.assignment.reply_due, cap)

    def test_refusal_needs_a_reason_and_is_visible_to_the_unit(self):
        response = self.client.post(decide_url(self.request), {"refuse": "1", "note": ""})
        self.assertEqual(response.status_code, 400)
        self.client.post(decide_url(self.request), {"refuse": "1", "note": "时间充足，请按期答复。"})
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, RequestStatus.REFUSED)
        self.client.force_login(self.handler)
        listing = self.client.get(reverse("admin:responses_extensionrequest_changelist"))
        self.assertContains(listing, "时间充足")
        self.assertEqual(
            ExtensionRequest.objects.visible_to(self.handler).get().decision_note, "时间充足，请按期答复。"
        )


class RequestListTests(PersonaTestCase):
    def test_only_committee_staff_see_the_decide_column(self):
        proposal, (assignment,) = assigned(self.committee, self.chencheng, self.session, self.unit)
        row = ReturnRequest.objects.create(assignment=assignment, reason="不属于本单位职责", requested_by=self.handler)
        for user, shown in ((self.committee, True), (self.handler, False), (self.leader, False)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(reverse("admin:responses_returnrequest_changelist"))
                self.assertEqual(decide_url(row) in response.content.decode(), shown)
