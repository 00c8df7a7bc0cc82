from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self) -> None:
        # The admin has autodiscovered proposals.admin by now (django.contrib.admin is listed first).
        from proposals import admin_search  # noqa: F401
