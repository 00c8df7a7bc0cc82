"""Scaffolding of the access matrix (tests/security/test_access_matrix.py): roles, answers, URL walk, scene.

- ``ROLES``: the nine people of issue 9, from the anonymous visitor to leadership, and
  the groups the expectation tables are written in (``expect(members=200, ...)``).
- Answers: a status code, or a redirect to the site's login, to the admin's login or
  to a named page (``To``). ``observe`` turns a response into the same words, so a
  failure reads "expected 404, got 200".
- ``project_patterns``: every URL pattern of the project, the admin site's included,
  keyed by its full name (``admin:accounts_unit_change``) or, for the few patterns
  without a name, by their full route.
- ``AccessScene``: one realistic handling scene built through the services, the
  objects each URL of the matrix is asked about.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from urllib.parse import urlencode, urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AccessChange, FailedLogin, MemberProfile
from api.models import ApiToken
from api.services import issue_token
from documents.choices import DocumentKind
from documents.models import DocumentBuild
from documents.services import run_build
from imports.models import ImportBatch
from proposals.choices import ProposalStatus
from proposals.models import Attachment, Event, Notification, Proposal, SearchIndexRun, SearchTerm
from proposals.paper import enter_paper_proposal
from proposals.services import (
    accept_proposal,
    add_supervision_note,
    invite_cosigner,
    mark_key_proposal,
    submit_proposal,
)
from proposals.workflow import notify
from responses.choices import CountersignStatus, ReminderKind, Satisfaction
from responses.models import (
    CalendarYear,
    Contact,
    Countersign,
    Holiday,
    Reminder,
    ReplyRevision,
    Suggestion,
    SuggestionForward,
)
from responses.services import (
    give_feedback,
    publish_proposal,
    record_paper_feedback,
    request_extension,
    request_return,
    send_opinion,
)
from tests.base import make_proposal
from tests.proposals.helpers_member import pdf_bytes
from tests.responses.helpers_units import COHANDLING, LEAD, REFERENCE_TITLE, UnitPagesTestCase

IN_MEMORY_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Roles -------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
OWNER = "owner"  # 陈澄, lead proposer of every proposal in the scene
OTHER_MEMBER = "other_member"  # 李华, a member with no stake in them
COSIGNER = "cosigner"  # 王芳, co-signer (confirmed; invited on the draft)
HANDLER = "handler"  # 刘经办 of 区工信局, the lead unit of the assigned proposals
OTHER_HANDLER = "other_handler"  # 孙经办 of 区教育局, which has nothing to do with them
UNIT_LEADER = "unit_leader"  # 赵局长 of 区工信局, who signs its replies off
COMMITTEE = "committee"  # 张委办, proposal committee staff
LEADER = "leader"  # 周主席, leadership

ROLES = (ANONYMOUS, OWNER, OTHER_MEMBER, COSIGNER, HANDLER, OTHER_HANDLER, UNIT_LEADER, COMMITTEE, LEADER)

# Groups used in the expectation tables; a later key overrides an earlier one.
GROUPS: dict[str, tuple[str, ...]] = {
    "everyone": ROLES,
    "signed_in": ROLES[1:],
    "members": (OWNER, OTHER_MEMBER, COSIGNER),
    "non_staff": (ANONYMOUS, OWNER, OTHER_MEMBER, COSIGNER),
    "staff": (HANDLER, OTHER_HANDLER, UNIT_LEADER, COMMITTEE, LEADER),
    "unit_staff": (HANDLER, OTHER_HANDLER, UNIT_LEADER),
    "case_unit": (HANDLER, UNIT_LEADER),
    "oversight": (COMMITTEE, LEADER),
    "proposers": (OWNER, COSIGNER),
}


# Answers -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class To:
    """A redirect (302) to the page named ``name``; ``kwargs`` name scene objects (or ``Raw`` values)."""

    name: str
    kwargs: tuple[tuple[str, str], ...] = ()

    def __init__(self, name: str, **kwargs: str) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "kwargs", tuple(sorted(kwargs.items())))


class Raw(str):
    """A URL parameter given as it is, not as the name of a scene object."""


LOGIN = "302 login"  # the site's sign-in page, ?next= the page asked for
ADMIN_LOGIN = "302 admin login"  # the admin's own sign-in page

Answer = int | str | To


def expect(**by_role: Answer) -> dict[str, Answer]:
    """Expands group names into roles; every one of the nine roles must end up with an answer."""
    table: dict[str, Answer] = {}
    for key, answer in by_role.items():
        for role in GROUPS.get(key, (key,)):
            if role not in ROLES:
                raise ValueError(f"unknown role or group {key!r}")
            table[role] = answer
    missing = [role for role in ROLES if role not in table]
    if missing:
        raise ValueError(f"no answer for {missing}")
    return table


@dataclasses.dataclass(frozen=True)
class Case:
    """One request of the matrix: the page's parameters (scene object names), a query, the answers per role."""

    answers: dict[str, Answer]
    kwargs: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    path: str | None = None  # for a pattern whose route cannot be reversed (the admin's catch-all)


