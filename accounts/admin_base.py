"""The one base for every admin in the project: rows scoped by ``visible_to``, rights decided by role.

Who may see which rows is decided by the model (``Model.objects.visible_to(user)``,
DESIGN.md section 6); what a role may do with a model is declared on each admin
as sets of roles. Nothing here reads Django's Permission table, so the rules
hold without any group set-up, and a member (``is_staff`` is False) never gets
past the admin login.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.decorators import display
from unfold.forms import PaginationInlineFormSet

from accounts.badges import BADGE_VARIANTS
from accounts.choices import UNIT_ROLES, Role
from accounts.text_input import SingleLineFormMixin

COMMITTEE = frozenset({Role.COMMITTEE})
LEADERS = frozenset({Role.LEADER})
OVERSIGHT = frozenset({Role.COMMITTEE, Role.LEADER})
UNIT_STAFF = frozenset(UNIT_ROLES)
ALL_STAFF = OVERSIGHT | UNIT_STAFF
NOBODY: frozenset[str] = frozenset()

# Status-like fields that only services change (DESIGN.md section 3).
STATUS_FIELDS = ("status",)


def badge_map(colours: dict[str, str]) -> dict[str, str]:
    """Turn a ``{status: colour}`` map from a choices module into unfold label variants."""
    return {str(value): BADGE_VARIANTS.get(colour, "default") for value, colour in colours.items()}


STATUS_LABEL = _("status")


def status_badge(colours: dict[str, str], field: str = "status", description=STATUS_LABEL):
    """A list_display column showing ``field`` as a coloured badge (unfold's label display)."""

    @display(description=description, ordering=field, label=badge_map(colours))
    def column(self, obj) -> tuple[str, str]:
        return getattr(obj, field), getattr(obj, f"get_{field}_display")()

    column.__name__ = f"{field}_badge"
    return column


def scope_to_user(model: type[models.Model], queryset: models.QuerySet, user) -> models.QuerySet:
    """Apply the model's own ``visible_to`` rule to ``queryset``; None when the model has none."""
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    if hasattr(model, "visible_to"):
        # Unit.visible_to is a classmethod returning a queryset of the model.
        return queryset & model.visible_to(user)
    return None


# How many refused values an admin message names before it says "…": a forged post can tick thousands.
NAMED_IN_MESSAGE = 10


def is_key_value(field: models.Field, value) -> bool:
    """Whether ``value`` can be a value of the key ``field`` at all: a number within the column's range.
    Anything else is named to the user as forged rather than as a row that is gone."""
    if value in (None, ""):
        return False
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


def named_list(values, total: int | None = None) -> str:
    """The first few ``values`` for an admin message, with "…" when there are more (``total`` if counted apart)."""
    values = [str(value) for value in values]
    shown = ", ".join(values[:NAMED_IN_MESSAGE])
    more = (total if total is not None else len(values)) > NAMED_IN_MESSAGE
    return f"{shown}, …" if more else shown


class KnownIdsAutocompleteMixin:
    """Django's autocomplete widgets look the submitted values up again to redisplay them; a value that is
    not an id at all (a forged "abc") makes that lookup raise (a 500) where the field's error should show.
    Such values are left out of the lookup; the form field still refuses them with its own message."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        key = opts.get_field(getattr(remote, "field_name", None) or opts.pk.attname)
        return super().optgroups(name, [item for item in value if is_key_value(key, item)], attr)


class KnownIdsAutocompleteSelect(KnownIdsAutocompleteMixin, AutocompleteSelect):
    pass


class KnownIdsAutocompleteSelectMultiple(KnownIdsAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class RoleScopedMixin:
    """Role rules and row scoping shared by model admins and inlines.

    Each admin names the roles that may view, add, change and delete. A role
    that may change may also view. Superusers may do everything, except on
    ``read_only`` admins (the audit log), which nobody can add to, change or delete.

    Rows come from the model's ``visible_to(user)``. Models that have none say
    how they are scoped: ``scope_through`` names a foreign key whose target has
    ``visible_to`` (a supervision note is visible with its proposal), and
    ``reference_data = True`` marks lists everyone with view rights may read in
    full (sessions, categories, holidays). A model with neither is a
    configuration error, so no admin can leak rows by omission.
    """

    view_roles: frozenset[str] = OVERSIGHT
    add_roles: frozenset[str] = COMMITTEE
    change_roles: frozenset[str] = COMMITTEE
    delete_roles: frozenset[str] = COMMITTEE
    read_only = False
    scope_through: str | None = None
    reference_data = False

    # -- rows -------------------------------------------------------------

    def scope_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        user = request.user
        scoped = scope_to_user(self.model, queryset, user)
        if scoped is not None:
            return scoped
        if self.scope_through:
            field = self.model._meta.get_field(self.scope_through)
            target = field.related_model
            visible = scope_to_user(target, target._default_manager.all(), user)
            if visible is None:
                raise ImproperlyConfigured(f"{target.__name__} has no visible_to method")
            if not visible.query.where:
                # visible_to did not filter (committee, leaders): skip a subquery over every row.
                return queryset
            return queryset.filter(**{f"{self.scope_through}__in": visible.values("pk")})
        if self.reference_data:
            return queryset
        raise ImproperlyConfigured(
            f"{type(self).__name__}: {self.model.__name__} has no visible_to; set scope_through or reference_data"
        )

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return self.scope_queryset(request, super().get_queryset(request))

    def get_field_queryset(self, db, db_field, request: HttpRequest):
        # Choices of a foreign key come from the related admin's scoped rows, so a
        # form cannot offer (nor accept) another unit's assignment.
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if related_admin is not None and isinstance(related_admin, RoleScopedMixin):
            # Without the list page's prefetches: a choice field only needs the rows.
            return related_admin.get_queryset(request).prefetch_related(None).using(db)
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db)
        scoped = scope_to_user(db_field.remote_field.model, queryset, request.user)
        return queryset if scoped is None else scoped

    def response_action(self, request: HttpRequest, queryset: models.QuerySet):
        """Run a changelist action on the ticked rows that are rows of this list, and say which were not.

        Django filters the list with the raw ticked values: one that is not an id at all
        ("abc") would be a 500, and one that matches no row (deleted since the page was
        shown, or out of the user's sight) would be skipped without a word.
        """
        offered = self.get_actions(request)
        across = forms.BooleanField().to_python(request.POST.get("select_across"))
        if across or not any(name in offered for name in request.POST.getlist("action")):
            # Every row of the list, or no action at all (Django says so): the ticked values are not used.
            return super().response_action(request, queryset)
        key = self.model._meta.pk
        ticked = request.POST.getlist(ACTION_CHECKBOX_NAME)
        ids = list(dict.fromkeys(value for value in ticked if is_key_value(key, value)))
        forged = [value for value in ticked if not is_key_value(key, value)]
        if forged:
            post = request.POST.copy()
            post.setlist(ACTION_CHECKBOX_NAME, ids)
            request.POST = post
            self.message_user(
                request,
                ngettext(
                    "This ticked value is not a row of the list and was left out: %(values)s",
                    "These ticked values are not rows of the list and were left out: %(values)s",
                    len(forged),
                )
                % {"values": named_list(forged)},
                messages.WARNING,
            )
        found = {str(pk) for pk in queryset.filter(pk__in=ids).values_list("pk", flat=True)} if ids else set()
        gone = [value for value in ids if str(key.to_python(value)) not in found]
        if gone:
            self.message_user(
                request,
                ngettext(
                    "This ticked row no longer exists or is not yours to see, and was skipped: %(values)s",
                    "These ticked rows no longer exist or are not yours to see, and were skipped: %(values)s",
                    len(gone),
                )
                % {"values": named_list(gone)},
                messages.WARNING,
            )
        return super().response_action(request, queryset)

    # -- rights -----------------------------------------------------------

    def role_may(self, request: HttpRequest, action: str) -> bool:
        """Whether the user's role allows ``action`` (view, add, change, delete) on this model."""
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return False
        if self.read_only and action != "view":
            return False
        if user.is_superuser:
            return True
        roles = getattr(self, f"{action}_roles")
        if action == "view":
            roles = roles | self.change_roles
        return user.role in roles

    def is_visible(self, request: HttpRequest, obj: models.Model) -> bool:
        """Whether ``obj`` is among the rows this user may see (cached for the request)."""
        cache: dict[tuple[str, Any], bool] = request.__dict__.setdefault("_admin_visible", {})
        key = (obj._meta.label, obj.pk)
        if key not in cache:
            cache[key] = obj.pk is not None and self.get_queryset(request).filter(pk=obj.pk).exists()
        return cache[key]

    def _object_allowed(self, request: HttpRequest, obj) -> bool:
        # Inlines receive the parent object, which its own admin already checked.
        if obj is None or not isinstance(obj, self.model):
            return True
        return self.is_visible(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.role_may(request, "view")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.role_may(request, "view") and self._object_allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        # Model admins get (request), inlines (request, parent_obj).
        return self.role_may(request, "add")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.role_may(request, "change") and self._object_allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.role_may(request, "delete") and self._object_allowed(request, obj)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with a message; an object you may not
        # see answers 404 here, the same as one that does not exist (DESIGN.md section 6).
        raise Http404(_("No such object, or you may not see it."))

    # -- fields -----------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        # Every autocomplete foreign key, on every admin and inline, redisplays forged values safely.
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownIdsAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownIdsAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        names = {f.name for f in self.model._meta.get_fields()}
        # Status changes go through services only; the admin shows them.
        readonly += [name for name in STATUS_FIELDS if name in names and name not in readonly]
        # auto_now and editable=False fields can only be shown, whoever edits the rest.
        readonly += [
            f.name
            for f in self.model._meta.concrete_fields
            if not f.editable and not f.primary_key and f.name not in readonly
        ]
        return readonly


class CleanTextModelForm(SingleLineFormMixin, forms.ModelForm):
    """Every admin form's text cleaned as accounts.text_input says (one line, no bidi controls, phones checked)."""


class RoleScopedAdmin(RoleScopedMixin, ModelAdmin):
    """An unfold ModelAdmin scoped by ``visible_to`` and role rules."""

    list_per_page = 50
    warn_unsaved_form = True
    form = CleanTextModelForm


class ReadOnlyAdmin(RoleScopedAdmin):
    """For the audit log and system-written rows: viewable, never added, changed or deleted."""

    read_only = True
    actions = None


class LabelledRowsFormSet(PaginationInlineFormSet):
    """A table's rows name their fields only in its header: each input carries its label for screen readers."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        for field in form.fields.values():
            if field.label:
                field.widget.attrs.setdefault("aria-label", field.label)


class RoleScopedTabularInline(RoleScopedMixin, TabularInline):
    extra = 0
    form = CleanTextModelForm
    formset = LabelledRowsFormSet


class RoleScopedStackedInline(RoleScopedMixin, StackedInline):
    extra = 0
    form = CleanTextModelForm


class ScopedRelatedFilter(RelatedOnlyFieldListFilter):
    """A related-object filter listing only objects that occur in the user's own rows.

    The stock related filter lists every row of the related table (every user,
    every proposal), which would show unit staff names they may not see.
    """
