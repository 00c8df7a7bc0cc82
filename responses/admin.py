"""Staff admin for the handling side: assignments, opinions, contacts, replies, feedback and requests.

Unit staff see only their own unit's rows (``visible_to``) and may record
contacts with proposers; committee staff and leaders see everything. Statuses
are read-only here: the unit's workflow pages (responses/admin_views.py, wired in
by ``get_urls`` below) call ``responses.services`` for every step: the worklist,
accept or return, contact log, opinion, reply draft, sign-off and sending.

The proposal admin is registered here (``HandlingProposalAdmin``): the one of
``proposals.admin`` plus the committee's steps after acceptance (assignment,
supervision, publication), whose pages show the handling units.
"""

from __future__ import annotations

from functools import partial, update_wrapper

from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.decorators import display

from accounts.admin_base import (
    ALL_STAFF,
    NAMED_IN_MESSAGE,
    NOBODY,
    UNIT_STAFF,
    ReadOnlyAdmin,
    RoleScopedAdmin,
    ScopedRelatedFilter,
    named_list,
    status_badge,
)
from proposals.admin import ProposalAdmin
from proposals.admin_common import ServiceCreateMixin
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from proposals.services import proposal_label
from proposals.workflow import WorkflowError
from responses import admin_assign, admin_paper_feedback, admin_publication, admin_supervision, services
from responses.choices import (
    ASSIGNMENT_STATUS_COLOURS,
    COUNTERSIGN_STATUS_COLOURS,
    OPEN_ASSIGNMENT_STATUSES,
    REPLY_STATUS_COLOURS,
)
from responses.models import (
    Assignment,
    Contact,
    Countersign,
    Feedback,
    Opinion,
    Reply,
    ReplyCategory,
    ReplyRevision,
)


class HandledRowsAdmin(RoleScopedAdmin):
    """Rows of the handling work: every staff role reads its visible rows; services write them."""

    view_roles = ALL_STAFF
    add_roles = NOBODY
    change_roles = NOBODY
    delete_roles = NOBODY

    def workflow_url(self, route: str, view, name: str, **kwargs):
        """A workflow page of this model: inside admin_view (sign-in, CSRF), named admin:<app>_<model>_<name>."""
        wrapped = self.admin_site.admin_view(partial(view, model_admin=self, **kwargs))
        update_wrapper(wrapped, view)
        return path(route, wrapped, name=f"{self.opts.app_label}_{self.opts.model_name}_{name}")


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", _("Overdue")), ("no", _("Not overdue")))

    def queryset(self, request, queryset):
        overdue = {"status__in": OPEN_ASSIGNMENT_STATUSES, "reply_due__lt": timezone.localdate()}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


@admin.register(ReplyCategory)
class ReplyCategoryAdmin(RoleScopedAdmin):
    reference_data = True
    list_display = ("code", "name", "requires_commitment", "order", "is_active")
    list_filter = ("is_active", "requires_commitment")
    search_fields = ("code", "name")
    ordering = ("order", "code")


