"""Who gets what: every URL pattern of the project, asked by each of nine roles, answers as written here.

The URLs are not listed by hand from memory: the test walks the root URLconf (the
admin site's URLs included) and fails, naming the pattern, when a pattern has no
expectation below, or when an expectation names a pattern that no longer exists.
So a new page cannot escape the matrix.

Roles (tests/security/helpers_access.py): the anonymous visitor; 陈澄 who leads every
proposal of the scene (owner); 李华, a member with no stake (other_member); 王芳 who
co-signs (cosigner); 区工信局's handler and leader, the lead unit (handler, unit_leader);
区教育局's handler, a unit with no part in the scene (other_handler); committee staff;
leadership. Objects come from one scene built through the services (``AccessScene``).

Answers: 200; 302 to the site's login (``LOGIN``) for an anonymous visitor of a site page;
302 to the admin's own login (``ADMIN_LOGIN``) for anyone without a staff role on an admin
page; 403 for a signed-in user whose role may not use the page; 404 for an object the user
may not see (exactly as for one that does not exist); 405 for a GET to a POST-only step;
``To(...)`` for a designed redirect. Unpublished things answer 404 on the public pages to
everyone, and a member's draft answers 404 to everyone but its proposers (the committee and
leadership see a proposal once it is submitted).

The admin's standard pages of each model (list, add, change, history, delete and the bare
object URL that redirects to the change page) follow from a short table of rights per model
(``MODEL_ADMINS``): who may view, add and delete, and which staff see the table's subject.
How Django answers each kind of page from those rights is spelled out in ``model_admin_cases``.

The second half checks that workflow POSTs by roles that may not act change nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Unit
from documents.choices import BuildState
from documents.models import DocumentBuild
from proposals.choices import ProposalStatus, ProposerStatus, RejectionGround
from proposals.models import Attachment, Event, Notification, Proposal, Proposer, SupervisionNote
from responses.choices import ContactMethod, ReplyStatus, Satisfaction
from responses.models import (
    Assignment,
    Contact,
    Countersign,
    ExtensionRequest,
    Feedback,
    Opinion,
    Reminder,
    Reply,
    ReplyRevision,
    ReturnRequest,
)
from tests.api.access_table import API_READS
from tests.proposals.helpers_member import draft_post, pdf_bytes
from tests.security.helpers_access import (
    ADMIN_LOGIN,
    ANONYMOUS,
    COMMITTEE,
    COSIGNER,
    GROUPS,
    HANDLER,
    IN_MEMORY_STORAGE,
    LEADER,
    LOGIN,
    OTHER_HANDLER,
    OTHER_MEMBER,
    OWNER,
    ROLES,
    UNIT_LEADER,
    AccessScene,
    Case,
    Raw,
    To,
    answer_text,
    case,
    case_url,
    expect,
    observe,
    project_patterns,
)

STAFF = GROUPS["staff"]
UNIT_STAFF = GROUPS["unit_staff"]
OVERSIGHT = GROUPS["oversight"]
COMMITTEE_ONLY = (COMMITTEE,)
NOBODY: tuple[str, ...] = ()
MISSING = Raw("999999")  # a primary key no row has
# Staff who see the scene's proposals and their handling: the lead unit and the oversight roles.
CASE_SEEN = (HANDLER, UNIT_LEADER, COMMITTEE, LEADER)


def admin_page(**staff) -> dict:
    """An admin page: anyone without a staff role is sent to the admin's login."""
    return expect(non_staff=ADMIN_LOGIN, **staff)


# Shared tables -----------------------------------------------------------------------------

SIGNED_IN_200 = expect(anonymous=LOGIN, signed_in=200)
POST_ONLY = expect(anonymous=LOGIN, signed_in=405)
# The scene's proposal (assigned to 区工信局, replied) and what hangs on it: proposers, the lead unit, oversight.
CASE_OBJECT = expect(anonymous=LOGIN, proposers=200, other_member=404, case_unit=200, other_handler=404, oversight=200)
# A member's draft: its proposers only, until it is submitted.
DRAFT = expect(anonymous=LOGIN, proposers=200, other_member=404, staff=404)
# A proposal submitted but not yet assigned: its proposers and the oversight roles; no unit.
UNASSIGNED = expect(anonymous=LOGIN, proposers=200, other_member=404, unit_staff=404, oversight=200)
# A reply letter still in draft: the unit and oversight only; proposers see letters once sent.
DRAFT_LETTER = expect(anonymous=LOGIN, members=404, case_unit=200, other_handler=404, oversight=200)
# The lead proposer's own steps on a proposal others may see: 403 to those who see it, 404 to the rest.
LEAD_ONLY_DRAFT = expect(anonymous=LOGIN, owner=200, cosigner=403, other_member=404, staff=404)
DASHBOARD = expect(anonymous=LOGIN, members=403, staff=200)
# The annual report's draft states the whole committee's figures: committee staff and leaders only.
ANNUAL_REPORT = expect(anonymous=LOGIN, members=403, unit_staff=403, oversight=200)
# Unit work pages in the admin: the lead unit and oversight see it; another unit gets 404.
UNIT_WORK = admin_page(case_unit=200, other_handler=404, oversight=200)
COMMITTEE_PAGE = admin_page(staff=403, committee=200)
OVERSIGHT_PAGE = admin_page(unit_staff=403, oversight=200)
ADMIN_POST_ONLY = admin_page(staff=405)


# Site pages --------------------------------------------------------------------------------

SITE = {
    "healthz": [case(expect(everyone=200))],
    "favicon": [case(expect(everyone="301 /static/img/favicon.svg"))],
    # A signed-in user is sent on to his own worklist (accounts.landing).
    "login": [
        case(
            expect(
                anonymous=200,
                members=To("portal:home"),
                unit_staff=To("admin:responses_assignment_worklist"),
                committee=To("admin:index"),
                leader=To("dashboard:index"),
            )
        )
    ],
    # The test client asks from 127.0.0.1, inside METRICS_ALLOWED_NETWORKS (tests/ops/test_metrics.py has the rest).
    "metrics": [case(expect(everyone=200))],
    # Single sign-on is off unless OIDC_ENABLED (tests/ops/test_oidc.py has it on).
    "oidc_authentication_init": [case(expect(everyone=404))],
    "oidc_authentication_callback": [case(expect(everyone=404))],
    # Signing out is a POST (Django 5); a GET is refused for everyone.
    "logout": [case(expect(everyone=405))],
    "password_change": [case(SIGNED_IN_200)],
    "password_change_done": [case(SIGNED_IN_200)],
    # Password reset pages answer the same to everyone, whichever account is named.
    "password_reset": [case(expect(everyone=200))],
    "password_reset_done": [case(expect(everyone=200))],
    "password_reset_confirm": [case(expect(everyone=200), uidb64=Raw("MQ"), token=Raw("bad-token"))],
    "password_reset_complete": [case(expect(everyone=200))],
    "set_language": [case(expect(everyone=To("portal:home")))],
}

