"""Countersigning (会签) on the unit's pages: the lead unit sends its draft from the reply page and sees each
co-handling unit's answer there; a co-handling unit reads the draft it is asked about and answers it from
its own countersign page and worklist. Other units and members never see the draft."""

from __future__ import annotations

from proposals.choices import EventVerb
from proposals.models import Event
from responses.choices import CountersignStatus, ReplyStatus
from responses.models import Countersign, Reply
from responses.services import answer_countersign, request_countersign, send_opinion
from tests.responses.helpers_units import COHANDLING, LEAD, UnitPagesTestCase, admin_url
from tests.responses.test_unit_replies import form_data

WORKLIST = admin_url("assignment_worklist")


class CountersignPageScene(UnitPagesTestCase):
    """区工信局 leads; 区发改局 (third_unit) co-handles and has sent its opinion; 会签 is on."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.session.countersign = True
        cls.session.save(update_fields=["countersign"])

    def setUp(self) -> None:
        self.lead, self.co = self.handling([(self.unit, LEAD), (self.third_unit, COHANDLING)])
        send_opinion(self.co, actor=self.third_handler, body="建议将项目纳入年度投资计划。")
        self.contact(self.lead)
        self.reply = self.draft(self.lead)

    def countersign_url(self, assignment=None) -> str:
        return admin_url("assignment_countersign", (assignment or self.co).pk)


class LeadPageTests(CountersignPageScene):
    def test_the_reply_page_lists_every_unit_asked_and_offers_to_send_the_draft(self):
        self.client.force_login(self.handler)
        response = self.client.get(admin_url("assignment_reply", self.lead.pk))
        self.assertContains(response, 'data-testid="countersign-panel"')
        self.assertContains(response, 'data-action="countersign"')
        self.assertContains(response, f'data-unit="{self.third_unit.pk}" data-status="not_asked"')

    def test_saving_and_sending_for_countersigning_is_one_step(self):
        self.client.force_login(self.handler)
        data = form_data(self.reply, body=self.reply.body + "\n二、关于投资计划\n纳入计划。", _countersign="1")
        response = self.client.post(admin_url("assignment_reply", self.lead.pk), data)
        self.assertRedirects(response, admin_url("assignment_reply", self.lead.pk))
        row = Countersign.objects.get(reply=self.reply)
        self.assertEqual((row.status, row.version), (CountersignStatus.PENDING, 2))
        self.assertIn("投资计划", row.letter["body"])
        page = self.client.get(admin_url("assignment_reply", self.lead.pk))
        self.assertContains(page, f'data-unit="{self.third_unit.pk}" data-status="pending"')
        worklist = self.client.get(WORKLIST)
        row = next(r for g in worklist.context["groups"] for r in g.rows if r.assignment.pk == self.lead.pk)
        self.assertIn("countersign_waiting", [flag[0] for flag in row.flags])

    def test_submitting_before_everyone_agreed_is_refused_with_the_reason_and_nothing_saved(self):
        self.client.force_login(self.handler)
        data = form_data(self.reply, letter_number="福工信函〔2023〕999号", _submit="1")
        response = self.client.post(admin_url("assignment_reply", self.lead.pk), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="form-errors"')
        self.assertIn("会签", response.context["form"].non_field_errors()[0])
        self.reply.refresh_from_db()
        self.assertEqual((self.reply.status, self.reply.letter_number), (ReplyStatus.DRAFT, "福工信函〔2023〕160号"))

    def test_the_lead_sees_who_agreed_and_when_and_may_then_submit(self):
        request_countersign(self.reply, actor=self.handler)
        answer_countersign(Countersign.objects.get(), actor=self.third_lead, agree=True, comments="同意上报。")
        self.client.force_login(self.handler)
        page = self.client.get(admin_url("assignment_reply", self.lead.pk))
        self.assertContains(page, f'data-unit="{self.third_unit.pk}" data-status="agreed"')
        self.assertContains(page, "郑局长")
        self.assertContains(page, "同意上报。")
        self.assertContains(page, 'data-testid="countersign-all-agreed"')
        response = self.client.post(admin_url("assignment_reply", self.lead.pk), form_data(self.reply, _submit="1"))
        self.assertRedirects(response, admin_url("assignment_handle", self.lead.pk))
        self.reply.refresh_from_db()
        self.assertEqual(self.reply.status, ReplyStatus.AWAITING_SIGNOFF)

    def test_a_returned_draft_shows_the_comments_and_a_flag_on_the_worklist(self):
        request_countersign(self.reply, actor=self.handler)
        answer_countersign(
            Countersign.objects.get(), actor=self.third_handler, agree=False, comments="请补充资金来源。"
        )
        self.client.force_login(self.handler)
        page = self.client.get(admin_url("assignment_reply", self.lead.pk))
        self.assertContains(page, f'data-unit="{self.third_unit.pk}" data-status="returned"')
        self.assertContains(page, "请补充资金来源。")
        worklist = self.client.get(WORKLIST)
        row = next(r for g in worklist.context["groups"] for r in g.rows if r.assignment.pk == self.lead.pk)
        self.assertIn("countersign_returned", [flag[0] for flag in row.flags])


class CoHandlerPageTests(CountersignPageScene):
    def setUp(self) -> None:
        super().setUp()
        request_countersign(self.reply, actor=self.handler)
        self.row = Countersign.objects.get()

    def test_the_co_handler_finds_the_draft_on_its_worklist_and_reads_it(self):
        self.client.force_login(self.third_handler)
        worklist = self.client.get(WORKLIST)
        stages = {r.assignment.pk: r.stage for g in worklist.context["groups"] for r in g.rows}
        self.assertEqual(stages[self.co.pk], "countersign")
        self.assertContains(worklist, self.countersign_url())
        handle = self.client.get(admin_url("assignment_handle", self.co.pk))
        self.assertContains(handle, 'data-testid="open-countersign"')
        page = self.client.get(self.countersign_url())
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'data-testid="countersign-form"')
        self.assertContains(page, "福工信函〔2023〕160号")
        self.assertContains(page, "已编制时尚产业规划。")

    def test_agreeing_from_the_page(self):
        self.client.force_login(self.third_lead)
        response = self.client.post(self.countersign_url(), {"countersign": self.row.pk, "action": "agree"})
        self.assertRedirects(response, self.countersign_url())
        self.row.refresh_from_db()
        self.assertEqual((self.row.status, self.row.answered_by), (CountersignStatus.AGREED, self.third_lead))
        page = self.client.get(self.countersign_url())
        self.assertNotContains(page, 'data-testid="countersign-form"')
        self.assertContains(page, 'data-status="agreed"')

    def test_returning_without_comments_is_refused_on_the_form_and_nothing_changes(self):
        self.client.force_login(self.third_handler)
        response = self.client.post(
            self.countersign_url(), {"countersign": self.row.pk, "action": "return", "comments": " "}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'data-testid="form-errors"', status_code=400)
        self.row.refresh_from_db()
        self.assertEqual(self.row.status, CountersignStatus.PENDING)
        response = self.client.post(
            self.countersign_url(), {"countersign": self.row.pk, "action": "return", "comments": "请补充资金来源。"}
        )
        self.assertRedirects(response, self.countersign_url())
        self.assertTrue(Event.objects.filter(verb=EventVerb.COUNTERSIGN_RETURNED, note="请补充资金来源。").exists())


class AccessTests(CountersignPageScene):
    def setUp(self) -> None:
        super().setUp()
        request_countersign(self.reply, actor=self.handler)
        self.row = Countersign.objects.get()

    def test_other_units_and_the_lead_get_404_for_the_co_handlers_page_and_members_the_admin_login(self):
        for user in (self.handler, self.unitlead, self.other_handler):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.countersign_url()).status_code, 404)
                self.assertEqual(
                    self.client.post(
                        self.countersign_url(), {"countersign": self.row.pk, "action": "agree"}
                    ).status_code,
                    404,
                )
        for user in (self.chencheng, self.lihua):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(self.countersign_url())
                self.assertEqual(response.status_code, 302)
                self.assertIn("/admin/login/", response["Location"])
        self.row.refresh_from_db()
        self.assertEqual(self.row.status, CountersignStatus.PENDING)

    def test_oversight_reads_the_page_but_cannot_answer(self):
        for user in (self.committee, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                page = self.client.get(self.countersign_url())
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, 'data-testid="countersign-form"')
                self.client.post(self.countersign_url(), {"countersign": self.row.pk, "action": "agree"})
        self.row.refresh_from_db()
        self.assertEqual(self.row.status, CountersignStatus.PENDING)

    def test_the_co_handler_cannot_open_the_lead_units_draft_itself(self):
        self.client.force_login(self.third_handler)
        for url in (
            admin_url("reply_review", self.reply.pk),
            admin_url("reply_revisions", self.reply.pk),
            admin_url("assignment_reply", self.lead.pk),
            f"/letters/{self.reply.pk}/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_members_see_nothing_of_it_on_the_proposal_page(self):
        self.client.force_login(self.chencheng)
        page = self.client.get(f"/proposals/{self.lead.proposal_id}/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "已编制时尚产业规划。")
        self.assertNotIn(EventVerb.COUNTERSIGN_REQUESTED, [event.verb for event in page.context["events"]])
        self.assertFalse(Reply.objects.visible_to(self.chencheng).exists())
