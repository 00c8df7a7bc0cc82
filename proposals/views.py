"""The member portal and the public pages (DESIGN.md section 6: "the site's own pages").

Members follow their proposals here; staff do their work in the admin and only
get a landing page. Every queryset starts from a ``visible_to`` method (or
``published()`` for the public), so a page never decides on its own who sees
what, and an object you may not see answers 404.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from proposals.choices import PROPOSAL_STATUS_COLOURS, EventVerb, ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Attachment, Category, Event, Notification, Proposal, Proposer, Session
from responses.choices import ASSIGNMENT_STATUS_COLOURS, AssignmentRole, AssignmentStatus
from responses.models import Assignment, Reply

PAGE_SIZE = 20

HANDLED_STATUSES = {ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.CLOSED}

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
        Proposer.objects.filter(proposal=OuterRef("pk"), role=ProposerRole.LEAD)
        .annotate(name=Coalesce(NullIf(F("user__full_name"), Value("")), F("user__username")))
        .order_by("order", "pk")  # the default ordering would join the proposal again
        .values("name")[:1]
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


def _paragraphs(text: str) -> list[str]:
    """One paragraph per non-empty line: how members and units type these texts."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _letters(replies):
    """Splits each reply body into paragraphs for the letter layout."""
    for reply in replies:
        reply.paragraphs = _paragraphs(reply.body)
    return replies


def _texts(proposal) -> dict:
    return {
        "background_paragraphs": _paragraphs(proposal.background),
        "suggestion_paragraphs": _paragraphs(proposal.suggestions),
    }


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

    my_role = Proposer.objects.filter(proposal=OuterRef("pk"), user=user).order_by()
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

    events = Event.objects.filter(proposal=proposal).select_related("actor")
    if not user.has_staff_role:
        events = events.exclude(verb__in=MEMBER_HIDDEN_VERBS)

    assignments = _with_status_colours(
        list(
            Assignment.objects.visible_to(user)
            .filter(proposal=proposal)
            .exclude(status=AssignmentStatus.RETURNED)
            .select_related("unit")
            .annotate(
                role_order=Case(
                    When(role=AssignmentRole.LEAD, then=0), When(role=AssignmentRole.SEPARATE, then=1), default=2
                )
            )
            .order_by("round", "role_order", "pk")
        ),
        ASSIGNMENT_STATUS_COLOURS,
    )
    today = timezone.localdate()
    for assignment in assignments:
        # A co-handling unit's own deadline is its opinion; the others' is the reply.
        assignment.is_cohandling = assignment.role == AssignmentRole.COHANDLING
        due = assignment.opinion_due if assignment.is_cohandling else assignment.reply_due
        days = (due - today).days if due and assignment.is_open else None
        assignment.days = days
        assignment.overdue_days = -days if days is not None and days < 0 else 0
    replies = _letters(
        list(
            Reply.objects.visible_to(user)
            .sent()
            .filter(assignment__proposal=proposal)
            .select_related("assignment__unit", "category", "signer")
            .order_by("sent_at", "pk")
        )
    )
    # Supervision (督办) is between leaders and the committee; units and members see its effect, not the notes.
    supervision_notes = (
        list(proposal.supervision_notes.select_related("author"))
        if proposal.is_key and (user.is_committee or user.is_leader)
        else []
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
            "lead": _lead(proposers),
            "proposers": proposers,
            "attachments": proposal.attachments.all(),
            "events": events,
            "assignments": assignments,
            "replies": replies,
            "merged_in": merged_in,
            "supervision_notes": supervision_notes,
            # Handling units and replies only mean something once the proposal is accepted.
            "in_handling": proposal.status in HANDLED_STATUSES,
            "merged_into_visible": proposal.merged_into_id
            and Proposal.objects.visible_to(user).filter(pk=proposal.merged_into_id).exists(),
            **_texts(proposal),
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
    # Links are written by services, but only links into this site are rendered, whatever got stored.
    hosts = {request.get_host(), urlsplit(settings.SITE_URL).netloc}
    for notification in page.object_list:
        url = notification.url
        notification.safe_url = url if url and url_has_allowed_host_and_scheme(url, allowed_hosts=hosts) else ""
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
        .order_by(F("published_at").desc(nulls_last=True), "-pk")
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
    replies = _letters(
        list(
            Reply.objects.sent()
            .filter(assignment__proposal=proposal)
            .select_related("assignment__unit", "category")
            .order_by("sent_at", "pk")
        )
    )
    for reply in replies:
        # Published letters never carry contact details; blanked here so no template can leak them.
        reply.contact_person = reply.contact_phone = ""
    return render(
        request,
        "public/detail.html",
        {
            "proposal": proposal,
            "lead": _lead(proposers),
            "proposers": proposers,
            "replies": replies,
            **_texts(proposal),
        },
    )


def _lead(proposers):
    return next((p for p in proposers if p.role == ProposerRole.LEAD), None)


def _int_param(request, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None
