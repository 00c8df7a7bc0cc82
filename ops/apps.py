from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the system: backups and restores, health, metrics, the worker heartbeat, sign-on."""

    name = "ops"
    verbose_name = _("Operations")
