"""The member portal and the public pages (DESIGN.md section 6: "the site's own pages").

Members follow their proposals here; staff do their work in the admin and only
get a landing page. Every queryset starts from a ``visible_to`` method (or
``published()`` for the public), so a page never decides on its own who sees
what, and an object you may not see answers 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from proposals.choices import PROPOSAL_STATUS_COLOURS, EventVerb, ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Attachment, Category, Event, Notification, Proposal, Proposer, Session
from responses.choices import ASSIGNMENT_STATUS_COLOURS, AssignmentStatus
from responses.models import Assignment, Reply

PAGE_SIZE = 20

# Steps inside a unit or the committee that a member's timeline leaves out:
# drafts, sign-off, internal requests and reminders are not the proposer's business.
MEMBER_HIDDEN_VERBS = {
    EventVerb.REPLY_SAVED,
    EventVerb.REPLY_SUBMITTED,
    EventVerb.REPLY_SIGNED,
    EventVerb.REPLY_SENT_BACK,
    EventVerb.RETURN_REQUESTED,
    EventVerb.RETURN_REFUSED,
    EventVerb.EXTENSION_REQUESTED,
    EventVerb.EXTENSION_REFUSED,
    EventVerb.SUPERVISION_NOTE,
    EventVerb.REMINDER_SENT,
    EventVerb.DEADLINE_RECOMPUTED,
}


def _lead_name():
    """The lead proposer's name as a subquery, so list rows need no extra query each."""
    return Subquery(
        Proposer.objects.filter(proposal=OuterRef("pk"), role=ProposerRole.LEAD).values("user__full_name")[:1]
    )


def _with_status_colours(rows, colours=PROPOSAL_STATUS_COLOURS):
    """Sets ``badge`` on each row from the one colour map of its status (choices.py)."""
    for row in rows:
        row.badge = colours.get(row.status, "grey")
    return rows


