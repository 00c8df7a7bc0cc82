"""What the unit's workflow pages share: finding the object, the page frame, refusals, the co-handlers' opinions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import UNIT_ROLES
from proposals.choices import EventVerb
from proposals.models import Event
from proposals.workflow import WorkflowError
from responses.choices import AssignmentRole
from responses.models import Assignment, Opinion, Reply


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:responses_{name}", args=args)


def visible(model_admin, request: HttpRequest, object_id: str, *, related=()):
    """The object if this user may see it, else 404 (also for malformed ids)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = model_admin.get_queryset(request).select_related(*related).filter(pk=pk).first()
    if obj is None:
        raise Http404(_("No such object, or you may not see it."))
    return obj


def page(model_admin, request: HttpRequest, template: str, context: dict, *, status: int = 200) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "is_unit_staff": request.user.role in UNIT_ROLES,
        **context,
    }
    return TemplateResponse(request, template, context, status=status)


def is_own_unit(request: HttpRequest, assignment: Assignment) -> bool:
    return request.user.role in UNIT_ROLES and request.user.unit_id == assignment.unit_id


def refusal(exc: Exception) -> str:
    return exc.message if isinstance(exc, WorkflowError) else (str(exc) or _("You may not do this."))


def tell_hidden_errors(request: HttpRequest, form) -> None:
    """The errors of a form the page will not show (the step is not offered now), as messages:
    a refused step is never silent."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def cohandling_opinions(assignment: Assignment) -> list[dict]:
    """For a lead unit: each co-handling unit of the round with its opinion, if sent (late ones marked).

    The lead unit coordinates its co-handlers, so it sees who they are, their due date and
    what they sent; nothing else of their work.
    """
    if assignment.role != AssignmentRole.LEAD:
        return []
    cohandlers = (
        Assignment.objects.live(assignment.proposal_id, assignment.round)
        .filter(role=AssignmentRole.COHANDLING)
        .select_related("unit")
        .order_by("pk")
    )
    opinions = {
        opinion.assignment_id: opinion
        for opinion in Opinion.objects.filter(assignment__in=cohandlers).select_related("author")
    }
    today = timezone.localdate()
    return [
        {
            "unit": row.unit,
            "due": row.opinion_due,
            "opinion": opinions.get(row.pk),
            "overdue": row.pk not in opinions
            and not row.opinion_waived_at
            and row.opinion_due is not None
            and row.opinion_due < today,
            "assignment": row,
        }
        for row in cohandlers
    ]


# What the committee's review (督办审核) of a reply leaves for the unit to read, newest first.
REVIEW_VERBS = (
    EventVerb.REPLY_TO_REVIEW,
    EventVerb.REPLY_REVIEW_RETURNED,
    EventVerb.REPLY_RECATEGORIZED,
    EventVerb.REPLY_SENT,
)


def review_events(reply: Reply) -> list[Event]:
    """The reply's steps through the committee's review: handed over, returned with comments, category
    changed with the reason, released. Empty for a reply that never went to the committee."""
    events = list(
        Event.objects.filter(object_type="reply", object_id=reply.pk, verb__in=REVIEW_VERBS)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    if not any(event.verb == EventVerb.REPLY_TO_REVIEW for event in events):
        return []
    return events
