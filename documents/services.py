"""Building a session's long documents in the background, as ``DocumentBuild`` rows.

``request_build`` writes the row (queued) and hands it to the worker after commit; ``run_build`` (the
task) claims it (queued → running), writes the document reporting its progress on the row, stores the
file under the private storage and marks it done, or records why it failed. ``check_stalled`` turns a
build whose worker stopped answering into a failed one, so nobody waits for ever; ``prune_builds`` (daily,
from beat) deletes finished builds and their files after ``DOCUMENT_BUILDS_KEEP_DAYS``. Who may ask is
``may_compile``; who may see a build and its file is ``DocumentBuild.objects.visible_to``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from documents.choices import BUILD_TRANSITIONS, UNFINISHED_STATES, BuildState, CompilationOrder, DocumentKind
from documents.compilation import compilation, compiled_proposals, compiled_replies, reply_compilation
from documents.models import DocumentBuild
from documents.word import compilation_docx, reply_compilation_docx
from proposals.models import Session
from proposals.workflow import WorkflowError, notify, site_language

logger = logging.getLogger(__name__)

# A running build writes its progress at least every few seconds; one silent this long has lost its
# worker (a restart, a kill), and one still queued this long was never delivered.
STALLED_AFTER = timedelta(minutes=10)
# Progress is written about a hundred times per build, not once per proposal.
PROGRESS_STEPS = 100


def may_compile(user) -> bool:
    """Committee staff and leaders build and read the session's compilations."""
    return user.is_authenticated and user.is_oversight


def request_build(*, actor: User, session: Session, kind: str, order: str = CompilationOrder.NUMBER) -> DocumentBuild:
    """Ask the worker for a compilation; the same request of the same person still unfinished is that one."""
    if not may_compile(actor):
        raise PermissionDenied(_("Only committee staff and leaders compile a session's documents."))
    if kind not in DocumentKind.values or order not in CompilationOrder.values:
        raise WorkflowError(_("Choose a document and an order from the lists."))
    if kind == DocumentKind.REPLIES:
        order = CompilationOrder.NUMBER
        if not compiled_replies(session, actor).exists():
            raise WorkflowError(_("No reply of this session has been sent yet: there is nothing to compile."))
    elif not compiled_proposals(session, actor).exists():
        raise WorkflowError(_("No proposal of this session has been accepted yet: there is nothing to compile."))
    with transaction.atomic():
        waiting = (
            DocumentBuild.objects.select_for_update()
            .filter(requested_by=actor, session=session, kind=kind, order=order, state__in=UNFINISHED_STATES)
            .first()
        )
        if waiting is not None and not _stalled(waiting, timezone.now()):
            return waiting
        build = DocumentBuild.objects.create(requested_by=actor, session=session, kind=kind, order=order)
        transaction.on_commit(partial(_publish, build.pk))
    return build


NOT_QUEUED = gettext_lazy(
    "The build could not be handed to the background worker (the task queue did not answer). Try again in a "
    "few minutes; if it keeps failing, tell the system's administrator."
)
STALLED = gettext_lazy(
    "The build stopped answering (the background worker may have been restarted). Ask for the document again."
)
FAILED = gettext_lazy(
    "The document could not be built (%(reason)s). Try again; if it fails again, tell the system's administrator."
)


def _publish(build_id: int) -> None:
    from documents.tasks import build_document

    try:
        build_document.apply_async(args=[build_id])
    except Exception as exc:  # noqa: BLE001 - a dead broker must not fail the page; the build says so
        logger.warning("document build %s not queued (%s)", build_id, exc)
        _fail(build_id, NOT_QUEUED, states=[BuildState.QUEUED])


def _states_to(target: str) -> list[str]:
    """The states a build may move to ``target`` from (BUILD_TRANSITIONS): the conditional updates' filter."""
    return [state for state, targets in BUILD_TRANSITIONS.items() if target in targets]


def _fail(build_id: int, message, *, states) -> bool:
    """Ends the build as failed with ``message``, stored in the site's language (it is read by others)."""
    with site_language():
        error = str(message)
    return bool(
        DocumentBuild.objects.filter(pk=build_id, state__in=states).update(
            state=BuildState.FAILED, error=error, finished_at=timezone.now()
        )
    )


def _stalled(build: DocumentBuild, now) -> bool:
    if build.state == BuildState.QUEUED:
        return build.requested_at < now - STALLED_AFTER
    if build.state == BuildState.RUNNING:
        return (build.heartbeat_at or build.requested_at) < now - STALLED_AFTER
    return False


