"""Sentences with a number in them, for the Jinja2 templates (``wording.days_left(n)``).

A plural needs ``ngettext``, which ``makemessages`` extracts from Python but not from Jinja2
templates, so those sentences are written here, once, with the msgids the catalogue holds.
"""

from __future__ import annotations

from django.utils.translation import ngettext


def days_overdue(days: int) -> str:
    return ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}


def days_left(days: int) -> str:
    return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}


def new_since_last_visit(count: int) -> str:
    return ngettext("%(count)s new since your last visit.", "%(count)s new since your last visit.", count) % {
        "count": count
    }


def page_of(number: int, pages: int, total: int) -> str:
    return ngettext(
        "Page %(number)s of %(pages)s, %(total)s item", "Page %(number)s of %(pages)s, %(total)s items", total
    ) % {"number": number, "pages": pages, "total": total}


def cosigners_confirmed(confirmed: int) -> str:
    return ngettext("%(confirmed)s co-signer confirmed.", "%(confirmed)s co-signers confirmed.", confirmed) % {
        "confirmed": confirmed
    }


def still_to_answer(invited: int) -> str:
    return ngettext("%(invited)s still to answer.", "%(invited)s still to answer.", invited) % {"invited": invited}


def joint_minimum_rule(minimum: int) -> str:
    return ngettext(
        "Rule of this session: at least %(minimum)s confirmed co-signer before submission.",
        "Rule of this session: at least %(minimum)s confirmed co-signers before submission.",
        minimum,
    ) % {"minimum": minimum}
