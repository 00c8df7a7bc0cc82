"""The filter bar of the dashboard's lists, drawn from the shared FilterSets.

Django's select widgets render each option through a template, which costs
more than the whole list query at these page budgets; the controls and the bar
around them are built here as HTML instead (checkbox drop-downs for choices, a
yes/no select for flags, two dates for ranges, a search box, the buttons), every
value escaped.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from html import escape  # the standard library's: cheaper per call than Django's lazy-aware one

import django_filters
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

# Translated words and filter labels, per language and FilterSet class: they are the same on every
# page, and each translation lookup goes through a thread-local (a hundred of them made a page slower).
_words: dict[str, dict[str, str]] = {}
_parts: dict[tuple[str, type], dict[str, tuple[str, list[tuple[str, str]]]]] = {}


@functools.lru_cache(maxsize=4096)
def _escaped(value: str, text: str) -> tuple[str, str]:
    """An option's value and label, escaped: the same few hundred options are drawn on every page."""
    return escape(value), escape(text)


def words() -> dict[str, str]:
    language = get_language()
    found = _words.get(language)
    if found is None:
        found = {
            "any": _("Any"),
            "yes": _("Yes"),
            "no": _("No"),
            # The two ends of a date range; bare "from" and "to" are the status change's columns elsewhere.
            "from": pgettext("date range", "from"),
            "to": pgettext("date range", "to"),
            "more": _("%(first)s and %(count)d more"),
            "invalid": _("Some filters are not valid; correct the fields marked below."),
            "more_filters": _("More filters"),
            "filter": _("Filter"),
            "clear": _("Clear"),
            "export": _("Export to Excel"),
        }
        _words[language] = found
    return found


def filter_parts(filterset_class: type) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each filter's label and fixed choices (value, label), translated, for the current language."""
    key = (get_language(), filterset_class)
    found = _parts.get(key)
    if found is None:
        found = {
            name: (str(flt.label or name), [(str(v), str(lbl)) for v, lbl in flt.extra.get("choices", [])])
            for name, flt in filterset_class.base_filters.items()
        }
        _parts[key] = found
    return found


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
    words: dict[str, str] = field(default_factory=words)

    @property
    def summary(self) -> str:
        chosen = [label for _value, label, checked in self.options if checked]
        if not chosen:
            return self.words["any"]
        if len(chosen) == 1:
            return chosen[0]
        return self.words["more"] % {"first": chosen[0], "count": len(chosen) - 1}

    @property
    def checkboxes(self) -> SafeString:
        """The drop-down's checkboxes as HTML (a unit list is sixty of them: cheaper built here)."""
        name = escape(self.name)
        # Every value and label is escaped (_escaped; tests/dashboard/test_escaping.py).
        return mark_safe(  # nosec B308, B703
            "".join(
                f'<label class="check"><input type="checkbox" name="{name}" value="{escaped[0]}"'
                f"{' checked' if checked else ''}> <span>{escaped[1]}</span></label>"
                for value, text, checked in self.options
                for escaped in (_escaped(value, text),)
            )
        )

    @property
    def html(self) -> SafeString:
        """The whole control as HTML; the same markup as a template would give, a fraction of the cost."""
        name, label = escape(self.name), escape(self.label)
        classes = f"control control-{self.kind}" + (" has-error" if self.errors else "")
        if self.kind == "text":
            kind = "search" if self.name == "q" else "text"
            body = (
                f'<label for="f-{name}">{label}</label>'
                f'<input type="{kind}" id="f-{name}" name="{name}" value="{escape(self.value)}">'
            )
        elif self.kind == "flag":
            options = "".join(
                f'<option value="{value}"{" selected" if self.value == value else ""}>{escape(text)}</option>'
                for value, text in (("", self.words["any"]), ("true", self.words["yes"]), ("false", self.words["no"]))
            )
            body = f'<label for="f-{name}">{label}</label><select id="f-{name}" name="{name}">{options}</select>'
        elif self.kind == "range":
            start, end = escape(f"{self.label} {self.words['from']}"), escape(f"{self.label} {self.words['to']}")
            body = (
                f'<span class="control-label" id="l-{name}">{label}</span>'
                f'<span class="range" role="group" aria-labelledby="l-{name}">'
                f'<input type="date" name="{name}_after" value="{escape(self.after)}" aria-label="{start}">'
                f'<span aria-hidden="true">–</span>'
                f'<input type="date" name="{name}_before" value="{escape(self.before)}" aria-label="{end}"></span>'
            )
        else:
            body = (
                f'<span class="control-label" id="l-{name}">{label}</span>'
                f'<details class="drop"><summary aria-describedby="l-{name}"><span class="drop-value">'
                f"{escape(self.summary)}</span></summary>"
                f'<fieldset class="drop-panel" aria-labelledby="l-{name}">{self.checkboxes}</fieldset></details>'
            )
        errors = "".join(f'<p class="field-errors">{escape(e)}</p>' for e in self.errors)
        # Names, labels, values and messages are escaped above; the rest is our own markup.
        return mark_safe(f'<div class="{classes}" data-filter="{name}">{body}{errors}</div>')  # nosec B308, B703

    @property
    def active(self) -> bool:
        return bool(self.value or self.after or self.before or any(c for _v, _l, c in self.options))


