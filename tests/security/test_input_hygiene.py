"""Input hygiene (issue 18, item 13): visible titles on one line, no bidirectional controls in single-line
fields, checked phone numbers, and no copy of a signed-in page or download left in a cache."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from accounts.models import Unit
from accounts.text_input import has_visible_text, single_line, validate_phone
from proposals.models import Attachment, Proposal
from tests.base import PersonaTestCase, make_proposal
from tests.proposals.helpers_member import IN_MEMORY_STORAGE, draft_post

ZERO_WIDTH_ONLY = "\u200b\u200c\u200d\u2060\ufeff"
RLO = "\u202e"


class CleaningRuleTests(SimpleTestCase):
    def test_a_value_of_invisible_characters_only_is_empty(self):
        self.assertFalse(has_visible_text(ZERO_WIDTH_ONLY + " \u3000"))
        self.assertEqual(single_line(ZERO_WIDTH_ONLY), "")

    def test_every_bidirectional_control_is_removed(self):
        controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
        self.assertEqual(single_line(f"报告{controls}fdp.exe"), "报告fdp.exe")

    def test_line_breaks_become_one_space(self):
        self.assertEqual(single_line("  关于加强\r\n社区\u2028体育   设施的建议 \n"), "关于加强 社区 体育 设施的建议")

    def test_phone_numbers(self):
        for good in (
            "13812345678",
            "+86 138 1234 5678",
            "0755-82978326",
            "(0755) 8297 8326",
            "0755-82978326转123",
            "0755-82978326-8001",
            "010 62345678 ext. 12",
        ):
            with self.subTest(good=good):
                validate_phone(good)
        for bad in ("138abcd5678", "12345678901", "82978326", "0755-1234", "电话", "13812345678转"):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                validate_phone(bad)


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class ProposalTitleTests(PersonaTestCase):
    def post(self, title: str, **extra):
        self.client.force_login(self.chencheng)
        return self.client.post(reverse("portal:proposal_create"), draft_post(title=title, **extra))

    def test_a_title_of_zero_width_characters_is_refused(self):
        response = self.post(ZERO_WIDTH_ONLY)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请填写可见的文字")
        self.assertFalse(Proposal.objects.exists())

    def test_a_title_is_kept_on_one_line_without_direction_overrides(self):
        self.post(f"关于加强\n福田区社区{RLO}体育设施建设的建议")
        self.assertEqual(Proposal.objects.get().title, "关于加强 福田区社区体育设施建设的建议")

    def test_long_texts_keep_their_lines_but_lose_direction_overrides(self):
        self.post("关于加强福田区社区体育设施建设的建议", suggestions=f"一、建设口袋公园。\n二、{RLO}错时开放。")
        self.assertEqual(Proposal.objects.get().suggestions, "一、建设口袋公园。\n二、错时开放。")


class AdminFormTests(PersonaTestCase):
    def test_the_admin_refuses_a_phone_with_letters_and_cleans_a_name(self):
        admin_user = type(self.committee).objects.create_superuser("root", "root@example.org", "root-pass-123456")
        self.client.force_login(admin_user)
        url = reverse("admin:accounts_unit_change", args=[self.unit.pk])
        data = {"name": f"深圳市福田区{RLO}工业和信息化局", "short_name": "区工信局", "email": "", "is_active": "on"}
        response = self.client.post(url, {**data, "phone": "138abcd5678"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请填写有效的电话号码")
        self.assertEqual(Unit.objects.get(pk=self.unit.pk).phone, "")
        response = self.client.post(url, {**data, "phone": "0755-82978326"})
        self.assertEqual(response.status_code, 302)
        unit = Unit.objects.get(pk=self.unit.pk)
        self.assertEqual((unit.name, unit.phone), ("深圳市福田区工业和信息化局", "0755-82978326"))


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class CacheControlTests(PersonaTestCase):
    def assert_private(self, response) -> None:
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        self.assertLessEqual({"private", "no-store"}, directives)
        self.assertNotIn("public", directives)

    def test_signed_in_pages_are_kept_by_no_cache(self):
        self.client.force_login(self.chencheng)
        for url in (reverse("portal:home"), reverse("portal:notifications"), reverse("public:index")):
            with self.subTest(url=url):
                self.assert_private(self.client.get(url))
        self.client.force_login(self.leader)
        self.assert_private(self.client.get("/dashboard/"))
        self.assert_private(self.client.get("/admin/"))

    def test_attachment_downloads_are_kept_by_no_cache(self):
        proposal = make_proposal(self.chencheng, self.session)
        attachment = Attachment(
            proposal=proposal,
            original_name="调研报告.txt",
            content_type="text/plain",
            size=6,
            uploaded_by=self.chencheng,
        )
        attachment.file.save("调研报告.txt", ContentFile("调研".encode()), save=False)
        attachment.save()
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse("portal:attachment_download", args=[proposal.pk, attachment.pk]))
        self.assertEqual(response.status_code, 200)
        self.assert_private(response)

    def test_anonymous_public_pages_are_not_marked_private(self):
        response = self.client.get(reverse("public:index"))
        self.assertNotIn("private", response.get("Cache-Control", ""))


class CommitteeDecisionFormsTests(SimpleTestCase):
    """The committee's decisions on return and extension requests clean their notes as every form does."""

    def test_a_refusal_note_loses_direction_overrides(self):
        from responses.admin_requests import RefuseForm

        form = RefuseForm(data={"note": "理由\u202e不充分\nexe.pdf"})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["note"], "理由不充分\nexe.pdf")

    def test_an_approval_note_loses_direction_overrides(self):
        from responses.admin_requests import ApproveReturnForm

        form = ApproveReturnForm(data={"note": "同意\u2066退回\u2069"})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["note"], "同意退回")
