from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        # The admin has autodiscovered proposals.admin by now (django.contrib.admin is listed first).
        from proposals import admin_search  # noqa: F401
        from proposals.cache_versions import bump_all

        # Every upgrade runs migrate: what an older release kept in the shared cache (pickled objects of
        # its own classes, pages drawn by its templates) is never read by the new one.
        post_migrate.connect(bump_all, sender=self, dispatch_uid="proposals_cache_versions_bump_all")
