"""代评价 in the staff admin: committee staff record a rating a member gave on paper.

One page per proposal (``admin:proposals_proposal_paper_feedback``): each sent reply with every
proposer's rating, online or recorded from paper (with the paper form to download), and the form to
record one more: the reply, the member, attitude and result, the comment and the scanned paper form
(required). ``responses.services.record_paper_feedback`` applies the rules of a member's own rating
(once per proposer and reply, inside the feedback window, a comment with 不满意) and their effects
(re-handling, closing). Committee staff only: other staff get 403, members and visitors the admin's
login; a proposal the user may not see answers 404.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminRadioSelectWidget, UnfoldAdminSelectWidget

from accounts.models import User
from accounts.text_input import SingleLineFormMixin
from proposals.admin_common import (
    admin_url,
    committee_only,
    int_param,
    page_context,
    proposal_or_404,
    render_page,
    tell_hidden_errors,
    textarea,
    with_badges,
)
from proposals.choices import ProposalStatus
from proposals.drafting import SCAN_ACCEPT, check_scan
from proposals.models import Proposal
from proposals.services import proposal_recipients
from proposals.workflow import WorkflowError
from responses import services
from responses.choices import Satisfaction
from responses.deadlines import WorkCalendar
from responses.models import Feedback, Reply


def reply_label(reply: Reply) -> str:
    """A sent reply as the choice lists it: unit, letter number, date sent."""
    parts = [reply.assignment.unit.name, reply.letter_number or _("(no letter number)")]
    if reply.is_followup:
        parts.append(_("follow-up reply"))
    parts.append(_("sent %(date)s") % {"date": timezone.localdate(reply.sent_at).isoformat()})
    return " · ".join(parts)


class ReplyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Reply) -> str:
        return reply_label(obj)


class PaperFeedbackForm(SingleLineFormMixin, forms.Form):
    """A rating as the member wrote it on the paper form, and the form's scan."""

    reply = ReplyChoiceField(
        label=gettext_lazy("Reply rated"),
        queryset=Reply.objects.none(),
        widget=UnfoldAdminSelectWidget,
        error_messages={
            "invalid_choice": gettext_lazy("Choose a sent reply of this proposal that can still be rated.")
        },
    )
    member = forms.ModelChoiceField(
        label=gettext_lazy("Member who rated it on paper"),
        queryset=User.objects.none(),
        widget=UnfoldAdminSelectWidget,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the proposers of this proposal.")},
    )
    attitude = forms.ChoiceField(
        label=gettext_lazy("Handling attitude"), choices=Satisfaction.choices, widget=UnfoldAdminRadioSelectWidget
    )
    result = forms.ChoiceField(
        label=gettext_lazy("Handling result"), choices=Satisfaction.choices, widget=UnfoldAdminRadioSelectWidget
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment on the form"),
        required=False,
        max_length=2000,
        widget=textarea(3),
        help_text=gettext_lazy("As written on the paper; required when the member is dissatisfied."),
    )
    paper_form = forms.FileField(
        label=gettext_lazy("Scan of the paper rating form"),
        # unfold's file widget: its script writes the chosen name into the widget's own box.
        widget=UnfoldAdminFileFieldWidget(attrs={"accept": SCAN_ACCEPT}),
        error_messages={"required": gettext_lazy("Attach the scan of the paper rating form (PDF or image).")},
    )

    def __init__(self, *args, replies: list[Reply], members: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply"].queryset = Reply.objects.filter(pk__in=[r.pk for r in replies]).select_related(
            "assignment__unit"
        )
        self.fields["member"].queryset = User.objects.filter(pk__in=[u.pk for u in members]).order_by(
            "full_name", "username"
        )
        self.fields["paper_form"].help_text = _("PDF, JPEG or PNG, at most %(size)s.") % {
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        }

    def clean_paper_form(self):
        upload = self.cleaned_data.get("paper_form")
        if upload:
            try:
                check_scan(upload)
            except WorkflowError as exc:
                raise ValidationError(exc.message) from exc
        return upload

    def clean(self):
        data = super().clean()
        reply, member = data.get("reply"), data.get("member")
        if reply is not None and member is not None and Feedback.objects.filter(reply=reply, user=member).exists():
            self.add_error("member", _("%(name)s has already rated this reply.") % {"name": member.display_name})
        dissatisfied = Satisfaction.DISSATISFIED in (data.get("attitude"), data.get("result"))
        if dissatisfied and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Write down what the member is dissatisfied with, as the paper form says."))
        return data


