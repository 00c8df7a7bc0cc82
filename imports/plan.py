"""Checking a workbook before anything is written: every problem by sheet, row and column.

``check(content)`` reads the workbook and returns a ``Plan``: the proposals to write (each with its
assignments, replies and feedback, resolved to rows of the system), the proposals skipped because an
earlier import already wrote them, and the problems. A plan with problems is never written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO

import docx
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Unit, User
from imports.models import ImportedProposal
from imports.workbook import Row, WorkbookError, day, read, text
from proposals.models import Category, Proposal, Session
from responses.choices import REPLYING_ROLES, AssignmentRole, Satisfaction
from responses.models import ReplyCategory

ROLE_NAMES = {"主办": AssignmentRole.LEAD, "会办": AssignmentRole.COHANDLING, "分办": AssignmentRole.SEPARATE}
RATING_NAMES = {"满意": Satisfaction.SATISFIED, "基本满意": Satisfaction.BASICALLY, "不满意": Satisfaction.DISSATISFIED}
SEPARATORS = re.compile(r"[,，、;；\s]+")
TITLE_MAX = Proposal._meta.get_field("title").max_length


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class FeedbackPlan:
    user: User
    attitude: str
    result: str
    comment: str
    given: dt.date


@dataclass
class ReplyPlan:
    category: ReplyCategory
    letter_number: str
    sent: dt.date
    body: str
    contact_person: str
    contact_phone: str
    feedback: list[FeedbackPlan] = field(default_factory=list)


@dataclass
class AssignmentPlan:
    unit: Unit
    role: str
    assigned: dt.date
    due: dt.date | None
    reply: ReplyPlan | None = None


@dataclass
class ProposalPlan:
    session: Session
    number: str
    title: str
    lead: User
    cosigners: list[User]
    category: Category | None
    background: str
    suggestions: str
    submitted: dt.date
    accepted: dt.date
    assignments: dict[int, AssignmentPlan] = field(default_factory=dict)  # by unit id
    assignment_rows: dict[int, Row] = field(default_factory=dict)  # the sheet's row of each, for problems


@dataclass
class Plan:
    proposals: list[ProposalPlan] = field(default_factory=list)
    skipped: int = 0  # proposals an earlier import wrote: importing again changes nothing
    problems: list[Problem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        assignments = [a for p in self.proposals for a in p.assignments.values()]
        replies = [a.reply for a in assignments if a.reply]
        return {
            "proposals": len(self.proposals),
            "assignments": len(assignments),
            "replies": len(replies),
            "feedback": sum(len(r.feedback) for r in replies),
            "skipped": self.skipped,
        }


class Reference:
    """The system's rows the workbook names, loaded once: sessions, members, units, categories."""

    def __init__(self) -> None:
        sessions = list(Session.objects.all())
        self.sessions = {s.name: s for s in sessions}
        self.sessions_by_pk = {s.pk: s for s in sessions}
        members = User.objects.filter(role=Role.MEMBER).select_related("member_profile")
        self.members: dict[str, User] = {}
        for user in members:
            self.members[user.username] = user
            profile = getattr(user, "member_profile", None)
            if profile is not None:
                self.members[profile.member_number] = user
        self.units: dict[str, Unit] = {}
        for unit in Unit.objects.all():
            self.units[unit.name] = unit
            if unit.short_name:
                self.units.setdefault(unit.short_name, unit)
        self.categories = {c.name: c for c in Category.objects.all()}
        self.reply_categories = {c.code.upper(): c for c in ReplyCategory.objects.all()}


def letter_text(content: bytes) -> str | None:
    """The paragraphs of a .docx letter as text; None when the file is no .docx."""
    try:
        document = docx.Document(BytesIO(content))
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a file that is not a .docx
        return None
    return "\n".join(paragraph.text for paragraph in document.paragraphs).strip()


