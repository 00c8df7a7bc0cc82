"""The reply letter (答复函) as a print view and a .docx download.

Who may open a letter is decided by ``Reply.objects.visible_to``: the unit's own
staff (drafts included), committee staff and leaders, and the proposers once it
is sent. Anything else answers 404, the same as a letter that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from responses.letters import build_letter, letter_docx
from responses.models import Reply

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _visible_reply(request, pk: int) -> Reply:
    return get_object_or_404(
        Reply.objects.visible_to(request.user).select_related(
            "assignment__unit", "assignment__proposal__session", "category"
        ),
        pk=pk,
    )


@never_cache
@login_required
def letter_print(request, pk: int):
    reply = _visible_reply(request, pk)
    if request.user.has_staff_role:
        back = reverse("admin:responses_assignment_handle", args=[reply.assignment_id])
    else:
        back = f"{reverse('portal:proposal_detail', args=[reply.assignment.proposal_id])}#reply-{reply.pk}"
    return render(request, "letters/print.html", {"reply": reply, "letter": build_letter(reply), "back_url": back})


@never_cache
@login_required
def letter_download(request, pk: int):
    reply = _visible_reply(request, pk)
    letter = build_letter(reply)
    response = HttpResponse(letter_docx(letter), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=letter.filename)
    return response
