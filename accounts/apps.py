from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and units")

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db import models

        from accounts.forms import ThrottledAdminAuthenticationForm
        from accounts.security import record_failure, record_success
        from config.lookups import InWithinRange

        user_login_failed.connect(record_failure, dispatch_uid="accounts.record_failure")
        user_logged_in.connect(record_success, dispatch_uid="accounts.record_success")
        admin.site.login_form = ThrottledAdminAuthenticationForm
        models.IntegerField.register_lookup(InWithinRange)