def case(answers: dict[str, Answer], *, query: Mapping[str, str] | None = None, path: str | None = None, **kwargs):
    return Case(answers, tuple(kwargs.items()), tuple((query or {}).items()), path)


def scene_value(scene: Mapping[str, models.Model], value: str) -> str:
    if isinstance(value, Raw):
        return str(value)
    return str(scene[value].pk)


def answer_text(answer: Answer, scene: Mapping[str, models.Model]) -> str:
    """The expected answer in the words ``observe`` uses."""
    if isinstance(answer, To):
        kwargs = {name: scene_value(scene, value) for name, value in answer.kwargs}
        return f"302 {reverse(answer.name, kwargs=kwargs)}"
    return str(answer)


def observe(response) -> str:
    """The answer a response gives: its status, and for a redirect where it leads."""
    status = response.status_code
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        if target == reverse("login"):
            return LOGIN
        if target == reverse("admin:login"):
            return ADMIN_LOGIN
        return f"{status} {target}"
    return str(status)


# The URL patterns --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pattern:
    key: str  # the full name, or the full route for a pattern without a name
    route: str
    name: str | None


def project_patterns(resolvers=None, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    """Every URL pattern the project serves, walked from the root URLconf (the admin site's included)."""
    for entry in get_resolver().url_patterns if resolvers is None else resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from project_patterns(entry.url_patterns, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield Pattern(key=name, route=route, name=name)
            else:
                yield Pattern(key=route, route=route, name=None)


def case_url(pattern: Pattern, request: Case, scene: Mapping[str, models.Model]) -> str:
    """The URL a case asks for: the pattern reversed (or its route filled in) with the scene's primary keys."""
    if request.path is not None:
        url = request.path
    else:
        kwargs = {name: scene_value(scene, value) for name, value in request.kwargs}
        if pattern.name:
            url = reverse(pattern.name, kwargs=kwargs)
        else:
            url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: kwargs[match.group(1)], pattern.route)
    return f"{url}?{urlencode(request.query)}" if request.query else url


# The scene ---------------------------------------------------------------------------------

DRAFT_TITLE = "关于加强福田区社区体育设施建设的建议"
SUBMITTED_TITLE = "关于提升福田区社区养老服务供给能力的建议"
ACCEPTED_TITLE = "关于推动福田时尚产业数字化转型的建议"
HANDLING_TITLE = "关于优化福田区中小学学位供给的建议"
PENDING_TITLE = "关于完善福田区停车设施规划的建议"
PAPER_TITLE = "关于推进福田区老旧住宅加装电梯的建议"
PAPER_RATED_TITLE = "关于加强福田区中小学生心理健康教育的建议"


class AccessScene(UnitPagesTestCase):
    """The personas (tests.base, tests.responses.helpers_units) and one scene that touches every model.

    陈澄 leads, 王芳 co-signs; 区工信局 (handler, unit_leader) leads the handling with
    区发改局 as co-handler; 区教育局 (other_handler) has no part in any of it.

    ``scene`` names the objects the matrix asks about:

    - ``draft``: 陈澄's draft, 王芳 invited to co-sign, with ``draft_attachment``;
    - ``submitted``: a joint proposal awaiting review; ``accepted``: numbered, not yet assigned;
    - ``proposal`` (第2023160号, the reference case): assigned to 区工信局 (lead) and 区发改局
      (co-handling), ``opinion`` and ``contact`` recorded, ``reply`` sent (``revision`` its history,
      ``countersign`` 区发改局's countersignature),
      ``feedback`` given by 王芳, a key proposal with a supervision ``note``, an ``attachment``,
      and published;
    - ``paper_proposal``: entered from paper by the committee (代提交), 陈澄 leading, 王芳 confirmed on paper,
      awaiting review; ``paper_rated_proposal``: replied by 区工信局 (``paper_reply``), whose rating by 陈澄
      the committee recorded from the paper form (``paper_feedback``, 代评价); 王芳 has not rated it;
    - ``handling_assignment`` of another proposal: a ``draft_reply``, an ``extension`` request and
      a ``reminder``; ``pending_assignment`` of a third: a ``return_request``;
    - reference rows (``unit``, ``member``, ``profile``, ``session`` …), the committee's
      ``notification`` and a ``failed_login`` (the sign-in throttle's row);
    - the session's compilations built by the worker: ``committee_build`` (asked for by the committee)
      and ``leader_build`` (by the leader).
    """

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.scene = cls.build_scene()

    @classmethod
    def attach(cls, proposal: Proposal, name: str, text: str) -> Attachment:
        attachment = Attachment(
            proposal=proposal,
            original_name=name,
            content_type="text/plain",
            size=len(text.encode()),
            uploaded_by=cls.chencheng,
        )
        attachment.file.save("notes.txt", ContentFile(text.encode()), save=False)
        attachment.save()
        return attachment

    @classmethod
    def build_scene(cls) -> dict[str, models.Model]:
        case = cls()  # the helpers are instance methods that use no test state
        chencheng, wangfang = cls.chencheng, cls.wangfang

        draft = make_proposal(chencheng, cls.session, title=DRAFT_TITLE, category=cls.category)
        invite_cosigner(draft, actor=chencheng, user=wangfang)
        draft_attachment = cls.attach(draft, "社区体育设施调研.txt", "福田区社区体育设施调研笔记")

        submitted = make_proposal(
            chencheng, cls.session, title=SUBMITTED_TITLE, category=cls.category, cosigners=[wangfang]
        )
        submitted = submit_proposal(submitted, actor=chencheng)
        accepted = make_proposal(chencheng, cls.session, title=ACCEPTED_TITLE, status=ProposalStatus.SUBMITTED)
        accepted = accept_proposal(accepted, actor=cls.committee)

        # 第2023160号, as in the reference letter: handled, replied, rated, supervised, published.
        proposal = case.accepted(lead=chencheng, cosigners=[wangfang], serial=160, title=REFERENCE_TITLE)
        attachment = cls.attach(proposal, "时尚产业调研报告.txt", "福田区时尚产业调研报告")
        lead, cohandling = case.handling([(cls.unit, LEAD), (cls.third_unit, COHANDLING)], proposal=proposal)
        opinion = send_opinion(cohandling, actor=cls.third_handler, body="建议在产业规划中统筹考虑发改项目安排。")
        case.contact(lead)
        reply = case.sent(lead)
        # 区发改局's countersignature (会签) of the letter, as a session with countersigning would have it.
        countersign = Countersign.objects.create(
            reply=reply,
            assignment=cohandling,
            status=CountersignStatus.AGREED,
            version=reply.version,
            letter={"body": reply.body},
            requested_by=cls.handler,
            answered_by=cls.third_handler,
            answered_at=reply.signed_at,
        )
        feedback = give_feedback(
            reply, actor=wangfang, attitude=Satisfaction.SATISFIED, result=Satisfaction.SATISFIED, comment="答复详实。"
        )
        mark_key_proposal(proposal, actor=cls.committee, supervisor=cls.leader)
        note = add_supervision_note(proposal, actor=cls.leader, body="请区工信局按期落实产业规划。")
        publish_proposal(proposal, actor=cls.committee)

        handling = case.handling([(cls.unit, LEAD)], lead=chencheng, cosigners=[wangfang], title=HANDLING_TITLE)[0]
        draft_reply = case.draft(handling)
        extension = request_extension(
            handling,
            actor=cls.handler,
            requested_until=handling.reply_due + dt.timedelta(days=30),
            reason="需会同多个部门调研论证。",
        )
        reminder = Reminder.objects.create(
            kind=ReminderKind.REPLY_DUE,
            stage="d7",
            target_type="assignment",
            target_id=handling.pk,
            proposal=handling.proposal,
            assignment=handling,
            recipients=[cls.handler.pk],
        )

        # 代提交 and 代评价: a paper proposal entered by the committee (陈澄 leads, 王芳 signed), and a reply of
        # 区工信局 that 陈澄 rated on paper, recorded by the committee with the form (王芳 has not rated it).
        paper_proposal = enter_paper_proposal(
            actor=cls.committee,
            session=cls.session,
            lead=chencheng,
            cosigners=[wangfang],
            data={"title": PAPER_TITLE, "suggestions": "一、编制加装电梯工作指引。", "publication_consent": True},
        )
        paper_assignment = case.handling(
            [(cls.unit, LEAD)], lead=chencheng, cosigners=[wangfang], title=PAPER_RATED_TITLE
        )[0]
        case.contact(paper_assignment)
        paper_reply = case.sent(paper_assignment)
        paper_feedback = record_paper_feedback(
            paper_reply,
            actor=cls.committee,
            member=chencheng,
            attitude=Satisfaction.SATISFIED,
            result=Satisfaction.BASICALLY,
            paper_form=SimpleUploadedFile("陈澄满意度测评表.pdf", pdf_bytes(), content_type="application/pdf"),
        )

        pending = case.assigned([(cls.unit, LEAD)], lead=chencheng, title=PENDING_TITLE)[0]
        return_request = request_return(pending, actor=cls.handler, reason="该事项主要由区交通运输局负责。")

        notify([cls.committee], title="有新的退回申请待审", proposal=pending.proposal, email=False)
        api_token = ApiToken(user=chencheng, name="区政府OA系统")
        issue_token(api_token, actor=cls.committee)
        # An opinion (意见建议): not accepted, converted, forwarded to the case unit for reference.
        suggestion = Suggestion.objects.get(
            pk=make_proposal(
                chencheng,
                cls.session,
                title="关于增设社区口袋公园的建议",
                status=ProposalStatus.REJECTED,
                converted_to_suggestion=True,
            ).pk
        )
        # The session's compilations, built by the worker: one asked for by the committee, one by the leader.
        builds = {}
        for name, user, kind in (
            ("committee_build", cls.committee, DocumentKind.COMPILATION),
            ("leader_build", cls.leader, DocumentKind.REPLIES),
        ):
            builds[name] = DocumentBuild.objects.create(kind=kind, session=cls.session, requested_by=user)
            run_build(builds[name].pk)
        scene = {
            **builds,
            "draft": draft,
            "draft_attachment": draft_attachment,
            "submitted": submitted,
            "accepted": accepted,
            "proposal": proposal,
            "attachment": attachment,
            "assignment": lead,
            "cohandling": cohandling,
            "opinion": opinion,
            "countersign": countersign,
            "contact": Contact.objects.get(assignment=lead),
            "reply": reply,
            "revision": ReplyRevision.objects.filter(reply=reply).order_by("pk").first(),
            "feedback": feedback,
            "note": note,
            "event": Event.objects.filter(proposal=proposal).order_by("pk").first(),
            "paper_proposal": paper_proposal,
            "paper_rated_proposal": paper_assignment.proposal,
            "paper_reply": paper_reply,
            "paper_feedback": paper_feedback,
            "handling_assignment": handling,
            "handling_proposal": handling.proposal,
            "draft_reply": draft_reply,
            "extension": extension,
            "reminder": reminder,
            "pending_assignment": pending,
            "return_request": return_request,
            "notification": Notification.objects.get(user=cls.committee, title="有新的退回申请待审"),
            "unit": cls.unit,
            "member": chencheng,
            "profile": MemberProfile.objects.get(user=chencheng),
            "session": cls.session,
            "category": cls.category,
            "reply_category": cls.reply_categories["A"],
            "holiday": Holiday.objects.create(date=dt.date(2023, 4, 5), name="清明节"),
            "calendar_year": CalendarYear.objects.create(year=2027),
            "suggestion": suggestion,
            "suggestion_forward": SuggestionForward.objects.create(
                proposal=suggestion, unit=cls.unit, forwarded_by=cls.committee
            ),
            "search_term": SearchTerm.objects.create(word="时尚产业"),
            # Asked for by the dictionary change just above.
            "search_index_run": SearchIndexRun.objects.order_by("pk").first(),
            "proposal_type": ContentType.objects.get_for_model(Proposal),
            "failed_login": FailedLogin.objects.create(username="zhangsan", ip="192.0.2.7"),
            "access_change": AccessChange.objects.create(user=chencheng, changes={"is_active": [False, True]}),
            "api_token": api_token,
            "import_batch": ImportBatch.objects.create(
                file_name="五届五次会议.xlsx", file_sha256="0" * 64, imported_by=cls.committee, counts={"proposals": 0}
            ),
        }
        for row in scene.values():
            row.refresh_from_db()
        return scene

    def users(self) -> dict[str, object]:
        """The signed-in user of each role (None for the anonymous visitor)."""
        return {
            ANONYMOUS: None,
            OWNER: self.chencheng,
            OTHER_MEMBER: self.lihua,
            COSIGNER: self.wangfang,
            HANDLER: self.handler,
            OTHER_HANDLER: self.other_handler,
            UNIT_LEADER: self.unitlead,
            COMMITTEE: self.committee,
            LEADER: self.leader,
        }
