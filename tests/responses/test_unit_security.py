"""A unit can neither see nor change another unit's work, through any admin URL or any other view.

The URLs are not listed by hand: the test walks the admin site's registry (every model
admin's URLs, custom ones included, and every admin action), the site-level admin URLs
(search, autocomplete for every foreign key, view-on-site, app lists) and every other
URL in the project's URLconf (portal, letters, dashboard, exports, public pages). A new
admin, view or action is therefore tested the day it is added; a newly registered model
must be declared below as holding unit work or as reference data, or the test fails.

Another unit's work is a full handling scene of 区教育局 (and of 区发改局, which it helps as
co-handler and asks to countersign a draft): proposals with attachments, proposers, assignments, contacts,
opinions, a countersign request, a
sent reply with its revisions and feedback, return and extension requests, reminders,
notifications and a supervision note, each carrying a unique marker text. For every
request, as our unit's handler and as its leader, the response must not contain any
marker (zip files such as .docx and .xlsx are opened and searched too), every object URL
of another unit's row must answer 403, 404 or 405 (or redirect to a page without the
markers), and the database rows of that work must be exactly as before.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
import re
import zipfile
from urllib.parse import quote

from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import models
from django.test import RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import MemberProfile, Unit, User
from proposals.choices import ProposalStatus
from proposals.models import Attachment, Category, Event, Notification, Proposal, Proposer, Session, SupervisionNote
from proposals.services import add_supervision_note, mark_key_proposal
from proposals.workflow import notify
from responses.choices import ContactMethod, ReminderKind, Satisfaction
from responses.models import (
    Assignment,
    CalendarYear,
    Contact,
    Countersign,
    ExtensionRequest,
    Feedback,
    Holiday,
    Opinion,
    Reminder,
    Reply,
    ReplyCategory,
    ReplyRevision,
    ReturnRequest,
    Suggestion,
    SuggestionForward,
)
from responses.services import (
    give_feedback,
    log_contact,
    request_extension,
    request_return,
    save_reply_draft,
    send_opinion,
)
from responses.services.countersign import countersign_letter
from tests.base import make_proposal
from tests.responses.helpers_units import COHANDLING, LEAD, TODAY, UnitPagesTestCase

IN_MEMORY_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Marker texts that exist only in the other units' work.
SECRET_TITLE = "关于机密甲乙丙丁事项的建议"
SECRET_TITLE_2 = "关于机密戊己庚辛事项的建议"
SECRET_TITLE_3 = "关于机密壬癸子丑事项的建议"
SECRET_TITLE_4 = "关于机密寅卯辰巳事项的建议"
SECRET_NUMBERS = ["2023991", "2023992", "2023993", "2023994"]
SECRET_LETTER = "福教函〔2023〕999号"
SECRETS = [
    SECRET_TITLE,
    SECRET_TITLE_2,
    SECRET_TITLE_3,
    SECRET_TITLE_4,
    *SECRET_NUMBERS,
    SECRET_LETTER,
    "机密答复正文午未申",
    "机密草稿正文酉戌亥",
    "机密沟通记录天地玄",
    "机密会办意见黄宇宙",
    "机密会签稿金生丽水",
    "机密退回理由洪荒日",
    "机密延期理由月盈昃",
    "机密测评意见辰宿列",
    "机密督办意见张寒来",
    "机密附件名称暑往",
    "机密附件内容秋收",
    "机密通知标题冬藏",
    "机密情况分析闰余",
    "孙经办",  # the other unit's handler: unit staff see only their own unit's people
    "钱局长",
]
# What a search box is given, to tempt list pages, autocompletes and the admin's search.
PROBES = [SECRET_NUMBERS[0], "机密", "孙经办"]

# Registered models with no unit work in them: lists any staff member may read in full.
REFERENCE_MODELS = {Unit, Session, Category, Holiday, CalendarYear, ReplyCategory, MemberProfile}
REFERENCE_LABELS = {  # no unit data
    "proposals.SearchTerm",
    "proposals.SearchIndexRun",
    "accounts.FailedLogin",
    "accounts.AccessChange",
}
# Committee-only admins (unit staff get 403 on every page of them): API tokens and past imports.
REFERENCE_LABELS |= {"api.ApiToken", "imports.ImportBatch"}

# Views that log out or need a fresh sign-in would end the session the test runs in.
SKIPPED_NAMES = {"logout", "login", "password_change", "password_change_done"}
SKIPPED_NAMESPACES = {"djdt"}

# A POST body with something for every workflow form, so that a view missing its check would act.
POST_ACTIONS = ["", "accept", "return", "contact", "opinion", "sign", "sendback", "send", "approve", "refuse"]


def post_data(action: str) -> dict:
    return {
        "action": action,
        "post": "yes",
        "approve": "1",
        "decision": "approve",
        "reason": "越权测试",
        "note": "越权测试",
        "comments": "越权测试",
        "body": "越权测试",
        "participants": "越权测试",
        "method": ContactMethod.PHONE,
        "contacted_on": TODAY.isoformat(),
        "letter_number": "越权测试",
        "title": "越权测试",
        "status": "closed",
        "_submit": "1",
        "_save": "1",
    }


def response_text(response) -> str:
    """Everything a response shows: body (zip archives opened), headers and redirect target."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    parts = [content.decode("utf-8", errors="replace"), str(dict(response.headers))]
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                parts += [archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    return "\n".join(parts)


def strip_echo(text: str, url: str) -> str:
    """Removes the search words of the request itself where a page echoes them (a search box, a link)."""
    for probe in PROBES:
        if probe in url or quote(probe) in url:
            for form in (probe, quote(probe)):
                text = re.sub(r"""(value=["']|(?:[?&]|&amp;)(?:q|s|term)=)""" + re.escape(form), r"\1", text)
    return text


def substitute(route: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: values[match.group(1)], route)


def route_params(pattern) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class OtherUnitsWorkStaysHiddenTests(UnitPagesTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Our unit's own work, so that pages have something of theirs to show.
        cls.own_assignment = cls.build_own_work()
        cls.secret = cls.build_other_units_work()

    # -- the scenes ------------------------------------------------------------------------

    @classmethod
    def build_own_work(cls) -> Assignment:
        case = cls()  # the helpers are instance methods; no test state is used
        assignment = case.handling()[0]
        case.contact(assignment)
        case.draft(assignment)
        return assignment

    @classmethod
    def build_other_units_work(cls) -> dict[type[models.Model], models.Model]:
        case = cls()
        edu, edu_lead = cls.other_handler, cls.otherlead
        # 1. Replied with a B letter, rated; contact, attachment, supervision note, notification.
        first = case.handling(
            [(cls.other_unit, LEAD)],
            lead=cls.lihua,
            title=SECRET_TITLE,
            number=SECRET_NUMBERS[0],
        )[0]
        proposal = first.proposal
        Proposal.objects.filter(pk=proposal.pk).update(background="机密情况分析闰余")
        mark_key_proposal(proposal, actor=cls.committee, supervisor=cls.leader)
        note = add_supervision_note(proposal, actor=cls.leader, body="机密督办意见张寒来")
        attachment = Attachment(
            proposal=proposal,
            original_name="机密附件名称暑往.txt",
            content_type="text/plain",
            size=18,
            uploaded_by=cls.lihua,
        )
        attachment.file.save("secret.txt", ContentFile("机密附件内容秋收".encode()), save=False)
        attachment.save()
        contact = log_contact(
            first,
            actor=edu,
            contacted_on=TODAY,
            method=ContactMethod.MEETING,
            participants="李华委员；孙经办",
            notes="机密沟通记录天地玄",
        )
        reply = case.sent(
            first,
            category=cls.reply_categories["B"],
            letter_number=SECRET_LETTER,
            body="机密答复正文午未申",
            contact_person="孙经办",
            commitment_date=TODAY + dt.timedelta(days=60),
        )
        feedback = give_feedback(
            reply,
            actor=cls.lihua,
            attitude=Satisfaction.SATISFIED,
            result=Satisfaction.BASICALLY,
            comment="机密测评意见辰宿列",
        )
        notify([edu], title="机密通知标题冬藏", proposal=proposal, email=False)
        # 2. Pending, with a return request.
        second = case.assigned(
            [(cls.other_unit, LEAD)], lead=cls.lihua, title=SECRET_TITLE_2, number=SECRET_NUMBERS[1]
        )[0]
        return_request = request_return(second, actor=edu, reason="机密退回理由洪荒日")
        # 3. Being handled: a draft with revisions, an extension request, a reminder.
        third = case.handling([(cls.other_unit, LEAD)], lead=cls.lihua, title=SECRET_TITLE_3, number=SECRET_NUMBERS[2])[
            0
        ]
        draft = save_reply_draft(third, actor=edu, data={"body": "机密草稿正文酉戌亥"}, base_version=None)
        save_reply_draft(third, actor=edu_lead, data={"letter_number": "福教函〔2023〕998号"}, base_version=1)
        extension = request_extension(
            third, actor=edu, requested_until=third.reply_due + dt.timedelta(days=30), reason="机密延期理由月盈昃"
        )
        reminder = Reminder.objects.create(
            kind=ReminderKind.REPLY_DUE,
            stage="d7",
            target_type="assignment",
            target_id=third.pk,
            proposal=third.proposal,
            assignment=third,
            recipients=[edu.pk],
        )
        # 4. Led by 区发改局, co-handled by 区教育局, whose opinion was sent.
        fourth_lead, fourth_co = case.handling(
            [(cls.third_unit, LEAD), (cls.other_unit, COHANDLING)],
            lead=cls.lihua,
            title=SECRET_TITLE_4,
            number=SECRET_NUMBERS[3],
        )
        opinion = send_opinion(fourth_co, actor=edu, body="机密会办意见黄宇宙")
        # 区发改局's draft, sent to 区教育局 for countersigning (会签) as a session with it would.
        fourth_draft = save_reply_draft(
            fourth_lead, actor=cls.third_handler, data={"body": "机密会签稿金生丽水"}, base_version=None
        )
        countersign = Countersign.objects.create(
            reply=fourth_draft,
            assignment=fourth_co,
            version=fourth_draft.version,
            letter=countersign_letter(fourth_draft),
            requested_by=cls.third_handler,
        )
        # 5. An opinion (意见建议) forwarded to the other unit for reference.
        suggestion = make_proposal(
            cls.lihua,
            cls.session,
            title="关于机密意见建议的建议",
            status=ProposalStatus.REJECTED,
            converted_to_suggestion=True,
        )
        forward = SuggestionForward.objects.create(
            proposal=suggestion, unit=cls.other_unit, forwarded_by=cls.committee, note="机密转交说明"
        )
        return {
            Suggestion: Suggestion.objects.get(pk=suggestion.pk),
            SuggestionForward: forward,
            Proposal: proposal,
            Proposer: proposal.proposers.get(),
            Attachment: attachment,
            Event: Event.objects.filter(proposal=proposal).first(),
            Notification: Notification.objects.get(user=edu, title="机密通知标题冬藏"),
            SupervisionNote: note,
            Assignment: first,
            Contact: contact,
            Reply: reply,
            ReplyRevision: ReplyRevision.objects.filter(reply=draft).last(),
            Feedback: feedback,
            ReturnRequest: return_request,
            ExtensionRequest: extension,
            Reminder: reminder,
            Opinion: opinion,
            Countersign: countersign,
            User: edu,
        }

    # -- checks ------------------------------------------------------------------------------

    def snapshot(self) -> dict:
        """Every row of the other units' work, field by field."""
        proposals = list(Proposal.objects.filter(number__in=SECRET_NUMBERS).values_list("pk", flat=True))
        through = {
            Proposal: "pk",
            Proposer: "proposal",
            Attachment: "proposal",
            Event: "proposal",
            Notification: "proposal",
            SupervisionNote: "proposal",
            Assignment: "proposal",
            Reminder: "proposal",
            Opinion: "assignment__proposal",
            Countersign: "assignment__proposal",
            Contact: "assignment__proposal",
            ReturnRequest: "assignment__proposal",
            ExtensionRequest: "assignment__proposal",
            Reply: "assignment__proposal",
            ReplyRevision: "reply__assignment__proposal",
            Feedback: "reply__assignment__proposal",
        }
        state = {
            model.__name__: list(model.objects.filter(**{f"{path}__in": proposals}).order_by("pk").values())
            for model, path in through.items()
        }
        state["User"] = list(
            User.objects.filter(unit__in=[self.other_unit, self.third_unit])
            .order_by("pk")
            .values("pk", "username", "password", "full_name", "role", "unit", "is_active", "email", "phone")
        )
        return state

    def check(self, method: str, url: str, *, data=None, object_url: bool = False) -> None:
        """One request: nothing of the other units shown; after a POST, nothing of theirs changed.

        (GETs are compared in bulk by ``phase``: the snapshot costs more than the request.)
        """
        before = self.snapshot() if method == "post" else None
        if method == "get":
            response = self.client.get(url, follow=True)
        else:
            response = self.client.post(url, data or {}, follow=True)
        label = f"{self.user.username} {method.upper()} {url}"
        first_status = response.redirect_chain[0][1] if response.redirect_chain else response.status_code
        text = strip_echo(response_text(response), url)
        leaked = [secret for secret in SECRETS if secret in text]
        self.assertEqual(leaked, [], f"{label} shows another unit's work")
        if object_url:
            self.assertIn(first_status, (302, 403, 404, 405), f"{label} answered {first_status}")
        if before is not None:
            self.assertEqual(self.snapshot(), before, f"{label} changed another unit's work")
        # A view that signed us out must not make the rest of the run pass vacuously.
        self.assertEqual(
            self.client.session.get("_auth_user_id"), str(self.user.pk), f"{label} ended the test's session"
        )
        self.requests += 1

    def phase(self, name: str, *args) -> None:
        before = self.snapshot()
        getattr(self, name)(*args)
        self.assertEqual(self.snapshot(), before, f"{self.user.username}: a GET in {name} changed another unit's work")

    def own_pk(self, model) -> str:
        row = model._default_manager.order_by("pk").first()
        return str(row.pk) if row else "1"

    def model_for(self, name: str, default) -> type[models.Model] | None:
        """The model an URL parameter names: object_id/pk/id → the admin's; proposal_pk, reply_id … → that model."""
        if name in ("object_id", "pk", "id"):
            return default
        base = re.sub(r"_(pk|id)$", "", name)
        for model in self.secret:
            if model._meta.model_name == base.replace("_", ""):
                return model
        return default

    # -- the admin ---------------------------------------------------------------------------

    def check_model_admin_urls(self, lists: bool = True) -> None:
        registered = set(admin.site._registry)
        undeclared = [
            model._meta.label
            for model in registered
            if model not in self.secret and model not in REFERENCE_MODELS and model._meta.label not in REFERENCE_LABELS
        ]
        self.assertEqual(undeclared, [], "declare each new admin model as unit work (in the scene) or reference data")
        for model, model_admin in admin.site._registry.items():
            prefix = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for pattern in model_admin.get_urls():
                if not isinstance(pattern, URLPattern) or pattern.name in SKIPPED_NAMES:
                    continue
                params = route_params(pattern)
                route = str(pattern.pattern)
                if not params:
                    if lists:
                        self.check_list_url(prefix + route)
                    continue
                targets = {name: self.model_for(name, model) for name in params}
                if all(target in self.secret for target in targets.values()):
                    url = prefix + substitute(route, {n: str(self.secret[t].pk) for n, t in targets.items()})
                    self.check("get", url, object_url=True)
                    # Django's own change, delete and history views have no "action": one POST each;
                    # custom workflow views get every action a form of theirs could send.
                    standard = (pattern.name or "").rsplit("_", 1)[-1] in ("change", "delete", "history")
                    for action in [""] if standard else POST_ACTIONS:
                        self.check("post", url, data=post_data(action), object_url=True)
                else:
                    # Reference data (sessions, units ...): readable, but must not lead to unit work.
                    values = {
                        n: (str(self.secret[t].pk) if t in self.secret else self.own_pk(t)) for n, t in targets.items()
                    }
                    self.check("get", prefix + substitute(route, values))

    def check_list_url(self, url: str) -> None:
        self.check("get", url)
        for probe in PROBES:
            self.check("get", f"{url}?q={probe}&s={probe}&term={probe}")
        self.check("post", url, data=post_data(""))

    def check_admin_actions(self) -> None:
        request = RequestFactory().get("/")
        request.user = self.user
        for model, model_admin in admin.site._registry.items():
            if model not in self.secret:
                continue
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for name in model_admin.get_actions(request) or {}:
                self.check(
                    "post",
                    url,
                    data={
                        "action": name,
                        "_selected_action": [str(self.secret[model].pk)],
                        "select_across": "0",
                        "index": "0",
                        "post": "yes",
                    },
                )

    def check_autocomplete(self) -> None:
        url = reverse("admin:autocomplete")
        for model in admin.site._registry:
            for field in model._meta.get_fields():
                if not (field.is_relation and (field.many_to_one or field.many_to_many) and field.concrete):
                    continue
                if field.remote_field.model not in admin.site._registry:
                    continue
                for term in ["", *PROBES]:
                    self.check(
                        "get",
                        f"{url}?app_label={model._meta.app_label}&model_name={model._meta.model_name}"
                        f"&field_name={field.name}&term={term}",
                    )

    def check_site_urls(self) -> None:
        for name in ("index", "search", "jsi18n"):
            base = reverse(f"admin:{name}")
            self.check("get", base)
            for probe in PROBES:
                self.check("get", f"{base}?s={probe}&extended=1&q={probe}")
        for app_label in {model._meta.app_label for model in admin.site._registry}:
            self.check("get", reverse("admin:app_list", args=[app_label]))
        from django.contrib.contenttypes.models import ContentType

        for model, obj in self.secret.items():
            content_type = ContentType.objects.get_for_model(model)
            self.check("get", reverse("admin:view_on_site", args=[content_type.pk, obj.pk]), object_url=True)

    # -- every other view --------------------------------------------------------------------

    def project_patterns(self, resolvers=None, prefix: str = "", namespace: str = ""):
        """(url route, full name, pattern) of every URL outside the admin."""
        for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin" or entry.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = (
                    f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
                )
                yield from self.project_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), f"{namespace}:{entry.name}" if namespace else entry.name, entry

    # Which model an URL parameter of a non-admin view points at, when it is known.
    VIEW_PARAMS = {
        ("letters", "pk"): Reply,
        ("portal", "pk"): Proposal,
        ("public", "pk"): Proposal,
        ("portal", "attachment_pk"): Attachment,
    }

    def check_project_urls(self, lists: bool = True) -> None:
        all_pks = sorted({str(obj.pk) for obj in self.secret.values()})
        for route, name, _pattern in self.project_patterns():
            if (name or "").split(":")[-1] in SKIPPED_NAMES:
                continue
            self.assertNotIn("(?P", route, f"{name}: a regex route needs values for its groups here")
            route = route.lstrip("^").rstrip("$")
            params = list(dict.fromkeys(re.findall(r"<(?:\w+:)?(\w+)>", route)))
            namespace = (name or "").split(":")[0]
            if not params:
                if not lists:
                    continue
                url = "/" + route
                self.check("get", url)
                for probe in PROBES:
                    self.check("get", f"{url}?q={probe}&s={probe}")
                self.check("post", url, data=post_data(""))
                continue
            choices = []
            for param in params:
                known = self.VIEW_PARAMS.get((namespace, param))
                if known is not None:
                    choices.append([str(self.secret[known].pk)])
                elif "<int:" in route or "<path:" in route:
                    choices.append(all_pks)
                else:
                    choices.append(["x"])
            known_object = all((namespace, p) in self.VIEW_PARAMS for p in params)
            for values in itertools.product(*choices):
                url = "/" + substitute(route, dict(zip(params, values, strict=True)))
                self.check("get", url, object_url=known_object)
                self.check("post", url, data=post_data(""), object_url=known_object)

    # -- the test ----------------------------------------------------------------------------

    def setUp(self) -> None:
        # Thousands of expected 403s and 404s: Django would log a traceback for each one.
        for name in ("django.request", "django.security"):
            logger = logging.getLogger(name)
            self.addCleanup(logger.setLevel, logger.level)
            logger.setLevel(logging.ERROR)

    def sign_in(self, user) -> None:
        self.user = user
        self.requests = 0
        self.client.force_login(user)

    def test_a_unit_handler_can_neither_see_nor_change_another_units_work_anywhere(self):
        # The scene is what it should be: every model admin's object URLs get a row of theirs.
        self.assertEqual(len(self.secret), 19)
        self.assertTrue(Reply.objects.filter(pk=self.secret[Reply].pk, letter_number=SECRET_LETTER).exists())
        self.sign_in(self.handler)
        self.phase("check_model_admin_urls")
        self.phase("check_admin_actions")
        self.phase("check_autocomplete")
        self.phase("check_site_urls")
        self.phase("check_project_urls")
        self.assertGreater(self.requests, 500)

    def test_a_unit_leader_can_neither_open_nor_act_on_another_units_rows(self):
        """The leader's extra rights (sign-off) are tried on every object URL and admin action."""
        self.sign_in(self.unitlead)
        self.phase("check_model_admin_urls", False)
        self.phase("check_admin_actions")
        self.phase("check_project_urls", False)
        self.assertGreater(self.requests, 150)

    def test_the_other_unit_itself_does_see_its_work(self):
        """The markers are real: without the scoping, they would show."""
        self.client.force_login(self.other_handler)
        response = self.client.get(reverse("admin:responses_reply_change", args=[self.secret[Reply].pk]))
        self.assertContains(response, SECRET_LETTER)
        response = self.client.get(reverse("letters:print", args=[self.secret[Reply].pk]))
        self.assertContains(response, "机密答复正文午未申")
        response = self.client.get(reverse("admin:responses_assignment_worklist"))
        self.assertContains(response, SECRET_TITLE_3)
