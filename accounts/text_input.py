"""Input hygiene for the text people type: one line where one line is meant, nothing invisible.

A title made only of zero-width characters looked empty and was stored; a U+202E (right-to-left
override) in a title reversed the text beside it in every list, and made "…fdp.exe" read as
"…exe.pdf". So, in every single-line field of the forms that use ``SingleLineFormMixin``:

- the bidirectional controls (U+202A–202E, U+2066–2069, U+200E/200F) are removed: Chinese and
  English text never needs them, and the browser orders mixed text itself;
- line breaks (CR, LF, U+2028/2029, vertical tab, form feed, NEL) become one space, runs of
  spaces one space, and the ends are trimmed: a title is one line;
- a value with no visible character left (zero-width spaces, joiners, BOM, blanks) counts as
  empty: a required field says so, an optional one stores "".

Contact phone numbers (fields named in ``PHONE_FIELDS``) must be a Chinese mobile number, a
landline with its area code, or one of those with an extension, written with the usual separators.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile("[\r\n\u2028\u2029\x0b\x0c\x85]+")
SPACES = re.compile(r"[ \t\u3000]{2,}")
# Invisible on their own: format characters (zero-width space/joiners, BOM, bidi marks), controls,
# separators (spaces of every width). A value made only of these has nothing to read.
INVISIBLE_CATEGORIES = {"Cf", "Cc", "Zs", "Zl", "Zp"}

PHONE_FIELDS = ("phone", "contact_phone")
# 13812345678 / +86 138 1234 5678; 0755-82345678 / (0755) 8234 5678 / 010-1234567; each may end in an
# extension: 转 123, -123, ext. 123, x123.
MOBILE = r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}"
LANDLINE = r"(?:0\d{2,3}[- ]?|\(0\d{2,3}\) ?|（0\d{2,3}）)[2-9]\d{2,3}[- ]?\d{4}"
EXTENSION = r"(?:(?: ?转 ?| ?- ?| ?(?:ext\.?|x) ?)\d{1,6})?"
PHONE = re.compile(rf"^(?:{MOBILE}|{LANDLINE}){EXTENSION}$", re.IGNORECASE)


def has_visible_text(value: str) -> bool:
    return any(unicodedata.category(ch) not in INVISIBLE_CATEGORIES for ch in value)


def without_bidi_controls(value: str) -> str:
    return BIDI_CONTROLS.sub("", value)


def single_line(value: str) -> str:
    """``value`` as one clean line (see the module's docstring); "" when nothing visible is left."""
    value = LINE_BREAKS.sub(" ", without_bidi_controls(value))
    value = SPACES.sub(" ", value).strip()
    return value if has_visible_text(value) else ""


def validate_phone(value: str) -> None:
    if value and not PHONE.match(value.strip()):
        raise ValidationError(
            _(
                "Enter a telephone number: a mobile number (13812345678), or a landline with its area code "
                "(0755-82345678), optionally with an extension (转 123)."
            ),
            code="invalid_phone",
        )


def is_secret_or_hidden(field: forms.Field) -> bool:
    """Passwords are taken exactly as typed; hidden fields carry what the page put there."""
    return getattr(field.widget, "input_type", None) in ("password", "hidden")


def is_single_line(field: forms.Field) -> bool:
    return (
        isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.Textarea)
        and not is_secret_or_hidden(field)
        and not isinstance(field, (forms.EmailField, forms.URLField, forms.SlugField, forms.RegexField))
    )


class SingleLineFormMixin:
    """Cleans every single-line text field of a form as the module's docstring says, after the fields'
    own cleaning (which took the zero-width title for text), before the form's own ``clean``."""

    def clean(self):
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if isinstance(value, str) and isinstance(field, forms.CharField):
                if is_single_line(field):
                    cleaned = single_line(value)
                    if not cleaned and field.required:
                        self.add_error(
                            name, _("Enter visible text: this field has only blanks or invisible characters.")
                        )
                        continue
                    self.cleaned_data[name] = cleaned
                    if name in PHONE_FIELDS:
                        try:
                            validate_phone(cleaned)
                        except ValidationError as error:
                            self.add_error(name, error)
                elif not is_secret_or_hidden(field):
                    # Several lines are fine in a long text; reversed text is not.
                    self.cleaned_data[name] = without_bidi_controls(value)
        return super().clean()
