"""Delivery rounds API: start planning a day, then read the plan while and after it runs."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.permissions import Permission
from siliu.core.rest import permission_required
from siliu.logistics.models import RoundPlanStatus
from siliu.logistics.rounds.planning import MAX_SECONDS, MIN_SECONDS
from siliu.logistics.rounds.selectors import round_plan_data, round_plan_get
from siliu.logistics.rounds.tasks import round_plan_queue


class RoundPlanRequestSerializer(serializers.Serializer):
    outlet = serializers.CharField(max_length=20, help_text="网点编码：县级中心或乡镇邮政所")
    date = serializers.DateField(help_text="投递日期 YYYY-MM-DD")
    seconds = serializers.IntegerField(min_value=MIN_SECONDS, max_value=MAX_SECONDS, default=10)


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
        "totals": serializers.JSONField(
            allow_null=True,
            help_text="distance_km, duration_h, parcel_count, parcels_per_km…；未完成时为 null",
        ),
        "routes": serializers.JSONField(
            help_text="per vehicle: stops in order with code, name, arrives_at, load_after_kg, parcels"
        ),
        "unserved": serializers.JSONField(help_text="stations left for tomorrow, with reason"),
    },
)


class RoundPlanCreateView(APIView):
    """Start planning an outlet's delivery rounds for a day; poll ``GET /rounds/{id}`` for the result.

    The day runs from yesterday to ``SILIU_ROUND_PLAN_HORIZON_DAYS`` (7) days after today, local dates;
    another is 400 ``planned_on_out_of_horizon`` (field ``date``)."""

    permission_classes = [permission_required(Permission.ROUND_PLAN)]

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
        plan = round_plan_queue(
            outlet_code=data["outlet"], planned_on=data["date"], seconds=data["seconds"], actor=request.user
        )
        return Response(
            {"id": plan.pk, "status": plan.status, "url": reverse("api:round-detail", args=[plan.pk])},
            status=status.HTTP_202_ACCEPTED,
        )


class RoundPlanDetailView(APIView):
    """A round plan: status and progress while it runs; routes, totals and left-out stations when done."""

    permission_classes = [permission_required(Permission.ROUND_READ)]

    @extend_schema(responses=_PLAN_SCHEMA)
    def get(self, request: Request, plan_id: int) -> Response:
        return Response(round_plan_data(round_plan_get(plan_id=plan_id, actor=request.user)))
