"""Errors raised by the workflow services.

A service refuses an illegal move (wrong status, outside a window, a required
reason left blank) with ``WorkflowError``; it refuses an actor who may not do
the step at all with ``django.core.exceptions.PermissionDenied``. Both carry a
translated, user-facing message that views show as is.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """A refused move; ``message`` is translated and shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class ReplyConflict(WorkflowError):
    """A reply draft was saved by someone else after the editor opened it.

    ``current`` holds the saved values (the same shape as a revision's values),
    ``version`` the saved version and ``revisions`` the ``ReplyRevision`` rows
    written since the editor's base version, oldest first, so the form can show
    what changed and let the editor merge by hand.
    """

    def __init__(self, message: str, *, current: dict, version: int, revisions: list) -> None:
        super().__init__(message)
        self.current = current
        self.version = version
        self.revisions = revisions
