"""Bad input on the member's proposal form: each gets a clear message and nothing half-saved,
and stored text is always escaped on output (page, letter, .docx)."""

from django.urls import reverse

from proposals.models import Attachment, Event, Proposal
from tests.base import PersonaTestCase
from tests.proposals.helpers_member import InEnglish, draft_post, pdf_bytes, png_bytes, upload

NEW = reverse("portal:proposal_create")
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>关于福田的建议'


class BadProposalInputTests(InEnglish, PersonaTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.chencheng)

    def assert_refused(self, response, field):
        self.assertEqual(response.status_code, 200)
        self.assertIn(field, response.context["form"].errors)
        self.assertFalse(Proposal.objects.exists())
        self.assertFalse(Event.objects.exists())
        self.assertFalse(Attachment.objects.exists())

    def test_html_and_script_in_chinese_text_is_stored_as_text_and_escaped_on_output(self):
        response = self.client.post(NEW, draft_post(title=SCRIPT[:200], background=SCRIPT))
        proposal = Proposal.objects.get()
        self.assertEqual(proposal.title, SCRIPT[:200])
        page = self.client.get(reverse("portal:proposal_detail", args=[proposal.pk])).content.decode()
        self.assertNotIn("<script>alert", page)
        self.assertNotIn("<img src=x", page)
        self.assertIn("&lt;script&gt;", page)
        self.assertEqual(response.status_code, 302)

    def test_a_title_that_is_too_long_is_refused_next_to_the_field(self):
        self.assert_refused(self.client.post(NEW, draft_post(title="建" * 201)), "title")

    def test_an_empty_or_whitespace_only_title_is_refused(self):
        self.assert_refused(self.client.post(NEW, draft_post(title="")), "title")
        self.assert_refused(self.client.post(NEW, draft_post(title=" \u3000 \t")), "title")

    def test_a_situation_analysis_or_suggestions_beyond_the_limit_are_refused(self):
        self.assert_refused(self.client.post(NEW, draft_post(background="情" * 20001)), "background")
        self.assert_refused(self.client.post(NEW, draft_post(suggestions="建" * 20001)), "suggestions")

    def test_a_choice_that_is_not_offered_is_refused(self):
        self.assert_refused(self.client.post(NEW, draft_post(kind="secret")), "kind")
        self.assert_refused(self.client.post(NEW, draft_post(category="not-a-number")), "category")
        self.assert_refused(self.client.post(NEW, draft_post(suggested_units=["999999"])), "suggested_units")
        # Larger than any id column holds (SQLite used to raise OverflowError here: a 500).
        big = "99999999999999999999"
        self.assert_refused(self.client.post(NEW, draft_post(suggested_units=[big])), "suggested_units")
        self.assert_refused(self.client.post(NEW, draft_post(category=big)), "category")

    def test_refusing_publication_without_a_reason_is_refused(self):
        self.assert_refused(self.client.post(NEW, draft_post(publication_consent="no")), "publication_refusal_reason")

    def test_a_file_whose_content_does_not_match_its_extension_is_refused(self):
        data = draft_post()
        data["attachments"] = [upload("调研报告.pdf", png_bytes())]
        self.assert_refused(self.client.post(NEW, data), "attachments")

    def test_an_executable_renamed_to_a_document_is_refused(self):
        data = draft_post()
        data["attachments"] = [upload("说明.docx", b"MZ\x90\x00" + b"\x00" * 200)]
        self.assert_refused(self.client.post(NEW, data), "attachments")

    def test_an_oversized_file_is_refused(self):
        data = draft_post()
        with self.settings(ATTACHMENT_MAX_BYTES=1024):
            data["attachments"] = [upload("报告.pdf", pdf_bytes("x" * 4000))]
            self.assert_refused(self.client.post(NEW, data), "attachments")

    def test_a_post_to_another_members_draft_changes_nothing(self):
        self.client.post(NEW, draft_post())
        theirs = Proposal.objects.get()
        self.client.force_login(self.lihua)
        response = self.client.post(reverse("portal:proposal_edit", args=[theirs.pk]), draft_post(title="改掉"))
        self.assertEqual(response.status_code, 404)
        theirs.refresh_from_db()
        self.assertEqual(theirs.title, draft_post()["title"])
