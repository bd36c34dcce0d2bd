"""Delivery rounds API: start planning a day, then read the plan while and after it runs."""

from typing import Any

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
from siliu.logistics.rounds.selectors import courier_routes_today, round_plan_data, round_plan_get
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
        "search": serializers.JSONField(
            allow_null=True,
            help_text="workers, seconds, warm_start_from (the day of the plan it started from, or null)",
        ),
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


class CourierRoundParcelSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    name = serializers.CharField(help_text="收件人（送件）或寄件人（收件）")
    is_home_delivery = serializers.BooleanField()
    status = serializers.CharField()
    status_label = serializers.CharField()


class CourierHomePickupSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="上门揽收单号")
    villager = serializers.CharField(help_text="村民（姓名打码）· 村 · 地址")
    description = serializers.CharField(help_text="要寄的物品")
    phone = serializers.CharField(help_text="联系电话（仅驾驶该班次的投递员可见完整号码）")
    window = serializers.CharField(help_text="上门时段 HH:MM–HH:MM")
    weight_kg = serializers.FloatField(help_text="预估重量（千克）")
    status = serializers.CharField()
    status_label = serializers.CharField()
    is_open = serializers.BooleanField(help_text="仍待揽收（未取消、未揽收）")


class CourierRoundStopSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    arrives_at = serializers.CharField(help_text="计划到达 HH:MM")
    arrived_at = serializers.DateTimeField(allow_null=True)
    deliveries = CourierRoundParcelSerializer(many=True)
    pickups = CourierRoundParcelSerializer(many=True)
    home_pickup = CourierHomePickupSerializer(allow_null=True, help_text="上门揽收站点；普通站点为 null")


class CourierRoundSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    outlet = serializers.CharField()
    planned_on = serializers.DateField()
    route = serializers.IntegerField(help_text="线路编号，从 1 起")
    vehicle = serializers.CharField()
    starts_at = serializers.CharField()
    ends_at = serializers.CharField()
    departed_at = serializers.DateTimeField(allow_null=True)
    stops = CourierRoundStopSerializer(many=True)


def _home_pickup(stop: dict[str, Any] | None) -> dict[str, Any] | None:
    if stop is None:
        return None
    fields = ("reference", "description", "phone", "window", "weight_kg", "status", "status_label", "is_open")
    return {"villager": stop["label"], **{name: stop[name] for name in fields}}


class CourierRoundsTodayView(APIView):
    """The routes the caller drives today (我的班次): for each, the plan, the route number, the van's
    timetable and the stops in planned order with what to deliver and to pick up at each (a home pickup,
    上门揽收, with the villager's full phone: the caller drives there); an empty list
    for someone who drives no van. Scans at a stop go to ``POST /scans``; departing and arriving are the
    round's own scans (the 出车 and 到站 buttons)."""

    permission_classes = [permission_required(Permission.ROUND_READ)]

    @extend_schema(responses=CourierRoundSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "plan": found.plan.pk,
                    "outlet": found.plan.outlet.code,
                    "planned_on": found.plan.planned_on.isoformat(),
                    "route": found.route_number,
                    "vehicle": found.route["vehicle"]["name"],
                    "starts_at": found.route.get("starts_at"),
                    "ends_at": found.route.get("ends_at"),
                    "departed_at": found.route.get("departed_at"),
                    "stops": [
                        {
                            "number": stop["number"],
                            "code": stop["code"],
                            "name": stop["name"],
                            "arrives_at": stop.get("arrives_at"),
                            "arrived_at": stop.get("arrived_at"),
                            "deliveries": stop["delivery_parcels"],
                            "pickups": stop["pickup_parcels"],
                            "home_pickup": _home_pickup(stop["home_pickup"]),
                        }
                        for stop in found.route["stops"]
                    ],
                }
                for found in courier_routes_today(actor=request.user)
            ]
        )