def check_stalled(build: DocumentBuild) -> DocumentBuild:
    """A queued or running build silent for ``STALLED_AFTER`` is marked failed (its worker is gone)."""
    if _stalled(build, timezone.now()):
        # Conditional on the heartbeat seen: a build that just moved on is left alone.
        with site_language():
            error = str(STALLED)
        moved = DocumentBuild.objects.filter(pk=build.pk, state=build.state, heartbeat_at=build.heartbeat_at)
        if moved.update(state=BuildState.FAILED, error=error, finished_at=timezone.now()):
            build.refresh_from_db()
    return build


class _Progress:
    """Writes the build's progress to its row about ``PROGRESS_STEPS`` times, with the heartbeat."""

    def __init__(self, build_id: int, total: int) -> None:
        self.build_id = build_id
        self.step = max(1, total // PROGRESS_STEPS)
        DocumentBuild.objects.filter(pk=build_id).update(total=total, done=0, heartbeat_at=timezone.now())

    def __call__(self, done: int) -> None:
        if done % self.step == 0:
            DocumentBuild.objects.filter(pk=self.build_id, state=BuildState.RUNNING).update(
                done=done, heartbeat_at=timezone.now()
            )


def _write(build: DocumentBuild) -> tuple[bytes, str, int]:
    """The document's bytes, its file name and how many proposals or letters it holds."""
    user = build.requested_by
    if build.kind == DocumentKind.REPLIES:
        content = reply_compilation(build.session, user)
        total = len(content.entries)
        return reply_compilation_docx(content, _Progress(build.pk, total)), content.filename, total
    content = compilation(build.session, user, build.order)
    total = len(content.forms)
    return compilation_docx(content, _Progress(build.pk, total)), content.filename, total


def run_build(build_id: int) -> bool:
    """Build the document of a queued build; True when this call built it.

    The claim (queued → running) comes first, so a redelivered message or a second worker does
    nothing. Any error ends the build as failed with a message for the person who asked.
    """
    now = timezone.now()
    claimed = DocumentBuild.objects.filter(pk=build_id, state__in=_states_to(BuildState.RUNNING)).update(
        state=BuildState.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return False
    build = DocumentBuild.objects.select_related("session", "requested_by").get(pk=build_id)
    try:
        content, file_name, total = _write(build)
        build.file.save("build.docx", ContentFile(content), save=False)
    except Exception as exc:
        logger.exception("document build %s failed", build_id)
        with site_language():
            message = FAILED % {"reason": _reason(exc)}
        _fail(build_id, message, states=[BuildState.RUNNING])
        return False
    finished = DocumentBuild.objects.filter(pk=build_id, state__in=_states_to(BuildState.DONE)).update(
        state=BuildState.DONE,
        file=build.file.name,
        file_name=file_name[:200],
        file_size=len(content),
        done=total,
        total=total,
        heartbeat_at=timezone.now(),
        finished_at=timezone.now(),
    )
    if not finished:  # marked stalled meanwhile: the file is not offered
        build.file.delete(save=False)
        return False
    with site_language():
        title = _("%(document)s of the %(session)s is ready") % {
            "document": build.get_kind_display(),
            "session": build.session,
        }
    notify([build.requested_by], title=title, url=reverse("documents:build", args=[build.pk]), email=False)
    return True


def _reason(exc: Exception) -> str:
    """Why a build failed, in words for the person who asked (the log has the details)."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        return _("it took longer than the time allowed")
    if isinstance(exc, OSError):
        return _("the file could not be stored on the server's disk")
    return _("an unexpected error: %(name)s") % {"name": type(exc).__name__}


def prune_builds(now=None) -> int:
    """Deletes the builds finished more than ``DOCUMENT_BUILDS_KEEP_DAYS`` ago, with their files.

    A compilation can be asked for again at any time; the files would otherwise fill the disk (and
    every backup). The rows go first: a crash before the files' removal leaves unused files, never
    a build offering a file that is gone. Returns how many builds were deleted.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.DOCUMENT_BUILDS_KEEP_DAYS)
    old = DocumentBuild.objects.filter(state__in=[BuildState.DONE, BuildState.FAILED], finished_at__lt=cutoff)
    names = [name for name in old.values_list("file", flat=True) if name]
    deleted = old.delete()[1].get(DocumentBuild._meta.label, 0)
    storage = DocumentBuild._meta.get_field("file").storage
    for name in names:
        storage.delete(name)
    if deleted:
        logger.info("deleted %d document builds finished before %s", deleted, cutoff)
    return deleted
