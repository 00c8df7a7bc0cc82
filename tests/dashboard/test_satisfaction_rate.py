"""办理结果满意率: which ratings count as satisfied is the session's setting (default 满意 + 基本满意), and the
dashboard says how the rate is computed."""

from __future__ import annotations

from dashboard.pages import satisfied_rate
from proposals.choices import SatisfactionRule
from tests.dashboard.test_views import DashboardPage


class SatisfactionRateTests(DashboardPage):
    def test_the_rule_decides_which_results_count(self):
        # The example: one 满意, two 基本满意, one 不满意.
        result = {"satisfied": 1, "basically": 2, "dissatisfied": 1}
        self.assertEqual(
            satisfied_rate(result, SatisfactionRule.levels(SatisfactionRule.SATISFIED_OR_BASICALLY)), "75.0%"
        )
        self.assertEqual(satisfied_rate(result, SatisfactionRule.levels(SatisfactionRule.SATISFIED_ONLY)), "25.0%")

    def test_new_sessions_count_basically_satisfied_and_the_page_says_so(self):
        self.assertEqual(self.session.satisfaction_rule, SatisfactionRule.SATISFIED_OR_BASICALLY)
        response = self.get(self.leader, session=self.session.pk)
        self.assertEqual(response.context["unit_total"]["satisfied_rate"], "66.7%")
        self.assertContains(response, "满意或基本满意")

    def test_a_session_that_counts_only_satisfied_shows_that_rate_and_explanation(self):
        self.session.satisfaction_rule = SatisfactionRule.SATISFIED_ONLY
        self.session.save(update_fields=["satisfaction_rule"])
        response = self.get(self.leader, session=self.session.pk)
        self.assertEqual(response.context["unit_total"]["satisfied_rate"], "33.3%")
        self.assertNotContains(response, "满意或基本满意")
