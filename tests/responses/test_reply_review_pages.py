"""The committee's review of replies (督办审核) on the pages: the unit's send goes to the committee, the
committee's worklist and review page (release, return with comments, change the category with a reason),
what the unit is shown of it, and what members are not shown until the release (the pages and the API)."""

from __future__ import annotations

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.models import ApiToken
from api.services import issue_token
from proposals.choices import EventVerb
from proposals.models import Event
from responses.choices import AssignmentStatus, ReplyStatus
from responses.services import recategorize_reply, return_reviewed_reply
from tests.responses.helpers_units import UnitPagesTestCase, admin_url

QUEUE = admin_url("reply_review_queue")


class ReviewPageScene(UnitPagesTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.session.reply_review = True
        cls.session.save(update_fields=["reply_review"])

    def setUp(self) -> None:
        (self.assignment,) = self.handling(lead=self.chencheng, cosigners=[self.wangfang])
        self.contact(self.assignment)
        self.proposal = self.assignment.proposal

    def review_url(self, reply) -> str:
        return admin_url("reply_committee_review", reply.pk)


class UnitSendTests(ReviewPageScene):
    def test_the_signed_letters_page_offers_to_send_it_to_the_committee(self):
        reply = self.signed(self.assignment)
        self.client.force_login(self.handler)
        page = self.client.get(admin_url("reply_review", reply.pk))
        self.assertContains(page, 'data-action="send"')
        self.assertEqual(page.context["send_to_committee"], True)
        response = self.client.post(admin_url("reply_review", reply.pk), {"action": "send"})
        self.assertRedirects(response, admin_url("assignment_handle", self.assignment.pk))
        reply.refresh_from_db()
        self.assertEqual(reply.status, ReplyStatus.IN_REVIEW)
        page = self.client.get(admin_url("reply_review", reply.pk))
        self.assertContains(page, 'data-testid="in-review"')
        self.assertNotContains(page, 'data-action="send"')
        worklist = self.client.get(admin_url("assignment_worklist"))
        stages = {r.assignment.pk: r.stage for g in worklist.context["groups"] for r in g.rows}
        self.assertEqual(stages[self.assignment.pk], "review")

    def test_the_unit_reads_the_committees_comments_and_reasons(self):
        reply = self.sent(self.assignment)
        recategorize_reply(reply, actor=self.committee, category=self.reply_categories["C"], reason="受用地条件限制。")
        return_reviewed_reply(reply, actor=self.committee, comments="请补充用地协调进展。")
        self.client.force_login(self.handler)
        draft = self.client.get(admin_url("assignment_reply", self.assignment.pk))
        self.assertContains(draft, 'data-testid="sendback-comment"')
        self.assertContains(draft, "请补充用地协调进展。")
        self.assertContains(draft, 'data-testid="committee-review"')
        self.assertContains(draft, "受用地条件限制。")
        self.assertContains(draft, 'data-testid="category-change"')
        handle = self.client.get(admin_url("assignment_handle", self.assignment.pk))
        self.assertContains(handle, "请补充用地协调进展。")
        worklist = self.client.get(admin_url("assignment_worklist"))
        row = next(r for g in worklist.context["groups"] for r in g.rows if r.assignment.pk == self.assignment.pk)
        self.assertEqual(row.stage, "draft")
        self.assertIn("sent_back", [flag[0] for flag in row.flags])


class CommitteePageTests(ReviewPageScene):
    def test_the_worklist_lists_replies_under_review_with_the_units_on_time_mark(self):
        reply = self.sent(self.assignment)
        self.signed(self.handling()[0])  # signed, not yet sent: not the committee's yet
        self.client.force_login(self.committee)
        page = self.client.get(QUEUE)
        self.assertEqual(page.status_code, 200)
        rows = list(page.context["page"].object_list)
        self.assertEqual(rows, [reply])
        self.assertTrue(rows[0].on_time)
        self.assertContains(page, self.review_url(reply))
        home = self.client.get(reverse("admin:index"))
        self.assertContains(home, 'data-tile="replies_in_review"')

    def test_the_worklist_costs_the_same_queries_for_one_reply_or_several(self):
        self.sent(self.assignment)
        self.client.force_login(self.committee)
        self.client.get(QUEUE)
        with CaptureQueriesContext(connection) as one:
            self.assertEqual(len(self.client.get(QUEUE).context["page"].object_list), 1)
        for _ in range(3):
            self.sent(self.handling()[0])
        with self.assertNumQueries(len(one)):
            self.assertEqual(len(self.client.get(QUEUE).context["page"].object_list), 4)

    def test_release_from_the_review_page(self):
        reply = self.sent(self.assignment)
        self.client.force_login(self.committee)
        page = self.client.get(self.review_url(reply))
        self.assertContains(page, 'data-testid="review-actions"')
        self.assertContains(page, 'data-testid="letter-title"')
        response = self.client.post(self.review_url(reply), {"action": "release"})
        self.assertRedirects(response, QUEUE)
        reply.refresh_from_db()
        self.assertEqual(reply.status, ReplyStatus.SENT)

    def test_return_needs_comments_shown_on_the_form(self):
        reply = self.sent(self.assignment)
        self.client.force_login(self.committee)
        response = self.client.post(self.review_url(reply), {"action": "return", "comments": ""})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["return_form"].errors)
        response = self.client.post(self.review_url(reply), {"action": "return", "comments": "请补充时间表。"})
        self.assertRedirects(response, QUEUE)
        reply.refresh_from_db()
        self.assertEqual((reply.status, reply.sendback_comment), (ReplyStatus.DRAFT, "请补充时间表。"))

    def test_changing_the_category_needs_a_reason_and_keeps_the_reply_under_review(self):
        reply = self.sent(self.assignment)
        self.client.force_login(self.committee)
        c = self.reply_categories["C"].pk
        response = self.client.post(self.review_url(reply), {"action": "recategorize", "category": c, "reason": ""})
        self.assertEqual(response.status_code, 400)
        response = self.client.post(
            self.review_url(reply), {"action": "recategorize", "category": c, "reason": "受财力条件限制。"}
        )
        self.assertRedirects(response, self.review_url(reply))
        reply.refresh_from_db()
        self.assertEqual((reply.status, reply.category.code), (ReplyStatus.IN_REVIEW, "C"))
        page = self.client.get(self.review_url(reply))
        self.assertContains(page, "受财力条件限制。")

    def test_the_unit_and_leaders_may_not_review(self):
        reply = self.sent(self.assignment)
        for user in (self.handler, self.unitlead, self.other_handler, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(QUEUE).status_code, 403)
                self.assertEqual(self.client.get(self.review_url(reply)).status_code, 403)
                self.assertEqual(self.client.post(self.review_url(reply), {"action": "release"}).status_code, 403)
        reply.refresh_from_db()
        self.assertEqual(reply.status, ReplyStatus.IN_REVIEW)
        self.assertFalse(Event.objects.filter(verb=EventVerb.REPLY_SENT).exists())


