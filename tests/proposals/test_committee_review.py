"""The committee's review in the admin: the queue, the review page with similar proposals, accept,
reject (不予立案) and merge (并案)."""

from __future__ import annotations

from proposals.choices import EventVerb, ProposalStatus, RejectionGround
from proposals.models import Event, Notification, Proposal, Session
from proposals.services import proposal_recipients
from tests.base import PersonaTestCase, make_proposal, make_session
from tests.proposals.helpers_committee import CARE_TITLE, FASHION_TITLE, accepted, count_queries, submitted, url


class ReviewQueueTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.older = submitted(cls.chencheng, cls.session, title="关于打造福田时尚消费地标的建议")
        cls.newer = submitted(cls.wangfang, cls.session)
        Proposal.objects.filter(pk=cls.older.pk).update(submitted_at="2023-01-05T09:00:00+08:00")
        Proposal.objects.filter(pk=cls.newer.pk).update(submitted_at="2023-01-08T09:00:00+08:00")
        cls.draft = make_proposal(cls.lihua, cls.session, title="关于草稿的建议")
        cls.done = accepted(cls.committee, cls.lihua, cls.session, title="关于已立案的建议")

    def setUp(self) -> None:
        self.client.force_login(self.committee)

    def test_it_lists_submitted_proposals_oldest_first_and_nothing_else(self):
        response = self.client.get(url("review_queue"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["page"].object_list), [self.older, self.newer])
        self.assertContains(response, url("review", self.newer.pk))
        self.assertContains(response, "王芳")
        self.assertNotContains(response, "关于草稿的建议")
        self.assertNotContains(response, "关于已立案的建议")

    def test_it_filters_by_session_and_searches_the_text(self):
        other = make_session(name="六届四次会议", term=6, meeting=4, year=2024, is_current=False)
        submitted(self.chencheng, other, title="关于加强河套合作区建设的建议")
        response = self.client.get(url("review_queue"), {"session": other.pk})
        self.assertEqual([p.title for p in response.context["page"].object_list], ["关于加强河套合作区建设的建议"])
        response = self.client.get(url("review_queue"), {"q": "养老"})
        self.assertEqual(list(response.context["page"].object_list), [self.newer])

    def test_the_queue_runs_a_fixed_number_of_queries_whatever_its_length(self):
        before = count_queries(self.client, url("review_queue"))
        for i in range(5):
            submitted(self.lihua, self.session, title=f"关于第{i}件事的建议", cosigners=[self.wangfang])
        self.assertEqual(count_queries(self.client, url("review_queue")), before)

    def test_the_proposal_list_links_to_the_queue_for_committee_staff_only(self):
        response = self.client.get(url("changelist"))
        self.assertContains(response, url("review_queue"))
        self.client.force_login(self.handler)
        self.assertNotContains(self.client.get(url("changelist")), url("review_queue"))


class ReviewPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.old_session = make_session(name="六届二次会议", term=6, meeting=2, year=2022, is_current=False)
        cls.proposal = submitted(cls.chencheng, cls.session, category=cls.category)
        cls.earlier = make_proposal(
            cls.wangfang,
            cls.old_session,
            title="关于提升社区养老服务质量的建议",
            status=ProposalStatus.CLOSED,
            number="2022031",
        )
        cls.same_session = submitted(cls.lihua, cls.session, title="关于完善社区养老服务设施的建议")
        cls.unrelated = submitted(cls.lihua, cls.session, title="关于加强中小学心理健康教育的建议")
        cls.draft = make_proposal(cls.lihua, cls.session, title="关于社区养老服务的建议（草稿）")
        # Similarity reads the whole text: each its own, as real proposals are.
        texts = {
            cls.proposal: ("福田区老年人口增长快，社区养老服务供给不足。", "增加社区养老服务站点，发展长者饭堂。"),
            cls.earlier: ("社区养老服务质量参差不齐，护理人员不足。", "加强养老护理人员培训，提升社区养老服务质量。"),
            cls.same_session: ("社区养老服务设施分布不均，部分社区缺少日间照料中心。", "完善社区养老服务设施布局。"),
            cls.unrelated: ("中小学生心理问题增多，学校心理教师不足。", "配齐心理健康教师，开设心理健康课程。"),
            cls.draft: ("社区养老服务需求大。", "增加社区养老服务供给。"),
        }
        for proposal, (background, suggestions) in texts.items():
            proposal.background, proposal.suggestions = background, suggestions
            proposal.save()

    def setUp(self) -> None:
        self.client.force_login(self.committee)

    def test_it_shows_the_proposal_beside_similar_ones_from_this_and_earlier_sessions(self):
        response = self.client.get(url("review", self.proposal.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "福田区老年人口增长快")  # the proposal's own text
        similar = response.context["similar"]
        self.assertIn(self.earlier, similar)
        self.assertIn(self.same_session, similar)
        self.assertNotIn(self.unrelated, similar)
        self.assertNotIn(self.draft, similar)
        self.assertContains(response, "2022031")
        self.assertContains(response, "六届二次会议")

    def test_each_similar_proposal_shows_its_score_and_the_shared_words(self):
        response = self.client.get(url("review", self.proposal.pk))
        rows = {row.pk: row for row in response.context["similar"]}
        self.assertGreater(rows[self.same_session.pk].similarity, 0)
        self.assertIn("社区养老", rows[self.same_session.pk].shared_words)
        self.assertContains(response, 'data-testid="similar-score"')
        self.assertContains(response, 'data-testid="similar-shared"')

    def test_the_merge_form_offers_the_similar_proposals_first_with_their_score(self):
        response = self.client.get(url("review", self.proposal.pk))
        choices = list(response.context["merge_form"].fields["into"].choices)[1:]  # after the empty choice
        self.assertEqual(choices[0][0].value, self.same_session.pk)
        self.assertIn("%", str(choices[0][1]))
        self.assertNotIn("%", str(dict((c[0].value, c[1]) for c in choices)[self.unrelated.pk]))

    def test_only_same_session_proposals_offer_merging_into_them(self):
        response = self.client.get(url("review", self.proposal.pk))
        offers = {p.pk: p.can_take_in for p in response.context["similar"]}
        self.assertTrue(offers[self.same_session.pk])
        self.assertFalse(offers[self.earlier.pk])
        self.assertContains(response, f"?into={self.same_session.pk}")
        self.assertNotContains(response, f"?into={self.earlier.pk}")

    def test_merge_into_this_one_opens_the_merge_form_with_the_target_chosen(self):
        response = self.client.get(url("review", self.proposal.pk), {"into": self.same_session.pk})
        self.assertEqual(response.context["open_form"], "merge")
        self.assertEqual(response.context["merge_form"].initial["into"], self.same_session.pk)

    def test_a_proposal_no_longer_submitted_shows_no_decision_forms(self):
        proposal = accepted(self.committee, self.lihua, self.session, title="关于已立案的建议")
        response = self.client.get(url("review", proposal.pk))
        self.assertFalse(response.context["awaiting_review"])
        self.assertNotContains(response, url("accept", proposal.pk))
        self.assertContains(response, url("assign", proposal.pk))

    def test_an_unknown_proposal_answers_404(self):
        self.assertEqual(self.client.get(url("review", 999999)).status_code, 404)


class AcceptTests(PersonaTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.committee)

    def test_accept_gives_the_next_number_in_the_sessions_format_and_leads_to_assignment(self):
        Session.objects.filter(pk=self.session.pk).update(next_serial=160)
        proposal = submitted(self.chencheng, self.session)
        response = self.client.post(url("accept", proposal.pk), {"note": "内容具体，予以立案"})
        self.assertRedirects(response, url("assign", proposal.pk), fetch_redirect_response=False)
        proposal.refresh_from_db()
        self.assertEqual((proposal.status, proposal.number, proposal.serial), (ProposalStatus.ACCEPTED, "2023160", 160))
        event = Event.objects.get(proposal=proposal, verb=EventVerb.ACCEPTED)
        self.assertEqual((event.actor, event.note), (self.committee, "内容具体，予以立案"))
        self.assertTrue(Notification.objects.filter(user=self.chencheng, proposal=proposal).exists())

    def test_two_accepts_give_consecutive_numbers_and_none_is_reused(self):
        first, second = (
            submitted(self.chencheng, self.session),
            submitted(self.wangfang, self.session, title="关于B的建议"),
        )
        self.client.post(url("accept", first.pk))
        self.client.post(url("accept", second.pk))
        numbers = sorted(Proposal.objects.filter(pk__in=[first.pk, second.pk]).values_list("number", flat=True))
        self.assertEqual(numbers, ["2023001", "2023002"])

    def test_accepting_a_proposal_twice_is_refused_with_a_message_and_changes_nothing(self):
        proposal = accepted(self.committee, self.chencheng, self.session)
        response = self.client.post(url("accept", proposal.pk), follow=True)
        self.assertEqual([m.level_tag for m in response.context["messages"]], ["error"])
        proposal.refresh_from_db()
        self.assertEqual(proposal.number, "2023001")
        self.assertEqual(Event.objects.filter(proposal=proposal, verb=EventVerb.ACCEPTED).count(), 1)

    def test_get_does_not_accept(self):
        proposal = submitted(self.chencheng, self.session)
        self.assertEqual(self.client.get(url("accept", proposal.pk)).status_code, 405)
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, ProposalStatus.SUBMITTED)


