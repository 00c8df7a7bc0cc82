"""What the write endpoints accept. Field rules only: state rules stay in the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Unit
from proposals.choices import ProposalKind
from proposals.forms import TEXT_MAX_CHARS
from proposals.models import Category, Proposal, Session
from responses.choices import AssignmentRole, Satisfaction
from responses.limits import LETTER_MAX_CHARS
from responses.models import Reply, ReplyCategory

NOTE_MAX = 2000


class ProposalSubmitSerializer(serializers.Serializer):
    """A member's proposal, created and (unless ``submit`` is false) submitted in one step."""

    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.all(), help_text=_("Session id"))
    title = serializers.CharField(max_length=Proposal._meta.get_field("title").max_length)
    background = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_CHARS, default="")
    suggestions = serializers.CharField(max_length=TEXT_MAX_CHARS)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    kind = serializers.ChoiceField(
        choices=[ProposalKind.INDIVIDUAL, ProposalKind.COLLECTIVE], default=ProposalKind.INDIVIDUAL
    )
    collective_author = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    publication_consent = serializers.BooleanField(default=True)
    publication_refusal_reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    suggested_units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True), many=True, required=False, default=list
    )
    submit = serializers.BooleanField(default=True, help_text=_("False keeps it as a draft"))


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX, default="")


class UnitRoleSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=AssignmentRole.choices)


class AssignSerializer(serializers.Serializer):
    units = UnitRoleSerializer(many=True, allow_empty=False, max_length=50)
    assigned_on = serializers.DateField(required=False, allow_null=True, default=None)
    instructions = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX, default="")


class ReplyDraftSerializer(serializers.Serializer):
    """The fields given are changed, the others kept; ``version`` is the version the client started from
    (null for a new draft). A stale version answers 409 with the version saved now."""

    version = serializers.IntegerField(min_value=1, allow_null=True)
    followup = serializers.BooleanField(default=False, help_text=_("The follow-up reply (跟踪答复)"))
    category = serializers.PrimaryKeyRelatedField(
        queryset=ReplyCategory.objects.filter(is_active=True), required=False, allow_null=True
    )
    letter_number = serializers.CharField(
        required=False, allow_blank=True, max_length=Reply._meta.get_field("letter_number").max_length
    )
    body = serializers.CharField(required=False, allow_blank=True, max_length=LETTER_MAX_CHARS, trim_whitespace=False)
    contact_person = serializers.CharField(
        required=False, allow_blank=True, max_length=Reply._meta.get_field("contact_person").max_length
    )
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=Reply._meta.get_field("contact_phone").max_length
    )
    commitment_date = serializers.DateField(required=False, allow_null=True)


class FeedbackInputSerializer(serializers.Serializer):
    attitude = serializers.ChoiceField(choices=Satisfaction.choices)
    result = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX, default="")
