"""The committee's review of submitted proposals in the staff admin: 立案, 不予立案, 并案.

The review queue of submitted proposals, and the review page showing a proposal
beside similar ones from this and earlier sessions, with accept (立案), reject
(不予立案) and merge (并案). Committee staff (superusers count as committee) do
it; anyone else gets 403, members and anonymous users the admin login. Rows come
from ``visible_to``, so an object you may not see answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from unfold.widgets import (
    UnfoldAdminSelect2Widget,
    UnfoldAdminSelectWidget,
    UnfoldBooleanWidget,
)

from accounts.text_input import SingleLineFormMixin
from proposals import services
from proposals.admin_common import (
    QUEUE_PAGE_SIZE,
    admin_url,
    committee_only,
    int_param,
    lead_name_subquery,
    page_context,
    paragraphs,
    proposal_or_404,
    render_page,
    sessions_choice_list,
    tell_hidden_errors,
    textarea,
    with_badges,
)
from proposals.choices import (
    ProposalStatus,
    ProposerRole,
    ProposerStatus,
    RejectionGround,
)
from proposals.models import Proposal
from proposals.search import search, searchable
from proposals.similar import Similar, similar_to
from proposals.workflow import WorkflowError

SIMILAR_LIMIT = 8


class AcceptForm(SingleLineFormMixin, forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=2000, widget=textarea(2))


class RejectForm(SingleLineFormMixin, forms.Form):
    ground = forms.ChoiceField(
        label=gettext_lazy("Ground"),
        choices=[("", "---------"), *RejectionGround.choices],
        widget=UnfoldAdminSelectWidget,
    )
    reason = forms.CharField(
        label=gettext_lazy("Explanation to the proposer"),
        required=False,
        max_length=4000,
        widget=textarea(3),
        help_text=gettext_lazy("Required when the ground is “Other”."),
    )
    convert_to_suggestion = forms.BooleanField(
        label=gettext_lazy("Pass it on as an opinion (意见建议)"), required=False, widget=UnfoldBooleanWidget
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ground") == RejectionGround.OTHER and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Explain why the proposal is not accepted."))
        return cleaned


class MergeForm(SingleLineFormMixin, forms.Form):
    """并案: the target is another proposal of the same session that can still take one in."""

    into = forms.ModelChoiceField(
        label=gettext_lazy("Merge into"),
        queryset=Proposal.objects.none(),
        widget=UnfoldAdminSelect2Widget,
        error_messages={"invalid_choice": gettext_lazy("Choose a proposal of the same session that is still open.")},
    )
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=2000, widget=textarea(2))

    def __init__(self, *args, proposal: Proposal, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Proposal.objects.visible_to(user)
            .filter(session_id=proposal.session_id, status__in=services.MERGE_TARGET_STATUSES)
            .exclude(pk=proposal.pk)
            .only("pk", "number", "title", "status")
            .order_by("number", "title")
        )
        self.fields["into"].label_from_instance = merge_target_label

    def show_similar(self, similar: list[Similar]) -> None:
        """The similar proposals first among the targets, each labelled with its similarity."""
        scores = {s.proposal.pk: s.percent for s in similar}
        if not scores:
            return
        field = self.fields["into"]
        order = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(scores)), default=Value(len(scores)))
        field.queryset = field.queryset.order_by(order, "number", "title")

        def label(p: Proposal) -> str:
            text = merge_target_label(p)
            if p.pk in scores:
                return _("%(label)s (similarity %(score)s%%)") % {"label": text, "score": scores[p.pk]}
            return text

        field.label_from_instance = label


def merge_target_label(proposal: Proposal) -> str:
    """A merge choice as "number title"; one not yet numbered says so in the reader's language."""
    return " ".join([str(proposal.number or _("(no number)")), proposal.title])


# The review queue ---------------------------------------------------------------------------


@committee_only
def review_queue(request: HttpRequest, model_admin) -> HttpResponse:
    """Submitted proposals, oldest first, filterable by session and searchable."""
    sessions = sessions_choice_list()
    rows = (
        Proposal.objects.visible_to(request.user)
        .filter(status=ProposalStatus.SUBMITTED)
        .select_related("session", "category")
        .annotate(
            lead_name=lead_name_subquery(),
            cosigners=Count(
                "proposers",
                filter=Q(proposers__role=ProposerRole.COSIGNER, proposers__status=ProposerStatus.CONFIRMED),
            ),
        )
        .order_by("submitted_at", "pk")
    )
    session_id = int_param(request.GET.get("session"))
    if session_id:
        rows = rows.filter(session_id=session_id)
    query = (request.GET.get("q") or "").strip()
    if query:
        rows = search(rows, query)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    return render_page(
        request,
        "admin/proposals/proposal/review_queue.html",
        page_context(
            request,
            model_admin,
            _("Review queue"),
            page=page,
            sessions=sessions,
            selected_session=session_id,
            query=query,
            unsearchable=bool(query) and not searchable(query),
            filter_query=params.urlencode(),
        ),
    )


