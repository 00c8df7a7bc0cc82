"""The admin as one system with the site (issue 18, item 11): its sign-in form, a word for members,
the site's red, the user's name, each role's landing page, the links to statistics, a main landmark."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from tests.base import PASSWORD, PersonaTestCase


class AdminLoginTests(PersonaTestCase):
    def test_the_username_and_password_boxes_have_a_border(self):
        html = self.client.get("/admin/login/").content.decode()
        for name in ("username", "password"):
            with self.subTest(field=name):
                box = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
                classes = re.search(r'class="([^"]*)"', box).group(1).split()
                self.assertIn("border", classes)
                self.assertIn("border-base-200", classes)

    def test_a_signed_in_member_is_told_why_the_admin_asks_him_to_sign_in(self):
        self.client.force_login(self.chencheng)
        response = self.client.get("/admin/", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], "/admin/login/?next=/admin/")
        html = response.content.decode()
        self.assertIn('data-testid="admin-not-for-you"', html)
        self.assertIn("您当前以陈澄（委员）的身份登录", html)
        self.assertIn(f'href="{reverse("portal:home")}"', html)

    def test_an_anonymous_visitor_gets_the_plain_form(self):
        html = self.client.get("/admin/login/").content.decode()
        self.assertNotIn('data-testid="admin-not-for-you"', html)


class AdminLookTests(PersonaTestCase):
    def test_the_admin_wears_the_sites_red(self):
        self.assertEqual(settings.UNFOLD["COLORS"]["primary"]["600"], "#b71c1c")
        html = self.client.get("/admin/login/").content.decode()
        self.assertIn("--color-primary-600: rgb(183, 28, 28)", html)
        self.assertNotIn("302.321", html)  # unfold's purple 600, oklch(55.8% .288 302.321)

    def test_the_user_menu_shows_the_display_name(self):
        self.client.force_login(self.handler)
        html = self.client.get("/admin/").content.decode()
        menu = re.search(r'x-data="{ openUserLinks: false }".*?</div>\s*</div>\s*</div>', html, re.S).group(0)
        self.assertIn("刘经办", menu)
        self.assertEqual(self.handler.get_full_name(), "刘经办")

    def test_the_admin_home_links_to_the_statistics_and_has_a_main_landmark(self):
        for user in (self.committee, self.handler, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                html = self.client.get("/admin/").content.decode()
                links = re.search(r'data-testid="admin-home-links">(.*?)</nav>', html, re.S).group(1)
                self.assertIn('href="/dashboard/"', links)
                self.assertIn("统计", links)
                self.assertEqual(html.count("<main "), 1)

    def test_a_change_list_has_a_main_landmark_too(self):
        self.client.force_login(self.committee)
        html = self.client.get("/admin/proposals/proposal/").content.decode()
        self.assertEqual(html.count('<main id="content"'), 1)

    def test_the_handlers_admin_home_says_your_units_work_once(self):
        self.client.force_login(self.handler)
        html = self.client.get("/admin/").content.decode()
        self.assertEqual(html.count("本单位工作"), 1)
        self.assertIn("本单位办理数据", html)


class LandingTests(PersonaTestCase):
    def sign_in(self, user, **params):
        return self.client.post(
            reverse("login") + (f"?next={params['next']}" if params else ""),
            {"username": user.username, "password": PASSWORD},
        )

    def test_each_role_lands_on_its_own_worklist(self):
        expected = {
            self.handler: reverse("admin:responses_assignment_worklist"),
            self.unitlead: reverse("admin:responses_assignment_worklist"),
            self.committee: reverse("admin:index"),
            self.leader: reverse("dashboard:index"),
            self.chencheng: reverse("portal:home"),
        }
        for user, url in expected.items():
            with self.subTest(user=user.username):
                self.client.logout()
                self.assertRedirects(self.sign_in(user), url, fetch_redirect_response=False)

    def test_a_page_that_asked_for_the_sign_in_comes_first(self):
        self.assertRedirects(
            self.sign_in(self.handler, next="/dashboard/"), "/dashboard/", fetch_redirect_response=False
        )
