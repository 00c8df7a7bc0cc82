"""A dictionary change re-indexes the stored search words in the background, and the admin says when."""

from unittest import mock

from django.test import TestCase
from django.urls import reverse

from proposals import search_index, search_text
from proposals.models import Proposal, SearchIndexRun, SearchTerm
from proposals.tasks import reindex_search
from tests.base import PersonaTestCase, make_proposal


class ReindexRequestTests(TestCase):
    def tearDown(self):
        search_text.forget_dictionary()

    def test_saving_or_deleting_a_word_asks_for_one_run_published_after_commit(self):
        with mock.patch("proposals.tasks.reindex_search.apply_async") as publish:
            with self.captureOnCommitCallbacks(execute=True):
                term = SearchTerm.objects.create(word="长者饭堂", weight=200)
            self.assertEqual(SearchIndexRun.objects.count(), 1)
            run = SearchIndexRun.objects.get()
            publish.assert_called_once_with(args=[run.pk])
            # A second change while the first run waits to start is covered by it.
            with self.captureOnCommitCallbacks(execute=True):
                term.delete()
            self.assertEqual(SearchIndexRun.objects.count(), 1)
            self.assertEqual(publish.call_count, 1)

    def test_a_dead_broker_does_not_fail_the_save_and_leaves_the_run_waiting(self):
        with mock.patch("proposals.tasks.reindex_search.apply_async", side_effect=OSError("no broker")):
            with self.captureOnCommitCallbacks(execute=True):
                SearchTerm.objects.create(word="长者饭堂")
        run = SearchIndexRun.objects.get()
        self.assertIsNone(run.started_at)


class ReindexTaskTests(PersonaTestCase):
    def tearDown(self):
        search_text.forget_dictionary()

    def test_the_task_claims_the_run_segments_again_and_records_when_it_finished(self):
        proposal = make_proposal(self.chencheng, self.session, title="关于推广长者饭堂的建议")
        self.assertNotIn("长者饭堂", search_text.stored_words(proposal.search_text))
        with mock.patch("proposals.tasks.reindex_search.apply_async"):
            SearchTerm.objects.create(word="长者饭堂", weight=200)
        run = SearchIndexRun.objects.get()

        self.assertTrue(reindex_search(run.pk))

        run.refresh_from_db()
        proposal.refresh_from_db()
        self.assertIsNotNone(run.finished_at)
        self.assertGreaterEqual(run.proposals, 1)
        self.assertIn("长者饭堂", search_text.stored_words(proposal.search_text))
        # Redelivered: the run is taken, nothing is done twice.
        self.assertFalse(reindex_search(run.pk))
        self.assertFalse(reindex_search(run.pk + 1000))  # gone: returns quietly

    def test_a_failed_run_is_given_back_for_the_retry(self):
        run = SearchIndexRun.objects.create(reason="长者饭堂")
        with mock.patch("proposals.search_index.reindex", side_effect=RuntimeError("database went away")):
            with self.assertRaises(RuntimeError):
                search_index.run_reindex(run.pk)
        run.refresh_from_db()
        self.assertIsNone(run.started_at)

    def test_the_dictionary_page_says_when_the_last_run_finished_or_that_it_waits(self):
        self.client.force_login(self.committee)
        page = reverse("admin:proposals_searchterm_changelist")
        with mock.patch("proposals.tasks.reindex_search.apply_async"):
            SearchTerm.objects.create(word="长者饭堂")
        self.assertContains(self.client.get(page), "等待")
        reindex_search(SearchIndexRun.objects.get().pk)
        response = self.client.get(page)
        self.assertContains(response, "重新索引")
        self.assertNotContains(response, "等待")

    def test_the_command_re_indexes_without_a_broker(self):
        proposal = make_proposal(self.chencheng, self.session, title="关于推广长者饭堂的建议")
        Proposal.objects.filter(pk=proposal.pk).update(search_text="")
        from django.core.management import call_command

        call_command("reindex_search", verbosity=0)
        proposal.refresh_from_db()
        self.assertIn("长者", search_text.stored_words(proposal.search_text))
