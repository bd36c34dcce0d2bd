"""Home pickups' API: the price for a village, ask for a pickup, list one's own, cancel."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.agency.pickups.models import HomePickup
from siliu.agency.pickups.selectors import (
    home_pickup_get,
    home_pickup_price_words,
    home_pickup_quote,
    home_pickups_of,
    unplanned_reason_words,
)
from siliu.agency.pickups.services import (
    ADDRESS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    MAX_WEIGHT_G,
    NAME_MAX_LENGTH,
    home_pickup_cancel,
    home_pickup_request,
)


class HomePickupQuoteInputSerializer(serializers.Serializer):
    village = serializers.CharField(max_length=12, help_text="村的行政区划代码（12 位）")


class HomePickupQuoteSerializer(serializers.Serializer):
    village = serializers.CharField(help_text="村名")
    station = serializers.CharField(help_text="负责上门揽收的村级服务站编码")
    station_name = serializers.CharField()
    price_fen = serializers.IntegerField(help_text="上门揽收价格（分），0 为免费；随邮费在揽收时收取")
    price = serializers.CharField(help_text="价格（文字）")
    is_remote = serializers.BooleanField(help_text="偏远村（价格来自偏远村名单）")
    note = serializers.CharField()


class HomePickupRequestSerializer(serializers.Serializer):
    village = serializers.CharField(max_length=12, help_text="村的行政区划代码（12 位）")
    address = serializers.CharField(max_length=ADDRESS_MAX_LENGTH, help_text="门牌地址")
    contact_name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    contact_phone = serializers.CharField(max_length=20, help_text="手机号（11 位）")
    window_on = serializers.DateField(help_text="上门日期 YYYY-MM-DD，今天起 7 天内")
    window_starts_at = serializers.TimeField(help_text="上门时段起 HH:MM")
    window_ends_at = serializers.TimeField(help_text="上门时段止 HH:MM，至少比起始晚 30 分钟")
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, help_text="要寄的物品")
    weight_g = serializers.IntegerField(min_value=1, max_value=MAX_WEIGHT_G, help_text="预估重量（克）")
    on_behalf = serializers.BooleanField(
        default=False, help_text="站点运营员为村民代约（须为本站所在村，pickup.request_for）"
    )


class HomePickupSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    village = serializers.CharField(source="village.name")
    village_code = serializers.CharField(source="village.code")
    station = serializers.CharField(source="station.code")
    station_name = serializers.CharField(source="station.name")
    address = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    window_on = serializers.DateField()
    window_starts_at = serializers.TimeField(format="%H:%M")
    window_ends_at = serializers.TimeField(format="%H:%M")
    description = serializers.CharField()
    weight_g = serializers.IntegerField()
    price_fen = serializers.IntegerField()
    price = serializers.SerializerMethodField()
    is_remote = serializers.BooleanField()
    planned_on = serializers.DateField(allow_null=True)
    planned_vehicle = serializers.CharField()
    planned_arrives_at = serializers.CharField(help_text="预计到达 HH:MM")
    unplanned_reason = serializers.SerializerMethodField(help_text="最近一次规划未能安排的原因")
    parcel = serializers.CharField(source="parcel.tracking_number", allow_null=True, default=None)
    created_at = serializers.DateTimeField()

    def get_price(self, pickup: Any) -> str:
        return home_pickup_price_words(pickup.price_fen)

    def get_unplanned_reason(self, pickup: Any) -> str:
        return unplanned_reason_words(pickup)


class HomePickupQuoteView(APIView):
    """The station that would collect at home in a village, and the price (shown before confirming).
    A village neither remote nor served by a station offering home pickup is a 400 on ``village``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=HomePickupQuoteInputSerializer, responses=HomePickupQuoteSerializer)
    def post(self, request: Request) -> Response:
        serializer = HomePickupQuoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        quote = home_pickup_quote(village_code=serializer.validated_data["village"])
        return Response(
            HomePickupQuoteSerializer(
                {
                    "village": quote.village.name,
                    "station": quote.station.code,
                    "station_name": quote.station.name,
                    "price_fen": quote.price_fen,
                    "price": home_pickup_price_words(quote.price_fen),
                    "is_remote": quote.is_remote,
                    "note": quote.note,
                }
            ).data
        )


class HomePickupListView(APIView):
    """``GET``: the home pickups you asked for, newest first. ``POST``: ask for one (上门揽收) — for
    yourself, or as a station operator for a villager of your station (``on_behalf``); bad input is a
    400 naming the field, nothing is written."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=HomePickupSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(HomePickupSerializer(home_pickups_of(user=request.user)[:200], many=True).data)

    @extend_schema(request=HomePickupRequestSerializer, responses={201: HomePickupSerializer})
    def post(self, request: Request) -> Response:
        serializer = HomePickupRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pickup = home_pickup_request(
            village_code=data["village"],
            address=data["address"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            window_on=data["window_on"],
            window_starts_at=data["window_starts_at"],
            window_ends_at=data["window_ends_at"],
            description=data["description"],
            weight_g=data["weight_g"],
            on_behalf=data["on_behalf"],
            actor=request.user,
        )
        return Response(HomePickupSerializer(_fresh(pickup)).data, status=status.HTTP_201_CREATED)


def _fresh(pickup: HomePickup) -> HomePickup:
    return HomePickup.objects.select_related("village", "station", "parcel").get(pk=pickup.pk)


class HomePickupCancelView(APIView):
    """Cancel a home pickup before it is collected: the villager who asked, or their station
    (``pickup.request_for``); once collected it is a 409."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=HomePickupSerializer)
    def post(self, request: Request, number: str) -> Response:
        pickup = home_pickup_get(number=number, actor=request.user)
        return Response(
            HomePickupSerializer(_fresh(home_pickup_cancel(pickup=pickup, actor=request.user))).data
        )
