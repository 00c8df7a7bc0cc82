"""API tokens: created in the admin and shown once, stored as a digest, expiring, revoked, throttled per token."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import issue_token, revoke_token
from api.throttling import TokenRateThrottle
from tests.base import PASSWORD, PersonaTestCase

SESSIONS = "/api/v1/sessions/"


class TokenTests(PersonaTestCase):
    def bearer(self, key: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def test_a_token_authenticates_as_its_user_and_records_its_last_use(self):
        token = ApiToken(user=self.chencheng, name="OA")
        key = issue_token(token, actor=self.committee)
        response = self.client.get(SESSIONS, **self.bearer(key))
        self.assertEqual(response.status_code, 200)
        token.refresh_from_db()
        self.assertIsNotNone(token.last_used_at)

    def test_the_token_itself_is_not_stored(self):
        key = issue_token(ApiToken(user=self.chencheng, name="OA"), actor=self.committee)
        row = ApiToken.objects.values().get()
        self.assertNotIn(key, [str(value) for value in row.values()])
        self.assertTrue(key.startswith(row["prefix"]))

    def test_revoked_expired_and_unknown_tokens_answer_401_as_problem_json(self):
        revoked = issue_token(token := ApiToken(user=self.chencheng, name="旧OA"), actor=self.committee)
        revoke_token(token, actor=self.committee)
        expired = issue_token(
            ApiToken(user=self.chencheng, name="过期", expires_at=timezone.now() - dt.timedelta(minutes=1)),
            actor=self.committee,
        )
        for key in (revoked, expired, "ta_not-a-real-token", "garbage"):
            with self.subTest(key=key):
                response = self.client.get(SESSIONS, **self.bearer(key))
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response["Content-Type"], "application/problem+json")
                self.assertIn("Bearer", response["WWW-Authenticate"])
                self.assertEqual(response.json()["status"], 401)

    def test_a_token_of_a_deactivated_user_is_refused(self):
        key = issue_token(ApiToken(user=self.handler, name="OA"), actor=self.committee)
        self.handler.is_active = False
        self.handler.save(update_fields=["is_active"])
        self.assertEqual(self.client.get(SESSIONS, **self.bearer(key)).status_code, 401)

    def test_revoking_twice_is_harmless(self):
        token = ApiToken(user=self.chencheng, name="OA")
        issue_token(token, actor=self.committee)
        self.assertTrue(revoke_token(token, actor=self.committee))
        self.assertFalse(revoke_token(token, actor=self.committee))

    def test_each_token_has_its_own_request_budget(self):
        # DRF reads the rates from the settings once, at import; the throttle's own table is patched instead.
        patcher = mock.patch.object(TokenRateThrottle, "THROTTLE_RATES", {"api": "3/min"})
        patcher.start()
        self.addCleanup(patcher.stop)
        cache.clear()
        first = issue_token(ApiToken(user=self.chencheng, name="一"), actor=self.committee)
        second = issue_token(ApiToken(user=self.chencheng, name="二"), actor=self.committee)
        answers = [self.client.get(SESSIONS, **self.bearer(first)).status_code for _ in range(4)]
        self.assertEqual(answers, [200, 200, 200, 429])
        limited = self.client.get(SESSIONS, **self.bearer(first))
        self.assertEqual(limited["Content-Type"], "application/problem+json")
        self.assertIn("Retry-After", limited)
        self.assertEqual(self.client.get(SESSIONS, **self.bearer(second)).status_code, 200)


class TokenAdminTests(PersonaTestCase):
    def test_committee_staff_create_a_token_and_see_it_once(self):
        self.client.login(username="committee", password=PASSWORD)
        response = self.client.post(
            reverse("admin:api_apitoken_add"),
            {"user": self.chencheng.pk, "name": "区政府OA系统", "expires_at_0": "", "expires_at_1": ""},
        )
        self.assertEqual(response.status_code, 200, response.content.decode()[:2000])
        token = ApiToken.objects.get()
        key = response.context["key"]
        self.assertContains(response, key)
        self.assertIn("no-store", response["Cache-Control"])
        # The key works, and no later page shows it again.
        self.assertEqual(self.client.get(SESSIONS, HTTP_AUTHORIZATION=f"Bearer {key}").status_code, 200)
        page = self.client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, key)
        self.assertContains(page, token.prefix)

    def test_committee_staff_revoke_tokens_with_the_list_action(self):
        token = ApiToken(user=self.chencheng, name="OA")
        key = issue_token(token, actor=self.committee)
        self.client.login(username="committee", password=PASSWORD)
        response = self.client.post(
            reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}, follow=True
        )
        self.assertEqual(response.status_code, 200)
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
        self.client.logout()
        self.assertEqual(self.client.get(SESSIONS, HTTP_AUTHORIZATION=f"Bearer {key}").status_code, 401)

    def test_unit_staff_cannot_open_the_tokens(self):
        self.client.login(username="handler", password=PASSWORD)
        self.assertEqual(self.client.get(reverse("admin:api_apitoken_changelist")).status_code, 403)