def _paginate(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    # Evaluated here, once: the template iterates the same instances.
    page.object_list = list(page.object_list)
    return page


def _letters(replies):
    """Splits each reply body into paragraphs for the letter layout."""
    for reply in replies:
        reply.paragraphs = [line.strip() for line in reply.body.splitlines() if line.strip()]
    return replies


@login_required
def home(request):
    """我的提案 for members; a short landing page for staff, who work in the admin."""
    user = request.user
    if user.has_staff_role:
        recent = _with_status_colours(
            list(
                Proposal.objects.visible_to(user)
                .select_related("session")
                .annotate(lead_name=_lead_name())
                .order_by("-updated_at")[:10]
            )
        )
        return render(request, "proposals/home_staff.html", {"recent": recent})

    my_role = Proposer.objects.filter(proposal=OuterRef("pk"), user=user)
    proposals = (
        Proposal.objects.visible_to(user)
        .select_related("session", "category")
        .annotate(
            lead_name=_lead_name(),
            my_role=Subquery(my_role.values("role")[:1]),
            my_status=Subquery(my_role.values("status")[:1]),
        )
        .order_by("-updated_at", "-pk")
    )
    page = _paginate(request, proposals)
    _with_status_colours(page.object_list)
    return render(
        request,
        "proposals/home_member.html",
        {"page": page, "lead_role": ProposerRole.LEAD, "invited": ProposerStatus.INVITED},
    )


@login_required
def proposal_detail(request, pk: int):
    user = request.user
    proposal = get_object_or_404(
        Proposal.objects.visible_to(user).select_related("session", "category", "supervisor", "merged_into"),
        pk=pk,
    )
    proposers = list(proposal.proposers.select_related("user__member_profile").order_by("order", "pk"))
    proposal._prefetched_objects_cache = {"proposers": proposers}

    events = Event.objects.filter(proposal=proposal).select_related("actor")
    if not user.has_staff_role:
        events = events.exclude(verb__in=MEMBER_HIDDEN_VERBS)

    assignments = _with_status_colours(
        list(
            Assignment.objects.visible_to(user)
            .filter(proposal=proposal)
            .exclude(status=AssignmentStatus.RETURNED)
            .select_related("unit")
            .order_by("round", "role", "pk")
        ),
        ASSIGNMENT_STATUS_COLOURS,
    )
    replies = _letters(
        list(
            Reply.objects.visible_to(user)
            .sent()
            .filter(assignment__proposal=proposal)
            .select_related("assignment__unit", "category", "signer")
            .order_by("sent_at", "pk")
        )
    )
    merged_in = list(
        Proposal.objects.visible_to(user).filter(merged_into=proposal).only("pk", "title", "number")
        if proposal.status != ProposalStatus.MERGED
        else []
    )
    _with_status_colours([proposal])
    return render(
        request,
        "proposals/detail.html",
        {
            "proposal": proposal,
            "lead": proposal.lead_proposer,
            "proposers": proposers,
            "attachments": proposal.attachments.all(),
            "events": events,
            "assignments": assignments,
            "replies": replies,
            "merged_in": merged_in,
            "merged_into_visible": proposal.merged_into_id
            and Proposal.objects.visible_to(user).filter(pk=proposal.merged_into_id).exists(),
            "today": timezone.localdate(),
        },
    )


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """Serves an attachment file only to someone who may see its proposal."""
    attachment = get_object_or_404(
        Attachment.objects.filter(proposal__in=Proposal.objects.visible_to(request.user)),
        pk=attachment_pk,
        proposal_id=pk,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)


@login_required
def notifications(request):
    """The user's notifications, newest first; the ones shown are marked read by opening the page."""
    rows = Notification.objects.visible_to(request.user).select_related("proposal").order_by("-created_at", "-pk")
    page = _paginate(request, rows)
    unread_ids = [n.pk for n in page.object_list if n.read_at is None]
    if unread_ids:
        Notification.objects.filter(pk__in=unread_ids, read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "proposals/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_mark_all_read(request):
    Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    return redirect("portal:notifications")


def public_index(request):
    """提案公开: published proposals, filterable by session and category."""
    sessions = list(Session.objects.all())
    categories = list(Category.objects.filter(is_active=True))
    proposals = (
        Proposal.objects.published()
        .select_related("session", "category")
        .annotate(lead_name=_lead_name())
        .order_by("-published_at", "-pk")
    )
    selected_session = _int_param(request, "session")
    selected_category = _int_param(request, "category")
    if selected_session:
        proposals = proposals.filter(session_id=selected_session)
    if selected_category:
        proposals = proposals.filter(category_id=selected_category)
    page = _paginate(request, proposals)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/index.html",
        {
            "page": page,
            "sessions": sessions,
            "categories": categories,
            "selected_session": selected_session,
            "selected_category": selected_category,
            "filter_query": query.urlencode(),
        },
    )


def public_detail(request, pk: int):
    """A published proposal and its sent replies, without contact details (DESIGN.md: 提案公开)."""
    proposal = get_object_or_404(Proposal.objects.published().select_related("session", "category"), pk=pk)
    proposers = list(
        proposal.proposers.filter(Q(role=ProposerRole.LEAD) | Q(status=ProposerStatus.CONFIRMED))
        .select_related("user")
        .order_by("order", "pk")
    )
    proposal._prefetched_objects_cache = {"proposers": proposers}
    replies = _letters(
        list(
            Reply.objects.sent()
            .filter(assignment__proposal=proposal)
            .select_related("assignment__unit", "category")
            .order_by("sent_at", "pk")
            .defer("contact_person", "contact_phone")
        )
    )
    return render(
        request,
        "public/detail.html",
        {"proposal": proposal, "lead": proposal.lead_proposer, "proposers": proposers, "replies": replies},
    )


def _int_param(request, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


__all__ = ["Prefetch"]
