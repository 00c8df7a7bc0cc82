"""One assignment in the admin: accept (签收), ask to return it, log contacts, send the co-handling opinion."""

from __future__ import annotations

import datetime as dt

import time_machine

from proposals.choices import EventVerb
from proposals.models import Event
from responses.choices import AssignmentStatus, ContactMethod, RequestStatus
from responses.models import Contact, Opinion, ReturnRequest
from responses.services import send_opinion
from tests.responses.helpers_units import COHANDLING, LEAD, NOW, TODAY, UnitPagesTestCase, admin_url


def handle_url(assignment) -> str:
    return admin_url("assignment_handle", assignment.pk)


class AcceptAndReturnTests(UnitPagesTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.handler)

    def test_the_handler_accepts_a_pending_assignment(self):
        assignment = self.assigned()[0]
        page = self.client.get(handle_url(assignment))
        self.assertTrue(page.context["can_accept"])
        self.assertContains(page, 'data-action="accept"')

        response = self.client.post(handle_url(assignment), {"action": "accept"})

        self.assertRedirects(response, handle_url(assignment))
        assignment.refresh_from_db()
        self.assertEqual((assignment.status, assignment.accepted_by), (AssignmentStatus.HANDLING, self.handler))
        self.assertTrue(Event.objects.filter(verb=EventVerb.ASSIGNMENT_ACCEPTED, actor=self.handler).exists())

    def test_accepting_twice_shows_the_refusal_and_changes_nothing(self):
        assignment = self.handling()[0]
        events = Event.objects.count()

        response = self.client.post(handle_url(assignment), {"action": "accept"}, follow=True)

        self.assertEqual(len(list(response.context["messages"])), 1)
        self.assertEqual(Event.objects.count(), events)

    def test_committee_staff_see_the_page_but_cannot_accept_for_the_unit(self):
        assignment = self.assigned()[0]
        self.client.force_login(self.committee)
        page = self.client.get(handle_url(assignment))
        self.assertEqual(page.status_code, 200)
        self.assertFalse(page.context["can_accept"])

        self.client.post(handle_url(assignment), {"action": "accept"})

        assignment.refresh_from_db()
        self.assertEqual(assignment.status, AssignmentStatus.PENDING)

    def test_the_handler_asks_to_return_within_the_window_with_a_reason(self):
        assignment = self.assigned()[0]

        response = self.client.post(
            handle_url(assignment),
            {
                "action": "return",
                "reason": "本提案涉及教育事项，建议由区教育局办理。",
                "suggested_unit": self.other_unit.pk,
            },
        )

        self.assertRedirects(response, handle_url(assignment))
        request = ReturnRequest.objects.get(assignment=assignment)
        self.assertEqual((request.status, request.suggested_unit), (RequestStatus.PENDING, self.other_unit))
        assignment.refresh_from_db()
        self.assertEqual(assignment.status, AssignmentStatus.RETURN_REQUESTED)
        self.assertContains(self.client.get(handle_url(assignment)), "本提案涉及教育事项")

    def test_a_return_without_a_reason_is_refused_next_to_the_field(self):
        assignment = self.assigned()[0]

        response = self.client.post(handle_url(assignment), {"action": "return", "reason": "   "})

        self.assertEqual(response.status_code, 200)
        self.assertIn("reason", response.context["return_form"].errors)
        self.assertFalse(ReturnRequest.objects.exists())

    def test_after_the_window_the_return_form_is_gone_and_a_posted_request_is_refused(self):
        assignment = self.assigned()[0]
        later = NOW + dt.timedelta(days=(assignment.return_window_ends - TODAY).days + 1)
        with time_machine.travel(later, tick=False):
            self.client.force_login(self.handler)
            page = self.client.get(handle_url(assignment))
            self.assertFalse(page.context["can_request_return"])
            self.assertNotContains(page, 'data-testid="return-form"')

            response = self.client.post(handle_url(assignment), {"action": "return", "reason": "不属于本单位职责"})

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["return_form"].non_field_errors())
        self.assertFalse(ReturnRequest.objects.exists())