class RejectTests(PersonaTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.committee)
        self.proposal = submitted(self.chencheng, self.session, cosigners=[self.wangfang])

    def test_reject_records_the_standard_ground_the_reason_and_the_conversion_to_an_opinion(self):
        response = self.client.post(
            url("reject", self.proposal.pk),
            {
                "ground": RejectionGround.PERSONAL,
                "reason": "属个人诉求，建议通过信访渠道反映。",
                "convert_to_suggestion": "on",
            },
        )
        self.assertRedirects(response, url("review_queue"), fetch_redirect_response=False)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.REJECTED)
        self.assertEqual(self.proposal.rejection_ground, RejectionGround.PERSONAL)
        self.assertEqual(self.proposal.rejection_reason, "属个人诉求，建议通过信访渠道反映。")
        self.assertTrue(self.proposal.converted_to_suggestion)
        event = Event.objects.get(proposal=self.proposal, verb=EventVerb.REJECTED)
        self.assertEqual(event.data, {"ground": "personal", "converted_to_suggestion": True})
        for user in (self.chencheng, self.wangfang):
            self.assertTrue(Notification.objects.filter(user=user, proposal=self.proposal).exists())

    def test_reject_without_a_ground_shows_the_error_beside_the_field_and_changes_nothing(self):
        response = self.client.post(url("reject", self.proposal.pk), {"ground": "", "reason": "x"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("ground", response.context["reject_form"].errors)
        self.assertEqual(response.context["open_form"], "reject")
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.SUBMITTED)

    def test_the_other_ground_needs_an_explanation(self):
        response = self.client.post(url("reject", self.proposal.pk), {"ground": RejectionGround.OTHER, "reason": " "})
        self.assertEqual(response.status_code, 400)
        self.assertIn("reason", response.context["reject_form"].errors)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.SUBMITTED)
        self.assertFalse(Event.objects.filter(proposal=self.proposal, verb=EventVerb.REJECTED).exists())


class MergeTests(PersonaTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.committee)
        self.target = accepted(self.committee, self.chencheng, self.session, title=FASHION_TITLE)
        self.proposal = submitted(
            self.wangfang, self.session, title="关于打造福田时尚消费地标的建议", cosigners=[self.lihua]
        )

    def test_merge_folds_the_proposal_into_another_and_keeps_every_proposer(self):
        response = self.client.post(url("merge", self.proposal.pk), {"into": self.target.pk, "note": "内容相近"})
        self.assertRedirects(response, url("review_queue"), fetch_redirect_response=False)
        self.proposal.refresh_from_db()
        self.assertEqual((self.proposal.status, self.proposal.merged_into), (ProposalStatus.MERGED, self.target))
        # Every proposer of both proposals will get the target's reply.
        self.assertEqual({u.username for u in proposal_recipients(self.target)}, {"chencheng", "wangfang", "lihua"})
        self.assertTrue(Event.objects.filter(proposal=self.target, verb=EventVerb.MERGED_IN).exists())

    def test_merge_offers_only_open_proposals_of_the_same_session(self):
        other_session = make_session(name="六届二次会议", term=6, meeting=2, year=2022, is_current=False)
        elsewhere = accepted(self.committee, self.chencheng, other_session, title="关于时尚产业的建议")
        response = self.client.get(url("review", self.proposal.pk))
        choices = response.context["merge_form"].fields["into"].queryset
        self.assertIn(self.target, choices)
        self.assertNotIn(elsewhere, choices)
        self.assertNotIn(self.proposal, choices)

        response = self.client.post(url("merge", self.proposal.pk), {"into": elsewhere.pk})
        self.assertEqual(response.status_code, 400)
        self.assertIn("into", response.context["merge_form"].errors)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.SUBMITTED)

    def test_a_merge_the_service_refuses_shows_its_message(self):
        # The target stops being open between page load and submit: the form still lists it as
        # valid only while it is open, so its status is changed under the form's feet here.
        Proposal.objects.filter(pk=self.target.pk).update(status=ProposalStatus.CLOSED)
        response = self.client.post(url("merge", self.proposal.pk), {"into": self.target.pk})
        self.assertEqual(response.status_code, 400)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.SUBMITTED)

    def test_the_title_on_the_review_page_is_the_proposals(self):
        response = self.client.get(url("review", self.proposal.pk))
        self.assertContains(response, "关于打造福田时尚消费地标的建议")
        self.assertNotContains(response, CARE_TITLE)
