"""The dashboard's list pages drawn once per template, user and language, then only filled in (``kept_page``)."""

from __future__ import annotations

import re
from unittest import mock

from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import MessageEncoder
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from proposals.templatetags import site_chrome
from tests.dashboard.helpers_dashboard import DashboardData

PROPOSALS = "/dashboard/proposals/"
ASSIGNMENTS = "/dashboard/assignments/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class KeptPageTests(DashboardData):
    def setUp(self):
        super().setUp()
        site_chrome._kept.clear()
        self.addCleanup(site_chrome._kept.clear)
        self.client.force_login(self.committee)

    def page(self, url: str, client: Client | None = None, status: int = 200) -> str:
        response = (client or self.client).get(url)
        self.assertEqual(response.status_code, status, response.content[:300])
        return response.content.decode()

    def test_a_page_filled_in_from_a_kept_one_is_the_page_drawn_afresh(self):
        """Another filter, page, language and user each leave nothing of the page drawn before."""
        cases = [  # a page first, to keep; then another of the same template with or without rows
            (PROPOSALS, f"{PROPOSALS}?is_key=false&n=3", self.committee, "zh-hans"),
            (f"{PROPOSALS}?q=无此词", f"{PROPOSALS}?status=nonsense&q=<b>", self.committee, "zh-hans"),  # 400
            (ASSIGNMENTS, f"{ASSIGNMENTS}?overdue=true", self.handler, "en"),
            (f"{ASSIGNMENTS}?q=无此词", f"{ASSIGNMENTS}?unit={self.other_unit.pk}", self.handler, "en"),
        ]
        for first, then, user, language in cases:
            with self.subTest(then=then, user=user.username):
                client = Client(HTTP_ACCEPT_LANGUAGE=language)
                client.force_login(user)
                status = 400 if "nonsense" in then else 200
                self.page(first, client)
                with mock.patch.object(site_chrome, "render_to_string", wraps=site_chrome.render_to_string) as drawn:
                    kept = self.page(then, client, status)
                    self.assertEqual(drawn.call_count, 0)
                site_chrome._kept.clear()
                fresh = self.page(then, client, status)
                self.assertEqual(TOKEN.sub("", kept), TOKEN.sub("", fresh))
                self.assertNotIn("\x00", kept)

    def test_the_template_is_drawn_once_for_many_pages(self):
        with mock.patch.object(site_chrome, "render_to_string", wraps=site_chrome.render_to_string) as drawn:
            for url in (PROPOSALS, f"{PROPOSALS}?status=assigned", f"{PROPOSALS}?is_key=true&n=7"):
                page = self.page(url)
            self.assertEqual(drawn.call_count, 1)
        self.assertIn("张委办", page)  # the committee user's own header
        self.assertIn('name="next" value="/dashboard/proposals/?is_key=true&amp;n=7"', page)
        self.assertIn('name="is_key"', page)

    def test_each_user_and_language_gets_their_own_page(self):
        self.page(PROPOSALS)
        other = Client(HTTP_ACCEPT_LANGUAGE="en")
        other.force_login(self.leader)
        page = self.page(PROPOSALS, other)
        self.assertIn(f">{self.leader.display_name}</span>", page)
        self.assertNotIn(">张委办</span>", page)
        self.assertIn(">Proposal list</h1>", page)
        User.objects.filter(pk=self.committee.pk).update(full_name="张委办主任")
        self.assertIn(">张委办主任</span>", self.page(PROPOSALS))

    def test_every_page_gets_a_fresh_csrf_token_that_signs_out(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.committee)
        first, second = self.page(PROPOSALS, client), self.page(PROPOSALS, client)
        self.assertEqual(len(TOKEN.findall(second)), 2)  # the sign-out form and the language switch
        self.assertNotEqual(TOKEN.findall(first)[0], TOKEN.findall(second)[0])
        response = client.post(reverse("logout"), {"csrfmiddlewaretoken": TOKEN.findall(second)[0]})
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("_auth_user_id", client.session)

    @override_settings(MESSAGE_STORAGE="django.contrib.messages.storage.session.SessionStorage")
    def test_a_message_is_shown_once_on_the_page_that_follows(self):
        self.page(PROPOSALS)  # the page is kept, without any message
        session = self.client.session
        notice = Message(constants.SUCCESS, "提醒已发送给福田区工业和信息化局。")
        session["_messages"] = MessageEncoder().encode([notice])  # what the session storage keeps
        session.save()
        self.assertIn(
            '<li class="message message-success">提醒已发送给福田区工业和信息化局。</li>', self.page(PROPOSALS)
        )
        self.assertNotIn("提醒已发送", self.page(PROPOSALS))
