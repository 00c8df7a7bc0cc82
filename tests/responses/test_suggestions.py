"""意见建议: proposals converted to opinions have their own list (filterable, exportable), can be forwarded to
units for reference without a formal reply, and the member is told where it went."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from proposals.choices import EventVerb, RejectionGround
from proposals.models import Event, Notification
from proposals.services import reject_proposal
from proposals.workflow import WorkflowError
from responses.models import Assignment, SuggestionForward
from responses.services import forward_suggestion
from tests.base import PersonaTestCase
from tests.proposals.helpers_committee import submitted

LIST = reverse("admin:responses_suggestion_changelist")


class SuggestionTests(PersonaTestCase):
    def setUp(self) -> None:
        self.converted = reject_proposal(
            submitted(self.chencheng, self.session, title="关于增设社区口袋公园的建议"),
            actor=self.committee,
            ground=RejectionGround.OTHER,
            reason="属于日常工作建议",
            convert_to_suggestion=True,
        )
        self.plain = reject_proposal(
            submitted(self.chencheng, self.session, title="关于某企业经营纠纷的建议"),
            actor=self.committee,
            ground=RejectionGround.OTHER,
            reason="属于个案",
        )

    def test_converted_items_have_their_own_list_with_filters(self):
        self.client.force_login(self.committee)
        page = self.client.get(LIST)
        self.assertContains(page, "关于增设社区口袋公园的建议")
        self.assertNotContains(page, "关于某企业经营纠纷的建议")
        forward_suggestion(self.converted, actor=self.committee, units=[self.unit])
        self.assertNotContains(self.client.get(LIST, {"forwarded": "no"}), "关于增设社区口袋公园的建议")
        self.assertContains(self.client.get(LIST, {"forwarded": "yes"}), "关于增设社区口袋公园的建议")
        self.client.force_login(self.handler)
        self.assertEqual(self.client.get(LIST).status_code, 403)

    def test_the_list_exports_to_excel(self):
        forward_suggestion(self.converted, actor=self.committee, units=[self.unit])
        self.client.force_login(self.committee)
        response = self.client.post(LIST, {"action": "export_xlsx", "_selected_action": [self.converted.pk]})
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[1][0], "关于增设社区口袋公园的建议")
        self.assertEqual(rows[1][-1], self.unit.name)

    def test_forwarding_asks_no_reply_and_tells_the_unit_and_the_member(self):
        self.client.force_login(self.committee)
        url = reverse("admin:responses_suggestion_forward", args=[self.converted.pk])
        response = self.client.post(url, {"units": [self.unit.pk], "note": "供参考"})
        self.assertEqual(response.status_code, 302)

        forward = SuggestionForward.objects.get(proposal=self.converted)
        self.assertEqual(forward.unit, self.unit)
        self.assertFalse(Assignment.objects.filter(proposal=self.converted).exists())  # no formal reply due
        self.assertTrue(Notification.objects.filter(user=self.handler, title__contains="口袋公园").exists())
        told = Notification.objects.filter(user=self.chencheng, title__contains=self.unit.name)
        self.assertTrue(told.exists())
        self.assertEqual(Event.objects.get(verb=EventVerb.SUGGESTION_FORWARDED).note, self.unit.name)
        # The unit reads it in its own list; another unit does not see it.
        self.client.force_login(self.handler)
        change = reverse("admin:responses_suggestionforward_change", args=[forward.pk])
        self.assertContains(self.client.get(change), self.converted.suggestions)
        self.client.force_login(self.other_handler)
        self.assertEqual(self.client.get(change).status_code, 404)

    def test_only_converted_items_can_be_forwarded_and_only_by_the_committee(self):
        with self.assertRaises(WorkflowError):
            forward_suggestion(self.plain, actor=self.committee, units=[self.unit])
        self.client.force_login(self.leader)
        url = reverse("admin:responses_suggestion_forward", args=[self.converted.pk])
        self.assertEqual(self.client.post(url, {"units": [self.unit.pk]}).status_code, 403)
        self.assertFalse(SuggestionForward.objects.exists())
