"""Single sign-on against a real OpenID Connect provider process (oidc-provider-mock on a loopback port):
accounts are matched, never created; a wrong audience, an expired token and a replayed state are refused;
password sign-in can be switched off; signing out ends the provider's session too."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
import time_machine
from django.test import Client, override_settings

from accounts.models import User
from ops.models import ExternalIdentity
from ops.oidc import Backend
from tests.base import PASSWORD, PersonaTestCase
from tests.integration.harness import _free_port

TOKEN_MAX_AGE = 300
CLIENT_ID = "tian"


class Provider:
    """oidc-provider-mock in a process of its own, as the identity system runs beside the site."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed module
            [sys.executable, "-m", "oidc_provider_mock", "-p", str(self.port), "-e", str(TOKEN_MAX_AGE)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.config = requests.get(f"{self.url}/.well-known/openid-configuration", timeout=2).json()
                return
            except requests.RequestException:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise AssertionError("the OpenID Connect provider did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def set_user(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def approve(self, authorize_url: str, sub: str) -> str:
        """The person signs in at the provider as ``sub``; returns where the provider sends the browser."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def tokens_for(self, client_id: str, sub: str, nonce: str) -> dict:
        """ID and access tokens issued to ``client_id`` (another application of the same provider)."""
        query = urlencode(
            {
                "client_id": client_id,
                "redirect_uri": "http://other.example/cb",
                "response_type": "code",
                "scope": "openid email profile",
                "state": "s",
                "nonce": nonce,
            }
        )
        code = parse_qs(urlsplit(self.approve(f"{self.config['authorization_endpoint']}?{query}", sub)).query)["code"]
        response = requests.post(
            self.config["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code[0],
                "redirect_uri": "http://other.example/cb",
                "client_id": client_id,
                "client_secret": "x",
            },
            timeout=10,
        )
        response.raise_for_status()
        return response.json()


class SingleSignOnTests(PersonaTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = Provider()

    @classmethod
    def tearDownClass(cls):
        cls.provider.stop()
        super().tearDownClass()

    def setUp(self):
        config = self.provider.config
        self.enterContext(
            override_settings(
                OIDC_ENABLED=True,
                OIDC_RP_CLIENT_ID=CLIENT_ID,
                OIDC_RP_CLIENT_SECRET="tian-secret",
                OIDC_OP_ISSUER=config["issuer"],
                OIDC_OP_AUTHORIZATION_ENDPOINT=config["authorization_endpoint"],
                OIDC_OP_TOKEN_ENDPOINT=config["token_endpoint"],
                OIDC_OP_USER_ENDPOINT=config["userinfo_endpoint"],
                OIDC_OP_JWKS_ENDPOINT=config["jwks_uri"],
                OIDC_OP_LOGOUT_ENDPOINT=config["end_session_endpoint"],
                OIDC_MATCH_ON="username",
                # oidc-provider-mock publishes one key without a "kid".
                OIDC_VERIFY_KID=False,
                AUTHENTICATION_BACKENDS=["accounts.security.ThrottledModelBackend", "ops.oidc.Backend"],
            )
        )

    def start(self, client: Client | None = None) -> tuple[str, dict[str, str]]:
        """Press the sign-on button: the provider's authorize URL and its query (state, nonce, ...)."""
        response = (client or self.client).get("/oidc/authenticate/")
        self.assertEqual(response.status_code, 302)
        location = response["Location"]
        self.assertTrue(location.startswith(self.provider.config["authorization_endpoint"]))
        return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    def sign_in(self, sub: str, client: Client | None = None) -> tuple[object, str]:
        authorize, _ = self.start(client)
        back = urlsplit(self.provider.approve(authorize, sub))
        callback = f"{back.path}?{back.query}"
        return (client or self.client).get(callback), callback

    def signed_in_user(self, client: Client | None = None):
        return (client or self.client).get("/").wsgi_request.user

    def assertRefused(self, response, client: Client | None = None):  # noqa: N802 - unittest's style
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/accounts/login/?sso=failed")
        self.assertFalse(self.signed_in_user(client).is_authenticated)

    def test_a_first_sign_in_finds_the_account_by_login_name_and_remembers_the_subject(self):
        self.provider.set_user("gov-0001", preferred_username="chencheng", email="chencheng@example.org")

        response, _ = self.sign_in("gov-0001")

        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.signed_in_user(), self.chencheng)
        link = ExternalIdentity.objects.get(user=self.chencheng)
        self.assertEqual((link.issuer, link.subject), (self.provider.config["issuer"], "gov-0001"))

    def test_later_sign_ins_go_by_the_subject_whatever_the_name_becomes(self):
        self.provider.set_user("gov-0001", preferred_username="chencheng")
        self.sign_in("gov-0001")
        self.client.logout()
        # The provider renames the person to another account's login: the subject still decides.
        self.provider.set_user("gov-0001", preferred_username="wangfang")

        self.sign_in("gov-0001")

        self.assertEqual(self.signed_in_user(), self.chencheng)

    @override_settings(OIDC_MATCH_ON="email")
    def test_matching_by_email_needs_a_verified_email(self):
        self.provider.set_user("gov-0002", email="wangfang@example.org", email_verified=False)
        refused, _ = self.sign_in("gov-0002")
        self.assertRefused(refused)

        self.provider.set_user("gov-0002", email="wangfang@example.org", email_verified=True)
        self.sign_in("gov-0002")

        self.assertEqual(self.signed_in_user(), self.wangfang)

    def test_a_person_without_an_account_is_refused_and_no_account_is_made(self):
        self.provider.set_user("gov-9999", preferred_username="stranger", email="stranger@example.org")
        users = User.objects.count()

        response, _ = self.sign_in("gov-9999")

        self.assertRefused(response)
        self.assertEqual(User.objects.count(), users)
        self.assertFalse(ExternalIdentity.objects.exists())

    def test_an_account_linked_to_another_subject_is_not_taken_by_a_look_alike(self):
        ExternalIdentity.objects.create(user=self.chencheng, issuer=self.provider.config["issuer"], subject="gov-0001")
        self.provider.set_user("gov-0666", preferred_username="chencheng")

        response, _ = self.sign_in("gov-0666")

        self.assertRefused(response)

    def test_an_id_token_for_another_application_is_refused(self):
        self.provider.set_user("gov-0001", preferred_username="chencheng")
        _, query = self.start()
        foreign = self.provider.tokens_for("other-app", "gov-0001", query["nonce"])

        with mock.patch.object(Backend, "get_token", return_value=foreign):
            response = self.client.get(f"/oidc/callback/?code=x&state={query['state']}")

        self.assertRefused(response)

    def test_the_same_path_with_a_token_for_this_site_signs_in(self):
        # The counterpart of the wrong-audience test: only the audience differs.
        self.provider.set_user("gov-0001", preferred_username="chencheng")
        _, query = self.start()
        own = self.provider.tokens_for(CLIENT_ID, "gov-0001", query["nonce"])

        with mock.patch.object(Backend, "get_token", return_value=own):
            self.client.get(f"/oidc/callback/?code=x&state={query['state']}")

        self.assertEqual(self.signed_in_user(), self.chencheng)

    def test_an_expired_id_token_is_refused(self):
        self.provider.set_user("gov-0001", preferred_username="chencheng")
        authorize, _ = self.start()
        back = urlsplit(self.provider.approve(authorize, "gov-0001"))

        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=TOKEN_MAX_AGE + 120)
        with time_machine.travel(later, tick=False):
            response = self.client.get(f"{back.path}?{back.query}")

        self.assertRefused(response)

    def test_a_replayed_callback_is_refused(self):
        self.provider.set_user("gov-0001", preferred_username="chencheng")
        first, callback = self.sign_in("gov-0001")
        self.assertEqual(self.signed_in_user(), self.chencheng)
        self.client.post("/accounts/logout/")

        again = self.client.get(callback)
        elsewhere = Client()
        from_another_browser = elsewhere.get(callback)

        self.assertRefused(again)
        self.assertRefused(from_another_browser, elsewhere)

    def test_signing_out_ends_the_session_at_the_provider_too(self):
        self.provider.set_user("gov-0001", preferred_username="chencheng")
        self.sign_in("gov-0001")
        id_token = self.client.session["oidc_id_token"]

        response = self.client.post("/accounts/logout/")

        self.assertEqual(response.status_code, 302)
        target = urlsplit(response["Location"])
        self.assertEqual(
            f"{target.scheme}://{target.netloc}{target.path}", self.provider.config["end_session_endpoint"]
        )
        query = parse_qs(target.query)
        self.assertEqual(query["id_token_hint"], [id_token])
        self.assertEqual(query["post_logout_redirect_uri"], ["http://testserver/accounts/login/"])
        self.assertFalse(self.signed_in_user().is_authenticated)
        # The provider's own end-session page accepts what the site sent.
        self.assertEqual(requests.get(response["Location"], timeout=10).status_code, 200)

    def test_the_sign_in_page_offers_single_sign_on(self):
        response = self.client.get("/accounts/login/")

        self.assertContains(response, 'href="/oidc/authenticate/"')
        self.assertContains(response, 'name="password"')

    @override_settings(LOCAL_LOGIN_ENABLED=False, AUTHENTICATION_BACKENDS=["ops.oidc.Backend"])
    def test_password_sign_in_can_be_switched_off(self):
        page = self.client.get("/accounts/login/")
        self.client.post("/accounts/login/", {"username": "chencheng", "password": PASSWORD})

        self.assertNotContains(page, 'name="password"')
        self.assertContains(page, 'href="/oidc/authenticate/"')
        self.assertFalse(self.signed_in_user().is_authenticated)


class SingleSignOnOffTests(PersonaTestCase):
    def test_the_sign_on_addresses_do_not_exist_while_it_is_off(self):
        self.assertEqual(self.client.get("/oidc/authenticate/").status_code, 404)
        self.assertNotContains(self.client.get("/accounts/login/"), "/oidc/authenticate/")

    def test_signing_out_is_the_usual_one(self):
        self.client.force_login(self.chencheng)

        response = self.client.post("/accounts/logout/")

        self.assertEqual(response["Location"], "/accounts/login/")
        self.assertFalse(self.signed_in_user_is_authenticated())

    def signed_in_user_is_authenticated(self) -> bool:
        return self.client.get("/").wsgi_request.user.is_authenticated
