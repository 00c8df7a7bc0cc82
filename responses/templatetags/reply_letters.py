"""``{% reply_letter reply proposal=proposal lead=lead public=False as letter %}``: the letter's parts
(responses.letters.build_letter) for templates that show replies without a view that built them,
so that every page draws the letter from the same parts as the print view and the .docx."""

from __future__ import annotations

from django import template

from responses.letters import Letter, build_letter

register = template.Library()


@register.simple_tag
def reply_letter(reply, proposal=None, lead=None, public=False) -> Letter:
    return build_letter(reply, proposal=proposal or None, lead=lead or None, public=bool(public))
