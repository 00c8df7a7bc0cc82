"""The admin home (unfold's DASHBOARD_CALLBACK): a few counts per role, each linking to its list.

Committee staff see what waits for them, unit staff their unit's work,
leaders the proposals by status. Counts come from the same ``visible_to``
querysets as the lists they link to, in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.choices import UNIT_ROLES, Role
from proposals.choices import SUBMITTED_STATUSES, ProposalStatus
from proposals.models import Proposal
from responses.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentStatus, ReplyStatus, RequestStatus
from responses.models import Assignment, ExtensionRequest, Reply, ReturnRequest


@dataclass(frozen=True)
class Tile:
    """One count on the admin home."""

    key: str
    label: str
    count: int
    url: str


def _changelist(model, **params) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def committee_tiles(user) -> list[Tile]:
    proposals = Proposal.objects.visible_to(user).aggregate(
        submitted=Count("pk", filter=Q(status=ProposalStatus.SUBMITTED)),
        accepted=Count("pk", filter=Q(status=ProposalStatus.ACCEPTED)),
    )
    returns = ReturnRequest.objects.visible_to(user).filter(status=RequestStatus.PENDING).count()
    extensions = ExtensionRequest.objects.visible_to(user).filter(status=RequestStatus.PENDING).count()
    in_review = Reply.objects.visible_to(user).filter(status=ReplyStatus.IN_REVIEW).count()
    return [
        Tile(
            "awaiting_review",
            _("Proposals awaiting review"),
            proposals["submitted"],
            _changelist(Proposal, status__exact=ProposalStatus.SUBMITTED),
        ),
        Tile(
            "awaiting_assignment",
            _("Accepted, awaiting assignment"),
            proposals["accepted"],
            _changelist(Proposal, status__exact=ProposalStatus.ACCEPTED),
        ),
        Tile(
            "return_requests",
            _("Pending return requests"),
            returns,
            _changelist(ReturnRequest, status__exact=RequestStatus.PENDING),
        ),
        Tile(
            "extension_requests",
            _("Pending extension requests"),
            extensions,
            _changelist(ExtensionRequest, status__exact=RequestStatus.PENDING),
        ),
        # Signed replies the committee reviews before the proposers see them (督办审核, Session.reply_review).
        Tile(
            "replies_in_review",
            _("Replies awaiting the committee's review"),
            in_review,
            reverse("admin:responses_reply_review_queue"),
        ),
    ]


def unit_tiles(user) -> list[Tile]:
    today = timezone.localdate()
    assignments = Assignment.objects.visible_to(user).aggregate(
        pending=Count("pk", filter=Q(status=AssignmentStatus.PENDING)),
        handling=Count("pk", filter=Q(status=AssignmentStatus.HANDLING)),
        overdue=Count("pk", filter=Q(status__in=OPEN_ASSIGNMENT_STATUSES, reply_due__lt=today)),
    )
    awaiting_signoff = Reply.objects.visible_to(user).filter(status=ReplyStatus.AWAITING_SIGNOFF).count()
    return [
        Tile(
            "pending_acceptance",
            _("Assignments awaiting acceptance"),
            assignments["pending"],
            _changelist(Assignment, status__exact=AssignmentStatus.PENDING),
        ),
        Tile(
            "being_handled",
            _("Assignments being handled"),
            assignments["handling"],
            _changelist(Assignment, status__exact=AssignmentStatus.HANDLING),
        ),
        Tile("overdue", _("Overdue replies"), assignments["overdue"], _changelist(Assignment, overdue="yes")),
        Tile(
            "awaiting_signoff",
            _("Replies awaiting sign-off"),
            awaiting_signoff,
            _changelist(Reply, status__exact=ReplyStatus.AWAITING_SIGNOFF),
        ),
    ]


def status_tiles(user) -> list[Tile]:
    """Proposals by status; no drafts: staff see a proposal once it has been submitted."""
    counts = dict(Proposal.objects.visible_to(user).order_by().values_list("status").annotate(n=Count("pk")))
    return [
        Tile(f"status_{status}", status.label, counts.get(status, 0), _changelist(Proposal, status__exact=status))
        for status in SUBMITTED_STATUSES
    ]


def tiles_for(user) -> list[tuple[str, list[Tile]]]:
    """The sections of the admin home for ``user``: (heading, tiles)."""
    if user.is_superuser:
        return [(_("Waiting for the committee"), committee_tiles(user)), (_("Proposals by status"), status_tiles(user))]
    if user.role == Role.COMMITTEE:
        return [(_("Waiting for the committee"), committee_tiles(user))]
    if user.role in UNIT_ROLES:
        # Not "Your unit's work": the worklist above these counts carries that heading.
        return [(_("Your unit in figures"), unit_tiles(user))]
    if user.role == Role.LEADER:
        return [(_("Proposals by status"), status_tiles(user))]
    return []


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    from responses.admin_views import unit_home_context

    context["home_sections"] = tiles_for(request.user)
    # Unit staff also get their worklist, grouped by what needs doing next.
    context.update(unit_home_context(request))
    return context
