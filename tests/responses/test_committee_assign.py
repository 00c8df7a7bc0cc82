"""交办 in the admin: one proposal or many, a preview of the due dates with their explanations, then confirm."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Event, Proposal
from responses.choices import AssignmentRole, AssignmentStatus
from responses.deadlines import opinion_due, reply_due
from responses.models import Assignment
from tests.base import PersonaTestCase
from tests.proposals.helpers_committee import accepted, submitted, url


class AssignOneTests(PersonaTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.committee)
        self.proposal = accepted(self.committee, self.chencheng, self.session)
        self.today = timezone.localdate()

    def lead_and_cohandler(self, **extra) -> dict:
        return {
            "lead_unit": self.unit.pk,
            "cohandling_units": [self.other_unit.pk],
            "assigned_on": self.today.isoformat(),
            "instructions": "请主办单位牵头，会办单位一个月内提出会办意见。",
            **extra,
        }

    def test_the_preview_shows_each_units_due_dates_with_their_explanation_and_saves_nothing(self):
        response = self.client.post(url("assign", self.proposal.pk), self.lead_and_cohandler(step="preview"))
        self.assertEqual(response.status_code, 200)
        preview = {row["unit"]: row for row in response.context["preview"]}
        reply = reply_due(self.session, self.today)
        opinion = opinion_due(self.session, self.today)
        self.assertEqual(preview[self.unit]["reply_due"], reply.date)
        self.assertEqual(preview[self.other_unit]["opinion_due"], opinion.date)
        self.assertContains(response, reply.date.isoformat())
        self.assertContains(response, reply.note)
        self.assertContains(response, opinion.note)
        self.assertContains(response, 'name="step" value="confirm"')
        self.assertFalse(Assignment.objects.exists())
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.ACCEPTED)

    def test_confirming_assigns_the_lead_and_cohandling_units_with_the_previewed_dates(self):
        response = self.client.post(url("assign", self.proposal.pk), self.lead_and_cohandler(step="confirm"))
        self.assertRedirects(response, url("assign", self.proposal.pk), fetch_redirect_response=False)
        rows = {a.unit: a for a in Assignment.objects.filter(proposal=self.proposal)}
        self.assertEqual(rows[self.unit].role, AssignmentRole.LEAD)
        self.assertEqual(rows[self.other_unit].role, AssignmentRole.COHANDLING)
        self.assertEqual(rows[self.unit].reply_due, reply_due(self.session, self.today).date)
        self.assertEqual(rows[self.other_unit].opinion_due, opinion_due(self.session, self.today).date)
        self.assertEqual(rows[self.unit].instructions, "请主办单位牵头，会办单位一个月内提出会办意见。")
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.ASSIGNED)
        self.assertTrue(Event.objects.filter(proposal=self.proposal, verb=EventVerb.ASSIGNED).exists())

        page = self.client.get(url("assign", self.proposal.pk))
        self.assertContains(page, rows[self.unit].reply_due_note)
        self.assertContains(page, rows[self.other_unit].opinion_due_note)

    def test_several_separate_units_each_get_a_reply_due_date(self):
        data = {"separate_units": [self.unit.pk, self.other_unit.pk], "assigned_on": self.today.isoformat()}
        self.client.post(url("assign", self.proposal.pk), {**data, "step": "confirm"})
        roles = set(Assignment.objects.filter(proposal=self.proposal).values_list("role", flat=True))
        self.assertEqual(roles, {AssignmentRole.SEPARATE})
        self.assertEqual(Assignment.objects.filter(proposal=self.proposal).count(), 2)

    def test_due_dates_count_from_the_chosen_assignment_date(self):
        day = self.today - dt.timedelta(days=10)
        # Accepted (立案) at a meeting three weeks ago, assigned ten days ago, entered today.
        type(self.proposal).objects.filter(pk=self.proposal.pk).update(
            accepted_at=timezone.now() - dt.timedelta(days=21)
        )
        self.client.post(url("assign", self.proposal.pk), self.lead_and_cohandler(assigned_on=day, step="confirm"))
        lead = Assignment.objects.get(proposal=self.proposal, unit=self.unit)
        self.assertEqual(lead.reply_due, reply_due(self.session, day).date)

    def test_separate_units_with_a_lead_are_refused_beside_the_field_and_nothing_is_saved(self):
        data = self.lead_and_cohandler(separate_units=[self.third_unit.pk], step="confirm")
        response = self.client.post(url("assign", self.proposal.pk), data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("separate_units", response.context["form"].errors)
        self.assertFalse(Assignment.objects.exists())

    def test_a_combination_the_service_refuses_is_reported_at_preview(self):
        data = {"cohandling_units": [self.other_unit.pk], "assigned_on": self.today.isoformat(), "step": "preview"}
        response = self.client.post(url("assign", self.proposal.pk), data)
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertIsNone(response.context["preview"])
        self.assertFalse(Assignment.objects.exists())

    def test_no_unit_or_a_future_date_is_refused(self):
        response = self.client.post(url("assign", self.proposal.pk), {"assigned_on": self.today.isoformat()})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].non_field_errors())
        tomorrow = (self.today + dt.timedelta(days=1)).isoformat()
        response = self.client.post(url("assign", self.proposal.pk), self.lead_and_cohandler(assigned_on=tomorrow))
        self.assertIn("assigned_on", response.context["form"].errors)
        self.assertFalse(Assignment.objects.exists())

    def test_a_submitted_proposal_cannot_be_assigned_here(self):
        proposal = submitted(self.wangfang, self.session, title="关于待审查的建议")
        response = self.client.get(url("assign", proposal.pk))
        self.assertFalse(response.context["can_assign"])
        self.assertContains(response, url("review", proposal.pk))
        self.client.post(url("assign", proposal.pk), self.lead_and_cohandler(step="confirm"))
        self.assertFalse(Assignment.objects.filter(proposal=proposal).exists())

    def test_an_assigned_proposal_takes_more_units_and_offers_only_units_not_yet_on_it(self):
        self.client.post(url("assign", self.proposal.pk), self.lead_and_cohandler(step="confirm"))
        response = self.client.get(url("assign", self.proposal.pk))
        offered = set(response.context["form"].fields["cohandling_units"].queryset)
        self.assertEqual(offered, {self.third_unit})
        data = {"cohandling_units": [self.third_unit.pk], "assigned_on": self.today.isoformat(), "step": "confirm"}
        self.client.post(url("assign", self.proposal.pk), data)
        self.assertEqual(Assignment.objects.filter(proposal=self.proposal).count(), 3)


class AssignManyTests(PersonaTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.committee)
        self.today = timezone.localdate()
        self.first = accepted(self.committee, self.chencheng, self.session, title="关于甲的建议")
        self.second = accepted(self.committee, self.wangfang, self.session, title="关于乙的建议")
        self.data = {"lead_unit": self.unit.pk, "assigned_on": self.today.isoformat()}

    def test_the_list_action_sends_the_ticked_accepted_proposals_to_the_bulk_page(self):
        response = self.client.post(
            url("changelist"),
            {"action": "assign_selected", "_selected_action": [self.first.pk, self.second.pk]},
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(url("assign_many")))
        page = self.client.get(response["Location"])
        self.assertEqual({p.pk for p in page.context["rows"] if p.selected}, {self.first.pk, self.second.pk})

    def test_preview_then_confirm_assigns_every_ticked_proposal_in_one_step(self):
        ids = [self.first.pk, self.second.pk]
        response = self.client.post(url("assign_many"), {**self.data, "proposals": ids, "step": "preview"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, reply_due(self.session, self.today).note)
        self.assertFalse(Assignment.objects.exists())

        response = self.client.post(url("assign_many"), {**self.data, "proposals": ids, "step": "confirm"})
        self.assertRedirects(response, url("assign_many"), fetch_redirect_response=False)
        self.assertEqual(
            set(Proposal.objects.filter(pk__in=ids).values_list("status", flat=True)), {ProposalStatus.ASSIGNED}
        )
        self.assertEqual(Assignment.objects.filter(unit=self.unit, status=AssignmentStatus.PENDING).count(), 2)

    def test_nothing_is_assigned_when_one_ticked_proposal_cannot_be(self):
        not_accepted = submitted(self.lihua, self.session, title="关于丙的建议")
        ids = [self.first.pk, not_accepted.pk]
        response = self.client.post(url("assign_many"), {**self.data, "proposals": ids, "step": "confirm"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("proposals", response.context["pick"].errors)
        self.assertFalse(Assignment.objects.exists())

    def test_ticking_nothing_is_refused(self):
        response = self.client.post(url("assign_many"), {**self.data, "step": "preview"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("proposals", response.context["pick"].errors)

    def test_the_bulk_page_runs_a_fixed_number_of_queries(self):
        from tests.proposals.helpers_committee import count_queries

        before = count_queries(self.client, url("assign_many"))
        for i in range(4):
            accepted(self.committee, self.lihua, self.session, title=f"关于第{i}件的建议")
        self.assertEqual(count_queries(self.client, url("assign_many")), before)
