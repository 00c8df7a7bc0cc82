"""Workflow services for handling: assignment (交办), returns, opinions, contacts, the reply letter,
countersigning (会签), the committee's review of replies (督办审核), feedback, re-handling, extensions,
closing and publication.

Same rules as ``proposals.services`` (see its docstring): each function checks the
actor's right, runs in one transaction, locks rows in the order proposal →
assignment → request/reply, checks the move against the transitions maps in
``responses.choices``, writes an ``Event`` and leaves email to ``on_commit``.

One module per workflow step; callers use ``from responses import services``
and the names re-exported here. Who may take each step is decided by ``responses.policy``,
whose ``check_*`` functions the services call and the pages ask.
"""

from responses.policy import CONTACT_STATUSES, followup_basis
from responses.services.assignment import accept_assignment, assign_many, assign_proposal
from responses.services.base import UnitsRoles, feedback_open, feedback_window_end, live_assignments
from responses.services.closing import close, close_proposal, feedback_complete
from responses.services.countersign import answer_countersign, request_countersign
from responses.services.feedback import give_feedback, record_paper_feedback, rehandle
from responses.services.handling import log_contact, send_opinion, waive_opinion
from responses.services.publication import publish_proposal
from responses.services.replies import (
    REPLY_FIELDS,
    REPLY_TEXT_LIMITS,
    SINGLE_LINE_FIELDS,
    SubmittedReply,
    reply_values,
    round_reply,
    save_reply_draft,
    send_back_reply,
    send_reply,
    sign_reply,
    submit_reply,
)
from responses.services.requests import decide_extension, decide_return, request_extension, request_return
from responses.services.sending import recategorize_reply, release_reply, return_reviewed_reply
from responses.services.suggestions import forward_suggestion

__all__ = [
    "CONTACT_STATUSES",
    "REPLY_FIELDS",
    "REPLY_TEXT_LIMITS",
    "SINGLE_LINE_FIELDS",
    "SubmittedReply",
    "UnitsRoles",
    "accept_assignment",
    "answer_countersign",
    "assign_many",
    "assign_proposal",
    "close",
    "close_proposal",
    "decide_extension",
    "decide_return",
    "feedback_complete",
    "feedback_open",
    "feedback_window_end",
    "followup_basis",
    "forward_suggestion",
    "give_feedback",
    "live_assignments",
    "log_contact",
    "publish_proposal",
    "recategorize_reply",
    "record_paper_feedback",
    "rehandle",
    "release_reply",
    "reply_values",
    "request_extension",
    "request_countersign",
    "request_return",
    "return_reviewed_reply",
    "round_reply",
    "save_reply_draft",
    "send_back_reply",
    "send_opinion",
    "send_reply",
    "sign_reply",
    "submit_reply",
    "waive_opinion",
]
