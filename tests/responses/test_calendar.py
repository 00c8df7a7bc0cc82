"""The new year's calendar: a year is final only when its schedule is marked published; staff enter the
official notice at once with a preview; recomputing shows every date that would change and saves on
confirmation, counting from each assignment's own date, keeping closed windows closed, re-checking
extended dates, and writing every change on the timeline."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Event
from responses import recompute
from responses.choices import AssignmentRole, AssignmentStatus
from responses.deadlines import WorkCalendar, assignment_deadlines
from responses.models import Assignment, CalendarYear, Holiday
from tests.base import PersonaTestCase, make_proposal

TODAY = dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC)
SCHEDULE = reverse("admin:responses_holiday_schedule")
RECOMPUTE = reverse("admin:responses_holiday_recompute")
# 2027 as a notice might have it: 春节 Sat 6 – Sun 14 February, make-up working days Sat 20 and Sun 21 February,
# 清明 Mon 5 April (with the weekend before it).
NOTICE = {
    "year": "2027",
    "notice": "国务院办公厅关于2027年部分节假日安排的通知",
    "holidays": "元旦 2027-01-01 2027-01-03\n春节 2027-02-06 2027-02-14\n清明节 2027-04-03 2027-04-05",
    "working_days": "2027-02-20 春节调休\n2027-02-21 春节调休",
}


@time_machine.travel(TODAY, tick=False)
class CalendarTestCase(PersonaTestCase):
    def assignment_on(self, day: dt.date, **extra) -> Assignment:
        proposal = make_proposal(self.chencheng, self.session, status=ProposalStatus.ASSIGNED)
        return Assignment.objects.create(
            proposal=proposal,
            unit=self.unit,
            role=AssignmentRole.LEAD,
            assigned_by=self.committee,
            assigned_on=day,
            **{**assignment_deadlines(self.session, day, with_opinion=False), **extra},
        )


class PublishedYearTests(CalendarTestCase):
    def test_one_day_entered_does_not_make_the_year_final(self):
        a = self.assignment_on(dt.date(2026, 11, 25))
        Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦")

        recompute.apply(recompute.plan(), actor=self.committee)

        a.refresh_from_db()
        self.assertTrue(a.deadlines_provisional)
        self.assertTrue(a.reply_due_provisional)
        self.assertFalse(WorkCalendar.load().known(dt.date(2027, 3, 1)))

    def test_days_added_later_still_move_the_dates(self):
        a = self.assignment_on(dt.date(2026, 11, 6))  # + 3 months = Sat 6 Feb 2027, moved to Mon 8 Feb
        self.assertEqual(a.reply_due, dt.date(2027, 2, 8))
        Holiday.objects.create(date=dt.date(2027, 1, 1), name="元旦")
        recompute.apply(recompute.plan(), actor=self.committee)
        Holiday.objects.bulk_create(Holiday(date=dt.date(2027, 2, d), name="春节") for d in range(6, 15))
        CalendarYear.objects.create(year=2027, published=True)

        recompute.apply(recompute.plan(), actor=self.committee)

        a.refresh_from_db()
        self.assertEqual(a.reply_due, dt.date(2027, 2, 15))
        self.assertIn("春节", a.reply_due_note)
        self.assertFalse(a.reply_due_provisional)


class ScheduleFormTests(CalendarTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.committee)

    def test_the_notice_is_previewed_day_by_day_then_saved_and_published(self):
        preview = self.client.post(SCHEDULE, {**NOTICE, "published": "on", "step": "preview"})
        self.assertEqual(preview.status_code, 200)
        self.assertEqual(len(preview.context["preview"]), 3 + 9 + 3 + 2)
        self.assertFalse(Holiday.objects.exists())

        response = self.client.post(SCHEDULE, {**NOTICE, "published": "on", "step": "confirm"})

        self.assertRedirects(response, RECOMPUTE, fetch_redirect_response=False)
        self.assertEqual(Holiday.objects.filter(date__year=2027, is_working_day=False).count(), 15)
        self.assertEqual(
            list(Holiday.objects.filter(is_working_day=True).values_list("date", flat=True)),
            [dt.date(2027, 2, 20), dt.date(2027, 2, 21)],
        )
        year = CalendarYear.objects.get(year=2027)
        self.assertEqual((year.published, year.published_by), (True, self.committee))

    def test_bad_lines_are_refused_with_a_reason_and_nothing_is_saved(self):
        data = {
            **NOTICE,
            "working_days": "2027-02-22 周一",
            "holidays": "春节 2028-02-06 2028-02-14",
            "step": "confirm",
        }
        response = self.client.post(SCHEDULE, data)
        self.assertEqual(response.status_code, 400)
        errors = " ".join(response.context["form"].non_field_errors())
        self.assertIn("2028-02-06", errors)
        self.assertIn("2027-02-22", errors)
        self.assertFalse(Holiday.objects.exists())
        self.assertFalse(CalendarYear.objects.exists())

    def test_only_committee_staff_may_enter_or_recompute(self):
        self.client.force_login(self.handler)
        self.assertEqual(self.client.get(SCHEDULE).status_code, 403)
        self.assertEqual(self.client.post(RECOMPUTE).status_code, 403)


class RecomputeTests(CalendarTestCase):
    def publish_2027(self) -> None:
        self.client.force_login(self.committee)
        self.client.post(SCHEDULE, {**NOTICE, "published": "on", "step": "confirm"})

    def test_the_admin_shows_every_change_and_saves_only_on_confirmation(self):
        a = self.assignment_on(dt.date(2026, 11, 6))
        self.publish_2027()

        page = self.client.get(RECOMPUTE)
        (row,) = page.context["rows"]
        self.assertEqual(row["assignment"].pk, a.pk)
        self.assertIn(("答复期限", "2027-02-08", "2027-02-15"), row["dates"])
        self.assertIn(("部分期限为暂定", "暂定", "已确定"), row["dates"])
        a.refresh_from_db()
        self.assertEqual(a.reply_due, dt.date(2027, 2, 8))

        self.client.post(RECOMPUTE)

        a.refresh_from_db()
        self.assertEqual((a.reply_due, a.deadlines_provisional), (dt.date(2027, 2, 15), False))
        event = Event.objects.get(verb=EventVerb.DEADLINE_RECOMPUTED, object_id=a.pk)
        self.assertEqual(event.actor, self.committee)
        self.assertEqual(event.data["changes"]["reply_due"], ["2027-02-08", "2027-02-15"])

    def test_dates_count_from_the_assignment_date_and_a_closed_window_stays_closed(self):
        # Assigned 20 November at a meeting; its return window closed on 27 November.
        a = self.assignment_on(dt.date(2026, 11, 20))
        window = a.return_window_ends
        self.assertLess(window, timezone.localdate())
        # A local arrangement makes 26 November a holiday: recounted, the window would end later.
        Holiday.objects.create(date=dt.date(2026, 11, 26), name="本地调整")

        recompute.apply(recompute.plan(), actor=self.committee)

        a.refresh_from_db()
        self.assertEqual(a.return_window_ends, window)
        self.assertEqual(
            a.reply_due, assignment_deadlines(self.session, dt.date(2026, 11, 20), with_opinion=False)["reply_due"]
        )

    def test_an_extended_date_on_a_new_holiday_moves_to_the_next_working_day(self):
        a = self.assignment_on(dt.date(2026, 11, 25), status=AssignmentStatus.HANDLING)
        Assignment.objects.filter(pk=a.pk).update(reply_due=dt.date(2027, 4, 5))  # an approved extension
        self.publish_2027()  # 5 April 2027 is 清明

        self.client.post(RECOMPUTE)

        a.refresh_from_db()
        self.assertEqual(a.reply_due, dt.date(2027, 4, 6))
        self.assertIn("2027-04-05", a.reply_due_note)
        self.assertEqual(a.original_reply_due, dt.date(2027, 2, 25))
