"""Bad input on the member portal beyond the new-proposal form: editing a draft, attachments, co-signers,
invitations, withdrawal and the rating of a reply.

Every refusal is checked twice: the member is told why (a field error or a message), and the rows the
step would write (the proposal, its proposers and files, feedback, the Event log, notifications) are
exactly as they were.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from proposals.choices import ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Attachment, Event, Notification, Proposal, Proposer
from proposals.services import invite_cosigner
from responses.choices import AssignmentRole, ReplyStatus, Satisfaction
from responses.models import Feedback, Reply
from tests.base import PersonaTestCase, make_proposal, make_user
from tests.proposals.helpers_member import (
    IN_MEMORY_STORAGE,
    InEnglish,
    assign,
    draft_post,
    pdf_bytes,
    png_bytes,
    sent_reply,
    upload,
)

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
WRITTEN = (Proposal, Proposer, Attachment, Event, Notification)


def stored_attachment(proposal, user, stored: str, shown: str) -> Attachment:
    """An attachment row of a small PDF (the file itself is never read by these tests)."""
    return Attachment.objects.create(
        proposal=proposal,
        file=f"attachments/{stored}",
        original_name=shown,
        content_type="application/pdf",
        size=100,
        uploaded_by=user,
    )


def rows(models) -> dict:
    """Every row of ``models`` with every field: equal before and after means nothing was written."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


class Unchanged:
    """``with Unchanged(self, Proposal, Event): ...`` fails when the block wrote to any of the tables."""

    def __init__(self, test, *models) -> None:
        self.test, self.models = test, models or WRITTEN

    def __enter__(self) -> Unchanged:
        self.before = rows(self.models)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.test.assertEqual(rows(self.models), self.before)


def messages_of(response) -> list[str]:
    """The messages the response left for the next page; read once, so the next request starts without them."""
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    response.client.cookies.pop("messages", None)
    return texts