class ContactLogTests(UnitPagesTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.handler)

    def contact_data(self, **extra) -> dict:
        data = {
            "action": "contact",
            "contacted_on": TODAY.isoformat(),
            "method": ContactMethod.MEETING,
            "participants": "陈澄委员；刘经办",
            "notes": "上门听取对时尚产业规划的意见。",
        }
        data.update(extra)
        return data

    def test_the_handler_logs_a_contact_and_it_shows_on_the_page(self):
        assignment = self.handling()[0]

        response = self.client.post(handle_url(assignment), self.contact_data())

        self.assertRedirects(response, handle_url(assignment) + "#contacts", fetch_redirect_response=False)
        contact = Contact.objects.get(assignment=assignment)
        self.assertEqual((contact.recorded_by, contact.method), (self.handler, ContactMethod.MEETING))
        self.assertContains(self.client.get(handle_url(assignment)), "上门听取对时尚产业规划的意见")

    def test_a_future_date_is_refused_next_to_the_field_and_nothing_is_saved(self):
        assignment = self.handling()[0]

        response = self.client.post(
            handle_url(assignment), self.contact_data(contacted_on=(TODAY + dt.timedelta(days=1)).isoformat())
        )

        self.assertEqual(response.status_code, 200)
        self.assertIn("contacted_on", response.context["contact_form"].errors)
        self.assertFalse(Contact.objects.exists())

    def test_no_contact_can_be_logged_before_accepting(self):
        assignment = self.assigned()[0]
        self.assertFalse(self.client.get(handle_url(assignment)).context["can_log_contact"])

        response = self.client.post(handle_url(assignment), self.contact_data())

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["contact_form"].non_field_errors())
        self.assertFalse(Contact.objects.exists())


class CoHandlingOpinionTests(UnitPagesTestCase):
    def test_a_co_handling_unit_sends_its_opinion_to_the_lead_unit(self):
        lead, cohandling = self.handling([(self.other_unit, LEAD), (self.unit, COHANDLING)])
        self.client.force_login(self.handler)
        self.assertTrue(self.client.get(handle_url(cohandling)).context["can_send_opinion"])

        response = self.client.post(handle_url(cohandling), {"action": "opinion", "body": "建议突出“时尚+科技”特色。"})

        self.assertRedirects(response, handle_url(cohandling))
        opinion = Opinion.objects.get(assignment=cohandling)
        self.assertEqual((opinion.author, opinion.is_late), (self.handler, False))
        cohandling.refresh_from_db()
        self.assertEqual(cohandling.status, AssignmentStatus.OPINION_SENT)

    def test_an_empty_opinion_is_refused_on_the_form(self):
        lead, cohandling = self.handling([(self.other_unit, LEAD), (self.unit, COHANDLING)])
        self.client.force_login(self.handler)

        response = self.client.post(handle_url(cohandling), {"action": "opinion", "body": " "})

        self.assertIn("body", response.context["opinion_form"].errors)
        self.assertFalse(Opinion.objects.exists())

    def test_the_lead_unit_sees_every_opinion_beside_its_draft_with_late_ones_marked(self):
        lead, on_time, late = self.handling(
            [(self.unit, LEAD), (self.other_unit, COHANDLING), (self.third_unit, COHANDLING)]
        )
        send_opinion(on_time, actor=self.other_handler, body="按时的会办意见")
        with time_machine.travel(NOW + dt.timedelta(days=60), tick=False):
            send_opinion(late, actor=self.third_handler, body="迟到的会办意见")
        self.client.force_login(self.handler)

        for url in (handle_url(lead), admin_url("assignment_reply", lead.pk)):
            with self.subTest(url=url):
                response = self.client.get(url)
                rows = {row["unit"]: row for row in response.context["cohandling"]}
                self.assertFalse(rows[self.other_unit]["opinion"].is_late)
                self.assertTrue(rows[self.third_unit]["opinion"].is_late)
                self.assertContains(response, "按时的会办意见")
                self.assertContains(response, "迟到的会办意见")
                self.assertContains(response, 'data-flag="late"', count=1)

    def test_the_lead_unit_sees_which_co_handlers_have_not_sent_yet(self):
        lead, cohandling = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        self.client.force_login(self.handler)

        rows = self.client.get(handle_url(lead)).context["cohandling"]

        self.assertEqual([(row["unit"], row["opinion"]) for row in rows], [(self.other_unit, None)])
