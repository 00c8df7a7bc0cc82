from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """The session's official documents: the proposal form (提案单), the compilations (提案汇编, 答复汇编)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = _("Documents")
