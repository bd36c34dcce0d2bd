"""The stamp catalogue's API: ``GET /api/v1/outreach/stamps`` (anyone)."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from siliu.outreach.models import StampIssue, StampTheme
from siliu.outreach.stamps.selectors import stamp_issue_list


class StampIssueQuerySerializer(serializers.Serializer):
    theme = serializers.ChoiceField(choices=StampTheme.choices, required=False)


class StampIssueSerializer(serializers.ModelSerializer):
    theme_label = serializers.CharField(source="get_theme_display")

    class Meta:
        model = StampIssue
        fields = [
            "id",
            "name",
            "series_number",
            "issued_on",
            "stamp_count",
            "souvenir_sheet_count",
            "face_value_fen",
            "theme",
            "theme_label",
            "description",
            "image",
        ]


class StampIssueListView(generics.ListAPIView):
    """The catalogue of stamp issues, newest first (``face_value_fen`` is null where not verified)."""

    serializer_class = StampIssueSerializer
    permission_classes = [AllowAny]

    @extend_schema(parameters=[StampIssueQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = StampIssueQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return stamp_issue_list(**query.validated_data)
