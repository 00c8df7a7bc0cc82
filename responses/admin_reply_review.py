"""The committee's review of replies (督办审核) in the admin, where the session asks for it.

- ``review_queue`` (``responses_reply_review_queue``): every reply a unit has sent to the committee and
  the committee has not yet released or returned, longest waiting first, by session;
- ``committee_review`` (``responses_reply_committee_review``): one reply as the proposers will read it,
  with the unit's reply date against its due date, the co-handlers' opinions and countersignatures, the
  contacts with the proposer and the committee's earlier steps; release it, return it to the unit with
  comments, or change its category with a reason.

Committee staff only (403 for anyone else); ``release_reply``, ``return_reviewed_reply`` and
``recategorize_reply`` in ``responses.services`` do the work, these views parse forms and redirect.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.text_input import SingleLineFormMixin
from proposals.admin_common import QUEUE_PAGE_SIZE, committee_only, int_param, sessions_choice_list, textarea
from proposals.services import proposal_recipients
from proposals.workflow import WorkflowError
from responses import services
from responses.admin_views.common import cohandling_opinions, refusal, review_events, visible
from responses.admin_views.countersign import countersign_panel
from responses.choices import REPLY_STATUS_COLOURS, ReplyStatus
from responses.letters import build_letter
from responses.limits import NOTE_MAX_CHARS
from responses.models import Reply, ReplyCategory


class ReturnToUnitForm(SingleLineFormMixin, forms.Form):
    comments = forms.CharField(
        label=gettext_lazy("Comments to the unit"),
        max_length=NOTE_MAX_CHARS,
        widget=textarea(4),
        help_text=gettext_lazy("The unit is shown them with the letter, edits it and sends it again."),
    )


class RecategorizeForm(SingleLineFormMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("New reply category"), queryset=ReplyCategory.objects.none(), widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        max_length=NOTE_MAX_CHARS,
        widget=textarea(3),
        help_text=gettext_lazy("Shown to the unit and kept on the proposal's timeline."),
    )

    def __init__(self, *args, reply: Reply, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        field.queryset = ReplyCategory.objects.filter(is_active=True).exclude(pk=reply.category_id)
        field.label_from_instance = lambda category: f"{category.code} · {category.name}"


def _url(name: str, *args) -> str:
    return reverse(f"admin:responses_reply_{name}", args=args)


def _render(request: HttpRequest, model_admin, template: str, context: dict, status: int = 200) -> TemplateResponse:
    request.current_app = model_admin.admin_site.name
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Reply._meta,
        "model_admin": model_admin,
        "is_committee": True,
        **context,
    }
    return TemplateResponse(request, template, context, status=status)


@committee_only
def review_queue(request: HttpRequest, model_admin) -> HttpResponse:
    """Replies with the committee for review, longest waiting first; filterable by session."""
    rows = (
        Reply.objects.visible_to(request.user)
        .filter(status=ReplyStatus.IN_REVIEW)
        .select_related("assignment__proposal__session", "assignment__unit", "category", "signer")
        .order_by("to_review_at", "pk")
    )
    session_id = int_param(request.GET.get("session"))
    if session_id:
        rows = rows.filter(assignment__proposal__session_id=session_id)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    now = timezone.now()
    for reply in page.object_list:
        assignment = reply.assignment
        handed = timezone.localdate(reply.to_review_at) if reply.to_review_at else None
        reply.waiting_days = (now - reply.to_review_at).days if reply.to_review_at else None
        # The unit's reply date is its hand-over (responses.services.sending): on time or not is known now.
        reply.on_time = (
            None
            if reply.is_followup or handed is None or assignment.reply_due is None
            else handed <= assignment.reply_due
        )
    params = request.GET.copy()
    params.pop("page", None)
    return _render(
        request,
        model_admin,
        "admin/responses/reply/review_queue.html",
        {
            "title": _("Replies awaiting the committee's review (督办审核)"),
            "page": page,
            "sessions": sessions_choice_list(),
            "selected_session": session_id,
            "filter_query": params.urlencode(),
        },
    )


@committee_only
def committee_review(request: HttpRequest, object_id: str, model_admin) -> HttpResponse:
    """One reply under review; POST ``action`` = release, return or recategorize."""
    reply = visible(
        model_admin,
        request,
        object_id,
        related=("assignment__proposal__session", "assignment__unit", "category", "signer", "drafted_by"),
    )
    here = _url("committee_review", reply.pk)
    return_form = ReturnToUnitForm()
    category_form = RecategorizeForm(reply=reply)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "release":
                services.release_reply(reply, actor=request.user)
                messages.success(request, _("The reply was released and sent. Every proposer has been notified."))
                return redirect(_url("review_queue"))
            if action == "return":
                return_form = ReturnToUnitForm(request.POST)
                if return_form.is_valid():
                    services.return_reviewed_reply(
                        reply, actor=request.user, comments=return_form.cleaned_data["comments"]
                    )
                    messages.success(request, _("The reply was returned to the unit with your comments."))
                    return redirect(_url("review_queue"))
            elif action == "recategorize":
                category_form = RecategorizeForm(request.POST, reply=reply)
                if category_form.is_valid():
                    data = category_form.cleaned_data
                    services.recategorize_reply(
                        reply, actor=request.user, category=data["category"], reason=data["reason"]
                    )
                    messages.success(
                        request,
                        _("The reply's category is now %(code)s; the unit is told why.")
                        % {"code": data["category"].code},
                    )
                    return redirect(here)
            else:
                messages.error(request, _("Unknown action."))
                return redirect(here)
        except (WorkflowError, PermissionDenied) as exc:
            if action == "release":
                messages.error(request, refusal(exc))
                return redirect(here)
            (return_form if action == "return" else category_form).add_error(None, refusal(exc))
        status = 400
        reply.refresh_from_db()
    assignment = reply.assignment
    in_review = reply.status == ReplyStatus.IN_REVIEW
    if status == 400 and not in_review:
        for form in (return_form, category_form):
            if form.is_bound:
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
    handed = timezone.localdate(reply.to_review_at) if reply.to_review_at else None
    context = {
        "title": _("Review of the reply (督办审核)"),
        "reply": reply,
        "assignment": assignment,
        "proposal": assignment.proposal,
        "letter": build_letter(reply),
        "status_colour": REPLY_STATUS_COLOURS.get(reply.status, "grey"),
        "in_review": in_review,
        "handed_on": handed,
        "on_time": None
        if reply.is_followup or handed is None or assignment.reply_due is None
        else handed <= assignment.reply_due,
        "recipients": proposal_recipients(assignment.proposal),
        "review_events": review_events(reply),
        "cohandling": cohandling_opinions(assignment),
        "countersign": None if reply.is_followup else countersign_panel(assignment, reply),
        "contacts": list(assignment.contacts.select_related("recorded_by")),
        "return_form": return_form,
        "category_form": category_form,
    }
    return _render(request, model_admin, "admin/responses/reply/committee_review.html", context, status=status)
