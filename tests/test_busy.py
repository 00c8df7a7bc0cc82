"""A database locked past its busy timeout answers 503 "系统繁忙，请稍后重试" with what the user typed."""

from unittest import mock

from django.db import OperationalError

from config.busy import is_busy
from proposals.models import Proposal
from tests.base import PersonaTestCase

DRAFT = {
    "title": "关于福田区构建具有竞争力的现代化产业体系的建议",
    "kind": "individual",
    "background": "福田区时尚产业基础好，但产业体系竞争力仍需提升。",
    "suggestions": "一、加强规划引领；二、深化深港合作。",
    "publication_consent": "yes",
    "action": "save",
}


class BusyDatabaseTests(PersonaTestCase):
    def test_a_locked_database_keeps_what_the_member_typed_and_saves_nothing(self):
        self.client.force_login(self.chencheng)
        with mock.patch(
            "proposals.views_drafting.drafting.create_draft", side_effect=OperationalError("database is locked")
        ):
            response = self.client.post("/proposals/new/", DRAFT)

        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "5")
        self.assertContains(response, "系统繁忙，请稍后重试", status_code=503)
        for value in (DRAFT["title"], DRAFT["background"], DRAFT["suggestions"]):
            self.assertContains(response, value, status_code=503)
        self.assertContains(response, 'action="/proposals/new/"', status_code=503)
        self.assertFalse(Proposal.objects.exists())

    def test_the_kept_form_can_be_sent_again(self):
        self.client.force_login(self.chencheng)
        with mock.patch(
            "proposals.views_drafting.drafting.create_draft", side_effect=OperationalError("database is locked")
        ):
            self.client.post("/proposals/new/", DRAFT)
        response = self.client.post("/proposals/new/", DRAFT)

        self.assertEqual(response.status_code, 302)
        self.assertEqual(Proposal.objects.get().title, DRAFT["title"])

    def test_only_lock_errors_count_as_busy(self):
        self.assertTrue(is_busy(OperationalError("database is locked")))
        self.assertFalse(is_busy(OperationalError("no such table: proposals_proposal")))
        self.assertFalse(is_busy(ValueError("database is locked")))