PORTAL = {
    "portal:home": [case(SIGNED_IN_200)],
    # Only members write proposals; staff get the portal's 403 page.
    "portal:proposal_create": [case(expect(anonymous=LOGIN, members=200, staff=403))],
    "portal:similar": [case(SIGNED_IN_200, query={"title": "福田区时尚产业体系"})],
    "portal:proposal_detail": [
        case(CASE_OBJECT, pk="proposal"),
        case(DRAFT, pk="draft"),
        case(UNASSIGNED, pk="submitted"),
        # Accepted, not yet assigned; 王芳 is not on this one.
        case({**UNASSIGNED, COSIGNER: 404}, pk="accepted"),
        # Entered from paper by the committee (代提交): its proposers follow it like their own.
        case(UNASSIGNED, pk="paper_proposal"),
        # A proposal that does not exist answers exactly as one you may not see.
        case(expect(anonymous=LOGIN, signed_in=404), pk=MISSING),
    ],
    "portal:proposal_edit": [
        case(LEAD_ONLY_DRAFT, pk="draft"),
        # Not a draft any more: the owner is sent back to the proposal's page.
        case(
            expect(
                anonymous=LOGIN,
                owner=To("portal:proposal_detail", pk="proposal"),
                cosigner=403,
                other_member=404,
                case_unit=403,
                other_handler=404,
                oversight=403,
            ),
            pk="proposal",
        ),
    ],
    "portal:proposal_submit": [case(POST_ONLY, pk="draft")],
    "portal:proposal_withdraw": [case(POST_ONLY, pk="submitted")],
    "portal:attachment_add": [case(POST_ONLY, pk="draft")],
    "portal:attachment_download": [
        case(CASE_OBJECT, pk="proposal", attachment_pk="attachment"),
        case(DRAFT, pk="draft", attachment_pk="draft_attachment"),
        # Another proposal's attachment under this proposal's URL: no one gets it.
        case(expect(anonymous=LOGIN, signed_in=404), pk="proposal", attachment_pk="draft_attachment"),
    ],
    "portal:attachment_remove": [case(POST_ONLY, pk="draft", attachment_pk="draft_attachment")],
    "portal:cosigners": [case(LEAD_ONLY_DRAFT, pk="draft")],
    "portal:member_search": [
        case({**LEAD_ONLY_DRAFT, OWNER: To("portal:cosigners", pk="draft")}, pk="draft", query={"q": "王"})
    ],
    "portal:invite": [case(POST_ONLY, pk="draft")],
    # Only the invited member has an invitation; everyone else 404, the lead proposer included.
    "portal:invitation": [case(expect(anonymous=LOGIN, signed_in=404, cosigner=200), pk="draft")],
    "portal:feedback": [
        case(
            expect(anonymous=LOGIN, proposers=200, other_member=404, case_unit=403, other_handler=404, oversight=403),
            pk="proposal",
            reply_pk="reply",
        ),
        # A reply of another proposal, and a reply still in draft: 404 whoever asks.
        case(expect(anonymous=LOGIN, signed_in=404), pk="handling_proposal", reply_pk="reply"),
        case(expect(anonymous=LOGIN, signed_in=404), pk="handling_proposal", reply_pk="draft_reply"),
    ],
    # The paper form of a rating recorded on a member's behalf (代评价): whoever may see the rating (the member
    # rated for, the replying unit, oversight); not the other proposer, whose rating it is not.
    "portal:feedback_paper_form": [
        case(
            expect(
                anonymous=LOGIN,
                owner=200,
                cosigner=404,
                other_member=404,
                case_unit=200,
                other_handler=404,
                oversight=200,
            ),
            pk="paper_rated_proposal",
            reply_pk="paper_reply",
            feedback_pk="paper_feedback",
        ),
        # A rating given online has no paper form; ids that do not belong together name nothing.
        case(expect(anonymous=LOGIN, signed_in=404), pk="proposal", reply_pk="reply", feedback_pk="feedback"),
        case(
            expect(anonymous=LOGIN, signed_in=404), pk="proposal", reply_pk="paper_reply", feedback_pk="paper_feedback"
        ),
    ],
    "portal:notifications": [case(SIGNED_IN_200)],
    "portal:notifications_mark_all_read": [case(POST_ONLY)],
}

PUBLIC = {
    "public:index": [case(expect(everyone=200))],
    "public:detail": [
        case(expect(everyone=200), pk="proposal"),
        # Not published: 404 to everyone, the committee and the proposers included.
        case(expect(everyone=404), pk="handling_proposal"),
        case(expect(everyone=404), pk="draft"),
        case(expect(everyone=404), pk=MISSING),
    ],
}

LETTERS = {
    "letters:print": [
        case(CASE_OBJECT, pk="reply"),
        case(DRAFT_LETTER, pk="draft_reply"),
        case(expect(anonymous=LOGIN, signed_in=404), pk=MISSING),
    ],
    "letters:docx": [case(CASE_OBJECT, pk="reply"), case(DRAFT_LETTER, pk="draft_reply")],
}

