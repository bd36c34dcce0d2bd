"""Exception cases' API: a flagged parcel's case, and one action on it at a time."""

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.errors import NotFound, ValidationFailed
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.core.names import person_name
from siliu.core.permissions import Permission
from siliu.core.rest import permission_required
from siliu.logistics.cases.selectors import exception_case_latest, exception_parcel_get
from siliu.logistics.cases.services import (
    RESOLUTION_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    exception_case_assign,
    exception_case_claim,
    exception_case_contact,
    exception_case_note,
    exception_case_resolve,
)
from siliu.logistics.claims.services import DESCRIPTION_MAX_LENGTH
from siliu.logistics.models import ClaimKind, ExceptionCase, ExceptionCaseEvent

NUMBER_PARAMETER = OpenApiParameter("number", str, OpenApiParameter.PATH, description="邮件号")
ACTIONS = ("assign", "note", "contact", "claim", "resolve")


class ExceptionCaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ExceptionCaseEvent
        fields = ["kind", "actor", "occurred_at", "text"]

    def get_actor(self, event: ExceptionCaseEvent) -> str:
        return person_name(event.actor)


class ExceptionCaseSerializer(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="parcel.tracking_number")
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    claim_id = serializers.IntegerField(allow_null=True)
    events = serializers.SerializerMethodField()

    class Meta:
        model = ExceptionCase
        fields = [
            "tracking_number",
            "kind",
            "status",
            "assignee",
            "claim_id",
            "resolution",
            "opened_at",
            "resolved_at",
            "events",
        ]

    @extend_schema_field(ExceptionCaseEventSerializer(many=True))
    def get_events(self, case: ExceptionCase) -> list[dict[str, Any]]:
        events = case.events.select_related("actor").order_by("occurred_at", "pk")
        return list(ExceptionCaseEventSerializer(events, many=True).data)


class ExceptionActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    assignee = serializers.CharField(max_length=150, required=False, help_text="assign：处理人用户名")
    text = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, required=False, default="", allow_blank=True, help_text="note、contact"
    )
    party = serializers.ChoiceField(choices=["sender", "recipient"], required=False, help_text="contact")
    kind = serializers.ChoiceField(choices=ClaimKind.values, required=False, help_text="claim：理赔类型")
    claimed_loss_fen = serializers.IntegerField(
        min_value=0, max_value=MAX_AMOUNT_FEN, required=False, default=0
    )
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, default="", allow_blank=True
    )
    resolution = serializers.CharField(
        max_length=RESOLUTION_MAX_LENGTH, required=False, default="", allow_blank=True, help_text="resolve"
    )


def _required(data: dict[str, Any], field: str) -> Any:
    if data.get(field) in (None, ""):
        raise ValidationFailed("required", _("该项为必填项"), field=field)
    return data[field]


class ExceptionCaseView(APIView):
    """``GET`` a flagged parcel's case (its open one, else the latest; ``exception.read``); ``POST`` one
    action on it (``exception.handle`` at the parcel's places), opening it if need be."""

    def get_permissions(self) -> list[Any]:
        permission = (
            Permission.EXCEPTION_HANDLE if self.request.method == "POST" else Permission.EXCEPTION_READ
        )
        return [permission_required(permission)()]

    @extend_schema(parameters=[NUMBER_PARAMETER], responses=ExceptionCaseSerializer)
    def get(self, request: Request, number: str) -> Response:
        parcel = exception_parcel_get(number=number, actor=request.user, permission=Permission.EXCEPTION_READ)
        case = exception_case_latest(parcel)
        if case is None:
            raise NotFound("no_case", _("这件邮件还没有异常处理记录"))
        return Response(ExceptionCaseSerializer(case).data)

    @extend_schema(
        parameters=[NUMBER_PARAMETER], request=ExceptionActionSerializer, responses=ExceptionCaseSerializer
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = ExceptionActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parcel = exception_parcel_get(
            number=number, actor=request.user, permission=Permission.EXCEPTION_HANDLE
        )
        action = data["action"]
        if action == "assign":
            assignee = User.objects.filter(username=_required(data, "assignee")).first()
            if assignee is None:
                raise ValidationFailed("unknown_user", _("没有这个用户"), field="assignee")
            case = exception_case_assign(parcel=parcel, assignee=assignee, actor=request.user)
        elif action == "note":
            case = exception_case_note(parcel=parcel, text=data["text"], actor=request.user)
        elif action == "contact":
            case = exception_case_contact(
                parcel=parcel, party=_required(data, "party"), text=data["text"], actor=request.user
            )
        elif action == "claim":
            case = exception_case_claim(
                parcel=parcel,
                kind=_required(data, "kind"),
                claimed_loss_fen=data["claimed_loss_fen"],
                description=data["description"],
                actor=request.user,
            )
        else:
            case = exception_case_resolve(parcel=parcel, resolution=data["resolution"], actor=request.user)
        return Response(ExceptionCaseSerializer(case).data)
