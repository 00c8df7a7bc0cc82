"""``{% mail_outage as since %}``: when reminder emails started failing, for committee staff only,
once they have failed for ``REMINDER_MAIL_ALERT_SECONDS`` (drawn by templates/admin/base.html)."""

from __future__ import annotations

from django import template

from responses.reminder_delivery import mail_failing_since

register = template.Library()


@register.simple_tag(takes_context=True)
def mail_outage(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_committee", False):
        return None
    return mail_failing_since()
