"""Trace API: ``GET /api/v1/trace/{code}``, the public record of a batch (rate-limited, nothing personal)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.commerce.trace.selectors import trace_batch_public


class PublicTraceSerializer(serializers.Serializer):
    code = serializers.CharField()
    product_name = serializers.CharField()
    seller_name = serializers.CharField()
    seller_kind = serializers.CharField()
    seller_kind_label = serializers.CharField()
    seller_verified = serializers.BooleanField()
    village = serializers.CharField()
    township = serializers.CharField()
    county = serializers.CharField()
    place = serializers.CharField()
    harvested_on = serializers.DateField()
    quantity = serializers.IntegerField()
    unit = serializers.CharField()
    inspection_result = serializers.CharField()
    inspection_label = serializers.CharField()
    inspection_note = serializers.CharField()
    certificates = serializers.ListField(child=serializers.CharField())
    products = serializers.ListField(child=serializers.CharField())


class TraceView(APIView):
    """The public record of a trace batch: farm, place, harvest, inspection. No personal data."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: PublicTraceSerializer})
    def get(self, request: Request, code: str) -> Response:
        return Response(PublicTraceSerializer(trace_batch_public(code=code)).data)
