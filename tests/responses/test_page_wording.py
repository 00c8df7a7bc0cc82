"""Rough edges of the unit's pages and the letter (issue 18, item 12): the signer's sentence, the letter
title's number kept whole, the contact phone checked."""

from __future__ import annotations

from responses.letters import build_letter
from tests.responses.helpers_units import UnitPagesTestCase, admin_url


class SignerSentenceTests(UnitPagesTestCase):
    def test_the_send_box_says_who_signed_and_when_in_one_chinese_sentence(self):
        reply = self.signed(self.handling()[0])
        self.client.force_login(self.handler)
        html = self.client.get(admin_url("reply_review", reply.pk)).content.decode()
        self.assertIn("赵局长已于2023-03-01 10:00签发。", html)
        self.assertNotIn("10:00.", html)


class LetterTitleTests(UnitPagesTestCase):
    def test_the_title_keeps_the_proposal_number_in_one_piece(self):
        reply = self.signed(self.handling(serial=160)[0])
        letter = build_letter(reply)
        before, number, after = letter.title_parts
        self.assertEqual(number, "第2023160号")
        self.assertEqual(before + number + after, letter.title)
        self.client.force_login(self.handler)
        html = self.client.get(admin_url("reply_review", reply.pk)).content.decode()
        self.assertIn('<span class="letter-keep">第2023160号</span>', html)


class ContactPhoneTests(UnitPagesTestCase):
    def test_a_phone_with_letters_is_refused_on_the_reply_form_and_nothing_is_saved(self):
        assignment = self.handling()[0]
        self.client.force_login(self.handler)
        response = self.client.post(
            admin_url("assignment_reply", assignment.pk),
            {
                "category": self.reply_categories["A"].pk,
                "letter_number": "福工信函〔2023〕160号",
                "body": "现答复如下。",
                "contact_person": "刘经办",
                "contact_phone": "138abcd5678",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请填写有效的电话号码")
        self.assertFalse(assignment.replies.exists())

    def test_mobile_landline_and_extension_forms_are_accepted(self):
        for phone in ("13812345678", "0755-82978326", "0755-82978326转123", "(0755) 8297 8326"):
            with self.subTest(phone=phone):
                assignment = self.handling()[0]
                self.client.force_login(self.handler)
                self.client.post(
                    admin_url("assignment_reply", assignment.pk),
                    {
                        "category": self.reply_categories["A"].pk,
                        "letter_number": "福工信函〔2023〕160号",
                        "body": "现答复如下。",
                        "contact_person": "刘经办",
                        "contact_phone": phone,
                    },
                )
                self.assertEqual(assignment.replies.get().contact_phone, phone)
