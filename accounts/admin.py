"""Staff admin for users, units and member profiles.

Committee staff manage people and units; leaders read. Roles, not Django's
groups and permissions, decide what each user may do (accounts/admin_base.py),
so groups are not offered here.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from unfold import forms as unfold_forms
from unfold.admin import ModelAdmin
from unfold.decorators import display

from accounts.admin_base import (
    COMMITTEE,
    OVERSIGHT,
    ReadOnlyAdmin,
    RoleScopedAdmin,
    RoleScopedMixin,
    RoleScopedStackedInline,
)
from accounts.choices import Role
from accounts.models import AccessChange, FailedLogin, MemberProfile, Unit, User, access_snapshot, record_access_change
from accounts.text_input import SingleLineFormMixin

# Roles decide rights in this project; groups would be a second, unused system.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

ROLE_BADGES = {
    Role.MEMBER: "default",
    Role.COMMITTEE: "primary",
    Role.UNIT_HANDLER: "info",
    Role.UNIT_LEADER: "warning",
    Role.LEADER: "success",
}


class UserCreationForm(SingleLineFormMixin, unfold_forms.UserCreationForm):
    class Meta(unfold_forms.UserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "role", "unit", "email")


class UserChangeForm(SingleLineFormMixin, unfold_forms.UserChangeForm):
    class Meta(unfold_forms.UserChangeForm.Meta):
        model = User


@admin.register(Unit)
class UnitAdmin(RoleScopedAdmin):
    list_display = ("name", "short_name", "email", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name")
    ordering = ("name",)


class MemberProfileInline(RoleScopedStackedInline):
    model = MemberProfile
    scope_through = "user"
    max_num = 1
    can_delete = False
    fields = ("member_number", ("sector", "party"), "title")


@admin.register(User)
class UserAdmin(RoleScopedMixin, DjangoUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = unfold_forms.AdminPasswordChangeForm
    list_display = ("username", "full_name", "role_badge", "unit", "email", "is_active", "last_login")
    list_filter = ("role", "is_active", "unit", "is_superuser")
    list_select_related = ("unit",)
    search_fields = ("username", "full_name", "email", "phone", "member_profile__member_number")
    ordering = ("username",)
    filter_horizontal = ()
    autocomplete_fields = ("unit",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email", "phone")}),
        (_("Role"), {"fields": ("role", "unit")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "role",
                    "unit",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    # is_staff follows the role (User.save); the admin only shows it.
    readonly_fields = ("is_staff", "last_login", "date_joined")

    def save_model(self, request, obj, form, change) -> None:
        # Who may do what changed: recorded in the access audit with the actor (same transaction).
        before = access_snapshot(User.objects.filter(pk=obj.pk).first()) if change else {}
        super().save_model(request, obj, form, change)
        record_access_change(actor=request.user, user=obj, before=before)

    @display(description=_("role"), ordering="role", label={str(k): v for k, v in ROLE_BADGES.items()})
    def role_badge(self, obj: User) -> tuple[str, str]:
        return obj.role, obj.get_role_display()

    def get_inlines(self, request, obj):
        # The profile belongs to members; added once the user exists.
        if obj is None or (obj.role != Role.MEMBER and not hasattr(obj, "member_profile")):
            return ()
        return (MemberProfileInline,)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser makes superusers.
            readonly.append("is_superuser")
        return readonly

    def _protects_superuser(self, request, obj) -> bool:
        # Committee staff manage people but cannot take over a superuser's account.
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not self._protects_superuser(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self._protects_superuser(request, obj)


@admin.register(MemberProfile)
class MemberProfileAdmin(RoleScopedAdmin):
    scope_through = "user"
    list_display = ("member_number", "user", "sector", "party", "title")
    list_filter = ("sector", "party")
    list_select_related = ("user",)
    search_fields = ("member_number", "user__full_name", "user__username", "sector", "party")
    autocomplete_fields = ("user",)
    ordering = ("member_number",)


@admin.register(FailedLogin)
class FailedLoginAdmin(ReadOnlyAdmin):
    """Recent failed sign-ins (the throttle's rows): committee staff can see who is being locked out."""

    view_roles = COMMITTEE
    reference_data = True  # only committee staff may view it at all (view_roles)
    list_display = ("username", "ip", "at")
    search_fields = ("username", "ip")
    date_hierarchy = "at"


@admin.register(AccessChange)
class AccessChangeAdmin(ReadOnlyAdmin):
    """The audit of role, unit and account-flag changes: read by the committee and leaders, edited by nobody."""

    view_roles = OVERSIGHT
    reference_data = True
    list_display = ("at", "user", "actor", "changes")
    list_select_related = ("user", "actor")
    search_fields = ("user__username", "user__full_name", "actor__username")
    date_hierarchy = "at"
