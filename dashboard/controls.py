"""The filter bar's controls as plain data, from the shared FilterSets: what each shows and holds.

``templates/jinja2/dashboard/_filter_bar.html`` draws them: checkbox drop-downs for choices, a
yes/no select for flags, two dates for ranges, a search box for text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


@dataclass
class Control:
    name: str
    label: str
    kind: str  # "text", "multi", "flag" or "range"
    value: str = ""
    options: list[tuple[str, str, bool]] = field(default_factory=list)  # value, label, checked
    after: str = ""
    before: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """What a closed drop-down says: "Any", the one option chosen, or the first and how many more."""
        chosen = [label for _value, label, checked in self.options if checked]
        if not chosen:
            return _("Any")
        if len(chosen) == 1:
            return chosen[0]
        return _("%(first)s and %(count)d more") % {"first": chosen[0], "count": len(chosen) - 1}

    @property
    def range_labels(self) -> tuple[str, str]:
        """What a screen reader says for a range's two dates."""
        # Outside f-strings: makemessages does not find a gettext call inside one (the catalogue lost them).
        start, end = pgettext("date range", "from"), pgettext("date range", "to")
        return (f"{self.label} {start}", f"{self.label} {end}")

    @property
    def active(self) -> bool:
        return bool(self.value or self.after or self.before or any(c for _v, _l, c in self.options))


def controls(filterset, names: list[str], options) -> list[Control]:
    """The controls for ``names``; a model-choice filter's options come from ``options(name)``
    (the cached reference rows), a choice filter's from its choices."""
    data = filterset.data
    errors = filterset.errors
    result = []
    for name in names:
        flt = filterset.filters[name]
        label = str(flt.label or name)
        control_errors = [str(e) for e in errors.get(name, [])]
        if isinstance(flt, django_filters.DateFromToRangeFilter):
            control_errors += [str(e) for key in (f"{name}_after", f"{name}_before") for e in errors.get(key, [])]
            control = Control(
                name,
                label,
                "range",
                after=data.get(f"{name}_after", ""),
                before=data.get(f"{name}_before", ""),
                errors=control_errors,
            )
        elif isinstance(flt, django_filters.BooleanFilter):
            control = Control(name, label, "flag", value=data.get(name, ""), errors=control_errors)
        elif isinstance(flt, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter):
            selected = set(data.getlist(name))
            choices = options(name) or [(str(v), str(text)) for v, text in flt.extra.get("choices", [])]
            control = Control(
                name,
                label,
                "multi",
                options=[(value, text, value in selected) for value, text in choices],
                errors=control_errors,
            )
        else:
            control = Control(name, label, "text", value=data.get(name, ""), errors=control_errors)
        result.append(control)
    return result
