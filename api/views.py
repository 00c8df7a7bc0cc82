"""The API's endpoints: reads through ``visible_to``, writes through the services.

Each write finds its object among the rows the caller may see (404 otherwise), then calls the
same service as the pages, which checks the caller's right (403) and the object's state (409).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import (
    action,
    api_view,
    authentication_classes,
    permission_classes,
    schema,
    throttle_classes,
)
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.models import Unit
from accounts.security import client_ip
from api.models import ApiToken
from api.serializers.handling import AssignmentSerializer, FeedbackSerializer, ReplySerializer
from api.serializers.proposals import ProposalDetailSerializer, ProposalListSerializer
from api.serializers.reference import CategorySerializer, ReplyCategorySerializer, SessionSerializer, UnitSerializer
from api.serializers.writes import (
    AssignSerializer,
    FeedbackInputSerializer,
    NoteSerializer,
    ProposalSubmitSerializer,
    ReplyDraftSerializer,
)
from proposals import drafting
from proposals import services as proposal_services
from proposals.filters import ProposalFilterSet
from proposals.models import Category, Event, Proposal, Proposer, Session
from proposals.views_member import MEMBER_HIDDEN_VERBS
from responses import services as response_services
from responses.filters import AssignmentFilterSet, ReplyFilterSet
from responses.models import Assignment, Feedback, Reply, ReplyCategory

logger = logging.getLogger("security")


class ApiViewMixin:
    """Every endpoint: signed in (session or token); every write written to the security log."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_value_converter = "int"

    def get_object(self):
        # An id that is no number, or no 64-bit one, names nothing: 404, not a database error.
        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not value.isdigit() or int(value) >= 2**63:
            raise NotFound()
        return super().get_object()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in permissions.SAFE_METHODS:
            user = getattr(request, "user", None)
            token = request.auth if isinstance(getattr(request, "_auth", None), ApiToken) else None
            logger.info(
                "api write user=%s token=%s ip=%s %s %s -> %s",
                user.get_username() if user is not None and user.is_authenticated else "anonymous",
                token.prefix if token else "-",
                client_ip(request._request),
                request.method,
                request.path,
                response.status_code,
            )
        return response


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([permissions.AllowAny])
@throttle_classes([])
@schema(None)
def not_found(request, *args, **kwargs):
    raise NotFound()


class ReferenceViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Reference rows every signed-in user may read."""


class SessionViewSet(ReferenceViewSet):
    """Sessions (届次/会次)."""

    serializer_class = SessionSerializer

    def get_queryset(self):
        return Session.objects.all()


class CategoryViewSet(ReferenceViewSet):
    """Proposal categories."""

    serializer_class = CategorySerializer

    def get_queryset(self):
        return Category.objects.all()


class UnitViewSet(ReferenceViewSet):
    """Handling units (承办单位)."""

    serializer_class = UnitSerializer

    def get_queryset(self):
        return Unit.visible_to(self.request.user)


class ReplyCategoryViewSet(ReferenceViewSet):
    """Reply categories (答复类别 A/B/C/D)."""

    serializer_class = ReplyCategorySerializer

    def get_queryset(self):
        return ReplyCategory.objects.all()


@extend_schema_view(
    list=extend_schema(summary=_("Proposals the caller may see, filtered as on the list pages")),
    retrieve=extend_schema(summary=_("A proposal with its proposers, handling, replies, feedback and timeline")),
)
class ProposalViewSet(ApiViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Proposals (提案)."""

    queryset = Proposal.objects.none()  # the schema's model; requests use get_queryset
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProposalFilterSet

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ProposalDetailSerializer
        if self.action == "create":
            return ProposalSubmitSerializer
        if self.action == "assign":
            return AssignSerializer
        if self.action == "accept":
            return NoteSerializer
        return ProposalListSerializer

    def get_queryset(self):
        rows = Proposal.objects.visible_to(self.request.user)
        if self.action != "retrieve":
            return rows.defer("background", "suggestions", "search_text")
        user = self.request.user
        events = Event.objects.select_related("actor").order_by("created_at", "pk")
        if not user.has_staff_role:
            events = events.exclude(verb__in=MEMBER_HIDDEN_VERBS)
        return rows.prefetch_related(
            Prefetch("proposers", queryset=Proposer.objects.select_related("user").order_by("order", "pk")),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.visible_to(user)
                .with_reply_in_review()
                .select_related("unit")
                .order_by("pk"),
                to_attr="visible_assignments",
            ),
            Prefetch("events", queryset=events, to_attr="visible_events"),
        )

    def get_object(self):
        proposal = super().get_object()
        if self.action == "retrieve":
            user = self.request.user
            proposal.visible_replies = list(
                Reply.objects.visible_to(user)
                .filter(assignment__proposal=proposal)
                .select_related("assignment", "category")
                .order_by("pk")
            )
            proposal.visible_feedback = list(
                Feedback.objects.visible_to(user)
                .filter(reply__assignment__proposal=proposal)
                .select_related("user")
                .order_by("pk")
            )
        return proposal

    @extend_schema(
        summary=_("Submit a proposal as the signed-in member"),
        request=ProposalSubmitSerializer,
        responses={201: ProposalDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = ProposalSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        session, units, submit = data.pop("session"), data.pop("suggested_units"), data.pop("submit")
        # One transaction: a draft whose submission is refused is not left behind.
        with transaction.atomic():
            proposal = drafting.create_draft(actor=request.user, session=session, data=data, units=units)
            if submit:
                proposal = proposal_services.submit_proposal(proposal, actor=request.user)
        self.action = "retrieve"
        self.kwargs[self.lookup_field] = proposal.pk
        body = self.get_serializer_for_detail()
        return Response(body, status=status.HTTP_201_CREATED)

    def get_serializer_for_detail(self) -> dict:
        return ProposalDetailSerializer(self.get_object(), context=self.get_serializer_context()).data

    @extend_schema(
        summary=_("Accept a submitted proposal (立案)"), request=NoteSerializer, responses=ProposalDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        proposal = self.get_object()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal_services.accept_proposal(proposal, actor=request.user, note=serializer.validated_data["note"])
        self.action = "retrieve"
        return Response(self.get_serializer_for_detail())

    @extend_schema(
        summary=_("Assign an accepted proposal to units (交办)"),
        request=AssignSerializer,
        responses=AssignmentSerializer(many=True),
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        proposal = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rows = response_services.assign_proposal(
            proposal,
            actor=request.user,
            units_roles=[(row["unit"], row["role"]) for row in data["units"]],
            assigned_on=data["assigned_on"],
            instructions=data["instructions"],
        )
        return Response(AssignmentSerializer(rows, many=True).data)


class AssignmentViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Assignments (交办) to units."""

    serializer_class = AssignmentSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AssignmentFilterSet

    def get_queryset(self):
        return Assignment.objects.visible_to(self.request.user).with_reply_in_review().select_related("unit")

    @extend_schema(summary=_("Accept an assignment (签收)"), request=None, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        assignment = response_services.accept_assignment(self.get_object(), actor=request.user)
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(
        summary=_("Save the reply draft (optimistic version check)"),
        request=ReplyDraftSerializer,
        responses=ReplySerializer,
    )
    @action(detail=True, methods=["put"], url_path="reply-draft")
    def reply_draft(self, request, pk=None):
        assignment = self.get_object()
        serializer = ReplyDraftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version, followup = data.pop("version"), data.pop("followup")
        reply = response_services.save_reply_draft(
            assignment, actor=request.user, data=data, base_version=version, followup=followup
        )
        return Response(ReplySerializer(reply).data)


class ReplyViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Reply letters (答复函): drafts to their unit and the oversight roles, sent ones to the proposers too."""

    serializer_class = ReplySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReplyFilterSet

    def get_queryset(self):
        return Reply.objects.visible_to(self.request.user).select_related("assignment", "category")

    @extend_schema(summary=_("Submit the draft for sign-off"), request=None, responses=ReplySerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        result = response_services.submit_reply(self.get_object(), actor=request.user)
        return Response(ReplySerializer(result.reply).data)

    @extend_schema(summary=_("Sign the reply off (签发)"), request=None, responses=ReplySerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        reply = response_services.sign_reply(self.get_object(), actor=request.user)
        return Response(ReplySerializer(reply).data)

    @extend_schema(
        summary=_("Send a signed reply to the proposers (to the committee first where it reviews replies)"),
        request=None,
        responses=ReplySerializer,
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        reply = response_services.send_reply(self.get_object(), actor=request.user)
        return Response(ReplySerializer(reply).data)

    @extend_schema(
        summary=_("Rate a sent reply (满意度测评)"),
        request=FeedbackInputSerializer,
        responses={201: FeedbackSerializer},
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        reply = self.get_object()
        serializer = FeedbackInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback = response_services.give_feedback(reply, actor=request.user, **serializer.validated_data)
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)
