"""Forms of the member portal: writing a proposal, co-signers, invitations, withdrawal.

Forms check what a field can say about itself and show it next to the field;
the services (``proposals.drafting``, ``proposals.services``) check the state and
the actor again and have the last word. The rating form is in ``responses.forms``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from accounts.text_input import SingleLineFormMixin
from proposals import drafting
from proposals.choices import ProposalKind, ProposerRole, ProposerStatus
from proposals.models import Attachment, Category, Proposal
from proposals.workflow import WorkflowError

YES, NO = "yes", "no"
# The longest situation analysis or suggestions a proposal may have: generous for a real proposal
# (a few thousand characters), small enough that a pasted book is refused beside the field.
TEXT_MAX_CHARS = 20000


def similar_panel(trigger: str) -> dict:
    """htmx attributes that send the title and text to the similar-proposals panel (a POST: the text
    is too long for an address)."""
    return {
        "hx-post": reverse_lazy("portal:similar"),
        "hx-trigger": trigger,
        "hx-include": "[name=csrfmiddlewaretoken],[name=title],[name=background],[name=suggestions]",
        "hx-target": "#similar-panel",
        "hx-swap": "innerHTML",
    }


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; cleans to a list (empty when none were chosen)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": drafting.ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProposalForm(SingleLineFormMixin, forms.Form):
    """A proposal's own text and choices, for a new proposal or a draft.

    ``submitting`` makes the fields that a submitted proposal needs required, so
    a "save and submit" that lacks them is stopped here, field by field.
    """

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("One matter per proposal, usually written as “关于……的建议”."),
        # As the text is typed, the similar-proposals panel beside the form updates (htmx).
        widget=forms.TextInput(attrs={"autocomplete": "off", **similar_panel("input changed delay:400ms, load")}),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("Choose a category"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ProposalKind.choices,
        initial=ProposalKind.INDIVIDUAL,
        widget=forms.RadioSelect,
        help_text=_("For a joint proposal you invite co-signers after saving the draft."),
    )
    collective_author = forms.CharField(
        label=capfirst(_("collective author")),
        max_length=100,
        required=False,
        help_text=_("For a collective proposal: the party, group, sector or special committee."),
    )
    background = forms.CharField(
        label=_("Situation analysis"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 9, **similar_panel("input changed delay:1000ms")}),
        help_text=_("The situation and the problems, with facts and figures."),
    )
    suggestions = forms.CharField(
        label=_("Suggestions"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 9, **similar_panel("input changed delay:1000ms")}),
        help_text=_("Concrete and practicable suggestions; one per line reads best."),
    )
    suggested_units = forms.ModelMultipleChoiceField(
        label=capfirst(_("suggested units")),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Optional: the units you think should handle it. The committee decides."),
    )
    publication_consent = forms.ChoiceField(
        label=_("Publication"),
        choices=[(YES, _("I agree to publication")), (NO, _("I do not agree to publication"))],
        initial=YES,
        widget=forms.RadioSelect,
        help_text=_("Published proposals and replies are shown without contact details."),
    )
    publication_refusal_reason = forms.CharField(
        label=capfirst(_("reason for refusing publication")), max_length=300, required=False
    )
    # The help text names the size limit, so it is set in __init__.
    attachments = MultipleFileField(label=_("Add files"))

    remove_attachments = forms.ModelMultipleChoiceField(
        label=_("Remove"), queryset=Attachment.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, proposal: Proposal | None = None, submitting: bool = False, **kwargs) -> None:
        self.proposal = proposal
        self.submitting = submitting
        super().__init__(*args, **kwargs)
        if proposal is not None and not self.is_bound:
            self.initial = self.initial_from(proposal)
        self.fields["attachments"].help_text = _(
            "PDF, Word, Excel, JPEG, PNG or text files, at most %(size)s each; you may choose several."
        ) % {"size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
        if proposal is not None:
            self.fields["remove_attachments"].queryset = proposal.attachments.all()
        else:
            del self.fields["remove_attachments"]

    @staticmethod
    def initial_from(proposal: Proposal) -> dict:
        return {
            "title": proposal.title,
            "category": proposal.category_id,
            "kind": proposal.kind,
            "collective_author": proposal.collective_author,
            "background": proposal.background,
            "suggestions": proposal.suggestions,
            "suggested_units": list(proposal.suggested_units.values_list("pk", flat=True)),
            "publication_consent": YES if proposal.publication_consent else NO,
            "publication_refusal_reason": proposal.publication_refusal_reason,
        }

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        errors = []
        for upload in files:
            try:
                drafting.check_attachment(upload)
            except WorkflowError as exc:
                errors.append(exc.message)
        if errors:
            raise ValidationError(errors)
        return files

    def clean(self):
        data = super().clean()
        if "remove_attachments" in self._errors:
            # The remove checkboxes have no place for an error: a file that is not this draft's (a forged id,
            # or one removed meanwhile) is told above the form.
            del self._errors["remove_attachments"]
            self.add_error(
                None, _("A file chosen for removal is not attached to this draft. Reload the page and try again.")
            )
        kind = data.get("kind")
        if kind == ProposalKind.COLLECTIVE and not (data.get("collective_author") or "").strip():
            self.add_error("collective_author", _("Name the party, group, sector or committee that proposes it."))
        if kind and kind != ProposalKind.JOINT and self._has_cosigners():
            self.add_error("kind", _("This proposal has co-signers, so it is a joint proposal."))
        if data.get("publication_consent") == NO and not (data.get("publication_refusal_reason") or "").strip():
            self.add_error("publication_refusal_reason", _("Give a reason when refusing publication."))
        if "attachments" in data:
            existing = self.proposal.attachments.count() if self.proposal is not None else 0
            kept = existing - len(data.get("remove_attachments") or [])
            if kept + len(data["attachments"]) > drafting.MAX_ATTACHMENTS:
                self.add_error(
                    "attachments",
                    _("A proposal can have at most %(count)d attachments.") % {"count": drafting.MAX_ATTACHMENTS},
                )
        if self.submitting:
            for name in ("category", "background", "suggestions"):
                if name not in self.errors and not data.get(name):
                    self.add_error(name, _("This is needed before the proposal is submitted."))
        return data

    def _has_cosigners(self) -> bool:
        if self.proposal is None:
            return False
        return (
            self.proposal.proposers.filter(role=ProposerRole.COSIGNER).exclude(status=ProposerStatus.DECLINED).exists()
        )

    def draft_data(self) -> dict:
        """The cleaned values in the shape ``proposals.drafting`` takes."""
        data = {name: self.cleaned_data.get(name) for name in drafting.DRAFT_FIELDS}
        data["publication_consent"] = self.cleaned_data.get("publication_consent") != NO
        return data


class AttachmentForm(forms.Form):
    """One more file for a draft, from the proposal page."""

    file = forms.FileField(label=_("Add a file"), widget=forms.FileInput(attrs={"accept": drafting.ACCEPT}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            drafting.check_attachment(upload)
        except WorkflowError as exc:
            raise ValidationError(exc.message) from exc
        return upload


class MemberSearchForm(SingleLineFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Member's name"),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": _("For example 王芳")},
        ),
    )


class InviteForm(forms.Form):
    member = forms.IntegerField(min_value=1)


class InvitationAnswerForm(SingleLineFormMixin, forms.Form):
    CONFIRM, DECLINE = "confirm", "decline"
    answer = forms.ChoiceField(choices=[(CONFIRM, CONFIRM), (DECLINE, DECLINE)])

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["answer"] == self.CONFIRM


class WithdrawForm(SingleLineFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
