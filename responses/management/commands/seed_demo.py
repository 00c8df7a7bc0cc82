"""manage.py seed_demo: the 福田区 demo data, built around the real case 第2023160号.

Idempotent: reference rows are fetched or created by their natural keys, and
each demo proposal is a "story" created only when no proposal with its title
exists in its session (the marker), together with its proposers, events,
assignments, replies, feedback and notifications. A second run creates nothing.

Rows are written directly through the models, with an Event for every step, so
timelines look as they will when the services write them. Dates are relative
to today, so deadlines are live: one assignment is overdue, one due in a few
days, and so on. Due dates come from ``responses.deadlines``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import MemberProfile, Unit, User
from proposals.choices import (
    EventVerb,
    ProposalKind,
    ProposalStatus,
    ProposerRole,
    ProposerStatus,
    RejectionGround,
)
from proposals.models import (
    Attachment,
    Category,
    Event,
    Notification,
    Proposal,
    Proposer,
    Session,
    SupervisionNote,
)
from responses.choices import AssignmentRole, AssignmentStatus, ContactMethod, ReplyStatus, Satisfaction
from responses.deadlines import WorkCalendar, add_months, assignment_deadlines, feedback_window_ends
from responses.models import Assignment, Contact, Feedback, Opinion, Reply, ReplyCategory

LETTER_FIXTURE = Path(__file__).resolve().parents[3] / "proposals" / "fixtures" / "futian-2023160-reply.txt"

CATEGORIES = ["经济建设", "城市建设", "社会事业", "文化教育", "科技创新", "生态环境", "法治建设", "其他"]

REPLY_CATEGORIES = [
    ("A", "已解决或采纳", "所提问题已经解决或建议已被采纳", False),
    ("B", "正在解决或列入计划解决", "所提问题正在解决或已列入计划逐步解决，需跟踪答复", True),
    ("C", "因条件限制暂不能解决", "受政策、财力等条件限制，目前暂不能解决", False),
    ("D", "留作参考", "所提建议留作工作参考", False),
]

# (name, short name, office phone)
UNITS = [
    ("深圳市福田区工业和信息化局", "区工信局", "0755-82978326"),
    ("深圳市福田区发展和改革局", "区发改局", "0755-82918210"),
    ("深圳市福田区科技创新局", "区科技创新局", "0755-82918735"),
    ("深圳市福田区教育局", "区教育局", "0755-82918452"),
    ("深圳市福田区卫生健康局", "区卫生健康局", "0755-82918580"),
    ("深圳市福田区住房和建设局", "区住建局", "0755-82918615"),
    ("深圳市福田区城市管理和综合执法局", "区城管局", "0755-82918760"),
    ("深圳市福田区文化广电旅游体育局", "区文广旅体局", "0755-82918390"),
    ("深圳市福田区人力资源局", "区人力资源局", "0755-82918122"),
    ("深圳市交通运输局福田管理局", "福田交通管理局", "0755-82918905"),
]
GONGXIN = "深圳市福田区工业和信息化局"
EDUCATION = "深圳市福田区教育局"
SCIENCE = "深圳市福田区科技创新局"

# Event notes are data, written in Chinese like the rest of the demo (not through gettext).
ROLE_ZH = {AssignmentRole.LEAD: "主办", AssignmentRole.COHANDLING: "会办", AssignmentRole.SEPARATE: "分办"}
METHOD_ZH = {
    ContactMethod.MEETING: "面谈",
    ContactMethod.PHONE: "电话",
    ContactMethod.FORUM: "座谈",
    ContactMethod.WRITTEN: "书面",
}
SATISFACTION_ZH = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit: str | None = None
    phone: str = ""
    # Member profile: (member number, sector 界别, party 党派, work unit and position)
    profile: tuple[str, str, str, str] | None = None


USERS = [
    DemoUser(
        "chencheng", "陈澄", Role.MEMBER, profile=("FT6-0160", "经济界", "无党派人士", "深圳市某时尚科技有限公司董事长")
    ),
    DemoUser("wangfang", "王芳", Role.MEMBER, profile=("FT6-0211", "教育界", "中国民主促进会", "福田区某中学副校长")),
    DemoUser("liming", "李明", Role.MEMBER, profile=("FT6-0087", "科学技术界", "九三学社", "某人工智能研究院研究员")),
    DemoUser(
        "huangli", "黄丽", Role.MEMBER, profile=("FT6-0132", "医药卫生界", "中国农工民主党", "福田区某医院主任医师")
    ),
    DemoUser(
        "zhangwei",
        "张伟",
        Role.MEMBER,
        profile=("FT6-0045", "工商联界", "中国民主建国会", "深圳市某电子有限公司总经理"),
    ),
    DemoUser("committee", "何静", Role.COMMITTEE, phone="0755-82918001"),
    DemoUser("handler", "刘洋", Role.UNIT_HANDLER, GONGXIN, phone="0755-82978326"),
    DemoUser("unitlead", "赵建国", Role.UNIT_LEADER, GONGXIN, phone="0755-82978300"),
    DemoUser("eduhandler", "孙丽", Role.UNIT_HANDLER, EDUCATION, phone="0755-82918452"),
    DemoUser("edulead", "吴敏", Role.UNIT_LEADER, EDUCATION, phone="0755-82918400"),
    DemoUser("kjhandler", "林涛", Role.UNIT_HANDLER, SCIENCE, phone="0755-82918735"),
    DemoUser("leader", "周海明", Role.LEADER, phone="0755-82918000"),
]


def letter_body() -> str:
    """The body of the reference letter: the paragraphs between the salutation and 特此回复。"""
    lines = [line.strip() for line in LETTER_FIXTURE.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("尊敬的"))
    end = next(i for i, line in enumerate(lines) if line == "特此回复。")
    return "\n".join(line for line in lines[start + 1 : end] if line)


class Command(BaseCommand):
    help = (
        "Create the 福田区 demo data (sessions, units, users, proposals in every state). Safe to run twice. "
        "Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set every demo user's password to settings.DEMO_PASSWORD again.",
        )

    def handle(self, *args, force: bool = False, reset_passwords: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off (a production database?). Use --force if you mean it."
            )
        seeder = Seeder(reset_passwords=reset_passwords)
        with transaction.atomic():
            seeder.run()
        if options.get("verbosity", 1) >= 1:
            for line in seeder.log:
                self.stdout.write(f"  {line}")
            if seeder.log:
                self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(seeder.log)} things created or updated."))
            else:
                self.stdout.write(self.style.SUCCESS("Demo data already present: nothing to do."))
            self.stdout.write(
                f"Demo accounts: {', '.join(u.username for u in USERS)} (password: settings.DEMO_PASSWORD)."
            )


class Seeder:
    def __init__(self, *, reset_passwords: bool = False) -> None:
        self.reset_passwords = reset_passwords
        self.log: list[str] = []
        self.today = timezone.localdate()
        self.cal = WorkCalendar.load()

    # -- helpers -----------------------------------------------------------------

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)

    @staticmethod
    def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def event(self, proposal, verb, actor, when, *, from_status="", to_status="", note="", obj=None, **data) -> None:
        Event.objects.create(
            proposal=proposal,
            actor=actor,
            verb=verb,
            from_status=from_status,
            to_status=to_status,
            note=note,
            object_type=obj._meta.model_name if obj is not None else "",
            object_id=obj.pk if obj is not None else None,
            data=data,
            created_at=when,
        )

    def notify(self, user, proposal, title, body, when, *, read=False) -> None:
        Notification.objects.create(
            user=user,
            proposal=proposal,
            title=title,
            body=body,
            url=reverse("portal:proposal_detail", args=[proposal.pk]),
            created_at=when,
            read_at=when + dt.timedelta(hours=2) if read else None,
        )

    # -- reference data ----------------------------------------------------------

    def run(self) -> None:
        self.sessions()
        self.categories()
        self.units()
        self.users()
        self.story_2023160()
        self.current_session_stories()

    def sessions(self) -> None:
        self.old, created = Session.objects.get_or_create(
            term=6,
            meeting=3,
            defaults={
                "name": "六届三次会议",
                "full_name": "深圳市福田区政协第六届第三次会议",
                "year": 2023,
                "opens_on": dt.date(2023, 1, 3),
                "closes_on": dt.date(2023, 2, 28),
            },
        )
        if created:
            self.log.append(f"session {self.old.name}")
        self.current, created = Session.objects.get_or_create(
            term=6,
            meeting=6,
            defaults={
                "name": "六届六次会议",
                "full_name": "深圳市福田区政协第六届第六次会议",
                "year": 2026,
                "opens_on": self.day(200),
                "closes_on": self.today + dt.timedelta(days=60),
                "cosign_cutoff": self.at(self.today + dt.timedelta(days=20), 18),
            },
        )
        if created:
            # Only when first created: a later choice of current session in the admin is left alone.
            Session.objects.filter(is_current=True).exclude(pk=self.current.pk).update(is_current=False)
            self.current.is_current = True
            self.current.save(update_fields=["is_current"])
            self.log.append(f"session {self.current.name} (current)")

    def categories(self) -> None:
        self.category = {}
        for order, name in enumerate(CATEGORIES, start=1):
            self.category[name], created = Category.objects.get_or_create(name=name, defaults={"order": order})
            if created:
                self.log.append(f"category {name}")
        self.reply_category = {}
        for order, (code, name, description, commitment) in enumerate(REPLY_CATEGORIES):
            self.reply_category[code], created = ReplyCategory.objects.get_or_create(
                code=code,
                defaults={"name": name, "description": description, "requires_commitment": commitment, "order": order},
            )
            if created:
                self.log.append(f"reply category {code} {name}")

    def units(self) -> None:
        self.unit = {}
        for name, short_name, phone in UNITS:
            self.unit[name], created = Unit.objects.get_or_create(
                name=name, defaults={"short_name": short_name, "phone": phone}
            )
            if created:
                self.log.append(f"unit {name}")

    def users(self) -> None:
        self.user = {}
        for spec in USERS:
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                user = User.objects.create_user(
                    username=spec.username,
                    email=f"{spec.username}@example.org",
                    password=settings.DEMO_PASSWORD,
                    full_name=spec.full_name,
                    role=spec.role,
                    unit=self.unit[spec.unit] if spec.unit else None,
                    phone=spec.phone,
                )
                self.log.append(f"user {spec.username} ({spec.full_name}, {user.get_role_display()})")
            elif self.reset_passwords:
                user.set_password(settings.DEMO_PASSWORD)
                user.save(update_fields=["password"])
                self.log.append(f"password reset for {spec.username}")
            if spec.profile and spec.role == Role.MEMBER and not MemberProfile.objects.filter(user=user).exists():
                number, sector, party, title = spec.profile
                if not MemberProfile.objects.filter(member_number=number).exists():
                    MemberProfile.objects.create(
                        user=user, member_number=number, sector=sector, party=party, title=title
                    )
                    self.log.append(f"member profile {number} for {spec.username}")
            self.user[spec.username] = user

    # -- story building blocks ---------------------------------------------------

    def new_proposal(self, session, title, lead, *, created, category, background, suggestions, cosigners=(), **fields):
        """Creates a draft with its proposers and a CREATED event; None when the story already exists."""
        if Proposal.objects.filter(session=session, title=title).exists():
            return None
        kind = fields.pop("kind", ProposalKind.JOINT if cosigners else ProposalKind.INDIVIDUAL)
        proposal = Proposal.objects.create(
            session=session,
            title=title,
            background=background,
            suggestions=suggestions,
            category=self.category[category],
            kind=kind,
            status=ProposalStatus.DRAFT,
            created_by=lead,
            created_at=created,
            **fields,
        )
        Proposer.objects.create(
            proposal=proposal,
            user=lead,
            role=ProposerRole.LEAD,
            status=ProposerStatus.CONFIRMED,
            order=0,
            invited_at=created,
            confirmed_at=created,
            responded_at=created,
        )
        self.event(proposal, EventVerb.CREATED, lead, created, to_status=ProposalStatus.DRAFT)
        for order, (user, status, answered) in enumerate(cosigners, start=1):
            invited = created + dt.timedelta(minutes=10)
            proposer = Proposer.objects.create(
                proposal=proposal,
                user=user,
                role=ProposerRole.COSIGNER,
                status=status,
                order=order,
                invited_at=invited,
                confirmed_at=answered if status == ProposerStatus.CONFIRMED else None,
                responded_at=answered if status != ProposerStatus.INVITED else None,
            )
            self.event(proposal, EventVerb.COSIGNER_INVITED, lead, invited, note=user.display_name, obj=proposer)
            if status == ProposerStatus.CONFIRMED:
                self.event(proposal, EventVerb.COSIGNER_CONFIRMED, user, answered, obj=proposer)
        self.log.append(f"proposal 《{title}》 ({session.name})")
        return proposal

    def move(self, proposal, to_status, verb, actor, when, note="", **fields) -> None:
        from_status = proposal.status
        proposal.status = to_status
        for name, value in fields.items():
            setattr(proposal, name, value)
        proposal.save()
        self.event(proposal, verb, actor, when, from_status=from_status, to_status=to_status, note=note)

    def submit(self, proposal, when) -> None:
        lead = proposal.created_by
        self.move(proposal, ProposalStatus.SUBMITTED, EventVerb.SUBMITTED, lead, when, submitted_at=when)

    def accept(self, proposal, when, serial: int) -> None:
        session = proposal.session
        if Proposal.objects.filter(session=session, serial=serial).exclude(pk=proposal.pk).exists():
            serial = session.next_serial  # taken by a real proposal since the last seeding
        number = session.format_number(serial)
        self.move(
            proposal,
            ProposalStatus.ACCEPTED,
            EventVerb.ACCEPTED,
            self.user["committee"],
            when,
            note=f"立案，提案号{number}",
            serial=serial,
            number=number,
            accepted_at=when,
        )
        if session.next_serial <= serial:
            session.next_serial = serial + 1
            session.save(update_fields=["next_serial"])

    def assign(
        self, proposal, unit_name, role, assigned_on: dt.date, *, status=AssignmentStatus.PENDING, accepted_on=None
    ):
        unit = self.unit[unit_name]
        when = self.at(assigned_on, 9, 30)
        deadlines = assignment_deadlines(
            proposal.session, assigned_on, with_opinion=role == AssignmentRole.COHANDLING, cal=self.cal
        )
        handler = User.objects.filter(unit=unit, role=Role.UNIT_HANDLER).first()
        assignment = Assignment.objects.create(
            proposal=proposal,
            unit=unit,
            role=role,
            status=status,
            assigned_by=self.user["committee"],
            assigned_at=when,
            accepted_at=self.at(accepted_on, 15) if accepted_on else None,
            accepted_by=handler if accepted_on else None,
            **deadlines,
        )
        label = ROLE_ZH[role]
        self.event(
            proposal,
            EventVerb.ASSIGNED,
            self.user["committee"],
            when,
            note=(
                f"交办{unit.name}（{label}），会办意见期限{deadlines['opinion_due']:%Y-%m-%d}"
                if role == AssignmentRole.COHANDLING
                else f"交办{unit.name}（{label}），答复期限{deadlines['reply_due']:%Y-%m-%d}"
            ),
            obj=assignment,
            unit=unit.name,
        )
        if accepted_on:
            self.event(
                proposal,
                EventVerb.ASSIGNMENT_ACCEPTED,
                handler,
                self.at(accepted_on, 15),
                from_status=AssignmentStatus.PENDING,
                to_status=AssignmentStatus.HANDLING,
                note=f"{unit.name}签收",
                obj=assignment,
            )
        return assignment

    @staticmethod
    def set_status(proposal, status, **fields) -> None:
        """A status change whose event is already written by the step that caused it (交办, 答复)."""
        proposal.status = status
        for name, value in fields.items():
            setattr(proposal, name, value)
        proposal.save()

    def mark_assigned(self, proposal) -> None:
        self.set_status(proposal, ProposalStatus.ASSIGNED)

    def contact(self, assignment, on: dt.date, method, participants, notes) -> None:
        handler = assignment.accepted_by or User.objects.filter(unit=assignment.unit).first()
        contact = Contact.objects.create(
            assignment=assignment,
            contacted_on=on,
            method=method,
            participants=participants,
            notes=notes,
            recorded_by=handler,
            created_at=self.at(on, 17),
        )
        self.event(
            assignment.proposal,
            EventVerb.CONTACT_LOGGED,
            handler,
            self.at(on, 17),
            note=f"{METHOD_ZH[method]}：{participants}",
            obj=contact,
        )

    def reply(
        self,
        assignment,
        *,
        drafted: dt.date,
        status,
        body,
        letter_number="",
        category=None,
        contact_person="",
        contact_phone="",
        sent: dt.date | None = None,
        commitment_date=None,
    ):
        """A reply that went through the sign-off steps up to ``status``, with an event per step."""
        proposal = assignment.proposal
        unit = assignment.unit
        handler = User.objects.filter(unit=unit, role=Role.UNIT_HANDLER).first()
        signer = User.objects.filter(unit=unit, role=Role.UNIT_LEADER).first()
        reply = Reply.objects.create(
            assignment=assignment,
            round=assignment.round,
            status=status,
            category=self.reply_category[category] if category else None,
            letter_number=letter_number,
            body=body,
            contact_person=contact_person or (handler.display_name if handler else ""),
            contact_phone=contact_phone or unit.phone,
            commitment_date=commitment_date,
            drafted_by=handler,
            created_at=self.at(drafted, 11),
        )
        self.event(proposal, EventVerb.REPLY_SAVED, handler, self.at(drafted, 11), obj=reply)
        if status == ReplyStatus.DRAFT:
            return reply
        submitted = drafted + dt.timedelta(days=2) if sent is None else max(drafted, sent - dt.timedelta(days=4))
        self.event(
            proposal,
            EventVerb.REPLY_SUBMITTED,
            handler,
            self.at(submitted, 16),
            from_status=ReplyStatus.DRAFT,
            to_status=ReplyStatus.AWAITING_SIGNOFF,
            obj=reply,
        )
        if status == ReplyStatus.AWAITING_SIGNOFF:
            return reply
        signed = sent - dt.timedelta(days=1)
        reply.signer = signer
        reply.signed_at = self.at(signed, 17)
        self.event(
            proposal,
            EventVerb.REPLY_SIGNED,
            signer,
            reply.signed_at,
            from_status=ReplyStatus.AWAITING_SIGNOFF,
            to_status=ReplyStatus.SIGNED,
            obj=reply,
        )
        reply.sent_at = self.at(sent, 10)
        reply.save(update_fields=["signer", "signed_at", "sent_at"])
        self.event(
            proposal,
            EventVerb.REPLY_SENT,
            handler,
            reply.sent_at,
            from_status=ReplyStatus.SIGNED,
            to_status=ReplyStatus.SENT,
            note=f"{unit.name}答复函{letter_number}",
            obj=reply,
        )
        assignment.status = AssignmentStatus.REPLIED
        assignment.replied_at = reply.sent_at
        assignment.save(update_fields=["status", "replied_at"])
        return reply

    def feedback(self, reply, user, on: dt.date, attitude, result, comment="") -> None:
        feedback = Feedback.objects.create(
            reply=reply, user=user, attitude=attitude, result=result, comment=comment, created_at=self.at(on, 20)
        )
        labels = SATISFACTION_ZH
        self.event(
            reply.assignment.proposal,
            EventVerb.FEEDBACK_GIVEN,
            user,
            feedback.created_at,
            note=f"办理态度：{labels[attitude]}；办理结果：{labels[result]}",
            obj=feedback,
        )

    def publish(self, proposal, on: dt.date) -> None:
        proposal.is_published = True
        proposal.published_at = self.at(on, 9)
        proposal.save(update_fields=["is_published", "published_at"])
        self.event(proposal, EventVerb.PUBLISHED, self.user["committee"], proposal.published_at)

    @staticmethod
    def touch(proposal) -> None:
        """updated_at follows the last step, not the time of seeding (update() skips auto_now)."""
        last = (
            Event.objects.filter(proposal=proposal).order_by("-created_at").values_list("created_at", flat=True).first()
        )
        Proposal.objects.filter(pk=proposal.pk).update(updated_at=last or proposal.created_at)

    # -- 第2023160号: the reference case ---------------------------------------

    def story_2023160(self) -> None:
        session = self.old
        chencheng = self.user["chencheng"]
        if Proposal.objects.filter(session=session, number="2023160").exists():
            return
        proposal = self.new_proposal(
            session,
            "关于福田区构建具有竞争力的现代化产业体系的建议",
            chencheng,
            created=self.at(dt.date(2023, 1, 5), 20),
            category="经济建设",
            background=BACKGROUND_2023160,
            suggestions=SUGGESTIONS_2023160,
        )
        if proposal is None:
            return
        self.attach(proposal, chencheng, "福田区时尚产业发展调研摘要.txt", ATTACHMENT_2023160, dt.date(2023, 1, 5))
        self.submit(proposal, self.at(dt.date(2023, 1, 8), 9))
        self.accept(proposal, self.at(dt.date(2023, 2, 20), 10), serial=160)
        assignment = self.assign(
            proposal,
            GONGXIN,
            AssignmentRole.SEPARATE,
            dt.date(2023, 3, 1),
            status=AssignmentStatus.HANDLING,
            accepted_on=dt.date(2023, 3, 2),
        )
        self.mark_assigned(proposal)
        self.contact(
            assignment,
            dt.date(2023, 3, 20),
            ContactMethod.MEETING,
            "陈澄委员；区工信局刘洋",
            "上门听取陈澄委员对时尚产业规划、深港合作和政策扶持的具体意见，委员建议突出“时尚+科技”特色。",
        )
        reply = self.reply(
            assignment,
            drafted=dt.date(2023, 5, 10),
            status=ReplyStatus.SENT,
            body=letter_body(),
            letter_number="福工信函〔2023〕160号",
            category="B",
            contact_person="刘洋",
            contact_phone="0755-82978326",
            sent=dt.date(2023, 5, 19),
            commitment_date=dt.date(2023, 12, 29),
        )
        self.set_status(proposal, ProposalStatus.REPLIED)
        self.feedback(
            reply,
            chencheng,
            dt.date(2023, 5, 30),
            Satisfaction.SATISFIED,
            Satisfaction.SATISFIED,
            "答复认真具体，沟通充分，期待时尚产业规划早日落地。",
        )
        self.move(
            proposal,
            ProposalStatus.CLOSED,
            EventVerb.CLOSED,
            self.user["committee"],
            self.at(dt.date(2023, 6, 12), 9),
            closed_at=self.at(dt.date(2023, 6, 12), 9),
        )
        self.publish(proposal, dt.date(2023, 6, 20))
        self.notify(
            chencheng,
            proposal,
            "收到答复：关于福田区构建具有竞争力的现代化产业体系的建议",
            "深圳市福田区工业和信息化局已发出答复函（福工信函〔2023〕160号）。",
            reply.sent_at,
            read=True,
        )
        self.touch(proposal)

    def attach(self, proposal, user, name, text, on) -> None:
        attachment = Attachment(
            proposal=proposal,
            original_name=name,
            content_type="text/plain",
            size=len(text.encode("utf-8")),
            uploaded_by=user,
            uploaded_at=self.at(on, 20, 30),
        )
        attachment.file.save(name, ContentFile(text.encode("utf-8")), save=False)
        attachment.save()

    # -- the current session: one story per state ---------------------------------

    def current_session_stories(self) -> None:
        s = self.current
        u = self.user
        today = self.today
        months_ago_3 = add_months(today, -3)

        # Draft, not yet submitted.
        p = self.new_proposal(
            s,
            "关于加快完善香蜜湖新金融中心配套服务的建议",
            u["chencheng"],
            created=self.at(self.day(2), 21),
            category="经济建设",
            background="香蜜湖新金融中心是深圳建设全球金融中心城市的重要承载区。目前片区金融机构加快集聚，但国际化教育、医疗、人才公寓和商务配套仍显不足，交通微循环也有待改善。",
            suggestions="一、统筹规划片区国际学校、国际医疗服务和人才住房。\n二、优化香蜜湖片区公交接驳和慢行系统。\n三、建立金融机构落户“一站式”服务专班。",
        )
        if p:
            self.touch(p)

        # Submitted, awaiting review.
        p = self.new_proposal(
            s,
            "关于提升福田区社区养老服务供给能力的建议",
            u["chencheng"],
            created=self.at(self.day(6), 20),
            category="社会事业",
            background="福田区60岁以上户籍老年人口持续增加，老旧小区居家养老需求突出。社区长者饭堂、日间照料中心覆盖不均，专业护理人员短缺。",
            suggestions="一、推进街道综合养老服务中心全覆盖，社区嵌入式养老服务站点按需布局。\n二、扩大长者饭堂覆盖面，引入社会力量参与运营。\n三、完善养老护理员培训和激励机制。",
        )
        if p:
            self.submit(p, self.at(self.day(3), 9))
            self.touch(p)

        # Joint draft: one co-signer confirmed, one still invited.
        p = self.new_proposal(
            s,
            "关于完善福田区“一老一小”服务体系的建议",
            u["chencheng"],
            created=self.at(self.day(6), 15),
            category="社会事业",
            background="“一老一小”是民生关切。福田区双职工家庭多，托育服务供给不足，普惠性托育机构收费偏高；同时社区养老与托育资源分散，缺少统筹。",
            suggestions="一、推动社区养老托育综合体建设，实现资源共享。\n二、加大普惠托育机构扶持力度，稳定收费水平。\n三、鼓励用人单位提供托育服务。",
            cosigners=[
                (u["wangfang"], ProposerStatus.INVITED, None),
                (u["liming"], ProposerStatus.CONFIRMED, self.at(self.day(4), 10)),
            ],
        )
        if p:
            self.notify(
                u["wangfang"],
                p,
                "联名邀请：关于完善福田区“一老一小”服务体系的建议",
                "陈澄委员邀请您作为联名人，请在截止时间前确认或谢绝。",
                self.at(self.day(6), 15, 10),
            )
            self.notify(
                u["chencheng"],
                p,
                "李明委员已确认联名",
                "李明委员已确认联名《关于完善福田区“一老一小”服务体系的建议》。",
                self.at(self.day(4), 10),
                read=True,
            )
            self.touch(p)

        # Accepted, not yet assigned.
        p = self.new_proposal(
            s,
            "关于支持河套深港科技创新合作区科研人员跨境往来便利化的建议",
            u["liming"],
            created=self.at(self.day(16), 20),
            category="科技创新",
            background="河套深港科技创新合作区深圳园区与香港园区一河之隔，科研人员、样本、设备跨境往来频繁，但通关手续、数据跨境和科研资金跨境使用仍有堵点。",
            suggestions="一、争取科研人员“一签多行”和专用通道。\n二、试点科研样本、设备跨境便利通关。\n三、探索科研数据跨境流动安全评估机制。",
        )
        if p:
            self.submit(p, self.at(self.day(15), 9))
            self.accept(p, self.at(self.day(8), 10), serial=8)
            self.touch(p)

        # Assigned, the unit has not accepted yet (待签收); another proposal was merged into it.
        target = self.new_proposal(
            s,
            "关于推动福田时尚产业数字化转型的建议",
            u["chencheng"],
            created=self.at(self.day(12), 20),
            category="经济建设",
            background="福田区服装服饰产业基础雄厚，但多数企业仍以传统设计、生产和渠道模式为主，数字化设计、柔性供应链和直播电商等新模式应用不足。",
            suggestions="一、建设时尚产业数字化公共服务平台，提供“云设计”等服务。\n二、支持龙头品牌开展柔性供应链改造。\n三、培育数字时尚和虚拟时尚新业态。",
        )
        if target:
            merged = self.new_proposal(
                s,
                "关于打造福田时尚消费地标的建议",
                u["chencheng"],
                created=self.at(self.day(11), 21),
                category="经济建设",
                background="福田区商圈密集，时尚品牌首店、旗舰店资源丰富，但缺少具有国际影响力的时尚消费地标。",
                suggestions="一、以中心区和华强北为重点打造时尚消费街区。\n二、举办国际时尚周和首发活动。",
            )
            self.submit(target, self.at(self.day(10), 9))
            self.accept(target, self.at(self.day(3), 10), serial=9)
            if merged:
                self.submit(merged, self.at(self.day(10), 9, 30))
                self.move(
                    merged,
                    ProposalStatus.MERGED,
                    EventVerb.MERGED,
                    u["committee"],
                    self.at(self.day(3), 10, 5),
                    note=f"并入第{target.number}号提案",
                    merged_into=target,
                )
                self.event(target, EventVerb.MERGED_IN, u["committee"], self.at(self.day(3), 10, 5), note=merged.title)
                self.notify(
                    u["chencheng"],
                    merged,
                    "提案已并案：关于打造福田时尚消费地标的建议",
                    f"经提案委员会审查，您的提案与第{target.number}号提案内容相近，已并入该提案办理。",
                    self.at(self.day(3), 10, 10),
                )
                self.touch(merged)
            self.assign(target, GONGXIN, AssignmentRole.LEAD, self.day(2))
            self.mark_assigned(target)
            self.notify(
                u["chencheng"],
                target,
                "提案已立案：关于推动福田时尚产业数字化转型的建议",
                f"您的提案已立案，提案号{target.number}。",
                self.at(self.day(3), 10),
                read=True,
            )
            self.notify(
                u["handler"],
                target,
                f"新交办提案：第{target.number}号",
                "《关于推动福田时尚产业数字化转型的建议》交由贵单位主办，请及时签收。",
                self.at(self.day(2), 9, 40),
            )
            self.touch(target)

        # Being handled and overdue.
        assigned_on = months_ago_3 - dt.timedelta(days=12)
        p = self.new_proposal(
            s,
            "关于支持福田区中小企业走“专精特新”发展道路的建议",
            u["zhangwei"],
            created=self.at(assigned_on - dt.timedelta(days=20), 20),
            category="经济建设",
            background="福田区中小企业数量多、创新活跃，但普遍面临融资难、产业空间贵、人才引进难等问题，国家级专精特新“小巨人”企业数量与先进城区相比仍有差距。",
            suggestions="一、建立专精特新企业梯度培育库，实行“一企一策”。\n二、设立专精特新企业融资风险补偿资金池。\n三、在车公庙、梅林片区提供低成本产业空间。",
            cosigners=[(u["chencheng"], ProposerStatus.CONFIRMED, self.at(assigned_on - dt.timedelta(days=19), 9))],
        )
        if p:
            self.submit(p, self.at(assigned_on - dt.timedelta(days=18), 9))
            self.accept(p, self.at(assigned_on - dt.timedelta(days=2), 10), serial=1)
            a = self.assign(
                p,
                GONGXIN,
                AssignmentRole.LEAD,
                assigned_on,
                status=AssignmentStatus.HANDLING,
                accepted_on=assigned_on + dt.timedelta(days=1),
            )
            self.mark_assigned(p)
            self.contact(
                a,
                assigned_on + dt.timedelta(days=9),
                ContactMethod.PHONE,
                "张伟委员；区工信局刘洋",
                "电话沟通办理思路，委员关注融资风险补偿资金池的设立进度。",
            )
            self.notify(
                u["handler"],
                p,
                f"催办：第{p.number}号提案答复已逾期",
                f"答复期限为{a.reply_due:%Y-%m-%d}，请尽快办理并报送答复函。",
                self.at(self.day(1), 9),
            )
            self.touch(p)

        # Being handled, due in a few days.
        assigned_on = months_ago_3 + dt.timedelta(days=4)
        p = self.new_proposal(
            s,
            "关于加强车公庙片区产业空间保障的建议",
            u["chencheng"],
            created=self.at(assigned_on - dt.timedelta(days=25), 20),
            category="城市建设",
            background="车公庙片区是福田区重要的产业集聚区，但近年来产业用房租金上涨较快，部分优质企业因空间不足外迁。",
            suggestions="一、加快片区城市更新，提高产业用房比例。\n二、扩大政府产业用房供给，实行租金优惠。\n三、建立重点企业空间需求快速响应机制。",
        )
        if p:
            self.submit(p, self.at(assigned_on - dt.timedelta(days=22), 9))
            self.accept(p, self.at(assigned_on - dt.timedelta(days=3), 10), serial=3)
            a = self.assign(
                p,
                GONGXIN,
                AssignmentRole.LEAD,
                assigned_on,
                status=AssignmentStatus.HANDLING,
                accepted_on=assigned_on + dt.timedelta(days=2),
            )
            self.mark_assigned(p)
            self.contact(
                a,
                assigned_on + dt.timedelta(days=12),
                ContactMethod.FORUM,
                "陈澄委员、片区企业代表；区工信局",
                "召开座谈会听取片区企业空间需求。",
            )
            self.touch(p)

        # Lead unit with a co-handling unit that has sent its opinion.
        assigned_on = self.day(40)
        p = self.new_proposal(
            s,
            "关于培育福田区低空经济应用场景的建议",
            u["liming"],
            created=self.at(self.day(60), 20),
            category="科技创新",
            background="低空经济是战略性新兴产业。福田区高楼密集、商务活跃，在无人机配送、城市空中交通、应急救援等方面有应用需求，但起降点布局、空域协调和安全监管仍需完善。",
            suggestions="一、规划建设低空起降点和配送航线。\n二、在医疗物资配送、应急救援中先行先试。\n三、引进培育低空经济企业。",
        )
        if p:
            self.submit(p, self.at(self.day(58), 9))
            self.accept(p, self.at(self.day(42), 10), serial=6)
            lead = self.assign(
                p, GONGXIN, AssignmentRole.LEAD, assigned_on, status=AssignmentStatus.HANDLING, accepted_on=self.day(39)
            )
            co = self.assign(
                p,
                SCIENCE,
                AssignmentRole.COHANDLING,
                assigned_on,
                status=AssignmentStatus.OPINION_SENT,
                accepted_on=self.day(38),
            )
            self.mark_assigned(p)
            opinion = Opinion.objects.create(
                assignment=co,
                body="我局支持在福田区开展低空经济应用场景试点。建议主办单位会同空管、交通部门优化航线审批流程，起降点优先利用公共建筑屋顶和交通枢纽；我局可通过科技计划项目支持无人机感知避障、飞行管控等关键技术攻关。",
                author=co.accepted_by,
                sent_at=self.at(self.day(15), 16),
            )
            self.event(
                p,
                EventVerb.OPINION_SENT,
                opinion.author,
                opinion.sent_at,
                from_status=AssignmentStatus.HANDLING,
                to_status=AssignmentStatus.OPINION_SENT,
                note=f"{SCIENCE}会办意见",
                obj=opinion,
            )
            self.contact(lead, self.day(30), ContactMethod.MEETING, "李明委员；区工信局刘洋", "面商低空经济场景清单。")
            self.touch(p)

        # A reply waiting for the unit leader's sign-off.
        assigned_on = self.day(60)
        p = self.new_proposal(
            s,
            "关于完善福田区人工智能产业扶持政策的建议",
            u["chencheng"],
            created=self.at(self.day(80), 20),
            category="科技创新",
            background="人工智能正加速赋能千行百业。福田区算力资源、数据要素和应用场景开放不足，对人工智能初创企业的扶持政策较为分散。",
            suggestions="一、设立人工智能产业专项扶持资金，支持算力券、模型券。\n二、开放政务、金融、医疗等应用场景。\n三、建设人工智能产业集聚区。",
        )
        if p:
            self.submit(p, self.at(self.day(78), 9))
            self.accept(p, self.at(self.day(62), 10), serial=5)
            a = self.assign(
                p, GONGXIN, AssignmentRole.LEAD, assigned_on, status=AssignmentStatus.HANDLING, accepted_on=self.day(59)
            )
            self.mark_assigned(p)
            self.contact(a, self.day(45), ContactMethod.MEETING, "陈澄委员；区工信局刘洋", "当面沟通扶持政策修订思路。")
            self.reply(
                a,
                drafted=self.day(5),
                status=ReplyStatus.AWAITING_SIGNOFF,
                body=REPLY_AI_DRAFT,
                letter_number=f"福工信函〔{s.year}〕58号",
                category="A",
            )
            self.notify(
                u["unitlead"],
                p,
                f"待签发：第{p.number}号提案答复函",
                "区工信局刘洋已提交答复函，请审核签发。",
                self.at(self.day(3), 16),
            )
            self.touch(p)

        # Replied; the proposers' feedback is pending.
        assigned_on = self.day(80)
        p = self.new_proposal(
            s,
            "关于优化福田区中小学学位供给的建议",
            u["chencheng"],
            created=self.at(self.day(100), 20),
            category="文化教育",
            background="随着人口持续流入，福田区部分片区中小学学位紧张，香蜜湖、梅林等片区学位缺口较大，学校建设周期长、用地紧张。",
            suggestions="一、加快新改扩建学校项目建设。\n二、推广“高密度校园”建设模式。\n三、建立学位预警机制，提前发布片区学位信息。",
            cosigners=[(u["wangfang"], ProposerStatus.CONFIRMED, self.at(self.day(99), 9))],
        )
        if p:
            self.submit(p, self.at(self.day(98), 9))
            self.accept(p, self.at(self.day(82), 10), serial=4)
            a = self.assign(
                p,
                EDUCATION,
                AssignmentRole.LEAD,
                assigned_on,
                status=AssignmentStatus.HANDLING,
                accepted_on=self.day(79),
            )
            self.mark_assigned(p)
            self.contact(
                a, self.day(60), ContactMethod.FORUM, "陈澄委员、王芳委员；区教育局孙丽", "座谈听取学位供给意见。"
            )
            reply = self.reply(
                a,
                drafted=self.day(12),
                status=ReplyStatus.SENT,
                body=REPLY_SCHOOL_PLACES,
                letter_number=f"福教函〔{s.year}〕35号",
                category="B",
                sent=self.day(5),
                commitment_date=self.today + dt.timedelta(days=120),
            )
            self.set_status(p, ProposalStatus.REPLIED)
            window = feedback_window_ends(s, self.day(5), self.cal)
            for member in (u["chencheng"], u["wangfang"]):
                self.notify(
                    member,
                    p,
                    "收到答复：关于优化福田区中小学学位供给的建议",
                    f"深圳市福田区教育局已发出答复函（福教函〔{s.year}〕35号），请查看。",
                    reply.sent_at,
                )
            self.notify(
                u["chencheng"],
                p,
                "请进行满意度测评：关于优化福田区中小学学位供给的建议",
                f"请在{window.date:%Y-%m-%d}前对办理态度和办理结果分别评价。",
                reply.sent_at + dt.timedelta(minutes=5),
            )
            self.touch(p)

        # Closed and published.
        assigned_on = self.day(100)
        p = self.new_proposal(
            s,
            "关于加强福田区中小学生心理健康教育的建议",
            u["huangli"],
            created=self.at(self.day(125), 20),
            category="文化教育",
            background="近年来中小学生心理健康问题呈上升趋势。福田区学校专职心理教师配备不足，家校医协同机制尚不健全。",
            suggestions="一、按标准配齐专职心理健康教师。\n二、建立学校、家庭、医疗机构协同干预机制。\n三、开展全员心理健康筛查和分级服务。",
        )
        if p:
            self.submit(p, self.at(self.day(123), 9))
            self.accept(p, self.at(self.day(102), 10), serial=2)
            a = self.assign(
                p,
                EDUCATION,
                AssignmentRole.LEAD,
                assigned_on,
                status=AssignmentStatus.HANDLING,
                accepted_on=self.day(99),
            )
            self.mark_assigned(p)
            self.contact(a, self.day(85), ContactMethod.PHONE, "黄丽委员；区教育局孙丽", "电话沟通心理教师配备计划。")
            reply = self.reply(
                a,
                drafted=self.day(52),
                status=ReplyStatus.SENT,
                body=REPLY_MENTAL_HEALTH,
                letter_number=f"福教函〔{s.year}〕21号",
                category="A",
                sent=self.day(45),
            )
            self.set_status(p, ProposalStatus.REPLIED)
            self.feedback(
                reply,
                u["huangli"],
                self.day(38),
                Satisfaction.SATISFIED,
                Satisfaction.BASICALLY,
                "措施具体，希望加快心理教师招聘进度。",
            )
            self.move(
                p,
                ProposalStatus.CLOSED,
                EventVerb.CLOSED,
                u["committee"],
                self.at(self.day(30), 9),
                closed_at=self.at(self.day(30), 9),
            )
            self.publish(p, self.day(25))
            self.notify(
                u["huangli"],
                p,
                "提案办结：关于加强福田区中小学生心理健康教育的建议",
                "您的提案已办结并已公开。",
                self.at(self.day(30), 9),
                read=True,
            )
            self.touch(p)

        # Not accepted (不予立案), passed on as an opinion.
        p = self.new_proposal(
            s,
            "关于解决梅林某小区停车位产权纠纷的建议",
            u["zhangwei"],
            created=self.at(self.day(30), 20),
            category="城市建设",
            background="梅林某小区业主与开发商就地下停车位产权归属长期存在争议，已向法院起诉。",
            suggestions="建议有关部门协调解决该小区停车位产权纠纷。",
        )
        if p:
            self.submit(p, self.at(self.day(29), 9))
            self.move(
                p,
                ProposalStatus.REJECTED,
                EventVerb.REJECTED,
                u["committee"],
                self.at(self.day(20), 10),
                note="涉及具体民事纠纷，不予立案，转为意见建议",
                rejection_ground=RejectionGround.LITIGATION,
                rejection_reason="所提事项属于正在诉讼中的具体民事纠纷，不符合立案标准。已转为意见建议，转请福田区住房和建设局参考。",
                converted_to_suggestion=True,
            )
            self.touch(p)

        # Withdrawn by the proposer.
        p = self.new_proposal(
            s,
            "关于增设福田区夜间儿科门诊的建议",
            u["wangfang"],
            created=self.at(self.day(22), 20),
            category="社会事业",
            background="福田区夜间儿科就诊需求大，部分医院夜间儿科候诊时间长。",
            suggestions="一、在区属医院增设夜间儿科门诊。\n二、推广互联网儿科问诊。",
        )
        if p:
            self.submit(p, self.at(self.day(21), 9))
            self.move(
                p,
                ProposalStatus.WITHDRAWN,
                EventVerb.WITHDRAWN,
                u["wangfang"],
                self.at(self.day(18), 15),
                note="拟补充调研后与其他委员联名重新提交",
            )
            self.touch(p)

        # Key proposal supervised by a leader; the co-handling unit has not accepted yet.
        assigned_on = self.day(20)
        p = self.new_proposal(
            s,
            "关于加快河套深港科技创新合作区福田园区建设的建议",
            u["liming"],
            created=self.at(self.day(45), 20),
            category="科技创新",
            background="河套深港科技创新合作区是粤港澳大湾区唯一以科技创新为主题的特色合作平台。福田园区在空间供给、重大科研平台引进和深港规则衔接方面仍需加快。",
            suggestions="一、加快释放园区产业空间，建设国际化科研社区。\n二、引进香港高校科研机构和重大科技基础设施。\n三、探索深港科研管理规则衔接。",
            kind=ProposalKind.COLLECTIVE,
            collective_author="九三学社福田区基层委员会",
        )
        if p:
            self.submit(p, self.at(self.day(43), 9))
            self.accept(p, self.at(self.day(22), 10), serial=7)
            self.assign(
                p, SCIENCE, AssignmentRole.LEAD, assigned_on, status=AssignmentStatus.HANDLING, accepted_on=self.day(19)
            )
            self.assign(p, GONGXIN, AssignmentRole.COHANDLING, assigned_on)
            self.mark_assigned(p)
            p.is_key = True
            p.supervisor = u["leader"]
            p.save(update_fields=["is_key", "supervisor"])
            self.event(
                p,
                EventVerb.MARKED_KEY,
                u["committee"],
                self.at(self.day(19), 11),
                note="确定为重点提案，由周海明同志督办",
            )
            note = SupervisionNote.objects.create(
                proposal=p,
                author=u["leader"],
                created_at=self.at(self.day(10), 15),
                body="请区科技创新局牵头，会同区工信局尽快召开专题协调会，明确园区空间释放时间表，答复前与提案人当面沟通。",
            )
            self.event(p, EventVerb.SUPERVISION_NOTE, u["leader"], note.created_at, obj=note)
            self.notify(
                u["leader"],
                p,
                f"重点提案督办：第{p.number}号",
                "您负责督办《关于加快河套深港科技创新合作区福田园区建设的建议》。",
                self.at(self.day(19), 11),
                read=True,
            )
            self.touch(p)


BACKGROUND_2023160 = """当前，深圳正处于粤港澳大湾区和中国特色社会主义先行示范区“双区”驱动、“双区”叠加的重大历史机遇期。福田区作为深圳的中心城区，金融、现代服务业和时尚产业基础雄厚，是深圳时尚产业的重要发源地，时装产业在全国处于领先地位。
但福田区产业发展也面临一些突出问题：一是产业空间紧缺，土地资源约束明显，传统产业转型升级压力较大；二是时尚产业以服装服饰为主，数字时尚、时尚科技等新赛道布局不足，产业链条有待延伸；三是与香港在创意设计、品牌运营、国际渠道等方面的协同还不够深入；四是规划、招商、投资和政策扶持之间衔接不够紧密，政策较为分散。
为此，建议福田区立足中心城区定位，发挥毗邻香港的区位优势，加快构建具有差异化竞争优势的现代化产业体系。"""

SUGGESTIONS_2023160 = """一、构建差异化竞争优势的现代化产业体系。加强规划引领，研究编制时尚产业中长期发展规划，突出“时尚+科技”特色，形成时尚产业发展的福田方案。
二、充分发挥毗邻香港的区位优势。依托河套深港科技创新合作区、香蜜湖新金融中心等平台，深化深港在创意设计、新材料、人工智能等领域的合作，构建时尚产业高地。
三、构建产业高规划、投资准助力、政策精扶持的协同机制。细化招商资源清单，引进培育时尚龙头企业和设计师品牌，打造时尚产业孵化平台，以数字化赋能服装、建筑装饰、会展等优势产业。"""

ATTACHMENT_2023160 = """福田区时尚产业发展调研摘要
一、福田区是深圳时尚产业的重要发源地，中国十大高端女装品牌中有4家总部在福田。
二、福田时装品牌在国内一、二线城市一类商场的占有率超过50%。
三、短板：数字时尚布局不足，深港协同不够深入，产业政策较为分散。
"""

REPLY_AI_DRAFT = """你在深圳市福田区政协六届六次会议中的提案《关于完善福田区人工智能产业扶持政策的建议》已收悉。感谢你对福田区人工智能产业发展的关心和支持。现将办理情况答复如下：
一、关于设立人工智能产业专项扶持资金。我局已会同区发展和改革局、区财政局研究修订产业扶持政策，拟新增算力券、模型券等支持方式。
二、关于开放应用场景。我区已梳理首批政务、金融、医疗等领域人工智能应用场景清单，将分批向企业发布。
三、关于建设产业集聚区。我局将结合城市更新，在车公庙片区规划建设人工智能产业集聚区。"""

REPLY_SCHOOL_PLACES = """你在深圳市福田区政协六届六次会议中的提案《关于优化福田区中小学学位供给的建议》已收悉。感谢你对福田教育事业的关心和支持。我局高度重视，认真研究，现将办理情况答复如下：
一、加快学校建设。今年我区计划新改扩建中小学5所，新增公办学位约6000个，香蜜湖、梅林片区各有1所学校列入年度建设计划。
二、推广高密度校园建设模式。在用地紧张片区采用垂直校园、架空运动场等方式，提高校园用地效率。
三、建立学位预警机制。我局将于每年招生前发布各片区学位预警信息，引导家庭合理安排。
下一步，我局将持续跟踪学校建设进度，并按承诺时间向你报告后续进展。"""

REPLY_MENTAL_HEALTH = """你在深圳市福田区政协六届六次会议中的提案《关于加强福田区中小学生心理健康教育的建议》已收悉。感谢你对中小学生身心健康的关心。现将办理情况答复如下：
一、配齐心理健康教师。我区已按每所学校至少配备1名专职心理健康教师的标准完成招聘，规模较大的学校配备2名以上。
二、建立家校医协同机制。我局与区卫生健康局建立心理危机转介绿色通道，区属医院为学校提供心理咨询支持。
三、开展分级服务。全区中小学已完成心理健康筛查，对需要关注的学生实行分级跟踪服务。"""