class MemberTests(ReviewPageScene):
    def test_members_see_neither_the_letter_nor_a_replied_unit_until_the_release(self):
        reply = self.sent(self.assignment)
        for member in (self.chencheng, self.wangfang):
            with self.subTest(member=member.username):
                self.client.force_login(member)
                page = self.client.get(f"/proposals/{self.proposal.pk}/")
                self.assertEqual(page.context["replies"], [])
                (shown,) = page.context["assignments"]
                self.assertEqual(shown.status, AssignmentStatus.HANDLING)
                verbs = {event.verb for event in page.context["events"]}
                self.assertNotIn(EventVerb.REPLY_TO_REVIEW, verbs)
                self.assertEqual(self.client.get(f"/letters/{reply.pk}/").status_code, 404)
        # Staff of the unit see that they replied.
        self.client.force_login(self.handler)
        (shown,) = self.client.get(f"/proposals/{self.proposal.pk}/").context["assignments"]
        self.assertEqual(shown.status, AssignmentStatus.REPLIED)

    def test_the_api_shows_a_member_the_unit_as_handling_and_no_letter(self):
        token = issue_token(ApiToken(user=self.chencheng, name="测试"), actor=self.committee)
        self.sent(self.assignment)
        client = self.client_class(headers={"Authorization": f"Bearer {token}"})
        detail = client.get(f"/api/v1/proposals/{self.proposal.pk}/").json()
        (assignment,) = detail["assignments"]
        self.assertEqual((assignment["status"], assignment["replied_at"]), ("handling", None))
        self.assertEqual(detail["replies"], [])
        listed = client.get("/api/v1/assignments/").json()["results"]
        self.assertEqual([row["status"] for row in listed], ["handling"])
        handler_token = issue_token(ApiToken(user=self.handler, name="测试"), actor=self.committee)
        unit = self.client_class(headers={"Authorization": f"Bearer {handler_token}"})
        (row,) = unit.get("/api/v1/assignments/").json()["results"]
        self.assertEqual(row["status"], "replied")
        (reply,) = unit.get("/api/v1/replies/").json()["results"]
        self.assertEqual(reply["status"], "in_review")

    def test_the_api_send_of_a_unit_hands_the_letter_to_the_committee(self):
        token = issue_token(ApiToken(user=self.handler, name="测试"), actor=self.committee)
        reply = self.signed(self.assignment)
        client = self.client_class(headers={"Authorization": f"Bearer {token}"})
        response = client.post(f"/api/v1/replies/{reply.pk}/send/", json.dumps({}), content_type="application/json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "in_review")
