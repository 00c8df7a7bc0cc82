"""Sign-in throttling that a forged X-Forwarded-For cannot reset, and security logging."""

from django.conf import settings
from django.test import override_settings
from django.test.client import RequestFactory

from accounts.models import FailedLogin
from accounts.security import client_ip
from tests.base import PASSWORD, PersonaTestCase

LOGIN = "/accounts/login/"


class ThrottleTests(PersonaTestCase):
    def fail(self, username="chencheng", **headers):
        return self.client.post(LOGIN, {"username": username, "password": "wrong-password"}, **headers)

    def sign_in(self, username="chencheng", **headers):
        return self.client.post(LOGIN, {"username": username, "password": PASSWORD}, **headers)

    def test_five_failures_lock_the_account_even_with_the_right_password(self):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            self.fail()
        response = self.sign_in()

        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertContains(response, "15")  # "try again in 15 minutes", in whichever language

    def test_a_forged_forwarded_for_header_does_not_reset_the_count(self):
        for n in range(settings.LOGIN_FAILURE_LIMIT):
            self.fail(HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        self.sign_in(HTTP_X_FORWARDED_FOR="10.9.9.9")

        self.assertNotIn("_auth_user_id", self.client.session)

    def test_other_accounts_are_not_locked_and_a_success_clears_the_count(self):
        for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
            self.fail()
        self.sign_in("wangfang")
        self.assertIn("_auth_user_id", self.client.session)
        self.client.logout()
        self.sign_in()
        self.assertIn("_auth_user_id", self.client.session)
        self.assertFalse(FailedLogin.objects.filter(username="chencheng").exists())

    def test_the_admin_login_is_throttled_too(self):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            self.client.post("/admin/login/", {"username": "committee", "password": "wrong"})
        self.client.post("/admin/login/", {"username": "committee", "password": PASSWORD})
        self.assertNotIn("_auth_user_id", self.client.session)

    @override_settings(LOGIN_IP_FAILURE_LIMIT=3)
    def test_one_address_trying_many_accounts_is_stopped(self):
        for name in ("lihua", "wangfang", "leader"):
            self.fail(name)
        self.sign_in("chencheng")
        self.assertNotIn("_auth_user_id", self.client.session)


class ClientAddressTests(PersonaTestCase):
    def request(self, **meta):
        return RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", **meta)

    def test_without_a_trusted_proxy_the_header_is_ignored(self):
        self.assertEqual(client_ip(self.request(HTTP_X_FORWARDED_FOR="1.2.3.4")), "192.0.2.10")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_one_proxy_the_entry_it_appended_is_believed_not_the_clients_own(self):
        request = self.request(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
        self.assertEqual(client_ip(request), "203.0.113.7")


class SecurityLogTests(PersonaTestCase):
    def test_sign_in_failed_sign_in_and_refusals_are_logged_with_user_and_address(self):
        with self.assertLogs("security", "INFO") as logs:
            self.client.post(LOGIN, {"username": "chencheng", "password": "nope"}, REMOTE_ADDR="192.0.2.5")
            self.client.post(LOGIN, {"username": "chencheng", "password": PASSWORD}, REMOTE_ADDR="192.0.2.5")
            self.client.get("/dashboard/", REMOTE_ADDR="192.0.2.5")  # members may not see dashboards
        text = "\n".join(logs.output)
        self.assertIn("sign-in failed user='chencheng' ip=192.0.2.5", text)
        self.assertIn("sign-in user=chencheng", text)
        self.assertIn("permission refused user=chencheng ip=192.0.2.5 path=/dashboard/", text)

    def test_sessions_expire_after_inactivity(self):
        self.assertTrue(settings.SESSION_SAVE_EVERY_REQUEST)
        self.assertLessEqual(settings.SESSION_COOKIE_AGE, 8 * 3600)


class AccessAuditTests(PersonaTestCase):
    def test_changing_a_users_role_in_the_admin_is_audited_with_the_actor(self):
        from accounts.models import AccessChange, User

        self.client.force_login(self.committee)
        url = f"/admin/accounts/user/{self.lihua.pk}/change/"
        form = self.client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, tuple))}
        data.update(
            {
                "username": "lihua",
                "role": "unit_handler",
                "unit": self.unit.pk,
                "is_active": "on",
                "date_joined_0": "2025-01-01",
                "date_joined_1": "09:00:00",
                "member_profile-TOTAL_FORMS": "1",
                "member_profile-INITIAL_FORMS": "1",
                "member_profile-MIN_NUM_FORMS": "0",
                "member_profile-MAX_NUM_FORMS": "1",
                "member_profile-0-id": self.lihua.member_profile.pk,
                "member_profile-0-user": self.lihua.pk,
                "member_profile-0-member_number": self.lihua.member_profile.member_number,
            }
        )
        data.pop("password", None)
        data.pop("last_login", None)
        self.client.post(url, data)

        self.assertEqual(User.objects.get(pk=self.lihua.pk).role, "unit_handler")
        change = AccessChange.objects.get(user=self.lihua)
        self.assertEqual(change.actor, self.committee)
        self.assertEqual(change.changes["role"], ["member", "unit_handler"])
        self.assertEqual(change.changes["unit_id"], [None, self.unit.pk])

    def test_the_access_audit_cannot_be_edited_in_the_admin(self):
        from accounts.models import AccessChange

        row = AccessChange.objects.create(actor=self.committee, user=self.lihua, changes={"role": ["member", "leader"]})
        self.client.force_login(self.committee)
        self.assertEqual(self.client.get("/admin/accounts/accesschange/add/").status_code, 403)
        self.client.post(f"/admin/accounts/accesschange/{row.pk}/delete/", {"post": "yes"})
        self.assertTrue(AccessChange.objects.filter(pk=row.pk).exists())


class SignedInUserTests(PersonaTestCase):
    def test_the_signed_in_user_counts_only_their_unread_notifications_in_one_query(self):
        from django.utils import timezone

        from accounts.security import ThrottledModelBackend

        notifications = type(self.chencheng)._meta.get_field("notifications").related_model
        notifications.objects.create(user=self.chencheng, title="未读")
        notifications.objects.create(user=self.chencheng, title="已读", read_at=timezone.now())
        notifications.objects.create(user=self.wangfang, title="别人的")

        with self.assertNumQueries(1):
            user = ThrottledModelBackend().get_user(self.chencheng.pk)
        self.assertEqual(user.unread_notification_count, 1)
        self.assertEqual(ThrottledModelBackend().get_user(self.committee.pk).unread_notification_count, 0)