@admin.register(Assignment)
class AssignmentAdmin(HandledRowsAdmin):
    list_display = (
        "handle_link",
        "proposal",
        "unit",
        "role",
        "round",
        "status_badge",
        "assigned_on",
        "reply_due",
        "days_left_display",
        "deadlines_provisional",
    )
    list_filter = ("status", "role", OverdueFilter, ("unit", ScopedRelatedFilter), "deadlines_provisional", "round")
    list_select_related = ("proposal", "unit")
    search_fields = ("=proposal__number", "proposal__title", "unit__name")
    date_hierarchy = "assigned_on"
    autocomplete_fields = ("proposal", "unit")
    ordering = ("reply_due", "pk")
    fieldsets = (
        (None, {"fields": ("proposal", ("unit", "role", "round"), "status", "instructions")}),
        (
            _("Handling"),
            {"fields": (("assigned_by", "assigned_on", "assigned_at"), ("accepted_by", "accepted_at"), "replied_at")},
        ),
        (
            _("Due dates"),
            {
                "fields": (
                    ("reply_due", "reply_due_provisional", "reply_due_note"),
                    ("original_reply_due", "reply_cap", "reply_cap_note"),
                    ("opinion_due", "opinion_due_note"),
                    ("return_window_ends", "return_window_note"),
                    ("contact_due", "contact_due_note"),
                    "deadlines_provisional",
                )
            },
        ),
    )

    status_badge = status_badge(ASSIGNMENT_STATUS_COLOURS)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Committee staff get the manual 催办 button (responses/admin_reminders.py) on open assignments.
        user = request.user
        extra_context = {**(extra_context or {}), "can_send_reminder": user.is_committee}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        from responses import admin_views

        return [
            self.workflow_url("worklist/", admin_views.worklist_view, "worklist"),
            self.workflow_url("<path:object_id>/handle/", admin_views.handle_view, "handle"),
            self.workflow_url("<path:object_id>/reply/", admin_views.reply_edit_view, "reply"),
            self.workflow_url("<path:object_id>/followup/", admin_views.reply_edit_view, "followup", followup=True),
            self.workflow_url("<path:object_id>/countersign/", admin_views.countersign_view, "countersign"),
            *super().get_urls(),
        ]

    @display(description=_("handle"))
    def handle_link(self, obj: Assignment):
        url = reverse("admin:responses_assignment_handle", args=[obj.pk])
        return format_html('<a class="tn-link" href="{}">{}</a>', url, _("Open"))

    @display(description=_("days left"), ordering="reply_due")
    def days_left_display(self, obj: Assignment):
        days = obj.days_left()
        if days is None or not obj.is_open:
            return "—"
        return days


@admin.register(Opinion)
class OpinionAdmin(HandledRowsAdmin):
    """Co-handling opinions (会办意见): the co-handler's own, and those sent to a unit that leads."""

    list_display = ("assignment", "author", "sent_at", "is_late")
    list_filter = ("is_late", ("assignment__unit", ScopedRelatedFilter))
    list_select_related = ("assignment__proposal", "assignment__unit", "author")
    search_fields = ("body", "=assignment__proposal__number", "assignment__proposal__title")
    date_hierarchy = "sent_at"


@admin.register(Countersign)
class CountersignAdmin(HandledRowsAdmin):
    """Countersignatures (会签): the co-handler's own, and those about a draft of a unit that leads.
    Read-only: the lead unit asks and the co-handling unit answers on the unit's pages."""

    list_display = ("reply", "co_unit", "status_badge", "version", "requested_at", "answered_by", "answered_at")
    list_filter = ("status", ("assignment__unit", ScopedRelatedFilter))
    list_select_related = ("reply__assignment__proposal", "reply__assignment__unit", "assignment__unit", "answered_by")
    search_fields = ("comments", "=reply__assignment__proposal__number", "reply__assignment__proposal__title")
    date_hierarchy = "requested_at"

    status_badge = status_badge(COUNTERSIGN_STATUS_COLOURS)

    @display(description=_("co-handling unit"), ordering="assignment__unit__name")
    def co_unit(self, obj: Countersign):
        return obj.assignment.unit


@admin.register(Contact)
class ContactAdmin(ServiceCreateMixin, HandledRowsAdmin):
    """Unit staff record their talks with the proposer (办前沟通) through log_contact; the record then stays as written."""

    add_roles = UNIT_STAFF
    list_display = ("contacted_on", "assignment", "method", "participants", "recorded_by")
    list_filter = ("method", ("assignment__unit", ScopedRelatedFilter))
    list_select_related = ("assignment__proposal", "assignment__unit", "recorded_by")
    search_fields = ("participants", "notes", "=assignment__proposal__number", "assignment__proposal__title")
    date_hierarchy = "contacted_on"
    autocomplete_fields = ("assignment",)
    fields = ("assignment", "contacted_on", "method", "participants", "notes", "recorded_by", "created_at")
    readonly_fields = ("recorded_by", "created_at")

    def create_through_service(self, request, data: dict) -> Contact:
        return services.log_contact(
            data["assignment"],
            actor=request.user,
            contacted_on=data["contacted_on"],
            method=data["method"],
            participants=data["participants"],
            notes=data.get("notes", ""),
        )


