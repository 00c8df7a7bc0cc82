"""The notifications page with more unread notifications than one page shows (issue 16's defect)."""

from __future__ import annotations

from unittest import mock

from django.test import override_settings
from django.urls import reverse

from proposals.models import Notification
from proposals.views_common import PAGE_SIZE
from tests.base import PersonaTestCase

URL = reverse("portal:notifications")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class MoreUnreadThanAPageTests(PersonaTestCase):
    def setUp(self):
        Notification.objects.bulk_create(
            [Notification(user=self.chencheng, title=f"第{i}条通知") for i in range(PAGE_SIZE + 5)]
        )
        self.client.force_login(self.chencheng)

    def test_the_page_opens_marks_the_page_shown_read_and_counts_the_rest_in_the_header(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Notification.objects.filter(user=self.chencheng, read_at__isnull=True).count(), 5)
        # The header's count is read again after the page marked its notifications read.
        self.assertContains(response, '<span class="count" data-testid="unread-count" title="未读">5</span>', html=True)
        self.assertEqual(self.client.get(URL, {"page": 2}).status_code, 200)
        self.assertFalse(Notification.objects.filter(user=self.chencheng, read_at__isnull=True).exists())

    def test_a_page_that_fails_to_draw_marks_nothing_read(self):
        with (
            mock.patch("proposals.views_notifications.render", side_effect=RuntimeError("drawing failed")),
            self.assertRaises(RuntimeError),
        ):
            self.client.get(URL)
        self.assertEqual(Notification.objects.filter(user=self.chencheng, read_at__isnull=True).count(), PAGE_SIZE + 5)
