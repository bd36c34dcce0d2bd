"""Parcel API: parcels, scans, tracking, labels, exceptions."""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.errors import PermissionRefused
from siliu.core.permissions import Permission, user_can_at
from siliu.core.rest import permission_required
from siliu.core.roles import acting_user
from siliu.logistics.models import SCAN_CODES, ParcelException, PostagePayment
from siliu.logistics.parcels.labels import label_pdf
from siliu.logistics.parcels.selectors import (
    masked_phone,
    parcel_exceptions,
    parcel_get,
    parcel_journey,
    parcel_list,
)
from siliu.logistics.parcels.services import (
    SCAN_BATCH_LIMIT,
    Address,
    ScanInput,
    parcel_cancel,
    parcel_create,
    scans_record,
)
from siliu.logistics.pricing.api import QuoteInputSerializer


class PartySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=20, help_text="E.164，如 +8613812345678")
    address = serializers.CharField(max_length=200)


class ParcelCreateSerializer(QuoteInputSerializer):
    sender = PartySerializer()
    recipient = PartySerializer()
    postage_payment = serializers.ChoiceField(
        choices=[PostagePayment.WALLET.value, PostagePayment.CASH.value], default=PostagePayment.WALLET.value
    )
    is_home_delivery = serializers.BooleanField(default=False)


class ParcelSerializer(serializers.Serializer):
    """A parcel as its sender and handlers see it; phones are masked."""

    tracking_number = serializers.CharField()
    product = serializers.CharField(source="product.code")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    sender_name = serializers.CharField()
    sender_phone = serializers.SerializerMethodField()
    recipient_name = serializers.CharField()
    recipient_phone = serializers.SerializerMethodField()
    recipient_address = serializers.CharField()
    origin_outlet = serializers.CharField(source="origin_outlet.code")
    destination_outlet = serializers.CharField(
        source="destination_outlet.code", allow_null=True, default=None
    )
    destination_region_code = serializers.CharField()
    zone = serializers.CharField()
    weight_g = serializers.IntegerField()
    chargeable_weight_g = serializers.IntegerField()
    declared_value_fen = serializers.IntegerField()
    is_insured = serializers.BooleanField()
    cod_amount_fen = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    insurance_fee_fen = serializers.IntegerField()
    cod_fee_fen = serializers.IntegerField()
    discount_fen = serializers.IntegerField()
    fee_fen = serializers.IntegerField()
    postage_payment = serializers.CharField()
    path = serializers.JSONField()
    promised_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    last_outlet = serializers.CharField(source="last_outlet.code", allow_null=True, default=None)
    exception = serializers.CharField()

    def get_sender_phone(self, parcel: Any) -> str:
        return masked_phone(parcel.sender_phone)

    def get_recipient_phone(self, parcel: Any) -> str:
        return masked_phone(parcel.recipient_phone)


