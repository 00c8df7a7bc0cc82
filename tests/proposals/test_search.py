"""Chinese full-text search: one-, two- and four-character words, numbers and Latin words, scoped per caller."""

from pathlib import Path

from django.core.management import call_command
from django.template.loader import render_to_string

from proposals import search
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
        search._loaded_at = 0

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
        words = search.document_words("布局河套深港科技创新合作区、香蜜湖新金融中心等平台")
        for word in ("河套", "香蜜湖", "香蜜湖新金融中心", "河套深港科技创新合作区"):
            self.assertIn(f" {word} ", words)

    def test_a_word_added_in_the_admin_dictionary_segments_after_reindexing(self):
        self.assertNotIn(" 长者饭堂 ", self.elderly.search_text)
        SearchTerm.objects.create(word="长者饭堂", weight=200)
        search._loaded_at = 0  # the next segmentation reloads the dictionary (normally within a minute)
        call_command("reindex_search", verbosity=0)
        self.elderly.refresh_from_db()
        self.assertIn(" 长者饭堂 ", self.elderly.search_text)
        self.assertEqual(self.found("长者饭堂"), {self.elderly})

    def test_the_text_is_kept_current_on_save(self):
        self.schools.title = "关于优化中小学学位供给和校园安全的建议"
        self.schools.save(update_fields=["title"])
        self.assertEqual(self.found("校园安全"), {self.schools})

    def test_an_empty_or_punctuation_query_changes_nothing(self):
        self.assertEqual(self.found(""), {self.reference, self.elderly, self.schools})
        self.assertEqual(self.found("，。！"), {self.reference, self.elderly, self.schools})

    def test_ranked_puts_the_better_match_first(self):
        other = make_proposal(self.lihua, self.session, status=ProposalStatus.SUBMITTED, title="关于时尚消费的建议")
        other.background = other.suggestions = ""
        other.save()
        results = list(search.ranked(Proposal.objects.all(), "时尚"))
        self.assertEqual(set(results), {self.reference, other})

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

    def test_the_snippet_template_escapes_the_text_and_marks_the_words(self):
        snippet = search.highlight("<b>发展</b>时尚产业" + "。" * 100, "时尚")
        html = render_to_string("proposals/_highlight.html", {"snippet": snippet})
        self.assertTrue(html.strip().startswith("&lt;b&gt;发展&lt;/b&gt;<mark>时尚</mark>产业。"), html)
        self.assertTrue(html.strip().endswith("。…"), html)
        self.assertNotIn("<b>", html)

    def test_similar_titles_are_found_for_the_new_proposal_form(self):
        found = search.similar_to_title("关于推进现代化产业体系建设的建议", candidates=Proposal.objects.all())
        self.assertEqual(found, [self.reference])


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
