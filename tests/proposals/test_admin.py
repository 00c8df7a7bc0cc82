"""The proposal side of the admin: content editing, read-only status, the untouchable audit log."""

from __future__ import annotations

import json

from django.urls import reverse

from accounts.models import User
from proposals.choices import EventVerb, ProposalKind, ProposalStatus, ProposerRole
from proposals.models import Event, Notification, Proposal, SupervisionNote
from tests.base import PASSWORD, PersonaTestCase, make_proposal
from tests.responses.test_admin import OTHER_TITLE, admin_url, make_assignment

TITLE = "关于福田区构建具有竞争力的现代化产业体系的建议"


def proposal_form(proposal: Proposal, **changes) -> dict:
    """The POST body of the proposal change form, with its two inline management forms."""
    data = {
        "title": proposal.title,
        "background": proposal.background,
        "suggestions": proposal.suggestions,
        "category": proposal.category_id or "",
        "kind": proposal.kind,
        "collective_author": proposal.collective_author,
        "publication_consent": "on",
        "publication_refusal_reason": "",
        "proposers-TOTAL_FORMS": "0",
        "proposers-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


class ProposalAdminTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        cls.proposal = make_proposal(
            cls.chencheng,
            cls.session,
            status=ProposalStatus.ASSIGNED,
            number="2023160",
            category=cls.category,
            cosigners=[cls.wangfang],
            is_key=True,
        )
        cls.other = make_proposal(cls.lihua, cls.session, title=OTHER_TITLE, status=ProposalStatus.SUBMITTED)
        make_assignment(cls.proposal, cls.unit, cls.committee)
        cls.event = Event.objects.create(
            proposal=cls.proposal,
            actor=cls.committee,
            verb=EventVerb.ACCEPTED,
            from_status="submitted",
            to_status="accepted",
        )

    def test_list_shows_number_lead_proposer_and_status_badge(self):
        self.client.force_login(self.committee)
        response = self.client.get(admin_url(Proposal), HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2023160")
        self.assertContains(response, "陈澄")
        self.assertContains(response, "Being handled")

    def test_unit_handler_lists_only_proposals_assigned_to_the_unit(self):
        self.client.force_login(self.handler)
        response = self.client.get(admin_url(Proposal))
        self.assertEqual(list(response.context["cl"].result_list), [self.proposal])
        self.assertNotContains(response, OTHER_TITLE)

    def test_unit_handler_reads_the_proposal_with_its_proposers(self):
        self.client.force_login(self.handler)
        response = self.client.get(admin_url(Proposal, "change", self.proposal.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])
        self.assertContains(response, "王芳")

    def test_proposal_autocomplete_is_scoped_for_unit_staff(self):
        self.client.force_login(self.other_handler)
        response = self.client.get(
            reverse("admin:autocomplete"),
            {"app_label": "proposals", "model_name": "supervisionnote", "field_name": "proposal", "term": ""},
        )
        # Supervision notes are not theirs, but the target admin (proposals) is: results stay scoped.
        self.assertEqual(response.status_code, 200)
        self.assertEqual(json.loads(response.content)["results"], [])
        self.assertNotContains(response, TITLE)

    def test_committee_edits_content_but_not_status_or_number(self):
        self.client.force_login(self.committee)
        data = proposal_form(
            self.proposal, title="关于福田区构建现代化产业体系的建议", status=ProposalStatus.CLOSED, number="X1"
        )
        response = self.client.post(admin_url(Proposal, "change", self.proposal.pk), data)
        self.assertEqual(response.status_code, 302, response.context and response.context["adminform"].form.errors)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "关于福田区构建现代化产业体系的建议")
        self.assertEqual((self.proposal.status, self.proposal.number), (ProposalStatus.ASSIGNED, "2023160"))

    def test_status_is_read_only_on_every_form(self):
        self.client.force_login(self.root)
        response = self.client.get(admin_url(Proposal, "change", self.proposal.pk))
        self.assertNotIn("status", response.context["adminform"].form.fields)
        self.assertIn("status", response.context["adminform"].readonly_fields)

    def test_committee_adds_a_proposal_on_behalf_of_a_member(self):
        self.client.force_login(self.committee)
        data = proposal_form(
            Proposal(title="关于优化福田区营商环境的建议", kind=ProposalKind.INDIVIDUAL, category=self.category),
            session=self.session.pk,
            **{
                "proposers-TOTAL_FORMS": "1",
                "proposers-0-user": self.lihua.pk,
                "proposers-0-role": ProposerRole.LEAD,
                "proposers-0-order": "0",
            },
        )
        response = self.client.post(admin_url(Proposal, "add"), data)
        self.assertEqual(response.status_code, 302, response.context and response.context["adminform"].form.errors)
        proposal = Proposal.objects.get(title="关于优化福田区营商环境的建议")
        self.assertEqual((proposal.created_by, proposal.status), (self.committee, ProposalStatus.DRAFT))
        self.assertEqual(proposal.lead_proposer.user, self.lihua)

    def test_nobody_but_a_superuser_deletes_a_proposal(self):
        for user in (self.committee, self.leader):
            self.client.force_login(user)
            self.assertEqual(self.client.get(admin_url(Proposal, "delete", self.other.pk)).status_code, 403)
        self.client.force_login(self.root)
        self.assertEqual(self.client.get(admin_url(Proposal, "delete", self.other.pk)).status_code, 200)

    def test_leader_cannot_change_a_proposal(self):
        self.client.force_login(self.leader)
        response = self.client.post(
            admin_url(Proposal, "change", self.proposal.pk), proposal_form(self.proposal, title="改")
        )
        self.assertEqual(response.status_code, 403)

    def test_event_cannot_be_added_changed_or_deleted_even_by_a_superuser(self):
        self.client.force_login(self.root)
        self.assertEqual(self.client.get(admin_url(Event)).status_code, 200)
        self.assertEqual(self.client.get(admin_url(Event, "add")).status_code, 403)
        self.assertEqual(
            self.client.post(admin_url(Event, "add"), {"proposal": self.proposal.pk, "verb": "closed"}).status_code, 403
        )
        response = self.client.get(admin_url(Event, "change", self.event.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])
        self.assertNotContains(response, 'name="_save"')
        self.assertEqual(self.client.post(admin_url(Event, "change", self.event.pk), {"note": "改写"}).status_code, 403)
        self.assertEqual(self.client.get(admin_url(Event, "delete", self.event.pk)).status_code, 403)
        self.assertEqual(self.client.post(admin_url(Event, "delete", self.event.pk), {"post": "yes"}).status_code, 403)
        bulk = self.client.post(admin_url(Event), {"action": "delete_selected", "_selected_action": [self.event.pk]})
        self.assertIn(bulk.status_code, (200, 302))
        self.event.refresh_from_db()
        self.assertEqual(self.event.note, "")
        self.assertTrue(Event.objects.filter(pk=self.event.pk).exists())

    def test_unit_staff_cannot_read_the_event_log_in_the_admin(self):
        self.client.force_login(self.handler)
        self.assertEqual(self.client.get(admin_url(Event)).status_code, 403)

    def test_leader_writes_a_supervision_note_and_it_joins_the_timeline(self):
        self.client.force_login(self.leader)
        response = self.client.post(
            admin_url(SupervisionNote, "add"), {"proposal": self.proposal.pk, "body": "请加快办理"}
        )
        self.assertEqual(response.status_code, 302)
        note = SupervisionNote.objects.get()
        self.assertEqual(note.author, self.leader)
        event = Event.objects.get(verb=EventVerb.SUPERVISION_NOTE)
        self.assertEqual((event.proposal, event.actor, event.object_id), (self.proposal, self.leader, note.pk))

    def test_a_note_on_a_proposal_that_is_not_key_is_refused_on_the_form(self):
        self.client.force_login(self.leader)
        response = self.client.post(
            admin_url(SupervisionNote, "add"), {"proposal": self.other.pk, "body": "请加快办理"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.non_field_errors())
        self.assertFalse(SupervisionNote.objects.exists())
        self.assertFalse(Event.objects.filter(verb=EventVerb.SUPERVISION_NOTE).exists())

    def test_leader_changes_only_own_supervision_notes(self):
        own = SupervisionNote.objects.create(proposal=self.proposal, author=self.leader, body="请加快办理")
        others = SupervisionNote.objects.create(proposal=self.proposal, author=self.committee, body="已督办")
        self.client.force_login(self.leader)
        url = admin_url(SupervisionNote, "change", own.pk)
        self.assertEqual(self.client.post(url, {"proposal": self.proposal.pk, "body": "请本月内答复"}).status_code, 302)
        own.refresh_from_db()
        self.assertEqual(own.body, "请本月内答复")
        url = admin_url(SupervisionNote, "change", others.pk)
        self.assertEqual(self.client.post(url, {"proposal": self.proposal.pk, "body": "改"}).status_code, 403)
        self.assertEqual(self.client.get(admin_url(SupervisionNote, "delete", own.pk)).status_code, 403)

    def test_notifications_list_only_the_users_own(self):
        Notification.objects.create(user=self.committee, title="新提案待审查")
        Notification.objects.create(user=self.leader, title="重点提案进展")
        self.client.force_login(self.committee)
        response = self.client.get(admin_url(Notification))
        self.assertContains(response, "新提案待审查")
        self.assertNotContains(response, "重点提案进展")
