"""满意度测评: a proposer rates a sent reply, attitude and result separately, with a comment.

The rating form sits under each letter on the proposal page and posts here.
Whoever posts, ``give_feedback`` decides: only a proposer of the proposal may
rate, once, inside the feedback window; a 不满意 starts re-handling. A reply
the user may not see answers 404; a reply they may see but not rate (a unit,
the committee) answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from proposals.choices import ProposalStatus
from proposals.errors import WorkflowError
from proposals.forms import FeedbackForm
from proposals.models import Proposal
from proposals.services import proposal_recipients
from proposals.views_common import forbidden_page, lead_of, letters, visible_proposal
from proposals.views_member import attach_feedback
from responses import services as response_services
from responses.choices import Satisfaction
from responses.models import Reply


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
            response_services.give_feedback(
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