def _replies(proposal: Proposal, user) -> list[Reply]:
    """The proposal's sent replies, oldest first, each with its feedback window and every proposer's rating."""
    replies = list(
        Reply.objects.visible_to(user)
        .sent()
        .filter(assignment__proposal=proposal)
        .select_related("assignment__unit", "category")
        .order_by("sent_at", "pk")
    )
    recipients = proposal_recipients(proposal)
    ratings: dict[tuple[int, int], Feedback] = {
        (row.reply_id, row.user_id): row
        for row in Feedback.objects.filter(reply__in=replies).select_related("user", "recorded_by")
    }
    calendar, today = WorkCalendar.load(), timezone.localdate()
    for reply in replies:
        reply.feedback_ends = services.feedback_window_end(proposal, reply, calendar)
        reply.window_open = services.feedback_open(reply.feedback_ends, today)
        reply.ratings = [{"user": user, "feedback": ratings.get((reply.pk, user.pk))} for user in recipients]
        reply.unrated = [row["user"] for row in reply.ratings if row["feedback"] is None]
        reply.can_record = reply.window_open and bool(reply.unrated)
    return replies


def _context(request: HttpRequest, model_admin, proposal: Proposal, replies: list[Reply], form) -> dict:
    return page_context(
        request,
        model_admin,
        _("Paper ratings (代评价): %(title)s") % {"title": proposal.title},
        proposal=with_badges([proposal])[0],
        replies=replies,
        form=form,
        can_record=any(reply.can_record for reply in replies),
        media=form.media,
    )


@committee_only
def paper_feedback(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    """The proposal's replies and their ratings (GET); record a paper rating (POST)."""
    proposal = proposal_or_404(request, pk)
    replies = _replies(proposal, request.user)
    open_replies = [reply for reply in replies if reply.can_record]
    members = proposal_recipients(proposal)
    initial = {}
    asked = int_param(request.GET.get("reply"))
    if asked in {reply.pk for reply in open_replies}:
        initial["reply"] = asked
    elif len(open_replies) == 1:
        initial["reply"] = open_replies[0].pk
    form = PaperFeedbackForm(
        request.POST or None, request.FILES or None, replies=open_replies, members=members, initial=initial
    )
    if request.method != "POST":
        return render_page(
            request,
            "admin/proposals/proposal/paper_feedback.html",
            _context(request, model_admin, proposal, replies, form),
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.record_paper_feedback(
                data["reply"],
                actor=request.user,
                member=data["member"],
                attitude=data["attitude"],
                result=data["result"],
                comment=data["comment"],
                paper_form=data["paper_form"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            proposal.refresh_from_db(fields=["status"])
            text = _("%(name)s's paper rating was recorded on their behalf: %(attitude)s / %(result)s.") % {
                "name": data["member"].display_name,
                "attitude": feedback.get_attitude_display(),
                "result": feedback.get_result_display(),
            }
            if feedback.is_dissatisfied and proposal.status == ProposalStatus.ASSIGNED:
                text += " " + _("As the member is dissatisfied, the proposal is handled again.")
            elif proposal.status == ProposalStatus.CLOSED:
                text += " " + _("Every proposer has now rated every reply: the proposal is closed.")
            messages.success(request, text)
            return redirect(f"{admin_url('paper_feedback', proposal.pk)}#reply-{feedback.reply_id}")
    context = _context(request, model_admin, proposal, replies, form)
    if not context["can_record"]:
        tell_hidden_errors(request, form)
    return render_page(request, "admin/proposals/proposal/paper_feedback.html", context, status=400)
