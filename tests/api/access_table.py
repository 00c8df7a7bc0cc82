"""The API's rows of the access matrix: what each of the nine roles gets from every API route.

``API_READS`` (GETs) joins the site-wide matrix (tests/security/test_access_matrix.py, session
clients); tests/api/test_access_matrix.py asks the same with API tokens and adds ``API_WRITES``,
the workflow steps each role may or may not take. Object names are those of ``AccessScene``
(tests/security/helpers_access.py) plus the few ``ApiScene`` adds.
"""

from __future__ import annotations

from tests.security.helpers_access import case, expect

UNAUTHORIZED = 401  # no session and no token: told to authenticate (WWW-Authenticate: Bearer)

EVERYONE_200 = expect(everyone=200)
SIGNED_IN = expect(anonymous=UNAUTHORIZED, signed_in=200)
POST_ONLY = expect(anonymous=UNAUTHORIZED, signed_in=405)
# The reference case 第2023160号 and what hangs on it: its proposers, the lead unit, oversight.
CASE_OBJECT = expect(
    anonymous=UNAUTHORIZED, proposers=200, other_member=404, case_unit=200, other_handler=404, oversight=200
)
DRAFT = expect(anonymous=UNAUTHORIZED, proposers=200, other_member=404, staff=404)
UNASSIGNED = expect(anonymous=UNAUTHORIZED, proposers=200, other_member=404, unit_staff=404, oversight=200)
DRAFT_LETTER = expect(anonymous=UNAUTHORIZED, members=404, case_unit=200, other_handler=404, oversight=200)
# The co-handling unit's (区发改局) assignment: unit staff of other units do not see it.
OTHER_UNITS_ROW = expect(anonymous=UNAUTHORIZED, proposers=200, other_member=404, unit_staff=404, oversight=200)

API_READS = {
    "api:schema": [case(EVERYONE_200)],
    "api:docs": [case(EVERYONE_200)],
    "api:session-list": [case(SIGNED_IN)],
    "api:session-detail": [case(SIGNED_IN, pk="session")],
    "api:category-list": [case(SIGNED_IN)],
    "api:category-detail": [case(SIGNED_IN, pk="category")],
    "api:unit-list": [case(SIGNED_IN)],
    "api:unit-detail": [case(SIGNED_IN, pk="unit")],
    "api:reply-category-list": [case(SIGNED_IN)],
    "api:reply-category-detail": [case(SIGNED_IN, pk="reply_category")],
    "api:proposal-list": [case(SIGNED_IN), case(SIGNED_IN, query={"status": "assigned", "q": "产业"})],
    "api:proposal-detail": [
        case(CASE_OBJECT, pk="proposal"),
        case(DRAFT, pk="draft"),
        case(UNASSIGNED, pk="submitted"),
    ],
    "api:proposal-accept": [case(POST_ONLY, pk="submitted")],
    "api:proposal-assign": [case(POST_ONLY, pk="accepted")],
    "api:assignment-list": [case(SIGNED_IN), case(SIGNED_IN, query={"overdue": "true"})],
    "api:assignment-detail": [case(CASE_OBJECT, pk="assignment"), case(OTHER_UNITS_ROW, pk="cohandling")],
    "api:assignment-accept": [case(POST_ONLY, pk="pending_assignment")],
    "api:assignment-reply-draft": [case(POST_ONLY, pk="handling_assignment")],
    "api:reply-list": [case(SIGNED_IN)],
    "api:reply-detail": [case(CASE_OBJECT, pk="reply"), case(DRAFT_LETTER, pk="draft_reply")],
    "api:reply-feedback": [case(POST_ONLY, pk="reply")],
    "api:reply-send": [case(POST_ONLY, pk="reply")],
    "api:reply-sign": [case(POST_ONLY, pk="reply")],
    "api:reply-submit": [case(POST_ONLY, pk="draft_reply")],
    "api:not-found": [case(expect(everyone=404), path="/api/v1/no-such-thing/1.5/")],
}
