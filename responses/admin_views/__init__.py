"""The unit's workflow pages in the admin, one module per step of the work:

- ``worklist``: the unit's work grouped by what needs doing next (``responses_assignment_worklist``);
- ``handling``: one assignment: accept (签收), ask to return, contact log, co-handling opinion
  (``responses_assignment_handle``);
- ``replies``: the reply (or follow-up reply) draft, the letter's review, sign-off and sending, the draft's
  history (``responses_assignment_reply``, ``responses_assignment_followup``, ``responses_reply_review``,
  ``responses_reply_revisions``);
- ``countersign``: a co-handling unit countersigns (会签) the lead unit's draft
  (``responses_assignment_countersign``), and the lead unit's view of the answers;
- ``common``: what they share.

Registered by ``AssignmentAdmin.get_urls`` and ``ReplyAdmin.get_urls`` (responses/admin.py), so every page
runs inside ``admin_site.admin_view`` (staff sign-in, CSRF) and finds its object through the model admin's
``get_queryset`` (``visible_to``): another unit's assignment or reply answers 404. Each view parses a form,
calls one service and redirects; a refusal from the service is shown on the form, nothing half-saved. The
buttons a page offers come from the policy functions (``responses.policy``) that the services enforce.
"""

from responses.admin_views.common import cohandling_opinions
from responses.admin_views.countersign import countersign_panel, countersign_view
from responses.admin_views.handling import handle_view
from responses.admin_views.replies import field_changes, line_diff, reply_edit_view, review_view, revisions_view
from responses.admin_views.worklist import unit_home_context, worklist_context, worklist_view

__all__ = [
    "cohandling_opinions",
    "countersign_panel",
    "countersign_view",
    "field_changes",
    "handle_view",
    "line_diff",
    "reply_edit_view",
    "review_view",
    "revisions_view",
    "unit_home_context",
    "worklist_context",
    "worklist_view",
]
