"""Similar proposals: tf-idf over the whole text, found among known near-duplicates and paraphrases."""

from unittest import mock

from django.db import connection

from proposals.models import Proposal
from proposals.similar import similar_to, similar_to_text
from tests.base import PersonaTestCase
from tests.proposals.similar_corpus import hit_rate, load_corpus


class SimilarCorpusTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.groups = load_corpus(cls.wangfang, cls.session)

    def test_at_least_four_of_five_known_neighbours_are_in_the_top_five_for_every_proposal(self):
        found, known, each = hit_rate(self.groups, similar_to)
        self.assertGreaterEqual(found / known, 0.9)
        short = [(p.title, hits) for p, hits in each if hits < 4]
        self.assertEqual(short, [])

    def test_a_large_table_fetches_candidates_by_the_distinctive_words_and_finds_them_too(self):
        # Past READ_ALL proposals, shares are counted per word and candidates fetched through the index.
        with mock.patch("proposals.similar.READ_ALL", 0):
            found, known, each = hit_rate(self.groups, similar_to)
        self.assertEqual([(p.title, hits) for p, hits in each if hits < 4], [])

    def test_postgresql_statistics_give_the_word_shares(self):
        if connection.vendor != "postgresql":
            self.skipTest("needs PostgreSQL (DATABASE_URL): the statistics exist only there")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE proposals_proposal")
        # Both cached values patched, so both are restored: no other test sees these statistics.
        with mock.patch.multiple("proposals.search", _frequencies={}, _frequencies_at=-1e9):
            found, known, each = hit_rate(self.groups, similar_to)
        self.assertEqual([(p.title, hits) for p, hits in each if hits < 4], [])

    def test_each_result_has_a_score_and_the_shared_words(self):
        elevator = self.groups["elevator"][0]
        results = similar_to(elevator)
        self.assertTrue(results)
        scores = [s.score for s in results]
        self.assertEqual(scores, sorted(scores, reverse=True))
        self.assertTrue(all(0 < s <= 1 for s in scores))
        self.assertIn("电梯", results[0].shared + tuple(w for s in results for w in s.shared))
        self.assertNotIn(elevator.pk, [s.proposal.pk for s in results])

    def test_the_text_counts_not_only_the_title(self):
        # A title that says little: the analysis and suggestions decide.
        results = similar_to_text(
            "关于回应群众关切的建议",
            "出租屋内电动车充电起火，城中村消防通道狭窄。",
            "建设电动自行车集中充电点，打通消防通道。",
            candidates=Proposal.objects.all(),
        )
        subjects = {p.pk: subject for subject, group in self.groups.items() for p in group}
        self.assertEqual([subjects.get(s.proposal.pk) for s in results[:3]], ["fire"] * 3)

    def test_traditional_characters_find_the_simplified_text(self):
        results = similar_to_text("關於老舊小區加裝電梯的建議", candidates=Proposal.objects.all())
        self.assertIn(results[0].proposal, self.groups["elevator"])

    def test_a_text_with_nothing_in_common_finds_nothing(self):
        self.assertEqual(similar_to_text("关于天文观测的建议", "望远镜", candidates=Proposal.objects.all()), [])

    def test_only_the_candidates_given_are_considered(self):
        elevator = self.groups["elevator"][0]
        allowed = Proposal.objects.filter(pk__in=[p.pk for p in self.groups["school"]])
        found = {s.proposal.pk for s in similar_to(elevator, candidates=allowed)}
        self.assertTrue(found <= set(allowed.values_list("pk", flat=True)))
