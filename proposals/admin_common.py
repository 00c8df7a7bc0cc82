"""What the workflow's admin pages share: access decorators, the page frame, row helpers, form widgets,
and the add form of rows that a service creates (``ServiceCreateMixin``).

The pages themselves are custom admin views hung on the proposal admin's
``get_urls`` (every URL goes through ``admin_site.admin_view``: staff login and
CSRF): review in ``proposals.admin_review``; assignment, supervision and
publication, which show the handling units, in ``responses``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from unfold.widgets import (
    DATETIME_CLASSES,
    UnfoldAdminTextareaWidget,
)

from accounts.badges import BADGE_VARIANTS
from accounts.models import Unit
from proposals.choices import (
    PROPOSAL_STATUS_COLOURS,
    ProposerRole,
)
from proposals.models import Proposal, Proposer, Session
from proposals.workflow import WorkflowError, trial_run

QUEUE_PAGE_SIZE = 50
BULK_LIMIT = 200
SIMILAR_LIMIT = 8


# Access --------------------------------------------------------------------------------------


def committee_only(view: Callable) -> Callable:
    """Refuses (403) everyone but committee staff; the admin login is already required by admin_view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_committee:
            raise PermissionDenied(_("Only committee staff may do this."))
        return view(request, *args, **kwargs)

    return wrapper


def oversight_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_oversight:
            raise PermissionDenied(_("Only committee staff and leaders may see this."))
        return view(request, *args, **kwargs)

    return wrapper


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:proposals_proposal_{name}", args=args)


def page_context(request: HttpRequest, model_admin, title: str, **extra) -> dict:
    """What every admin page needs (the site's sidebar, user links ...) plus this page's own values."""
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Proposal._meta,
        "title": title,
        "model_admin": model_admin,
        "is_committee": request.user.is_committee,
        **extra,
    }


def render_page(request: HttpRequest, template: str, context: dict, status: int = 200) -> TemplateResponse:
    request.current_app = context["model_admin"].admin_site.name
    return TemplateResponse(request, template, context, status=status)


def tell_hidden_errors(request: HttpRequest, form: forms.Form) -> None:
    """The errors of a form the page will not show (the step is no longer offered), as messages:
    a refused step is never silent."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# Shared row helpers ----------------------------------------------------------------------------


def lead_name_subquery() -> Subquery:
    """The lead proposer's name for list rows, so a row needs no query of its own."""
    return Subquery(
        Proposer.objects.filter(proposal=OuterRef("pk"), role=ProposerRole.LEAD)
        .annotate(name=Coalesce(NullIf(F("user__full_name"), Value("")), F("user__username")))
        .order_by("order", "pk")
        .values("name")[:1]
    )


def with_badges(rows, colours=PROPOSAL_STATUS_COLOURS):
    for row in rows:
        row.badge = BADGE_VARIANTS.get(colours.get(row.status, "grey"), "default")
    return rows


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def active_units():
    return Unit.objects.filter(is_active=True).order_by("name")


def sessions_choice_list() -> list[Session]:
    return list(Session.objects.order_by("-year", "-term", "-meeting"))


def int_param(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


# Forms ---------------------------------------------------------------------------------------

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": " ".join(DATETIME_CLASSES)})


def textarea(rows: int = 3, **attrs) -> UnfoldAdminTextareaWidget:
    return UnfoldAdminTextareaWidget(attrs={"rows": rows, **attrs})


def proposal_or_404(request: HttpRequest, pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.visible_to(request.user).select_related("session", "category", "supervisor", "merged_into"),
        pk=pk,
    )


# Rows created by a service -----------------------------------------------------------------------


class ServiceCreateMixin:
    """For rows whose creation is a workflow step with its own service (a contact, a supervision note).

    The add form runs the service once inside a savepoint that is always rolled
    back, so a refusal (wrong status, wrong unit) shows on the form and nothing is
    half-saved; ``save_model`` then runs it for real. Subclasses implement
    ``create_through_service(request, data)`` with the form's cleaned data.
    """

    def create_through_service(self, request: HttpRequest, data: dict) -> models.Model:
        raise NotImplementedError

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form_class
        admin = self

        class ServiceAddForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if not self.errors:
                    try:
                        trial_run(lambda: admin.create_through_service(request, cleaned))
                    except WorkflowError as exc:
                        raise ValidationError(exc.message) from exc
                    except PermissionDenied as exc:
                        raise ValidationError(str(exc)) from exc
                return cleaned

        return ServiceAddForm

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        row = self.create_through_service(request, form.cleaned_data)
        # The admin logs and redirects with ``obj``: give it the service's row.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(row, field.attname))
        obj._state.adding = False
