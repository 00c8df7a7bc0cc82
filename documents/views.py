"""The session's documents: print views, .docx downloads, and the compilations built in the background.

- ``proposal_form`` / ``proposal_form_docx``: a proposal's form (提案单), to everyone who may see the
  proposal (``Proposal.objects.visible_to``: 404 otherwise, as for one that does not exist);
- ``compilations``: committee staff and leaders choose a session's compilation and ask the worker for
  its .docx; the page lists the builds they may see;
- ``compilation_print`` / ``reply_compilation_print``: the compilations as print views (committee staff
  and leaders, ``may_compile``);
- ``build`` / ``build_download``: a build's progress (the page refreshes itself while it runs) and its
  file, to the one who asked and to committee staff (``DocumentBuild.objects.visible_to``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from documents import services
from documents.choices import BUILD_STATE_COLOURS, COMPILED_STATUSES, BuildState, CompilationOrder, DocumentKind
from documents.compilation import compilation, reply_compilation
from documents.content import form_proposals, proposal_form
from documents.forms import CompilationForm
from documents.models import DocumentBuild
from documents.word import proposal_form_docx
from proposals.models import Proposal, Session
from proposals.views_common import forbidden_page
from proposals.workflow import WorkflowError
from responses.models import Reply

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# How often the progress page asks again while a build runs (seconds).
REFRESH_SECONDS = 2
RECENT_BUILDS = 20


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _require_compiler(request) -> None:
    if not services.may_compile(request.user):
        raise PermissionDenied(_("Only committee staff and leaders compile a session's documents."))


# The proposal form (提案单) --------------------------------------------------------------------


def _form(request, pk: int):
    return proposal_form(get_object_or_404(form_proposals(request.user), pk=pk))


@never_cache
@login_required
def proposal_form_print(request, pk: int):
    form = _form(request, pk)
    return render(request, "documents/proposal_form.html", {"form": form, "back_url": _back(request, pk)})


@never_cache
@login_required
def proposal_form_download(request, pk: int):
    form = _form(request, pk)
    return _docx(proposal_form_docx(form), form.filename)


def _back(request, pk: int) -> str:
    if request.user.is_committee:
        return reverse("admin:proposals_proposal_change", args=[pk])
    return reverse("portal:proposal_detail", args=[pk])


# The compilations --------------------------------------------------------------------------


def _sessions() -> list[Session]:
    """Every session with how many proposals and sent replies its compilations would hold (three queries)."""
    proposals = dict(
        Proposal.objects.filter(status__in=COMPILED_STATUSES).values_list("session").annotate(n=Count("pk")).order_by()
    )
    replies = dict(Reply.objects.sent().values_list("assignment__proposal__session").annotate(n=Count("pk")).order_by())
    sessions = list(Session.objects.order_by("-year", "-term", "-meeting"))
    for session in sessions:
        session.compiled = proposals.get(session.pk, 0)
        session.replies = replies.get(session.pk, 0)
    return sessions


@never_cache
@login_required
@forbidden_page
@require_http_methods(["GET", "POST"])
def compilations(request):
    _require_compiler(request)
    current = Session.current()
    form = CompilationForm(request.POST or None, initial={"session": current.pk if current else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            build = services.request_build(
                actor=request.user, session=data["session"], kind=data["kind"], order=data["order"]
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("documents:build", pk=build.pk)
    builds = list(
        DocumentBuild.objects.visible_to(request.user).select_related("session", "requested_by")[:RECENT_BUILDS]
    )
    for row in builds:
        row.badge = BUILD_STATE_COLOURS.get(row.state, "grey")
    context = {"form": form, "sessions": _sessions(), "builds": builds, "orders": CompilationOrder}
    return render(request, "documents/compilations.html", context)


def _compiled_session(request, session_pk: int) -> Session:
    _require_compiler(request)
    return get_object_or_404(Session, pk=session_pk)


@never_cache
@login_required
@forbidden_page
def compilation_print(request, session_pk: int):
    session = _compiled_session(request, session_pk)
    order = request.GET.get("order")
    order = order if order in CompilationOrder.values else CompilationOrder.NUMBER
    content = compilation(session, request.user, order)
    return render(request, "documents/compilation.html", {"compilation": content, "session": session, "order": order})


@never_cache
@login_required
@forbidden_page
def reply_compilation_print(request, session_pk: int):
    session = _compiled_session(request, session_pk)
    content = reply_compilation(session, request.user)
    return render(request, "documents/reply_compilation.html", {"compilation": content, "session": session})


# Builds ---------------------------------------------------------------------------------------


def _visible_build(request, pk: int) -> DocumentBuild:
    return get_object_or_404(
        DocumentBuild.objects.visible_to(request.user).select_related("session", "requested_by"), pk=pk
    )


@never_cache
@login_required
def build(request, pk: int):
    row = services.check_stalled(_visible_build(request, pk))
    row.badge = BUILD_STATE_COLOURS.get(row.state, "grey")
    context = {
        "build": row,
        "refresh": None if row.is_finished else REFRESH_SECONDS,
        "is_replies": row.kind == DocumentKind.REPLIES,
    }
    return render(request, "documents/build.html", context)


@never_cache
@login_required
def build_download(request, pk: int):
    row = _visible_build(request, pk)
    if row.state != BuildState.DONE or not row.file:
        messages.info(request, _("The document is not ready yet."))
        return redirect("documents:build", pk=row.pk)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=row.file_name, content_type=DOCX_TYPE)
