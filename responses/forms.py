"""Forms of the member portal for the handling side: rating a reply (满意度测评).

The form checks what a field can say about itself; ``give_feedback`` checks the
proposer, the window and the reply again and has the last word.
"""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.text_input import SingleLineFormMixin
from responses.choices import Satisfaction


class FeedbackForm(SingleLineFormMixin, forms.Form):
    """满意度测评: the handling attitude and the handling result, rated separately, with a comment."""

    attitude = forms.ChoiceField(
        label=capfirst(_("handling attitude")), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    result = forms.ChoiceField(
        label=capfirst(_("handling result")), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=capfirst(_("comment")),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you are dissatisfied: say what should be done better."),
    )

    def __init__(self, *args, prefix_id: str = "", **kwargs) -> None:
        # Several replies on one page each get their own form; ids must not collide.
        if prefix_id:
            kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        dissatisfied = Satisfaction.DISSATISFIED in (data.get("attitude"), data.get("result"))
        if dissatisfied and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what you are dissatisfied with, so that it can be handled again."))
        return data
