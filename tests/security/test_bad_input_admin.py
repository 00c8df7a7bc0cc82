"""Bad input on the staff admin: the committee's review, assignment, key-proposal and publication steps,
the decisions on return and extension requests, the manual reminder, the unit's handling forms and
reply letters, and the user forms.

Every refusal is checked twice: the form error (or the admin message) is on the page, and the rows
the step would write are exactly as they were (``Unchanged``).
"""

from __future__ import annotations

import datetime as dt
import io
import re

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.choices import Role
from accounts.models import AccessChange, MemberProfile, Unit, User
from proposals.choices import ProposalStatus, RejectionGround
from proposals.models import Event, Notification, Proposal, Session, SupervisionNote
from proposals.services import mark_key_proposal
from responses import services
from responses.choices import AssignmentStatus, ContactMethod
from responses.models import (
    Assignment,
    Contact,
    ExtensionRequest,
    Opinion,
    Reminder,
    Reply,
    ReplyCategory,
    ReplyRevision,
    ReturnRequest,
)
from tests.base import PersonaTestCase, make_proposal, make_session
from tests.proposals.helpers_committee import accepted, assigned, submitted, url
from tests.proposals.helpers_member import InEnglish
from tests.responses.helpers_units import COHANDLING, LEAD, TODAY, UnitPagesTestCase, admin_url
from tests.security.test_bad_input_portal import SCRIPT, Unchanged, messages_of

REVIEW_ROWS = (Proposal, Session, Event, Notification)
HANDLING_ROWS = (Proposal, Assignment, Event, Notification)


class AdminTestCase(InEnglish, PersonaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.committee)

    def unchanged(self, *models) -> Unchanged:
        return Unchanged(self, *models)

    def assert_form_error(self, response, form: str, field: str | None = None, status: int = 400) -> None:
        """The form in the context has an error on ``field`` (None: the form itself), shown on the page."""
        self.assertEqual(response.status_code, status)
        bound = response.context[form]
        errors = bound.errors.get(field or "__all__")
        self.assertTrue(errors, f"no error on {field}: {bound.errors.as_data()}")
        for message in errors:
            self.assertContains(response, escape(message), status_code=status)


# The committee's review ----------------------------------------------------------------------


class ReviewTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = submitted(cls.chencheng, cls.session)
        cls.target = submitted(cls.wangfang, cls.session, title="关于完善社区养老服务设施的建议")
        cls.other_session = make_session(name="六届四次会议", term=6, meeting=4, year=2024, is_current=False)
        cls.foreign = submitted(cls.lihua, cls.other_session, title="关于加强河套合作区建设的建议")
        cls.merged = make_proposal(
            cls.lihua, cls.session, title="关于已并案的建议", status=ProposalStatus.MERGED, merged_into=cls.target
        )
        cls.draft = make_proposal(cls.lihua, cls.session, title="关于李华草稿的建议")
        cls.done = make_proposal(
            cls.wangfang, cls.session, title="关于已办结的建议", status=ProposalStatus.CLOSED, number="2023009"
        )

    def test_an_accept_note_beyond_its_limit_is_refused_and_no_number_is_given(self):
        with self.unchanged(*REVIEW_ROWS):
            response = self.client.post(url("accept", self.proposal.pk), {"note": "注" * 2001})
        self.assert_form_error(response, "accept_form", "note")

    def test_accepting_a_proposal_that_is_not_submitted_is_refused_with_a_message(self):
        with self.unchanged(*REVIEW_ROWS):
            # A member's draft has not reached the committee: it answers as if it did not exist.
            self.assertEqual(self.client.post(url("accept", self.draft.pk), {"note": ""}).status_code, 404)
        for proposal in (self.merged, self.done):
            with self.subTest(status=proposal.status), self.unchanged(*REVIEW_ROWS):
                response = self.client.post(url("accept", proposal.pk), {"note": ""})
                self.assertRedirects(response, url("review", proposal.pk), fetch_redirect_response=False)
                self.assertIn("This cannot be done now", messages_of(response)[0])

    def test_steps_on_a_proposal_that_does_not_exist_answer_404(self):
        for step in ("accept", "reject", "merge", "assign", "key", "publish"):
            with self.subTest(step=step), self.unchanged(*REVIEW_ROWS):
                self.assertEqual(self.client.post(url(step, 999999), {}).status_code, 404)

    def test_a_rejection_needs_an_offered_ground(self):
        for ground in ("", "bribe", "OTHER"):
            with self.subTest(ground=ground), self.unchanged(*REVIEW_ROWS):
                response = self.client.post(url("reject", self.proposal.pk), {"ground": ground, "reason": "理由"})
                self.assert_form_error(response, "reject_form", "ground")

    def test_the_ground_other_needs_a_reason_that_is_not_blank(self):
        for reason in ("", " \u3000\n"):
            with self.subTest(reason=reason), self.unchanged(*REVIEW_ROWS):
                response = self.client.post(
                    url("reject", self.proposal.pk), {"ground": RejectionGround.OTHER, "reason": reason}
                )
                self.assert_form_error(response, "reject_form", "reason")

    def test_a_rejection_reason_beyond_its_limit_is_refused(self):
        with self.unchanged(*REVIEW_ROWS):
            response = self.client.post(
                url("reject", self.proposal.pk), {"ground": RejectionGround.PERSONAL, "reason": "理" * 4001}
            )
        self.assert_form_error(response, "reject_form", "reason")

    def test_rejecting_a_proposal_past_review_is_refused_on_the_form(self):
        with self.unchanged(*REVIEW_ROWS):
            response = self.client.post(url("reject", self.done.pk), {"ground": RejectionGround.PERSONAL})
        self.assert_form_error(response, "reject_form")

    def test_a_merge_target_that_cannot_take_it_in_is_refused(self):
        targets = {
            "itself": self.proposal.pk,
            "another session": self.foreign.pk,
            "already merged": self.merged.pk,
            "a draft": self.draft.pk,
            "closed": self.done.pk,
            "missing": 999999,
            "not a number": "abc",
            "empty": "",
        }
        for case, into in targets.items():
            with self.subTest(case=case), self.unchanged(*REVIEW_ROWS):
                response = self.client.post(url("merge", self.proposal.pk), {"into": into, "note": ""})
                self.assert_form_error(response, "merge_form", "into")

    def test_merging_a_proposal_that_is_not_submitted_is_refused_on_the_form(self):
        with self.unchanged(*REVIEW_ROWS):
            response = self.client.post(url("merge", self.done.pk), {"into": self.target.pk})
        self.assert_form_error(response, "merge_form")

    def test_script_in_a_submitted_proposal_is_escaped_on_the_review_pages(self):
        Proposal.objects.filter(pk=self.proposal.pk).update(title=f"关于{SCRIPT}的建议", suggestions=SCRIPT)
        for page in (url("review", self.proposal.pk), url("review_queue"), url("changelist")):
            with self.subTest(page=page):
                html = self.client.get(page).content.decode()
                self.assertNotIn("<script>alert", html)
                self.assertNotIn("<img src=x", html)
                self.assertIn("&lt;script&gt;", html)


