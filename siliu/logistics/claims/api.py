"""Claims API: submit a claim, list and read claims, decide and pay them.

- ``POST /api/v1/claims`` — the sender (or staff for the sender) claims for a parcel.
- ``GET /api/v1/claims`` — your claims; county managers and staff see every claim. Paginated.
- ``GET /api/v1/claims/{id}`` — one claim with the parcel's scan history as evidence.
- ``POST /api/v1/claims/{id}/decide`` and ``POST /api/v1/claims/{id}/pay`` — county managers and staff.

Errors: bad input 400 naming the field, not allowed 403, unknown (or someone else's) claim 404, a
claim or parcel in the wrong state 409.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.errors import ValidationFailed
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.core.names import person_name
from siliu.core.permissions import Permission
from siliu.core.rest import permission_required
from siliu.logistics.claims.policy import ALL_BP
from siliu.logistics.claims.selectors import OPEN, claim_get, claim_history, claim_list, claim_scans
from siliu.logistics.claims.services import (
    DESCRIPTION_MAX_LENGTH,
    EVIDENCE_MAX_COUNT,
    EVIDENCE_REF_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    claim_decide,
    claim_pay,
    claim_submit_for_number,
    claim_transfer_id,
)
from siliu.logistics.models import Claim, ClaimEvent, ClaimKind, ClaimStatus
from siliu.logistics.parcels.api import JourneyStepSerializer
from siliu.logistics.parcels.services import tracking_number_validate

ID_PARAMETER = OpenApiParameter("claim_id", int, OpenApiParameter.PATH, description="理赔编号")

# --- input ------------------------------------------------------------------------------------------


class ClaimSubmitSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=40, help_text="邮件号")
    kind = serializers.ChoiceField(choices=ClaimKind.choices, help_text="loss 丢失、damage 损毁、delay 延误")
    claimed_loss_fen = serializers.IntegerField(
        min_value=0, max_value=MAX_AMOUNT_FEN, default=0, help_text="实际损失（分）；丢失、损毁须大于 0"
    )
    damage_share_bp = serializers.IntegerField(
        min_value=1, max_value=ALL_BP, default=ALL_BP, help_text="损毁比例（万分之），仅损毁理赔"
    )
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, default="", help_text="说明"
    )
    evidence = serializers.ListField(
        child=serializers.CharField(max_length=EVIDENCE_REF_MAX_LENGTH),
        max_length=EVIDENCE_MAX_COUNT,
        default=list,
        help_text="照片引用；损毁理赔至少一张",
    )

    def validate_tracking_number(self, value: str) -> str:
        try:
            return tracking_number_validate(value)
        except ValidationFailed as error:
            raise serializers.ValidationError(error.message, code=error.code) from None


class ClaimDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true 核准，false 驳回")
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, allow_blank=True, default="", help_text="说明；驳回时必填"
    )


class ClaimListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(OPEN, "待处理（已提交或已核准）"), *ClaimStatus.choices], required=False
    )
    kind = serializers.ChoiceField(choices=ClaimKind.choices, required=False)


# --- output -----------------------------------------------------------------------------------------


class ClaimSerializer(serializers.Serializer):
    """A claim; the claimant by name, no phone numbers."""

    id = serializers.IntegerField()
    tracking_number = serializers.CharField(source="parcel.tracking_number")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    claimant = serializers.SerializerMethodField()
    claimed_loss_fen = serializers.IntegerField()
    damage_share_bp = serializers.IntegerField()
    description = serializers.CharField()
    evidence = serializers.ListField(child=serializers.CharField())
    policy_version = serializers.IntegerField(source="policy.version", allow_null=True, default=None)
    rule_priority = serializers.IntegerField(source="rule.priority", allow_null=True, default=None)
    rule_basis = serializers.CharField(source="rule.basis", allow_null=True, default=None)
    compensation_fen = serializers.IntegerField(help_text="核准时确定的赔偿金额（分）")
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    transfer_id = serializers.SerializerMethodField(help_text="赔款转账编号（已赔付且金额大于 0 时）")
    created_at = serializers.DateTimeField()

    def get_claimant(self, claim: Claim) -> str:
        return person_name(claim.claimant)

    def get_decided_by(self, claim: Claim) -> str | None:
        return person_name(claim.decided_by) if claim.decided_by is not None else None

    def get_transfer_id(self, claim: Claim) -> str | None:
        if claim.status == ClaimStatus.PAID and claim.compensation_fen > 0:
            return claim_transfer_id(claim)
        return None


class ClaimParcelSerializer(serializers.Serializer):
    """What of the parcel a claim needs: no names, phones or addresses."""

    tracking_number = serializers.CharField()
    product = serializers.CharField(source="product.code")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    is_insured = serializers.BooleanField()
    declared_value_fen = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    discount_fen = serializers.IntegerField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    promised_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class ClaimEventSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    occurred_at = serializers.DateTimeField()
    note = serializers.CharField()

    def get_actor(self, event: ClaimEvent) -> str:
        return person_name(event.actor)


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with its parcel, its history and the scan history the system attaches as evidence."""

    parcel = ClaimParcelSerializer()
    scans = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    @extend_schema_field(JourneyStepSerializer(many=True))
    def get_scans(self, claim: Claim) -> list[dict[str, Any]]:
        return JourneyStepSerializer(claim_scans(claim=claim), many=True).data  # type: ignore[return-value]

    @extend_schema_field(ClaimEventSerializer(many=True))
    def get_history(self, claim: Claim) -> list[dict[str, Any]]:
        return ClaimEventSerializer(claim_history(claim=claim), many=True).data  # type: ignore[return-value]


