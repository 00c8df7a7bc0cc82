"""The member portal's and the public's pages that show the handling: units, replies, ratings.

- ``proposal_detail``: a proposal's page, with its handling units and every sent reply as
  the formal letter, and the rating form for its proposers (the rest of the page comes
  from ``proposals.views_member.detail_context``);
- ``feedback``: 满意度测评, rating a sent reply, attitude and result separately, with a
  comment. Whoever posts, ``give_feedback`` decides: only a proposer of the proposal may
  rate, once, inside the feedback window; a 不满意 starts re-handling. A reply the user may
  not see answers 404; a reply they may see but not rate (a unit, the committee) answers 403;
- ``feedback_paper_form``: the scanned paper form of a rating recorded on a member's behalf (代评价);
- ``public_detail``: 提案公开, a published proposal and its sent replies, without contact details;
- ``similar``: the "similar earlier proposals and their replies" panel of the proposal form
  (htmx, as the title is typed).

Every queryset starts from a ``visible_to`` method (or ``published()`` for the public).
Their URLs (``responses/portal_urls.py``) keep their names in the portal ("portal") and
public ("public") namespaces: ``config/urls.py`` mounts them with the proposals app's own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from proposals.choices import ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Proposal
from proposals.services import proposal_recipients
from proposals.similar import similar_to_text
from proposals.views_common import forbidden_page, lead_of, letters, texts, visible_proposal, with_status_colours
from proposals.views_member import detail_context
from proposals.workflow import WorkflowError
from responses import services
from responses.choices import ASSIGNMENT_STATUS_COLOURS, AssignmentRole, AssignmentStatus, Satisfaction
from responses.deadlines import WorkCalendar
from responses.forms import FeedbackForm
from responses.models import Assignment, Feedback, Reply

# A proposal's page -----------------------------------------------------------------------------


@login_required
def proposal_detail(request, pk: int):
    proposal = visible_proposal(request, pk, "session", "category", "supervisor", "merged_into", "entered_by")
    context = detail_context(request, proposal)
    replies = letters(
        list(
            Reply.objects.visible_to(request.user)
            .sent()
            .filter(assignment__proposal=proposal)
            .select_related("assignment__unit", "category", "signer")
            .order_by("sent_at", "pk")
        )
    )
    context.update(
        assignments=_assignments(proposal, request.user),
        replies=replies,
        rater=attach_feedback(request, proposal, replies, {}),
    )
    return render(request, "proposals/detail.html", context)


def _assignments(proposal: Proposal, user) -> list[Assignment]:
    """Every round's assignments the user may see, except those handed back, in the unit order.

    Each as the user is shown it: a member sees a unit whose signed reply is with the committee for
    review (督办审核) as still handling it (``Assignment.status_shown_to``); the page is only drawn."""
    rows = list(
        Assignment.objects.visible_to(user)
        .filter(proposal=proposal)
        .exclude(status=AssignmentStatus.RETURNED)
        .with_reply_in_review()
        .select_related("unit")
        .annotate(role_order=AssignmentRole.rank_expression())
        .order_by("round", "role_order", "pk")
    )
    for assignment in rows:
        assignment.status = assignment.status_shown_to(user)
    assignments = with_status_colours(rows, ASSIGNMENT_STATUS_COLOURS)
    today = timezone.localdate()
    for assignment in assignments:
        # A co-handling unit's own deadline is its opinion; the others' is the reply.
        assignment.is_cohandling = assignment.role == AssignmentRole.COHANDLING
        due = assignment.opinion_due if assignment.is_cohandling else assignment.reply_due
        days = (due - today).days if due and assignment.is_open else None
        assignment.days = days
        assignment.overdue_days = -days if days is not None and days < 0 else 0
    return assignments


def attach_feedback(request, proposal: Proposal, replies: list[Reply], bound: dict) -> bool:
    """Marks each reply with the user's rating, its feedback window and, when they may rate it, a form.

    Returns whether the user is one of the proposers who rate replies (``proposal_recipients``,
    the same rule ``give_feedback`` applies).
    """
    user = request.user
    for reply in replies:
        reply.my_feedback = None
        reply.can_rate = False
    if not replies or not user.is_member or user.pk not in {u.pk for u in proposal_recipients(proposal)}:
        return False
    given = {
        row.reply_id: row for row in Feedback.objects.filter(reply__in=replies, user=user).select_related("recorded_by")
    }
    calendar = WorkCalendar.load()
    today = timezone.localdate()
    for reply in replies:
        reply.my_feedback = given.get(reply.pk)
        reply.feedback_ends = services.feedback_window_end(proposal, reply, calendar)
        reply.can_rate = reply.my_feedback is None and services.feedback_open(reply.feedback_ends, today)
        if reply.can_rate:
            reply.feedback_form = bound.get(reply.pk) or FeedbackForm(prefix_id=f"reply{reply.pk}")
    return True


# Rating a reply (满意度测评) -------------------------------------------------------------------


def _reply(request, proposal: Proposal, reply_pk: int) -> Reply:
    return get_object_or_404(
        Reply.objects.visible_to(request.user)
        .sent()
        .filter(assignment__proposal=proposal)
        .select_related("assignment__unit", "category"),
        pk=reply_pk,
    )


@login_required
@forbidden_page
def feedback(request, pk: int, reply_pk: int):
    proposal = visible_proposal(request, pk, "session")
    reply = _reply(request, proposal, reply_pk)
    if request.user.pk not in {user.pk for user in proposal_recipients(proposal)}:
        raise PermissionDenied(_("Only the proposers of this proposal may rate its reply."))
    form = FeedbackForm(request.POST or None, prefix_id=f"reply{reply.pk}")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.give_feedback(
                reply, actor=request.user, attitude=data["attitude"], result=data["result"], comment=data["comment"]
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            proposal.refresh_from_db(fields=["status", "handling_round"])
            if Satisfaction.DISSATISFIED in (data["attitude"], data["result"]) and (
                proposal.status == ProposalStatus.ASSIGNED
            ):
                messages.success(
                    request,
                    _("Thank you for your rating. As you are dissatisfied, the proposal will be handled again."),
                )
            else:
                messages.success(request, _("Thank you for your rating."))
            return redirect(f"{reverse('portal:proposal_detail', args=[proposal.pk])}#reply-{reply.pk}")
    (reply,) = letters([reply])
    attach_feedback(request, proposal, [reply], {reply.pk: form})
    proposers = list(proposal.proposers.select_related("user").order_by("order", "pk"))
    return render(
        request,
        "proposals/feedback.html",
        {"proposal": proposal, "reply": reply, "lead": lead_of(proposers), "form": form},
    )


@login_required
def feedback_paper_form(request, pk: int, reply_pk: int, feedback_pk: int):
    """The scanned paper form of a rating recorded on a member's behalf (代评价), to those who may see the
    rating (``Feedback.objects.visible_to``: the member, the replying unit, the committee and leaders);
    404 for anyone else, for a rating given online, and for ids that do not belong together."""
    feedback = get_object_or_404(
        Feedback.objects.visible_to(request.user)
        .filter(reply_id=reply_pk, reply__assignment__proposal_id=pk)
        .filter(reply__assignment__proposal__in=Proposal.objects.visible_to(request.user))
        .exclude(paper_form=""),
        pk=feedback_pk,
    )
    try:
        handle = feedback.paper_form.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=feedback.paper_form_name, content_type=feedback.paper_form_type
    )


# 提案公开 ----------------------------------------------------------------------------------------


def public_detail(request, pk: int):
    """A published proposal and its sent replies, without contact details (DESIGN.md: 提案公开)."""
    proposal = get_object_or_404(Proposal.objects.published().select_related("session", "category"), pk=pk)
    proposers = list(
        proposal.proposers.filter(Q(role=ProposerRole.LEAD) | Q(status=ProposerStatus.CONFIRMED))
        .select_related("user")
        .order_by("order", "pk")
    )
    replies = letters(
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
            "lead": lead_of(proposers),
            "proposers": proposers,
            "replies": replies,
            **texts(proposal),
        },
    )


# The similar-proposals panel -------------------------------------------------------------------


MIN_TITLE = 4
SIMILAR_TEXT_CHARS = 3000  # of each of analysis and suggestions: enough to tell a subject


@login_required
@require_http_methods(["GET", "POST"])
def similar(request):
    """Earlier proposals like the one being written (its title, analysis and suggestions): published
    ones and the member's own, with their similarity, shared words and replies."""
    data = request.POST if request.method == "POST" else request.GET
    title = (data.get("title") or "").strip()[:200]
    background = (data.get("background") or "")[:SIMILAR_TEXT_CHARS]
    suggestions = (data.get("suggestions") or "")[:SIMILAR_TEXT_CHARS]
    results = []
    if len(title) >= MIN_TITLE:
        visible = Proposal.objects.visible_to(request.user)
        candidates = (Proposal.objects.published() | visible).exclude(status=ProposalStatus.DRAFT)
        exclude = data.get("exclude", "")
        if exclude.isdigit():
            candidates = candidates.exclude(pk=int(exclude))
        found = similar_to_text(title, background, suggestions, candidates=candidates, limit=5)
        proposals = [s.proposal for s in found]
        own = set(visible.filter(pk__in=[p.pk for p in proposals]).values_list("pk", flat=True))
        replies: dict[int, list[Reply]] = {}
        for reply in (
            Reply.objects.sent()
            .filter(assignment__proposal__in=proposals, is_followup=False)
            .select_related("assignment__unit", "category")
            .order_by("sent_at")
        ):
            replies.setdefault(reply.assignment.proposal_id, []).append(reply)
        results = [
            {
                "proposal": s.proposal,
                "own": s.proposal.pk in own,
                "replies": replies.get(s.proposal.pk, []),
                "score": s.percent,
                "shared": s.shared,
            }
            for s in found
        ]
    return render(request, "proposals/_similar.html", {"results": results, "title": title, "min_title": MIN_TITLE})