class Checker:
    def __init__(self, rows: dict[str, list[Row]], letters: Mapping[str, bytes] | None = None) -> None:
        self.rows = rows
        self.letters = letters or {}
        self.ref = Reference()
        self.plan = Plan()
        self.by_key: dict[tuple[int, str], ProposalPlan] = {}
        self.imported: set[tuple[int, str]] = set()
        self.refused: set[tuple[int, str]] = set()  # proposals with problems of their own, already reported
        self.refused_replies: set[tuple[str, int]] = set()  # (number, unit) of reply rows with problems

    def problem(self, row: Row, column: str, message: str) -> None:
        header = next((c.header for c in row.sheet.columns if c.key == column), column)
        self.plan.problems.append(Problem(row.sheet.title, row.number, header, message))

    # -- cells ---------------------------------------------------------------------------------

    def required(self, row: Row, column: str) -> str:
        value = text(row.values.get(column))
        if not value:
            self.problem(row, column, _("This column must not be empty."))
        return value

    def date(self, row: Row, column: str, *, required: bool = True) -> dt.date | None:
        raw = row.values.get(column)
        if raw is None or text(raw) == "":
            if required:
                self.problem(row, column, _("This column must not be empty."))
            return None
        value = day(raw)
        if value is None:
            self.problem(row, column, _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text(raw)})
        elif value > timezone.localdate():
            self.problem(row, column, _("The date %(date)s is in the future.") % {"date": value})
            return None
        return value

    def member(self, row: Row, column: str, name: str) -> User | None:
        user = self.ref.members.get(name)
        if user is None:
            self.problem(row, column, _("No member with the number or user name “%(name)s”.") % {"name": name})
        return user

    def key(self, row: Row) -> tuple[int, str] | None:
        number, name = self.required(row, "number"), self.required(row, "session")
        if not (number and name):
            return None
        session = self.ref.sessions.get(name)
        if session is None:
            self.problem(row, "session", _("No session named “%(name)s”.") % {"name": name})
            return None
        return session.pk, number

    def unit(self, row: Row) -> Unit | None:
        name = self.required(row, "unit")
        if not name:
            return None
        unit = self.ref.units.get(name)
        if unit is None:
            self.problem(row, "unit", _("No unit named “%(name)s”.") % {"name": name})
        return unit

    def owner(self, row: Row) -> ProposalPlan | None:
        """The proposal a row of another sheet belongs to; None (quietly) when an earlier import wrote it."""
        key = self.key(row)
        if key is None or key in self.imported or key in self.refused:
            return None
        proposal = self.by_key.get(key)
        if proposal is None:
            self.problem(row, "number", _("Proposal %(number)s is not on the proposals sheet.") % {"number": key[1]})
        return proposal

    # -- sheets --------------------------------------------------------------------------------

    def run(self) -> Plan:
        existing = self._existing_numbers()
        for row in self.rows["proposals"]:
            self.proposal(row, existing)
        for row in self.rows["assignments"]:
            self.assignment(row)
        for proposal in self.plan.proposals:
            self._check_units(proposal)
        for row in self.rows["replies"]:
            self.reply(row)
        for row in self.rows["feedback"]:
            self.feedback(row)
        return self.plan

    def _existing_numbers(self) -> dict[tuple[int, str], bool]:
        """(session, number) of the proposals already in the system named by the sheet → whether imported."""
        numbers = {text(row.values.get("number")) for row in self.rows["proposals"]}
        rows = Proposal.objects.filter(number__in=numbers - {""}).values_list("pk", "session_id", "number")
        rows = list(rows)
        imported = set(
            ImportedProposal.objects.filter(proposal_id__in=[pk for pk, *_ in rows]).values_list(
                "proposal_id", flat=True
            )
        )
        return {(session, number): pk in imported for pk, session, number in rows}

    def proposal(self, row: Row, existing: dict[tuple[int, str], bool]) -> None:
        key = self.key(row)
        title = self.required(row, "title")
        if len(title) > TITLE_MAX:
            self.problem(row, "title", _("The title is longer than %(count)d characters.") % {"count": TITLE_MAX})
        lead_name = self.required(row, "lead")
        lead = self.member(row, "lead", lead_name) if lead_name else None
        cosigners = []
        for name in SEPARATORS.split(text(row.values.get("cosigners"))):
            if name:
                user = self.member(row, "cosigners", name)
                if user is not None and user != lead and user not in cosigners:
                    cosigners.append(user)
        category = None
        category_name = text(row.values.get("category"))
        if category_name:
            category = self.ref.categories.get(category_name)
            if category is None:
                self.problem(row, "category", _("No category named “%(name)s”.") % {"name": category_name})
        suggestions = self.required(row, "suggestions")
        submitted = self.date(row, "submitted")
        accepted = self.date(row, "accepted", required=False) or submitted
        if submitted and accepted and accepted < submitted:
            self.problem(row, "accepted", _("A proposal is accepted after it is submitted."))
        if key is None:
            return
        if key in self.by_key or key in self.imported:
            self.problem(row, "number", _("Proposal %(number)s appears twice on this sheet.") % {"number": key[1]})
            return
        if key in existing:
            if existing[key]:
                self.imported.add(key)
                self.plan.skipped += 1
            else:
                self.problem(
                    row, "number", _("Proposal %(number)s already exists in this session.") % {"number": key[1]}
                )
                self.refused.add(key)
            return
        if None in (lead, submitted) or not (title and suggestions) or len(title) > TITLE_MAX:
            self.refused.add(key)
            return
        plan = ProposalPlan(
            session=self.ref.sessions_by_pk[key[0]],
            number=key[1],
            title=title,
            lead=lead,
            cosigners=cosigners,
            category=category,
            background=text(row.values.get("background")),
            suggestions=suggestions,
            submitted=submitted,
            accepted=accepted,
        )
        self.by_key[key] = plan
        self.plan.proposals.append(plan)

    def assignment(self, row: Row) -> None:
        proposal = self.owner(row)
        unit = self.unit(row)
        role_name = self.required(row, "role")
        role = ROLE_NAMES.get(role_name) or (role_name if role_name in AssignmentRole.values else None)
        if role_name and role is None:
            self.problem(row, "role", _("Write 主办, 会办 or 分办, not “%(value)s”.") % {"value": role_name})
        assigned = self.date(row, "assigned")
        due = self.date(row, "due", required=False)
        if proposal is None or unit is None or role is None or assigned is None:
            return
        if assigned < proposal.accepted:
            self.problem(row, "assigned", _("A proposal is assigned after it is accepted."))
            return
        if due is not None and due < assigned:
            self.problem(row, "due", _("The reply is due after the assignment date."))
            return
        if unit.pk in proposal.assignments:
            self.problem(
                row, "unit", _("This unit is named twice for proposal %(number)s.") % {"number": proposal.number}
            )
            return
        proposal.assignments[unit.pk] = AssignmentPlan(unit=unit, role=role, assigned=assigned, due=due)
        proposal.assignment_rows[unit.pk] = row

    def _check_units(self, proposal: ProposalPlan) -> None:
        """As ``assign_proposal``: one lead unit with co-handling units, or separate units only."""
        roles = [a.role for a in proposal.assignments.values()]
        if not roles:
            return
        first = next(iter(proposal.assignment_rows.values()))
        if roles.count(AssignmentRole.LEAD) > 1:
            self.problem(
                first, "role", _("Proposal %(number)s has more than one lead unit.") % {"number": proposal.number}
            )
        elif AssignmentRole.COHANDLING in roles and AssignmentRole.LEAD not in roles:
            self.problem(
                first,
                "role",
                _("Co-handling units need a lead unit (proposal %(number)s).") % {"number": proposal.number},
            )
        elif AssignmentRole.LEAD in roles and AssignmentRole.SEPARATE in roles:
            self.problem(
                first,
                "role",
                _("A lead unit and separate units cannot be mixed (proposal %(number)s).")
                % {"number": proposal.number},
            )

    def reply(self, row: Row) -> None:
        proposal = self.owner(row)
        unit = self.unit(row)
        code = self.required(row, "category").upper()
        category = self.ref.reply_categories.get(code) if code else None
        if code and category is None:
            self.problem(row, "category", _("No reply category with the code “%(code)s”.") % {"code": code})
        sent = self.date(row, "sent")
        body = text(row.values.get("body"))
        letter = text(row.values.get("letter_file"))
        if letter and not body:
            content = self.letters.get(letter)
            if content is None:
                self.problem(
                    row, "letter_file", _("No letter file named “%(name)s” came with the workbook.") % {"name": letter}
                )
            else:
                body = letter_text(content) or ""
                if not body:
                    self.problem(row, "letter_file", _("“%(name)s” is no .docx letter with text.") % {"name": letter})
        elif not letter and not body:
            self.problem(row, "body", _("Give the letter's text, or the name of its .docx file under 答复函文件."))
        if proposal is None or unit is None:
            return
        assignment = proposal.assignments.get(unit.pk)
        if assignment is None:
            self.problem(
                row,
                "unit",
                _("This unit is not assigned proposal %(number)s on the assignments sheet.")
                % {"number": proposal.number},
            )
            return
        if assignment.role not in REPLYING_ROLES:
            self.problem(row, "unit", _("A co-handling unit sends no reply."))
            return
        if assignment.reply is not None:
            self.problem(
                row, "unit", _("This unit's reply to proposal %(number)s appears twice.") % {"number": proposal.number}
            )
            return
        if sent is not None and sent < assignment.assigned:
            self.problem(row, "sent", _("A reply is sent after the assignment date."))
            return
        if category is None or sent is None or not body:
            self.refused_replies.add((proposal.number, unit.pk))
            return
        assignment.reply = ReplyPlan(
            category=category,
            letter_number=text(row.values.get("letter_number"))[:60],
            sent=sent,
            body=body,
            contact_person=text(row.values.get("contact_person"))[:40],
            contact_phone=text(row.values.get("contact_phone"))[:40],
        )

    def feedback(self, row: Row) -> None:
        proposal = self.owner(row)
        unit = self.unit(row)
        name = self.required(row, "member")
        user = self.member(row, "member", name) if name else None
        ratings = {}
        for column in ("attitude", "result"):
            value = self.required(row, column)
            ratings[column] = RATING_NAMES.get(value) or (value if value in Satisfaction.values else None)
            if value and ratings[column] is None:
                self.problem(row, column, _("Write 满意, 基本满意 or 不满意, not “%(value)s”.") % {"value": value})
        comment = text(row.values.get("comment"))
        if Satisfaction.DISSATISFIED in ratings.values() and not comment:
            self.problem(row, "comment", _("Say what the proposer was dissatisfied with."))
        given = self.date(row, "given", required=False)
        if proposal is None or unit is None or user is None or None in ratings.values():
            return
        if user != proposal.lead and user not in proposal.cosigners:
            self.problem(
                row,
                "member",
                _("%(name)s is not a proposer of proposal %(number)s.") % {"name": name, "number": proposal.number},
            )
            return
        assignment = proposal.assignments.get(unit.pk)
        reply = assignment.reply if assignment else None
        if reply is None and (proposal.number, unit.pk) in self.refused_replies:
            return  # the reply's own row has its problems reported
        if reply is None:
            self.problem(
                row,
                "unit",
                _("This unit has no reply to proposal %(number)s on the replies sheet.") % {"number": proposal.number},
            )
            return
        if any(item.user == user for item in reply.feedback):
            self.problem(row, "member", _("This proposer rated this reply twice."))
            return
        reply.feedback.append(
            FeedbackPlan(
                user=user,
                attitude=ratings["attitude"],
                result=ratings["result"],
                comment=comment,
                given=given or reply.sent,
            )
        )


def check(content: bytes, letters: Mapping[str, bytes] | None = None) -> Plan:
    """The plan of a workbook's import, with every problem found; nothing is written. ``letters`` maps the
    file names the replies sheet gives under 答复函文件 to the .docx files' contents."""
    try:
        rows, sheet_problems = read(content)
    except WorkbookError as exc:
        return Plan(problems=[Problem("", None, "", str(exc))])
    plan = Checker(rows, letters).run()
    plan.problems[:0] = [Problem(sheet, None, "", message) for sheet, message in sheet_problems]
    return plan
