"""The member portal and the public pages (DESIGN.md section 6: "the site's own pages").

Members follow their proposals here; staff do their work in the admin and only
get a landing page. The views live in one module per workflow step:

- ``views_member``: 我的提案, the proposal page's own part, attachment downloads;
- ``views_drafting``: writing and editing a draft, attachments, submit, withdraw;
- ``views_joint``: co-signers (联名): member search, invitations and answers;
- ``views_notifications``: the notifications page;
- ``views_public``: 提案公开, the list of published proposals.

The pages that show the handling (a proposal's page with its units and replies,
rating a reply, a published proposal, the similar-proposals panel) are in
``responses.views_portal``; ``config/urls.py`` mounts them in the same namespaces.

Every queryset starts from a ``visible_to`` method (or ``published()`` for the
public), so a page never decides on its own who sees what, and an object you
may not see answers 404. This module re-exports the views by name.
"""

from proposals.views_drafting import (
    attachment_add,
    attachment_remove,
    proposal_create,
    proposal_edit,
    proposal_submit,
    proposal_withdraw,
)
from proposals.views_joint import cosigners, invitation, invite, member_search
from proposals.views_member import attachment_download, home
from proposals.views_notifications import notifications, notifications_mark_all_read
from proposals.views_public import public_index

__all__ = [
    "attachment_add",
    "attachment_download",
    "attachment_remove",
    "cosigners",
    "home",
    "invitation",
    "invite",
    "member_search",
    "notifications",
    "notifications_mark_all_read",
    "proposal_create",
    "proposal_edit",
    "proposal_submit",
    "proposal_withdraw",
    "public_index",
]
