"""The officer's and county manager's API under ``/api/v1/``.

- ``GET /api/v1/loan-applications/review-queue`` — applications waiting for a loan officer, oldest
  first, with what the decision rests on (``loan.review``).
- ``POST /api/v1/loan-applications/<number>/review`` ``{"approve", "note"}`` — the officer's decision
  (``loan.review``); above the second-approval amount an approval waits for a county manager.
- ``POST /api/v1/loan-applications/<number>/approve`` ``{"approve", "note"}`` — the county manager's
  second approval (``loan.approve`` in the county); 403 ``same_person`` for the one who reviewed it.
- ``GET /api/v1/lending/portfolio`` — the portfolio in the user's scope (``loan.read``).
- ``GET /api/v1/lending/collections`` — overdue loans, most days past due first (``loan.read``).
- ``POST /api/v1/loans/<number>/notes`` ``{"kind", "note", "promised_on"?}`` — a call, visit or promise
  (``loan.collect``).
- ``POST /api/v1/loans/<number>/write-off`` ``{"note"}`` — a county manager writes off a loan classed
  可疑 or 损失 (``loan.write_off``).

Errors: bad input 400 naming the field, not allowed 403, unknown (or outside the user's places) 404, a
decision the state does not allow 409.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.names import person_name
from siliu.core.permissions import Permission
from siliu.core.rest import permission_required
from siliu.lending.loans.models import CollectionNoteKind, Loan, LoanApplication, LoanCollectionNote
from siliu.lending.loans.services import (
    collection_note_add,
    loan_application_approve,
    loan_application_review,
    loan_write_off,
)
from siliu.lending.portfolio.forms import NOTE_MAX_LENGTH
from siliu.lending.portfolio.selectors import (
    QUEUE_PAGE,
    ReviewItem,
    application_for,
    collection_list,
    collection_phone,
    portfolio_summary,
    review_items,
    review_queue,
)


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true 批准，false 拒绝")
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="", help_text="意见；拒绝时必填"
    )


class BorrowerSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user: AbstractBaseUser) -> str:
        return person_name(user)


class EarlierLoanSerializer(serializers.Serializer):
    number = serializers.CharField()
    product_name = serializers.CharField()
    amount_fen = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    disbursed_at = serializers.DateTimeField(allow_null=True)
    installment_count = serializers.IntegerField()
    settled_count = serializers.IntegerField()
    settled_late_count = serializers.IntegerField(help_text="到期后才还清的期数")
    days_past_due = serializers.IntegerField()
    repaid_fen = serializers.IntegerField()


class FeatureWordsSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF takes it as a field
    value = serializers.CharField()


class QueueItemSerializer(serializers.Serializer):
    """An application with what its decision rests on."""

    number = serializers.CharField(source="application.number")
    status = serializers.CharField(source="application.status")
    applicant = BorrowerSerializer(source="application.applicant")
    phone = serializers.CharField(help_text="手机号（部分隐藏）")
    outlet = serializers.CharField(source="application.outlet.code")
    product = serializers.CharField(source="application.product.code")
    product_name = serializers.CharField(source="application.product.name")
    amount_fen = serializers.IntegerField(source="application.amount_fen")
    term_months = serializers.IntegerField(source="application.term_months")
    purpose = serializers.CharField(source="application.purpose")
    score = serializers.IntegerField(source="application.score", allow_null=True)
    band = serializers.CharField(source="application.band")
    reasons = serializers.ListField(source="application.reasons", child=serializers.CharField())
    filed_at = serializers.DateTimeField(source="application.filed_at")
    needs_second_approval = serializers.BooleanField()
    field_visit_on = serializers.DateField(source="visit.visited_on", allow_null=True, default=None)
    field_visit_note = serializers.CharField(source="visit.note", allow_null=True, default=None)
    features = FeatureWordsSerializer(many=True)
    earlier_loans = EarlierLoanSerializer(many=True)


class DecidedApplicationSerializer(serializers.ModelSerializer):
    """An application after a decision."""

    loan_number = serializers.SerializerMethodField(help_text="批准后生成的合同编号")

    class Meta:
        model = LoanApplication
        fields = [
            "number",
            "status",
            "amount_fen",
            "review_note",
            "reviewed_at",
            "approved_at",
            "decided_at",
            "loan_number",
        ]

    def get_loan_number(self, application: LoanApplication) -> str | None:
        loan = Loan.objects.filter(application=application).values_list("number", flat=True).first()
        return loan


class QueueSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = QueueItemSerializer(many=True)


class ClassLineSerializer(serializers.Serializer):
    classification = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF takes it as a field
    loan_count = serializers.IntegerField()
    outstanding_fen = serializers.IntegerField()
    provision_fen = serializers.IntegerField()


class BucketLineSerializer(serializers.Serializer):
    low = serializers.IntegerField(help_text="逾期天数下限（含）")
    high = serializers.IntegerField(allow_null=True, help_text="逾期天数上限（含）；null 为不设上限")
    label = serializers.CharField()  # type: ignore[assignment]  # DRF takes it as a field
    loan_count = serializers.IntegerField()
    outstanding_fen = serializers.IntegerField()


class NightSerializer(serializers.Serializer):
    business_on = serializers.DateField()
    finished_at = serializers.DateTimeField()
    loan_count = serializers.IntegerField()
    interest_accrued_fen = serializers.IntegerField()
    penalty_accrued_fen = serializers.IntegerField()
    debited_count = serializers.IntegerField()
    debited_fen = serializers.IntegerField()
    provision_change_fen = serializers.IntegerField()


class PortfolioSerializer(serializers.Serializer):
    loan_count = serializers.IntegerField(help_text="在贷笔数")
    outstanding_fen = serializers.IntegerField(help_text="未还本金")
    provision_fen = serializers.IntegerField()
    overdue_count = serializers.IntegerField()
    overdue_fen = serializers.IntegerField(help_text="逾期贷款的未还本金")
    par30_fen = serializers.IntegerField()
    par90_fen = serializers.IntegerField()
    par30_bp = serializers.IntegerField(help_text="PAR30，基点（1234 = 12.34%）")
    par90_bp = serializers.IntegerField(help_text="PAR90，基点")
    by_class = ClassLineSerializer(many=True)
    buckets = BucketLineSerializer(many=True)
    disbursed_count = serializers.IntegerField()
    disbursed_fen = serializers.IntegerField()
    repaid_fen = serializers.IntegerField()
    repaid_principal_fen = serializers.IntegerField()
    repaid_interest_fen = serializers.IntegerField()
    repaid_penalty_fen = serializers.IntegerField()
    closed_count = serializers.IntegerField()
    written_off_count = serializers.IntegerField()
    written_off_fen = serializers.IntegerField()
    last_night = NightSerializer(allow_null=True)


class CollectionSerializer(serializers.ModelSerializer):
    borrower = BorrowerSerializer()
    phone = serializers.SerializerMethodField(help_text="手机号（部分隐藏）")
    product = serializers.CharField(source="product.code")
    outlet = serializers.CharField(source="outlet.code")
    overdue_fen = serializers.IntegerField(help_text="到期未还的罚息、利息和本金")
    last_note = serializers.CharField(allow_null=True)
    last_note_kind = serializers.CharField(allow_null=True)
    last_note_at = serializers.DateTimeField(allow_null=True)
    promised_on = serializers.DateField(allow_null=True)

    class Meta:
        model = Loan
        fields = [
            "number",
            "borrower",
            "phone",
            "product",
            "outlet",
            "principal_outstanding_fen",
            "days_past_due",
            "classification",
            "provision_fen",
            "overdue_fen",
            "last_note",
            "last_note_kind",
            "last_note_at",
            "promised_on",
        ]

    def get_phone(self, loan: Loan) -> str:
        return collection_phone(loan)


class NoteCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=CollectionNoteKind.choices, help_text="call 电话，visit 上门，promise 承诺还款"
    )
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH)
    promised_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="承诺还款日")


class NoteSerializer(serializers.ModelSerializer):
    loan = serializers.CharField(source="loan.number")

    class Meta:
        model = LoanCollectionNote
        fields = ["id", "loan", "kind", "note", "promised_on", "written_at"]


class WriteOffSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, help_text="核销原因")


class LoanStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Loan
        fields = ["number", "status", "classification", "principal_outstanding_fen", "closed_at"]


def _actor(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class ReviewQueueView(APIView):
    """Applications waiting for a loan officer, oldest first (the first 50, and how many wait)."""

    permission_classes = [permission_required(Permission.LOAN_REVIEW)]

    @extend_schema(responses=QueueSerializer)
    def get(self, request: Request) -> Response:
        queue = review_queue(actor=_actor(request))
        items: list[ReviewItem] = review_items(list(queue[:QUEUE_PAGE]))
        return Response(QueueSerializer({"count": queue.count(), "results": items}).data)


def _decide(request: Request, number: str, permission: Permission) -> Response:
    serializer = DecisionSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    actor = _actor(request)
    application_for(number=number, actor=actor, permission=permission)
    service = loan_application_review if permission == Permission.LOAN_REVIEW else loan_application_approve
    application = service(
        number=number,
        actor=actor,
        approve=serializer.validated_data["approve"],
        note=serializer.validated_data["note"],
    )
    return Response(DecidedApplicationSerializer(application).data)


class ReviewView(APIView):
    """A loan officer approves or refuses an application waiting for review."""

    permission_classes = [permission_required(Permission.LOAN_REVIEW)]

    @extend_schema(request=DecisionSerializer, responses=DecidedApplicationSerializer)
    def post(self, request: Request, number: str) -> Response:
        return _decide(request, number, Permission.LOAN_REVIEW)


class ApproveView(APIView):
    """A county manager gives (or refuses) the second approval; never the one who reviewed."""

    permission_classes = [permission_required(Permission.LOAN_APPROVE)]

    @extend_schema(request=DecisionSerializer, responses=DecidedApplicationSerializer)
    def post(self, request: Request, number: str) -> Response:
        return _decide(request, number, Permission.LOAN_APPROVE)


class PortfolioView(APIView):
    """The portfolio in the user's scope: classes, PAR30/PAR90, buckets, totals, the last night."""

    permission_classes = [permission_required(Permission.LOAN_READ)]

    @extend_schema(responses=PortfolioSerializer)
    def get(self, request: Request) -> Response:
        return Response(PortfolioSerializer(portfolio_summary(actor=_actor(request))).data)


