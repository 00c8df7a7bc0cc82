"""Staff admin for sessions, categories, proposals and their timeline.

Committee staff manage sessions, categories and proposal content; leaders and
unit staff read. Status and numbering are shown, never edited: they change
through the services only, from the committee's custom admin views hung on
``ProposalAdmin.get_urls``: review, accept, reject and merge here
(proposals/admin_review.py).

``ProposalAdmin`` is registered by ``responses.admin``, whose subclass adds the
steps after acceptance (assignment, key proposals and supervision, publication):
those pages show the handling units, which this app does not know.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import path
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from accounts.admin_base import (
    ALL_STAFF,
    COMMITTEE,
    LEADERS,
    NOBODY,
    OVERSIGHT,
    ReadOnlyAdmin,
    RoleScopedAdmin,
    RoleScopedTabularInline,
    status_badge,
)
from accounts.choices import Role
from proposals import admin_paper, admin_review, services
from proposals.admin_common import ServiceCreateMixin
from proposals.choices import PROPOSAL_STATUS_COLOURS
from proposals.models import (
    Attachment,
    Category,
    Event,
    Notification,
    Proposal,
    Proposer,
    Session,
    SupervisionNote,
)


@admin.register(Session)
class SessionAdmin(RoleScopedAdmin):
    reference_data = True
    list_display = ("name", "full_name", "year", "is_current", "opens_on", "closes_on", "reply_months", "next_serial")
    list_filter = ("is_current", "year")
    search_fields = ("name", "full_name")
    ordering = ("-year", "-term", "-meeting")
    fieldsets = (
        (None, {"fields": ("name", "full_name", ("term", "meeting", "year"), "is_current")}),
        (
            _("Submissions"),
            {"fields": (("opens_on", "closes_on"), "cosign_cutoff", ("joint_rule", "joint_min_confirmed"))},
        ),
        (_("Numbering"), {"fields": ("number_format", "next_serial")}),
        (
            _("Deadlines"),
            {
                "fields": (
                    ("reply_months", "reply_cap_months", "opinion_months"),
                    ("return_window_workdays", "contact_workdays"),
                    ("feedback_workdays", "publication_workdays"),
                )
            },
        ),
        (_("Reminders"), {"fields": ("reminder_days_before", "overdue_every_days", "escalation")}),
        (_("Statistics"), {"fields": ("satisfaction_rule",)}),
        (_("Handling and letters"), {"fields": ("countersign", "reply_review", "letter_cc")}),
    )


@admin.register(Category)
class CategoryAdmin(RoleScopedAdmin):
    reference_data = True
    list_display = ("name", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    ordering = ("order", "name")


class ProposerInline(RoleScopedTabularInline):
    model = Proposer
    view_roles = ALL_STAFF
    scope_through = "proposal"
    fields = ("user", "role", "status", "order", "invited_at", "confirmed_at", "responded_at", "confirmed_on_paper")
    readonly_fields = ("invited_at", "confirmed_at", "responded_at", "confirmed_on_paper")
    autocomplete_fields = ("user",)
    ordering = ("order", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class AttachmentInline(RoleScopedTabularInline):
    """Files are uploaded on the member portal and served by a permission-checking view, so read-only here."""

    model = Attachment
    view_roles = ALL_STAFF
    read_only = True
    scope_through = "proposal"
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


class SupervisedByMeFilter(admin.SimpleListFilter):
    """A leader's own key proposals (督办); offered to leaders only."""

    title = _("supervision")
    parameter_name = "supervised"

    def lookups(self, request, model_admin):
        if request.user.role == Role.LEADER:
            return (("me", _("Supervised by me")),)
        return ()

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(supervisor=request.user)
        return queryset


