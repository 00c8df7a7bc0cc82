"""The demo's building blocks: each one workflow step, done by the service the pages call, as the
demo user whose step it is, and dated by the clock (see ``responses.demo.clock``).

Services are called through their modules (``services.accept_proposal``, ``handling.send_reply``),
so the demo follows them wherever they move inside those modules.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from proposals import drafting, paper, services
from proposals.choices import EventVerb, ProposalKind
from proposals.models import Event, Proposal, Proposer, Session
from responses import services as handling
from responses.choices import AssignmentRole, ReplyStatus
from responses.deadlines import WorkCalendar, assignment_deadlines
from responses.demo.clock import Clock
from responses.demo.people import UNIT_PHONES, UNIT_STAFF
from responses.models import Assignment, Countersign, Feedback, Opinion, Reply


class Steps:
    """Mixin of the Seeder: ``self.user``, ``self.unit``, ``self.category``, ``self.reply_category`` and
    ``self.log`` come from it."""

    today: dt.date
    clock: Clock
    user: dict[str, User]
    log: list[str]

    # -- dates ---------------------------------------------------------------------------

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    @staticmethod
    def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    # -- people --------------------------------------------------------------------------

    @property
    def committee(self) -> User:
        return self.user["committee"]

    def handler(self, assignment: Assignment) -> User:
        return self.user[UNIT_STAFF[assignment.unit.name][0]]

    def unit_leader(self, assignment: Assignment) -> User:
        return self.user[UNIT_STAFF[assignment.unit.name][1]]

    @staticmethod
    def lead_of(proposal: Proposal) -> User:
        return proposal.created_by

    # -- intake (proposals.drafting, proposals.services) ----------------------------------

    def new_proposal(
        self,
        session: Session,
        title: str,
        lead: User,
        *,
        created: dt.datetime,
        category: str,
        background: str,
        suggestions: str,
        kind: str = ProposalKind.INDIVIDUAL,
        collective_author: str = "",
        attachment: tuple[str, str] | None = None,
    ) -> Proposal | None:
        """A member's draft; None when the story already exists (its title in its session is the marker)."""
        if Proposal.objects.filter(session=session, title=title).exists():
            return None
        files = []
        if attachment is not None:
            name, text = attachment
            files.append(SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain"))
        data = {
            "title": title,
            "background": background,
            "suggestions": suggestions,
            "category": self.category[category],
            "kind": kind,
            "collective_author": collective_author,
            "publication_consent": True,
        }
        with self.clock.at(created):
            proposal = drafting.create_draft(actor=lead, session=session, data=data, files=files)
        self.log.append(f"proposal 《{title}》 ({session.name})")
        self.made.append(proposal.pk)
        return proposal

    def enter_paper(
        self,
        session: Session,
        title: str,
        lead: User,
        cosigners: list[User],
        *,
        entered: dt.datetime,
        category: str,
        background: str,
        suggestions: str,
        scan: SimpleUploadedFile | None = None,
    ) -> Proposal | None:
        """代提交: committee staff enter a member's paper proposal, submitted at once; None when the story
        already exists (its title in its session is the marker)."""
        if Proposal.objects.filter(session=session, title=title).exists():
            return None
        data = {
            "title": title,
            "background": background,
            "suggestions": suggestions,
            "category": self.category[category],
            "publication_consent": True,
        }
        with self.clock.at(entered):
            proposal = paper.enter_paper_proposal(
                actor=self.committee, session=session, lead=lead, cosigners=cosigners, data=data, scan=scan
            )
        self.log.append(f"paper proposal 《{title}》 ({session.name})")
        self.made.append(proposal.pk)
        return proposal

    def invite(self, proposal: Proposal, user: User, when: dt.datetime) -> Proposer:
        with self.clock.at(when):
            return services.invite_cosigner(proposal, actor=self.lead_of(proposal), user=user)

    def answer(self, proposer: Proposer, when: dt.datetime, *, accept: bool = True) -> None:
        with self.clock.at(when):
            services.answer_invitation(proposer, actor=proposer.user, accept=accept)

    def submit(self, proposal: Proposal, when: dt.datetime) -> None:
        with self.clock.at(when):
            services.submit_proposal(proposal, actor=self.lead_of(proposal))

    def withdraw(self, proposal: Proposal, when: dt.datetime, reason: str) -> None:
        with self.clock.at(when):
            services.withdraw_proposal(proposal, actor=self.lead_of(proposal), reason=reason)

    def accept(self, proposal: Proposal, when: dt.datetime) -> Proposal:
        """立案; the proposal comes back with its number.

        Its acceptance date is set to the demo time at once (not at the final backdating): the assignment
        date that follows is checked against it, and a demo assignment is dated in the past."""
        with self.clock.at(when):
            proposal = services.accept_proposal(proposal, actor=self.committee)
        Proposal.objects.filter(pk=proposal.pk).update(accepted_at=when)
        proposal.accepted_at = when
        return proposal

    def reject(self, proposal: Proposal, when: dt.datetime, **decision) -> None:
        with self.clock.at(when):
            services.reject_proposal(proposal, actor=self.committee, **decision)

    def merge(self, proposal: Proposal, into: Proposal, when: dt.datetime, note: str = "") -> None:
        with self.clock.at(when):
            services.merge_proposal(proposal, actor=self.committee, into=into, note=note)

    def mark_key(self, proposal: Proposal, when: dt.datetime, supervisor: User, note: str = "") -> None:
        with self.clock.at(when):
            services.mark_key_proposal(proposal, actor=self.committee, supervisor=supervisor, note=note)

    def supervise(self, proposal: Proposal, when: dt.datetime, body: str) -> None:
        with self.clock.at(when):
            services.add_supervision_note(proposal, actor=self.user["leader"], body=body)

    def publish(self, proposal: Proposal, when: dt.datetime) -> None:
        with self.clock.at(when):
            handling.publish_proposal(proposal, actor=self.committee)

    # -- handling (responses.services) -------------------------------------------------------

    def assign(
        self, proposal: Proposal, on: dt.date, *units_roles: tuple[str, str], window_open: bool = False
    ) -> list[Assignment]:
        """交办 on ``on`` at 09:30: the service computes the due dates from that day.

        ``window_open``: the unit will ask for a return, which the service allows only while the return
        window is open today; the assignment is then made today, and ``redate`` moves its due dates to
        ``on`` once the return has been asked for.
        """
        pairs = [(self.unit[name], role) for name, role in units_roles]
        with self.clock.at(self.at(on, 9, 30)):
            rows = handling.assign_proposal(
                proposal, actor=self.committee, units_roles=pairs, assigned_on=None if window_open else on
            )
        return rows

    def redate(self, assignments: list[Assignment], on: dt.date) -> None:
        """Due dates counted again from the demo day ``on`` through ``responses.deadlines``, for assignments
        a service made today (a return still to be asked for, a round opened by a 不满意 rating); the event
        that made them says so too."""
        cal = WorkCalendar.load()
        due = {}
        for row in assignments:
            session = row.proposal.session
            fields = assignment_deadlines(session, on, with_opinion=row.role == AssignmentRole.COHANDLING, cal=cal)
            Assignment.objects.filter(pk=row.pk).update(assigned_on=on, **fields)
            due[row.pk] = str(fields["reply_due"])
        proposal = assignments[0].proposal
        verbs = [EventVerb.ASSIGNED, EventVerb.REHANDLING]
        for event in Event.objects.filter(proposal=proposal, verb__in=verbs).order_by("pk"):
            items = event.data.get("assignments", [])
            if not any(item.get("id") in due for item in items):
                continue
            data = {
                **event.data,
                "assignments": [{**item, "reply_due": due.get(item["id"], item["reply_due"])} for item in items],
            }
            if "assigned_on" in data:
                data["assigned_on"] = on.isoformat()
            Event.objects.filter(pk=event.pk).update(data=data)

    def take(self, assignment: Assignment, on: dt.date) -> None:
        """签收 by the unit's handler."""
        with self.clock.at(self.at(on, 15)):
            handling.accept_assignment(assignment, actor=self.handler(assignment))

    def ask_return(self, assignment: Assignment, when: dt.datetime, reason: str, suggested: str | None = None):
        suggested_unit = self.unit[suggested] if suggested else None
        with self.clock.at(when):
            return handling.request_return(
                assignment, actor=self.handler(assignment), reason=reason, suggested_unit=suggested_unit
            )

    def decide_return(self, request, when: dt.datetime, *, approve: bool, note: str = "") -> None:
        with self.clock.at(when):
            handling.decide_return(request, actor=self.committee, approve=approve, note=note)

    def ask_extension(self, assignment: Assignment, when: dt.datetime, until: dt.date, reason: str):
        with self.clock.at(when):
            return handling.request_extension(
                assignment, actor=self.handler(assignment), requested_until=until, reason=reason
            )

    def decide_extension(self, request, when: dt.datetime, *, approve: bool, note: str = "") -> None:
        with self.clock.at(when):
            handling.decide_extension(request, actor=self.committee, approve=approve, note=note)
        if approve:
            # The service dates its explanation "approved on <today>": the demo's day of approval instead.
            Assignment.objects.filter(pk=request.assignment_id).update(
                reply_due_note=Assignment.objects.get(pk=request.assignment_id).reply_due_note.replace(
                    timezone.localdate().isoformat(), timezone.localdate(when).isoformat()
                )
            )

    def opinion(self, assignment: Assignment, when: dt.datetime, body: str) -> Opinion:
        with self.clock.at(when):
            return handling.send_opinion(assignment, actor=self.handler(assignment), body=body)

    def waive(self, assignment: Assignment, when: dt.datetime, reason: str) -> None:
        """The committee lets the lead unit reply without this co-handler's opinion."""
        with self.clock.at(when):
            handling.waive_opinion(assignment, actor=self.committee, reason=reason)

    def followup(self, assignment: Assignment, *, drafted: dt.date, sent: dt.date, body: str, letter_number: str):
        """跟踪答复: the follow-up reply a commitment date called for, drafted, signed off and sent by ``sent``."""
        handler = self.handler(assignment)
        data = {
            "category": Reply.objects.get(assignment=assignment, is_followup=False, round=assignment.round).category,
            "letter_number": letter_number,
            "body": body,
            "contact_person": handler.display_name,
            "contact_phone": assignment.unit.phone or UNIT_PHONES[assignment.unit.name],
        }
        with self.clock.at(self.at(drafted, 11)):
            reply = handling.save_reply_draft(assignment, actor=handler, data=data, base_version=None, followup=True)
        with self.clock.at(self.at(drafted + dt.timedelta(days=1), 16)):
            handling.submit_reply(reply, actor=handler)
        with self.clock.at(self.at(sent - dt.timedelta(days=1), 17)):
            handling.sign_reply(reply, actor=self.unit_leader(assignment))
        with self.clock.at(self.at(sent, 10)):
            handling.send_reply(reply, actor=handler)
        return reply

    def contact(self, assignment: Assignment, on: dt.date, method: str, participants: str, notes: str) -> None:
        with self.clock.at(self.at(on, 17)):
            handling.log_contact(
                assignment,
                actor=self.handler(assignment),
                contacted_on=on,
                method=method,
                participants=participants,
                notes=notes,
            )

    def reply(
        self,
        assignment: Assignment,
        *,
        drafted: dt.date,
        body: str,
        letter_number: str,
        category: str,
        until: str = ReplyStatus.SENT,
        sent: dt.date | None = None,
        commitment_date: dt.date | None = None,
        sent_back: tuple[dt.date, str] | None = None,
    ) -> Reply:
        """The reply letter through its steps up to ``until``: drafted and submitted by the handler
        (two days later, or four days before it is sent), signed off by the unit leader the day before
        it is sent, sent by the handler. ``sent_back`` = (day, comments): the leader sends the
        submitted draft back, and it stays a draft. Where the session has the committee review replies
        (督办审核), the handler's send hands the letter to the committee, where it stays.

        A commitment date in the past (the 2023 case) is refused by the service, which wants one in the
        future: the draft carries a placeholder and the real date is written once the letter is sent.
        """
        handler = self.handler(assignment)
        placeholder = commitment_date
        if commitment_date is not None and commitment_date <= timezone.localdate():
            placeholder = timezone.localdate() + dt.timedelta(days=30)
        data = {
            "category": self.reply_category[category],
            "letter_number": letter_number,
            "body": body,
            "contact_person": handler.display_name,
            # A unit that was there before the demo may have no phone on record: the demo's number then.
            "contact_phone": assignment.unit.phone or UNIT_PHONES[assignment.unit.name],
            "commitment_date": placeholder,
        }
        with self.clock.at(self.at(drafted, 11)):
            reply = handling.save_reply_draft(assignment, actor=handler, data=data, base_version=None)
        if until == ReplyStatus.DRAFT and sent_back is None:
            return reply
        submitted = drafted + dt.timedelta(days=2) if sent is None else max(drafted, sent - dt.timedelta(days=4))
        with self.clock.at(self.at(submitted, 16)):
            handling.submit_reply(reply, actor=handler)
        if sent_back is not None:
            on, comments = sent_back
            with self.clock.at(self.at(on, 10)):
                handling.send_back_reply(reply, actor=self.unit_leader(assignment), comments=comments)
            return reply
        if until == ReplyStatus.AWAITING_SIGNOFF:
            return reply
        signed = (sent or submitted + dt.timedelta(days=2)) - dt.timedelta(days=1)
        with self.clock.at(self.at(signed, 17)):
            handling.sign_reply(reply, actor=self.unit_leader(assignment))
        if until == ReplyStatus.SIGNED:
            return reply
        with self.clock.at(self.at(sent, 10)):
            handling.send_reply(reply, actor=handler)
        if placeholder != commitment_date:
            Reply.objects.filter(pk=reply.pk).update(commitment_date=commitment_date)
        reply.refresh_from_db()
        return reply

    def paper_feedback(
        self, reply: Reply, user: User, on: dt.date, attitude: str, result: str, comment: str, form: SimpleUploadedFile
    ) -> Feedback:
        """代评价: the member rated on paper; committee staff record it with the form, with the same effects."""
        with self.clock.at(self.at(on, 15)):
            return handling.record_paper_feedback(
                reply,
                actor=self.committee,
                member=user,
                attitude=attitude,
                result=result,
                comment=comment,
                paper_form=form,
            )

    # -- countersigning (会签) and the committee's review (督办审核) -------------------------------

    def edit(self, reply: Reply, when: dt.datetime, **data) -> Reply:
        """The handler saves a new version of the draft (the version they opened is the saved one)."""
        reply.refresh_from_db()
        with self.clock.at(when):
            return handling.save_reply_draft(
                reply.assignment, actor=self.handler(reply.assignment), data=data, base_version=reply.version
            )

    def countersign_request(self, reply: Reply, when: dt.datetime) -> list[Countersign]:
        """The lead unit sends its draft, as it is, to the co-handling units for countersigning."""
        with self.clock.at(when):
            return handling.request_countersign(reply, actor=self.handler(reply.assignment))

    def countersign(self, row: Countersign, when: dt.datetime, *, agree: bool, comments: str = "") -> None:
        """The co-handling unit's handler agrees to the draft or returns it with comments."""
        with self.clock.at(when):
            handling.answer_countersign(row, actor=self.handler(row.assignment), agree=agree, comments=comments)

    def feedback(
        self, reply: Reply, user: User, on: dt.date, attitude: str, result: str, comment: str = ""
    ) -> Feedback:
        """满意度测评. The service then closes the proposal (every proposer has rated) or, on 不满意,
        starts a new handling round dated today: ``redate_round`` moves it to the demo's day."""
        with self.clock.at(self.at(on, 20)):
            return handling.give_feedback(reply, actor=user, attitude=attitude, result=result, comment=comment)