@admin.register(Reply)
class ReplyAdmin(HandledRowsAdmin):
    list_display = (
        "review_link",
        "__str__",
        "proposal_title",
        "unit",
        "category",
        "status_badge",
        "is_followup",
        "round",
        "sent_at",
        "version",
    )
    list_filter = ("status", "category", "is_followup", ("assignment__unit", ScopedRelatedFilter))
    list_select_related = ("assignment__proposal", "assignment__unit", "category")
    search_fields = ("letter_number", "=assignment__proposal__number", "assignment__proposal__title")
    date_hierarchy = "created_at"
    autocomplete_fields = ("assignment", "category")
    fieldsets = (
        (None, {"fields": ("assignment", ("round", "is_followup"), "status", "version")}),
        (
            _("Letter"),
            {"fields": (("letter_number", "category"), "body", ("contact_person", "contact_phone"), "commitment_date")},
        ),
        (
            _("Sign-off"),
            {
                "fields": (
                    "drafted_by",
                    ("signer", "signed_at"),
                    "sendback_comment",
                    "sent_at",
                    ("created_at", "updated_at"),
                )
            },
        ),
    )

    # The optimistic-lock counter belongs to save_reply_draft, never typed in.
    readonly_fields = ("version",)

    status_badge = status_badge(REPLY_STATUS_COLOURS)

    def get_urls(self):
        from responses import admin_reply_review, admin_views

        return [
            # Before "<path:object_id>/", which would take "review-queue/" for an object id.
            self.workflow_url("review-queue/", admin_reply_review.review_queue, "review_queue"),
            self.workflow_url(
                "<path:object_id>/committee-review/", admin_reply_review.committee_review, "committee_review"
            ),
            self.workflow_url("<path:object_id>/review/", admin_views.review_view, "review"),
            self.workflow_url("<path:object_id>/revisions/", admin_views.revisions_view, "revisions"),
            *super().get_urls(),
        ]

    @display(description=_("letter"))
    def review_link(self, obj: Reply):
        url = reverse("admin:responses_reply_review", args=[obj.pk])
        return format_html('<a class="tn-link" href="{}">{}</a>', url, _("Open"))

    @display(description=_("proposal"), ordering="assignment__proposal__title")
    def proposal_title(self, obj: Reply) -> str:
        return Truncator(obj.assignment.proposal.title).chars(40)

    @display(description=_("unit"), ordering="assignment__unit__name")
    def unit(self, obj: Reply):
        return obj.assignment.unit


@admin.register(ReplyRevision)
class ReplyRevisionAdmin(ReadOnlyAdmin):
    """Field-level history of reply drafts: an audit record, read-only for everyone."""

    view_roles = ALL_STAFF
    list_display = ("reply", "version", "editor", "created_at")
    list_select_related = ("reply__assignment__proposal", "reply__assignment__unit", "editor")
    search_fields = (
        "reply__letter_number",
        "=reply__assignment__proposal__number",
        "reply__assignment__proposal__title",
    )
    date_hierarchy = "created_at"