# The session's documents (documents/): a proposal's form to whoever sees the proposal; the compilations to
# the oversight roles; a build and its file to the one who asked and to committee staff.
COMPILER_PAGE = expect(anonymous=LOGIN, members=403, unit_staff=403, oversight=200)
DOCUMENTS = {
    "documents:proposal_form": [
        case(CASE_OBJECT, pk="proposal"),
        case(DRAFT, pk="draft"),
        case(UNASSIGNED, pk="submitted"),
        case(expect(anonymous=LOGIN, signed_in=404), pk=MISSING),
    ],
    "documents:proposal_form_docx": [case(CASE_OBJECT, pk="proposal"), case(DRAFT, pk="draft")],
    "documents:compilations": [case(COMPILER_PAGE)],
    "documents:compilation": [
        case(COMPILER_PAGE, session_pk="session"),
        case(COMPILER_PAGE, session_pk="session", query={"order": "category"}),
        case({**COMPILER_PAGE, COMMITTEE: 404, LEADER: 404}, session_pk=MISSING),
    ],
    "documents:reply_compilation": [
        case(COMPILER_PAGE, session_pk="session"),
        case({**COMPILER_PAGE, COMMITTEE: 404, LEADER: 404}, session_pk=MISSING),
    ],
    "documents:build": [
        case(expect(anonymous=LOGIN, signed_in=404, committee=200), pk="committee_build"),
        case(expect(anonymous=LOGIN, signed_in=404, oversight=200), pk="leader_build"),
        case(expect(anonymous=LOGIN, signed_in=404), pk=MISSING),
    ],
    "documents:build_download": [
        case(expect(anonymous=LOGIN, signed_in=404, committee=200), pk="committee_build"),
        case(expect(anonymous=LOGIN, signed_in=404, oversight=200), pk="leader_build"),
    ],
}

DASHBOARD_PAGES = {
    "dashboard:index": [case(DASHBOARD)],
    "dashboard:ping": [case(DASHBOARD)],
    "dashboard:proposals": [case(DASHBOARD), case(DASHBOARD, query={"q": "福田", "status": "assigned"})],
    "dashboard:proposals_export": [case(DASHBOARD)],
    "dashboard:assignments": [case(DASHBOARD), case(DASHBOARD, query={"overdue": "true"})],
    "dashboard:assignments_export": [case(DASHBOARD)],
    "dashboard:report": [
        case(ANNUAL_REPORT, session_id="session"),
        case(expect(anonymous=LOGIN, members=403, unit_staff=403, oversight=404), session_id=MISSING),
    ],
    "dashboard:report_docx": [
        case(ANNUAL_REPORT, session_id="session"),
        case(expect(anonymous=LOGIN, members=403, unit_staff=403, oversight=404), session_id=MISSING),
    ],
}

# The admin site --------------------------------------------------------------------------

ADMIN_SITE = {
    "admin:index": [case(admin_page(staff=200))],
    "admin:search": [case(admin_page(staff=200), query={"s": "福田"})],
    # The admin's login: shown to anyone without a staff role (a member is told they may not enter).
    "admin:login": [case(expect(non_staff=200, staff=To("admin:index")))],
    "admin:logout": [case(expect(non_staff=To("admin:index"), staff=405))],
    "admin:password_change": [case(admin_page(staff=200))],
    "admin:password_change_done": [case(admin_page(staff=200))],
    "admin:autocomplete": [
        case(admin_page(staff=403)),  # without its parameters
        case(
            admin_page(staff=200),
            query={"app_label": "responses", "model_name": "assignment", "field_name": "proposal", "term": "福田"},
        ),
        # The user list is for the oversight roles, even through a form's lookup.
        case(
            admin_page(unit_staff=403, oversight=200),
            query={"app_label": "proposals", "model_name": "proposer", "field_name": "user", "term": "陈"},
        ),
    ],
    "admin:jsi18n": [case(admin_page(staff=200))],
    # No model has a public URL of its own: nothing to redirect to.
    "admin:view_on_site": [case(admin_page(staff=404), content_type_id="proposal_type", object_id="proposal")],
    "admin:app_list": [
        case(admin_page(unit_staff=404, oversight=200), app_label=Raw("accounts")),
        case(admin_page(staff=200), app_label=Raw("proposals")),
        case(admin_page(staff=200), app_label=Raw("responses")),
    ],
    # The catch-all: unknown admin pages are 404 for staff, the login for anyone else.
    "admin/(?P<url>.*)$": [case(admin_page(staff=404), path="/admin/no-such-page/")],
}

