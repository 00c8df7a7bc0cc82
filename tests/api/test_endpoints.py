"""The API's reads (what visible_to shows, filters, keyset pages) and an OA system's path through the writes."""

from __future__ import annotations

import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api.models import ApiToken
from api.services import issue_token
from proposals.choices import ProposalStatus
from responses.choices import ReplyStatus
from responses.services import send_opinion
from tests.responses.helpers_units import COHANDLING, LEAD, REFERENCE_TITLE, UnitPagesTestCase

PROPOSALS = "/api/v1/proposals/"


class ApiTestCase(UnitPagesTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.keys = {
            user.username: issue_token(ApiToken(user=user, name="测试"), actor=cls.committee)
            for user in (
                cls.chencheng,
                cls.wangfang,
                cls.lihua,
                cls.committee,
                cls.handler,
                cls.unitlead,
                cls.third_handler,
            )
        }

    def api(self, username: str) -> Client:
        return Client(headers={"Authorization": f"Bearer {self.keys[username]}"})

    def send(self, username: str, method: str, url: str, body: dict | None = None):
        return getattr(self.api(username), method)(url, json.dumps(body or {}), content_type="application/json")


class ReadTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        case = cls()
        cls.proposal = case.accepted(lead=cls.chencheng, cosigners=[cls.wangfang], serial=160, title=REFERENCE_TITLE)
        cls.lead, cls.cohandling = case.handling(
            [(cls.unit, LEAD), (cls.third_unit, COHANDLING)], proposal=cls.proposal
        )
        case.contact(cls.lead)
        # The lead unit sends its reply once the co-handling unit has given its opinion.
        send_opinion(cls.cohandling, actor=case.staff(cls.cohandling)[0], body="同意主办单位意见。")
        cls.reply = case.sent(cls.lead)

    def test_a_member_fetches_proposal_2023160_by_its_number_with_its_handling(self):
        listed = self.api("chencheng").get(PROPOSALS, {"q": "2023160"}).json()["results"]
        self.assertEqual([row["number"] for row in listed], ["2023160"])
        detail = self.api("chencheng").get(f"{PROPOSALS}{listed[0]['id']}/").json()
        self.assertEqual(detail["title"], REFERENCE_TITLE)
        self.assertEqual([p["name"] for p in detail["proposers"]], ["陈澄", "王芳"])
        self.assertEqual({a["unit"] for a in detail["assignments"]}, {self.unit.pk, self.third_unit.pk})
        self.assertEqual([r["letter_number"] for r in detail["replies"]], ["福工信函〔2023〕160号"])
        verbs = [event["verb"] for event in detail["timeline"]]
        self.assertIn("reply_sent", verbs)
        # The unit's internal steps stay off a member's timeline, as on the member's page.
        self.assertNotIn("reply_signed", verbs)

    def test_unit_staff_see_only_their_units_part_of_a_proposal(self):
        detail = self.api("thirdhandler").get(f"{PROPOSALS}{self.proposal.pk}/").json()
        self.assertEqual([a["unit"] for a in detail["assignments"]], [self.third_unit.pk])
        self.assertEqual(detail["replies"], [])
        self.assertIn("reply_signed", [event["verb"] for event in detail["timeline"]])

    def test_a_member_never_sees_a_draft_reply(self):
        handling = self.handling([(self.unit, LEAD)], lead=self.chencheng, title="关于优化学位供给的建议")[0]
        draft = self.draft(handling)
        self.assertEqual(self.api("chencheng").get(f"/api/v1/replies/{draft.pk}/").status_code, 404)
        self.assertEqual(self.api("handler").get(f"/api/v1/replies/{draft.pk}/").status_code, 200)

    def test_pages_are_keyset_pages_that_follow_on_without_overlap(self):
        for i in range(4):
            self.accepted(lead=self.chencheng, title=f"关于第{i}项民生实事的建议")
        first = self.api("committee").get(PROPOSALS, {"size": 2}).json()
        self.assertEqual(len(first["results"]), 2)
        self.assertIsNone(first["previous"])
        second = self.api("committee").get(first["next"]).json()
        ids = [row["id"] for row in first["results"] + second["results"]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(len(set(ids)), 4)
        self.assertEqual(second["first_row"], 3)

    def test_a_list_costs_the_same_queries_whatever_the_page_size(self):
        for i in range(6):
            self.accepted(lead=self.chencheng, title=f"关于第{i}项城市更新的建议")
        self.api("committee").get(PROPOSALS)  # the token's last use is written on the first call only
        counts = []
        for size in (1, 6):
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.api("committee").get(PROPOSALS, {"size": size}).status_code, 200)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])

    def test_lists_use_the_lists_filters(self):
        self.accepted(lead=self.chencheng, title="关于加快老旧小区改造的建议")
        rows = self.api("committee").get(PROPOSALS, {"status": "replied"}).json()["results"]
        self.assertEqual([row["id"] for row in rows], [self.proposal.pk])
        rows = self.api("committee").get("/api/v1/assignments/", {"unit": self.third_unit.pk}).json()["results"]
        self.assertEqual([row["id"] for row in rows], [self.cohandling.pk])

    def test_a_bad_filter_answers_400_with_the_fields_errors(self):
        response = self.api("committee").get(PROPOSALS, {"status": "nonsense", "session": "abc"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertEqual(set(response.json()["errors"]), {"status", "session"})

    def test_an_id_that_is_no_number_answers_404(self):
        for value in ("abc", "99999999999999999999999"):
            with self.subTest(value=value):
                response = self.api("committee").get(f"{PROPOSALS}{value}/")
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response["Content-Type"], "application/problem+json")

    def test_messages_are_in_chinese(self):
        response = Client().get(PROPOSALS)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["title"], "需要登录")


