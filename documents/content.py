"""What the proposal form (提案单) shows, as text, built once for the print view and the .docx.

``form_proposals(user)`` is the one query (``Proposal.objects.visible_to`` with what a form reads
prefetched: proposers with their sector and work unit, suggested units, the handling units the user
may see, the review decision's event); ``proposal_form(proposal)`` turns one of its rows into a
``ProposalForm``. The compilation (``documents.compilation``) is the same forms, one after another.

An official document is filed in the site's language (Chinese), whoever looks at it: its fixed words
are built here in that language (``Words``), like the reply letter's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from proposals.choices import EventVerb, ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Event, Proposal, Proposer
from proposals.workflow import site_language
from responses.choices import AssignmentRole, AssignmentStatus
from responses.letters import chinese_date
from responses.models import Assignment

IDEOGRAPHIC_SPACE = "\u3000"
DECISION_VERBS = [EventVerb.ACCEPTED, EventVerb.REJECTED, EventVerb.MERGED]
ACCEPTED_STATUSES = {ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.CLOSED}


@dataclass(frozen=True)
class Words:
    """The form's fixed words, in the site's language."""

    heading: str
    number: str
    category: str
    session: str
    kind: str
    submitted: str
    title: str
    proposers: str
    name: str
    sector: str
    work_unit: str
    background: str
    suggestions: str
    suggested_units: str
    decision: str
    handling_units: str
    none: str = "—"


def words() -> Words:
    with site_language():
        return Words(
            heading=pgettext("proposal form", "Proposal form"),
            number=pgettext("proposal form", "Proposal number"),
            category=pgettext("proposal form", "Category"),
            session=pgettext("proposal form", "Session"),
            kind=pgettext("proposal form", "Kind"),
            submitted=pgettext("proposal form", "Submitted on"),
            title=pgettext("proposal form", "Title"),
            proposers=pgettext("proposal form", "Proposers"),
            name=pgettext("proposal form", "Name"),
            sector=pgettext("proposal form", "Sector"),
            work_unit=pgettext("proposal form", "Work unit and position"),
            background=pgettext("proposal form", "Situation analysis"),
            suggestions=pgettext("proposal form", "Suggestions"),
            suggested_units=pgettext("proposal form", "Suggested handling units"),
            decision=pgettext("proposal form", "Review decision"),
            handling_units=pgettext("proposal form", "Handling units"),
        )


@dataclass(frozen=True)
class Person:
    """A proposer as the form lists them: name, role, sector (界别), work unit and position."""

    name: str
    role: str
    sector: str
    work_unit: str
    is_lead: bool = False


@dataclass(frozen=True)
class Decision:
    """The committee's review decision: 立案 / 不予立案 / 并案 (or not reviewed yet), its date and note."""

    label: str
    date: str = ""
    note: str = ""


@dataclass(frozen=True)
class UnitGroup:
    """The handling units of one role (主办单位：…)."""

    role: str
    names: list[str]


@dataclass(frozen=True)
class ProposalForm:
    """Everything the proposal form shows, as text, in reading order."""

    pk: int
    number: str
    number_text: str  # 第2023160号, or "" before a number is given
    session: str
    category: str
    category_order: tuple[int, str]
    kind: str
    submitted: str
    title: str
    proposers: list[Person]
    background: list[str]
    suggestions: list[str]
    suggested_units: list[str]
    decision: Decision
    units: list[UnitGroup]
    words: Words
    filename: str = "proposal.docx"

    @property
    def anchor(self) -> str:
        """The id of the proposal in a compilation (the contents' links point at it)."""
        return f"proposal-{self.pk}"

    @property
    def lead(self) -> Person | None:
        return next((p for p in self.proposers if p.is_lead), None)

    @property
    def proposer_names(self) -> str:
        return "、".join(p.name for p in self.proposers)

    @property
    def unit_line(self) -> str:
        """主办单位：区工信局；会办单位：区发改局 (one line, for the compilation)."""
        return "；".join(f"{group.role}：{'、'.join(group.names)}" for group in self.units)


def form_proposals(user) -> QuerySet[Proposal]:
    """The proposals ``user`` may see, with everything a form reads fetched in a fixed number of queries."""
    proposers = (
        Proposer.objects.filter(Q(role=ProposerRole.LEAD) | Q(status=ProposerStatus.CONFIRMED))
        .select_related("user__member_profile")
        .order_by("order", "pk")
    )
    assignments = (
        Assignment.objects.visible_to(user)
        .exclude(status=AssignmentStatus.RETURNED)
        .select_related("unit")
        .annotate(role_order=AssignmentRole.rank_expression())
        .order_by("role_order", "pk")
    )
    decisions = Event.objects.filter(verb__in=DECISION_VERBS).order_by("created_at", "pk")
    return (
        Proposal.objects.visible_to(user)
        .select_related("session", "category", "merged_into")
        .prefetch_related(
            Prefetch("proposers", queryset=proposers, to_attr="form_proposers"),
            Prefetch("suggested_units", to_attr="form_suggested_units"),
            Prefetch("assignments", queryset=assignments, to_attr="form_assignments"),
            Prefetch("events", queryset=decisions, to_attr="form_decisions"),
        )
    )


