"""Reference rows: sessions, categories, units and reply categories."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Unit
from proposals.models import Category, Session
from responses.models import ReplyCategory


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = ["id", "name", "full_name", "term", "meeting", "year", "is_current", "opens_on", "closes_on"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "order", "is_active"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "is_active"]


class ReplyCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReplyCategory
        fields = ["id", "code", "name", "description", "requires_commitment", "is_active"]
