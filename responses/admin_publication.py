"""提案公开 in the staff admin: proposals with a sent reply, waiting for publication or published."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, F, Min, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.security import safe_next
from proposals import services
from proposals.admin_common import (
    QUEUE_PAGE_SIZE,
    admin_url,
    committee_only,
    int_param,
    lead_name_subquery,
    page_context,
    proposal_or_404,
    render_page,
    sessions_choice_list,
    with_badges,
)
from proposals.models import Proposal
from proposals.workflow import WorkflowError
from responses import services as handling
from responses.choices import ReplyStatus
from responses.deadlines import WorkCalendar, publication_due
from responses.models import Reply

# Publication (提案公开) -----------------------------------------------------------------------


def _publish_one(request: HttpRequest, proposal: Proposal) -> bool:
    try:
        handling.publish_proposal(proposal, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, f"{services.proposal_label(proposal)}: {exc.message}")
        return False
    return True


@require_POST
@committee_only
def publish(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    if _publish_one(request, proposal):
        messages.success(
            request,
            _("%(label)s is published on the public pages, without contact details.")
            % {"label": services.proposal_label(proposal)},
        )
    return redirect(safe_next(request, admin_url("publication")))


@committee_only
def publication(request: HttpRequest, model_admin) -> HttpResponse:
    """Proposals with a sent reply, waiting for publication or published; POST publishes the ticked ones."""
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
        chosen = list(Proposal.objects.visible_to(request.user).filter(pk__in=ids).order_by("pk"))
        if not chosen:
            # Nothing ticked, or only ids of proposals that are gone or hidden: say so rather than nothing.
            messages.warning(request, _("Tick the proposals to publish."))
        done = sum(_publish_one(request, proposal) for proposal in chosen)
        if done:
            messages.success(request, _("%(count)d proposals were published.") % {"count": done})
        return redirect(safe_next(request, admin_url("publication")))

    published = request.GET.get("published") == "1"
    sent = Reply.objects.filter(assignment__proposal=OuterRef("pk"), status=ReplyStatus.SENT)
    rows = (
        Proposal.objects.visible_to(request.user)
        .filter(models.Exists(sent), is_published=published)
        .select_related("session", "category")
        .annotate(
            lead_name=lead_name_subquery(),
            first_sent=Min("assignments__replies__sent_at", filter=Q(assignments__replies__status=ReplyStatus.SENT)),
            replies_sent=Count(
                "assignments__replies", filter=Q(assignments__replies__status=ReplyStatus.SENT), distinct=True
            ),
        )
        .order_by(F("published_at").desc(nulls_last=True) if published else F("first_sent").asc(), "pk")
    )
    session_id = int_param(request.GET.get("session"))
    if session_id:
        rows = rows.filter(session_id=session_id)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_badges(list(page.object_list))
    cal = WorkCalendar.load()
    today = timezone.localdate()
    for row in page.object_list:
        if row.first_sent and not published:
            due = publication_due(row.session, timezone.localdate(row.first_sent), cal)
            row.publication_due, row.publication_due_note = due.date, due.note
            row.publication_late = due.date < today
    params = request.GET.copy()
    params.pop("page", None)
    return render_page(
        request,
        "admin/proposals/proposal/publication.html",
        page_context(
            request,
            model_admin,
            _("Publication"),
            page=page,
            published=published,
            sessions=sessions_choice_list(),
            selected_session=session_id,
            filter_query=params.urlencode(),
            here=request.get_full_path(),
        ),
    )
