"""Recurring needs API: ``GET /api/v1/appeals/patterns`` — the county manager's recurring needs, each
with its requests (the requester's phone masked) and how alike their words are."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.appeals.patterns.selectors import Pattern, pattern_list
from siliu.appeals.requests.api import AppealSerializer
from siliu.core.permissions import Permission
from siliu.core.rest import permission_required


class AppealPatternMemberSerializer(serializers.Serializer):
    appeal = AppealSerializer()
    similarity = serializers.IntegerField(help_text="与代表诉求文字的相似度（0–100）")
    is_similar = serializers.BooleanField()


class AppealPatternSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="乡镇代码-类别")
    township = serializers.CharField(source="township.name")
    category = serializers.CharField(source="category.value")
    category_label = serializers.CharField(source="category.label")
    count = serializers.SerializerMethodField()
    open_count = serializers.IntegerField()
    representative = serializers.IntegerField(source="representative.pk")
    members = AppealPatternMemberSerializer(many=True)

    def get_count(self, pattern: Pattern) -> int:
        return len(pattern.members)


class AppealPatternListView(APIView):
    """Same category, same township, three or more times within 30 days, not yet taken as a job."""

    permission_classes = [permission_required(Permission.APPEAL_MANAGE)]

    @extend_schema(responses=AppealPatternSerializer(many=True))
    def get(self, request: Request) -> Response:
        patterns: list[Any] = pattern_list(user=request.user)
        return Response(AppealPatternSerializer(patterns, many=True).data)
