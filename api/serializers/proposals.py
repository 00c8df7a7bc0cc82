"""Proposals as the API shows them: a list row, and the detail with its handling and timeline."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.handling import AssignmentSerializer, FeedbackSerializer, ReplySerializer
from proposals.models import Event, Proposal, Proposer


class ProposerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Proposer
        fields = ["user", "name", "role", "status", "order", "confirmed_at"]


class EventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()
    verb_label = serializers.CharField(source="get_verb_display", read_only=True)

    class Meta:
        model = Event
        fields = ["id", "created_at", "verb", "verb_label", "actor", "actor_name", "from_status", "to_status", "note"]

    def get_actor_name(self, event: Event) -> str | None:
        return event.actor.display_name if event.actor_id else None


class ProposalListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Proposal
        fields = [
            "id",
            "number",
            "title",
            "status",
            "kind",
            "session",
            "category",
            "is_key",
            "lead_display",
            "collective_author",
            "first_unit",
            "unit_count",
            "handling_round",
            "submitted_at",
            "accepted_at",
            "closed_at",
        ]


class ProposalDetailSerializer(ProposalListSerializer):
    """The list row with the texts, the proposers, and what ``visible_to`` lets the reader see of the handling."""

    proposers = ProposerSerializer(many=True, read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True, source="visible_assignments")
    replies = ReplySerializer(many=True, read_only=True, source="visible_replies")
    feedback = FeedbackSerializer(many=True, read_only=True, source="visible_feedback")
    timeline = EventSerializer(many=True, read_only=True, source="visible_events")

    class Meta(ProposalListSerializer.Meta):
        fields = [
            *ProposalListSerializer.Meta.fields,
            "background",
            "suggestions",
            "publication_consent",
            "merged_into",
            "proposers",
            "assignments",
            "replies",
            "feedback",
            "timeline",
        ]
