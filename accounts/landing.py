"""Where a user lands after signing in when no page asked for the sign-in: his own worklist.

URL names only (no imports of the apps above accounts): the unit's worklist is the responses
admin's page, the committee's the admin home (what waits for review, assignment, requests),
the leaders' the statistics.
"""

from __future__ import annotations

from django.urls import reverse

from accounts.choices import UNIT_ROLES, Role

LANDING_PAGES = {
    Role.COMMITTEE: "admin:index",
    Role.LEADER: "dashboard:index",
}
UNIT_WORKLIST = "admin:responses_assignment_worklist"
MEMBER_HOME = "portal:home"


def landing_url(user) -> str:
    if user.role in UNIT_ROLES and user.unit_id:
        return reverse(UNIT_WORKLIST)
    return reverse(LANDING_PAGES.get(user.role, MEMBER_HOME))
