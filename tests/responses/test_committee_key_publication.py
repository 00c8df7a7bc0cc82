"""Key proposals (重点提案) with their supervising leader and notes, and publication (提案公开), in the admin."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Event, Proposal, SupervisionNote
from proposals.services import mark_key_proposal
from responses.choices import ReplyStatus
from tests.base import PersonaTestCase, make_proposal, make_user
from tests.proposals.helpers_committee import assigned, count_queries, url
from tests.responses.test_admin import make_assignment, make_reply


class KeyProposalTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.other_leader = make_user("leader2", "吴副主席", Role.LEADER)

    def setUp(self) -> None:
        self.proposal, _rows = assigned(self.committee, self.chencheng, self.session, self.unit)
        self.client.force_login(self.committee)

    def test_committee_marks_a_key_proposal_with_its_supervising_leader(self):
        response = self.client.post(
            url("key", self.proposal.pk), {"is_key": "1", "supervisor": self.leader.pk, "note": "列为主席督办"}
        )
        self.assertRedirects(response, url("supervision", self.proposal.pk), fetch_redirect_response=False)
        self.proposal.refresh_from_db()
        self.assertEqual((self.proposal.is_key, self.proposal.supervisor), (True, self.leader))
        event = Event.objects.get(proposal=self.proposal, verb=EventVerb.MARKED_KEY)
        self.assertEqual(event.note, "列为主席督办")

    def test_a_key_proposal_needs_a_leader(self):
        response = self.client.post(url("key", self.proposal.pk), {"is_key": "1", "supervisor": ""})
        self.assertEqual(response.status_code, 400)
        self.assertIn("supervisor", response.context["key_form"].errors)
        response = self.client.post(url("key", self.proposal.pk), {"is_key": "1", "supervisor": self.handler.pk})
        self.assertEqual(response.status_code, 400)
        self.proposal.refresh_from_db()
        self.assertFalse(self.proposal.is_key)

    def test_a_submitted_proposal_cannot_be_marked(self):
        proposal = make_proposal(self.wangfang, self.session, title="关于待审的建议", status=ProposalStatus.SUBMITTED)
        response = self.client.post(url("key", proposal.pk), {"is_key": "1", "supervisor": self.leader.pk})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["key_form"].non_field_errors())
        proposal.refresh_from_db()
        self.assertFalse(proposal.is_key)

    def test_committee_unmarks_a_key_proposal(self):
        mark_key_proposal(self.proposal, actor=self.committee, supervisor=self.leader)
        self.client.post(url("key", self.proposal.pk), {"is_key": "0"})
        self.proposal.refresh_from_db()
        self.assertEqual((self.proposal.is_key, self.proposal.supervisor), (False, None))

    def test_the_leader_sees_the_proposals_they_supervise_and_no_others(self):
        mark_key_proposal(self.proposal, actor=self.committee, supervisor=self.leader)
        other, _rows = assigned(self.committee, self.wangfang, self.session, self.other_unit, title="关于别的建议")
        mark_key_proposal(other, actor=self.committee, supervisor=self.other_leader)
        self.client.force_login(self.leader)
        response = self.client.get(url("supervised"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["page"].object_list), [self.proposal])
        self.assertContains(response, self.unit.short_name)
        # The changelist filter says the same.
        listing = self.client.get(url("changelist"), {"supervised": "me"})
        self.assertEqual(list(listing.context["cl"].result_list), [self.proposal])
        self.assertContains(self.client.get(url("changelist")), url("supervised"))

        self.client.force_login(self.committee)
        response = self.client.get(url("supervised"))
        self.assertEqual({p.pk for p in response.context["page"].object_list}, {self.proposal.pk, other.pk})
        response = self.client.get(url("supervised"), {"supervisor": self.other_leader.pk})
        self.assertEqual(list(response.context["page"].object_list), [other])

    def test_the_supervising_leader_writes_supervision_notes(self):
        mark_key_proposal(self.proposal, actor=self.committee, supervisor=self.leader)
        self.client.force_login(self.leader)
        response = self.client.post(url("supervision", self.proposal.pk), {"body": "请于月底前召开专题协调会。"})
        self.assertRedirects(response, url("supervision", self.proposal.pk), fetch_redirect_response=False)
        note = SupervisionNote.objects.get(proposal=self.proposal)
        self.assertEqual((note.author, note.body), (self.leader, "请于月底前召开专题协调会。"))
        self.assertContains(self.client.get(url("supervision", self.proposal.pk)), "请于月底前召开专题协调会。")

    def test_notes_are_kept_for_key_proposals_only_and_need_text(self):
        self.client.force_login(self.leader)
        response = self.client.post(url("supervision", self.proposal.pk), {"body": "督办"})
        self.assertEqual(response.status_code, 400)
        mark_key_proposal(self.proposal, actor=self.committee, supervisor=self.leader)
        response = self.client.post(url("supervision", self.proposal.pk), {"body": "   "})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(SupervisionNote.objects.exists())

    def test_the_supervised_list_runs_a_fixed_number_of_queries(self):
        mark_key_proposal(self.proposal, actor=self.committee, supervisor=self.leader)
        self.client.force_login(self.leader)
        before = count_queries(self.client, url("supervised"))
        for i in range(3):
            extra, _rows = assigned(
                self.committee, self.wangfang, self.session, self.other_unit, title=f"关于{i}的建议"
            )
            mark_key_proposal(extra, actor=self.committee, supervisor=self.leader)
            SupervisionNote.objects.create(proposal=extra, author=self.leader, body="督办")
        self.assertEqual(count_queries(self.client, url("supervised")), before)


class PublicationTests(PersonaTestCase):
    def replied(self, title: str, **extra) -> Proposal:
        proposal = make_proposal(
            self.chencheng, self.session, title=title, status=ProposalStatus.REPLIED, number=title[-6:], **extra
        )
        assignment = make_assignment(proposal, self.unit, self.committee)
        make_reply(
            assignment,
            self.handler,
            status=ReplyStatus.SENT,
            sent_at=timezone.now(),
            body="答复正文：时尚产业规划正在编制。",
            contact_person="刘经办",
            contact_phone="0755-83910000",
        )
        return proposal

    def setUp(self) -> None:
        self.client.force_login(self.committee)
        self.consented = self.replied("关于时尚产业的建议2023160")
        self.refused = self.replied(
            "关于个人事项的建议2023161", publication_consent=False, publication_refusal_reason="涉及个人隐私"
        )
        self.unreplied = make_proposal(
            self.wangfang, self.session, title="关于尚未答复的建议", status=ProposalStatus.ASSIGNED
        )

    def test_the_page_lists_replied_proposals_with_their_consent_and_publication_due_date(self):
        response = self.client.get(url("publication"))
        self.assertEqual({p.pk for p in response.context["page"].object_list}, {self.consented.pk, self.refused.pk})
        self.assertContains(response, "涉及个人隐私")
        self.assertContains(response, url("publish", self.consented.pk))
        self.assertNotContains(response, url("publish", self.refused.pk))
        row = next(p for p in response.context["page"].object_list if p.pk == self.consented.pk)
        self.assertTrue(row.publication_due_note)

    def test_publishing_puts_the_proposal_and_reply_on_the_public_pages_without_contact_details(self):
        response = self.client.post(url("publish", self.consented.pk))
        self.assertRedirects(response, url("publication"), fetch_redirect_response=False)
        self.consented.refresh_from_db()
        self.assertTrue(self.consented.is_published)
        self.assertTrue(Event.objects.filter(proposal=self.consented, verb=EventVerb.PUBLISHED).exists())

        self.client.logout()
        index = self.client.get(reverse("public:index"), {"session": self.session.pk})
        self.assertContains(index, "关于时尚产业的建议2023160")
        self.assertNotContains(index, "关于个人事项的建议2023161")
        detail = self.client.get(reverse("public:detail", args=[self.consented.pk]))
        self.assertContains(detail, "时尚产业规划正在编制")
        self.assertNotContains(detail, "0755-83910000")
        self.assertNotContains(detail, "刘经办")

    def test_a_proposal_without_consent_is_not_published(self):
        response = self.client.post(url("publish", self.refused.pk), follow=True)
        self.assertEqual([m.level_tag for m in response.context["messages"]], ["error"])
        self.refused.refresh_from_db()
        self.assertFalse(self.refused.is_published)

    def test_publishing_the_ticked_proposals_publishes_those_allowed_and_reports_the_others(self):
        response = self.client.post(
            url("publication"), {"ids": [self.consented.pk, self.refused.pk, self.unreplied.pk]}, follow=True
        )
        levels = sorted(m.level_tag for m in response.context["messages"])
        self.assertEqual(levels, ["error", "error", "success"])
        published = set(Proposal.objects.filter(is_published=True).values_list("pk", flat=True))
        self.assertEqual(published, {self.consented.pk})

    def test_the_list_action_publishes_too(self):
        self.client.post(url("changelist"), {"action": "publish_selected", "_selected_action": [self.consented.pk]})
        self.consented.refresh_from_db()
        self.assertTrue(self.consented.is_published)

    def test_published_proposals_are_listed_apart_with_a_link_to_their_public_page(self):
        self.client.post(url("publish", self.consented.pk))
        response = self.client.get(url("publication"), {"published": "1"})
        self.assertEqual([p.pk for p in response.context["page"].object_list], [self.consented.pk])
        self.assertContains(response, reverse("public:detail", args=[self.consented.pk]))
        waiting = self.client.get(url("publication"))
        self.assertEqual([p.pk for p in waiting.context["page"].object_list], [self.refused.pk])

    def test_the_publication_page_runs_a_fixed_number_of_queries(self):
        before = count_queries(self.client, url("publication"))
        for i in range(3):
            self.replied(f"关于第{i}项的建议20231{i}")
        self.assertEqual(count_queries(self.client, url("publication")), before)