class ParcelCreateView(generics.ListAPIView):
    """``GET``: the parcels you sent (everything, for people who handle parcels).
    ``POST``: create a parcel (``Idempotency-Key`` header recommended)."""

    serializer_class = ParcelSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        return parcel_list(actor=self.request.user)

    @extend_schema(
        request=ParcelCreateSerializer,
        responses={201: ParcelSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request) -> Response:
        serializer = ParcelCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        payment = PostagePayment(data["postage_payment"])
        parcel = parcel_create(
            request=serializer.to_request(),
            sender=Address(**data["sender"]),
            recipient=Address(**data["recipient"]),
            postage_payment=payment,
            sender_user=acting_user(request.user) if payment == PostagePayment.WALLET else None,
            is_home_delivery=data["is_home_delivery"],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            actor=request.user,
        )
        return Response(ParcelSerializer(parcel).data, status=status.HTTP_201_CREATED)


class ParcelDetailView(APIView):
    """A parcel you sent, or any parcel for people who handle parcels."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ParcelSerializer)
    def get(self, request: Request, number: str) -> Response:
        return Response(ParcelSerializer(parcel_get(number=number, actor=request.user)).data)


class ParcelCancelView(APIView):
    """Cancel a parcel before it is accepted; a wallet hold is released."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ParcelSerializer)
    def post(self, request: Request, number: str) -> Response:
        parcel = parcel_get(number=number, actor=request.user)
        if parcel.sender_user_id != request.user.pk and not user_can_at(
            request.user, Permission.PARCEL_CANCEL, parcel.origin_outlet
        ):
            raise PermissionRefused("not_sender", _("只有寄件人或工作人员可以取消邮件"))
        return Response(ParcelSerializer(parcel_cancel(parcel=parcel, actor=request.user)).data)


class JourneyStepSerializer(serializers.Serializer):
    code = serializers.CharField()
    event = serializers.CharField(source="label", help_text="事件名称")
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField()
    note = serializers.CharField()


class JourneySerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    product = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    origin = serializers.CharField()
    destination = serializers.CharField()
    promised_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    events = JourneyStepSerializer(many=True, source="steps")


class ParcelEventsView(APIView):
    """The public journey of a parcel: places and times, no personal data; rate-limited per client."""

    permission_classes = [AllowAny]

    @extend_schema(responses=JourneySerializer, auth=[])
    def get(self, request: Request, number: str) -> Response:
        return Response(JourneySerializer(parcel_journey(number=number)).data)


class ParcelLabelView(APIView):
    """The 100 × 150 mm label as PDF."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="PDF")})
    def get(self, request: Request, number: str) -> HttpResponse:
        parcel = parcel_get(number=number, actor=request.user)
        response = HttpResponse(label_pdf(parcel), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{parcel.tracking_number}.pdf"'
        return response


class ProofSerializer(serializers.Serializer):
    pickup_code = serializers.CharField(max_length=6, required=False, default="", allow_blank=True)
    signature_name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    photo_ref = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ScanItemSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=64)
    tracking_number = serializers.CharField(max_length=40)
    code = serializers.ChoiceField(choices=[code.value for code in SCAN_CODES])
    outlet = serializers.CharField(max_length=20)
    occurred_at = serializers.DateTimeField()
    reason_code = serializers.CharField(max_length=10, required=False, default="", allow_blank=True)
    action_code = serializers.CharField(max_length=10, required=False, default="", allow_blank=True)
    proof = ProofSerializer(required=False)


class ScanBatchSerializer(serializers.Serializer):
    device_id = serializers.CharField(max_length=64)
    events = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=SCAN_BATCH_LIMIT
    )


class ScanResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    event_id = serializers.CharField()
    status = serializers.CharField(help_text="created, duplicate, or the refusal's code")
    message = serializers.CharField()
    parcel_status = serializers.CharField()


class ScanBatchView(APIView):
    """Record up to 1,000 scan events from a device; every event gets its own result.

    Late events (a device offline for hours) land in order of ``occurred_at``; an event sent twice is
    stored once (``duplicate``); an event that makes no sense is refused with its reason and the rest
    go in. The response is 200 whenever the batch itself was readable.
    """

    permission_classes = [permission_required(Permission.PARCEL_SCAN)]

    @extend_schema(
        request=inline_serializer(
            "ScanBatch",
            {"device_id": serializers.CharField(), "events": ScanItemSerializer(many=True)},
        ),
        responses=inline_serializer(
            "ScanBatchResult",
            {
                "created": serializers.IntegerField(),
                "duplicates": serializers.IntegerField(),
                "refused": serializers.IntegerField(),
                "results": ScanResultSerializer(many=True),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        batch = ScanBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        device_id = batch.validated_data["device_id"]
        results: list[dict[str, Any] | None] = []
        scans: list[ScanInput] = []
        positions: list[int] = []
        # One serializer validates every item: building one per item costs more than the scans.
        validator = ScanItemSerializer()
        for index, raw in enumerate(batch.validated_data["events"]):
            try:
                data = validator.run_validation(raw)
            except serializers.ValidationError as error:
                errors = error.detail if isinstance(error.detail, dict) else {"event": error.detail}
                field, messages = next(iter(errors.items()))
                results.append(
                    {
                        "index": index,
                        "event_id": str(raw.get("event_id", "")),
                        "status": "invalid",
                        "message": f"{field}: {messages[0] if isinstance(messages, list) else messages}",
                        "parcel_status": "",
                    }
                )
                continue
            proof = data.get("proof") or {}
            scans.append(
                ScanInput(
                    event_id=data["event_id"],
                    tracking_number=data["tracking_number"],
                    code=data["code"],
                    outlet_code=data["outlet"],
                    occurred_at=data["occurred_at"],
                    device_id=device_id,
                    reason_code=data["reason_code"],
                    action_code=data["action_code"],
                    proof_pickup_code=proof.get("pickup_code", ""),
                    proof_signature_name=proof.get("signature_name", ""),
                    proof_photo_ref=proof.get("photo_ref", ""),
                )
            )
            positions.append(index)
            results.append(None)
        if scans:
            for position, result in zip(
                positions, scans_record(scans=scans, actor=request.user), strict=True
            ):
                results[position] = {
                    "index": position,
                    "event_id": result.event_id,
                    "status": result.status,
                    "message": result.message,
                    "parcel_status": result.parcel_status,
                }
        final = [result for result in results if result is not None]
        statuses = [result["status"] for result in final]
        return Response(
            {
                "created": statuses.count("created"),
                "duplicates": statuses.count("duplicate"),
                "refused": len(statuses) - statuses.count("created") - statuses.count("duplicate"),
                "results": final,
            }
        )


class ExceptionQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ParcelException.choices, required=False)


class ExceptionSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    product = serializers.CharField(source="product.code")
    status = serializers.CharField()
    exception = serializers.CharField()
    exception_flagged_at = serializers.DateTimeField(allow_null=True)
    promised_at = serializers.DateTimeField()
    last_event_at = serializers.DateTimeField(allow_null=True)
    last_outlet = serializers.CharField(source="last_outlet.code", allow_null=True, default=None)
    last_outlet_name = serializers.CharField(source="last_outlet.name", allow_null=True, default=None)


class ExceptionListView(generics.ListAPIView):
    """Parcels flagged as silent for too long or past their promise, with their last known place."""

    serializer_class = ExceptionSerializer
    permission_classes = [permission_required(Permission.EXCEPTION_READ)]

    @extend_schema(parameters=[ExceptionQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = ExceptionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return parcel_exceptions(actor=self.request.user, kind=query.validated_data.get("kind"))