class CollectionsView(GenericAPIView[Loan]):
    """Overdue loans in the user's scope, most days past due first (paginated)."""

    permission_classes = [permission_required(Permission.LOAN_READ)]
    serializer_class = CollectionSerializer

    def get_queryset(self) -> Any:
        return collection_list(actor=_actor(self.request))

    @extend_schema(responses=CollectionSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CollectionSerializer(page, many=True).data)


class NotesView(APIView):
    """A loan officer records a call, visit or promise about a loan."""

    permission_classes = [permission_required(Permission.LOAN_COLLECT)]

    @extend_schema(request=NoteCreateSerializer, responses={201: NoteSerializer})
    def post(self, request: Request, number: str) -> Response:
        serializer = NoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        note = collection_note_add(
            number=number,
            actor=_actor(request),
            kind=data["kind"],
            note=data["note"],
            promised_on=data["promised_on"],
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class WriteOffView(APIView):
    """A county manager writes off a loan classed 可疑 or 损失, with the reason."""

    permission_classes = [permission_required(Permission.LOAN_WRITE_OFF)]

    @extend_schema(request=WriteOffSerializer, responses=LoanStateSerializer)
    def post(self, request: Request, number: str) -> Response:
        serializer = WriteOffSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = loan_write_off(number=number, actor=_actor(request), note=serializer.validated_data["note"])
        return Response(LoanStateSerializer(loan).data)
