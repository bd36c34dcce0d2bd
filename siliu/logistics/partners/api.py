"""Partner couriers' API: partners, handover manifests (JSON or CSV upload), monthly statements.

Staff register partners; staff and county managers list them, receive manifests on a partner's behalf
and read statements. A manifest is all-or-nothing: a refusal answers 400 with the usual error shape
plus ``rows``, every row error with its row number and field. The same manifest reference again
answers 200 with the first answer's body (201 the first time).
"""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.money import MAX_AMOUNT_FEN
from siliu.core.parsers import JSONParser
from siliu.core.permissions import Permission
from siliu.core.rest import permission_required
from siliu.logistics.models import Partner
from siliu.logistics.partners.selectors import partner_get, partner_list
from siliu.logistics.partners.services import (
    MANIFEST_ROW_LIMIT,
    ManifestResult,
    manifest_receive,
    manifest_rows_from_csv,
    partner_register,
    partner_secret_rotate,
    partner_update,
)
from siliu.logistics.partners.statements import (
    PartnerStatement,
    partner_statement,
    statement_csv_response,
)
from siliu.logistics.pricing.quotes import MAX_WEIGHT_G

PartnerReader = permission_required(Permission.PARTNER_READ)
PartnerManager = permission_required(Permission.PARTNER_MANAGE)
CODE_PARAMETER = OpenApiParameter("code", str, OpenApiParameter.PATH, description="合作快递代码")
MONTH_PARAMETER = OpenApiParameter("month", str, OpenApiParameter.PATH, description="月份 YYYY-MM")

# --- serializers -----------------------------------------------------------------------------------


class PartnerSerializer(serializers.ModelSerializer):
    has_webhook = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = ["code", "name", "number_pattern", "webhook_url", "has_webhook", "is_active"]

    def get_has_webhook(self, partner: Partner) -> bool:
        return bool(partner.webhook_url and partner.webhook_secret)


class PartnerCreatedSerializer(PartnerSerializer):
    """The new partner with its webhook secret: shown this once, to configure the partner's side."""

    class Meta(PartnerSerializer.Meta):
        fields = [*PartnerSerializer.Meta.fields, "webhook_secret"]


class PartnerInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30, help_text="2–16 个小写字母、数字或连字符")
    name = serializers.CharField(max_length=60)
    number_pattern = serializers.CharField(max_length=100, help_text="单号正则，如 ^SF[0-9]{12}$")
    webhook_url = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    webhook_secret = serializers.CharField(
        max_length=128, required=False, default="", allow_blank=True, help_text="留空则自动生成"
    )


class PartnerUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False)
    number_pattern = serializers.CharField(max_length=100, required=False)
    webhook_url = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="https://"
    )
    is_active = serializers.BooleanField(required=False)


class PartnerSecretSerializer(serializers.Serializer):
    code = serializers.CharField()
    webhook_secret = serializers.CharField(help_text="只在这次回答中出现")


class ManifestRowSerializer(serializers.Serializer):
    """One parcel of a manifest (documentation of ``rows``; the service checks each row)."""

    partner_tracking_number = serializers.CharField()
    recipient_name = serializers.CharField()
    recipient_phone = serializers.CharField(help_text="E.164，如 +8613900000002")
    recipient_address = serializers.CharField()
    destination_outlet = serializers.CharField(help_text="村服务站或乡镇邮政所的网点编码")
    weight_g = serializers.IntegerField(min_value=1, max_value=MAX_WEIGHT_G, help_text="重量（克）")
    cod_amount_fen = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=MAX_AMOUNT_FEN, help_text="合作快递邮件须为 0"
    )


class ManifestInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=64, help_text="交接单号（幂等键）")
    contact_phone = serializers.CharField(max_length=20, help_text="交接联系人电话（E.164），记为寄件人电话")
    rows = serializers.ListField(
        child=serializers.DictField(),
        max_length=MANIFEST_ROW_LIMIT,
        required=False,
        help_text="JSON 提交时的邮件列表",
    )
    file = serializers.FileField(required=False, help_text="multipart 提交时的 CSV 文件")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("rows" in data) == ("file" in data):
            raise serializers.ValidationError({"rows": ["rows（JSON）与 file（CSV）须二选一"]})
        return data


class ManifestDocSerializer(ManifestInputSerializer):
    rows = ManifestRowSerializer(many=True, required=False)  # type: ignore[assignment]


class ManifestResultSerializer(serializers.Serializer):
    partner = serializers.CharField(source="manifest.partner.code")
    reference = serializers.CharField(source="manifest.reference")
    received_at = serializers.DateTimeField(source="manifest.received_at")
    parcel_count = serializers.IntegerField(source="manifest.parcel_count")
    tracking_numbers = serializers.ListField(child=serializers.CharField())


class ManifestSummarySerializer(serializers.Serializer):
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()
    parcel_count = serializers.IntegerField()


class StatementLineSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    handed_over_at = serializers.DateTimeField()
    destination_outlet = serializers.CharField()
    zone = serializers.CharField()
    weight_g = serializers.IntegerField()
    chargeable_weight_g = serializers.IntegerField()
    charge_fen = serializers.IntegerField()
    status = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class StatementSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner.code")
    month = serializers.CharField()
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    handed_over_count = serializers.IntegerField()
    delivered_count = serializers.IntegerField()
    failed_count = serializers.IntegerField()
    total_charges_fen = serializers.IntegerField()
    receivable_balance_fen = serializers.IntegerField()
    manifests = ManifestSummarySerializer(many=True)
    lines = StatementLineSerializer(many=True)


# --- views -----------------------------------------------------------------------------------------


class PartnerListView(APIView):
    """``GET`` the partners (``partner.read``); ``POST`` registers one (``partner.manage``)."""

    def get_permissions(self) -> list[BasePermission]:
        return [PartnerManager()] if self.request.method == "POST" else [PartnerReader()]

    @extend_schema(responses=PartnerSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(PartnerSerializer(partner_list(), many=True).data)

    @extend_schema(request=PartnerInputSerializer, responses={201: PartnerCreatedSerializer})
    def post(self, request: Request) -> Response:
        data = PartnerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = partner_register(**data.validated_data)
        return Response(PartnerCreatedSerializer(partner).data, status=status.HTTP_201_CREATED)


class PartnerDetailView(APIView):
    """``GET`` a partner (``partner.read``); ``PATCH`` its name, number pattern, webhook URL or whether it
    is active (``partner.manage``): a secret made because a webhook URL was set comes back this once."""

    def get_permissions(self) -> list[BasePermission]:
        return [PartnerManager()] if self.request.method == "PATCH" else [PartnerReader()]

    @extend_schema(parameters=[CODE_PARAMETER], responses=PartnerSerializer)
    def get(self, request: Request, code: str) -> Response:
        return Response(PartnerSerializer(partner_get(code=code)).data)

    @extend_schema(
        parameters=[CODE_PARAMETER], request=PartnerUpdateSerializer, responses=PartnerCreatedSerializer
    )
    def patch(self, request: Request, code: str) -> Response:
        data = PartnerUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = partner_get(code=code)
        changes = {
            "name": partner.name,
            "number_pattern": partner.number_pattern,
            "webhook_url": partner.webhook_url,
            "is_active": partner.is_active,
            **data.validated_data,
        }
        partner, secret = partner_update(partner=partner, **changes)
        body = PartnerSerializer(partner).data
        return Response({**body, "webhook_secret": secret})


class PartnerSecretView(APIView):
    """``POST``: a new webhook signing secret for the partner, answered this once (``partner.manage``)."""

    permission_classes = [PartnerManager]

    @extend_schema(parameters=[CODE_PARAMETER], request=None, responses=PartnerSecretSerializer)
    def post(self, request: Request, code: str) -> Response:
        partner, secret = partner_secret_rotate(partner=partner_get(code=code))
        return Response({"code": partner.code, "webhook_secret": secret})


class ManifestCreateView(APIView):
    """Receive a partner's handover manifest at the hub: JSON ``rows`` or a multipart CSV ``file``."""

    permission_classes = [PartnerManager]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[CODE_PARAMETER],
        request={"application/json": ManifestDocSerializer, "multipart/form-data": ManifestDocSerializer},
        responses={201: ManifestResultSerializer, 200: ManifestResultSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        partner = partner_get(code=code)
        data = ManifestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("file")
        rows = manifest_rows_from_csv(upload.read()) if upload is not None else data.validated_data["rows"]
        result: ManifestResult = manifest_receive(
            partner=partner,
            reference=data.validated_data["reference"],
            rows=rows,
            contact_phone=data.validated_data["contact_phone"],
            received_by=request.user,
        )
        return Response(
            ManifestResultSerializer(result).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


def _statement(code: str, month: str) -> PartnerStatement:
    return partner_statement(partner=partner_get(code=code), month=month)


class StatementView(APIView):
    """A partner's monthly statement: parcels handed over, delivered, failed; charges in fen and total."""

    permission_classes = [PartnerReader]

    @extend_schema(parameters=[CODE_PARAMETER, MONTH_PARAMETER], responses={200: StatementSerializer})
    def get(self, request: Request, code: str, month: str) -> Response:
        return Response(StatementSerializer(_statement(code, month)).data)


class StatementCsvView(APIView):
    """The monthly statement as CSV (UTF-8 with BOM, so Excel opens it in Chinese)."""

    permission_classes = [PartnerReader]

    @extend_schema(
        parameters=[CODE_PARAMETER, MONTH_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request, code: str, month: str) -> HttpResponse:
        statement = _statement(code, month)
        return statement_csv_response(statement)
