"""Due dates on China's official calendar, with real 2025 and 2026 holidays and 调休 days."""

import datetime as dt

import time_machine
from django.core.management import call_command
from django.test import SimpleTestCase
from django.utils import timezone

from proposals.choices import ProposalStatus
from responses.choices import AssignmentRole
from responses.deadlines import (
    WorkCalendar,
    add_months,
    assignment_deadlines,
    feedback_window_ends,
    reply_due,
    return_window_ends,
)
from responses.models import Assignment, CalendarYear, Holiday
from tests.base import PersonaTestCase, make_proposal

PACKAGE_ONLY = WorkCalendar({})


class AddMonthsTests(SimpleTestCase):
    def test_it_clamps_to_the_end_of_a_shorter_month(self):
        self.assertEqual(add_months(dt.date(2025, 1, 31), 1), dt.date(2025, 2, 28))

    def test_it_knows_leap_years(self):
        self.assertEqual(add_months(dt.date(2023, 11, 30), 3), dt.date(2024, 2, 29))

    def test_it_crosses_the_year(self):
        self.assertEqual(add_months(dt.date(2025, 11, 15), 3), dt.date(2026, 2, 15))


class WorkCalendarTests(SimpleTestCase):
    def test_national_day_is_a_holiday_and_the_make_up_sunday_before_it_is_a_working_day(self):
        self.assertFalse(PACKAGE_ONLY.is_working_day(dt.date(2025, 10, 1)))
        self.assertTrue(PACKAGE_ONLY.is_working_day(dt.date(2025, 9, 28)))  # Sunday, 调休
        self.assertTrue(PACKAGE_ONLY.is_working_day(dt.date(2025, 10, 11)))  # Saturday, 调休

    def test_counting_working_days_includes_a_make_up_saturday(self):
        # Thu 2026-02-12: Fri 13 and Sat 14 (调休) count, then the Spring Festival 15–23.
        self.assertEqual(PACKAGE_ONLY.add_working_days(dt.date(2026, 2, 12), 2), dt.date(2026, 2, 14))
        self.assertEqual(PACKAGE_ONLY.add_working_days(dt.date(2026, 2, 12), 3), dt.date(2026, 2, 24))

    def test_an_override_wins_over_the_package(self):
        cal = WorkCalendar({dt.date(2025, 10, 9): (False, "本地调整")})
        self.assertEqual(cal.next_working_day(dt.date(2025, 10, 1)), dt.date(2025, 10, 10))
        self.assertEqual(cal.day_name(dt.date(2025, 10, 9)), "本地调整")

    def test_it_knows_2026_but_not_2027(self):
        self.assertTrue(PACKAGE_ONLY.known(dt.date(2026, 12, 31)))
        self.assertFalse(PACKAGE_ONLY.known(dt.date(2027, 1, 4)))


class SessionDeadlineTests(PersonaTestCase):
    def test_a_three_month_reply_landing_on_national_day_moves_to_the_next_working_day(self):
        due = reply_due(self.session, dt.date(2025, 7, 1), PACKAGE_ONLY)

        self.assertEqual(due.date, dt.date(2025, 10, 9))
        self.assertFalse(due.provisional)
        self.assertIn("2025-10-01", due.note)
        self.assertIn("国庆节", due.note)
        self.assertIn("2025-10-09", due.note)

    def test_a_five_working_day_return_window_spans_the_spring_festival(self):
        window = return_window_ends(self.session, dt.date(2026, 2, 12), PACKAGE_ONLY)

        self.assertEqual(window.date, dt.date(2026, 2, 26))
        self.assertIn("2026-02-12", window.note)

    def test_a_session_with_other_rules_gets_other_dates(self):
        self.session.reply_months = 2
        self.session.return_window_workdays = 3

        self.assertEqual(reply_due(self.session, dt.date(2025, 7, 1), PACKAGE_ONLY).date, dt.date(2025, 9, 1))
        self.assertEqual(
            return_window_ends(self.session, dt.date(2026, 2, 12), PACKAGE_ONLY).date, dt.date(2026, 2, 24)
        )

    def test_the_feedback_window_counts_fifteen_working_days_across_national_day(self):
        # Sent Tue 2025-09-30: October 1–8 are holidays, Sat 10-11 is a working day.
        window = feedback_window_ends(self.session, dt.date(2025, 9, 30), PACKAGE_ONLY)

        self.assertEqual(window.date, dt.date(2025, 10, 28))

    def test_dates_in_a_year_without_published_holidays_are_provisional(self):
        fields = assignment_deadlines(self.session, dt.date(2026, 11, 20), with_opinion=True, cal=PACKAGE_ONLY)

        self.assertEqual(fields["reply_due"], dt.date(2027, 2, 22))
        self.assertTrue(fields["reply_due_provisional"])
        self.assertTrue(fields["deadlines_provisional"])
        self.assertIn("2027-02-20", fields["reply_due_note"])
        self.assertEqual(fields["opinion_due"], dt.date(2026, 12, 21))

    def test_the_holiday_table_is_read_from_the_database(self):
        Holiday.objects.create(date=dt.date(2025, 10, 9), name="本地调整")

        due = reply_due(self.session, dt.date(2025, 7, 1))

        self.assertEqual(due.date, dt.date(2025, 10, 10))


class RecomputeDeadlinesTests(PersonaTestCase):
    def _assignment_on(self, day: dt.date) -> Assignment:
        proposal = make_proposal(self.chencheng, self.session, status=ProposalStatus.ASSIGNED)
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        return Assignment.objects.create(
            proposal=proposal,
            unit=self.unit,
            role=AssignmentRole.LEAD,
            assigned_by=self.committee,
            assigned_at=moment,
            assigned_on=day,
            **assignment_deadlines(self.session, day, with_opinion=False),
        )

    @time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC))
    def test_it_recomputes_once_the_new_year_is_in_the_holiday_table(self):
        assignment = self._assignment_on(dt.date(2026, 11, 20))
        self.assertTrue(assignment.deadlines_provisional)
        self.assertEqual(assignment.reply_due, dt.date(2027, 2, 22))
        # The State Council publishes 2027: suppose Mon 22 February is still in the festival.
        Holiday.objects.bulk_create(
            [Holiday(date=dt.date(2027, 2, d), name="春节") for d in range(6, 23)]
            + [Holiday(date=dt.date(2027, 1, 1), name="元旦")]
        )
        CalendarYear.objects.create(year=2027, published=True)

        call_command("recompute_deadlines", verbosity=0)

        assignment.refresh_from_db()
        self.assertEqual(assignment.reply_due, dt.date(2027, 2, 23))
        self.assertFalse(assignment.deadlines_provisional)
        self.assertIn("春节", assignment.reply_due_note)
        self.assertTrue(assignment.proposal.events.filter(verb="deadline_recomputed").exists())

    def test_it_leaves_known_dates_alone(self):
        assignment = self._assignment_on(dt.date(2025, 7, 1))

        call_command("recompute_deadlines", verbosity=0)

        assignment.refresh_from_db()
        self.assertEqual(assignment.reply_due, dt.date(2025, 10, 9))
        self.assertFalse(assignment.proposal.events.exists())
