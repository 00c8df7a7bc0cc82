"""Chinese full-text search: words inside words, normalisation, numbers, ranking, scoped per caller.

Runs on SQLite and, with DATABASE_URL, on PostgreSQL: both paths must give the same results."""

from pathlib import Path

from django.core.management import call_command
from django.template.loader import render_to_string

from proposals import search, search_text
from proposals.choices import ProposalStatus
from proposals.filters import ProposalFilterSet
from proposals.models import Proposal, SearchTerm
from tests.base import PersonaTestCase, make_proposal

REFERENCE = (Path(__file__).resolve().parents[2] / "proposals/fixtures/futian-2023160-reply.txt").read_text(
    encoding="utf-8"
)


class SearchData(PersonaTestCase):
    """The reference proposal 2023160 and two others, by different members."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.reference = make_proposal(
            cls.chencheng,
            cls.session,
            status=ProposalStatus.CLOSED,
            number="2023160",
            title="关于福田区构建具有竞争力的现代化产业体系的建议",
        )
        cls.reference.background = REFERENCE[:1500]
        cls.reference.suggestions = "加强深港合作，布局河套深港科技创新合作区和香蜜湖新金融中心，发展AI与时尚产业。"
        cls.reference.save()
        cls.elderly = make_proposal(
            cls.wangfang, cls.session, status=ProposalStatus.SUBMITTED, title="关于提升社区养老服务供给能力的建议"
        )
        cls.elderly.background = "福田区老年人口增长较快，社区养老服务设施不足。"
        cls.elderly.suggestions = "增加社区养老服务站点，推广长者饭堂。"
        cls.elderly.save()
        cls.schools = make_proposal(
            cls.lihua, cls.session, status=ProposalStatus.SUBMITTED, title="关于优化中小学学位供给的建议"
        )
        cls.schools.background = "部分片区学位紧张。"
        cls.schools.suggestions = "新建和改扩建学校。"
        cls.schools.save()

    def setUp(self):
        # Dictionary words added by a test are rolled back with it: forget the cached segmenter.
        search_text.forget_dictionary()

    def tearDown(self):
        search_text.forget_dictionary()

    def found(self, text, queryset=None):
        return set(search.search(queryset if queryset is not None else Proposal.objects.all(), text))


class SearchTests(SearchData):
    def test_a_two_character_word_finds_the_reference_proposal(self):
        self.assertEqual(self.found("时尚"), {self.reference})
        self.assertEqual(self.found("养老"), {self.elderly})

    def test_a_four_character_word_is_found_whole(self):
        self.assertEqual(self.found("深港合作"), {self.reference})
        self.assertEqual(self.found("学位供给"), {self.schools})

    def test_a_one_character_query_matches_as_a_substring(self):
        self.assertEqual(self.found("港"), {self.reference})
        self.assertEqual(self.found("老"), {self.elderly})

    def test_numbers_and_latin_words(self):
        self.assertEqual(self.found("2023160"), {self.reference})
        self.assertEqual(self.found("AI"), {self.reference})
        self.assertEqual(self.found("ai"), {self.reference})

    def test_mixed_words_must_all_match(self):
        self.assertEqual(self.found("时尚 2023160"), {self.reference})
        self.assertEqual(self.found("时尚 养老"), set())
        self.assertEqual(self.found("河套 AI"), {self.reference})

    def test_domain_words_from_the_user_dictionary_are_stored_whole(self):
        stored = search.document_words("布局河套深港科技创新合作区、香蜜湖新金融中心等平台")
        words = search_text.stored_words(stored)
        for word in ("河套", "香蜜湖", "香蜜湖新金融中心", "河套深港科技创新合作区"):
            self.assertIn(word, words)

    def test_a_word_added_in_the_admin_dictionary_is_found_at_once_and_stored_whole_after_reindexing(self):
        self.assertNotIn("长者饭堂", search_text.stored_words(self.elderly.search_text))
        SearchTerm.objects.create(word="长者饭堂", weight=200)
        search_text.forget_dictionary()  # the next segmentation reloads it (normally within a minute)
        # Matching goes through the grams, which no dictionary changes: nothing disappears meanwhile.
        self.assertEqual(self.found("长者饭堂"), {self.elderly})
        call_command("reindex_search", verbosity=0)
        self.elderly.refresh_from_db()
        self.assertIn("长者饭堂", search_text.stored_words(self.elderly.search_text))
        self.assertEqual(self.found("长者饭堂"), {self.elderly})

    def test_the_text_is_kept_current_on_save(self):
        self.schools.title = "关于优化中小学学位供给和校园安全的建议"
        self.schools.save(update_fields=["title"])
        self.assertEqual(self.found("校园安全"), {self.schools})

    def test_an_empty_query_changes_nothing(self):
        self.assertEqual(self.found(""), {self.reference, self.elderly, self.schools})
        self.assertEqual(self.found("   "), {self.reference, self.elderly, self.schools})

    def test_a_query_with_nothing_searchable_finds_nothing(self):
        for text in ("。，！？", "……", "《》", "「」", "&", "|", "%", "_", "🙂"):
            with self.subTest(text=text):
                self.assertFalse(search.searchable(text))
                self.assertEqual(self.found(text), set())
                self.assertEqual(list(search.ranked(Proposal.objects.all(), text)), [])

    def test_full_width_letters_and_digits_are_read_as_half_width(self):
        self.assertEqual(self.found("ＡＩ"), {self.reference})
        self.assertEqual(self.found("２０２３１６０"), {self.reference})
        self.assertEqual(self.found("５Ｇ"), set())  # searched, and found in no text

    def test_traditional_characters_find_simplified_text_and_the_reverse(self):
        for text in ("養老", "長者", "學位供給", "深港合作"):
            with self.subTest(text=text):
                self.assertTrue(self.found(text))
        self.assertEqual(self.found("養老"), self.found("养老"))
        self.schools.background = "部分片區學位緊張，家長擔憂。"
        self.schools.save()
        self.assertEqual(self.found("家长担忧"), {self.schools})

    def test_a_proposal_number_is_found_with_or_without_its_marks(self):
        for text in ("2023160", "第2023160号", "2023160号", "第 2023160 号"):
            with self.subTest(text=text):
                self.assertEqual(self.found(text), {self.reference})

    def test_a_word_inside_a_longer_word_is_found(self):
        self.elderly.suggestions += "推进老旧小区适老化改造，发展青年人才公寓。"
        self.elderly.save()
        self.assertEqual(self.found("老旧"), {self.elderly})
        self.assertEqual(self.found("人口"), {self.elderly})  # in 老年人口
        self.assertEqual(self.found("金融中心"), {self.reference})  # in 香蜜湖新金融中心
        self.assertEqual(self.found("青年人"), {self.elderly})
        self.assertEqual(self.found("科技创新"), {self.reference})

    def test_a_word_the_segmenter_splits_into_characters_is_matched_whole(self):
        # 时 (in 时尚) and 长 (in 增长) are both in texts, never side by side.
        self.assertEqual(self.found("时长"), set())

    def test_ranked_puts_the_better_match_first(self):
        other = make_proposal(self.lihua, self.session, status=ProposalStatus.SUBMITTED, title="关于时尚消费的建议")
        other.background = other.suggestions = ""
        other.save()
        self.reference.suggestions += "时尚产业、时尚设计、时尚消费一起发展。"
        self.reference.save()
        results = list(search.ranked(Proposal.objects.all(), "时尚"))
        self.assertEqual(results, [self.reference, other])

    def test_a_phrase_typed_together_ranks_above_its_words_apart(self):
        together = make_proposal(
            self.lihua, self.session, status=ProposalStatus.SUBMITTED, title="关于城中村改造的建议"
        )
        together.background = together.suggestions = ""
        together.save()
        apart = make_proposal(self.lihua, self.session, status=ProposalStatus.SUBMITTED, title="关于城中村消防的建议")
        apart.background = "城中村消防通道狭窄，城中村人员密集。"
        apart.suggestions = "对老旧楼宇进行改造。"
        apart.save()  # newer and with more of the words: recency and counts alone would put it first
        results = list(search.ranked(Proposal.objects.all(), "城中村改造"))
        self.assertEqual(results, [together, apart])

    def test_a_one_character_query_ranks_by_relevance_not_recency(self):
        newer = make_proposal(self.lihua, self.session, status=ProposalStatus.SUBMITTED, title="关于港口物流的建议")
        newer.background = newer.suggestions = ""
        newer.save()
        self.reference.suggestions += "深港合作、港澳青年、港资企业。"
        self.reference.save()
        self.assertEqual(list(search.ranked(Proposal.objects.all(), "港")), [self.reference, newer])

    def test_ranked_with_an_empty_query_keeps_the_callers_order(self):
        ordered = Proposal.objects.order_by("pk")
        self.assertEqual(list(search.ranked(ordered, "")), list(ordered))

    def test_highlight_gives_the_text_in_segments_with_the_words_marked(self):
        snippet = search.highlight("<b>发展</b>时尚产业", "时尚")
        self.assertEqual(snippet.segments, (("<b>发展</b>", False), ("时尚", True), ("产业", False)))
        self.assertEqual((snippet.leading, snippet.trailing), (False, False))

    def test_highlight_says_where_the_text_was_cut(self):
        text = "前" * 100 + "时尚" + "后" * 100
        snippet = search.highlight(text, "时尚", width=30)
        self.assertEqual((snippet.leading, snippet.trailing), (True, True))
        self.assertEqual([part for part, is_match in snippet.segments if is_match], ["时尚"])
        self.assertEqual(sum(len(part) for part, _ in snippet.segments), 30)

    def test_highlight_marks_the_simplified_text_for_a_traditional_query(self):
        snippet = search.highlight("发展社区养老服务", "養老")
        self.assertEqual([part for part, is_match in snippet.segments if is_match], ["养老"])

    def test_the_snippet_template_escapes_the_text_and_marks_the_words(self):
        snippet = search.highlight("<b>发展</b>时尚产业" + "。" * 100, "时尚")
        html = render_to_string("proposals/_highlight.html", {"snippet": snippet})
        self.assertTrue(html.strip().startswith("&lt;b&gt;发展&lt;/b&gt;<mark>时尚</mark>产业。"), html)
        self.assertTrue(html.strip().endswith("。…"), html)
        self.assertNotIn("<b>", html)


class SearchScopingTests(SearchData):
    """The same search through each caller's own visible queryset never reaches further."""

    def filtered(self, user, text):
        return set(ProposalFilterSet({"q": text}, queryset=Proposal.objects.visible_to(user)).qs)

    def test_a_member_finds_only_their_own(self):
        self.assertEqual(self.filtered(self.wangfang, "福田"), {self.elderly})
        self.assertEqual(self.filtered(self.wangfang, "时尚"), set())

    def test_a_unit_handler_finds_nothing_not_assigned_to_the_unit(self):
        self.assertEqual(self.filtered(self.handler, "时尚"), set())

    def test_the_public_search_sees_only_published_proposals(self):
        self.assertEqual(set(search.search(Proposal.objects.published(), "时尚")), set())
        Proposal.objects.filter(pk=self.reference.pk).update(is_published=True)
        self.assertEqual(set(search.search(Proposal.objects.published(), "时尚")), {self.reference})

    def test_committee_finds_across_members(self):
        self.assertEqual(self.filtered(self.committee, "福田"), {self.reference, self.elderly})


