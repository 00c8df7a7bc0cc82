from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from proposals.choices import ProposalStatus


class DocumentKind(models.TextChoices):
    """The long documents of a session that the worker builds."""

    COMPILATION = "compilation", _("Compilation of proposals (提案汇编)")
    REPLIES = "replies", _("Compilation of replies (答复汇编)")


class CompilationOrder(models.TextChoices):
    """How the compilation of proposals is ordered; the compilation of replies is always by number."""

    NUMBER = "number", _("By proposal number")
    CATEGORY = "category", _("By category")


class BuildState(models.TextChoices):
    """Where a build stands. Allowed moves (see BUILD_TRANSITIONS):

    queued → running → done; queued → failed (not queued, or lost before it started);
    running → failed (an error, or the worker stopped answering). A failed build is not retried:
    the clerk asks again, which makes a new row.
    """

    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


BUILD_TRANSITIONS: dict[str, set[str]] = {
    BuildState.QUEUED: {BuildState.RUNNING, BuildState.FAILED},
    BuildState.RUNNING: {BuildState.DONE, BuildState.FAILED},
    BuildState.DONE: set(),
    BuildState.FAILED: set(),
}

UNFINISHED_STATES = [BuildState.QUEUED, BuildState.RUNNING]

BUILD_STATE_COLOURS = {
    BuildState.QUEUED: "grey",
    BuildState.RUNNING: "amber",
    BuildState.DONE: "green",
    BuildState.FAILED: "red",
}

# The proposals a compilation holds: accepted (立案) and every later state; not drafts, not proposals
# waiting for review, rejected, merged into another or withdrawn.
COMPILED_STATUSES = [ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.CLOSED]
