"""Sign-in forms that say plainly when an account or address is locked out (accounts.security)."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from unfold.forms import AuthenticationForm as UnfoldAdminAuthenticationForm

from accounts.security import lockout_message


class LockoutMessageMixin:
    def clean(self):
        message = lockout_message(self.request, self.data.get("username", ""))
        if message:
            raise ValidationError(message, code="locked_out")
        return super().clean()


class ThrottledAuthenticationForm(LockoutMessageMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(LockoutMessageMixin, UnfoldAdminAuthenticationForm):
    """The admin's sign-in: unfold's form, whose inputs carry the theme's classes (a border among them)."""
