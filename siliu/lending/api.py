"""Lending API: ``POST /api/v1/loans/schedule`` builds a schedule (nothing is written) and
``GET /api/v1/loan-products`` lists the active products."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.lending.products import LoanProduct, RepaymentMethod
from siliu.lending.schedules import (
    MAX_ANNUAL_RATE_BP,
    MAX_LOAN_FEN,
    MAX_TERM_MONTHS,
    SCHEDULED_METHODS,
    schedule_build,
)
from siliu.lending.selectors import loan_product_list


class ScheduleInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=[(m.value, m.label) for m in SCHEDULED_METHODS])
    amount_fen = serializers.IntegerField(min_value=1, max_value=MAX_LOAN_FEN, help_text="借款金额（分）")
    annual_rate_bp = serializers.IntegerField(
        min_value=0, max_value=MAX_ANNUAL_RATE_BP, help_text="年利率（基点，1200 = 12%）"
    )
    term_months = serializers.IntegerField(min_value=1, max_value=MAX_TERM_MONTHS, help_text="期限（月）")
    start_date = serializers.DateField(help_text="放款日")
    harvest_months = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=12),
        max_length=12,
        required=False,
        default=list,
        help_text="季节还款：本金到期的月份（1–12）",
    )


class InstallmentSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    due_date = serializers.DateField()
    principal_fen = serializers.IntegerField()
    interest_fen = serializers.IntegerField()
    total_fen = serializers.IntegerField()
    balance_fen = serializers.IntegerField()


class ScheduleSerializer(serializers.Serializer):
    installments = InstallmentSerializer(many=True)
    total_interest_fen = serializers.IntegerField()
    apr_bp = serializers.IntegerField(help_text="年化利率（基点，月内部收益率 × 12）")


class ScheduleView(APIView):
    """A loan's repayment schedule, exact to the fen (the convention is in ADR 0019); nothing is
    written."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ScheduleInputSerializer, responses={200: ScheduleSerializer})
    def post(self, request: Request) -> Response:
        serializer = ScheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        schedule = schedule_build(
            method=data["method"],
            amount_fen=data["amount_fen"],
            annual_rate_bp=data["annual_rate_bp"],
            term_months=data["term_months"],
            start_date=data["start_date"],
            harvest_months=data["harvest_months"],
        )
        return Response(ScheduleSerializer(schedule).data)


class LoanProductSerializer(serializers.ModelSerializer):
    method = serializers.ChoiceField(choices=RepaymentMethod.choices)
    term_months = serializers.ListField(child=serializers.IntegerField())
    harvest_months = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = LoanProduct
        fields = [
            "code",
            "name",
            "description",
            "method",
            "min_amount_fen",
            "max_amount_fen",
            "term_months",
            "annual_rate_bp",
            "penalty_rate_bp",
            "grace_days",
            "sweep_share_bp",
            "harvest_months",
        ]


class LoanProductListView(APIView):
    """The loan products on offer."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: LoanProductSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(LoanProductSerializer(loan_product_list(), many=True).data)
