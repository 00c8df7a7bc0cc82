"""交办日期: staff give the day the assignment was made (often at a meeting, entered later); the due dates,
the unit's page, the export and the timeline use it, and it is neither in the future nor before 立案."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from proposals.workflow import WorkflowError
from responses.admin_assign import UnitsForm
from responses.deadlines import assignment_deadlines, recompute_provisional
from responses.services import assign_proposal
from tests.responses.helpers_units import LEAD, NOW, SH, TODAY, UnitPagesTestCase, admin_url

MEETING = dt.date(2023, 2, 20)  # the Monday the committee met and assigned it


class AssignmentDateTests(UnitPagesTestCase):
    def setUp(self) -> None:
        self.proposal = self.accepted(accepted_at=dt.datetime(2023, 2, 10, 10, tzinfo=SH))

    def assign(self, day):
        return assign_proposal(self.proposal, actor=self.committee, units_roles=[(self.unit, LEAD)], assigned_on=day)

    def test_due_dates_count_from_the_given_day_not_from_the_day_it_was_entered(self):
        (a,) = self.assign(MEETING)
        expected = assignment_deadlines(self.session, MEETING, with_opinion=False)
        self.assertEqual(a.assigned_on, MEETING)
        self.assertEqual((a.reply_due, a.return_window_ends), (expected["reply_due"], expected["return_window_ends"]))
        self.assertEqual(a.assigned_at, NOW)  # when it was entered is kept too

    def test_the_unit_page_the_export_and_the_timeline_show_the_assignment_date(self):
        (a,) = self.assign(MEETING)
        self.client.force_login(self.handler)
        page = self.client.get(admin_url("assignment_handle", a.pk))
        self.assertContains(page, '<dd data-testid="assigned-on">2023-02-20</dd>', html=False)

        self.client.force_login(self.committee)
        response = self.client.get("/dashboard/assignments/export.xlsx")
        rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
        row = next(row for row in rows[1:] if row[0] == self.proposal.number)
        self.assertEqual(row[7].date() if isinstance(row[7], dt.datetime) else row[7], MEETING)

        self.client.force_login(self.chencheng)
        detail = self.client.get(reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.assertContains(detail, "2023-02-20")

    def test_a_date_in_the_future_or_before_acceptance_is_refused(self):
        for day in (TODAY + dt.timedelta(days=1), dt.date(2023, 2, 9)):
            with self.subTest(day=day), self.assertRaises(WorkflowError):
                self.assign(day)
            form = UnitsForm({"lead_unit": self.unit.pk, "assigned_on": day.isoformat()}, proposals=[self.proposal])
            with self.subTest(form=day):
                self.assertIn("assigned_on", form.errors)
        self.assertFalse(self.proposal.assignments.exists())

    def test_recomputing_counts_from_the_assignment_date_not_from_when_it_was_entered(self):
        (a,) = self.assign(MEETING)
        before = (a.reply_due, a.return_window_ends, a.contact_due)
        type(a).objects.filter(pk=a.pk).update(deadlines_provisional=True)
        recompute_provisional()
        a.refresh_from_db()
        self.assertEqual((a.reply_due, a.return_window_ends, a.contact_due), before)