class WriteTests(ApiTestCase):
    """An OA system's path: submit for a member, accept, assign, accept the assignment, draft, sign, send, rate."""

    def test_an_oa_system_takes_a_proposal_from_submission_to_rating(self):
        with self.assertLogs("security", "INFO") as log:
            created = self.send(
                "chencheng",
                "post",
                PROPOSALS,
                {
                    "session": self.session.pk,
                    "title": "关于推进福田区智慧停车建设的建议",
                    "background": "停车难问题突出。",
                    "suggestions": "一、统筹规划；二、建设智慧停车平台。",
                    "category": self.category.pk,
                },
            )
            self.assertEqual(created.status_code, 201, created.content)
            proposal = created.json()
            self.assertEqual(proposal["status"], ProposalStatus.SUBMITTED)
            pk = proposal["id"]
            accepted = self.send("committee", "post", f"{PROPOSALS}{pk}/accept/", {"note": "同意立案"})
            self.assertEqual(accepted.json()["status"], ProposalStatus.ACCEPTED)
            assigned = self.send(
                "committee", "post", f"{PROPOSALS}{pk}/assign/", {"units": [{"unit": self.unit.pk, "role": "lead"}]}
            )
            self.assertEqual(assigned.status_code, 200, assigned.content)
            assignment = assigned.json()[0]["id"]
            self.assertEqual(self.send("handler", "post", f"/api/v1/assignments/{assignment}/accept/").status_code, 200)
            draft_url = f"/api/v1/assignments/{assignment}/reply-draft/"
            fields = {
                "category": self.reply_categories["A"].pk,
                "letter_number": "福工信函〔2023〕200号",
                "body": "经研究，现答复如下。",
                "contact_person": "刘经办",
                "contact_phone": "0755-82978326",
            }
            first = self.send("handler", "put", draft_url, {"version": None, **fields})
            self.assertEqual(first.status_code, 200, first.content)
            reply = first.json()
            self.assertEqual(reply["version"], 1)
            second = self.send("handler", "put", draft_url, {"version": 1, "body": "经认真研究，现答复如下。"})
            self.assertEqual(second.json()["version"], 2)
            stale = self.send("handler", "put", draft_url, {"version": 1, "body": "旧版本上的修改"})
            self.assertEqual(stale.status_code, 409)
            self.assertEqual(stale["Content-Type"], "application/problem+json")
            self.assertEqual(stale.json()["current_version"], 2)
            self.assertEqual(stale.json()["current"]["body"], "经认真研究，现答复如下。")
            rid = reply["id"]
            self.assertEqual(self.send("handler", "post", f"/api/v1/replies/{rid}/submit/").status_code, 200)
            self.assertEqual(self.send("unitlead", "post", f"/api/v1/replies/{rid}/sign/").status_code, 200)
            sent = self.send("handler", "post", f"/api/v1/replies/{rid}/send/")
            self.assertEqual(sent.json()["status"], ReplyStatus.SENT)
            read = self.api("chencheng").get(f"{PROPOSALS}{pk}/").json()
            self.assertEqual(read["replies"][0]["body"], "经认真研究，现答复如下。")
            rated = self.send(
                "chencheng",
                "post",
                f"/api/v1/replies/{rid}/feedback/",
                {"attitude": "satisfied", "result": "satisfied"},
            )
            self.assertEqual(rated.status_code, 201, rated.content)
        writes = [line for line in log.output if "api write" in line]
        self.assertEqual(len(writes), 11)
        self.assertIn(f"POST /api/v1/replies/{rid}/send/ -> 200", writes[-2])
        self.assertIn("user=handler", writes[-2])

    def test_bad_input_answers_400_with_field_errors_and_saves_nothing(self):
        response = self.send("chencheng", "post", PROPOSALS, {"session": self.session.pk, "title": "", "category": "x"})
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertEqual(set(body["errors"]), {"title", "suggestions", "category"})
        self.assertTrue(all(body["errors"].values()))
        self.assertFalse(self.chencheng.proposer_roles.exists())

    def test_a_refused_submission_leaves_no_draft_behind(self):
        self.session.closes_on = self.session.opens_on = None
        self.session.save()
        self.session.__class__.objects.filter(pk=self.session.pk).update(opens_on="2999-01-01")
        response = self.send(
            "chencheng",
            "post",
            PROPOSALS,
            {"session": self.session.pk, "title": "关于某事的建议", "suggestions": "建议。"},
        )
        self.assertEqual(response.status_code, 409)
        self.assertIn("2999", response.json()["detail"])
        self.assertFalse(self.chencheng.proposer_roles.exists())

    def test_malformed_json_and_other_media_types_are_refused_as_problems(self):
        client = self.api("chencheng")
        bad = client.post(PROPOSALS, "{not json", content_type="application/json")
        self.assertEqual((bad.status_code, bad["Content-Type"]), (400, "application/problem+json"))
        form = client.post(PROPOSALS, {"title": "x"})
        self.assertEqual((form.status_code, form["Content-Type"]), (415, "application/problem+json"))

    def test_a_session_write_needs_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.chencheng)
        response = client.post(PROPOSALS, json.dumps({}), content_type="application/json")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response["Content-Type"], "application/problem+json")


class DocumentationTests(ApiTestCase):
    def test_the_schema_and_the_documentation_are_served_without_a_cdn(self):
        schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        self.assertEqual(schema.status_code, 200)
        self.assertIn("/api/v1/proposals/{id}/", schema.json()["paths"])
        page = Client().get("/api/docs/").content.decode()
        self.assertIn("/static/drf_spectacular_sidecar/", page)
        self.assertNotIn("cdn.", page)
        self.assertNotIn("unpkg", page)
