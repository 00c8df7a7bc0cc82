"""Signing in and out, changing and resetting a password; the reset page never tells who has an account."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from tests.base import PersonaTestCase
from tests.proposals.helpers_member import InEnglish

NEW_PASSWORD = "xiangmihu-2026-new"


class SignInTests(InEnglish, PersonaTestCase):
    def setUp(self):
        super().setUp()
        # Set here, under the tests' fast hasher (personas were hashed before it was switched on).
        self.chencheng.set_password("a-long-test-password")
        self.chencheng.save(update_fields=["password"])

    def test_a_member_lands_on_my_proposals_at_the_root(self):
        response = self.client.post(
            reverse("login"), {"username": "chencheng", "password": "a-long-test-password"}, follow=True
        )
        self.assertEqual(response.request["PATH_INFO"], "/")
        self.assertTemplateUsed(response, "proposals/home_member.html")

    def test_sign_in_returns_to_the_page_asked_for(self):
        response = self.client.post(
            reverse("login"),
            {"username": "chencheng", "password": "a-long-test-password", "next": "/notifications/"},
        )
        self.assertRedirects(response, "/notifications/", fetch_redirect_response=False)

    def test_sign_in_never_sends_anyone_off_the_site(self):
        response = self.client.post(
            reverse("login"),
            {"username": "chencheng", "password": "a-long-test-password", "next": "https://evil.example/"},
        )
        self.assertRedirects(response, reverse("portal:home"), fetch_redirect_response=False)

    def test_a_wrong_password_keeps_the_user_on_the_login_page(self):
        response = self.client.post(reverse("login"), {"username": "chencheng", "password": "wrong"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.assertContains(response, 'value="chencheng"')

    def test_sign_out_is_a_post_and_ends_the_session(self):
        self.client.force_login(self.chencheng)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)
        self.client.post(reverse("logout"))
        self.assertEqual(self.client.get(reverse("portal:home")).status_code, 302)


class PasswordChangeTests(InEnglish, PersonaTestCase):
    def test_a_member_changes_their_password(self):
        self.chencheng.set_password("a-long-test-password")
        self.chencheng.save(update_fields=["password"])
        self.client.force_login(self.chencheng)
        response = self.client.post(
            reverse("password_change"),
            {"old_password": "a-long-test-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        self.assertRedirects(response, reverse("password_change_done"))
        self.client.logout()
        self.assertTrue(self.client.login(username="chencheng", password=NEW_PASSWORD))

    def test_a_wrong_old_password_or_a_weak_new_one_is_refused_beside_the_field(self):
        self.chencheng.set_password("a-long-test-password")
        self.chencheng.save(update_fields=["password"])
        self.client.force_login(self.chencheng)
        response = self.client.post(
            reverse("password_change"),
            {"old_password": "nope", "new_password1": "12345678", "new_password2": "12345678"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("old_password", response.context["form"].errors)
        self.assertContains(response, 'class="field has-error"')

    def test_the_change_page_needs_a_signed_in_user(self):
        response = self.client.get(reverse("password_change"))
        self.assertRedirects(
            response, f"{reverse('login')}?next={reverse('password_change')}", fetch_redirect_response=False
        )


class PasswordResetTests(InEnglish, PersonaTestCase):
    def test_known_and_unknown_addresses_get_the_same_answer(self):
        known = self.client.post(reverse("password_reset"), {"email": "chencheng@example.org"})
        unknown = self.client.post(reverse("password_reset"), {"email": "nobody@example.org"})
        self.assertRedirects(known, reverse("password_reset_done"), fetch_redirect_response=False)
        self.assertRedirects(unknown, reverse("password_reset_done"), fetch_redirect_response=False)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["chencheng@example.org"])
        # The page after is the same text whoever asked: it says "if an account uses that address".
        done = self.client.get(reverse("password_reset_done"))
        self.assertContains(done, "If an account uses that address")
        self.assertNotContains(done, "chencheng")

    def test_an_inactive_account_gets_no_email_and_the_same_answer(self):
        self.lihua.is_active = False
        self.lihua.save(update_fields=["is_active"])
        response = self.client.post(reverse("password_reset"), {"email": "lihua@example.org"})
        self.assertRedirects(response, reverse("password_reset_done"), fetch_redirect_response=False)
        self.assertEqual(mail.outbox, [])

    def test_a_reset_link_sets_a_new_password_once(self):
        self.client.post(reverse("password_reset"), {"email": "wangfang@example.org"})
        link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
        path = link.split("testserver", 1)[1]
        form_page = self.client.get(path, follow=True)
        self.assertTrue(form_page.context["validlink"])
        set_url = form_page.request["PATH_INFO"]
        response = self.client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        self.assertRedirects(response, reverse("password_reset_complete"))
        self.assertTrue(self.client.login(username="wangfang", password=NEW_PASSWORD))
        self.client.logout()
        again = self.client.get(path, follow=True)
        self.assertFalse(again.context["validlink"])

    def test_a_malformed_address_is_refused_beside_the_field(self):
        response = self.client.post(reverse("password_reset"), {"email": "not-an-address"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("email", response.context["form"].errors)
        self.assertEqual(mail.outbox, [])