ADMIN_WORKFLOW = {
    # The committee's pages (proposals/admin_review.py, responses/admin_assign.py, admin_supervision.py, admin_publication.py).
    "admin:proposals_proposal_review_queue": [case(COMMITTEE_PAGE)],
    # The import of earlier sessions (imports/admin.py): committee staff only; confirming is a POST.
    "admin:imports_importbatch_upload": [case(COMMITTEE_PAGE)],
    "admin:imports_importbatch_template": [case(COMMITTEE_PAGE)],
    "admin:imports_importbatch_confirm": [case(admin_page(staff=403, committee=405))],
    "admin:proposals_proposal_assign_many": [case(COMMITTEE_PAGE)],
    "admin:proposals_proposal_supervised": [case(OVERSIGHT_PAGE)],
    "admin:proposals_proposal_publication": [case(COMMITTEE_PAGE)],
    "admin:proposals_proposal_review": [
        case(COMMITTEE_PAGE, pk="submitted"),
        case(COMMITTEE_PAGE, pk="paper_proposal"),
    ],
    # 代提交 and 代评价: committee staff enter paper proposals and record paper ratings (proposals/admin_paper.py,
    # responses/admin_paper_feedback.py).
    "admin:proposals_proposal_paper_entry": [case(COMMITTEE_PAGE)],
    "admin:proposals_proposal_paper_feedback": [
        case(COMMITTEE_PAGE, pk="paper_rated_proposal"),
        case(COMMITTEE_PAGE, pk="proposal"),
        case(admin_page(staff=403, committee=404), pk=MISSING),
    ],
    "admin:proposals_proposal_accept": [case(ADMIN_POST_ONLY, pk="submitted")],
    "admin:proposals_proposal_reject": [case(ADMIN_POST_ONLY, pk="submitted")],
    "admin:proposals_proposal_merge": [case(ADMIN_POST_ONLY, pk="submitted")],
    "admin:proposals_proposal_assign": [case(COMMITTEE_PAGE, pk="accepted")],
    "admin:proposals_proposal_supervision": [case(OVERSIGHT_PAGE, pk="proposal")],
    "admin:proposals_proposal_key": [case(ADMIN_POST_ONLY, pk="proposal")],
    "admin:proposals_proposal_publish": [case(ADMIN_POST_ONLY, pk="proposal")],
    # The unit's pages (the responses/admin_views/ package).
    "admin:responses_assignment_worklist": [
        case(admin_page(unit_staff=200, oversight=To("admin:responses_assignment_changelist")))
    ],
    "admin:responses_assignment_handle": [
        case(UNIT_WORK, object_id="assignment"),
        case(UNIT_WORK, object_id="pending_assignment"),
        # The co-handling unit's assignment on the same proposal: not the lead unit's business.
        case(admin_page(unit_staff=404, oversight=200), object_id="cohandling"),
        # Missing and malformed ids: 404, like an assignment of another unit.
        case(admin_page(staff=404), object_id=MISSING),
        case(admin_page(staff=404), object_id=Raw("abc")),
    ],
    "admin:responses_assignment_reply": [
        case(UNIT_WORK, object_id="handling_assignment"),
        # The reply was sent: its page is the letter's review page.
        case(
            admin_page(
                case_unit=To("admin:responses_reply_review", object_id="reply"),
                other_handler=404,
                oversight=To("admin:responses_reply_review", object_id="reply"),
            ),
            object_id="assignment",
        ),
    ],
    "admin:responses_assignment_followup": [case(UNIT_WORK, object_id="assignment")],
    # A co-handling unit countersigns (会签) the lead unit's draft on its own assignment's page: the lead unit,
    # like any other unit, gets 404 for the co-handler's page; its own assignment's page lists nothing to sign.
    "admin:responses_assignment_countersign": [
        case(admin_page(unit_staff=404, oversight=200), object_id="cohandling"),
        case(UNIT_WORK, object_id="assignment"),
        case(admin_page(staff=404), object_id=MISSING),
    ],
    "admin:responses_reply_review": [case(UNIT_WORK, object_id="reply"), case(UNIT_WORK, object_id="draft_reply")],
    "admin:responses_reply_revisions": [case(UNIT_WORK, object_id="reply"), case(UNIT_WORK, object_id="draft_reply")],
    # The committee's review of replies (督办审核): its worklist and the review page are the committee's alone.
    "admin:responses_reply_review_queue": [case(COMMITTEE_PAGE)],
    "admin:responses_reply_committee_review": [
        case(COMMITTEE_PAGE, object_id="reply"),
        case(COMMITTEE_PAGE, object_id="draft_reply"),
        case(admin_page(staff=403, committee=404), object_id=MISSING),
    ],
    # Manual 催办 and decisions on requests: the committee's.
    "admin:responses_reminder_manual": [case(COMMITTEE_PAGE, assignment_id="handling_assignment")],
    "admin:responses_returnrequest_decide": [case(COMMITTEE_PAGE, pk="return_request")],
    "admin:responses_extensionrequest_decide": [case(COMMITTEE_PAGE, pk="extension")],
    # The year's holiday schedule and recomputing due dates; forwarding an opinion (意见建议): the committee's.
    "admin:responses_holiday_schedule": [case(COMMITTEE_PAGE)],
    "admin:responses_holiday_recompute": [case(COMMITTEE_PAGE)],
    "admin:responses_suggestion_forward": [case(COMMITTEE_PAGE, pk="suggestion")],
    # Setting another user's password: the committee, who manage accounts.
    "admin:auth_user_password_change": [case(COMMITTEE_PAGE, id="member")],
}


# The admin's standard pages of each model ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Rights:
    """What the staff roles may do with one model in the admin, and which of them see its ``subject``.

    ``view``: who opens the list and the object (read-only or editable); ``add`` and ``delete``
    as named; ``seen``: the staff whose ``visible_to`` includes the subject row (a scene name).
    """

    subject: str
    view: tuple[str, ...] = dataclasses.field(kw_only=True)
    add: tuple[str, ...] = dataclasses.field(kw_only=True)
    delete: tuple[str, ...] = dataclasses.field(kw_only=True)
    seen: tuple[str, ...] = dataclasses.field(kw_only=True)


REFERENCE = {"view": OVERSIGHT, "add": COMMITTEE_ONLY, "delete": COMMITTEE_ONLY, "seen": STAFF}
HANDLED = {"view": STAFF, "add": NOBODY, "delete": NOBODY, "seen": CASE_SEEN}

MODEL_ADMINS = {
    # People and reference lists: the committee manages them, leaders read; units have no admin for them.
    "accounts.unit": Rights("unit", **REFERENCE),
    "accounts.user": Rights("member", **REFERENCE),
    "accounts.memberprofile": Rights("profile", **REFERENCE),
    # The sign-in throttle's rows: committee staff see who is locked out; nobody edits them.
    "accounts.failedlogin": Rights("failed_login", view=COMMITTEE_ONLY, add=NOBODY, delete=NOBODY, seen=STAFF),
    # The audit of role and account changes: the committee and leaders read it; nobody edits it.
    "accounts.accesschange": Rights("access_change", view=OVERSIGHT, add=NOBODY, delete=NOBODY, seen=STAFF),
    # Past imports: the committee reads them; nobody edits them (an import is undone by no one).
    "imports.importbatch": Rights("import_batch", view=COMMITTEE_ONLY, add=NOBODY, delete=NOBODY, seen=STAFF),
    # API tokens: the committee creates and revokes them (never deletes: the row is the record).
    "api.apitoken": Rights("api_token", view=COMMITTEE_ONLY, add=COMMITTEE_ONLY, delete=NOBODY, seen=COMMITTEE_ONLY),
    "proposals.session": Rights("session", **REFERENCE),
    "proposals.category": Rights("category", **REFERENCE),
    "proposals.searchterm": Rights("search_term", **REFERENCE),
    # The re-indexings after dictionary changes: read by oversight, written by the task only.
    "proposals.searchindexrun": Rights("search_index_run", view=OVERSIGHT, add=NOBODY, delete=NOBODY, seen=STAFF),
    "responses.holiday": Rights("holiday", **REFERENCE),
    "responses.replycategory": Rights("reply_category", **REFERENCE),
    "responses.calendaryear": Rights("calendar_year", **REFERENCE),
    # Opinions (意见建议): oversight reads the list; units read what was forwarded to them.
    "responses.suggestion": Rights("suggestion", view=OVERSIGHT, add=NOBODY, delete=NOBODY, seen=(COMMITTEE, LEADER)),
    "responses.suggestionforward": Rights("suggestion_forward", **HANDLED),
    # Proposals: every staff role reads the ones it sees; only the committee edits; nobody deletes.
    "proposals.proposal": Rights("proposal", view=STAFF, add=COMMITTEE_ONLY, delete=NOBODY, seen=CASE_SEEN),
    # 督办 is between leaders and the committee.
    "proposals.supervisionnote": Rights("note", view=OVERSIGHT, add=OVERSIGHT, delete=COMMITTEE_ONLY, seen=CASE_SEEN),
    # The audit log: read by oversight, written by services only.
    "proposals.event": Rights("event", view=OVERSIGHT, add=NOBODY, delete=NOBODY, seen=CASE_SEEN),
    # A user's own notifications: the subject is the committee user's.
    "proposals.notification": Rights("notification", view=OVERSIGHT, add=NOBODY, delete=NOBODY, seen=(COMMITTEE,)),
    # Handling rows: every staff role reads what it sees; services write them.
    "responses.assignment": Rights("assignment", **HANDLED),
    "responses.opinion": Rights("opinion", **HANDLED),
    # Countersignatures (会签): the lead unit and the co-handler read theirs; the services write them.
    "responses.countersign": Rights("countersign", **HANDLED),
    # A contact (办前沟通) is recorded by unit staff through the admin's add form.
    "responses.contact": Rights("contact", view=STAFF, add=UNIT_STAFF, delete=NOBODY, seen=CASE_SEEN),
    "responses.reply": Rights("reply", **HANDLED),
    "responses.replyrevision": Rights("revision", **HANDLED),
    "responses.feedback": Rights("feedback", **HANDLED),
    "responses.returnrequest": Rights("return_request", **HANDLED),
    "responses.extensionrequest": Rights("extension", **HANDLED),
    # Reminder rows are for oversight; units get them as notifications and email.
    "responses.reminder": Rights("reminder", view=OVERSIGHT, add=NOBODY, delete=NOBODY, seen=CASE_SEEN),
}