class PostgresPlanTests(SearchData):
    """Common and rare words take different SQL paths on PostgreSQL; both must find the same rows."""

    def setUp(self):
        super().setUp()
        from django.db import connection

        if connection.vendor != "postgresql":
            self.skipTest("needs PostgreSQL (DATABASE_URL): the plan choice exists only there")

    def test_a_common_word_and_a_rare_word_find_the_same_rows(self):
        from unittest import mock

        with mock.patch("proposals.search._lexeme_frequencies", return_value={}):
            rare = self.found("时尚")
        with mock.patch("proposals.search._lexeme_frequencies", return_value={"时尚": 0.5}):
            common = self.found("时尚")
        self.assertEqual(rare, common)
        self.assertEqual(rare, {self.reference})

    def test_the_paths_agree_for_words_inside_words_single_characters_and_numbers(self):
        from unittest import mock

        common = {gram: 0.5 for gram in ("金融", "融中", "中心", "老年", "年人", "人口", "港")}
        for text in ("金融中心", "人口", "港", "第2023160号", "養老"):
            with self.subTest(text=text):
                with mock.patch("proposals.search._lexeme_frequencies", return_value={}):
                    rare = self.found(text)
                with mock.patch("proposals.search._lexeme_frequencies", return_value=common):
                    self.assertEqual(self.found(text), rare)
                self.assertTrue(rare)
