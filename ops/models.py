from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """When each Celery worker last said it was alive; /healthz and the metrics read the newest.

    A row in the database rather than a key in Redis: the web machines already share the
    database, and a worker that can write here can also do its real work.
    """

    hostname = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.hostname


class ExternalIdentity(models.Model):
    """An account's identity at a single sign-on provider: the provider's stable subject (``sub``).

    Written at the first sign-in that matched an existing account by login name or email; from then
    on the subject alone finds the account, whatever the provider later says its name or email is.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities", verbose_name=_("user")
    )
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_account_per_subject"),
            models.UniqueConstraint(fields=["issuer", "user"], name="one_subject_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
