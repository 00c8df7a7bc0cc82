"""The Jinja2 environment of the portal and dashboard templates (``templates/jinja2/``), through Django's own backend.

Those pages draw tables of fifty rows with a dozen values each; Jinja2 compiles a template to Python
once, where Django's template language resolves every variable anew on every render
(docs/performance.md has the measurement). The committee's admin and the reply letter, which the
admin also shows, stay Django templates.

What the templates find here, beside the backend's ``request``, ``csrf_input`` and the context
processors of settings.TEMPLATES:

- ``_()`` (gettext): translated strings are written ``{{ _("Text") }}`` or, with values,
  ``{{ _("Text %(name)s")|format(name=value) }}``, the forms ``makemessages`` extracts;
  strings with a plural are built in Python (``proposals.wording``), where ``ngettext`` is extracted;
- ``url()`` and ``static()``, Django's ``reverse`` and static files;
- Django's own filters for what Jinja2 does differently (dates in the active language's formats,
  file sizes, line breaks, JSON for scripts);
- ``letter_html()``: the one reply letter template (a Django template) drawn from its parts.

Undefined values chain and print as nothing, as in Django's templates, so a page with an optional
object (a reply without a category) draws without guarding each attribute.
"""

from __future__ import annotations

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import json_script
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext
from jinja2 import ChainableUndefined, Environment

from proposals import wording
from responses.letters import letter_html


def date(value, arg=None) -> str:
    """Django's ``date`` filter, in the current time zone as in Django's templates."""
    return defaultfilters.date(template_localtime(value), arg)


def time(value, arg=None) -> str:
    """Django's ``time`` filter, in the current time zone as in Django's templates."""
    return defaultfilters.time(template_localtime(value), arg)


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    options.setdefault("undefined", ChainableUndefined)
    options.pop("autoescape", None)  # Django's backend asks for it too; every value is escaped, always
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals.update(url=url, static=static, letter_html=letter_html, wording=wording)
    env.filters.update(
        date=date,
        time=time,
        filesizeformat=defaultfilters.filesizeformat,
        linebreaksbr=defaultfilters.linebreaksbr,
        truncatechars=defaultfilters.truncatechars,
        capfirst=defaultfilters.capfirst,
        stringformat=defaultfilters.stringformat,
        json_script=json_script,
    )
    return env