def model_admin_cases(label: str, rights: Rights) -> dict[str, list[Case]]:
    """The six standard admin URLs of a model and the answer each staff role gets.

    Django's order of checks (with admin_base's 404 for rows one may not see):
    list: view right or 403; add: add right or 403; change: view right or 403, then
    the row must be visible or 404 (a row that does not exist answers the same);
    history: the row first (404), then the view right (403); delete: delete right or
    403, then the row (404); the bare object URL redirects every staff member to the
    change page (which then decides).
    """
    app, model = label.split(".")
    prefix = f"admin:{app}_{model}"
    subject = rights.subject

    def answer(role: str, kind: str):
        sees = role in rights.seen
        if kind == "changelist":
            return 200 if role in rights.view else 403
        if kind == "add":
            return 200 if role in rights.add else 403
        if kind == "change":
            return 403 if role not in rights.view else (200 if sees else 404)
        if kind == "history":
            return 404 if not sees else (200 if role in rights.view else 403)
        if kind == "delete":
            return 403 if role not in rights.delete else (200 if sees else 404)
        raise ValueError(kind)

    cases = {}
    for kind in ("changelist", "add", "change", "history", "delete"):
        table = admin_page(**{role: answer(role, kind) for role in STAFF})
        kwargs = {"object_id": subject} if kind in ("change", "history", "delete") else {}
        cases[f"{prefix}_{kind}"] = [case(table, **kwargs)]
    missing = admin_page(**{role: 404 if role in rights.view else 403 for role in STAFF})
    cases[f"{prefix}_change"].append(case(missing, object_id=MISSING))
    redirect = To(f"{prefix}_change", object_id=subject)
    cases[f"admin/{app}/{model}/<path:object_id>/"] = [case(admin_page(staff=redirect), object_id=subject)]
    return cases


def all_expectations() -> dict[str, list[Case]]:
    table: dict[str, list[Case]] = {}
    for part in (SITE, PORTAL, PUBLIC, LETTERS, DOCUMENTS, DASHBOARD_PAGES, ADMIN_SITE, ADMIN_WORKFLOW, API_READS):
        table.update(part)
    for label, rights in MODEL_ADMINS.items():
        table.update(model_admin_cases(label, rights))
    return table


EXPECTATIONS = all_expectations()


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class AccessMatrixTests(AccessScene):
    def setUp(self) -> None:
        super().setUp()
        # Hundreds of expected 403s and 404s: Django would log each one.
        for name in ("django.request", "django.security", "security"):
            logger = logging.getLogger(name)
            self.addCleanup(logger.setLevel, logger.level)
            logger.setLevel(logging.CRITICAL)

    def clients(self) -> dict[str, Client]:
        clients = {}
        for role, user in self.users().items():
            clients[role] = Client()
            if user is not None:
                clients[role].force_login(user)
        return clients

    def ask(self, client: Client, url: str) -> str:
        response = client.get(url)
        if getattr(response, "streaming", False):
            # Downloads and exports are read to the end: a failure half-way is a failure. (The test
            # client closes the response once its content is read; closing it again would fire
            # request_finished and close the test's database connection.)
            b"".join(response.streaming_content)
        return observe(response)

    # -- the matrix -----------------------------------------------------------------------

    def test_every_url_pattern_has_written_expectations(self):
        keys = [pattern.key for pattern in project_patterns()]
        self.assertEqual(len(keys), len(set(keys)), "two patterns share a name")
        missing = [key for key in keys if key not in EXPECTATIONS]
        self.assertEqual(missing, [], "URL patterns with no expected answers in the access matrix")
        stale = sorted(set(EXPECTATIONS) - set(keys))
        self.assertEqual(stale, [], "expectations for URL patterns that no longer exist")

    def test_every_role_gets_the_written_answer_on_every_url(self):
        clients = self.clients()
        checked = 0
        for pattern in project_patterns():
            for request in EXPECTATIONS.get(pattern.key, ()):
                url = case_url(pattern, request, self.scene)
                for role in ROLES:
                    expected = answer_text(request.answers[role], self.scene)
                    with self.subTest(url=url, role=role, pattern=pattern.key):
                        self.assertEqual(self.ask(clients[role], url), expected)
                    checked += 1
        self.assertGreater(checked, 1500)


# Workflow POSTs by roles that may not act ---------------------------------------------------

FORGED = "越权测试"


def attempt(role: str, name: str, answer, data=None, **kwargs) -> tuple:
    """A POST by ``role`` to the page ``name`` (kwargs name scene objects); ``data(test)`` builds the form."""
    return role, name, kwargs, data or (lambda test: {}), answer


def rating(test) -> dict:
    return {"attitude": Satisfaction.DISSATISFIED, "result": Satisfaction.DISSATISFIED, "comment": FORGED}


