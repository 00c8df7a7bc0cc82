"""Every name, title and query value on the dashboard and its lists comes out escaped, whoever typed it."""

from __future__ import annotations

from accounts.models import Unit
from proposals.models import Category, Proposal, Session
from tests.dashboard.helpers_dashboard import DashboardData, fill_list_columns

MARK = '"><b id=x>'
ESCAPED = "&#34;&gt;&lt;b id=x&gt;"  # as the pages' templates (Jinja2) escape it


class EscapingTests(DashboardData):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Unit.objects.filter(pk=cls.unit.pk).update(name=f"工信局{MARK}", short_name=f"工信{MARK}")
        Category.objects.filter(pk=cls.category.pk).update(name=f"经济{MARK}")
        Session.objects.filter(pk=cls.session.pk).update(name=f"六届三次{MARK}")
        Proposal.objects.filter(pk=cls.p3.pk).update(title=f"关于时尚{MARK}的建议", number=f"20{MARK}")
        cls.chencheng.full_name = f"陈成{MARK}"
        cls.chencheng.save(update_fields=["full_name"])
        cls.leader.full_name = f"周主席{MARK}"
        cls.leader.save(update_fields=["full_name"])
        fill_list_columns()

    def page(self, user, url: str, status: int = 200, **params) -> str:
        self.client.force_login(user)
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, status)
        return response.content.decode()

    def assert_escaped(self, html: str) -> None:
        self.assertNotIn("<b id=x>", html)
        self.assertIn(ESCAPED, html)

    def test_names_and_titles_in_the_dashboard_and_its_lists(self):
        pages = [
            (self.committee, "/dashboard/", {}),
            (self.leader, "/dashboard/", {"session": "all"}),
            (self.handler, "/dashboard/", {}),
            (self.committee, "/dashboard/proposals/", {}),
            (self.committee, "/dashboard/assignments/", {}),
            (self.handler, "/dashboard/assignments/", {}),
        ]
        for user, url, params in pages:
            with self.subTest(user=user.username, url=url, **params):
                self.assert_escaped(self.page(user, url, **params))

    def test_query_values_echoed_in_the_filter_controls(self):
        # The dates are not dates: the list answers 400 with the filter bar and its messages.
        for url, dates in (("/dashboard/proposals/", "submitted"), ("/dashboard/assignments/", "reply_due")):
            with self.subTest(url=url):
                params = {"q": MARK, f"{dates}_after": MARK, f"{dates}_before": MARK}
                html = self.page(self.committee, url, status=400, **params)
                self.assertNotIn("<b id=x>", html)
                self.assertIn(f'value="{ESCAPED}"', html)
