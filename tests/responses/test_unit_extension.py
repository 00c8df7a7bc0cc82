"""申请延期 from the unit's pages: the worklist and the assignment page offer it, the unit sees the state of
its request and is told the decision; an approved date is a working day within the cap."""

from __future__ import annotations

import datetime as dt

from proposals.choices import EventVerb
from proposals.models import Event, Notification
from responses import services
from responses.choices import RequestStatus
from responses.models import ExtensionRequest
from tests.responses.helpers_units import COHANDLING, LEAD, UnitPagesTestCase, admin_url

WORKLIST = admin_url("assignment_worklist")
SATURDAY = dt.date(2023, 7, 15)
MONDAY = dt.date(2023, 7, 17)


def handle_url(assignment) -> str:
    return admin_url("assignment_handle", assignment.pk)


class UnitAsksForMoreTimeTests(UnitPagesTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.handler)

    def test_the_worklist_row_offers_the_request_beside_the_next_step(self):
        assignment = self.handling()[0]
        page = self.client.get(WORKLIST)
        row = next(r for g in page.context["groups"] for r in g.rows if r.assignment.pk == assignment.pk)
        self.assertIn(f"{handle_url(assignment)}#extension", [action["url"] for action in row.actions])

    def test_the_handler_asks_on_the_assignment_page_and_sees_the_request_waiting(self):
        assignment = self.handling()[0]
        page = self.client.get(handle_url(assignment))
        self.assertTrue(page.context["can_request_extension"])
        self.assertContains(page, 'data-testid="extension-form"')

        response = self.client.post(
            handle_url(assignment),
            {"action": "extension", "reason": "需会同市级部门调研", "requested_until": "2023-07-14"},
        )

        self.assertRedirects(response, f"{handle_url(assignment)}#extension", fetch_redirect_response=False)
        request = ExtensionRequest.objects.get(assignment=assignment)
        self.assertEqual((request.status, request.requested_until), (RequestStatus.PENDING, dt.date(2023, 7, 14)))
        self.assertTrue(Notification.objects.filter(user=self.committee, title__contains=self.unit.name).exists())
        page = self.client.get(handle_url(assignment))
        self.assertFalse(page.context["can_request_extension"])
        self.assertContains(page, 'data-testid="extension-request" data-status="pending"')
        # The worklist marks the row and no longer offers a second request.
        row = next(r for g in self.client.get(WORKLIST).context["groups"] for r in g.rows)
        self.assertIn("extension", [key for key, _colour, _label in row.flags])
        self.assertNotIn(f"{handle_url(assignment)}#extension", [action["url"] for action in row.actions])

    def test_a_date_past_the_cap_is_refused_on_the_form_and_nothing_is_saved(self):
        assignment = self.handling()[0]
        response = self.client.post(
            handle_url(assignment),
            {"action": "extension", "reason": "需要更多时间", "requested_until": "2024-01-10"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("requested_until", response.context["extension_form"].errors)
        self.assertFalse(ExtensionRequest.objects.exists())

    def test_a_co_handling_unit_is_not_offered_the_request(self):
        _lead, cohandling = self.handling([(self.other_unit, LEAD), (self.unit, COHANDLING)])
        page = self.client.get(handle_url(cohandling))
        self.assertFalse(page.context["can_request_extension"])
        self.assertNotContains(page, 'data-testid="extension-form"')


class ExtensionDecisionTests(UnitPagesTestCase):
    def test_an_approved_saturday_moves_to_monday_with_the_reason_and_the_unit_is_told(self):
        assignment = self.handling()[0]
        request = services.request_extension(
            assignment, actor=self.handler, requested_until=SATURDAY, reason="需会同市级部门调研"
        )

        services.decide_extension(request, actor=self.committee, approve=True)

        assignment.refresh_from_db()
        request.refresh_from_db()
        self.assertEqual((assignment.reply_due, request.approved_until), (MONDAY, MONDAY))
        self.assertIn("2023-07-15", assignment.reply_due_note)
        self.assertIn("2023-07-17", assignment.reply_due_note)
        self.assertTrue(Notification.objects.filter(user=self.handler, title__contains="2023-07-17").exists())
        event = Event.objects.get(verb=EventVerb.EXTENSION_APPROVED)
        self.assertEqual(event.data["reply_due"][1], "2023-07-17")
        self.client.force_login(self.handler)
        page = self.client.get(handle_url(assignment))
        self.assertContains(page, 'data-testid="extension-request" data-status="approved"')

    def test_no_request_is_offered_once_the_reply_is_due_on_the_cap(self):
        assignment = self.handling()[0]
        request = services.request_extension(
            assignment, actor=self.handler, requested_until=assignment.reply_cap, reason="需要更多时间"
        )
        services.decide_extension(request, actor=self.committee, approve=True)
        self.client.force_login(self.handler)
        self.assertFalse(self.client.get(handle_url(assignment)).context["can_request_extension"])