def draft_form(test) -> dict:
    return {**draft_post(title="关于越权修改的建议"), "action": "submit"}


def upload(test) -> dict:
    return {"file": SimpleUploadedFile("越权.txt", "越权测试".encode(), content_type="text/plain")}


def units(test) -> dict:
    return {"lead_unit": test.other_unit.pk, "assigned_on": "2023-03-01", "instructions": FORGED, "step": "confirm"}


def reassign(test) -> dict:
    return {"note": FORGED, "reassign-lead_unit": test.other_unit.pk, "reassign-assigned_on": "2023-03-01"}


def compilation_request(test) -> dict:
    return {"session": test.session.pk, "kind": "compilation", "order": "number"}


def contact_form(test) -> dict:
    return {
        "action": "contact",
        "assignment": test.scene["assignment"].pk,
        "contacted_on": "2023-03-01",
        "method": ContactMethod.PHONE,
        "participants": FORGED,
    }


def paper_entry(test) -> dict:
    return {
        "session": test.session.pk,
        "lead": test.lihua.pk,
        "title": "关于越权代提交的建议",
        "suggestions": FORGED,
        "publication_consent": "on",
    }


def paper_rating(test) -> dict:
    return {
        "reply": test.scene["paper_reply"].pk,
        "member": test.wangfang.pk,
        "attitude": Satisfaction.DISSATISFIED,
        "result": Satisfaction.DISSATISFIED,
        "comment": FORGED,
        "paper_form": SimpleUploadedFile("越权.pdf", pdf_bytes(), content_type="application/pdf"),
    }


