"""Drafting services: a member writes a proposal, edits the draft and attaches files.

Like the workflow services in ``proposals.services``: each function checks the
actor's right, runs in one transaction, locks the proposal it changes and writes
an ``Event`` (``CREATED`` or ``EDITED``). Refusals raise ``WorkflowError`` or
``PermissionDenied`` with a translated message that views show as is. Status
changes (submit, withdraw) stay in ``proposals.services``.

Attachments are checked by their content, not only their name: a file is taken
only when what it contains matches its extension and it is no larger than
``settings.ATTACHMENT_MAX_BYTES``. Files are stored under random names outside
the web root (``Attachment.file``) and served only by the permission-checking
download view.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Unit, User
from proposals.choices import EventVerb, ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.list_columns import refresh_lead_name
from proposals.models import Attachment, Category, Proposal, Proposer, Session
from proposals.workflow import WorkflowError, lock, record_event

# Extension → (what the content must be, the MIME type stored and served).
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED_EXTENSIONS: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", "application/pdf"),
    ".docx": ("docx", DOCX),
    ".doc": ("doc", "application/msword"),
    ".xlsx": ("xlsx", XLSX),
    ".jpg": ("jpg", "image/jpeg"),
    ".jpeg": ("jpg", "image/jpeg"),
    ".png": ("png", "image/png"),
    ".txt": ("text", "text/plain"),
}
# The accept attribute of the file input: a hint for the browser's file picker, never trusted.
ACCEPT = ",".join(ALLOWED_EXTENSIONS)
# A scanned paper form (a paper proposal, a paper rating): PDF or an image, nothing else.
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
SCAN_ACCEPT = ",".join(SCAN_EXTENSIONS)
MAX_ATTACHMENTS = 10
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 compound file

DRAFT_FIELDS = (
    "title",
    "background",
    "suggestions",
    "category",
    "kind",
    "collective_author",
    "publication_consent",
    "publication_refusal_reason",
)


# Attachments ---------------------------------------------------------------------------------


def _content_kind(upload: UploadedFile) -> str | None:
    """What the file really is ("pdf", "docx", "text" ...), from its bytes; None when unknown."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    if guess is not None:
        return guess.extension
    if head.startswith(OLE_MAGIC):
        # filetype's Word 97 matcher misses some genuine .doc files; an unrecognised compound file
        # is taken as .doc only when named so (Excel and PowerPoint files are recognised above).
        return "doc"
    if _is_text(upload):
        return "text"
    return None


