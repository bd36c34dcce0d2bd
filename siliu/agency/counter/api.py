"""Agency API: ``GET /api/v1/agency/outlets/<code>/services`` (what a station offers, with its rules),
``POST /api/v1/agency/transactions`` (a payment or pay-out at a counter, booked in the ledger),
``GET /api/v1/agency/transactions/<number>`` and ``POST …/<number>/reverse`` (the same day's 冲正)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.agency.catalogue import AgencyService, AgencyTransaction, PaidWith
from siliu.agency.counter.selectors import agency_transaction_get, outlet_services
from siliu.agency.counter.services import agency_transact, agency_transaction_reverse
from siliu.core.errors import NotFound, PermissionRefused
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.core.people import person_get
from siliu.core.permissions import Permission, user_can_at
from siliu.network.selectors import outlet_get


class AgencyServiceSerializer(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider.name")
    account_kind_label = serializers.CharField(source="get_account_kind_display")

    class Meta:
        model = AgencyService
        fields = [
            "code",
            "name",
            "provider",
            "direction",
            "account_kind",
            "account_kind_label",
            "min_amount_fen",
            "max_amount_fen",
            "fee_fixed_fen",
            "fee_rate_bp",
            "fee_min_fen",
            "fee_max_fen",
            "fee_payer",
            "station_share_bp",
            "daily_limit_per_account_fen",
        ]


class OutletServicesView(APIView):
    """The services a station offers (``agency.operate`` there)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AgencyServiceSerializer(many=True)})
    def get(self, request: Request, code: str) -> Response:
        outlet = outlet_get(code=code)
        if not user_can_at(request.user, Permission.AGENCY_OPERATE, outlet):
            raise PermissionRefused("not_allowed", _("只能查看自己站点的代理服务"))
        return Response(AgencyServiceSerializer(outlet_services(outlet=outlet), many=True).data)


class AgencyTransactionInputSerializer(serializers.Serializer):
    outlet = serializers.CharField(max_length=20, help_text="网点编码")
    service = serializers.CharField(max_length=30, help_text="代理服务编码")
    account = serializers.CharField(max_length=40, help_text="户号、手机号、银行卡号或身份证号")
    amount_fen = serializers.IntegerField(
        min_value=1, max_value=MAX_AMOUNT_FEN, help_text="缴费或领取金额（分）"
    )
    paid_with = serializers.ChoiceField(choices=PaidWith.choices, default=PaidWith.CASH)
    customer = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="钱包支付的客户（用户 id）"
    )
    customer_name = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    number = serializers.CharField(max_length=24, required=False, help_text="重试时沿用的流水号")


class AgencyTransactionSerializer(serializers.ModelSerializer):
    outlet = serializers.CharField(source="outlet.code")
    service = serializers.CharField(source="service.code")
    service_name = serializers.CharField(source="service.name")
    provider = serializers.CharField(source="provider.name")
    account = serializers.CharField(source="account_display")

    class Meta:
        model = AgencyTransaction
        fields = [
            "number",
            "outlet",
            "service",
            "service_name",
            "provider",
            "direction",
            "account",
            "paid_with",
            "amount_fen",
            "fee_fen",
            "fee_payer",
            "station_fee_fen",
            "platform_fee_fen",
            "customer_fen",
            "provider_fen",
            "status",
            "occurred_at",
            "business_on",
            "reversed_at",
            "reversal_reason",
        ]


class AgencyTransactionsView(APIView):
    """Take a payment or make a pay-out at a station's counter (``agency.operate`` there)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AgencyTransactionInputSerializer, responses={201: AgencyTransactionSerializer})
    def post(self, request: Request) -> Response:
        serializer = AgencyTransactionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outlet = outlet_get(code=data["outlet"])
        customer = None
        if "customer" in data:
            customer = person_get(user_id=data["customer"])
            if customer is None:
                raise NotFound("unknown_customer", _("没有这位客户"), field="customer")
        made = agency_transact(
            outlet=outlet,
            service_code=data["service"],
            account=data["account"],
            amount_fen=data["amount_fen"],
            paid_with=data["paid_with"],
            customer=customer,
            customer_name=data["customer_name"],
            number=data.get("number"),
            actor=request.user,
        )
        return Response(AgencyTransactionSerializer(made).data, status=status.HTTP_201_CREATED)


class AgencyTransactionView(APIView):
    """One transaction (``agency.operate`` or ``agency.read`` at its outlet)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AgencyTransactionSerializer})
    def get(self, request: Request, number: str) -> Response:
        return Response(
            AgencyTransactionSerializer(agency_transaction_get(number=number, actor=request.user)).data
        )


class AgencyReverseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class AgencyTransactionReverseView(APIView):
    """Reverse a transaction on its business day (``agency.operate`` at its outlet)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AgencyReverseInputSerializer, responses={200: AgencyTransactionSerializer})
    def post(self, request: Request, number: str) -> Response:
        serializer = AgencyReverseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = agency_transaction_reverse(
            number=number, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(AgencyTransactionSerializer(made).data)
