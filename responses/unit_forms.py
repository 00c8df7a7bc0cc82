"""Forms of the unit's admin pages: accept or return, contact log, opinion, reply draft, sign-off.

Field rules live here (required, lengths, dates); state rules stay in
``responses.services``, whose refusals the views put on the form. Labels come
from the models' verbose names, so the admin and the forms use the same words.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from accounts.text_input import SingleLineFormMixin
from responses.choices import ContactMethod
from responses.deadlines import add_months
from responses.limits import COMMITMENT_MAX_YEARS, LETTER_MAX_CHARS, NOTE_MAX_CHARS, OPINION_MAX_CHARS, session_start
from responses.models import Assignment, Contact, ExtensionRequest, Reply, ReplyCategory, ReturnRequest


def _label(model, name: str) -> str:
    return model._meta.get_field(name).verbose_name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ReturnRequestForm(SingleLineFormMixin, forms.Form):
    reason = forms.CharField(
        label=_label(ReturnRequest, "reason"),
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this proposal is not for your unit, for the committee to decide."),
    )
    suggested_unit = forms.ModelChoiceField(
        label=_label(ReturnRequest, "suggested_unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("No suggestion"),
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_unit"].queryset = Unit.objects.filter(is_active=True).exclude(pk=unit.pk)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for handing the assignment back."))
        return reason


class ExtensionRequestForm(forms.Form):
    """申请延期: the reason and the date the unit proposes; the committee decides."""

    reason = forms.CharField(
        label=_label(ExtensionRequest, "reason"),
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the reply needs more time, for the committee to decide."),
    )
    requested_until = forms.DateField(label=_label(ExtensionRequest, "requested_until"), widget=DateInput())

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        field = self.fields["requested_until"]
        if assignment.reply_cap:
            field.widget.attrs["max"] = assignment.reply_cap.isoformat()
            field.help_text = _(
                "After the current due date %(due)s and at the latest %(cap)s. "
                "A weekend or holiday moves to the next working day."
            ) % {"due": assignment.reply_due, "cap": assignment.reply_cap}

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for needing more time."))
        return reason

    def clean_requested_until(self):
        day = self.cleaned_data["requested_until"]
        a = self.assignment
        if day <= timezone.localdate():
            raise forms.ValidationError(_("The new date must be in the future."))
        if a.reply_due and day <= a.reply_due:
            raise forms.ValidationError(
                _("The new date must be after the current due date, %(date)s.") % {"date": a.reply_due}
            )
        if a.reply_cap and day > a.reply_cap:
            raise forms.ValidationError(
                _("The reply cannot be due later than %(date)s, the latest date with extensions.")
                % {"date": a.reply_cap}
            )
        return day


class ContactForm(SingleLineFormMixin, forms.Form):
    contacted_on = forms.DateField(label=_label(Contact, "contacted_on"), widget=DateInput())
    method = forms.ChoiceField(label=_label(Contact, "method"), choices=ContactMethod.choices)
    participants = forms.CharField(
        label=_label(Contact, "participants"),
        max_length=200,
        help_text=_("For example: Member 陈澄; 刘洋 of our unit"),
    )
    notes = forms.CharField(
        label=_label(Contact, "notes"),
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The proposal's session: no talk about the proposal can come before it.
        self.session = session
        if session is not None:
            self.fields["contacted_on"].widget.attrs["min"] = session_start(session).isoformat()

    def clean_contacted_on(self):
        day = self.cleaned_data["contacted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The contact date cannot be in the future."))
        if self.session is not None and day < session_start(self.session):
            raise forms.ValidationError(
                _("The contact date cannot be earlier than %(date)s, the start of %(session)s.")
                % {"date": session_start(self.session).isoformat(), "session": self.session.name}
            )
        return day


class OpinionForm(SingleLineFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Co-handling opinion"),
        max_length=OPINION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent to the lead unit, which takes it into the reply."),
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the opinion."))
        return body


class WaiveOpinionForm(forms.Form):
    """The committee's waiver of a co-handler's opinion: the reason is recorded on the timeline."""

    reason = forms.CharField(
        label=_label(Assignment, "opinion_waiver_reason"),
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The lead unit may then send its reply without this opinion."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for waiving the opinion."))
        return reason


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ReplyCategory) -> str:
        if obj.description:
            return format_html('{} · {}<span class="tn-note">{}</span>', obj.code, obj.name, obj.description)
        return f"{obj.code} · {obj.name}"


class ReplyForm(SingleLineFormMixin, forms.Form):
    """The reply draft. ``base_version`` is the version the editor started from (the optimistic lock)."""

    category = CategoryChoiceField(
        label=_label(Reply, "category"),
        queryset=ReplyCategory.objects.filter(is_active=True),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    letter_number = forms.CharField(label=_label(Reply, "letter_number"), max_length=60, required=False)
    commitment_date = forms.DateField(
        label=_label(Reply, "commitment_date"),
        required=False,
        widget=DateInput(),
        help_text=_("Required for a category that needs a commitment date (B): a follow-up reply is due then."),
    )
    body = forms.CharField(
        label=_label(Reply, "body"),
        required=False,
        strip=False,
        max_length=LETTER_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false", "class": "is-letter"}),
        help_text=_("One paragraph per line. Number the sections 一、二、三、 as in the reference letter."),
    )
    contact_person = forms.CharField(label=_label(Reply, "contact_person"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_label(Reply, "contact_phone"), max_length=40, required=False)
    base_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    FIELDS = ("category", "letter_number", "body", "contact_person", "contact_phone", "commitment_date")

    def __init__(self, *args, followup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if followup:
            # A follow-up reply reports on a commitment; it makes none of its own.
            del self.fields["commitment_date"]

    def clean_commitment_date(self):
        day = self.cleaned_data["commitment_date"]
        if day is None:
            return day
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("The commitment date must be in the future."))
        if day > add_months(today, 12 * COMMITMENT_MAX_YEARS):
            raise forms.ValidationError(
                _("The commitment date must be within %(years)d years.") % {"years": COMMITMENT_MAX_YEARS}
            )
        return day

    def clean(self):
        cleaned = super().clean()
        if "base_version" in self._errors:
            # A hidden field has no place to show its error: a forged or mangled version is told on the form.
            del self._errors["base_version"]
            raise forms.ValidationError(
                _("The form's draft version is not valid. Reload the page and make your changes again.")
            )
        return cleaned

    def reply_data(self) -> dict:
        """The cleaned values in the shape save_reply_draft takes."""
        return {name: self.cleaned_data[name] for name in self.FIELDS if name in self.fields}


class SendBackForm(SingleLineFormMixin, forms.Form):
    comments = forms.CharField(
        label=_label(Reply, "sendback_comment"),
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the handler should change before you sign."),
    )

    def clean_comments(self) -> str:
        comments = self.cleaned_data["comments"].strip()
        if not comments:
            raise forms.ValidationError(_("Say what needs to change before the reply can be signed."))
        return comments


class CountersignForm(SingleLineFormMixin, forms.Form):
    """A co-handling unit's answer to the lead unit's draft (会签): comments are needed to return it."""

    comments = forms.CharField(
        label=_("Comments to the lead unit"),
        max_length=NOTE_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when you return the draft; optional when you agree."),
    )

    def clean_comments(self) -> str:
        return self.cleaned_data["comments"].strip()
