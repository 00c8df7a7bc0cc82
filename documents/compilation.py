"""What a session's compilations hold, as text, built once for the print view and the .docx.

- 提案汇编 (``compilation``): every accepted proposal of the session (``COMPILED_STATUSES``), each as its
  proposal form's parts, by number or by category (a section per category, in the categories' order);
- 答复汇编 (``reply_compilation``): every sent reply of the session by proposal number, each as its
  reply letter (``responses.letters.build_letter``, the letter's own layout).

Both read their rows through ``visible_to`` of the user who asked (committee staff and leaders see
every row), in a fixed number of queries whatever the session's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from documents.choices import COMPILED_STATUSES, CompilationOrder
from documents.content import ProposalForm, form_proposals, proposal_form
from proposals.models import Proposer, Session
from proposals.workflow import site_language
from responses.letters import Letter, build_letter, chinese_date
from responses.models import Reply


@dataclass(frozen=True)
class Section:
    """A part of the compilation: one category (by category), or every proposal under no title (by number)."""

    title: str
    forms: list[ProposalForm]


@dataclass(frozen=True)
class Compilation:
    """提案汇编: the cover's lines, the contents and the proposals, in reading order."""

    session: str
    title: str
    order_note: str
    count_line: str
    date: str
    contents_title: str
    sections: list[Section]
    filename: str
    labels: dict[str, str]

    @property
    def forms(self) -> list[ProposalForm]:
        return [form for section in self.sections for form in section.forms]


@dataclass(frozen=True)
class LetterEntry:
    """One reply of the compilation of replies: the contents line and the letter itself."""

    pk: int
    number_text: str
    proposal_title: str
    unit: str
    letter: Letter
    reply: Reply

    @property
    def anchor(self) -> str:
        return f"reply-{self.pk}"


@dataclass(frozen=True)
class ReplyCompilation:
    """答复汇编: the cover's lines, the contents and the letters, by proposal number."""

    session: str
    title: str
    count_line: str
    date: str
    contents_title: str
    entries: list[LetterEntry]
    filename: str


def _session_name(session: Session) -> str:
    return session.full_name or session.name


def compiled_proposals(session: Session, user) -> QuerySet:
    """The session's accepted proposals ``user`` may see, by number (serial), with the forms' prefetches."""
    return form_proposals(user).filter(session=session, status__in=COMPILED_STATUSES).order_by("serial", "number", "pk")


def compiled_replies(session: Session, user) -> QuerySet:
    """The session's sent replies ``user`` may see, by proposal number, then in the order they were sent."""
    proposers = Proposer.objects.select_related("user").order_by("order", "pk")
    return (
        Reply.objects.visible_to(user)
        .sent()
        .filter(assignment__proposal__session=session)
        .select_related("assignment__unit", "assignment__proposal__session", "category", "signer")
        .prefetch_related(Prefetch("assignment__proposal__proposers", queryset=proposers))
        .order_by("assignment__proposal__serial", "assignment__proposal__number", "sent_at", "pk")
    )


def compilation(session: Session, user, order: str = CompilationOrder.NUMBER) -> Compilation:
    forms = [proposal_form(proposal) for proposal in compiled_proposals(session, user)]
    with site_language():
        if order == CompilationOrder.CATEGORY:
            forms.sort(key=lambda form: form.category_order)  # stable: by number inside each category
            sections: list[Section] = []
            for form in forms:
                title = form.category or _("Other proposals (no category)")
                if not sections or sections[-1].title != title:
                    sections.append(Section(title, []))
                sections[-1].forms.append(form)
            order_note = _("(ordered by category)")
        else:
            sections = [Section("", forms)] if forms else []
            order_note = _("(ordered by proposal number)")
        title = _("Compilation of proposals")
        return Compilation(
            session=_session_name(session),
            title=title,
            order_note=order_note,
            count_line=ngettext("%(count)s proposal", "%(count)s proposals", len(forms)) % {"count": len(forms)},
            date=chinese_date(timezone.localdate()),
            contents_title=_("Contents"),
            sections=sections,
            filename=f"{session.name}{title}{order_note}.docx",
            labels={
                "proposers": pgettext("compilation", "Proposers"),
                "category": pgettext("compilation", "Category"),
                "units": pgettext("compilation", "Handling units"),
                "background": pgettext("proposal form", "Situation analysis"),
                "suggestions": pgettext("proposal form", "Suggestions"),
            },
        )


def reply_compilation(session: Session, user) -> ReplyCompilation:
    entries = []
    for reply in compiled_replies(session, user):
        proposal = reply.assignment.proposal
        with site_language():
            number_text = pgettext("proposal form", "No. %(number)s") % {"number": proposal.number or proposal.pk}
            unit = reply.assignment.unit.name
            if reply.is_followup:
                unit = _("%(unit)s, follow-up reply") % {"unit": unit}
        entries.append(
            LetterEntry(
                pk=reply.pk,
                number_text=number_text,
                proposal_title=proposal.title,
                unit=unit,
                letter=build_letter(reply, proposal=proposal),
                reply=reply,
            )
        )
    with site_language():
        title = _("Compilation of replies")
        return ReplyCompilation(
            session=_session_name(session),
            title=title,
            count_line=ngettext("%(count)s reply", "%(count)s replies", len(entries)) % {"count": len(entries)},
            date=chinese_date(timezone.localdate()),
            contents_title=_("Contents"),
            entries=entries,
            filename=f"{session.name}{title}.docx",
        )