class PortalTestCase(InEnglish, PersonaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.chencheng)

    def unchanged(self, *models) -> Unchanged:
        return Unchanged(self, *models)

    def assert_shown(self, response, form: str, field: str | None = None) -> None:
        """The form in the context has an error on ``field`` (None: the form itself), shown on the page."""
        self.assertEqual(response.status_code, 200)
        errors = response.context[form].errors.get(field or "__all__")
        self.assertTrue(errors, response.context[form].errors)
        for message in errors:
            self.assertContains(response, escape(message))


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class DraftEditTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.draft = make_proposal(cls.chencheng, cls.session, title="关于加强福田区社区体育设施建设的建议")
        cls.other = make_proposal(cls.wangfang, cls.session, title="关于王芳草稿的建议")
        cls.theirs = stored_attachment(cls.other, cls.wangfang, "theirs.pdf", "王芳的附件.pdf")

    def edit(self, **overrides):
        return self.client.post(reverse("portal:proposal_edit", args=[self.draft.pk]), draft_post(**overrides))

    def assert_field_error(self, response, field: str) -> None:
        self.assert_shown(response, "form", field)

    def test_a_title_too_long_or_blank_is_refused_and_the_draft_is_unchanged(self):
        for title in ("建" * 201, "", " \u3000\t "):
            with self.subTest(title=title[:5]), self.unchanged():
                self.assert_field_error(self.edit(title=title), "title")

    def test_a_situation_analysis_beyond_the_limit_is_refused(self):
        with self.unchanged():
            response = self.edit(background="情" * 20001)
        self.assert_field_error(response, "background")
        self.assertIn("at most 20000 characters", str(response.context["form"].errors["background"]))

    def test_unoffered_choices_are_refused(self):
        cases = {
            "kind": {"kind": "secret"},
            "category": {"category": "abc"},
            "suggested_units": {"suggested_units": ["999999"]},
            "publication_consent": {"publication_consent": "maybe"},
        }
        for field, data in cases.items():
            with self.subTest(field=field), self.unchanged():
                self.assert_field_error(self.edit(**data), field)

    def test_removing_another_proposals_attachment_by_a_forged_id_is_refused(self):
        with self.unchanged():
            response = self.edit(remove_attachments=[str(self.theirs.pk)])
        self.assert_shown(response, "form")
        self.assertIn(
            "A file chosen for removal is not attached to this draft.", response.context["form"].errors["__all__"][0]
        )

    def test_a_file_whose_content_does_not_match_its_name_is_refused_on_edit(self):
        data = draft_post(title="改过的标题")
        data["attachments"] = [upload("调研报告.pdf", png_bytes())]
        with self.unchanged():
            response = self.client.post(reverse("portal:proposal_edit", args=[self.draft.pk]), data)
        self.assert_field_error(response, "attachments")

    def test_a_submitted_proposal_cannot_be_edited_by_a_forged_post(self):
        Proposal.objects.filter(pk=self.draft.pk).update(status=ProposalStatus.SUBMITTED)
        with self.unchanged():
            response = self.edit(title="偷改的标题")
        self.assertRedirects(response, reverse("portal:proposal_detail", args=[self.draft.pk]))
        self.assertIn("Only a draft can be changed", messages_of(response)[0])

    def test_editing_a_draft_that_does_not_exist_answers_404(self):
        with self.unchanged():
            response = self.client.post(reverse("portal:proposal_edit", args=[999999]), draft_post())
        self.assertEqual(response.status_code, 404)

    def test_script_in_the_text_is_escaped_on_the_edit_form_and_the_page(self):
        self.edit(title=f"关于{SCRIPT}的建议", suggestions=SCRIPT)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.suggestions, SCRIPT)
        for name in ("proposal_edit", "proposal_detail"):
            with self.subTest(page=name):
                page = self.client.get(reverse(f"portal:{name}", args=[self.draft.pk])).content.decode()
                self.assertNotIn("<script>alert", page)
                self.assertNotIn("<img src=x", page)
                self.assertIn("&lt;script&gt;", page)


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class AttachmentTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.draft = make_proposal(cls.chencheng, cls.session)
        cls.mine = stored_attachment(cls.draft, cls.chencheng, "mine.pdf", "调研报告.pdf")
        cls.other = make_proposal(cls.wangfang, cls.session, title="关于王芳草稿的建议")
        cls.theirs = stored_attachment(cls.other, cls.wangfang, "theirs.pdf", "王芳的附件.pdf")

    def add(self, proposal=None, **files):
        return self.client.post(reverse("portal:attachment_add", args=[(proposal or self.draft).pk]), files)

    def remove_url(self, attachment, proposal=None) -> str:
        return reverse("portal:attachment_remove", args=[(proposal or self.draft).pk, attachment.pk])

    def assert_file_error(self, response) -> None:
        self.assert_shown(response, "attachment_form", "file")

    def test_a_file_whose_content_does_not_match_its_extension_is_refused(self):
        for name, content in (("报告.pdf", png_bytes()), ("照片.png", pdf_bytes()), ("说明.docx", b"MZ\x90\x00" * 50)):
            with self.subTest(name=name), self.unchanged():
                self.assert_file_error(self.add(file=upload(name, content)))

    def test_an_oversized_or_empty_file_or_none_at_all_is_refused(self):
        with self.settings(ATTACHMENT_MAX_BYTES=1024), self.unchanged():
            self.assert_file_error(self.add(file=upload("报告.pdf", pdf_bytes("x" * 4000))))
        with self.unchanged():
            self.assert_file_error(self.add(file=upload("空.txt", b"")))
        with self.unchanged():
            self.assert_file_error(self.add())

    def test_a_file_for_another_members_draft_answers_404(self):
        with self.unchanged():
            response = self.add(self.other, file=upload("报告.pdf", pdf_bytes()))
        self.assertEqual(response.status_code, 404)

    def test_a_file_for_a_submitted_proposal_is_refused_with_a_message(self):
        Proposal.objects.filter(pk=self.draft.pk).update(status=ProposalStatus.SUBMITTED)
        detail = reverse("portal:proposal_detail", args=[self.draft.pk]) + "#attachments"
        for file in (upload("报告.pdf", pdf_bytes()), upload("报告.pdf", png_bytes())):
            with self.subTest(file=file.name), self.unchanged():
                response = self.add(file=file)
                self.assertRedirects(response, detail, fetch_redirect_response=False)
                self.assertEqual(len(messages_of(response)), 1)

    def test_removing_by_forged_ids_answers_404_and_removes_nothing(self):
        for url in (
            self.remove_url(self.theirs),  # another proposal's file under my proposal's URL
            self.remove_url(self.theirs, self.other),  # another member's proposal
            reverse("portal:attachment_remove", args=[self.draft.pk, 999999]),
        ):
            with self.subTest(url=url), self.unchanged():
                self.assertEqual(self.client.post(url).status_code, 404)

    def test_removing_from_a_submitted_proposal_is_refused_with_a_message(self):
        Proposal.objects.filter(pk=self.draft.pk).update(status=ProposalStatus.SUBMITTED)
        with self.unchanged():
            response = self.client.post(self.remove_url(self.mine), {"next": "https://evil.example/"})
        self.assertRedirects(
            response,
            reverse("portal:proposal_detail", args=[self.draft.pk]) + "#attachments",
            fetch_redirect_response=False,
        )
        self.assertIn("Only a draft can be changed", messages_of(response)[0])


class CosignerTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.draft = make_proposal(cls.chencheng, cls.session)
        cls.former = make_user("former", "前委员")
        cls.former.is_active = False
        cls.former.save(update_fields=["is_active"])

    def invite(self, member, proposal=None):
        return self.client.post(reverse("portal:invite", args=[(proposal or self.draft).pk]), {"member": member})

    def assert_refused(self, response, text: str) -> None:
        self.assertRedirects(response, reverse("portal:cosigners", args=[self.draft.pk]))
        self.assertEqual(len(messages_of(response)), 1)
        self.assertIn(text, messages_of(response)[0])

    def test_inviting_oneself_is_refused(self):
        with self.unchanged():
            self.assert_refused(self.invite(self.chencheng.pk), "is already on this proposal")

    def test_inviting_someone_who_is_not_a_member_or_not_there_is_refused(self):
        choose = "Choose a member from the search results."
        for value in (self.handler.pk, self.committee.pk, self.former.pk, 999999, "abc", "", "-1", "1.5"):
            with self.subTest(member=value), self.unchanged():
                self.assert_refused(self.invite(value), choose)

    def test_inviting_the_same_member_twice_leaves_one_invitation(self):
        invite_cosigner(self.draft, actor=self.chencheng, user=self.wangfang)
        with self.unchanged():
            self.assert_refused(self.invite(self.wangfang.pk), "王芳 is already on this proposal")
        self.assertEqual(Proposer.objects.filter(proposal=self.draft, user=self.wangfang).count(), 1)

    def test_a_collective_proposal_takes_no_cosigners(self):
        Proposal.objects.filter(pk=self.draft.pk).update(kind=ProposalKind.COLLECTIVE, collective_author="民盟福田区委")
        with self.unchanged():
            self.assert_refused(self.invite(self.wangfang.pk), "A collective proposal has no co-signers.")

    def test_inviting_onto_another_members_proposal_answers_404(self):
        other = make_proposal(self.lihua, self.session, title="关于李华草稿的建议")
        with self.unchanged():
            self.assertEqual(self.invite(self.wangfang.pk, other).status_code, 404)

    def test_a_search_that_is_too_long_or_holds_script_finds_nothing_and_is_escaped(self):
        url = reverse("portal:cosigners", args=[self.draft.pk])
        response = self.client.get(url, {"q": "王" * 31})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["results"], [])
        self.assertTrue(response.context["search_form"].errors["q"])
        page = self.client.get(url, {"q": "<script>alert(1)</script>"}).content.decode()
        self.assertNotIn("<script>alert(1)", page)


class InvitationAnswerTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.draft = make_proposal(cls.chencheng, cls.session, cosigners=[cls.wangfang], cosigner_status="invited")

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.wangfang)
        self.url = reverse("portal:invitation", args=[self.draft.pk])

    def test_a_forged_answer_is_refused_with_a_message(self):
        for answer in ("maybe", "", "CONFIRM", "confirm "):
            with self.subTest(answer=answer), self.unchanged():
                response = self.client.post(self.url, {"answer": answer})
                self.assertRedirects(response, self.url)
                self.assertEqual(messages_of(response), ["Choose whether to co-sign the proposal or decline."])

    def test_answering_twice_is_refused(self):
        self.client.post(self.url, {"answer": "confirm"})
        with self.unchanged():
            response = self.client.post(self.url, {"answer": "decline"})
        self.assertIn("This invitation has already been answered.", messages_of(response))

    def test_a_member_who_was_not_invited_gets_404(self):
        for user in (self.lihua, self.chencheng):
            with self.subTest(user=user.username), self.unchanged():
                self.client.force_login(user)
                self.assertEqual(self.client.post(self.url, {"answer": "confirm"}).status_code, 404)

    def test_an_invitation_to_a_proposal_that_does_not_exist_answers_404(self):
        with self.unchanged():
            response = self.client.post(reverse("portal:invitation", args=[999999]), {"answer": "confirm"})
        self.assertEqual(response.status_code, 404)


class WithdrawTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(cls.chencheng, cls.session, status=ProposalStatus.SUBMITTED)

    def withdraw(self, reason: str = "", proposal=None):
        return self.client.post(
            reverse("portal:proposal_withdraw", args=[(proposal or self.proposal).pk]), {"reason": reason}
        )

    def test_a_reason_beyond_the_limit_is_refused_beside_the_field(self):
        with self.unchanged():
            response = self.withdraw("理" * 501)
        self.assertEqual(response.status_code, 200)
        self.assert_shown(response, "withdraw_form", "reason")

    def test_a_whitespace_reason_counts_as_none(self):
        self.withdraw(" \u3000\n ")
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.WITHDRAWN)
        self.assertEqual(Event.objects.get(proposal=self.proposal).note, "")

    def test_a_proposal_past_review_cannot_be_withdrawn(self):
        Proposal.objects.filter(pk=self.proposal.pk).update(status=ProposalStatus.ACCEPTED, number="2023001")
        with self.unchanged():
            response = self.withdraw("不想办了")
        self.assertIn("This cannot be done now", messages_of(response)[0])

    def test_a_cosigner_or_another_member_cannot_withdraw(self):
        Proposer.objects.create(
            proposal=self.proposal,
            user=self.wangfang,
            role=ProposerRole.COSIGNER,
            status=ProposerStatus.CONFIRMED,
            order=1,
        )
        for user, status in ((self.wangfang, 403), (self.lihua, 404)):
            with self.subTest(user=user.username), self.unchanged():
                self.client.force_login(user)
                self.assertEqual(self.withdraw().status_code, status)


class FeedbackTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = make_proposal(
            cls.chencheng,
            cls.session,
            status=ProposalStatus.REPLIED,
            category=cls.category,
            cosigners=[cls.wangfang],
            number="2023160",
        )
        cls.assignment = assign(cls.proposal, cls.unit, cls.committee, role=AssignmentRole.SEPARATE)
        cls.reply = sent_reply(cls.assignment, cls.handler, signer=cls.unitlead, category=cls.reply_categories["A"])
        second = assign(cls.proposal, cls.other_unit, cls.committee, role=AssignmentRole.SEPARATE)
        cls.unsent = Reply.objects.create(
            assignment=second, round=1, status=ReplyStatus.SIGNED, body="未发送的答复", drafted_by=cls.other_handler
        )
        cls.elsewhere = make_proposal(cls.lihua, cls.session, status=ProposalStatus.REPLIED, number="2023161")
        cls.their_reply = sent_reply(
            assign(cls.elsewhere, cls.unit, cls.committee), cls.handler, category=cls.reply_categories["A"]
        )

    def url(self, reply=None, proposal=None) -> str:
        return reverse("portal:feedback", args=[(proposal or self.proposal).pk, (reply or self.reply).pk])

    def rate(self, url=None, attitude=Satisfaction.SATISFIED, result=Satisfaction.SATISFIED, comment=""):
        return self.client.post(url or self.url(), {"attitude": attitude, "result": result, "comment": comment})

    def assert_refused(self, response, field=None) -> None:
        self.assert_shown(response, "form", field)

    def test_ratings_outside_the_three_levels_are_refused(self):
        for attitude, result in (("非常满意", "satisfied"), ("satisfied", "5"), ("", "satisfied"), ("SATISFIED", "")):
            with self.subTest(attitude=attitude, result=result), self.unchanged(Feedback, Event, Notification):
                response = self.rate(attitude=attitude, result=result)
                self.assert_refused(response, "attitude" if attitude not in Satisfaction.values else "result")

    def test_a_comment_too_long_or_a_blank_dissatisfied_comment_is_refused(self):
        with self.unchanged(Feedback, Event, Notification):
            self.assert_refused(self.rate(comment="评" * 2001), "comment")
        with self.unchanged(Feedback, Event, Notification, Proposal):
            self.assert_refused(self.rate(result=Satisfaction.DISSATISFIED, comment=" \u3000 "), "comment")

    def test_a_second_rating_is_refused_and_the_first_stands(self):
        self.rate(comment="很好")
        with self.unchanged(Feedback, Event, Notification, Proposal):
            response = self.rate(attitude=Satisfaction.DISSATISFIED, comment="改主意了")
        self.assert_refused(response)
        self.assertIn("You have already rated this reply.", response.context["form"].non_field_errors())

    def test_forged_reply_ids_answer_404(self):
        urls = (
            self.url(self.their_reply),  # another member's reply under my proposal
            self.url(self.their_reply, self.elsewhere),  # another member's proposal
            self.url(self.unsent),  # a reply of my proposal that was not sent
            reverse("portal:feedback", args=[self.proposal.pk, 999999]),
        )
        for url in urls:
            with self.subTest(url=url), self.unchanged(Feedback, Event, Notification):
                self.assertEqual(self.rate(url).status_code, 404)

    def test_rating_after_the_window_is_refused(self):
        Reply.objects.filter(pk=self.reply.pk).update(sent_at=timezone.now() - dt.timedelta(days=60))
        with self.unchanged(Feedback, Event, Notification):
            response = self.rate()
        self.assert_refused(response)

    def test_a_comment_with_script_is_stored_as_text_and_escaped_for_the_unit(self):
        self.rate(result=Satisfaction.BASICALLY, comment=SCRIPT)
        feedback = Feedback.objects.get()
        self.assertEqual(feedback.comment, SCRIPT)
        self.client.force_login(self.committee)
        page = self.client.get(reverse("admin:responses_feedback_change", args=[feedback.pk])).content.decode()
        self.assertIn("&lt;script&gt;", page)
        self.assertNotIn("<script>alert", page)
