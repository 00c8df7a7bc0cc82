"""The form that asks for a session's compilation: which session, which document, in which order."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.choices import CompilationOrder, DocumentKind
from proposals.models import Session


class CompilationForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("Session"),
        queryset=Session.objects.all(),
        empty_label=None,
        error_messages={"required": _("Choose a session.")},
    )
    kind = forms.ChoiceField(
        label=_("Document"), choices=DocumentKind.choices, initial=DocumentKind.COMPILATION, widget=forms.RadioSelect
    )
    order = forms.ChoiceField(
        label=_("Order of the proposals"),
        choices=CompilationOrder.choices,
        initial=CompilationOrder.NUMBER,
        widget=forms.RadioSelect,
        help_text=_("The compilation of replies is always ordered by proposal number."),
    )