def controls(filterset, names: list[str], choices: dict[str, list[tuple[str, str]]]) -> list[Control]:
    """The controls for ``names``; model choices come from ``choices`` (fetched once by the view)."""
    data = filterset.data
    errors = filterset.errors if filterset.is_bound else {}
    parts = filter_parts(type(filterset))
    said = words()
    result = []
    for name in names:
        flt = type(filterset).base_filters[name]  # the class's: a lean FilterSet copies only the given ones
        label, fixed_choices = parts[name]
        control_errors = [str(e) for e in errors.get(name, [])]
        if isinstance(flt, django_filters.DateFromToRangeFilter):
            control_errors += [str(e) for key in (f"{name}_after", f"{name}_before") for e in errors.get(key, [])]
            result.append(
                Control(
                    name,
                    label,
                    "range",
                    after=data.get(f"{name}_after", ""),
                    before=data.get(f"{name}_before", ""),
                    errors=control_errors,
                    words=said,
                )
            )
        elif isinstance(flt, django_filters.BooleanFilter):
            result.append(Control(name, label, "flag", value=data.get(name, ""), errors=control_errors, words=said))
        elif isinstance(flt, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter):
            selected = set(data.getlist(name)) if hasattr(data, "getlist") else set()
            options = choices.get(name) or fixed_choices
            result.append(
                Control(
                    name,
                    label,
                    "multi",
                    options=[(value, text, value in selected) for value, text in options],
                    errors=control_errors,
                    words=said,
                )
            )
        else:
            result.append(Control(name, label, "text", value=data.get(name, ""), errors=control_errors, words=said))
    return result


def bar(
    controls: list[Control], more_controls: list[Control], *, invalid: bool, path: str, export_url: str
) -> SafeString:
    """The whole filter form: the main controls, the folded "more filters", and the buttons.

    ``export_url`` already carries the filters (``dashboard.keyset.KeysetPage.base_query``).
    """
    said = words()
    errors = f'<div class="form-errors" role="alert"><p>{escape(said["invalid"])}</p></div>' if invalid else ""
    opened = " open" if any(c.active or c.errors for c in more_controls) else ""
    # Labels and URLs are escaped here; the controls escape their own values (Control.html).
    return mark_safe(  # nosec B308, B703
        f'<form method="get" class="card dash-filters" id="filters" role="search">{errors}'
        f'<div class="filter-row">{"".join(c.html for c in controls)}</div>'
        f'<details class="more-filters"{opened}><summary>{escape(said["more_filters"])}</summary>'
        f'<div class="filter-row">{"".join(c.html for c in more_controls)}</div></details>'
        '<div class="filter-actions">'
        f'<button type="submit" class="button button-primary">{escape(said["filter"])}</button>'
        f'<a class="button button-quiet" href="{escape(path)}">{escape(said["clear"])}</a>'
        f'<a class="button" id="export-link" href="{escape(export_url)}" download>{escape(said["export"])}</a>'
        "</div></form>"
    )
