"""Coverage API: ``GET /api/v1/outreach/coverage?year=&township=`` (anyone; no personal data)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.network.selectors import township_get
from siliu.outreach.coverage.selectors import coverage_for_year, coverage_year_check


class CoverageQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=9999, help_text="年份，默认今年"
    )
    township = serializers.RegexField(r"^[0-9]{9}$", required=False, help_text="乡镇行政区划代码（9 位）")


class VillageCoverageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    covered = serializers.BooleanField(help_text="这一年举办过活动")
    held_count = serializers.IntegerField()
    attendance_total = serializers.IntegerField()
    last_held_on = serializers.DateField(allow_null=True)
    point = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, help_text="[经度, 纬度]：村级服务站，或乡镇邮政所"
    )


class TownshipCoverageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    village_count = serializers.IntegerField()
    covered_count = serializers.IntegerField()
    share = serializers.CharField(help_text="覆盖率，如 33.3%")
    villages = VillageCoverageSerializer(many=True)


class CoverageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    village_count = serializers.IntegerField()
    covered_count = serializers.IntegerField()
    share = serializers.CharField()
    held_count = serializers.IntegerField()
    attendance_total = serializers.IntegerField()
    townships = TownshipCoverageSerializer(many=True)


class CoverageView(APIView):
    """Which villages had an exhibition held in the year, per township."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[CoverageQuerySerializer], responses=CoverageSerializer)
    def get(self, request: Request) -> Response:
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = coverage_year_check(query.validated_data.get("year"))
        township = query.validated_data.get("township", "")
        if township:
            township_get(code=township)
        return Response(CoverageSerializer(coverage_for_year(year=year, township_code=township)).data)
