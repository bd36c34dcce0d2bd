"""The borrower's loan API under ``/api/v1/``.

- ``POST /api/v1/loan-applications`` — file an application (a station operator names the villager with
  ``applicant_id``); 201 with its number, status, band, score, reasons and, when approved at once, the
  loan's number. ``GET`` lists your applications (made by you or filed by you).
- ``GET /api/v1/loan-applications/<number>`` — one of them.
- ``GET /api/v1/loans`` — your loans; ``GET /api/v1/loans/<number>`` — one loan with its installments
  and repayments (the borrower, the station operator at its station, whoever reads loans there).
- ``POST /api/v1/loans/<number>/sign`` / ``cancel`` — sign (the money goes to the wallet) or decline.
- ``POST /api/v1/loans/<number>/repay`` — from the wallet, ``early`` to repay ahead of schedule.
- ``POST /api/v1/loans/<number>/draw`` — draw on a credit line.
- ``GET /api/v1/loans/<number>/payoff`` — what is due now and what paying off today costs.
- ``POST /api/v1/loans/<number>/counter-repayments`` — cash at a station's counter (``counter.operate``).

Errors: bad input 400 naming the field, not allowed 403, unknown or someone else's 404, state 409.
"""

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.errors import NotFound
from siliu.core.ids import MAX_ID
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.core.people import person_get
from siliu.core.permissions import Permission
from siliu.core.rest import permission_required
from siliu.lending.loans.models import Loan, LoanApplication, LoanInstallment, LoanRepayment
from siliu.lending.loans.selectors import (
    application_get_for,
    application_loan,
    applications_of,
    installment_rows,
    loan_get_for,
    loan_summary,
    loans_of,
    repayments_of,
)
from siliu.lending.loans.services import (
    credit_line_draw,
    loan_application_file,
    loan_cancel,
    loan_repay_at_counter,
    loan_repay_from_wallet,
    loan_sign,
)
from siliu.network.selectors import outlet_get


class ApplicationCreateSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=40, help_text="贷款产品代码（/api/v1/loan-products 的 code）")
    amount_fen = serializers.IntegerField(help_text="申请金额（分）", min_value=1, max_value=MAX_AMOUNT_FEN)
    term_months = serializers.IntegerField(
        min_value=1, max_value=360, help_text="期限（月），须为产品可选期限"
    )
    purpose = serializers.CharField(max_length=200, help_text="借款用途")
    harvest_months = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=12),
        max_length=12,
        required=False,
        default=list,
        help_text="季节还款：收获月份（1–12）；不填用产品设定",
    )
    applicant_id = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="站点运营员代村民申请时：村民（/api/v1/people 的 user_id）",
    )


class ApplicationSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="信用评分的三条主要原因")
    harvest_months = serializers.ListField(child=serializers.IntegerField())
    loan_number = serializers.SerializerMethodField(help_text="批准后生成的贷款合同编号")

    class Meta:
        model = LoanApplication
        fields = [
            "number",
            "status",
            "band",
            "score",
            "reasons",
            "review_note",
            "product",
            "amount_fen",
            "term_months",
            "harvest_months",
            "purpose",
            "applicant_id",
            "filed_by_id",
            "filed_at",
            "decided_at",
            "loan_number",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_loan_number(self, application: LoanApplication) -> str | None:
        loan = application_loan(application)
        return loan.number if loan else None


class LoanInstallmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LoanInstallment
        fields = [
            "n",
            "due_on",
            "principal_fen",
            "interest_fen",
            "interest_accrued_fen",
            "penalty_fen",
            "principal_paid_fen",
            "interest_paid_fen",
            "penalty_paid_fen",
            "settled_on",
        ]


class RepaymentSerializer(serializers.ModelSerializer):
    outlet = serializers.CharField(source="outlet.code", allow_null=True, default=None)

    class Meta:
        model = LoanRepayment
        fields = [
            "id",
            "source",
            "amount_fen",
            "penalty_fen",
            "interest_fen",
            "principal_fen",
            "is_early",
            "outlet",
            "reference",
            "paid_at",
            "business_on",
        ]


class LoanSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code")
    application = serializers.CharField(source="application.number")
    harvest_months = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = Loan
        fields = [
            "number",
            "application",
            "borrower_id",
            "product",
            "method",
            "status",
            "amount_fen",
            "annual_rate_bp",
            "penalty_rate_bp",
            "grace_days",
            "sweep_share_bp",
            "term_months",
            "harvest_months",
            "contracted_at",
            "disbursed_at",
            "start_on",
            "maturity_on",
            "closed_at",
            "principal_outstanding_fen",
            "days_past_due",
        ]


class LoanDetailSerializer(LoanSerializer):
    installments = serializers.SerializerMethodField()
    repayments = serializers.SerializerMethodField()

    class Meta(LoanSerializer.Meta):
        fields = [*LoanSerializer.Meta.fields, "installments", "repayments"]

    @extend_schema_field(LoanInstallmentSerializer(many=True))
    def get_installments(self, loan: Loan) -> list[dict[str, Any]]:
        rows = [row.installment for row in installment_rows(loan)]
        return LoanInstallmentSerializer(rows, many=True).data  # type: ignore[return-value]

    @extend_schema_field(RepaymentSerializer(many=True))
    def get_repayments(self, loan: Loan) -> list[dict[str, Any]]:
        return RepaymentSerializer(repayments_of(loan), many=True).data  # type: ignore[return-value]


class RepayInputSerializer(serializers.Serializer):
    amount_fen = serializers.IntegerField(
        help_text="还款金额（分）；超过可还的部分不扣", min_value=1, max_value=MAX_AMOUNT_FEN
    )
    early = serializers.BooleanField(default=False, help_text="提前还款（到期前归还本金）")


class DrawInputSerializer(serializers.Serializer):
    amount_fen = serializers.IntegerField(help_text="支用金额（分）", min_value=1, max_value=MAX_AMOUNT_FEN)


class CounterRepayInputSerializer(serializers.Serializer):
    outlet_code = serializers.CharField(max_length=20, help_text="收款站点代码")
    amount_fen = serializers.IntegerField(
        help_text="收取的现金（分），不得超过应收", min_value=1, max_value=MAX_AMOUNT_FEN
    )
    early = serializers.BooleanField(default=False, help_text="提前还款")


class PayoffSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="计算日（今天）")
    due_now_fen = serializers.IntegerField(help_text="现在到期应还（罚息、利息、本金）")
    payoff_fen = serializers.IntegerField(help_text="今天全部结清需还")
    next_due_on = serializers.DateField(allow_null=True)
    next_due_fen = serializers.IntegerField()
    principal_outstanding_fen = serializers.IntegerField()


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class ApplicationListView(APIView):
    """File an application, or list yours."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ApplicationSerializer(many=True)})
    def get(self, request: Request) -> Response:
        applications = applications_of(user=_user(request))[:100]
        return Response(ApplicationSerializer(applications, many=True).data)

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
    def post(self, request: Request) -> Response:
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = _user(request)
        applicant: User | None = user
        if data.get("applicant_id") is not None and data["applicant_id"] != user.pk:
            applicant = person_get(user_id=data["applicant_id"])
            if applicant is None:
                raise NotFound("unknown_person", _("没有这个人"), field="applicant_id")
        assert applicant is not None
        application = loan_application_file(
            applicant=applicant,
            actor=user,
            product_code=data["product"],
            amount_fen=data["amount_fen"],
            term_months=data["term_months"],
            purpose=data["purpose"],
            harvest_months=data["harvest_months"],
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationDetailView(APIView):
    """One application you made or filed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ApplicationSerializer})
    def get(self, request: Request, number: str) -> Response:
        return Response(ApplicationSerializer(application_get_for(number=number, user=_user(request))).data)