def paragraphs(text: str) -> list[str]:
    """One paragraph per non-empty line: how members type these texts."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _person(proposer: Proposer) -> Person:
    # A proposer without a member profile (an account made by hand) has no sector or work unit to show.
    profile = getattr(proposer.user, "member_profile", None)
    return Person(
        name=proposer.user.display_name,
        role=str(ProposerRole(proposer.role).label),
        sector=profile.sector if profile else "",
        work_unit=profile.title if profile else "",
        is_lead=proposer.role == ProposerRole.LEAD,
    )


def _day(moment: dt.datetime | None) -> str:
    return chinese_date(timezone.localdate(moment)) if moment else ""


def _decision(proposal: Proposal) -> Decision:
    """The review decision as the committee recorded it (its event: when, and the note written)."""
    events = {event.verb: event for event in getattr(proposal, "form_decisions", [])}
    status = proposal.status
    if status in ACCEPTED_STATUSES:
        event = events.get(EventVerb.ACCEPTED)
        return Decision(
            _("Accepted (立案)"), _day(event.created_at if event else proposal.accepted_at), event.note if event else ""
        )
    if status == ProposalStatus.REJECTED:
        event = events.get(EventVerb.REJECTED)
        note = [proposal.get_rejection_ground_display()] if proposal.rejection_ground else []
        if proposal.rejection_reason:
            note.append(proposal.rejection_reason)
        if proposal.converted_to_suggestion:
            note.append(_("Passed on as an opinion (意见建议)."))
        return Decision(_("Not accepted (不予立案)"), _day(event.created_at if event else None), "；".join(note))
    if status == ProposalStatus.MERGED:
        event = events.get(EventVerb.MERGED)
        target = proposal.merged_into
        note = []
        if target is not None:
            note.append(
                _("Merged into proposal No. %(number)s “%(title)s”.")
                % {"number": target.number or "—", "title": target.title}
            )
        if event and event.note:
            note.append(event.note)
        return Decision(_("Merged (并案)"), _day(event.created_at if event else None), " ".join(note))
    if status == ProposalStatus.SUBMITTED:
        return Decision(_("Awaiting review"))
    if status == ProposalStatus.WITHDRAWN:
        return Decision(_("Withdrawn"))
    return Decision(_("Not submitted yet"))


def _units(proposal: Proposal) -> list[UnitGroup]:
    """The units handling the proposal now (its current round, not handed back), by role in the one order."""
    rows = [a for a in getattr(proposal, "form_assignments", []) if a.round == proposal.handling_round]
    groups = []
    for role in AssignmentRole.in_order():
        names = [a.unit.name for a in rows if a.role == role]
        if names:
            groups.append(UnitGroup(str(role.label), names))
    return groups


def proposal_form(proposal: Proposal) -> ProposalForm:
    """The form of one proposal, a row of ``form_proposals`` (which fetched what the form reads)."""
    session = proposal.session
    with site_language():
        form_words = words()
        people = [_person(p) for p in proposal.form_proposers]
        people.sort(key=lambda p: not p.is_lead)  # the lead proposer first, then the co-signers in their order
        if not people and proposal.collective_author:
            people = [Person(proposal.collective_author, str(ProposalKind.COLLECTIVE.label), "", "", True)]
        number_text = (
            pgettext("proposal form", "No. %(number)s") % {"number": proposal.number} if proposal.number else ""
        )
        form = ProposalForm(
            pk=proposal.pk,
            number=proposal.number,
            number_text=number_text,
            session=session.full_name or session.name,
            category=proposal.category.name if proposal.category_id else "",
            category_order=(proposal.category.order, proposal.category.name) if proposal.category_id else (1 << 30, ""),
            kind=proposal.get_kind_display(),
            submitted=_day(proposal.submitted_at),
            title=proposal.title,
            proposers=people,
            background=paragraphs(proposal.background),
            suggestions=paragraphs(proposal.suggestions),
            suggested_units=[unit.name for unit in sorted(proposal.form_suggested_units, key=lambda u: u.name)],
            decision=_decision(proposal),
            units=_units(proposal),
            words=form_words,
            filename=f"{proposal.number or proposal.pk}-{pgettext('file name', 'proposal form')}.docx",
        )
    return form
