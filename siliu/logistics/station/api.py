"""The station's API: hand a waiting parcel over (取件) at the counter, accept a villager's parcel (揽收)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.permissions import Permission
from siliu.core.rest import permission_required
from siliu.logistics.models import PostagePayment
from siliu.logistics.parcels.api import ParcelSerializer, PartySerializer
from siliu.logistics.parcels.services import Address
from siliu.logistics.pricing.api import QuoteInputSerializer
from siliu.logistics.station.selectors import station_get
from siliu.logistics.station.services import (
    COLLECTOR_NAME_MAX_LENGTH,
    station_handover,
    station_parcel_accept,
)


class HandoverSerializer(serializers.Serializer):
    station = serializers.CharField(max_length=20, help_text="网点编码")
    code = serializers.CharField(
        max_length=6,
        required=False,
        allow_blank=True,
        default="",
        help_text="取件码（6 位数字），与 phone 二选一",
    )
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="收件人手机号，与 code 二选一"
    )
    tracking_number = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="同一手机号有多件待取时，选哪一件",
    )
    collector_name = serializers.CharField(max_length=COLLECTOR_NAME_MAX_LENGTH, help_text="取件人姓名")


class HandoverResultSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    status = serializers.CharField()
    delivered_at = serializers.DateTimeField()
    station = serializers.CharField()
    collector_name = serializers.CharField()


class HandoverView(APIView):
    """``POST`` hands a parcel waiting at the station to whoever collects it: the delivery scan (EMI)
    there with the pickup code or the collector's name as proof (``station.operate`` at the station).
    A wrong code is a 400 on ``code``, no parcel for the phone a 400 on ``phone``; nothing is written."""

    permission_classes = [permission_required(Permission.STATION_OPERATE)]

    @extend_schema(request=HandoverSerializer, responses={201: HandoverResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = HandoverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        station = station_get(actor=request.user, code=data["station"])
        parcel = station_handover(
            station=station,
            collector_name=data["collector_name"],
            code=data["code"],
            phone=data["phone"],
            tracking_number=data["tracking_number"],
            actor=request.user,
        )
        result = {
            "tracking_number": parcel.tracking_number,
            "status": parcel.status,
            "delivered_at": parcel.delivered_at,
            "station": station.code,
            "collector_name": data["collector_name"].strip(),
        }
        return Response(HandoverResultSerializer(result).data, status=status.HTTP_201_CREATED)


class StationAcceptSerializer(QuoteInputSerializer):
    origin_outlet = serializers.CharField(max_length=20, help_text="本站网点编码（揽收网点）")
    sender = PartySerializer()
    recipient = PartySerializer()
    home_pickup = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="上门揽收单号：这件邮件是为它揽收的，揽收的同时该单变为已揽收",
    )


class StationAcceptView(APIView):
    """``POST`` accepts a villager's parcel at the station (揽收): it is created from its quote and
    accepted there (EMA) with the postage in cash into the station's drawer (``station.operate`` and
    ``parcel.accept_cash`` at the station). Naming a ``home_pickup`` closes that request with the parcel
    in the same transaction; a home pickup of another station, or one no longer open, is a 4xx on
    ``home_pickup`` and nothing is written."""

    permission_classes = [permission_required(Permission.STATION_OPERATE)]

    @extend_schema(request=StationAcceptSerializer, responses={201: ParcelSerializer})
    def post(self, request: Request) -> Response:
        serializer = StationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        station = station_get(actor=request.user, code=data["origin_outlet"])
        parcel = station_parcel_accept(
            station=station,
            request=serializer.to_request(),
            sender=Address(**data["sender"]),
            recipient=Address(**data["recipient"]),
            postage_payment=PostagePayment.CASH,
            home_pickup=data["home_pickup"],
            actor=request.user,
        )
        return Response(ParcelSerializer(parcel).data, status=status.HTTP_201_CREATED)
