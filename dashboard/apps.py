from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from dashboard import signals

        post_migrate.connect(signals.fill_after_migrate, sender=self, dispatch_uid="dashboard_fill_after_migrate")
