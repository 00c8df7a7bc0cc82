"""Every committee step in the admin refuses everyone else: unit staff and leaders get 403, members and
anonymous users the admin login, and nothing changes. Unknown objects answer 404."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from proposals.choices import ProposalStatus, RejectionGround
from proposals.models import Event, Proposal, SupervisionNote
from proposals.services import mark_key_proposal
from responses import services
from responses.choices import ReplyStatus
from responses.models import Assignment, ExtensionRequest, ReturnRequest
from tests.base import PASSWORD, PersonaTestCase, make_proposal
from tests.proposals.helpers_committee import accepted, assigned, submitted, url
from tests.responses.test_admin import make_assignment, make_reply


class CommitteeStepPermissionTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        cls.submitted = submitted(cls.chencheng, cls.session)
        cls.target = accepted(cls.committee, cls.wangfang, cls.session, title="关于合并目标的建议")
        cls.assigned, (assignment,) = assigned(cls.committee, cls.lihua, cls.session, cls.unit, title="关于在办的建议")
        mark_key_proposal(cls.assigned, actor=cls.committee, supervisor=cls.leader)
        cls.return_request = services.request_return(assignment, actor=cls.handler, reason="不属于本单位职责")
        other, (other_assignment,) = assigned(cls.committee, cls.lihua, cls.session, cls.unit, title="关于延期的建议")
        cls.extension = services.request_extension(
            other_assignment,
            actor=cls.handler,
            requested_until=other_assignment.reply_due + dt.timedelta(days=20),
            reason="需要调研",
        )
        cls.replied = make_proposal(
            cls.chencheng, cls.session, title="关于已答复的建议", status=ProposalStatus.REPLIED, number="2023999"
        )
        make_reply(
            make_assignment(cls.replied, cls.unit, cls.committee),
            cls.handler,
            status=ReplyStatus.SENT,
            sent_at=timezone.now(),
        )

    def committee_steps(self) -> list[tuple[str, str, str, dict | None]]:
        """(name, method, path, data) of every committee-only page and action."""
        today = timezone.localdate().isoformat()
        units = {"lead_unit": self.other_unit.pk, "assigned_on": today}
        return_url = reverse("admin:responses_returnrequest_decide", args=[self.return_request.pk])
        extension_url = reverse("admin:responses_extensionrequest_decide", args=[self.extension.pk])
        until = (self.extension.requested_until).isoformat()
        return [
            ("review queue", "get", url("review_queue"), None),
            ("review page", "get", url("review", self.submitted.pk), None),
            ("accept", "post", url("accept", self.submitted.pk), {}),
            ("reject", "post", url("reject", self.submitted.pk), {"ground": RejectionGround.PERSONAL}),
            ("merge", "post", url("merge", self.submitted.pk), {"into": self.target.pk}),
            ("assign page", "get", url("assign", self.target.pk), None),
            ("assign preview", "post", url("assign", self.target.pk), {**units, "step": "preview"}),
            ("assign confirm", "post", url("assign", self.target.pk), {**units, "step": "confirm"}),
            ("bulk assign page", "get", url("assign_many"), None),
            (
                "bulk assign confirm",
                "post",
                url("assign_many"),
                {**units, "proposals": [self.target.pk], "step": "confirm"},
            ),
            ("mark key", "post", url("key", self.target.pk), {"is_key": "1", "supervisor": self.leader.pk}),
            ("unmark key", "post", url("key", self.assigned.pk), {"is_key": "0"}),
            ("publication page", "get", url("publication"), None),
            ("publish", "post", url("publish", self.replied.pk), {}),
            ("publish ticked", "post", url("publication"), {"ids": [self.replied.pk]}),
            ("return decision page", "get", return_url, None),
            ("approve return", "post", return_url, {"approve": "1", "reassign-assigned_on": today}),
            ("refuse return", "post", return_url, {"refuse": "1", "note": "请继续办理"}),
            ("extension decision page", "get", extension_url, None),
            ("approve extension", "post", extension_url, {"approve": "1", "approved_until": until}),
            ("refuse extension", "post", extension_url, {"refuse": "1", "note": "请按期答复"}),
        ]

    def state(self) -> tuple:
        return (
            sorted(
                Proposal.objects.values_list(
                    "pk", "status", "number", "is_key", "supervisor_id", "is_published", "merged_into_id"
                )
            ),
            Assignment.objects.count(),
            sorted(Assignment.objects.values_list("pk", "status", "reply_due")),
            Event.objects.count(),
            SupervisionNote.objects.count(),
            sorted(ReturnRequest.objects.values_list("pk", "status")),
            sorted(ExtensionRequest.objects.values_list("pk", "status")),
        )

    def call(self, method: str, path: str, data):
        return self.client.post(path, data) if method == "post" else self.client.get(path)

    def test_unit_staff_and_leaders_get_403_and_change_nothing(self):
        before = self.state()
        for user in (self.handler, self.unitlead, self.other_handler, self.leader):
            self.client.force_login(user)
            for name, method, path, data in self.committee_steps():
                with self.subTest(user=user.username, step=name):
                    self.assertEqual(self.call(method, path, data).status_code, 403)
        self.assertEqual(self.state(), before)

    def test_members_and_anonymous_users_are_sent_to_the_admin_login_and_change_nothing(self):
        before = self.state()
        login = reverse("admin:login")
        for user in (None, self.chencheng):
            if user is None:
                self.client.logout()
            else:
                self.client.force_login(user)
            for name, method, path, data in self.committee_steps():
                with self.subTest(user=getattr(user, "username", "anonymous"), step=name):
                    response = self.call(method, path, data)
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith(f"{login}?{REDIRECT_FIELD_NAME}="))
        self.assertEqual(self.state(), before)

    def test_list_actions_are_not_offered_to_unit_staff_or_leaders_and_do_nothing_for_them(self):
        before = self.state()
        for user in (self.handler, self.leader):
            self.client.force_login(user)
            listing = self.client.get(url("changelist"))
            self.assertNotIn("assign_selected", listing.content.decode())
            self.assertNotIn("publish_selected", listing.content.decode())
            for action, ids in (("assign_selected", [self.target.pk]), ("publish_selected", [self.replied.pk])):
                self.client.post(url("changelist"), {"action": action, "_selected_action": ids})
        self.assertEqual(self.state(), before)

    def test_the_supervision_pages_refuse_unit_staff_and_members(self):
        before = self.state()
        pages = [url("supervised"), url("supervision", self.assigned.pk)]
        for user, code in ((self.handler, 403), (self.unitlead, 403), (self.chencheng, 302)):
            self.client.force_login(user)
            for path in pages:
                with self.subTest(user=user.username, path=path):
                    self.assertEqual(self.client.get(path).status_code, code)
                    self.assertEqual(self.client.post(path, {"body": "督办"}).status_code, code)
        self.assertEqual(self.state(), before)

    def test_a_leader_reads_and_notes_but_cannot_mark_key_proposals(self):
        self.client.force_login(self.leader)
        self.assertEqual(self.client.get(url("supervised")).status_code, 200)
        response = self.client.get(url("supervision", self.assigned.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["can_mark"])
        self.assertNotContains(response, url("key", self.assigned.pk))

    def test_unknown_objects_answer_404_to_committee_staff(self):
        self.client.force_login(self.committee)
        missing = 987654
        paths = [
            ("get", url("review", missing)),
            ("post", url("accept", missing)),
            ("post", url("reject", missing)),
            ("post", url("merge", missing)),
            ("get", url("assign", missing)),
            ("get", url("supervision", missing)),
            ("post", url("key", missing)),
            ("post", url("publish", missing)),
            ("get", reverse("admin:responses_returnrequest_decide", args=[missing])),
            ("get", reverse("admin:responses_extensionrequest_decide", args=[missing])),
        ]
        for method, path in paths:
            with self.subTest(path=path):
                self.assertEqual(self.call(method, path, {}).status_code, 404)

    def test_a_superuser_counts_as_committee_staff(self):
        self.client.force_login(self.root)
        self.assertEqual(self.client.get(url("review_queue")).status_code, 200)
        self.client.post(url("accept", self.submitted.pk))
        self.submitted.refresh_from_db()
        self.assertEqual(self.submitted.status, ProposalStatus.ACCEPTED)
