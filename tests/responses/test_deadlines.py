import datetime as dt

from django.test import SimpleTestCase

from responses.deadlines import WorkCalendar, add_months


class AddMonthsTests(SimpleTestCase):
    def test_it_clamps_to_the_end_of_a_shorter_month(self):
        self.assertEqual(add_months(dt.date(2025, 1, 31), 1), dt.date(2025, 2, 28))

    def test_it_crosses_the_year(self):
        self.assertEqual(add_months(dt.date(2025, 11, 15), 3), dt.date(2026, 2, 15))


class WorkCalendarTests(SimpleTestCase):
    def test_national_day_is_not_a_working_day_but_the_make_up_sunday_is(self):
        cal = WorkCalendar({})
        self.assertFalse(cal.is_working_day(dt.date(2025, 10, 1)))
        self.assertTrue(cal.is_working_day(dt.date(2025, 9, 28)))