def _detail(claim: Claim, *, user: Any, created: bool = False) -> Response:
    fresh = claim_get(user=user, claim_id=claim.pk)
    return Response(
        ClaimDetailSerializer(fresh).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
    )


# --- views ------------------------------------------------------------------------------------------


class ClaimListView(GenericAPIView):
    """``GET``: your claims, newest first (every claim for county managers and staff).
    ``POST``: claim for a lost, damaged or late parcel you sent."""

    serializer_class = ClaimSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        query = ClaimListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return claim_list(user=self.request.user, **query.validated_data)

    @extend_schema(parameters=[ClaimListQuerySerializer], responses=ClaimSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ClaimSerializer(page, many=True).data)

    @extend_schema(request=ClaimSubmitSerializer, responses={201: ClaimDetailSerializer})
    def post(self, request: Request) -> Response:
        serializer = ClaimSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        claim = claim_submit_for_number(
            tracking_number=data["tracking_number"],
            kind=data["kind"],
            claimant=request.user,
            claimed_loss_fen=data["claimed_loss_fen"],
            damage_share_bp=data["damage_share_bp"],
            description=data["description"],
            evidence=data["evidence"],
        )
        return _detail(claim, user=request.user, created=True)


class ClaimDetailView(APIView):
    """One of your claims (any claim for county managers and staff), with the scan history."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[ID_PARAMETER], responses=ClaimDetailSerializer)
    def get(self, request: Request, claim_id: int) -> Response:
        return Response(ClaimDetailSerializer(claim_get(user=request.user, claim_id=claim_id)).data)


class ClaimDecideView(APIView):
    """Approve (fixing the compensation by the policy) or reject (with a note) a submitted claim."""

    permission_classes = [permission_required(Permission.CLAIM_DECIDE)]

    @extend_schema(parameters=[ID_PARAMETER], request=ClaimDecideSerializer, responses=ClaimDetailSerializer)
    def post(self, request: Request, claim_id: int) -> Response:
        serializer = ClaimDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = claim_decide(
            claim=claim_get(user=request.user, claim_id=claim_id),
            approve=serializer.validated_data["approve"],
            actor=request.user,
            note=serializer.validated_data["note"],
        )
        return _detail(claim, user=request.user)


class ClaimPayView(APIView):
    """Pay an approved claim into the claimant's wallet (idempotent by the claim: paying twice is 409)."""

    permission_classes = [permission_required(Permission.CLAIM_DECIDE)]

    @extend_schema(parameters=[ID_PARAMETER], request=None, responses=ClaimDetailSerializer)
    def post(self, request: Request, claim_id: int) -> Response:
        claim = claim_pay(claim=claim_get(user=request.user, claim_id=claim_id), actor=request.user)
        return _detail(claim, user=request.user)
