"""代提交 in the staff admin: committee staff enter a member's paper proposal on the member's behalf.

One page (``admin:proposals_proposal_paper_entry``): the lead proposer and the joint proposers who
signed the paper, the proposal's text, the suggested units and, optionally, a scan of the paper form.
The form says beside each field what it can tell by itself (the lead is a member, the joint proposers
are members other than the lead, the session's rule for joint proposals, the scan is a PDF or an
image); ``proposals.paper.enter_paper_proposal`` checks everything again and has the last word. The
entered proposal is submitted, so the page leads on to its review. Committee staff only (403 for other
staff; members and visitors meet the admin's login).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import (
    UnfoldAdminFileFieldWidget,
    UnfoldAdminSelect2MultipleWidget,
    UnfoldAdminSelect2Widget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanWidget,
)

from accounts.models import Unit, User
from accounts.text_input import SingleLineFormMixin
from proposals import drafting, paper
from proposals.admin_common import (
    DATE_INPUT,
    active_units,
    admin_url,
    committee_only,
    page_context,
    render_page,
    textarea,
)
from proposals.choices import JointRule
from proposals.forms import TEXT_MAX_CHARS
from proposals.models import Category, Session
from proposals.workflow import WorkflowError

NOT_A_MEMBER = gettext_lazy("Choose a member (委员) from the list: only members can be proposers.")


def member_label(user: User) -> str:
    """A member as the select box lists them: name, sector and member number, to tell namesakes apart."""
    try:
        profile = user.member_profile
    except ObjectDoesNotExist:
        return user.display_name
    details = "，".join(part for part in (profile.sector, profile.member_number) if part)
    return f"{user.display_name}（{details}）" if details else user.display_name


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return member_label(obj)


class MembersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return member_label(obj)


def _members():
    return User.objects.members().select_related("member_profile").order_by("full_name", "username")


class PaperProposalForm(SingleLineFormMixin, forms.Form):
    """What the paper proposal says, typed in by committee staff; the kind follows from the joint proposers."""

    session = forms.ModelChoiceField(
        label=gettext_lazy("Session"), queryset=Session.objects.none(), widget=UnfoldAdminSelectWidget
    )
    received_on = forms.DateField(
        label=gettext_lazy("Received on (收到日期)"),
        widget=DATE_INPUT,
        help_text=gettext_lazy(
            "The day the committee received the paper form: it must fall in the session's submission period, "
            "and it becomes the proposal's submission date."
        ),
        error_messages={"required": gettext_lazy("Give the day the paper form was received.")},
    )
    lead = MemberChoiceField(
        label=gettext_lazy("Lead proposer (第一提案人)"),
        queryset=User.objects.none(),
        widget=UnfoldAdminSelect2Widget,
        error_messages={"invalid_choice": NOT_A_MEMBER, "required": gettext_lazy("Choose the lead proposer.")},
    )
    cosigners = MembersChoiceField(
        label=gettext_lazy("Joint proposers who signed the paper (联名人)"),
        queryset=User.objects.none(),
        required=False,
        widget=UnfoldAdminSelect2MultipleWidget,
        error_messages={"invalid_choice": NOT_A_MEMBER, "invalid_pk_value": NOT_A_MEMBER},
        help_text=gettext_lazy(
            "They signed the paper form, so they are entered as confirmed co-signers (confirmed on paper). "
            "Leave empty for an individual proposal."
        ),
    )
    title = forms.CharField(
        label=gettext_lazy("Title (案由)"),
        max_length=200,
        widget=UnfoldAdminTextInputWidget,
        help_text=gettext_lazy("As written on the paper, usually “关于……的建议”."),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget,
    )
    background = forms.CharField(
        label=gettext_lazy("Situation analysis (情况分析)"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=textarea(8),
    )
    suggestions = forms.CharField(
        label=gettext_lazy("Suggestions (具体建议)"), max_length=TEXT_MAX_CHARS, widget=textarea(8)
    )
    suggested_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Suggested handling units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnfoldAdminSelect2MultipleWidget,
    )
    publication_consent = forms.BooleanField(
        label=gettext_lazy("The member agrees to publication"),
        required=False,
        initial=True,
        widget=UnfoldBooleanWidget,
    )
    publication_refusal_reason = forms.CharField(
        label=gettext_lazy("Reason for refusing publication"),
        max_length=300,
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text=gettext_lazy("Required when the member does not agree to publication."),
    )
    scan = forms.FileField(
        label=gettext_lazy("Scan of the paper form (optional)"),
        required=False,
        # unfold's file widget: its script writes the chosen name into the widget's own box.
        widget=UnfoldAdminFileFieldWidget(attrs={"accept": drafting.SCAN_ACCEPT}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        current = Session.current()
        kwargs["initial"].setdefault("session", current.pk if current else None)
        kwargs["initial"].setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.order_by("-year", "-term", "-meeting")
        self.fields["lead"].queryset = _members()
        self.fields["cosigners"].queryset = _members()
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["suggested_units"].queryset = active_units()
        self.fields["scan"].help_text = _(
            "PDF, JPEG or PNG, at most %(size)s; it becomes the proposal's attachment."
        ) % {"size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}

    def clean_scan(self):
        upload = self.cleaned_data.get("scan")
        if upload:
            try:
                drafting.check_scan(upload)
            except WorkflowError as exc:
                raise ValidationError(exc.message) from exc
        return upload

    def clean(self):
        data = super().clean()
        lead, cosigners, session = data.get("lead"), data.get("cosigners") or [], data.get("session")
        if lead is not None and any(user.pk == lead.pk for user in cosigners):
            self.add_error(
                "cosigners",
                _("%(name)s is the lead proposer and cannot also be a joint proposer.") % {"name": lead.display_name},
            )
        elif session is not None and cosigners and session.joint_rule == JointRule.MINIMUM:
            if len(cosigners) < session.joint_min_confirmed:
                self.add_error(
                    "cosigners",
                    _("%(session)s asks for at least %(count)d joint proposers on a joint proposal.")
                    % {"session": session.name, "count": session.joint_min_confirmed},
                )
        if not data.get("publication_consent") and not data.get("publication_refusal_reason"):
            self.add_error("publication_refusal_reason", _("Give a reason when refusing publication."))
        return data

    def draft_data(self) -> dict:
        """The proposal's text and choices in the shape ``proposals.drafting`` takes."""
        return {name: self.cleaned_data.get(name) for name in drafting.DRAFT_FIELDS}


@committee_only
def paper_entry(request: HttpRequest, model_admin) -> HttpResponse:
    """代提交: the form (GET), or the entry of the paper proposal (POST), which then leads to its review."""
    form = PaperProposalForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                proposal = paper.enter_paper_proposal(
                    actor=request.user,
                    session=data["session"],
                    lead=data["lead"],
                    cosigners=data["cosigners"],
                    data=form.draft_data(),
                    units=data["suggested_units"],
                    scan=data["scan"] or None,
                    received_on=data["received_on"],
                )
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "《%(title)s》 was entered on behalf of %(name)s and submitted; it awaits review below. "
                        "The proposers have been notified."
                    )
                    % {"title": proposal.title, "name": data["lead"].display_name},
                )
                return redirect(admin_url("review", proposal.pk))
        status = 400
    context = page_context(
        request,
        model_admin,
        _("Enter a paper proposal (代提交)"),
        form=form,
        media=form.media,
    )
    return render_page(request, "admin/proposals/proposal/paper_entry.html", context, status=status)
