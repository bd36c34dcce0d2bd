"""Requests API.

- ``POST /api/v1/appeals/codes`` — send a code to a phone, to file without an account (limited per
  phone and per address).
- ``POST /api/v1/appeals`` — file a request: logged in, or with ``phone`` and ``code``.
- ``GET /api/v1/appeals`` — your requests, newest first.
- ``POST /api/v1/appeals/counter`` — a station operator files for a villager at their counter.
- ``GET /api/v1/appeals/queue`` — the requests where you hold ``appeal.read``, late and escalated first.
- ``GET /api/v1/appeals/{id}`` — one request with its history.
- ``POST /api/v1/appeals/{id}/acknowledge``, ``…/resolve`` — its station (or the county).
- ``POST /api/v1/appeals/{id}/rate`` — its requester (logged in, or with the ``token`` of their link).

Errors: bad input 400 naming the field, not allowed 403, unknown (or not yours) 404, the wrong state 409,
too many codes 429.
"""

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.appeals.models import Appeal, AppealCategory, AppealEvent
from siliu.appeals.requests.selectors import (
    OPEN,
    SHOWS,
    appeal_by_token,
    appeal_get,
    appeal_history,
    appeal_is_late,
    appeal_list_mine,
    appeal_queue,
)
from siliu.appeals.requests.services import (
    NOTE_MAX_LENGTH,
    RATING_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    appeal_acknowledge,
    appeal_file,
    appeal_file_for_villager,
    appeal_file_with_code,
    appeal_link,
    appeal_rate,
    appeal_resolve,
    phone_code_send,
)
from siliu.appeals.requests.throttles import code_send_wait
from siliu.core.errors import NotFound, PermissionRefused
from siliu.core.identity import mobile_mask
from siliu.core.names import person_name
from siliu.core.permissions import Permission, user_outlet_ids
from siliu.core.rest import permission_required
from siliu.network.models import Outlet

ID_PARAMETER = OpenApiParameter("appeal_id", int, OpenApiParameter.PATH, description="诉求编号")

# --- input ------------------------------------------------------------------------------------------


class AppealCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text="手机号（11 位）")


class AppealFileSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=AppealCategory.choices, help_text="诉求类别")
    village = serializers.CharField(max_length=12, help_text="村的行政区划代码（12 位）")
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text="要反映的事情")
    photo = serializers.ImageField(required=False, help_text="照片（可选，multipart 上传）")


class AppealFileWithCodeSerializer(AppealFileSerializer):
    phone = serializers.CharField(max_length=20, required=False, default="", help_text="未登录时：手机号")
    code = serializers.CharField(max_length=6, required=False, default="", help_text="未登录时：短信验证码")


class AppealCounterFileSerializer(AppealFileSerializer):
    phone = serializers.CharField(max_length=20, help_text="村民的手机号：办理进展与评价链接发到这里")
    outlet = serializers.CharField(
        max_length=20, required=False, default="", help_text="代提的站点编码；默认您负责的第一个站点"
    )


class AppealNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, allow_blank=True, default="", help_text="说明")


class AppealResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text="办理结果")


class AppealRateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="1–5 分")
    text = serializers.CharField(
        max_length=RATING_TEXT_MAX_LENGTH, allow_blank=True, default="", help_text="评价"
    )
    token = serializers.CharField(
        max_length=40, required=False, default="", help_text="未登录时：短信链接中的凭据"
    )


class AppealQueueQuerySerializer(serializers.Serializer):
    show = serializers.ChoiceField(
        choices=[(key, str(label)) for key, label in SHOWS.items()],
        default=OPEN,
        help_text="待办、超时、全部",
    )


# --- output -----------------------------------------------------------------------------------------


class AppealCodeSentSerializer(serializers.Serializer):
    phone_masked = serializers.CharField()
    expires_at = serializers.DateTimeField()


class AppealEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    occurred_at = serializers.DateTimeField()
    note = serializers.CharField()

    def get_actor(self, event: AppealEvent) -> str:
        return person_name(event.actor)


