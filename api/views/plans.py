"""Weekly plans (the user's teams' only) and their actions; channels (never their
settings or credentials); campaigns."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from api import serializers as s
from api.pagination import CampaignCursor, ChannelCursor, PlanCursor
from api.tokens import refuse_by_token
from api.views.common import NEEDS_SERIALIZERS, described, known_id, perform, read
from api.views.posts import ERRORS
from editorial import workflow
from editorial.access import plan_or_404, visible_campaigns, visible_channels, visible_plans
from editorial.workflow.catalog import PLAN_ACTIONS, Action

PLAN_ERRORS = {**ERRORS, 404: OpenApiResponse(description="No such plan, or not your team's.")}


def _plans(user):
    return visible_plans(user).prefetch_related("posts")


@extend_schema(
    summary="Your teams' weekly plans",
    responses={200: s.PlanSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
)
class PlanList(generics.GenericAPIView):
    serializer_class = s.PlanSerializer
    pagination_class = PlanCursor

    def get(self, request):
        page = self.paginate_queryset(_plans(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    summary="Read a weekly plan",
    responses={200: s.PlanSerializer, 401: ERRORS[401], 404: PLAN_ERRORS[404]},
)
class PlanDetail(generics.GenericAPIView):
    serializer_class = s.PlanSerializer

    def get(self, request, pk):
        return Response(s.PlanSerializer(plan_or_404(request.user, known_id(pk))).data)


@extend_schema(
    summary="What you may do with a plan now",
    responses={200: s.ActionSerializer(many=True), 401: ERRORS[401], 404: PLAN_ERRORS[404]},
)
class PlanActions(generics.GenericAPIView):
    serializer_class = s.ActionSerializer
    pagination_class = None

    def get(self, request, pk):
        plan = plan_or_404(request.user, known_id(pk))
        actions = workflow.available_plan_actions(plan, request.user)
        return Response(described(actions, PLAN_ACTIONS, "api-plan", plan.pk))


class PlanAction(generics.GenericAPIView):
    action_name = ""

    def get_serializer_class(self):
        return NEEDS_SERIALIZERS[PLAN_ACTIONS[self.action_name].needs]

    def post(self, request, pk):
        spec: Action = PLAN_ACTIONS[self.action_name]
        plan = plan_or_404(request.user, known_id(pk))
        data = read(self.get_serializer_class(), request.data)
        refuse_by_token(request, spec.name, plan)
        before = plan.state
        perform(spec, plan, request.user, data)
        shown = get_object_or_404(_plans(request.user), pk=plan.pk)
        return Response(
            {
                "detail": str(spec.outcome(before, plan.state).page),
                "plan": s.PlanSerializer(shown).data,
            }
        )


def plan_action_view(spec: Action):
    view = type(f"Plan_{spec.name}", (PlanAction,), {"action_name": spec.name})
    operation = extend_schema(
        summary=str(spec.label),
        operation_id=f"plans_action_{spec.name}",
        description=f"{spec.history}.",
        request=NEEDS_SERIALIZERS[spec.needs],
        responses={200: s.PlanResultSerializer, **PLAN_ERRORS},
    )
    return extend_schema_view(post=operation)(view)


@extend_schema(
    summary="The channels of your departments",
    responses={200: s.ChannelSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
)
class ChannelList(generics.GenericAPIView):
    serializer_class = s.ChannelSerializer
    pagination_class = ChannelCursor

    def get(self, request):
        page = self.paginate_queryset(visible_channels(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    summary="Read a channel",
    responses={200: s.ChannelSerializer, 401: ERRORS[401], 404: ERRORS[404]},
)
class ChannelDetail(generics.GenericAPIView):
    serializer_class = s.ChannelSerializer

    def get(self, request, pk):
        channel = get_object_or_404(visible_channels(request.user), pk=known_id(pk))
        return Response(s.ChannelSerializer(channel).data)


@extend_schema(
    summary="The campaigns of your departments",
    responses={200: s.CampaignSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
)
class CampaignList(generics.GenericAPIView):
    serializer_class = s.CampaignSerializer
    pagination_class = CampaignCursor

    def get(self, request):
        page = self.paginate_queryset(visible_campaigns(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    summary="Read a campaign",
    responses={200: s.CampaignSerializer, 401: ERRORS[401], 404: ERRORS[404]},
)
class CampaignDetail(generics.GenericAPIView):
    serializer_class = s.CampaignSerializer

    def get(self, request, pk):
        campaign = get_object_or_404(visible_campaigns(request.user), pk=known_id(pk))
        return Response(s.CampaignSerializer(campaign).data)
