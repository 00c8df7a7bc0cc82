"""The unit's worklist in the admin: its assignments grouped by the next step, with filters and sorting.

URL name (namespace ``admin``): ``responses_assignment_worklist``. The same body is drawn on the admin
home of unit staff (``unit_home_context``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.forms import SelectMultiple
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.choices import UNIT_ROLES, Role
from responses import policy, worklist
from responses.admin_views.common import admin_url, page
from responses.filters import AssignmentFilterSet
from responses.models import Assignment
from responses.policy import allowed


class OneOfSelect(SelectMultiple):
    """A multiple-choice filter shown as one <select>: its "all" option sends nothing."""

    allow_multiple_selected = False

    def value_from_datadict(self, data, files, name):
        return [value for value in super().value_from_datadict(data, files, name) if value]


# The filters shown on the worklist; the FilterSet's others still apply when a link sets them.
SHOWN_FILTERS = ("q", "status", "role", "overdue", "is_key", "session", "category")


def _filter_form(filterset: AssignmentFilterSet, user):
    form = filterset.form
    if user.role in UNIT_ROLES:
        # One unit's own list: a unit filter would only offer other units' names.
        form.fields.pop("unit", None)
    for name in ("status", "role", "session", "category", "proposal_status"):
        if name in form.fields:
            field = form.fields[name]
            field.widget = OneOfSelect(choices=[("", _("All")), *field.choices])
    for name in ("overdue", "is_key"):
        if name in form.fields:
            form.fields[name].widget.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]
    return form


def _row_actions(row: worklist.Row, user, list_url: str) -> list[dict]:
    """The buttons of a worklist row: the next step first, then 申请延期 when the policy allows it."""
    actions = _step_actions(row, user, list_url)
    a = row.assignment
    if allowed(policy.check_request_extension, user, a, pending=a.extension_pending):
        actions.append({"label": _("Ask for more time"), "url": f"{admin_url('assignment_handle', a.pk)}#extension"})
    return actions


def _step_actions(row: worklist.Row, user, list_url: str) -> list[dict]:
    a = row.assignment
    handle = admin_url("assignment_handle", a.pk)
    view = {"label": _("Open"), "url": handle}
    if row.stage == "accept":
        return [
            {"label": _("Accept (签收)"), "url": handle, "post": "accept", "next": list_url, "primary": True},
            {"label": _("Ask to return"), "url": f"{handle}#return"},
        ]
    if row.stage == "contact":
        return [{"label": _("Record a contact"), "url": f"{handle}#contacts", "primary": True}, view]
    if row.stage == "draft":
        label = _("Continue the draft") if a.reply_pk else _("Draft the reply")
        return [{"label": label, "url": admin_url("assignment_reply", a.pk), "primary": True}, view]
    if row.stage == "opinion":
        return [{"label": _("Write the opinion"), "url": f"{handle}#opinion", "primary": True}, view]
    if row.stage == "followup":
        label = _("Continue the follow-up reply") if a.followup_pk else _("Draft the follow-up reply")
        return [{"label": label, "url": admin_url("assignment_followup", a.pk), "primary": True}, view]
    if row.stage == "signoff":
        label = _("Review and sign off") if user.role == Role.UNIT_LEADER else _("View the letter")
        return [{"label": label, "url": admin_url("reply_review", row.reply_pk), "primary": True}, view]
    if row.stage == "send":
        return [{"label": _("Send the reply"), "url": admin_url("reply_review", row.reply_pk), "primary": True}, view]
    if row.stage == "countersign":
        url = admin_url("assignment_countersign", a.pk)
        return [{"label": _("Countersign the draft (会签)"), "url": url, "primary": True}, view]
    if row.stage == "review":
        return [{"label": _("View the letter"), "url": admin_url("reply_review", row.reply_pk)}, view]
    return [view]


def worklist_context(request: HttpRequest, queryset) -> dict:
    """The worklist's context for ``queryset`` (the user's visible assignments): groups, filters, sorting."""
    params = request.GET.copy()
    sort = params.pop("o", ["due"])[-1]
    filterset = AssignmentFilterSet(params, queryset=queryset, request=request)
    form = _filter_form(filterset, request.user)
    groups = worklist.build(filterset.qs, user=request.user, sort=sort)
    list_url = request.get_full_path()
    for group in groups:
        for row in group.rows:
            row.actions = _row_actions(row, request.user, list_url)
    base = params.urlencode()
    sorts = []
    for key, label in worklist.SORTS.items():
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        target = f"-{key}" if current and not descending else key
        sorts.append(
            {
                "key": key,
                "label": label,
                "current": current,
                "descending": current and descending,
                "url": "?" + "&".join(part for part in (base, urlencode({"o": target})) if part),
            }
        )
    return {
        "groups": groups,
        "filter_form": form,
        "shown_fields": [form[name] for name in SHOWN_FILTERS if name in form.fields],
        # Filters set by a link (a dashboard drill-down) but not shown: kept when the form is sent again.
        "hidden_params": [
            (key, value)
            for key, values in params.lists()
            if key in form.fields and key not in SHOWN_FILTERS
            for value in values
            if value
        ],
        "is_filtered": any(value for key, value in params.items() if key in form.fields),
        "sort": sort,
        "sorts": sorts,
        "row_count": sum(len(group.rows) for group in groups),
        "done_limit": worklist.DONE_LIMIT,
    }


def unit_home_context(request: HttpRequest) -> dict:
    """The worklist for the admin home of unit staff (``{% include "admin/units/_home.html" %}``); {} for others."""
    if request.user.role not in UNIT_ROLES:
        return {}
    return {"unit_worklist": worklist_context(request, Assignment.objects.visible_to(request.user))}


def worklist_view(request: HttpRequest, *, model_admin) -> HttpResponse:
    """The unit's home: its assignments grouped by the next step. Other staff use the assignment list."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.user.role not in UNIT_ROLES:
        return redirect(admin_url("assignment_changelist"))
    context = worklist_context(request, model_admin.get_queryset(request))
    context.update(title=_("Your unit's work"), subtitle=request.user.unit.name)
    return page(model_admin, request, "admin/units/worklist.html", context)
