"""The header and footer every page shares: drawn once per user, language, section and unread count, then kept."""

from __future__ import annotations

import re
from unittest import mock

from django.template import engines
from django.templatetags.static import static
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from proposals.models import Notification
from proposals.templatetags import site_chrome
from tests.base import PersonaTestCase
from tests.proposals.helpers_member import InEnglish

HOME = "portal:home"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class KeptChromeTests(InEnglish, PersonaTestCase):
    def setUp(self):
        super().setUp()
        site_chrome._kept.clear()
        self.addCleanup(site_chrome._kept.clear)

    def page(self, url: str | None = None, client: Client | None = None) -> str:
        response = (client or self.client).get(url or reverse(HOME))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_second_page_in_the_same_section_reuses_the_drawn_header_and_footer(self):
        self.client.force_login(self.chencheng)
        with mock.patch.object(site_chrome, "get_template", wraps=site_chrome.get_template) as drawn:
            first = self.page()
            self.assertEqual([c.args[0] for c in drawn.call_args_list], ["_site_header.html", "_site_footer.html"])
            second = self.page()
            self.assertEqual(drawn.call_count, 2)
        header = first[first.index("<header") : first.index("</header>")]
        self.assertIn(TOKEN.sub("", header), TOKEN.sub("", second))  # the same, but for the CSRF field
        self.assertIn('<span class="user-name" title="Member">陈澄</span>', header)

    def test_an_edited_template_is_drawn_again_by_the_development_server(self):
        from pathlib import Path

        from django.utils.autoreload import file_changed

        self.client.force_login(self.chencheng)
        self.page()
        self.assertTrue(site_chrome._kept["_site_header.html"])
        file_changed.send(sender=None, file_path=Path("templates/_site_header.html"))
        self.assertEqual(site_chrome._kept, {})

    def test_a_renamed_user_sees_the_new_name_on_the_next_page(self):
        self.client.force_login(self.chencheng)
        self.assertIn(">陈澄</span>", self.page())
        User.objects.filter(pk=self.chencheng.pk).update(full_name="陈澄澄")
        page = self.page()
        self.assertIn(">陈澄澄</span>", page)
        self.assertNotIn(">陈澄</span>", page)

    def test_a_changed_role_changes_the_navigation(self):
        self.client.force_login(self.chencheng)
        self.assertIn('data-testid="nav-new-proposal"', self.page())
        User.objects.filter(pk=self.chencheng.pk).update(role="committee")
        page = self.page()
        self.assertNotIn('data-testid="nav-new-proposal"', page)
        self.assertIn(f'href="{reverse("dashboard:index")}"', page)

    def test_a_new_notification_shows_in_the_count_on_the_next_page(self):
        Notification.objects.create(user=self.chencheng, title="联名邀请")
        self.client.force_login(self.chencheng)
        self.assertIn('data-testid="unread-count" title="Unread">1</span>', self.page())
        Notification.objects.create(user=self.chencheng, title="收到答复")
        self.assertIn('data-testid="unread-count" title="Unread">2</span>', self.page())

    def test_each_user_sees_their_own_name(self):
        self.client.force_login(self.chencheng)
        self.page()
        other = Client()
        other.force_login(self.wangfang)
        page = self.page(client=other)
        self.assertIn(">王芳</span>", page)
        self.assertNotIn(">陈澄</span>", page)

    def test_each_language_and_section_has_its_own(self):
        self.client.force_login(self.chencheng)
        english = self.client.get(reverse(HOME), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = self.client.get(reverse(HOME), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        self.assertIn(">Sign out</button>", english)
        self.assertIn(">退出登录</button>", chinese)
        self.assertIn('class="lang-button is-current" lang="zh-hans"', chinese)
        notifications = self.page(reverse("portal:notifications"))
        link = notifications[notifications.index('data-testid="nav-notifications"') :]
        self.assertIn('aria-current="page"', link[: link.index(">")])
        self.assertEqual(notifications.count('aria-current="page"'), 1)

    def test_signed_out_visitors_get_the_sign_in_link_and_no_name(self):
        page = self.page(reverse("public:index"))
        self.assertIn(f'href="{reverse("login")}"', page)
        self.assertNotIn('class="user-name"', page)
        self.assertNotIn("csrfmiddlewaretoken", page[page.index("<header") : page.index("</header>")])

    def test_every_page_gets_a_fresh_working_csrf_field_in_both_forms(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.chencheng)
        first, second = self.page(client=client), self.page(client=client)
        tokens = TOKEN.findall(first)
        self.assertEqual(len(tokens), 2)  # the sign-out form and the language switch
        self.assertNotEqual(TOKEN.findall(second)[0], tokens[0])  # masked anew for each page
        self.assertNotIn("\x00", first)
        response = client.post(reverse("logout"), {"csrfmiddlewaretoken": TOKEN.findall(second)[0]})
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("_auth_user_id", client.session)

    def test_the_language_switch_returns_to_this_very_page_escaped(self):
        self.client.force_login(self.chencheng)
        page = self.page(reverse("public:index") + "?q=<b>&page=2")
        self.assertIn('name="next" value="/public/?q=%3Cb%3E&amp;page=2"', page)
        self.assertIn('name="next" value="/"', self.page("/"))


class AssetTagTests(PersonaTestCase):
    def test_asset_gives_what_static_gives_and_follows_a_changed_setting(self):
        template = engines["django"].from_string("{% load site_chrome %}{% asset 'css/site.css' %}")
        self.assertEqual(template.render({}), static("css/site.css"))
        with override_settings(STATIC_URL="/elsewhere/"):
            self.assertEqual(template.render({}), static("css/site.css"))
            self.assertTrue(template.render({}).startswith("/elsewhere/"))
