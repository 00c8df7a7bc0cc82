"""Assignments (交办), reply letters (答复函) and feedback (满意度测评) as the API shows them."""

from __future__ import annotations

from rest_framework import serializers

from responses.models import Assignment, Feedback, Reply


class FeedbackSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = Feedback
        fields = ["id", "reply", "user", "user_name", "attitude", "result", "comment", "created_at"]


class ReplySerializer(serializers.ModelSerializer):
    proposal = serializers.IntegerField(source="assignment.proposal_id", read_only=True)
    unit = serializers.IntegerField(source="assignment.unit_id", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Reply
        fields = [
            "id",
            "assignment",
            "proposal",
            "unit",
            "round",
            "is_followup",
            "status",
            "version",
            "category",
            "category_code",
            "letter_number",
            "body",
            "contact_person",
            "contact_phone",
            "commitment_date",
            "signed_at",
            "sent_at",
            "created_at",
            "updated_at",
        ]


class AssignmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "proposal",
            "unit",
            "unit_name",
            "role",
            "round",
            "status",
            "assigned_at",
            "accepted_at",
            "replied_at",
            "reply_due",
            "reply_due_note",
            "reply_cap",
            "opinion_due",
            "return_window_ends",
            "contact_due",
            "deadlines_provisional",
            "instructions",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        shown = instance.status_shown_to(request.user) if request is not None else instance.status
        if shown != instance.status:
            # A member learns of a reply only when the committee releases it (督办审核): until then the unit
            # is shown as handling the proposal, as on the proposal's page.
            data["status"] = shown
            data["replied_at"] = None
        return data