class AppealSerializer(serializers.Serializer):
    """A request; the requester's phone masked, never their name."""

    id = serializers.IntegerField()
    category = serializers.CharField()
    category_label = serializers.CharField(source="get_category_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.CharField()
    village = serializers.CharField(source="village.name")
    township = serializers.CharField(source="township.name")
    outlet = serializers.CharField(source="outlet.name")
    text = serializers.CharField()
    photo_url = serializers.CharField()
    phone_masked = serializers.SerializerMethodField()
    filed_at = serializers.DateTimeField()
    acknowledge_due_at = serializers.DateTimeField()
    resolve_due_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    escalated_at = serializers.DateTimeField(allow_null=True)
    is_late = serializers.SerializerMethodField()
    rating = serializers.IntegerField(allow_null=True)
    rating_text = serializers.CharField()
    job = serializers.IntegerField(source="job_id", allow_null=True)

    def get_phone_masked(self, appeal: Appeal) -> str:
        return mobile_mask(appeal.phone)

    def get_is_late(self, appeal: Appeal) -> bool:
        return appeal_is_late(appeal, timezone.now())


class AppealDetailSerializer(AppealSerializer):
    history = serializers.SerializerMethodField()

    @extend_schema_field(AppealEventSerializer(many=True))
    def get_history(self, appeal: Appeal) -> list[dict[str, Any]]:
        return AppealEventSerializer(appeal_history(appeal=appeal), many=True).data  # type: ignore[return-value]


class AppealFiledSerializer(AppealDetailSerializer):
    link = serializers.SerializerMethodField(help_text="提出人查看进度、评价的链接（也用短信发给提出人）")

    def get_link(self, appeal: Appeal) -> str:
        return appeal_link(appeal)


# --- views ------------------------------------------------------------------------------------------


class AppealCodeView(APIView):
    """Send a six-digit code to a mobile number (valid 10 minutes, 5 tries), to file without an account."""

    permission_classes = [AllowAny]

    @extend_schema(request=AppealCodeRequestSerializer, responses={202: AppealCodeSentSerializer})
    def post(self, request: Request) -> Response:
        serializer = AppealCodeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phone = serializer.validated_data["phone"]
        wait = code_send_wait(request, phone)
        if wait is not None:
            raise Throttled(wait=wait)
        sent = phone_code_send(phone=phone)
        return Response(
            AppealCodeSentSerializer(
                {"phone_masked": mobile_mask(sent.phone), "expires_at": sent.expires_at}
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )


def _filed(appeal: Appeal) -> Response:
    return Response(AppealFiledSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealListView(GenericAPIView):
    """``GET``: your requests, newest first. ``POST``: file one, logged in or with a phone code."""

    serializer_class = AppealSerializer

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses=AppealSerializer(many=True))
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        page = self.paginate_queryset(appeal_list_mine(user=request.user))
        return self.get_paginated_response(AppealSerializer(page, many=True).data)

    @extend_schema(request=AppealFileWithCodeSerializer, responses={201: AppealFiledSerializer})
    def post(self, request: Request) -> Response:
        serializer = AppealFileWithCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {
            "category": data["category"],
            "village_code": data["village"],
            "text": data["text"],
            "photo": data.get("photo"),
        }
        if isinstance(request.user, User):
            return _filed(appeal_file(requester=request.user, **fields))
        return _filed(appeal_file_with_code(phone=data["phone"], code=data["code"], **fields))


class AppealCounterView(APIView):
    """A station operator files a request for a villager at their counter."""

    permission_classes = [permission_required(Permission.APPEAL_FILE_FOR)]

    @extend_schema(request=AppealCounterFileSerializer, responses={201: AppealFiledSerializer})
    def post(self, request: Request) -> Response:
        serializer = AppealCounterFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assert isinstance(request.user, User)
        places = user_outlet_ids(request.user, Permission.APPEAL_FILE_FOR)
        outlets = Outlet.objects.filter(is_active=True)
        if places is not None:
            outlets = outlets.filter(pk__in=places)
        counter = (
            (outlets.filter(code=data["outlet"]) if data["outlet"] else outlets).order_by("code").first()
        )
        if counter is None:
            raise PermissionRefused("not_your_counter", _("只能在您负责的站点为村民代提诉求"))
        appeal = appeal_file_for_villager(
            operator=request.user,
            counter=counter,
            phone=data["phone"],
            category=data["category"],
            village_code=data["village"],
            text=data["text"],
            photo=data.get("photo"),
        )
        return _filed(appeal)


class AppealQueueView(GenericAPIView):
    """The requests at the outlets where you hold ``appeal.read``: escalated and late first."""

    serializer_class = AppealSerializer
    permission_classes = [permission_required(Permission.APPEAL_READ)]

    @extend_schema(parameters=[AppealQueueQuerySerializer], responses=AppealSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = AppealQueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(appeal_queue(user=request.user, show=query.validated_data["show"]))
        return self.get_paginated_response(AppealSerializer(page, many=True).data)


class AppealDetailView(APIView):
    """One request you filed (or that was filed for you), or one where you hold ``appeal.read``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[ID_PARAMETER], responses=AppealDetailSerializer)
    def get(self, request: Request, appeal_id: int) -> Response:
        return Response(AppealDetailSerializer(appeal_get(user=request.user, appeal_id=appeal_id)).data)


class AppealAcknowledgeView(APIView):
    """Acknowledge a filed request (受理)."""

    permission_classes = [permission_required(Permission.APPEAL_HANDLE)]

    @extend_schema(parameters=[ID_PARAMETER], request=AppealNoteSerializer, responses=AppealDetailSerializer)
    def post(self, request: Request, appeal_id: int) -> Response:
        serializer = AppealNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = appeal_get(user=request.user, appeal_id=appeal_id)
        appeal = appeal_acknowledge(appeal=appeal, actor=request.user, note=serializer.validated_data["note"])
        return Response(AppealDetailSerializer(appeal_get(user=request.user, appeal_id=appeal.pk)).data)


class AppealResolveView(APIView):
    """Resolve a filed or acknowledged request (办结) with what was done."""

    permission_classes = [permission_required(Permission.APPEAL_HANDLE)]

    @extend_schema(
        parameters=[ID_PARAMETER], request=AppealResolveSerializer, responses=AppealDetailSerializer
    )
    def post(self, request: Request, appeal_id: int) -> Response:
        serializer = AppealResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = appeal_get(user=request.user, appeal_id=appeal_id)
        appeal = appeal_resolve(
            appeal=appeal, actor=request.user, resolution=serializer.validated_data["resolution"]
        )
        return Response(AppealDetailSerializer(appeal_get(user=request.user, appeal_id=appeal.pk)).data)


class AppealRateView(APIView):
    """The requester rates a resolved request (1–5 and a word), which closes it: logged in, or with
    the ``token`` of the link in their messages."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[ID_PARAMETER], request=AppealRateSerializer, responses=AppealDetailSerializer)
    def post(self, request: Request, appeal_id: int) -> Response:
        serializer = AppealRateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        appeal = Appeal.objects.filter(pk=appeal_id).first()
        if appeal is None:
            raise NotFound("unknown_appeal", _("没有这件诉求"))
        appeal = appeal_rate(
            appeal=appeal, actor=request.user, rating=data["rating"], text=data["text"], token=data["token"]
        )
        return Response(AppealDetailSerializer(appeal_by_token(token=appeal.access_token)).data)
