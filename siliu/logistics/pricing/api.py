"""Quote API: ``POST /api/v1/quotes`` prices and promises a parcel before it is created; nothing is
written.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.money import MAX_AMOUNT_FEN
from siliu.logistics.pricing.quotes import MAX_SIDE_MM, MAX_WEIGHT_G, Quote, QuoteRequest, parcel_quote


class QuoteInputSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=30)
    origin_outlet = serializers.CharField(max_length=20)
    destination_outlet = serializers.CharField(max_length=20, required=False, allow_blank=True)
    destination_region_code = serializers.RegexField(
        r"^[0-9]{6}([0-9]{3}){0,2}$", required=False, allow_blank=True
    )
    weight_g = serializers.IntegerField(min_value=1, max_value=MAX_WEIGHT_G, help_text="重量（克）")
    length_mm = serializers.IntegerField(
        min_value=0, max_value=MAX_SIDE_MM, default=0, help_text="长（毫米）"
    )
    width_mm = serializers.IntegerField(min_value=0, max_value=MAX_SIDE_MM, default=0)
    height_mm = serializers.IntegerField(
        min_value=0, max_value=MAX_SIDE_MM, default=0, help_text="高（毫米）"
    )
    declared_value_fen = serializers.IntegerField(
        min_value=0, max_value=MAX_AMOUNT_FEN, default=0, help_text="声明价值（分）"
    )
    is_insured = serializers.BooleanField(default=False)
    cod_amount_fen = serializers.IntegerField(
        min_value=0, max_value=MAX_AMOUNT_FEN, default=0, help_text="代收货款（分）"
    )
    is_consolidated = serializers.BooleanField(default=False)

    def to_request(self) -> QuoteRequest:
        data = self.validated_data
        return QuoteRequest(
            product_code=data["product"],
            origin_outlet_code=data["origin_outlet"],
            destination_outlet_code=data.get("destination_outlet") or None,
            destination_region_code=data.get("destination_region_code") or None,
            weight_g=data["weight_g"],
            length_mm=data["length_mm"],
            width_mm=data["width_mm"],
            height_mm=data["height_mm"],
            declared_value_fen=data["declared_value_fen"],
            is_insured=data["is_insured"],
            cod_amount_fen=data["cod_amount_fen"],
            is_consolidated=data["is_consolidated"],
        )


class LegSerializer(serializers.Serializer):
    from_code = serializers.CharField()
    to_code = serializers.CharField()
    departs_at = serializers.DateTimeField()
    arrives_at = serializers.DateTimeField()


class QuoteSerializer(serializers.Serializer):
    product = serializers.CharField(source="product.code")
    zone = serializers.CharField()
    chargeable_weight_g = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    insurance_fee_fen = serializers.IntegerField()
    cod_fee_fen = serializers.IntegerField()
    discount_fen = serializers.IntegerField()
    fee_fen = serializers.IntegerField()
    promised_at = serializers.DateTimeField()
    path = LegSerializer(many=True)


class QuoteView(APIView):
    """Price and promise a parcel before creating it; nothing is written."""

    permission_classes = [AllowAny]

    @extend_schema(request=QuoteInputSerializer, responses=QuoteSerializer)
    def post(self, request: Request) -> Response:
        serializer = QuoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        quote: Quote = parcel_quote(request=serializer.to_request())
        return Response(QuoteSerializer(quote).data)
