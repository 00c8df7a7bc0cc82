"""The unit's pages offer a step exactly when the service would take it: both ask ``responses.policy``."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.exceptions import PermissionDenied

from accounts.choices import Role
from proposals.workflow import WorkflowError
from responses import policy
from responses.choices import AssignmentStatus, ReplyStatus
from responses.services import accept_assignment, request_return
from tests.base import make_user
from tests.responses.helpers_units import COHANDLING, LEAD, NOW, UnitPagesTestCase, admin_url

HANDLE_FLAGS = ("can_accept", "can_request_return", "can_log_contact", "can_send_opinion", "can_draft")


class ReturnRequestedTests(UnitPagesTestCase):
    def test_the_unit_cannot_accept_an_assignment_it_asked_to_return(self):
        assignment = self.assigned()[0]
        request_return(assignment, actor=self.handler, reason="不属于本单位职责")

        with self.assertRaises(WorkflowError):
            accept_assignment(assignment, actor=self.handler)

        assignment.refresh_from_db()
        self.assertEqual(assignment.status, AssignmentStatus.RETURN_REQUESTED)

    def test_a_draft_waiting_on_a_return_request_is_not_offered_for_editing(self):
        assignment = self.handling()[0]
        reply = self.draft(assignment)
        request_return(assignment, actor=self.handler, reason="不属于本单位职责")
        self.client.force_login(self.handler)

        page = self.client.get(admin_url("reply_review", reply.pk))

        self.assertEqual(reply.status, ReplyStatus.DRAFT)
        self.assertFalse(page.context["can_edit"])


class PageAgreesWithServiceTests(UnitPagesTestCase):
    """For each role and state, every flag on the page is what the policy function says for that user."""

    def flags(self, user, assignment) -> dict:
        self.client.force_login(user)
        page = self.client.get(admin_url("assignment_handle", assignment.pk))
        self.assertEqual(page.status_code, 200)
        return {name: page.context[name] for name in HANDLE_FLAGS}

    def test_the_handle_page_offers_what_the_policy_allows(self):
        pending = self.assigned()[0]
        lead, cohandling = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        returning = self.assigned()[0]
        request_return(returning, actor=self.handler, reason="不属于本单位职责")
        checks = {
            "can_accept": policy.check_accept,
            "can_request_return": policy.check_request_return,
            "can_log_contact": policy.check_log_contact,
            "can_send_opinion": policy.check_send_opinion,
            "can_draft": lambda user, row: policy.check_draft(user, row, None),
        }
        for assignment in (pending, lead, cohandling, returning):
            assignment.refresh_from_db()
            for user in (*self.staff(assignment), self.committee, self.other_handler):
                if user.is_unit_staff and user.unit_id != assignment.unit_id:
                    continue  # another unit's assignment answers 404
                with self.subTest(assignment=assignment.status, role=assignment.role, user=user.username):
                    expected = {name: policy.allowed(check, user, assignment) for name, check in checks.items()}
                    self.assertEqual(self.flags(user, assignment), expected)

    def test_the_return_form_closes_with_the_window_the_service_enforces(self):
        assignment = self.assigned()[0]
        ends = assignment.return_window_ends
        with time_machine.travel(dt.datetime.combine(ends + dt.timedelta(days=1), NOW.timetz()), tick=False):
            flags = self.flags(self.handler, assignment)
            with self.assertRaises(WorkflowError):
                policy.check_request_return(self.handler, assignment)
        self.assertFalse(flags["can_request_return"])


class ExtensionPolicyTests(UnitPagesTestCase):
    def test_only_a_replying_unit_still_handling_may_ask_for_more_time(self):
        lead, cohandling = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        self.assertTrue(policy.allowed(policy.check_request_extension, self.handler, lead))
        self.assertFalse(policy.allowed(policy.check_request_extension, self.other_handler, cohandling))
        with self.assertRaises(PermissionDenied):
            policy.check_request_extension(self.committee, lead)


class CommitteeRecipientsTests(UnitPagesTestCase):
    def test_a_superuser_is_told_of_a_return_request_like_committee_staff(self):
        admin = make_user("root", "系统管理员", Role.LEADER, is_superuser=True)
        assignment = self.assigned()[0]

        request_return(assignment, actor=self.handler, reason="不属于本单位职责")

        self.assertTrue(admin.notifications.exists())
        self.assertTrue(self.committee.notifications.exists())
