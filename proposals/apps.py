from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        # The admin has autodiscovered proposals.admin by now (django.contrib.admin is listed first).
        from proposals import admin_search  # noqa: F401
        from proposals.cache_versions import bump_all
        from proposals.models import SearchTerm
        from proposals.search_index import dictionary_changed

        # Every upgrade runs migrate: what an older release kept in the shared cache (pickled objects of
        # its own classes, pages drawn by its templates) is never read by the new one.
        post_migrate.connect(bump_all, sender=self, dispatch_uid="proposals_cache_versions_bump_all")
        # A dictionary edit re-segments the stored proposals in the background.
        post_save.connect(dictionary_changed, sender=SearchTerm, dispatch_uid="proposals_search_term_saved")
        post_delete.connect(dictionary_changed, sender=SearchTerm, dispatch_uid="proposals_search_term_deleted")