# Reviewing one proposal ----------------------------------------------------------------------


def _similar(proposal: Proposal, user) -> tuple[list[Similar], list[Proposal]]:
    """Likely duplicates from this and earlier sessions (drafts are their authors' business), as found
    and as rows with their lead proposer's name, text, similarity and shared words."""
    candidates = Proposal.objects.visible_to(user).exclude(status=ProposalStatus.DRAFT)
    found = similar_to(proposal, candidates=candidates, limit=SIMILAR_LIMIT)
    if not found:
        return [], []
    details = {
        row.pk: row
        for row in Proposal.objects.filter(pk__in=[s.proposal.pk for s in found])
        .select_related("session", "category")
        .annotate(lead_name=lead_name_subquery())
    }
    rows = []
    for similar in found:
        row = details.get(similar.proposal.pk)
        if row is None:
            continue
        row.similarity = similar.percent
        row.shared_words = similar.shared
        rows.append(row)
    for row in rows:
        row.same_session = row.session_id == proposal.session_id
        row.can_take_in = row.same_session and row.status in services.MERGE_TARGET_STATUSES
        row.suggestion_paragraphs = paragraphs(row.suggestions)[:6]
    return found, with_badges(rows)


def _review_context(request: HttpRequest, model_admin, proposal: Proposal, **forms_) -> dict:
    user = request.user
    found, similar = _similar(proposal, user)
    merge_form = forms_.get("merge_form") or MergeForm(proposal=proposal, user=user)
    merge_form.show_similar(found)
    proposers = list(proposal.proposers.select_related("user__member_profile").order_by("order", "pk"))
    return page_context(
        request,
        model_admin,
        _("Review: %(title)s") % {"title": proposal.title},
        proposal=with_badges([proposal])[0],
        proposers=proposers,
        attachments=list(proposal.attachments.all()),
        suggested_units=list(proposal.suggested_units.all()),
        background_paragraphs=paragraphs(proposal.background),
        suggestion_paragraphs=paragraphs(proposal.suggestions),
        similar=similar,
        awaiting_review=proposal.status == ProposalStatus.SUBMITTED,
        accept_form=forms_.get("accept_form") or AcceptForm(),
        reject_form=forms_.get("reject_form") or RejectForm(),
        merge_form=merge_form,
        open_form=forms_.get("open_form", ""),
        media=MergeForm.base_fields["into"].widget.media,
    )


@committee_only
def review(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    extra = {}
    into = int_param(request.GET.get("into"))
    if into:
        # "Merge into this" on a similar proposal: the merge form opens with it chosen, to be confirmed.
        extra = {
            "merge_form": MergeForm(initial={"into": into}, proposal=proposal, user=request.user),
            "open_form": "merge",
        }
    return render_page(
        request, "admin/proposals/proposal/review.html", _review_context(request, model_admin, proposal, **extra)
    )


@require_POST
@committee_only
def accept(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        context = _review_context(request, model_admin, proposal, accept_form=form, open_form="accept")
        if not context["awaiting_review"]:
            tell_hidden_errors(request, form)
        return render_page(request, "admin/proposals/proposal/review.html", context, status=400)
    try:
        proposal = services.accept_proposal(proposal, actor=request.user, note=form.cleaned_data["note"])
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(admin_url("review", proposal.pk))
    messages.success(
        request,
        _("《%(title)s》 was accepted as No. %(number)s. Now assign it to the handling units.")
        % {"title": proposal.title, "number": proposal.number},
    )
    return redirect(admin_url("assign", proposal.pk))


@require_POST
@committee_only
def reject(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reject_proposal(
                proposal,
                actor=request.user,
                ground=data["ground"],
                reason=data["reason"],
                convert_to_suggestion=data["convert_to_suggestion"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            text = _("《%(title)s》 was not accepted.") % {"title": proposal.title}
            if data["convert_to_suggestion"]:
                text += " " + _("It was passed on as an opinion (意见建议).")
            messages.success(request, text)
            return redirect(admin_url("review_queue"))
    context = _review_context(request, model_admin, proposal, reject_form=form, open_form="reject")
    if not context["awaiting_review"]:
        tell_hidden_errors(request, form)
    return render_page(request, "admin/proposals/proposal/review.html", context, status=400)


@require_POST
@committee_only
def merge(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    form = MergeForm(request.POST, proposal=proposal, user=request.user)
    if form.is_valid():
        into = form.cleaned_data["into"]
        try:
            services.merge_proposal(proposal, actor=request.user, into=into, note=form.cleaned_data["note"])
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("《%(title)s》 was merged into %(target)s; its proposers will receive that proposal's reply.")
                % {"title": proposal.title, "target": services.proposal_label(into)},
            )
            return redirect(admin_url("review_queue"))
    context = _review_context(request, model_admin, proposal, merge_form=form, open_form="merge")
    if not context["awaiting_review"]:
        tell_hidden_errors(request, form)
    return render_page(request, "admin/proposals/proposal/review.html", context, status=400)