# Each attempt: the answer it gets, and nothing of the scene changes (checked row by row).
WRONG_ROLE_POSTS = [
    # The member portal: only the lead proposer acts on a proposal; others who see it get 403, the rest 404.
    attempt(ANONYMOUS, "portal:proposal_submit", LOGIN, pk="draft"),
    attempt(COSIGNER, "portal:proposal_submit", 403, pk="draft"),
    attempt(OTHER_MEMBER, "portal:proposal_submit", 404, pk="draft"),
    attempt(COMMITTEE, "portal:proposal_submit", 404, pk="draft"),
    attempt(HANDLER, "portal:proposal_submit", 404, pk="draft"),
    attempt(COSIGNER, "portal:proposal_withdraw", 403, lambda t: {"reason": FORGED}, pk="submitted"),
    attempt(OTHER_HANDLER, "portal:proposal_withdraw", 404, lambda t: {"reason": FORGED}, pk="submitted"),
    attempt(LEADER, "portal:proposal_withdraw", 403, lambda t: {"reason": FORGED}, pk="submitted"),
    attempt(COSIGNER, "portal:proposal_edit", 403, draft_form, pk="draft"),
    attempt(COMMITTEE, "portal:proposal_edit", 404, draft_form, pk="draft"),
    attempt(OTHER_MEMBER, "portal:proposal_edit", 404, draft_form, pk="draft"),
    attempt(COSIGNER, "portal:attachment_add", 403, upload, pk="draft"),
    attempt(UNIT_LEADER, "portal:attachment_add", 403, upload, pk="proposal"),
    attempt(COSIGNER, "portal:attachment_remove", 403, pk="draft", attachment_pk="draft_attachment"),
    attempt(OTHER_MEMBER, "portal:attachment_remove", 404, pk="draft", attachment_pk="draft_attachment"),
    # A forged pairing: the owner's draft with the attachment of another proposal.
    attempt(OWNER, "portal:attachment_remove", 404, pk="draft", attachment_pk="attachment"),
    # The owner's own step on a proposal that is no longer a draft: refused with a message, nothing removed.
    attempt(
        OWNER,
        "portal:attachment_remove",
        To("portal:proposal_detail", pk="proposal"),
        pk="proposal",
        attachment_pk="attachment",
    ),
    attempt(COSIGNER, "portal:invite", 403, lambda t: {"member": t.lihua.pk}, pk="draft"),
    # A forged member id: committee staff cannot be made co-signers.
    attempt(
        OWNER, "portal:invite", To("portal:cosigners", pk="draft"), lambda t: {"member": t.committee.pk}, pk="draft"
    ),
    attempt(HANDLER, "portal:invite", 404, lambda t: {"member": t.lihua.pk}, pk="draft"),
    # Only the invited member answers an invitation.
    attempt(OWNER, "portal:invitation", 404, lambda t: {"answer": "decline"}, pk="draft"),
    attempt(OTHER_MEMBER, "portal:invitation", 404, lambda t: {"answer": "confirm"}, pk="draft"),
    attempt(COMMITTEE, "portal:invitation", 404, lambda t: {"answer": "decline"}, pk="draft"),
    # Only proposers rate a reply (a 不满意 would start re-handling).
    attempt(HANDLER, "portal:feedback", 403, rating, pk="proposal", reply_pk="reply"),
    attempt(COMMITTEE, "portal:feedback", 403, rating, pk="proposal", reply_pk="reply"),
    attempt(OTHER_MEMBER, "portal:feedback", 404, rating, pk="proposal", reply_pk="reply"),
    attempt(OWNER, "portal:feedback", 404, rating, pk="handling_proposal", reply_pk="reply"),
    attempt(OWNER, "portal:feedback", 404, rating, pk="handling_proposal", reply_pk="draft_reply"),
    # 代提交 and 代评价 are the committee's: members meet the admin's login, other staff 403; nothing entered.
    attempt(ANONYMOUS, "admin:proposals_proposal_paper_entry", ADMIN_LOGIN, paper_entry),
    attempt(OWNER, "admin:proposals_proposal_paper_entry", ADMIN_LOGIN, paper_entry),
    attempt(LEADER, "admin:proposals_proposal_paper_entry", 403, paper_entry),
    attempt(HANDLER, "admin:proposals_proposal_paper_entry", 403, paper_entry),
    attempt(COSIGNER, "admin:proposals_proposal_paper_feedback", ADMIN_LOGIN, paper_rating, pk="paper_rated_proposal"),
    attempt(LEADER, "admin:proposals_proposal_paper_feedback", 403, paper_rating, pk="paper_rated_proposal"),
    attempt(UNIT_LEADER, "admin:proposals_proposal_paper_feedback", 403, paper_rating, pk="paper_rated_proposal"),
    attempt(HANDLER, "admin:proposals_proposal_paper_feedback", 403, paper_rating, pk="paper_rated_proposal"),
    # The committee's steps: visitors and members meet the admin's login, other staff 403.
    attempt(ANONYMOUS, "admin:proposals_proposal_accept", ADMIN_LOGIN, lambda t: {"note": FORGED}, pk="submitted"),
    attempt(OWNER, "admin:proposals_proposal_accept", ADMIN_LOGIN, lambda t: {"note": FORGED}, pk="submitted"),
    attempt(LEADER, "admin:proposals_proposal_accept", 403, lambda t: {"note": FORGED}, pk="submitted"),
    attempt(HANDLER, "admin:proposals_proposal_accept", 403, lambda t: {"note": FORGED}, pk="submitted"),
    attempt(
        LEADER,
        "admin:proposals_proposal_reject",
        403,
        lambda t: {"ground": RejectionGround.NOT_IN_SCOPE, "reason": FORGED},
        pk="submitted",
    ),
    attempt(
        UNIT_LEADER, "admin:proposals_proposal_merge", 403, lambda t: {"into": t.scene["accepted"].pk}, pk="submitted"
    ),
    attempt(LEADER, "admin:proposals_proposal_assign", 403, units, pk="accepted"),
    attempt(HANDLER, "admin:proposals_proposal_assign", 403, units, pk="accepted"),
    attempt(LEADER, "admin:proposals_proposal_key", 403, lambda t: {"is_key": "", "note": FORGED}, pk="proposal"),
    attempt(HANDLER, "admin:proposals_proposal_publish", 403, pk="handling_proposal"),
    attempt(HANDLER, "admin:proposals_proposal_supervision", 403, lambda t: {"body": FORGED}, pk="proposal"),
    attempt(LEADER, "admin:responses_returnrequest_decide", 403, reassign, pk="return_request"),
    attempt(HANDLER, "admin:responses_returnrequest_decide", 403, reassign, pk="return_request"),
    attempt(
        UNIT_LEADER,
        "admin:responses_extensionrequest_decide",
        403,
        lambda t: {"approved_until": "2023-07-01", "note": FORGED},
        pk="extension",
    ),
    attempt(
        LEADER, "admin:responses_reminder_manual", 403, lambda t: {"note": FORGED}, assignment_id="handling_assignment"
    ),
    attempt(
        HANDLER, "admin:responses_reminder_manual", 403, lambda t: {"note": FORGED}, assignment_id="handling_assignment"
    ),
    # The unit's steps: another unit gets 404; oversight roles see the page but the service refuses.
    attempt(
        OTHER_HANDLER,
        "admin:responses_assignment_handle",
        404,
        lambda t: {"action": "accept"},
        object_id="pending_assignment",
    ),
    attempt(
        COMMITTEE,
        "admin:responses_assignment_handle",
        To("admin:responses_assignment_handle", object_id="pending_assignment"),
        lambda t: {"action": "accept"},
        object_id="pending_assignment",
    ),
    # Refused by the service: the form says why (200), nothing is saved.
    attempt(
        LEADER,
        "admin:responses_assignment_handle",
        200,
        lambda t: {"action": "return", "reason": FORGED},
        object_id="pending_assignment",
    ),
    attempt(OTHER_HANDLER, "admin:responses_assignment_handle", 404, contact_form, object_id="assignment"),
    attempt(
        OTHER_HANDLER,
        "admin:responses_assignment_reply",
        404,
        lambda t: {"body": FORGED},
        object_id="handling_assignment",
    ),
    attempt(
        COMMITTEE, "admin:responses_assignment_reply", 403, lambda t: {"body": FORGED}, object_id="handling_assignment"
    ),
    attempt(OTHER_HANDLER, "admin:responses_reply_review", 404, lambda t: {"action": "sign"}, object_id="draft_reply"),
    attempt(
        HANDLER,
        "admin:responses_reply_review",
        To("admin:responses_reply_review", object_id="draft_reply"),
        lambda t: {"action": "sign"},
        object_id="draft_reply",
    ),
    attempt(
        COMMITTEE,
        "admin:responses_reply_review",
        To("admin:responses_reply_review", object_id="draft_reply"),
        lambda t: {"action": "sign"},
        object_id="draft_reply",
    ),
    # The committee's review of replies: nobody else releases, returns or recategorises a reply.
    attempt(HANDLER, "admin:responses_reply_committee_review", 403, lambda t: {"action": "release"}, object_id="reply"),
    attempt(
        LEADER,
        "admin:responses_reply_committee_review",
        403,
        lambda t: {"action": "return", "comments": FORGED},
        object_id="draft_reply",
    ),
    # Committee staff on a reply not under review: refused by the service, the page says why, nothing changes.
    attempt(
        COMMITTEE,
        "admin:responses_reply_committee_review",
        To("admin:responses_reply_committee_review", object_id="draft_reply"),
        lambda t: {"action": "release"},
        object_id="draft_reply",
    ),
    attempt(
        COMMITTEE,
        "admin:responses_reply_committee_review",
        400,
        lambda t: {"action": "return", "comments": FORGED},
        object_id="draft_reply",
    ),
    # Countersigning: only the co-handling unit asked may answer; the lead unit and others get 404.
    attempt(
        HANDLER,
        "admin:responses_assignment_countersign",
        404,
        lambda t: {"action": "agree", "countersign": t.scene["countersign"].pk},
        object_id="cohandling",
    ),
    attempt(
        OTHER_HANDLER,
        "admin:responses_assignment_countersign",
        404,
        lambda t: {"action": "agree", "countersign": t.scene["countersign"].pk},
        object_id="cohandling",
    ),
    # The admin's own forms: no change or delete right, 403; another unit's row is no valid choice.
    attempt(HANDLER, "admin:proposals_proposal_change", 403, lambda t: {"title": FORGED}, object_id="proposal"),
    attempt(LEADER, "admin:proposals_proposal_change", 403, lambda t: {"title": FORGED}, object_id="proposal"),
    attempt(COMMITTEE, "admin:proposals_proposal_delete", 403, lambda t: {"post": "yes"}, object_id="proposal"),
    attempt(
        COMMITTEE, "admin:responses_assignment_change", 403, lambda t: {"status": "replied"}, object_id="assignment"
    ),
    attempt(COMMITTEE, "admin:responses_reply_delete", 403, lambda t: {"post": "yes"}, object_id="reply"),
    attempt(COMMITTEE, "admin:proposals_event_delete", 403, lambda t: {"post": "yes"}, object_id="event"),
    attempt(LEADER, "admin:proposals_supervisionnote_delete", 403, lambda t: {"post": "yes"}, object_id="note"),
    attempt(LEADER, "admin:responses_contact_add", 403, contact_form),
    attempt(OTHER_HANDLER, "admin:responses_contact_add", 200, contact_form),
    # Only committee staff and leaders ask for a session's compilation.
    attempt(ANONYMOUS, "documents:compilations", LOGIN, compilation_request),
    attempt(OWNER, "documents:compilations", 403, compilation_request),
    attempt(HANDLER, "documents:compilations", 403, compilation_request),
    attempt(UNIT_LEADER, "documents:compilations", 403, compilation_request),
    # An admin action the role does not have: a unit has no actions on proposals, so the list is shown again.
    attempt(
        HANDLER,
        "admin:proposals_proposal_changelist",
        200,
        lambda t: {"action": "publish_selected", "_selected_action": [t.scene["handling_proposal"].pk], "index": "0"},
    ),
]


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class RefusedPostsChangeNothingTests(AccessScene):
    def setUp(self) -> None:
        super().setUp()
        for name in ("django.request", "django.security", "security"):
            logger = logging.getLogger(name)
            self.addCleanup(logger.setLevel, logger.level)
            logger.setLevel(logging.CRITICAL)

    def state(self) -> dict:
        """Every row of the scene's workflow, field by field, and how many events and notifications exist."""
        models = (
            Proposal,
            Proposer,
            Attachment,
            Assignment,
            Opinion,
            Countersign,
            Contact,
            Reply,
            ReplyRevision,
            Feedback,
            ReturnRequest,
            ExtensionRequest,
            Reminder,
            SupervisionNote,
            DocumentBuild,
        )
        rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
        rows["events"] = Event.objects.count()
        rows["notifications"] = Notification.objects.count()
        return rows

    def test_workflow_posts_by_roles_that_may_not_act_change_nothing(self):
        users = self.users()
        before = self.state()
        for role, name, kwargs, data, answer in WRONG_ROLE_POSTS:
            client = Client()
            if users[role] is not None:
                client.force_login(users[role])
            url = reverse(name, kwargs={key: str(self.scene[value].pk) for key, value in kwargs.items()})
            with self.subTest(role=role, url=url):
                response = client.post(url, data(self))
                self.assertEqual(observe(response), answer_text(answer, self.scene))
                self.assertEqual(self.state(), before, f"a refused POST by {role} to {url} changed the scene")

    def test_posts_without_a_csrf_token_are_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.chencheng)
        before = self.state()
        response = client.post(reverse("portal:proposal_submit", args=[self.scene["draft"].pk]))
        self.assertEqual(response.status_code, 403)
        client.force_login(self.committee)
        response = client.post(reverse("admin:proposals_proposal_accept", args=[self.scene["submitted"].pk]))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.state(), before)

    def test_admin_lookups_offer_only_rows_the_user_may_see(self):
        """The autocomplete answers 200 to every staff role (the matrix); what it lists is scoped."""
        query = {"app_label": "responses", "model_name": "assignment", "field_name": "proposal", "term": ""}
        url = f"{reverse('admin:autocomplete')}?{urlencode(query)}"
        wanted = str(self.scene["proposal"].pk)
        for user, listed in ((self.handler, True), (self.other_handler, False), (self.committee, True)):
            self.client.force_login(user)
            ids = {row["id"] for row in self.client.get(url).json()["results"]}
            self.assertEqual(wanted in ids, listed, user.username)

    def test_marking_notifications_read_touches_only_ones_own(self):
        self.client.force_login(self.wangfang)
        self.client.post(reverse("portal:notifications_mark_all_read"))
        self.assertFalse(Notification.objects.filter(user=self.wangfang, read_at__isnull=True).exists())
        self.assertTrue(Notification.objects.filter(user=self.chencheng, read_at__isnull=True).exists())
        self.assertTrue(Notification.objects.filter(user=self.committee, read_at__isnull=True).exists())

    def test_the_scene_is_what_the_matrix_assumes(self):
        """The expectations rest on these facts; a change in the scene must not make them pass vacuously."""
        scene = self.scene
        self.assertEqual(scene["draft"].status, ProposalStatus.DRAFT)
        self.assertEqual(
            Proposer.objects.get(proposal=scene["draft"], user=self.wangfang).status, ProposerStatus.INVITED
        )
        self.assertEqual(scene["submitted"].status, ProposalStatus.SUBMITTED)
        self.assertEqual(scene["accepted"].status, ProposalStatus.ACCEPTED)
        self.assertEqual(scene["proposal"].status, ProposalStatus.REPLIED)
        self.assertTrue(scene["proposal"].is_published and scene["proposal"].is_key)
        self.assertFalse(scene["handling_proposal"].is_published)
        self.assertEqual(scene["reply"].status, ReplyStatus.SENT)
        self.assertEqual(scene["draft_reply"].status, ReplyStatus.DRAFT)
        self.assertEqual(scene["assignment"].unit, self.unit)
        self.assertEqual(scene["cohandling"].unit, self.third_unit)
        self.assertFalse(Assignment.objects.filter(unit=self.other_unit).exists())
        self.assertFalse(Unit.objects.filter(staff=self.other_handler, assignments__isnull=False).exists())
        self.assertEqual(scene["notification"].user, self.committee)
        self.assertEqual(scene["paper_proposal"].status, ProposalStatus.SUBMITTED)
        self.assertEqual(scene["paper_proposal"].entered_by, self.committee)
        self.assertEqual(scene["paper_rated_proposal"].status, ProposalStatus.REPLIED)
        self.assertEqual(
            (scene["paper_feedback"].user, scene["paper_feedback"].recorded_by), (self.chencheng, self.committee)
        )
        self.assertFalse(Feedback.objects.filter(reply=scene["paper_reply"], user=self.wangfang).exists())
        self.assertEqual(
            (scene["committee_build"].state, scene["committee_build"].requested_by), (BuildState.DONE, self.committee)
        )
        self.assertEqual(
            (scene["leader_build"].state, scene["leader_build"].requested_by), (BuildState.DONE, self.leader)
        )
        self.assertTrue(Notification.objects.filter(user=self.chencheng, read_at__isnull=True).exists())