class LoanListView(APIView):
    """Your loans, newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: LoanSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(LoanSerializer(loans_of(borrower=_user(request))[:100], many=True).data)


class LoanDetailView(APIView):
    """One loan with its installments and repayments."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: LoanDetailSerializer})
    def get(self, request: Request, number: str) -> Response:
        return Response(LoanDetailSerializer(loan_get_for(number=number, user=_user(request))).data)


class LoanSignView(APIView):
    """Sign the contract: the loan is paid into the borrower's wallet."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: LoanSerializer})
    def post(self, request: Request, number: str) -> Response:
        loan = loan_get_for(number=number, user=_user(request))
        return Response(LoanSerializer(loan_sign(number=loan.number, actor=_user(request))).data)


class LoanCancelView(APIView):
    """Decline a contract not yet signed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: LoanSerializer})
    def post(self, request: Request, number: str) -> Response:
        loan = loan_get_for(number=number, user=_user(request))
        return Response(LoanSerializer(loan_cancel(number=loan.number, actor=_user(request))).data)


class LoanRepayView(APIView):
    """Repay from your wallet."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=RepayInputSerializer, responses={201: RepaymentSerializer})
    def post(self, request: Request, number: str) -> Response:
        serializer = RepayInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = loan_get_for(number=number, user=_user(request))
        repayment = loan_repay_from_wallet(
            number=loan.number,
            actor=_user(request),
            amount_fen=serializer.validated_data["amount_fen"],
            early=serializer.validated_data["early"],
        )
        return Response(RepaymentSerializer(repayment).data, status=status.HTTP_201_CREATED)


class LoanDrawView(APIView):
    """Draw on your credit line into your wallet."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=DrawInputSerializer, responses={200: LoanSerializer})
    def post(self, request: Request, number: str) -> Response:
        serializer = DrawInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = loan_get_for(number=number, user=_user(request))
        loan = credit_line_draw(
            number=loan.number, actor=_user(request), amount_fen=serializer.validated_data["amount_fen"]
        )
        return Response(LoanSerializer(loan).data)


class LoanPayoffView(APIView):
    """What is due now and what paying off today costs (nothing is written)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PayoffSerializer})
    def get(self, request: Request, number: str) -> Response:
        loan = loan_get_for(number=number, user=_user(request))
        today = timezone.localdate()
        summary = loan_summary(loan, on=today)
        return Response(
            PayoffSerializer(
                {
                    "on": today,
                    "due_now_fen": summary.due_now_fen,
                    "payoff_fen": summary.payoff_fen,
                    "next_due_on": summary.next_due_on,
                    "next_due_fen": summary.next_due_fen,
                    "principal_outstanding_fen": loan.principal_outstanding_fen,
                }
            ).data
        )


class LoanCounterRepaymentView(APIView):
    """A station operator takes a villager's cash for the loan at their counter."""

    permission_classes = [IsAuthenticated, permission_required(Permission.COUNTER_OPERATE)]

    @extend_schema(request=CounterRepayInputSerializer, responses={201: RepaymentSerializer})
    def post(self, request: Request, number: str) -> Response:
        serializer = CounterRepayInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outlet = outlet_get(code=data["outlet_code"])
        repayment = loan_repay_at_counter(
            number=number[:20],
            actor=_user(request),
            outlet=outlet,
            amount_fen=data["amount_fen"],
            early=data["early"],
        )
        return Response(RepaymentSerializer(repayment).data, status=status.HTTP_201_CREATED)
