"""Reconciliation API: ``POST /api/v1/agency/providers/<code>/statements`` (a statement file, multipart
``file`` or a ``text/csv`` body, with ``business_on``), ``GET …/statements/<id>`` (counts, totals,
mismatches), ``POST …/mismatches/<id>/resolve`` and ``POST …/statements/<id>/settle``.

A faulty file answers 400 with ``lines``: each fault's line and column. The same file again answers 200
with the statement it made (201 the first time).
"""

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import parsers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.agency.reconciliation.models import ItemKind, Resolution, Statement, StatementItem
from siliu.agency.reconciliation.selectors import item_get, provider_get, statement_get, statement_summary
from siliu.agency.reconciliation.services import mismatch_resolve, statement_import, statement_settle
from siliu.agency.reconciliation.statement_file import MAX_BYTES
from siliu.core.errors import TooLarge, ValidationFailed
from siliu.core.parsers import JSONParser, nul_refused
from siliu.core.permissions import Permission
from siliu.core.rest import permission_required

Reader = permission_required(Permission.AGENCY_READ)
Reconciler = permission_required(Permission.AGENCY_RECONCILE)
CODE_PARAMETER = OpenApiParameter("code", str, OpenApiParameter.PATH, description="委托方编码")


class CsvParser(parsers.BaseParser):
    """A ``text/csv`` body, as bytes (at most the statement's limit)."""

    media_type = "text/csv"

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        content = stream.read(MAX_BYTES + 1) if stream is not None else b""
        if len(content) > MAX_BYTES:
            raise TooLarge("body_too_large", _("对账单文件最多 %(n)d 字节") % {"n": MAX_BYTES})
        return bytes(content)


class AgencyStatementImportSerializer(serializers.Serializer):
    business_on = serializers.DateField(help_text="对账日（营业日，北京时间）YYYY-MM-DD")
    file = serializers.FileField(required=False, help_text="对账单 CSV（multipart 上传时）")


class AgencyStatementImportDocSerializer(serializers.Serializer):
    business_on = serializers.DateField(help_text="对账日 YYYY-MM-DD")
    file = serializers.FileField(help_text="对账单 CSV，格式见 docs/agency-statement-format.md")


class AgencyStatementItemSerializer(serializers.ModelSerializer):
    number = serializers.CharField(help_text="流水号")
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    resolution_label = serializers.CharField(source="get_resolution_display")
    provider_number = serializers.SerializerMethodField()
    service = serializers.SerializerMethodField()
    outlet = serializers.SerializerMethodField()
    resolutions = serializers.SerializerMethodField()

    class Meta:
        model = StatementItem
        fields = [
            "id",
            "number",
            "provider_number",
            "service",
            "outlet",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "ours_amount_fen",
            "theirs_amount_fen",
            "ours_provider_fen",
            "theirs_provider_fen",
            "agreed_fen",
            "booked_fen",
            "resolutions",
            "resolution",
            "resolution_label",
            "note",
            "resolved_at",
        ]

    def get_provider_number(self, item: StatementItem) -> str | None:
        return item.line.provider_number if item.line is not None else None

    def get_service(self, item: StatementItem) -> str:
        if item.line is not None:
            return item.line.service.name
        return item.transaction.service.name if item.transaction is not None else ""

    def get_outlet(self, item: StatementItem) -> str | None:
        return item.transaction.outlet.name if item.transaction is not None else None

    def get_resolutions(self, item: StatementItem) -> list[str]:
        return [str(choice) for choice in item.resolutions]


class AgencyStatementCountsSerializer(serializers.Serializer):
    matched = serializers.IntegerField(help_text="一致")
    amount_differs = serializers.IntegerField(help_text="金额不符")
    missing_ours = serializers.IntegerField(help_text="我方无此笔")
    missing_theirs = serializers.IntegerField(help_text="委托方无此笔")


class AgencyStatementSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider.code")
    provider_name = serializers.CharField(source="provider.name")
    status_label = serializers.CharField(source="get_status_display")
    counts = serializers.SerializerMethodField()
    ours_fen = serializers.SerializerMethodField()
    theirs_fen = serializers.SerializerMethodField()
    net_fen = serializers.SerializerMethodField()
    open_count = serializers.SerializerMethodField()
    mismatches = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "provider",
            "provider_name",
            "business_on",
            "status",
            "status_label",
            "sha256",
            "file_name",
            "line_count",
            "total_fen",
            "imported_at",
            "counts",
            "ours_fen",
            "theirs_fen",
            "net_fen",
            "open_count",
            "settled_at",
            "settlement_fen",
            "mismatches",
        ]

    def _summary(self, statement: Statement) -> Any:
        cache = self.context.setdefault("summaries", {})
        if statement.pk not in cache:
            cache[statement.pk] = statement_summary(statement=statement)
        return cache[statement.pk]

    @extend_schema_field(AgencyStatementCountsSerializer)
    def get_counts(self, statement: Statement) -> dict[str, int]:
        counts = self._summary(statement).counts
        return {kind.value: counts.get(kind.value, 0) for kind in ItemKind}

    def get_ours_fen(self, statement: Statement) -> int:
        return int(self._summary(statement).ours_fen)

    def get_theirs_fen(self, statement: Statement) -> int:
        return int(self._summary(statement).theirs_fen)

    def get_net_fen(self, statement: Statement) -> int:
        """The items agreed so far: the net to settle once no mismatch is open."""
        return int(self._summary(statement).agreed_fen)

    def get_open_count(self, statement: Statement) -> int:
        return int(self._summary(statement).open_count)

    @extend_schema_field(AgencyStatementItemSerializer(many=True))
    def get_mismatches(self, statement: Statement) -> list[dict[str, Any]]:
        return list(AgencyStatementItemSerializer(self._summary(statement).mismatches, many=True).data)


class StatementsView(APIView):
    """Import a provider's daily statement and match it (``agency.reconcile`` for that provider)."""

    permission_classes = [Reconciler]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, CsvParser, JSONParser]

    @extend_schema(
        parameters=[
            CODE_PARAMETER,
            OpenApiParameter(
                "business_on",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=False,
                description="对账日（CSV 请求体时）",
            ),
        ],
        request={
            "multipart/form-data": AgencyStatementImportDocSerializer,
            "text/csv": OpenApiTypes.STR,
        },
        responses={201: AgencyStatementSerializer, 200: AgencyStatementSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        provider = provider_get(code=code, actor=request.user)
        if isinstance(request.data, bytes):
            content: bytes = request.data
            fields: Mapping[str, Any] = {"business_on": request.query_params.get("business_on", "")}
            file_name = ""
        else:
            fields = request.data
            upload = request.data.get("file") if hasattr(request.data, "get") else None
            if upload is None or isinstance(upload, str):
                raise ValidationFailed("file_required", _("请上传对账单文件"), field="file")
            if upload.size > MAX_BYTES:
                raise TooLarge("body_too_large", _("对账单文件最多 %(n)d 字节") % {"n": MAX_BYTES})
            content = upload.read()
            file_name = upload.name or ""
        serializer = AgencyStatementImportSerializer(data={"business_on": fields.get("business_on")})
        serializer.is_valid(raise_exception=True)
        if "\x00" in file_name:
            raise nul_refused("file")
        result = statement_import(
            provider=provider,
            business_on=serializer.validated_data["business_on"],
            content=content,
            file_name=file_name,
            actor=request.user,
        )
        return Response(
            AgencyStatementSerializer(result.statement).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class StatementView(APIView):
    """A statement: counts per kind, totals, its mismatches (``agency.read`` or ``agency.reconcile``)."""

    permission_classes = [Reader]

    @extend_schema(parameters=[CODE_PARAMETER], responses={200: AgencyStatementSerializer})
    def get(self, request: Request, code: str, statement_id: int) -> Response:
        provider = provider_get(code=code, actor=request.user)
        statement = statement_get(statement_id=statement_id, actor=request.user, provider=provider)
        return Response(AgencyStatementSerializer(statement).data)


class AgencyMismatchResolveSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    note = serializers.CharField(max_length=300)


class MismatchResolveView(APIView):
    """Resolve a mismatch (``agency.reconcile`` for its provider)."""

    permission_classes = [Reconciler]

    @extend_schema(
        parameters=[CODE_PARAMETER],
        request=AgencyMismatchResolveSerializer,
        responses={200: AgencyStatementItemSerializer},
    )
    def post(self, request: Request, code: str, item_id: int) -> Response:
        provider = provider_get(code=code, actor=request.user)
        item = item_get(item_id=item_id, actor=request.user, provider=provider)
        serializer = AgencyMismatchResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resolved = mismatch_resolve(
            item=item,
            resolution=serializer.validated_data["resolution"],
            note=serializer.validated_data["note"],
            actor=request.user,
        )
        return Response(AgencyStatementItemSerializer(resolved).data)


class StatementSettleView(APIView):
    """Settle a statement's day (``agency.reconcile`` for its provider)."""

    permission_classes = [Reconciler]

    @extend_schema(parameters=[CODE_PARAMETER], request=None, responses={200: AgencyStatementSerializer})
    def post(self, request: Request, code: str, statement_id: int) -> Response:
        provider = provider_get(code=code, actor=request.user)
        statement = statement_get(statement_id=statement_id, actor=request.user, provider=provider)
        return Response(
            AgencyStatementSerializer(statement_settle(statement=statement, actor=request.user)).data
        )
