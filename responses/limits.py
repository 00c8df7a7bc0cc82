"""The lengths and date bounds that the unit's forms and the workflow services both enforce.

The forms show a refusal beside the field; the services refuse the same input from any other
caller (an admin add page, a script), so both read these.
"""

from __future__ import annotations

import datetime as dt

# The longest texts the unit's work takes: ample for real letters and notes (the reference letter is
# about 2,000 characters), small enough that pasted junk is refused.
LETTER_MAX_CHARS = 20000
OPINION_MAX_CHARS = 10000
NOTE_MAX_CHARS = 4000
# A commitment (category B) further ahead than this is a typo, not a plan: its follow-up would never fall due.
COMMITMENT_MAX_YEARS = 5


def session_start(session) -> dt.date:
    """The first day anything can happen to a session's proposals: submissions opening, else 1 January
    of its year. Dates before it (a year 0001, a 2003 typed for 2023) are typos."""
    return session.opens_on or dt.date(session.year, 1, 1)
