"""Delivery rounds API: start planning a day, then read the plan while and after it runs."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.rest import role_permission
from siliu.core.roles import Role
from siliu.logistics.models import RoundPlan, RoundPlanStatus
from siliu.logistics.routing.planning import (
    MAX_SECONDS,
    MIN_SECONDS,
    UNSERVED_REASONS,
    round_plan_get,
    round_plan_request,
)

#: Who may plan rounds.
PLANNERS = (Role.STATION_OPERATOR, Role.COUNTY_MANAGER)
#: Who may read plans (drivers read their route).
ROUND_READERS = (*PLANNERS, Role.COURIER)


class RoundPlanRequestSerializer(serializers.Serializer):
    outlet = serializers.CharField(max_length=20, help_text="网点编码：县级中心或乡镇邮政所")
    date = serializers.DateField(help_text="投递日期 YYYY-MM-DD")
    seconds = serializers.IntegerField(min_value=MIN_SECONDS, max_value=MAX_SECONDS, default=10)


def round_plan_data(plan: RoundPlan) -> dict[str, Any]:
    """A plan as the API shows it: status and progress, then the result once there is one."""
    result = plan.result or {}
    return {
        "id": plan.pk,
        "outlet": plan.outlet.code,
        "planned_on": plan.planned_on.isoformat(),
        "status": plan.status,
        "status_label": str(RoundPlanStatus(plan.status).label),
        "progress": plan.progress,
        "seconds": plan.seconds,
        "error": plan.error_message,
        "created_at": plan.created_at.isoformat(),
        "finished_at": plan.finished_at.isoformat() if plan.finished_at else None,
        "matrix_source": result.get("matrix_source"),
        "totals": result.get("totals"),
        "routes": result.get("routes", []),
        "unserved": [
            {**item, "reason_label": str(UNSERVED_REASONS.get(item["reason"], item["reason"]))}
            for item in result.get("unserved", [])
        ],
    }


_PLAN_SCHEMA = inline_serializer(
    "RoundPlan",
    {
        "id": serializers.IntegerField(),
        "outlet": serializers.CharField(),
        "planned_on": serializers.DateField(),
        "status": serializers.ChoiceField(choices=RoundPlanStatus.choices),
        "status_label": serializers.CharField(),
        "progress": serializers.IntegerField(help_text="0–100"),
        "seconds": serializers.IntegerField(),
        "error": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
        "finished_at": serializers.DateTimeField(allow_null=True),
        "matrix_source": serializers.CharField(allow_null=True, help_text="road, great_circle or mixed"),
        "totals": serializers.JSONField(help_text="distance_km, duration_h, parcel_count, parcels_per_km…"),
        "routes": serializers.JSONField(
            help_text="per vehicle: stops in order with code, name, arrives_at, load_after_kg, parcels"
        ),
        "unserved": serializers.JSONField(help_text="stations left for tomorrow, with reason"),
    },
)


class RoundPlanCreateView(APIView):
    """Start planning an outlet's delivery rounds for a day; poll ``GET /rounds/{id}`` for the result."""

    permission_classes = [role_permission(*PLANNERS)]

    @extend_schema(
        request=RoundPlanRequestSerializer,
        responses={
            202: inline_serializer(
                "RoundPlanQueued",
                {
                    "id": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "url": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        serializer = RoundPlanRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = round_plan_request(
            outlet_code=data["outlet"], planned_on=data["date"], seconds=data["seconds"], actor=request.user
        )
        return Response(
            {"id": plan.pk, "status": plan.status, "url": reverse("api:round-detail", args=[plan.pk])},
            status=status.HTTP_202_ACCEPTED,
        )


class RoundPlanDetailView(APIView):
    """A round plan: status and progress while it runs; routes, totals and left-out stations when done."""

    permission_classes = [role_permission(*ROUND_READERS)]

    @extend_schema(responses=_PLAN_SCHEMA)
    def get(self, request: Request, plan_id: int) -> Response:
        return Response(round_plan_data(round_plan_get(plan_id=plan_id)))