class EnteredFromPaperFilter(admin.SimpleListFilter):
    """Proposals committee staff entered from a member's paper proposal (代提交), or the members' own."""

    title = _("how it was handed in")
    parameter_name = "paper"

    def lookups(self, request, model_admin):
        return (("yes", _("On paper, entered by committee staff")), ("no", _("Online by the member")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(entered_by__isnull=False)
        if self.value() == "no":
            return queryset.filter(entered_by__isnull=True)
        return queryset


class ProposalAdmin(RoleScopedAdmin):
    """The proposal list and form with the intake steps; registered with the handling steps by responses.admin."""

    view_roles = ALL_STAFF
    # Proposals leave the system by withdrawal, rejection or merging, never by deletion
    # (superusers excepted): the timeline would go with them.
    delete_roles = NOBODY
    list_display = (
        "display_number",
        "title",
        "lead_proposer_name",
        "session",
        "category",
        "kind",
        "status_badge",
        "is_key",
        "submitted_at",
    )
    list_display_links = ("display_number", "title")
    list_filter = (
        "status",
        "kind",
        "session",
        "category",
        "is_key",
        SupervisedByMeFilter,
        "is_published",
        EnteredFromPaperFilter,
    )
    list_select_related = ("session", "category")
    search_fields = ("=number", "title", "collective_author", "proposers__user__full_name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("session", "category", "suggested_units")
    inlines = (ProposerInline, AttachmentInline)
    readonly_fields = (
        "number",
        "handling_round",
        "is_key",
        "supervisor",
        "merged_into",
        "rejection_ground",
        "rejection_reason",
        "converted_to_suggestion",
        "is_published",
        "published_at",
        "created_by",
        "created_at",
        "entered_by",
        "entered_at",
        "submitted_at",
        "accepted_at",
        "closed_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("session", "title", ("category", "kind"), "collective_author", "suggested_units")}),
        (_("Content"), {"fields": ("background", "suggestions")}),
        (
            _("Handling"),
            {
                "fields": (
                    ("status", "number", "handling_round"),
                    ("is_key", "supervisor"),
                    "merged_into",
                    ("rejection_ground", "converted_to_suggestion"),
                    "rejection_reason",
                )
            },
        ),
        (
            _("Publication"),
            {"fields": ("publication_consent", "publication_refusal_reason", ("is_published", "published_at"))},
        ),
        (
            _("Dates"),
            {
                "fields": (
                    ("created_by", "created_at"),
                    ("entered_by", "entered_at"),
                    ("submitted_at", "accepted_at", "closed_at"),
                    "updated_at",
                )
            },
        ),
    )

    status_badge = status_badge(PROPOSAL_STATUS_COLOURS)

    # Links to the committee's pages above the list, and the workflow steps above a proposal's form.
    list_before_template = "admin/proposals/proposal/workflow_links.html"
    change_form_before_template = "admin/proposals/proposal/workflow_panel.html"

    def workflow_route(self, pattern: str, view, name: str):
        """A custom admin view of the workflow, named ``proposals_proposal_<name>``, behind the admin login."""
        return path(pattern, self.admin_site.admin_view(view), {"model_admin": self}, name=f"proposals_proposal_{name}")

    def get_urls(self):
        route = self.workflow_route
        # Before the stock URLs: "<path:object_id>/" would swallow "review/" otherwise.
        return [
            route("review/", admin_review.review_queue, "review_queue"),
            route("paper/", admin_paper.paper_entry, "paper_entry"),
            route("<int:pk>/review/", admin_review.review, "review"),
            route("<int:pk>/accept/", admin_review.accept, "accept"),
            route("<int:pk>/reject/", admin_review.reject, "reject"),
            route("<int:pk>/merge/", admin_review.merge, "merge"),
            *super().get_urls(),
        ]

    def has_committee_permission(self, request, obj=None) -> bool:
        """The committee's workflow steps (superusers count as committee staff)."""
        return request.user.is_committee

    def get_queryset(self, request):
        # One extra query for the page's proposers, whatever the page size.
        proposers = Prefetch("proposers", queryset=Proposer.objects.select_related("user").order_by("order", "pk"))
        return super().get_queryset(request).prefetch_related(proposers)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None:
            # The session fixes the numbering and deadline rules once the proposal exists.
            readonly.append("session")
        return readonly

    @display(description=_("number"), ordering="number")
    def display_number(self, obj: Proposal) -> str:
        return obj.number or "—"

    @display(description=_("lead proposer"))
    def lead_proposer_name(self, obj: Proposal) -> str:
        lead = obj.lead_proposer
        return lead.user.display_name if lead else obj.collective_author or "—"

    def save_model(self, request, obj: Proposal, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SupervisionNote)
class SupervisionNoteAdmin(ServiceCreateMixin, RoleScopedAdmin):
    """Leaders and committee staff write supervision notes (督办) on key proposals; leaders change only their own."""

    scope_through = "proposal"
    add_roles = OVERSIGHT
    change_roles = OVERSIGHT
    delete_roles = COMMITTEE
    list_display = ("proposal", "excerpt", "author", "created_at")
    list_select_related = ("proposal", "author")
    search_fields = ("body", "proposal__title", "=proposal__number")
    date_hierarchy = "created_at"
    autocomplete_fields = ("proposal",)
    fields = ("proposal", "body", "author", "created_at")
    readonly_fields = ("author", "created_at")

    @display(description=_("note"))
    def excerpt(self, obj: SupervisionNote) -> str:
        return Truncator(obj.body).chars(60)

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        user = request.user
        if obj is None or user.is_committee:
            return True
        return user.role in LEADERS and obj.author_id == user.pk

    def create_through_service(self, request, data: dict) -> SupervisionNote:
        return services.add_supervision_note(data["proposal"], actor=request.user, body=data["body"])


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The audit log: written by services, read here, never edited (not even by superusers)."""

    list_display = ("created_at", "proposal", "verb", "actor", "from_status", "to_status", "excerpt")
    list_filter = ("verb",)
    list_select_related = ("proposal", "actor")
    search_fields = ("=proposal__number", "proposal__title", "note")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")

    @display(description=_("note"))
    def excerpt(self, obj: Event) -> str:
        return Truncator(obj.note).chars(60)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """A user's own in-app messages (visible_to shows only the user's own)."""

    list_display = ("title", "proposal", "created_at", "read_at")
    list_select_related = ("proposal",)
    search_fields = ("title", "body")
    date_hierarchy = "created_at"