# Assignment (交办) ------------------------------------------------------------------------


class AssignTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = accepted(cls.committee, cls.chencheng, cls.session)
        cls.closed_unit = Unit.objects.create(name="深圳市福田区已撤销局", is_active=False)
        cls.waiting = submitted(cls.wangfang, cls.session)

    def post(self, proposal=None, **data):
        fields = {"assigned_on": timezone.localdate().isoformat(), "instructions": "", "step": "confirm", **data}
        return self.client.post(url("assign", (proposal or self.proposal).pk), fields)

    def test_without_any_unit_the_assignment_is_refused(self):
        with self.unchanged(*HANDLING_ROWS):
            self.assert_form_error(self.post(), "form")

    def test_the_same_unit_twice_or_separate_units_beside_a_lead_are_refused(self):
        cases = {
            "cohandling_units": {"lead_unit": self.unit.pk, "cohandling_units": [self.unit.pk]},
            "separate_units": {"lead_unit": self.unit.pk, "separate_units": [self.other_unit.pk]},
        }
        for field, data in cases.items():
            with self.subTest(field=field), self.unchanged(*HANDLING_ROWS):
                self.assert_form_error(self.post(**data), "form", field)

    def test_units_that_do_not_exist_or_are_inactive_are_refused(self):
        for value in (999999, "abc", self.closed_unit.pk, -1):
            with self.subTest(unit=value), self.unchanged(*HANDLING_ROWS):
                self.assert_form_error(self.post(lead_unit=value), "form", "lead_unit")
                self.assert_form_error(
                    self.post(lead_unit=self.unit.pk, cohandling_units=[value]), "form", "cohandling_units"
                )

    def test_a_unit_already_on_the_proposal_is_not_offered_again(self):
        self.post(separate_units=[self.unit.pk])
        with self.unchanged(*HANDLING_ROWS):
            response = self.post(separate_units=[self.unit.pk, self.other_unit.pk])
        self.assert_form_error(response, "form", "separate_units")

    def test_invalid_and_out_of_range_assignment_dates_are_refused(self):
        today = timezone.localdate()
        for day in (
            "2026-02-30",
            "2023-13-01",
            "abc",
            "",
            "9999-12-31",
            (today + dt.timedelta(days=1)).isoformat(),
            "0001-01-01",
            "2022-12-31",  # before the 2023 session began
        ):
            for step in ("preview", "confirm"):
                with self.subTest(day=day, step=step), self.unchanged(*HANDLING_ROWS):
                    response = self.post(lead_unit=self.unit.pk, assigned_on=day, step=step)
                    self.assert_form_error(response, "form", "assigned_on")

    def test_instructions_beyond_their_limit_are_refused(self):
        with self.unchanged(*HANDLING_ROWS):
            response = self.post(lead_unit=self.unit.pk, instructions="办" * 4001)
        self.assert_form_error(response, "form", "instructions")

    def test_a_proposal_that_is_not_accepted_is_not_assigned_by_a_forged_post(self):
        with self.unchanged(*HANDLING_ROWS):
            response = self.post(self.waiting, lead_unit=self.unit.pk)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["can_assign"])

    def test_bulk_assignment_of_forged_proposal_ids_is_refused(self):
        for ids in ([self.waiting.pk], [999999], ["abc"], [self.proposal.pk, self.waiting.pk], []):
            with self.subTest(ids=ids), self.unchanged(*HANDLING_ROWS):
                response = self.client.post(
                    url("assign_many"),
                    {
                        "proposals": ids,
                        "lead_unit": self.unit.pk,
                        "assigned_on": timezone.localdate().isoformat(),
                        "step": "confirm",
                    },
                )
                self.assert_form_error(response, "pick", "proposals")

    def test_bulk_assignment_before_the_session_began_is_refused(self):
        with self.unchanged(*HANDLING_ROWS):
            response = self.client.post(
                url("assign_many"),
                {"proposals": [self.proposal.pk], "lead_unit": self.unit.pk, "assigned_on": "2001-01-01"},
            )
        self.assert_form_error(response, "form", "assigned_on")