class RecordedOnPaperFilter(admin.SimpleListFilter):
    """Ratings committee staff recorded from a paper form (代评价), or the proposers' own online ones."""

    title = _("how it was given")
    parameter_name = "paper"

    def lookups(self, request, model_admin):
        return (("yes", _("On paper, recorded by committee staff")), ("no", _("Online by the proposer")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(recorded_by__isnull=False)
        if self.value() == "no":
            return queryset.filter(recorded_by__isnull=True)
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(HandledRowsAdmin):
    list_display = ("reply", "user", "attitude", "result", "created_at", "recorded_by")
    list_filter = ("attitude", "result", RecordedOnPaperFilter, ("reply__assignment__unit", ScopedRelatedFilter))
    list_select_related = ("reply__assignment__proposal", "reply__assignment__unit", "user", "recorded_by")
    search_fields = ("comment", "=reply__assignment__proposal__number", "reply__assignment__proposal__title")
    date_hierarchy = "created_at"
    # The paper form is served by the permission-checking download view, never by its storage address.
    fields = ("reply", "user", ("attitude", "result"), "comment", "created_at", ("recorded_by", "paper_form_link"))
    readonly_fields = ("paper_form_link",)

    @display(description=_("paper rating form"))
    def paper_form_link(self, obj: Feedback):
        if not obj.paper_form:
            return "—"
        url = reverse("portal:feedback_paper_form", args=[obj.reply.assignment.proposal_id, obj.reply_id, obj.pk])
        return format_html('<a class="tn-link" href="{}">{}</a>', url, obj.paper_form_name)


# Committee decisions and reminders have modules of their own; importing registers them.
from responses import admin_calendar, admin_reminders, admin_requests, admin_suggestions  # noqa: E402, F401

# The proposal admin with the steps after acceptance --------------------------------------------


def _labels_with_status(proposals, total: int) -> str:
    """The proposals with their statuses for an admin message; ``total`` says whether more were left unnamed."""
    return named_list(
        [
            _("%(proposal)s (%(status)s)") % {"proposal": proposal_label(p), "status": p.get_status_display()}
            for p in proposals
        ],
        total,
    )


@admin.register(Proposal)
class HandlingProposalAdmin(ProposalAdmin):
    """The proposal admin of ``proposals.admin`` with the committee's steps after acceptance: assignment
    (交办), key proposals and supervision (督办), publication (提案公开), and their bulk actions."""

    actions = ("assign_selected", "publish_selected")

    def get_urls(self):
        route = self.workflow_route
        # Before the stock and intake URLs: "<path:object_id>/" would swallow "publication/" otherwise.
        return [
            route("assign-many/", admin_assign.assign_many, "assign_many"),
            route("supervised/", admin_supervision.supervised, "supervised"),
            route("publication/", admin_publication.publication, "publication"),
            route("<int:pk>/assign/", admin_assign.assign, "assign"),
            route("<int:pk>/supervision/", admin_supervision.supervision, "supervision"),
            route("<int:pk>/key/", admin_supervision.mark_key, "key"),
            route("<int:pk>/publish/", admin_publication.publish, "publish"),
            route("<int:pk>/paper-feedback/", admin_paper_feedback.paper_feedback, "paper_feedback"),
            *super().get_urls(),
        ]

    @admin.action(description=_("Assign the selected accepted proposals (交办)"), permissions=["committee"])
    def assign_selected(self, request, queryset):
        queryset = queryset.prefetch_related(None)
        # The bulk assignment page takes accepted proposals only: the others are named here, not dropped unseen.
        others = queryset.exclude(status=ProposalStatus.ACCEPTED).order_by("pk")
        count = others.count()
        if count:
            self.message_user(
                request,
                ngettext(
                    "Only accepted proposals are assigned; this one was left out: %(proposals)s",
                    "Only accepted proposals are assigned; these %(count)d were left out: %(proposals)s",
                    count,
                )
                % {"count": count, "proposals": _labels_with_status(others[:NAMED_IN_MESSAGE], count)},
                messages.WARNING,
            )
        if not queryset.filter(status=ProposalStatus.ACCEPTED).exists():
            return None  # nothing to assign: stay on the list with the message
        return admin_assign.bulk_assign_redirect(queryset)

    @admin.action(description=_("Publish the selected proposals (提案公开)"), permissions=["committee"])
    def publish_selected(self, request, queryset):
        done = 0
        refused: dict[str, list[Proposal]] = {}
        for proposal in queryset.prefetch_related(None).order_by("pk"):
            try:
                services.publish_proposal(proposal, actor=request.user)
            except WorkflowError as exc:
                refused.setdefault(str(exc.message), []).append(proposal)
            else:
                done += 1
        # One message per reason, naming the proposals: a whole list ticked must not become a message per row.
        for reason, rows in refused.items():
            names = named_list([proposal_label(proposal) for proposal in rows])
            self.message_user(
                request,
                ngettext(
                    "Not published: %(proposals)s. %(reason)s",
                    "%(count)d not published: %(proposals)s. %(reason)s",
                    len(rows),
                )
                % {"count": len(rows), "proposals": names, "reason": reason},
                messages.ERROR,
            )
        if done:
            self.message_user(request, _("%(count)d proposals were published.") % {"count": done}, messages.SUCCESS)