def _is_text(upload: UploadedFile) -> bool:
    """Plain text in UTF-8 or, as Chinese Windows saves it, GB18030; never binary."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def check_attachment(upload: UploadedFile) -> str:
    """The MIME type to store for an upload whose content matches its extension.

    Raises ``WorkflowError`` naming the file when the type is not allowed, the
    content does not match the name, or the file is empty or too large.
    """
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise WorkflowError(
            _("“%(name)s” cannot be attached: only PDF, Word (.doc, .docx), Excel (.xlsx), JPEG, PNG and text files.")
            % {"name": name}
        )
    if not upload.size:
        raise WorkflowError(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise WorkflowError(
            _("“%(name)s” is %(size)s; an attachment may be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            }
        )
    expected, content_type = ALLOWED_EXTENSIONS[extension]
    if _content_kind(upload) != expected:
        raise WorkflowError(
            _("“%(name)s” is not really a %(extension)s file; it cannot be attached.")
            % {"name": name, "extension": extension}
        )
    return content_type


def check_scan(upload: UploadedFile) -> str:
    """The MIME type to store for the scan of a paper form: a PDF, JPEG or PNG file whose content matches
    its name, within the attachment size limit (``check_attachment``'s rules); ``WorkflowError`` otherwise."""
    name = upload.name or ""
    if PurePath(name).suffix.lower() not in SCAN_EXTENSIONS:
        raise WorkflowError(
            _("“%(name)s” is not a scan: only PDF, JPEG and PNG files are taken for a paper form.") % {"name": name}
        )
    return check_attachment(upload)


def _store(proposal: Proposal, actor: User, upload: UploadedFile, content_type: str) -> Attachment:
    attachment = Attachment(
        proposal=proposal,
        original_name=PurePath(upload.name).name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    # upload_to gives a random name; the original is kept in the row only.
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


class StoredFiles:
    """Deletes the files stored inside a transaction that then failed: storage is not transactional.

    ``with StoredFiles() as stored, transaction.atomic():`` — the transaction rolls back first, then the
    files it stored (``add`` for attachments, ``keep`` for any other file field) are deleted."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def keep(self, name: str) -> None:
        """Note a file stored by hand (``FieldFile.save``), to delete if the transaction fails."""
        self.names.append(name)

    def __enter__(self) -> StoredFiles:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            from django.core.files.storage import default_storage

            for name in self.names:
                with contextlib.suppress(OSError):
                    default_storage.delete(name)

    def add(self, proposal: Proposal, actor: User, uploads: list[tuple[UploadedFile, str]]) -> list[Attachment]:
        rows = []
        for upload, content_type in uploads:
            row = _store(proposal, actor, upload, content_type)
            self.names.append(row.file.name)
            rows.append(row)
        return rows


def _checked(uploads: Iterable[UploadedFile], already: int = 0) -> list[tuple[UploadedFile, str]]:
    """Every upload checked before anything is written, so one bad file stores none."""
    uploads = list(uploads)
    if already + len(uploads) > MAX_ATTACHMENTS:
        raise WorkflowError(_("A proposal can have at most %(count)d attachments.") % {"count": MAX_ATTACHMENTS})
    return [(upload, check_attachment(upload)) for upload in uploads]


# Checks ----------------------------------------------------------------------------------------


def _require_member(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.role == Role.MEMBER):
        raise PermissionDenied(_("Only members can write proposals."))


def _require_lead_on_draft(proposal: Proposal, actor: User) -> None:
    if not Proposer.objects.filter(proposal=proposal, user_id=actor.pk, role=ProposerRole.LEAD).exists():
        raise PermissionDenied(_("Only the lead proposer may do this."))
    if proposal.status != ProposalStatus.DRAFT:
        raise WorkflowError(
            _("Only a draft can be changed; this proposal is “%(status)s”.")
            % {"status": ProposalStatus(proposal.status).label}
        )


def _has_cosigners(proposal: Proposal) -> bool:
    return (
        Proposer.objects.filter(proposal=proposal, role=ProposerRole.COSIGNER)
        .exclude(status=ProposerStatus.DECLINED)
        .exists()
    )


def clean_draft_data(data: Mapping) -> dict:
    """The draft fields from ``data``, stripped and checked; raises ``WorkflowError`` on the first problem.

    The form shows the same rules next to each field; this is the service's own guard.
    """
    values = {name: data.get(name) for name in DRAFT_FIELDS}
    for name in ("title", "background", "suggestions", "collective_author", "publication_refusal_reason"):
        values[name] = (values[name] or "").replace("\r\n", "\n").strip()
    if not values["title"]:
        raise WorkflowError(_("Give the proposal a title."))
    kind = values["kind"] or ProposalKind.INDIVIDUAL
    if kind not in ProposalKind.values:
        raise WorkflowError(_("Choose the kind of proposal."))
    values["kind"] = kind
    if kind == ProposalKind.COLLECTIVE:
        if not values["collective_author"]:
            raise WorkflowError(_("Name the party, group, sector or committee that proposes it."))
    else:
        values["collective_author"] = ""
    category = values["category"]
    if category is not None and not (isinstance(category, Category) and category.is_active):
        raise WorkflowError(_("Choose one of the listed categories."))
    consent = values["publication_consent"]
    values["publication_consent"] = True if consent is None else bool(consent)
    if values["publication_consent"]:
        values["publication_refusal_reason"] = ""
    elif not values["publication_refusal_reason"]:
        raise WorkflowError(_("Give a reason when refusing publication."))
    return values


# Services --------------------------------------------------------------------------------------


def create_draft(
    *,
    actor: User,
    session: Session,
    data: Mapping,
    units: Iterable[Unit] = (),
    files: Iterable[UploadedFile] = (),
) -> Proposal:
    """A member starts a proposal: a draft with them as lead proposer, its suggested units and files."""
    _require_member(actor)
    values = clean_draft_data(data)
    uploads = _checked(files)
    today = timezone.localdate()
    if session.closes_on and today > session.closes_on:
        raise WorkflowError(_("Submissions for this session closed on %(date)s.") % {"date": session.closes_on})
    with StoredFiles() as stored, transaction.atomic():
        now = timezone.now()
        proposal = Proposal.objects.create(
            session=session, created_by=actor, status=ProposalStatus.DRAFT, created_at=now, **values
        )
        proposal.suggested_units.set(list(units))
        Proposer.objects.create(
            proposal=proposal,
            user=actor,
            role=ProposerRole.LEAD,
            status=ProposerStatus.CONFIRMED,
            order=0,
            invited_at=now,
            confirmed_at=now,
            responded_at=now,
        )
        refresh_lead_name(proposal)
        names = [row.original_name for row in stored.add(proposal, actor, uploads)]
        record_event(proposal, actor, EventVerb.CREATED, to_status=ProposalStatus.DRAFT, data={"attachments": names})
    return proposal


def update_draft(
    proposal: Proposal,
    *,
    actor: User,
    data: Mapping,
    units: Iterable[Unit] | None = None,
    files: Iterable[UploadedFile] = (),
    remove: Iterable[Attachment] = (),
) -> Proposal:
    """The lead proposer edits a draft; ``units=None`` leaves the suggested units as they are.

    ``files`` are attached and the draft's attachments in ``remove`` are deleted, all in the
    same transaction as the text. A draft with co-signers stays joint. An ``EDITED`` event
    names the fields and files that changed (none is written when nothing did).
    """
    with StoredFiles() as stored, transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        _require_lead_on_draft(proposal, actor)
        values = clean_draft_data(data)
        if values["kind"] != ProposalKind.JOINT and _has_cosigners(proposal):
            raise WorkflowError(_("This proposal has co-signers, so it is a joint proposal."))
        removed = list(Attachment.objects.select_for_update().filter(proposal=proposal, pk__in=[a.pk for a in remove]))
        uploads = _checked(files, already=proposal.attachments.count() - len(removed))
        changed = [name for name, value in values.items() if getattr(proposal, name) != value]
        for name in changed:
            setattr(proposal, name, values[name])
        if changed:
            proposal.save(update_fields=[*changed, "updated_at"])
        if units is not None:
            units = list(units)
            if {unit.pk for unit in units} != set(proposal.suggested_units.values_list("pk", flat=True)):
                proposal.suggested_units.set(units)
                changed.append("suggested_units")
        removed_names = [row.original_name for row in removed]
        for row in removed:
            path = row.file.name
            row.delete()
            transaction.on_commit(partial(_delete_file, path))
        names = [row.original_name for row in stored.add(proposal, actor, uploads)]
        if changed or names or removed_names:
            if not changed:
                # Only files changed: the proposal's "last changed" still moves.
                proposal.save(update_fields=["updated_at"])
            record_event(
                proposal,
                actor,
                EventVerb.EDITED,
                data={"fields": changed, "attachments": names, "removed_attachments": removed_names},
            )
    return proposal


def add_attachment(proposal: Proposal, *, actor: User, upload: UploadedFile) -> Attachment:
    """The lead proposer attaches one more file to a draft."""
    with StoredFiles() as stored, transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        _require_lead_on_draft(proposal, actor)
        uploads = _checked([upload], already=proposal.attachments.count())
        (attachment,) = stored.add(proposal, actor, uploads)
        proposal.save(update_fields=["updated_at"])
        record_event(
            proposal,
            actor,
            EventVerb.EDITED,
            obj=attachment,
            note=attachment.original_name,
            data={"attachments": [attachment.original_name]},
        )
    return attachment


def remove_attachment(attachment: Attachment, *, actor: User) -> None:
    """The lead proposer removes a file from a draft; the stored file goes once the removal commits."""
    with transaction.atomic():
        proposal = lock(Proposal, attachment.proposal_id)
        _require_lead_on_draft(proposal, actor)
        attachment = Attachment.objects.select_for_update().get(pk=attachment.pk, proposal=proposal)
        name, path = attachment.original_name, attachment.file.name
        attachment.delete()
        proposal.save(update_fields=["updated_at"])
        record_event(proposal, actor, EventVerb.EDITED, note=name, data={"removed_attachments": [name]})
        transaction.on_commit(partial(_delete_file, path))


def _delete_file(path: str) -> None:
    from django.core.files.storage import default_storage

    with contextlib.suppress(OSError):
        default_storage.delete(path)
