"""Outlet API: ``GET /api/v1/outlets`` and ``GET /api/v1/outlets/{code}``."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from siliu.core.rest import LocalTimeField
from siliu.network.models import OpeningHours, Outlet, OutletKind, OutletLink
from siliu.network.selectors import OUTLET_SERVICES, outlet_get, outlet_list, outlet_operator_shown


class OutletListQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OutletKind.choices, required=False)
    township = serializers.RegexField(r"^[0-9]{9}$", required=False, help_text="乡镇行政区划代码（9 位）")
    search = serializers.CharField(required=False, max_length=80, allow_blank=True)
    service = serializers.ChoiceField(
        choices=list(OUTLET_SERVICES), required=False, help_text="提供该服务的网点：sign_language 为手语服务"
    )


class OpeningHoursSerializer(serializers.ModelSerializer):
    opens_at = LocalTimeField()
    closes_at = LocalTimeField()

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens_at", "closes_at"]


class OutletLinkSerializer(serializers.ModelSerializer):
    to_outlet = serializers.CharField(source="to_outlet.code")
    to_outlet_name = serializers.CharField(source="to_outlet.name")

    class Meta:
        model = OutletLink
        fields = ["to_outlet", "to_outlet_name", "distance_km", "transit_minutes", "departure_times"]


class OutletSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    region_code = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    parent_outlet = serializers.CharField(source="parent_outlet.code", allow_null=True, default=None)

    class Meta:
        model = Outlet
        fields = [
            "code",
            "name",
            "kind",
            "kind_label",
            "region_code",
            "region_name",
            "parent_outlet",
            "address",
            "latitude",
            "longitude",
            "has_sign_language_service",
            "offers_home_pickup",
            "has_cash_counter",
            "offers_agency_services",
        ]


class OutletDetailSerializer(OutletSerializer):
    operator = serializers.SerializerMethodField()
    phone = serializers.CharField()
    opening_hours = OpeningHoursSerializer(many=True)
    links = OutletLinkSerializer(many=True, source="outgoing_links")

    class Meta(OutletSerializer.Meta):
        fields = [*OutletSerializer.Meta.fields, "phone", "operator", "opening_hours", "links"]

    def get_operator(self, outlet: Outlet) -> str | None:
        """Who runs the outlet, by role: a public page names no private person."""
        return outlet_operator_shown(outlet)


class OutletListView(generics.ListAPIView):
    """Outlets of the network, filtered by kind, township, a service they offer and a search text."""

    serializer_class = OutletSerializer
    permission_classes = [AllowAny]

    @extend_schema(parameters=[OutletListQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = OutletListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return outlet_list(**query.validated_data)


class OutletDetailView(generics.GenericAPIView):
    """One outlet with its opening hours and outgoing road links."""

    serializer_class = OutletDetailSerializer
    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
    def get(self, request: Request, code: str) -> Response:
        return Response(self.get_serializer(outlet_get(code=code)).data)
