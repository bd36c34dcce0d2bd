"""Exhibitions API.

- ``POST /api/v1/outreach/requests`` — a school or village asks for an exhibition (anyone; limited per
  address, ``exhibition_request``).
- ``GET /api/v1/outreach/exhibitions`` (``outreach.read``) and ``POST`` (``outreach.manage``: planned at
  once); ``GET /api/v1/outreach/exhibitions/{id}`` with its history.
- ``POST /api/v1/outreach/exhibitions/{id}/plan``, ``/hold``, ``/cancel`` (``outreach.manage``).

Errors: bad input 400 naming the field, not allowed 403, unknown (or out of the user's county) 404, the
wrong status 409.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.names import person_name
from siliu.core.permissions import Permission
from siliu.core.ratelimit import EXHIBITION_REQUEST_THROTTLES
from siliu.core.rest import permission_required
from siliu.outreach.exhibitions.selectors import (
    exhibition_get,
    exhibition_history,
    exhibition_list,
    exhibition_phone_shown,
)
from siliu.outreach.exhibitions.services import (
    CONTACT_NAME_MAX_LENGTH,
    LEADER_MAX_LENGTH,
    MAX_ATTENDANCE,
    REASON_MAX_LENGTH,
    REQUEST_NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    VENUE_NAME_MAX_LENGTH,
    exhibition_cancel,
    exhibition_create,
    exhibition_hold,
    exhibition_plan,
    exhibition_request,
)
from siliu.outreach.models import Exhibition, ExhibitionEvent, ExhibitionKind, ExhibitionStatus, VenueKind

ID_PARAMETER = OpenApiParameter("exhibition_id", int, OpenApiParameter.PATH, description="活动编号")

# --- input ------------------------------------------------------------------------------------------


class ExhibitionRequestSerializer(serializers.Serializer):
    village = serializers.RegexField(r"^[0-9]{12}$", help_text="村的行政区划代码（12 位）")
    venue_kind = serializers.ChoiceField(choices=VenueKind.choices)
    venue_name = serializers.CharField(max_length=VENUE_NAME_MAX_LENGTH, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=ExhibitionKind.choices, default=ExhibitionKind.EXHIBITION)
    preferred_on = serializers.DateField(required=False, allow_null=True, default=None)
    contact_name = serializers.CharField(max_length=CONTACT_NAME_MAX_LENGTH, allow_blank=True, default="")
    contact_phone = serializers.CharField(
        max_length=20, allow_blank=True, default="", help_text="未登录时必填"
    )
    note = serializers.CharField(max_length=REQUEST_NOTE_MAX_LENGTH, allow_blank=True, default="")


class ExhibitionPlanSerializer(serializers.Serializer):
    scheduled_on = serializers.DateField()
    stamps = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        min_length=1,
        max_length=50,
        help_text="展出邮票的编号",
    )
    leader_name = serializers.CharField(max_length=LEADER_MAX_LENGTH)
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=ExhibitionKind.choices, required=False)


class ExhibitionCreateSerializer(ExhibitionPlanSerializer):
    village = serializers.RegexField(r"^[0-9]{12}$", help_text="村的行政区划代码（12 位）")
    venue_kind = serializers.ChoiceField(choices=VenueKind.choices)
    venue_name = serializers.CharField(max_length=VENUE_NAME_MAX_LENGTH, allow_blank=True, default="")
    outlet = serializers.CharField(
        max_length=20, allow_blank=True, default="", help_text="负责网点编码；默认服务该村的网点"
    )
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    kind = serializers.ChoiceField(choices=ExhibitionKind.choices)


class ExhibitionHoldSerializer(serializers.Serializer):
    attendance_count = serializers.IntegerField(min_value=0, max_value=MAX_ATTENDANCE, help_text="参加人数")
    held_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="默认为排期日期")
    leader_name = serializers.CharField(max_length=LEADER_MAX_LENGTH, allow_blank=True, default="")


class ExhibitionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class ExhibitionListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ExhibitionStatus.choices, required=False)


# --- output -----------------------------------------------------------------------------------------


class ExhibitionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    venue_kind = serializers.CharField()
    venue_name = serializers.CharField()
    village = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")
    outlet = serializers.CharField(source="outlet.code")
    scheduled_on = serializers.DateField(allow_null=True)
    held_on = serializers.DateField(allow_null=True)
    leader_name = serializers.CharField()
    attendance_count = serializers.IntegerField(allow_null=True)
    stamps = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_stamps(self, exhibition: Exhibition) -> list[str]:
        return [issue.series_number for issue in exhibition.stamps.all()]


class ExhibitionEventSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    occurred_at = serializers.DateTimeField()
    note = serializers.CharField()

    def get_actor(self, event: ExhibitionEvent) -> str | None:
        return person_name(event.actor) if event.actor is not None else None


class ExhibitionDetailSerializer(ExhibitionSerializer):
    """An exhibition with the requester's contact (those who hold ``outreach.read`` call back) and its
    history."""

    contact_name = serializers.CharField()
    contact_phone = serializers.SerializerMethodField(help_text="安排活动的人看到完整号码，其他人看到掩码")
    request_note = serializers.CharField()
    cancel_reason = serializers.CharField()
    photos = serializers.ListField(child=serializers.CharField())
    history = serializers.SerializerMethodField()

    def get_contact_phone(self, exhibition: Exhibition) -> str:
        return exhibition_phone_shown(user=self.context["user"], exhibition=exhibition)

    @extend_schema_field(ExhibitionEventSerializer(many=True))
    def get_history(self, exhibition: Exhibition) -> list[dict[str, Any]]:
        return ExhibitionEventSerializer(exhibition_history(exhibition=exhibition), many=True).data  # type: ignore[return-value]


class ExhibitionRequestedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    village_name = serializers.CharField(source="village.name")


def _detail(request: Request, exhibition: Exhibition, *, created: bool = False) -> Response:
    shown = exhibition_get(user=request.user, exhibition_id=exhibition.pk)
    return Response(
        ExhibitionDetailSerializer(shown, context={"user": request.user}).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


# --- views ------------------------------------------------------------------------------------------


class ExhibitionRequestView(APIView):
    """A school or village asks for an exhibition; without a login, ``contact_name`` and
    ``contact_phone`` are required."""

    permission_classes = [AllowAny]
    throttle_classes = list(EXHIBITION_REQUEST_THROTTLES)

    @extend_schema(request=ExhibitionRequestSerializer, responses={201: ExhibitionRequestedSerializer})
    def post(self, request: Request) -> Response:
        body = ExhibitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        exhibition = exhibition_request(
            requester=request.user,
            village_code=data["village"],
            venue_kind=data["venue_kind"],
            venue_name=data["venue_name"],
            kind=data["kind"],
            preferred_on=data["preferred_on"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            note=data["note"],
        )
        return Response(ExhibitionRequestedSerializer(exhibition).data, status=status.HTTP_201_CREATED)


class ExhibitionListView(GenericAPIView):
    """The exhibitions in the user's county (``outreach.read``); a new planned one (``outreach.manage``)."""

    serializer_class = ExhibitionSerializer

    def get_permissions(self) -> list[BasePermission]:
        permission = Permission.OUTREACH_MANAGE if self.request.method == "POST" else Permission.OUTREACH_READ
        return [permission_required(permission)()]

    @extend_schema(parameters=[ExhibitionListQuerySerializer], responses=ExhibitionSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = ExhibitionListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(exhibition_list(user=request.user, **query.validated_data))
        return self.get_paginated_response(ExhibitionSerializer(page, many=True).data)

    @extend_schema(request=ExhibitionCreateSerializer, responses={201: ExhibitionDetailSerializer})
    def post(self, request: Request) -> Response:
        body = ExhibitionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        exhibition = exhibition_create(
            actor=request.user,
            village_code=data["village"],
            venue_kind=data["venue_kind"],
            venue_name=data["venue_name"],
            outlet_code=data["outlet"],
            kind=data["kind"],
            title=data["title"],
            scheduled_on=data["scheduled_on"],
            stamp_ids=data["stamps"],
            leader_name=data["leader_name"],
        )
        return _detail(request, exhibition, created=True)


class ExhibitionDetailView(APIView):
    permission_classes = [permission_required(Permission.OUTREACH_READ)]

    @extend_schema(parameters=[ID_PARAMETER], responses=ExhibitionDetailSerializer)
    def get(self, request: Request, exhibition_id: int) -> Response:
        return _detail(request, exhibition_get(user=request.user, exhibition_id=exhibition_id))


class ExhibitionPlanView(APIView):
    """Plan a requested exhibition: date, stamps shown, who leads it."""

    permission_classes = [permission_required(Permission.OUTREACH_MANAGE)]

    @extend_schema(
        parameters=[ID_PARAMETER], request=ExhibitionPlanSerializer, responses=ExhibitionDetailSerializer
    )
    def post(self, request: Request, exhibition_id: int) -> Response:
        exhibition = exhibition_get(user=request.user, exhibition_id=exhibition_id)
        body = ExhibitionPlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        exhibition = exhibition_plan(
            exhibition=exhibition,
            actor=request.user,
            scheduled_on=data["scheduled_on"],
            stamp_ids=data["stamps"],
            leader_name=data["leader_name"],
            title=data["title"],
            kind=data.get("kind", ""),
        )
        return _detail(request, exhibition)


class ExhibitionHoldView(APIView):
    """Record a planned exhibition held, with its attendance."""

    permission_classes = [permission_required(Permission.OUTREACH_MANAGE)]

    @extend_schema(
        parameters=[ID_PARAMETER], request=ExhibitionHoldSerializer, responses=ExhibitionDetailSerializer
    )
    def post(self, request: Request, exhibition_id: int) -> Response:
        exhibition = exhibition_get(user=request.user, exhibition_id=exhibition_id)
        body = ExhibitionHoldSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exhibition = exhibition_hold(exhibition=exhibition, actor=request.user, **body.validated_data)
        return _detail(request, exhibition)


class ExhibitionCancelView(APIView):
    """Cancel a requested or planned exhibition, with the reason."""

    permission_classes = [permission_required(Permission.OUTREACH_MANAGE)]

    @extend_schema(
        parameters=[ID_PARAMETER], request=ExhibitionCancelSerializer, responses=ExhibitionDetailSerializer
    )
    def post(self, request: Request, exhibition_id: int) -> Response:
        exhibition = exhibition_get(user=request.user, exhibition_id=exhibition_id)
        body = ExhibitionCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exhibition = exhibition_cancel(
            exhibition=exhibition, actor=request.user, reason=body.validated_data["reason"]
        )
        return _detail(request, exhibition)
