"""``GET /api/v1/insight/summary?date_from=&date_to=&township=`` — the county dashboard's figures
(``insight.read``; a county manager sees their county's outlets). The names are stable
(:data:`~siliu.insight.dashboard.selectors.FIGURE_NAMES`); the pages read the same selector.

Errors: a bad date, period or township 400 naming the field; without ``insight.read`` 403.
"""

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.permissions import Permission, user_outlet_ids
from siliu.core.rest import permission_required
from siliu.insight.dashboard.selectors import (
    FIGURE_NAMES,
    Summary,
    county_summary,
    period_parse,
    township_parse,
)

_FLOATS = {"up_down_ratio", "on_time_rate", "loss_damage_per_10k", "par30_rate"}


def _figures_serializer(name: str) -> serializers.Serializer:
    fields: dict[str, serializers.Field] = {
        figure: (serializers.FloatField if figure in _FLOATS else serializers.IntegerField)(allow_null=True)
        for figure in FIGURE_NAMES
    }
    return inline_serializer(name=name, fields=fields)


_SUMMARY = inline_serializer(
    name="InsightSummary",
    fields={
        "date_from": serializers.DateField(),
        "date_to": serializers.DateField(),
        "township": serializers.CharField(allow_null=True, help_text="乡镇代码；全县为 null"),
        "figures": _figures_serializer("InsightFigures"),
        "previous": inline_serializer(
            name="InsightPrevious",
            fields={
                "date_from": serializers.DateField(),
                "date_to": serializers.DateField(),
                "figures": _figures_serializer("InsightPreviousFigures"),
            },
        ),
        "trends": serializers.DictField(
            child=serializers.FloatField(allow_null=True), help_text="较上一同长期间的变化（0.125 即 +12.5%）"
        ),
        "stations": serializers.ListField(child=serializers.DictField()),
    },
)


def summary_json(summary: Summary) -> dict[str, Any]:
    return {
        "date_from": summary.period.date_from.isoformat(),
        "date_to": summary.period.date_to.isoformat(),
        "township": summary.township.code if summary.township else None,
        "figures": summary.figures,
        "previous": {
            "date_from": summary.previous.date_from.isoformat(),
            "date_to": summary.previous.date_to.isoformat(),
            "figures": summary.previous_figures,
        },
        "trends": summary.trends,
        "stations": [
            {
                "code": station.code,
                "name": station.name,
                "township": station.township,
                "latitude": station.latitude,
                "longitude": station.longitude,
                "orders": station.orders,
                "parcels": station.parcels,
            }
            for station in summary.stations
        ],
    }


class SummaryView(APIView):
    """The county's figures for a period (default: the thirty days ending today) and a township."""

    permission_classes = [permission_required(Permission.INSIGHT_READ)]

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="起始日期（含）"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="截止日期（含），默认今天"),
            OpenApiParameter("township", OpenApiTypes.STR, description="乡镇代码，默认全县"),
        ],
        responses=_SUMMARY,
    )
    def get(self, request: Request) -> Response:
        period = period_parse(
            request.query_params.get("date_from"),
            request.query_params.get("date_to"),
            today=timezone.localdate(),
        )
        township = township_parse(request.query_params.get("township"))
        within = user_outlet_ids(request.user, Permission.INSIGHT_READ)
        return Response(summary_json(county_summary(period, township=township, within=within)))
