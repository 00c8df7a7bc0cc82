from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import STAFF_ROLES, UNIT_ROLES, Role


class Unit(models.Model):
    """A government unit (承办单位) that handles proposals and sends replies."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def visible_to(cls, user) -> models.QuerySet[Unit]:
        """Units are public knowledge inside the system: any signed-in user may list them."""
        if not user.is_authenticated:
            return cls.objects.none()
        return cls.objects.all()


class UserQuerySet(models.QuerySet):
    def members(self) -> UserQuerySet:
        return self.filter(role=Role.MEMBER, is_active=True)

    def committee(self) -> UserQuerySet:
        """Active committee staff, superusers included: ``User.is_committee`` as a query."""
        return self.filter(Q(role=Role.COMMITTEE) | Q(is_superuser=True), is_active=True)

    def visible_to(self, user) -> UserQuerySet:
        """Staff roles see everyone; unit staff see their unit's people and members; members see members."""
        if not user.is_authenticated:
            return self.none()
        if user.is_oversight:
            return self
        if user.role in UNIT_ROLES:
            return self.filter(Q(role=Role.MEMBER) | Q(unit_id=user.unit_id))
        return self.filter(Q(role=Role.MEMBER) | Q(pk=user.pk))


class AppUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: a member, committee staff, unit staff or a leader.

    Chinese names are not split into given and family names, so ``full_name``
    holds the whole name as it is written (陈澄).
    """

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER, db_index=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    objects = AppUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="unit_staff_have_unit",
                condition=~Q(role__in=[Role.UNIT_HANDLER, Role.UNIT_LEADER]) | Q(unit__isnull=False),
                violation_error_message=_("Unit handlers and unit leaders must belong to a unit."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_from(self.full_name, self.first_name, self.last_name, self.username)

    @staticmethod
    def name_from(full_name: str, first_name: str, last_name: str, username: str) -> str:
        """The name shown for a user, from its parts (for rows read as values, not as users)."""
        return full_name or f"{first_name} {last_name}".strip() or username

    def get_short_name(self) -> str:
        return self.display_name

    def get_full_name(self) -> str:
        """The display name: the admin's user menu shows this, and a login is no name."""
        return self.display_name

    @property
    def is_member(self) -> bool:
        return self.role == Role.MEMBER

    @property
    def is_committee(self) -> bool:
        """Committee staff: the one rule for who does the committee's steps (superusers count)."""
        return self.role == Role.COMMITTEE or self.is_superuser

    @property
    def is_oversight(self) -> bool:
        """Committee staff or a leader (superusers count): the people who follow key proposals and whom
        every ``visible_to`` shows all rows."""
        return self.is_committee or self.role == Role.LEADER

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def is_unit_staff(self) -> bool:
        return self.role in UNIT_ROLES

    @property
    def is_unit_leader(self) -> bool:
        return self.role == Role.UNIT_LEADER

    @property
    def has_staff_role(self) -> bool:
        return self.role in STAFF_ROLES or self.is_superuser

    def save(self, *args, **kwargs) -> None:
        # Staff roles use the admin; members never do.
        self.is_staff = self.has_staff_role
        super().save(*args, **kwargs)


class MemberProfile(models.Model):
    """A CPPCC member's public particulars: sector (界别), party (党派) and member number."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="member_profile", verbose_name=_("user"))
    member_number = models.CharField(_("member number"), max_length=20, unique=True)
    sector = models.CharField(_("sector"), max_length=60, blank=True, help_text=_("界别"))
    party = models.CharField(_("party"), max_length=60, blank=True, help_text=_("党派"))
    title = models.CharField(_("work unit and position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")
        ordering = ["member_number"]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.member_number})"


class FailedLogin(models.Model):
    """One failed sign-in, kept for the throttle window (accounts.security); old rows are pruned."""

    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M}"


class AccessChange(models.Model):
    """An audit row for every change to who may do what: a user's role, unit, staff/superuser flag or activity.

    Written by the admin when staff change an account; never edited (read-only in the admin).
    """

    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_changes", verbose_name=_("user"))
    changes = models.JSONField(_("changes"), default=dict)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"


ACCESS_FIELDS = ("role", "unit_id", "is_active", "is_staff", "is_superuser")


def access_snapshot(user: User | None) -> dict:
    if user is None or user.pk is None:
        return {}
    return {name: getattr(user, name) for name in ACCESS_FIELDS}


def record_access_change(*, actor, user: User, before: dict) -> AccessChange | None:
    """One AccessChange with the access fields that differ from ``before`` (all of them for a new user)."""
    after = access_snapshot(user)
    changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    if not changes:
        return None
    return AccessChange.objects.create(actor=actor, user=user, changes=changes)