# Key proposals, supervision, publication and the changelist actions --------------------------


class KeyAndPublicationTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal = accepted(cls.committee, cls.chencheng, cls.session)
        cls.key = accepted(cls.committee, cls.wangfang, cls.session, title="关于福田河综合治理的建议")
        mark_key_proposal(cls.key, actor=cls.committee, supervisor=cls.leader)
        cls.waiting = submitted(cls.lihua, cls.session)

    def test_a_key_proposal_needs_a_leader_as_supervisor(self):
        for supervisor in ("", self.chencheng.pk, self.handler.pk, 999999, "abc"):
            with self.subTest(supervisor=supervisor), self.unchanged(*REVIEW_ROWS):
                response = self.client.post(url("key", self.proposal.pk), {"is_key": "1", "supervisor": supervisor})
                self.assert_form_error(response, "key_form", "supervisor")

    def test_a_forged_key_flag_is_refused(self):
        for flag in ("2", "yes", ""):
            with self.subTest(flag=flag), self.unchanged(*REVIEW_ROWS):
                response = self.client.post(
                    url("key", self.proposal.pk), {"is_key": flag, "supervisor": self.leader.pk}
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn("is_key", response.context["key_form"].errors)

    def test_a_proposal_not_yet_accepted_cannot_be_key(self):
        with self.unchanged(*REVIEW_ROWS):
            response = self.client.post(url("key", self.waiting.pk), {"is_key": "1", "supervisor": self.leader.pk})
        self.assert_form_error(response, "key_form")

    def test_a_blank_or_overlong_supervision_note_is_refused(self):
        for body in ("", " \u3000\n ", "督" * 4001):
            with self.subTest(length=len(body)), self.unchanged(SupervisionNote, Event):
                response = self.client.post(url("supervision", self.key.pk), {"body": body})
                self.assert_form_error(response, "note_form", "body")

    def test_a_supervision_note_on_a_proposal_that_is_not_key_is_refused(self):
        self.client.force_login(self.leader)
        with self.unchanged(SupervisionNote, Event):
            response = self.client.post(url("supervision", self.proposal.pk), {"body": "请加快办理"})
        self.assert_form_error(response, "note_form")

    def test_publishing_forged_ids_says_nothing_was_published(self):
        for ids in (["999999"], ["abc"], []):
            with self.subTest(ids=ids), self.unchanged(*REVIEW_ROWS):
                response = self.client.post(url("publication"), {"ids": ids})
                self.assertRedirects(response, url("publication"), fetch_redirect_response=False)
                self.assertEqual(messages_of(response), ["Tick the proposals to publish."])

    def test_publishing_a_proposal_without_a_sent_reply_is_refused_with_a_message(self):
        for target in (url("publish", self.proposal.pk), url("publication")):
            with self.subTest(target=target), self.unchanged(*REVIEW_ROWS):
                response = self.client.post(target, {"ids": [self.proposal.pk], "next": "https://evil.example/"})
                self.assertRedirects(response, url("publication"), fetch_redirect_response=False)
                self.assertIn("only after a reply has been sent", messages_of(response)[0])

    def action(self, action: str, ids, **extra):
        return self.client.post(url("changelist"), {"action": action, ACTION_CHECKBOX_NAME: ids, "index": 0, **extra})

    def test_the_bulk_publish_action_refuses_unpublishable_rows_with_a_message(self):
        with self.unchanged(*REVIEW_ROWS):
            response = self.action("publish_selected", [self.proposal.pk, self.waiting.pk])
        self.assertEqual(response.status_code, 302)
        # One message per reason, naming every proposal it refused.
        (message,) = messages_of(response)
        self.assertIn("2 not published", message)
        self.assertIn(self.proposal.number, message)
        self.assertIn(self.waiting.title, message)
        self.assertIn("only after a reply has been sent", message)

    def test_a_changelist_action_on_ids_that_do_not_exist_says_they_were_skipped(self):
        draft = make_proposal(self.lihua, self.session, title="关于李华草稿的建议")  # not the committee's to see
        for action in ("publish_selected", "assign_selected"):
            with self.subTest(action=action), self.unchanged(*REVIEW_ROWS):
                response = self.action(action, ["999999", draft.pk])
                self.assertRedirects(response, url("changelist"), fetch_redirect_response=False)
                self.assertEqual(
                    messages_of(response)[0],
                    f"These ticked rows no longer exist or are not yours to see, and were skipped: 999999, {draft.pk}",
                )

    def test_publishing_tells_which_ticked_rows_were_skipped_beside_the_refusals(self):
        with self.unchanged(*REVIEW_ROWS):
            response = self.action("publish_selected", [self.proposal.pk, "999999"])
        texts = messages_of(response)
        self.assertEqual(len(texts), 2)
        self.assertIn("skipped: 999999", texts[0])
        self.assertIn("only after a reply has been sent", texts[1])

    def test_the_bulk_assign_action_names_the_proposals_that_are_not_accepted(self):
        with self.unchanged(*HANDLING_ROWS):
            response = self.action("assign_selected", [self.proposal.pk, self.waiting.pk])
        self.assertRedirects(response, f"{url('assign_many')}?ids={self.proposal.pk}", fetch_redirect_response=False)
        (message,) = messages_of(response)
        self.assertIn("Only accepted proposals are assigned; this one was left out", message)
        self.assertIn(f"《{self.waiting.title}》 (Submitted)", message)

    def test_the_bulk_assign_action_with_nothing_accepted_stays_on_the_list(self):
        with self.unchanged(*HANDLING_ROWS):
            response = self.action("assign_selected", [self.waiting.pk])
        self.assertRedirects(response, url("changelist"), fetch_redirect_response=False)
        self.assertIn(f"《{self.waiting.title}》 (Submitted)", messages_of(response)[0])

    def test_a_non_numeric_ticked_id_is_refused_not_a_500(self):
        for ids in (["abc"], ["1e3", "99999999999999999999"]):
            with self.subTest(ids=ids), self.unchanged(*REVIEW_ROWS):
                response = self.action("publish_selected", ids)
                self.assertRedirects(response, url("changelist"), fetch_redirect_response=False)
                texts = messages_of(response)
                self.assertIn("not rows of the list and were left out" if len(ids) > 1 else "abc", texts[0])
                for value in ids:
                    self.assertIn(value, texts[0])
                self.assertIn("No items have been changed.", texts[1])
        with self.unchanged(*REVIEW_ROWS):
            response = self.action("publish_selected", ["abc", self.proposal.pk])
        texts = messages_of(response)
        self.assertEqual(texts[0], "This ticked value is not a row of the list and was left out: abc")
        self.assertIn("only after a reply has been sent", texts[1])

    def test_a_non_numeric_ticked_id_on_any_admins_delete_action_is_refused_not_a_500(self):
        admins = {
            "proposals_category": (Session, Proposal),
            "accounts_unit": (Unit, User),
            "accounts_user": (User, AccessChange),
        }
        for name, rows in admins.items():
            with self.subTest(admin=name), self.unchanged(*rows, Event):
                target = reverse(f"admin:{name}_changelist")
                response = self.client.post(
                    target, {"action": "delete_selected", ACTION_CHECKBOX_NAME: ["abc"], "index": 0}
                )
                self.assertRedirects(response, target, fetch_redirect_response=False)
                self.assertIn("left out: abc", messages_of(response)[0])

    def test_a_non_numeric_autocomplete_value_on_the_proposal_form_is_refused_not_a_500(self):
        data = {
            "title": "关于福田的建议",
            "category": "abc",
            "suggested_units": ["abc", "99999999999999999999"],
            "kind": "individual",
            "publication_consent": "on",
            "proposers-TOTAL_FORMS": "0",
            "proposers-INITIAL_FORMS": "0",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        }
        with self.unchanged(*REVIEW_ROWS):
            response = self.client.post(url("change", self.proposal.pk), data)
        self.assertEqual(response.status_code, 200)
        form = response.context["adminform"].form
        self.assertEqual(set(form.errors), {"category", "suggested_units"})
        for errors in form.errors.values():
            self.assertContains(response, escape(errors[0]))

    def test_a_non_numeric_autocomplete_value_on_an_inline_is_refused_not_a_500(self):
        data = {
            "session": "abc",
            "title": "关于福田的建议",
            "category": self.category.pk,
            "kind": "individual",
            "proposers-TOTAL_FORMS": "1",
            "proposers-INITIAL_FORMS": "0",
            "proposers-0-user": "abc",
            "proposers-0-role": "lead",
            "proposers-0-order": "0",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        }
        with self.unchanged(*REVIEW_ROWS):
            response = self.client.post(url("add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("session", response.context["adminform"].form.errors)
        (inline,) = [
            formset for formset in response.context["inline_admin_formsets"] if formset.formset.prefix == "proposers"
        ]
        self.assertIn("user", inline.formset.forms[0].errors)
        self.assertContains(response, escape(inline.formset.forms[0].errors["user"][0]))

    def test_an_action_that_is_not_offered_is_refused_with_a_message(self):
        for action in ("delete_selected", "accept_all", ""):
            with self.subTest(action=action), self.unchanged(*REVIEW_ROWS):
                response = self.client.post(
                    url("changelist"), {"action": action, ACTION_CHECKBOX_NAME: [self.proposal.pk], "index": 0}
                )
                self.assertEqual(response.status_code, 302)
                self.assertEqual(messages_of(response), ["No action selected."])


# Return and extension requests, manual reminder ----------------------------------------------


class RequestDecisionTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.proposal, (cls.assignment,) = assigned(cls.committee, cls.chencheng, cls.session, cls.unit)
        cls.back = services.request_return(cls.assignment, actor=cls.handler, reason="不属于本单位职责")
        other, (cls.handled,) = assigned(
            cls.committee, cls.wangfang, cls.session, cls.other_unit, title="关于另一件的建议"
        )
        services.accept_assignment(cls.handled, actor=cls.other_handler)
        cls.handled.refresh_from_db()
        cls.longer = services.request_extension(
            cls.handled,
            actor=cls.other_handler,
            requested_until=cls.handled.reply_due + dt.timedelta(days=20),
            reason="需要更多时间调研",
        )

    def decide(self, row, **data):
        return self.client.post(reverse(f"admin:responses_{row._meta.model_name}_decide", args=[row.pk]), data)

    def test_refusing_without_a_reason_or_with_an_overlong_one_is_refused(self):
        for row in (self.back, self.longer):
            for note in ("", " \u3000 ", "拒" * 4001):
                with (
                    self.subTest(row=row._meta.model_name, length=len(note)),
                    self.unchanged(ReturnRequest, ExtensionRequest, *HANDLING_ROWS),
                ):
                    self.assert_form_error(self.decide(row, refuse="1", note=note), "refuse_form", "note")

    def test_an_extension_date_that_is_not_after_the_due_date_or_past_the_cap_is_refused(self):
        due, cap = self.handled.reply_due, self.handled.reply_cap
        for day in (
            due.isoformat(),
            (due - dt.timedelta(days=1)).isoformat(),
            "0001-01-01",
            (cap + dt.timedelta(days=1)).isoformat(),
            "9999-12-31",
            "2026-02-30",
            "明天",
            "",
        ):
            with self.subTest(day=day), self.unchanged(ExtensionRequest, *HANDLING_ROWS):
                self.assert_form_error(self.decide(self.longer, approved_until=day), "approve_form", "approved_until")

    def test_a_decided_request_cannot_be_decided_again(self):
        messages_of(self.decide(self.longer, refuse="1", note="理由不充分"))
        messages_of(self.decide(self.back, refuse="1", note="职责清楚，请继续办理"))
        again = {
            self.longer: {"approved_until": (self.handled.reply_due + dt.timedelta(days=5)).isoformat()},
            self.back: {"note": "", "reassign-assigned_on": timezone.localdate().isoformat()},
        }
        for row, data in again.items():
            with (
                self.subTest(row=row._meta.model_name),
                self.unchanged(ReturnRequest, ExtensionRequest, *HANDLING_ROWS),
            ):
                response = self.decide(row, **data)
                # The page shows the decision and no forms: the refusal is a message on it.
                self.assertContains(response, "This request has already been decided.", status_code=400)

    def test_approving_a_return_with_a_bad_reassignment_decides_nothing(self):
        today = timezone.localdate().isoformat()
        cases = {
            "reassign-lead_unit": {"reassign-lead_unit": 999999, "reassign-assigned_on": today},
            "reassign-cohandling_units": {"reassign-cohandling_units": [self.unit.pk], "reassign-assigned_on": today},
            "reassign-assigned_on": {"reassign-lead_unit": self.other_unit.pk, "reassign-assigned_on": "2023-02-30"},
        }
        for field, data in cases.items():
            with self.subTest(field=field), self.unchanged(ReturnRequest, *HANDLING_ROWS):
                response = self.decide(self.back, note="", **data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field.removeprefix("reassign-"), response.context["form"].errors)

    def test_an_approval_note_beyond_its_limit_is_refused(self):
        with self.unchanged(ReturnRequest, *HANDLING_ROWS):
            response = self.decide(self.back, note="批" * 4001, **{"reassign-assigned_on": TODAY.isoformat()})
        self.assert_form_error(response, "approve_form", "note")

    def test_a_request_that_does_not_exist_answers_404(self):
        for name in ("returnrequest", "extensionrequest"):
            with self.subTest(name=name), self.unchanged(ReturnRequest, ExtensionRequest, *HANDLING_ROWS):
                response = self.client.post(reverse(f"admin:responses_{name}_decide", args=[999999]), {"refuse": "1"})
                self.assertEqual(response.status_code, 404)

    def test_a_manual_reminder_note_beyond_its_limit_is_refused(self):
        target = reverse("admin:responses_reminder_manual", args=[self.handled.pk])
        with self.unchanged(Reminder, Event):
            response = self.client.post(target, {"note": "催" * 501})
        self.assert_form_error(response, "form", "note", status=200)

    def test_a_manual_reminder_for_a_closed_or_missing_assignment_is_refused(self):
        Assignment.objects.filter(pk=self.handled.pk).update(status=AssignmentStatus.REPLIED)
        with self.unchanged(Reminder, Event):
            response = self.client.post(
                reverse("admin:responses_reminder_manual", args=[self.handled.pk]), {"note": ""}
            )
            self.assert_form_error(response, "form", status=200)
            missing = self.client.post(reverse("admin:responses_reminder_manual", args=[999999]), {"note": ""})
        self.assertEqual(missing.status_code, 404)


# The unit's forms --------------------------------------------------------------------------


class UnitFormsTestCase(InEnglish, UnitPagesTestCase):
    def unchanged(self, *models) -> Unchanged:
        return Unchanged(self, *models)

    assert_form_error = AdminTestCase.assert_form_error


class DraftReplyTestCase(UnitFormsTestCase):
    """An assignment being handled, with a draft reply."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        scene = cls()
        cls.assignment = scene.handling()[0]
        cls.reply = scene.draft(cls.assignment)


class AutocompleteFormTests(DraftReplyTestCase):
    """A forged value for an autocomplete foreign key gets the field's error on every admin form, not a 500
    (the widget looks submitted values up again to show them)."""

    FORGED = ("abc", "99999999999999999999")

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", "a-long-pass-98765", full_name="超级用户")

    def assert_refused(self, user, target: str, data: dict, fields: set[str], rows) -> None:
        self.client.force_login(user)
        for value in self.FORGED:
            with self.subTest(target=target, value=value), self.unchanged(*rows):
                response = self.client.post(target, {**data, **dict.fromkeys(fields, value)})
                self.assertEqual(response.status_code, 200)
                form = response.context["adminform"].form
                self.assertLessEqual(fields, set(form.errors))
                for name in fields:
                    self.assertContains(response, escape(form.errors[name][0]))

    def test_the_contact_add_page(self):
        data = {"contacted_on": TODAY.isoformat(), "method": ContactMethod.PHONE, "participants": "陈澄委员"}
        self.assert_refused(
            self.handler, reverse("admin:responses_contact_add"), data, {"assignment"}, (Contact, Event)
        )

    def test_the_supervision_note_add_page(self):
        target = reverse("admin:proposals_supervisionnote_add")
        self.assert_refused(self.leader, target, {"body": "请加快办理"}, {"proposal"}, (SupervisionNote, Event))

    def test_the_assignment_and_reply_change_pages(self):
        target = reverse("admin:responses_assignment_change", args=[self.assignment.pk])
        self.assert_refused(self.root, target, {"instructions": ""}, {"proposal", "unit"}, (Assignment, Event))
        target = reverse("admin:responses_reply_change", args=[self.reply.pk])
        self.assert_refused(self.root, target, {"body": "改"}, {"assignment", "category"}, (Reply, ReplyRevision))

    def test_the_member_profile_and_user_pages(self):
        target = reverse("admin:accounts_memberprofile_add")
        self.assert_refused(self.committee, target, {"member_number": "F001"}, {"user"}, (MemberProfile, User))
        target = reverse("admin:accounts_user_change", args=[self.handler.pk])
        data = {"username": "handler", "full_name": "刘经办", "role": Role.UNIT_HANDLER, "is_active": "on"}
        self.assert_refused(self.committee, target, data, {"unit"}, (User, AccessChange))


class UnitHandlingTests(UnitFormsTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        scene = cls()  # the scene helpers are instance methods; the instance reads the class's people
        cls.pending = scene.assigned()[0]
        cls.cohandling, cls.lead = scene.handling([(cls.unit, COHANDLING), (cls.other_unit, LEAD)])

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.handler)

    def post(self, assignment, **data):
        return self.client.post(admin_url("assignment_handle", assignment.pk), data)

    def contact(self, **data):
        fields = {"action": "contact", "contacted_on": TODAY.isoformat(), "method": ContactMethod.PHONE}
        return self.post(self.cohandling, **{**fields, "participants": "陈澄委员；刘经办", **data})

    def test_a_return_without_a_reason_or_to_a_forged_unit_is_refused(self):
        cases = {
            "reason": [{"reason": ""}, {"reason": " \u3000 "}, {"reason": "由" * 4001}],
            "suggested_unit": [
                {"reason": "不属于本单位", "suggested_unit": self.unit.pk},
                {"reason": "不属于本单位", "suggested_unit": 999999},
                {"reason": "不属于本单位", "suggested_unit": "abc"},
            ],
        }
        for field, posts in cases.items():
            for data in posts:
                with self.subTest(field=field, data=str(data)[:40]), self.unchanged(ReturnRequest, *HANDLING_ROWS):
                    response = self.post(self.pending, action="return", **data)
                    self.assert_form_error(response, "return_form", field, status=200)

    def test_contact_dates_in_the_future_invalid_or_before_the_session_are_refused(self):
        for day in (
            (TODAY + dt.timedelta(days=1)).isoformat(),
            "9999-12-31",
            "2023-02-30",
            "昨天",
            "",
            "0001-01-01",
            "2022-12-31",  # before the 2023 session began
        ):
            with self.subTest(day=day), self.unchanged(Contact, Event):
                self.assert_form_error(self.contact(contacted_on=day), "contact_form", "contacted_on", status=200)

    def test_a_contact_with_a_forged_method_or_blank_or_long_text_is_refused(self):
        cases = {
            "method": {"method": "telepathy"},
            "participants": {"participants": " \u3000 "},
            "notes": {"notes": "记" * 4001},
        }
        for field, data in cases.items():
            with self.subTest(field=field), self.unchanged(Contact, Event):
                self.assert_form_error(self.contact(**data), "contact_form", field, status=200)
        with self.unchanged(Contact, Event):
            self.assert_form_error(self.contact(participants="人" * 201), "contact_form", "participants", status=200)

    def test_a_contact_before_the_assignment_was_accepted_is_refused_on_the_form(self):
        with self.unchanged(Contact, Event):
            response = self.post(
                self.pending,
                action="contact",
                contacted_on=TODAY.isoformat(),
                method=ContactMethod.PHONE,
                participants="陈澄委员",
            )
        self.assert_form_error(response, "contact_form", status=200)

    def test_a_blank_or_overlong_opinion_is_refused(self):
        for body in ("", " \u3000\n ", "意" * 10001):
            with self.subTest(length=len(body)), self.unchanged(Opinion, *HANDLING_ROWS):
                response = self.post(self.cohandling, action="opinion", body=body)
                self.assert_form_error(response, "opinion_form", "body", status=200)

    def test_an_opinion_from_a_lead_unit_is_refused(self):
        self.client.force_login(self.other_handler)
        with self.unchanged(Opinion, *HANDLING_ROWS):
            response = self.post(self.lead, action="opinion", body="我们的意见")
        self.assert_form_error(response, "opinion_form", status=200)

    def test_a_forged_action_is_refused_with_a_message(self):
        for action in ("delete", "", "sign"):
            with self.subTest(action=action), self.unchanged(Contact, Opinion, ReturnRequest, *HANDLING_ROWS):
                response = self.post(self.pending, action=action)
                self.assertEqual(messages_of(response), ["Unknown action."])

    def test_another_units_assignment_answers_404(self):
        self.client.force_login(self.third_handler)
        for action in ("accept", "contact", "opinion", "return"):
            with self.subTest(action=action), self.unchanged(Contact, Opinion, ReturnRequest, *HANDLING_ROWS):
                self.assertEqual(self.post(self.cohandling, action=action, body="x", reason="x").status_code, 404)


class ReplyFormTests(DraftReplyTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.old_category = ReplyCategory.objects.create(code="E", name="已停用类别", is_active=False)

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.handler)
        self.url = admin_url("assignment_reply", self.assignment.pk)

    def post(self, **changes):
        values = {**services.reply_values(self.reply), "base_version": self.reply.version, **changes}
        return self.client.post(self.url, {k: "" if v is None else v for k, v in values.items()})

    def test_forged_reply_categories_are_refused(self):
        for category in (999999, "abc", self.old_category.pk, -1):
            with self.subTest(category=category), self.unchanged(Reply, ReplyRevision, Event):
                self.assert_form_error(self.post(category=category), "form", "category", status=200)

    def test_a_forged_version_for_the_optimistic_lock_is_refused(self):
        for version in ("abc", "0", "-1", "1.5"):
            with self.subTest(version=version), self.unchanged(Reply, ReplyRevision, Event):
                # The hidden field's error is told above the form, where it can be seen.
                self.assert_form_error(self.post(base_version=version, body="改"), "form", status=200)

    def test_a_stale_or_future_version_is_a_conflict_that_overwrites_nothing(self):
        for version in (999, ""):
            with self.subTest(version=version), self.unchanged(Reply, ReplyRevision, Event):
                response = self.post(base_version=version, body="覆盖别人的修改")
                self.assert_form_error(response, "form", status=200)
                self.assertIn("conflict", response.context)

    def test_overlong_fields_are_refused(self):
        for field, value in (("body", "答" * 20001), ("letter_number", "号" * 61), ("contact_phone", "1" * 41)):
            with self.subTest(field=field), self.unchanged(Reply, ReplyRevision, Event):
                self.assert_form_error(self.post(**{field: value}), "form", field, status=200)

    def test_commitment_dates_that_are_invalid_or_out_of_range_are_refused(self):
        for day in ("2023-02-30", "下个月", "0001-01-01", TODAY.isoformat(), "9999-12-31", "2030-01-01"):
            with self.subTest(day=day), self.unchanged(Reply, ReplyRevision, Event):
                response = self.post(category=self.reply_categories["B"].pk, commitment_date=day)
                self.assert_form_error(response, "form", "commitment_date", status=200)

    def test_a_submission_that_is_refused_keeps_nothing_of_the_save(self):
        with self.unchanged(Reply, ReplyRevision, *HANDLING_ROWS):
            response = self.post(body="改过的正文", contact_person=" \u3000 ", _submit="1")
        self.assert_form_error(response, "form", status=200)

    def test_another_unit_cannot_save_this_reply(self):
        self.client.force_login(self.other_handler)
        with self.unchanged(Reply, ReplyRevision, Event):
            self.assertEqual(self.post(body="别的单位改的").status_code, 404)

    def test_script_and_control_characters_are_stored_as_text_and_harmless_in_every_letter(self):
        body = f'一、{SCRIPT}\n二、控制字符\x01\x02\x1b在这里。\n三、=HYPERLINK("http://evil.example")'
        self.post(body=body, letter_number="福工信函<b>〔2023〕</b>160号", contact_person="刘<i>经办</i>\x07")
        Proposal.objects.filter(pk=self.assignment.proposal_id).update(title="关于\x01福田<i>时尚</i>的建议")
        self.reply.refresh_from_db()
        self.assertEqual(self.reply.body, body)
        for page in (
            admin_url("reply_review", self.reply.pk),
            reverse("letters:print", args=[self.reply.pk]),
            self.url,
        ):
            with self.subTest(page=page):
                html = self.client.get(page).content.decode()
                self.assertNotIn("<script>alert", html)
                self.assertNotIn("<b>〔2023〕", html)
                self.assertIn("&lt;script&gt;", html)
        response = self.client.get(reverse("letters:docx", args=[self.reply.pk]))
        self.assertEqual(response.status_code, 200)
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(response))).paragraphs)
        self.assertIn(SCRIPT, text)
        self.assertIn("控制字符在这里。", text)
        self.assertIn("福工信函<b>〔2023〕</b>160号", text)
        self.assertIn("关于福田<i>时尚</i>的建议", text)


class SignOffTests(UnitFormsTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        scene = cls()
        cls.reply = scene.submitted(scene.handling()[0])

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.unitlead)
        self.url = admin_url("reply_review", self.reply.pk)

    def test_sending_back_without_comments_or_with_overlong_ones_is_refused(self):
        for comments in ("", " \u3000\n ", "改" * 4001):
            with self.subTest(length=len(comments)), self.unchanged(Reply, Event, Notification):
                response = self.client.post(self.url, {"action": "sendback", "comments": comments})
                self.assert_form_error(response, "sendback_form", "comments", status=200)

    def test_a_handler_cannot_send_back_or_sign(self):
        self.client.force_login(self.handler)
        with self.unchanged(Reply, Event, Notification):
            response = self.client.post(self.url, {"action": "sendback", "comments": "请修改"})
            self.assert_form_error(response, "sendback_form", status=200)
            response = self.client.post(self.url, {"action": "sign"})
        self.assertEqual(len(messages_of(response)), 1)

    def test_a_forged_action_or_sending_before_sign_off_is_refused_with_a_message(self):
        for action in ("publish", "send"):
            with self.subTest(action=action), self.unchanged(Reply, *HANDLING_ROWS):
                response = self.client.post(self.url, {"action": action})
                self.assertRedirects(response, self.url, fetch_redirect_response=False)
                self.assertEqual(len(messages_of(response)), 1)

    def test_another_units_leader_gets_404(self):
        self.client.force_login(self.otherlead)
        with self.unchanged(Reply, Event, Notification):
            self.assertEqual(self.client.post(self.url, {"action": "sign"}).status_code, 404)

    def test_a_reply_that_does_not_exist_answers_404(self):
        for value in ("999999", "abc"):
            with self.subTest(value=value):
                response = self.client.post(f"/admin/responses/reply/{value}/review/", {"action": "sign"})
                self.assertEqual(response.status_code, 404)


# Users -----------------------------------------------------------------------------------


class UserFormTests(AdminTestCase):
    ROWS = (User, MemberProfile, AccessChange)

    def add(self, **data):
        fields = {
            "username": "newhandler",
            "full_name": "钱经办",
            "role": Role.UNIT_HANDLER,
            "unit": self.unit.pk,
            "email": "newhandler@example.org",
            "usable_password": "true",
            "password1": "a-long-pass-98765",
            "password2": "a-long-pass-98765",
            **data,
        }
        return self.client.post(reverse("admin:accounts_user_add"), fields)

    def change(self, user, **data):
        fields = {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "role": user.role,
            "unit": user.unit_id or "",
            "is_active": "on",
            **data,
        }
        return self.client.post(reverse("admin:accounts_user_change", args=[user.pk]), fields)

    def assert_admin_error(self, response, field: str) -> None:
        self.assertEqual(response.status_code, 200)
        form = response.context["adminform"].form
        self.assertIn(field, form.errors)
        for message in form.errors[field]:
            self.assertContains(response, escape(message))

    def test_weak_passwords_are_refused(self):
        for password in ("12345678", "1234567890", "password123", "newhandler1", "short"):
            with self.subTest(password=password), self.unchanged(*self.ROWS):
                self.assert_admin_error(self.add(password1=password, password2=password), "password2")
        with self.unchanged(*self.ROWS):
            self.assert_admin_error(self.add(password2="a-long-pass-98766"), "password2")

    def test_a_forged_role_or_unit_is_refused(self):
        for field, value in (("role", "superuser"), ("role", "admin"), ("unit", 999999), ("unit", "abc")):
            with self.subTest(field=field, value=value), self.unchanged(*self.ROWS):
                self.assert_admin_error(self.add(**{field: value}), field)

    def test_unit_staff_without_a_unit_are_refused_on_create_and_change(self):
        with self.unchanged(*self.ROWS):
            response = self.add(unit="")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.errors)
        for role in (Role.UNIT_HANDLER, Role.UNIT_LEADER):
            with self.subTest(role=role), self.unchanged(*self.ROWS):
                response = self.change(self.lihua, role=role, unit="")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Unit handlers and unit leaders must belong to a unit.")

    def test_an_invalid_user_name_is_refused(self):
        for username in ("<script>", "有 空格", "x" * 151, ""):
            with self.subTest(username=username[:10]), self.unchanged(*self.ROWS):
                self.assert_admin_error(self.add(username=username), "username")

    def test_the_user_list_shows_the_role_as_a_labelled_badge(self):
        html = self.client.get(reverse("admin:accounts_user_changelist")).content.decode()
        # The column is "Role", sortable by the role, and each cell a coloured badge with the role's name.
        self.assertRegex(
            html, r'column-role_badge[^>]*>\s*<div[^>]*>\s*<div class="text">\s*<a href="\?o=\d+[^"]*">\s*Role\s*</a>'
        )
        cells = re.findall(
            r'<td class="field-role_badge[^"]*" data-label="role">\s*<span class="([^"]*)"\s*>\s*([^<]*?)\s*</span>',
            html,
        )
        badges = {name: " ".join(classes.split()) for classes, name in cells}
        self.assertIn("bg-blue-100", badges["Unit handler"])
        self.assertIn("bg-primary-100", badges["Committee staff"])

    def test_a_name_with_script_is_escaped_in_the_user_list(self):
        self.add(full_name="<script>alert(1)</script>")
        html = self.client.get(reverse("admin:accounts_user_changelist")).content.decode()
        self.assertIn("&lt;script&gt;alert(1)", html)
        self.assertNotIn("<script>alert(1)", html)
