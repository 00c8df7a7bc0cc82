"""The reply in the admin: drafting with optimistic locking, field-level history, sign-off, sending, follow-up."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Event, Notification
from responses.choices import AssignmentStatus, ReplyStatus
from responses.models import Reply, ReplyRevision
from responses.services import reply_values, save_reply_draft
from tests.responses.helpers_units import NOW, REFERENCE_TITLE, TODAY, UnitPagesTestCase, admin_url


def reply_url(assignment) -> str:
    return admin_url("assignment_reply", assignment.pk)


def review_url(reply) -> str:
    return admin_url("reply_review", reply.pk)


def form_data(reply_or_values, **changes) -> dict:
    """The editor's POST data, starting from a reply's saved values."""
    if isinstance(reply_or_values, Reply):
        values = {**reply_values(reply_or_values), "base_version": reply_or_values.version}
    else:
        values = dict(reply_or_values)
    values.update(changes)
    return {name: "" if value is None else value for name, value in values.items()}


class DraftingTests(UnitPagesTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.handler)

    def test_a_new_draft_starts_from_the_reference_layout_with_the_handlers_contact(self):
        assignment = self.handling(title=REFERENCE_TITLE)[0]

        form = self.client.get(reply_url(assignment)).context["form"]

        body = form.initial["body"]
        self.assertIn(REFERENCE_TITLE, body)
        self.assertIn(assignment.proposal.number, body)
        self.assertIn(self.session.full_name, body)
        self.assertGreaterEqual(len(body.splitlines()), 3)  # the opening, then numbered sections
        self.assertEqual((form.initial["contact_person"], form.initial["contact_phone"]), ("刘经办", self.unit.phone))

    def test_saving_creates_the_draft_and_its_first_revision(self):
        assignment = self.handling()[0]
        data = {
            "category": self.reply_categories["A"].pk,
            "letter_number": "福工信函〔2023〕160号",
            "body": "一、关于产业规划\n已编制规划。",
            "contact_person": "刘经办",
            "contact_phone": "0755-82978326",
            "commitment_date": "",
            "base_version": "",
            "_draft": "1",
        }

        response = self.client.post(reply_url(assignment), data)

        self.assertRedirects(response, reply_url(assignment))
        reply = Reply.objects.get(assignment=assignment)
        self.assertEqual(
            (reply.status, reply.version, reply.body), (ReplyStatus.DRAFT, 1, "一、关于产业规划\n已编制规划。")
        )
        revision = ReplyRevision.objects.get(reply=reply)
        self.assertEqual(
            (revision.editor, revision.changes["letter_number"]), (self.handler, ["", "福工信函〔2023〕160号"])
        )

    def test_a_field_that_is_too_long_is_refused_next_to_it_and_nothing_is_saved(self):
        assignment = self.handling()[0]

        response = self.client.post(reply_url(assignment), {"letter_number": "号" * 61, "body": "正文", "_draft": "1"})

        self.assertEqual(response.status_code, 200)
        self.assertIn("letter_number", response.context["form"].errors)
        self.assertFalse(Reply.objects.exists())

    def test_editing_bumps_the_version_and_records_who_changed_what(self):
        assignment = self.handling()[0]
        reply = self.draft(assignment)

        self.client.post(reply_url(assignment), form_data(reply, body="新的正文", _draft="1"))

        reply.refresh_from_db()
        self.assertEqual((reply.version, reply.body), (2, "新的正文"))
        revision = ReplyRevision.objects.get(reply=reply, version=2)
        self.assertEqual(list(revision.changes), ["body"])

    def test_a_submitted_reply_can_no_longer_be_edited_here(self):
        assignment = self.handling()[0]
        reply = self.submitted(assignment)

        response = self.client.get(reply_url(assignment))

        self.assertRedirects(response, review_url(reply))

    def test_the_committee_may_read_a_draft_but_not_save_it(self):
        assignment = self.handling()[0]
        reply = self.draft(assignment)
        self.client.force_login(self.committee)

        self.assertEqual(self.client.get(reply_url(assignment)).status_code, 200)
        response = self.client.post(reply_url(assignment), form_data(reply, body="委员会改的", _draft="1"))

        self.assertEqual(response.status_code, 403)
        reply.refresh_from_db()
        self.assertEqual(reply.version, 1)


class ConcurrentEditTests(UnitPagesTestCase):
    """Two people edit one draft: the later save is refused with what changed meanwhile, never overwritten."""

    def test_the_later_save_is_refused_shows_what_changed_and_keeps_the_typed_text(self):
        assignment = self.handling()[0]
        reply = self.draft(assignment, body="原来的正文\n一、关于产业规划")
        # 刘经办 opens the draft (version 1) ...
        self.client.force_login(self.handler)
        opened = self.client.get(reply_url(assignment)).context["form"].initial
        self.assertEqual(opened["base_version"], 1)
        # ... 赵局长 saves first ...
        save_reply_draft(
            assignment,
            actor=self.unitlead,
            data={"body": "原来的正文\n一、关于产业规划（局长修改）", "letter_number": "福工信函〔2023〕161号"},
            base_version=1,
        )
        # ... then 刘经办 saves what he typed, from version 1.
        mine = form_data(reply_values(reply), body="原来的正文\n一、关于产业规划\n二、经办人补充的内容", base_version=1)

        response = self.client.post(reply_url(assignment), {**mine, "_draft": "1"})

        self.assertEqual(response.status_code, 200)
        reply.refresh_from_db()
        self.assertEqual((reply.version, reply.body), (2, "原来的正文\n一、关于产业规划（局长修改）"))
        self.assertEqual(reply.letter_number, "福工信函〔2023〕161号")
        # The refusal names who saved and shows their changes, field by field.
        self.assertIsNotNone(response.context["conflict"])
        self.assertIn("赵局长", response.context["conflict"].message)
        self.assertContains(response, 'data-testid="conflict"')
        revisions = response.context["conflict_revisions"]
        self.assertEqual([row["revision"].editor for row in revisions], [self.unitlead])
        self.assertEqual({change["name"] for change in revisions[0]["changes"]}, {"body", "letter_number"})
        self.assertContains(response, "福工信函〔2023〕161号")
        self.assertContains(response, "一、关于产业规划（局长修改）")
        # The saved text differs from the typed one in the body and the letter number.
        self.assertEqual({row["name"] for row in response.context["conflict_differences"]}, {"body", "letter_number"})
        # The typed text is still in the form, and the next save starts from the saved version.
        form = response.context["form"]
        self.assertEqual(form["body"].value(), "原来的正文\n一、关于产业规划\n二、经办人补充的内容")
        self.assertEqual(str(form["base_version"].value()), "2")
        self.assertContains(response, "二、经办人补充的内容")

        # Saving again, having seen the changes, replaces the saved version; the history keeps both.
        again = {name: form[name].value() or "" for name in form.fields}
        response = self.client.post(reply_url(assignment), {**again, "_draft": "1"})

        self.assertRedirects(response, reply_url(assignment))
        reply.refresh_from_db()
        self.assertEqual((reply.version, reply.body), (3, "原来的正文\n一、关于产业规划\n二、经办人补充的内容"))
        self.assertEqual(
            list(ReplyRevision.objects.filter(reply=reply).values_list("editor__username", flat=True)),
            ["handler", "unitlead", "handler"],
        )

    def test_two_first_drafts_at_once_the_second_is_refused_not_merged(self):
        assignment = self.handling()[0]
        self.client.force_login(self.handler)
        blank = {"body": "经办人的第一稿", "base_version": "", "_draft": "1"}
        save_reply_draft(assignment, actor=self.unitlead, data={"body": "局长的第一稿"}, base_version=None)

        response = self.client.post(reply_url(assignment), blank)

        self.assertEqual(response.status_code, 200)
        self.assertIsNotNone(response.context["conflict"])
        self.assertEqual(Reply.objects.get(assignment=assignment).body, "局长的第一稿")


class HistoryTests(UnitPagesTestCase):
    def test_the_history_lists_each_save_with_its_editor_and_field_changes(self):
        assignment = self.handling()[0]
        reply = self.draft(assignment, body="第一稿正文")
        save_reply_draft(
            assignment,
            actor=self.unitlead,
            data={"body": "第二稿正文", "category": self.reply_categories["B"]},
            base_version=1,
        )
        self.client.force_login(self.handler)

        response = self.client.get(admin_url("reply_revisions", reply.pk))

        self.assertEqual(response.status_code, 200)
        rows = response.context["revisions"]
        self.assertEqual([row["revision"].version for row in rows], [2, 1])
        self.assertEqual(rows[0]["revision"].editor, self.unitlead)
        changes = {change["name"]: change for change in rows[0]["changes"]}
        self.assertEqual(
            (changes["category"]["old"], changes["category"]["new"]), ("A · 已解决或采纳", "B · 正在解决或列入计划解决")
        )
        self.assertIn(("removed", "第一稿正文"), changes["body"]["diff"])
        self.assertIn(("added", "第二稿正文"), changes["body"]["diff"])
        self.assertContains(response, "赵局长")
        self.assertContains(response, "第二稿正文")


class SubmitAndSignOffTests(UnitPagesTestCase):
    def submit_post(self, assignment, reply) -> object:
        return self.client.post(reply_url(assignment), form_data(reply, _submit="1"))

    def test_submitting_sends_the_draft_for_sign_off(self):
        assignment = self.handling()[0]
        self.contact(assignment)
        reply = self.draft(assignment)
        self.client.force_login(self.handler)

        response = self.submit_post(assignment, reply)

        self.assertRedirects(response, admin_url("assignment_handle", assignment.pk))
        reply.refresh_from_db()
        self.assertEqual(reply.status, ReplyStatus.AWAITING_SIGNOFF)
        self.assertFalse(Event.objects.get(verb=EventVerb.REPLY_SUBMITTED).data["no_contact"])

    def test_an_incomplete_draft_is_refused_and_even_its_changes_are_kept_out(self):
        assignment = self.handling()[0]
        reply = self.draft(assignment)
        self.client.force_login(self.handler)

        response = self.client.post(
            reply_url(assignment), form_data(reply, letter_number="", body="改过的正文", _submit="1")
        )

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        reply.refresh_from_db()
        # Save and submit are one step: the refused submission keeps nothing, the typed text stays on the form.
        self.assertEqual((reply.status, reply.version), (ReplyStatus.DRAFT, 1))
        self.assertEqual(response.context["form"]["body"].value(), "改过的正文")

    def test_a_reply_submitted_without_any_contact_is_flagged_at_sign_off(self):
        assignment = self.handling()[0]
        reply = self.draft(assignment)
        self.client.force_login(self.handler)

        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the message is compared in English
        response = self.submit_post(assignment, reply)
        messages = " ".join(str(m) for m in response.wsgi_request._messages)
        self.assertIn("No contact", messages)

        self.client.force_login(self.unitlead)
        page = self.client.get(review_url(reply))
        self.assertTrue(page.context["missing_contact"])
        self.assertContains(page, 'data-testid="missing-contact-flag"')

    def test_with_a_contact_the_sign_off_page_carries_no_flag(self):
        assignment = self.handling()[0]
        self.contact(assignment)
        reply = self.submitted(assignment)
        self.client.force_login(self.unitlead)

        page = self.client.get(review_url(reply))

        self.assertFalse(page.context["missing_contact"])
        self.assertNotContains(page, 'data-testid="missing-contact-flag"')

    def test_the_unit_leader_signs_off(self):
        assignment = self.handling()[0]
        reply = self.submitted(assignment)
        self.client.force_login(self.unitlead)
        self.assertTrue(self.client.get(review_url(reply)).context["can_sign"])

        response = self.client.post(review_url(reply), {"action": "sign"})

        self.assertRedirects(response, review_url(reply))
        reply.refresh_from_db()
        self.assertEqual((reply.status, reply.signer), (ReplyStatus.SIGNED, self.unitlead))

    def test_a_handler_cannot_sign_off(self):
        assignment = self.handling()[0]
        reply = self.submitted(assignment)
        self.client.force_login(self.handler)
        self.assertFalse(self.client.get(review_url(reply)).context["can_sign"])

        self.client.post(review_url(reply), {"action": "sign"})

        reply.refresh_from_db()
        self.assertEqual(reply.status, ReplyStatus.AWAITING_SIGNOFF)

    def test_the_leader_sends_back_with_comments_which_the_handler_then_sees(self):
        assignment = self.handling()[0]
        reply = self.submitted(assignment)
        self.client.force_login(self.unitlead)

        response = self.client.post(review_url(reply), {"action": "sendback", "comments": "请补充下一步工作计划。"})

        self.assertRedirects(response, review_url(reply))
        reply.refresh_from_db()
        self.assertEqual((reply.status, reply.sendback_comment), (ReplyStatus.DRAFT, "请补充下一步工作计划。"))
        self.client.force_login(self.handler)
        self.assertContains(self.client.get(reply_url(assignment)), "请补充下一步工作计划。")

    def test_sending_back_without_comments_is_refused_next_to_the_field(self):
        assignment = self.handling()[0]
        reply = self.submitted(assignment)
        self.client.force_login(self.unitlead)

        response = self.client.post(review_url(reply), {"action": "sendback", "comments": ""})

        self.assertEqual(response.status_code, 200)
        self.assertIn("comments", response.context["sendback_form"].errors)
        reply.refresh_from_db()
        self.assertEqual(reply.status, ReplyStatus.AWAITING_SIGNOFF)


class SendingTests(UnitPagesTestCase):
    def test_only_a_signed_reply_can_be_sent(self):
        assignment = self.handling()[0]
        reply = self.submitted(assignment)
        self.client.force_login(self.handler)
        self.assertFalse(self.client.get(review_url(reply)).context["can_send"])

        self.client.post(review_url(reply), {"action": "send"})

        reply.refresh_from_db()
        self.assertEqual(reply.status, ReplyStatus.AWAITING_SIGNOFF)
        self.assertIsNone(reply.sent_at)

    def test_sending_notifies_every_proposer_by_email_and_in_app_and_records_the_time(self):
        assignment = self.handling(cosigners=[self.wangfang])[0]
        reply = self.signed(assignment)
        self.client.force_login(self.handler)
        self.assertTrue(self.client.get(review_url(reply)).context["can_send"])
        mail.outbox.clear()

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(review_url(reply), {"action": "send"})

        self.assertRedirects(response, admin_url("assignment_handle", assignment.pk))
        reply.refresh_from_db()
        self.assertEqual((reply.status, reply.sent_at), (ReplyStatus.SENT, NOW))
        assignment.refresh_from_db()
        self.assertEqual(assignment.status, AssignmentStatus.REPLIED)
        self.assertEqual(assignment.proposal.status, ProposalStatus.REPLIED)
        for member in (self.chencheng, self.wangfang):
            with self.subTest(member=member.username):
                note = Notification.objects.get(user=member, proposal=assignment.proposal)
                self.assertIn(f"#reply-{reply.pk}", note.url)
        self.assertEqual(
            sorted(address for m in mail.outbox for address in m.to),
            sorted(["chencheng@example.org", "wangfang@example.org"]),
        )


class FollowUpReplyTests(UnitPagesTestCase):
    """跟踪答复: a B reply's commitment date brings a follow-up reply through the same steps."""

    def setUp(self) -> None:
        self.assignment = self.handling()[0]
        self.commitment = TODAY + dt.timedelta(days=90)
        self.reply = self.sent(self.assignment, category=self.reply_categories["B"], commitment_date=self.commitment)
        self.client.force_login(self.handler)

    def test_the_assignment_page_offers_the_follow_up_reply(self):
        page = self.client.get(admin_url("assignment_handle", self.assignment.pk))
        self.assertEqual(page.context["followup_basis"], self.reply)
        self.assertTrue(page.context["can_draft_followup"])
        self.assertEqual(page.context["followup_days"], 90)

    def test_the_follow_up_is_drafted_signed_and_sent_without_moving_the_proposal(self):
        url = admin_url("assignment_followup", self.assignment.pk)
        self.assertNotIn("commitment_date", self.client.get(url).context["form"].fields)
        data = {
            "category": self.reply_categories["A"].pk,
            "letter_number": "福工信函〔2023〕260号",
            "body": "一、学校建设进展\n已完工。",
            "contact_person": "刘经办",
            "contact_phone": "0755-82978326",
            "base_version": "",
            "_submit": "1",
        }

        response = self.client.post(url, data)

        self.assertRedirects(response, admin_url("assignment_handle", self.assignment.pk))
        followup = Reply.objects.get(assignment=self.assignment, is_followup=True)
        self.assertEqual(followup.status, ReplyStatus.AWAITING_SIGNOFF)
        self.client.force_login(self.unitlead)
        self.client.post(review_url(followup), {"action": "sign"})
        self.client.force_login(self.handler)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(review_url(followup), {"action": "send"})
        followup.refresh_from_db()
        self.assertEqual(followup.status, ReplyStatus.SENT)
        self.assignment.refresh_from_db()
        self.assertEqual(self.assignment.status, AssignmentStatus.REPLIED)
        event = Event.objects.filter(verb=EventVerb.REPLY_SENT).last()
        self.assertTrue(event.data["followup"])
        self.assertTrue(
            Notification.objects.filter(user=self.chencheng, url__endswith=f"#reply-{followup.pk}").exists()
        )

    def test_no_follow_up_without_a_sent_reply_that_made_a_commitment(self):
        other = self.handling()[0]
        self.sent(other)  # category A: no commitment

        response = self.client.post(
            admin_url("assignment_followup", other.pk), {"body": "跟踪答复", "base_version": "", "_draft": "1"}
        )

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertFalse(Reply.objects.filter(assignment=other, is_followup=True).exists())
