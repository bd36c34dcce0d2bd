"""Orders API: quote, place, read, cancel, confirm; the buyer's saved addresses; the seller's orders,
settlements, money and payouts."""

from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.commerce.catalog.selectors import seller_for
from siliu.commerce.models import Order, PaymentMethod, Payout, Seller, Shipment
from siliu.commerce.orders.selectors import (
    buyer_addresses,
    label_url,
    order_get,
    order_status_shown,
    seller_money,
    seller_orders,
    seller_payouts,
    seller_settlement_statement,
)
from siliu.commerce.orders.services import (
    AddressInput,
    buyer_address_create,
    buyer_address_default_set,
    buyer_address_delete,
    buyer_address_update,
    order_cancel,
    order_confirm,
    order_destination,
    order_place,
    order_quote,
    payout_mark_paid,
    payout_reject,
    payout_request,
)
from siliu.core.errors import PermissionRefused, ValidationFailed
from siliu.core.ids import MAX_ID
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.core.permissions import Permission
from siliu.core.rest import permission_required
from siliu.logistics.parcels.selectors import masked_phone
from siliu.logistics.parcels.services import Address


class LineInputSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class RecipientSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=20, help_text="E.164，如 +8613812345678")
    address = serializers.CharField(max_length=200)


class DestinationInputSerializer(serializers.Serializer):
    """Where the order goes: a saved address, a village (its station), an outlet or a region code."""

    lines = LineInputSerializer(many=True)
    address = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="买家保存的收货地址编号"
    )
    village = serializers.RegexField(
        r"^[0-9]{12}$", required=False, allow_blank=True, help_text="村的行政区划代码：寄到为该村服务的站点"
    )
    destination_outlet = serializers.CharField(max_length=20, required=False, allow_blank=True)
    destination_region_code = serializers.RegexField(
        r"^[0-9]{6}([0-9]{3}){0,2}$", required=False, allow_blank=True
    )

    def validate_lines(self, lines: list[dict[str, int]]) -> list[dict[str, int]]:
        if not lines:
            raise serializers.ValidationError(_("订单中没有商品"))
        return lines

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any(
            attrs.get(key) for key in ("address", "village", "destination_outlet", "destination_region_code")
        ):
            raise serializers.ValidationError(
                {"destination_outlet": [_("请指定收货地址、村、投递网点或目的地")]}
            )
        return attrs


class OrderQuoteInputSerializer(DestinationInputSerializer):
    pass


class OrderCreateSerializer(DestinationInputSerializer):
    recipient = RecipientSerializer(required=False, help_text="寄到保存的收货地址时可省略")
    expected_total_fen = serializers.IntegerField(
        min_value=0,
        max_value=MAX_AMOUNT_FEN,
        required=False,
        help_text="买家确认的应付合计（分，来自报价）：金额不同则 409 postage_changed，不写入任何数据",
    )
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.WALLET)
    buyer = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="代购：买家的用户名（站点现金代付）"
    )


class OrderLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    product_name = serializers.CharField(source="product.name")
    seller = serializers.CharField(source="seller.name")
    quantity = serializers.IntegerField()
    unit_price_fen = serializers.IntegerField()
    amount_fen = serializers.IntegerField()


class ShipmentSerializer(serializers.Serializer):
    seller = serializers.CharField(source="seller.name")
    tracking_number = serializers.CharField(source="parcel.tracking_number")
    parcel_status = serializers.CharField(source="parcel.status")
    goods_fen = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    promised_at = serializers.DateTimeField(source="parcel.promised_at")
    tracking_url = serializers.SerializerMethodField()

    def get_tracking_url(self, shipment: Shipment) -> str:
        return f"/track/{shipment.parcel.tracking_number}"


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    direction = serializers.CharField()
    status = serializers.SerializerMethodField()
    payment_method = serializers.CharField()
    recipient_name = serializers.CharField()
    recipient_phone = serializers.SerializerMethodField()
    recipient_address = serializers.CharField()
    destination_outlet = serializers.CharField(
        source="destination_outlet.code", allow_null=True, default=None
    )
    goods_fen = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    total_fen = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    lines = OrderLineSerializer(many=True)
    shipments = ShipmentSerializer(many=True)

    def get_status(self, order: Order) -> str:
        return order_status_shown(order)

    def get_recipient_phone(self, order: Order) -> str:
        return masked_phone(order.recipient_phone)


def _buyer(request: Request, username: str) -> User:
    if not username or username == request.user.get_username():
        assert isinstance(request.user, User)
        return request.user
    buyer = User.objects.filter(username=username).first()
    if buyer is None:
        raise ValidationFailed(
            "unknown_user", _("没有用户名为 %(name)s 的用户") % {"name": username}, field="buyer"
        )
    return buyer


def _destination(buyer: User, data: dict[str, Any]) -> tuple[str | None, str | None, Address | None]:
    """The outlet code, region code and (for a saved address) recipient of an order's destination."""
    if data.get("address") or data.get("village"):
        destination = order_destination(
            buyer=buyer, address_id=data.get("address"), village_code=data.get("village") or None
        )
        return destination.outlet.code, None, destination.recipient
    return data.get("destination_outlet") or None, data.get("destination_region_code") or None, None


class QuoteLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(source="product.pk")
    product_name = serializers.CharField(source="product.name")
    quantity = serializers.IntegerField()
    unit_price_fen = serializers.IntegerField(source="product.price_fen")
    amount_fen = serializers.IntegerField()


class QuoteShipmentSerializer(serializers.Serializer):
    seller = serializers.CharField(source="seller.name")
    weight_g = serializers.IntegerField()
    goods_fen = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    promised_at = serializers.DateTimeField()


class OrderQuoteSerializer(serializers.Serializer):
    destination_outlet = serializers.CharField(allow_null=True)
    lines = QuoteLineSerializer(many=True)
    shipments = QuoteShipmentSerializer(many=True)
    goods_fen = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    total_fen = serializers.IntegerField(help_text="下单时作为 expected_total_fen 提交")


class OrderQuoteView(APIView):
    """What an order would cost now, written nowhere: the goods, one parcel per seller with its postage
    (the tariff the order will charge), and the total to send back as ``expected_total_fen``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=OrderQuoteInputSerializer, responses={200: OrderQuoteSerializer})
    def post(self, request: Request) -> Response:
        serializer = OrderQuoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assert isinstance(request.user, User)
        outlet_code, region_code, _recipient = _destination(request.user, data)
        quote = order_quote(
            buyer=request.user,
            lines=[(line["product_id"], line["quantity"]) for line in data["lines"]],
            destination_outlet_code=outlet_code,
            destination_region_code=region_code,
        )
        return Response(OrderQuoteSerializer({"destination_outlet": outlet_code, **quote.__dict__}).data)


class OrderCreateView(APIView):
    """Place an order (``Idempotency-Key`` header recommended): stock, escrow and parcels in one go.

    A villager's order paid in cash at the station (``counter_cash``) passes the station's counter-cash
    caps and day close: 400 ``exceeds_transaction_cap``, 409 ``exceeds_daily_cap`` (field
    ``amount_fen``), 409 ``day_closed``; nothing is written. With ``expected_total_fen`` (the total of
    ``POST /orders/quote``) an order that would now cost anything else is refused with 409
    ``postage_changed``, and nothing is written. A retry with the same key answers with the
    order already placed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=OrderCreateSerializer,
        responses={201: OrderSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request) -> Response:
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assert isinstance(request.user, User)
        buyer = _buyer(request, data.get("buyer", ""))
        outlet_code, region_code, saved_recipient = _destination(buyer, data)
        recipient = saved_recipient or (Address(**data["recipient"]) if data.get("recipient") else None)
        if recipient is None:
            raise ValidationFailed("required", _("请填写收件人"), field="recipient")
        order = order_place(
            buyer=buyer,
            placed_by=request.user,
            lines=[(line["product_id"], line["quantity"]) for line in data["lines"]],
            recipient=recipient,
            destination_outlet_code=outlet_code,
            destination_region_code=region_code,
            payment_method=data["payment_method"],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            expected_total_fen=data.get("expected_total_fen"),
        )
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailView(APIView):
    """One order, for its buyer, placer, sellers and staff."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OrderSerializer)
    def get(self, request: Request, number: str) -> Response:
        return Response(OrderSerializer(order_get(number=number, actor=request.user)).data)


class OrderCancelView(APIView):
    """Cancel an order before its parcels are accepted; the escrow is released and stock restored."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, number: str) -> Response:
        order = order_get(number=number, actor=request.user)
        assert isinstance(request.user, User)
        order_cancel(number=order.number, actor=request.user)
        return Response(OrderSerializer(order_get(number=order.number, actor=request.user)).data)


class OrderConfirmView(APIView):
    """The buyer confirms receipt: the order completes and the sellers are settled."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, number: str) -> Response:
        order = order_get(number=number, actor=request.user)
        assert isinstance(request.user, User)
        order_confirm(number=order.number, actor=request.user)
        return Response(OrderSerializer(order_get(number=order.number, actor=request.user)).data)


def _require_seller(request: Request) -> Seller:
    seller = seller_for(actor=request.user)
    if seller is None:
        raise PermissionRefused("not_seller", _("只有卖家可以查看"))
    return seller


class SellerShipmentSerializer(serializers.Serializer):
    order_number = serializers.CharField(source="order.number")
    order_status = serializers.CharField(source="order.status")
    tracking_number = serializers.CharField(source="parcel.tracking_number")
    parcel_status = serializers.CharField(source="parcel.status")
    goods_fen = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    label_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="order.created_at")

    def get_label_url(self, shipment: Shipment) -> str:
        return label_url(shipment.parcel.tracking_number)


class SellerOrdersView(APIView):
    """The seller's part of every order, newest first, with parcel numbers and label links."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SellerShipmentSerializer(many=True))
    def get(self, request: Request) -> Response:
        shipments = seller_orders(seller=_require_seller(request))[:500]
        return Response(SellerShipmentSerializer(shipments, many=True).data)


class SettlementRowSerializer(serializers.Serializer):
    order_number = serializers.CharField(source="order.number")
    goods_fen = serializers.IntegerField()
    commission_fen = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    payable_fen = serializers.IntegerField()
    settled_at = serializers.DateTimeField()


class SettlementStatementSerializer(serializers.Serializer):
    rows = SettlementRowSerializer(many=True)
    goods_fen = serializers.IntegerField()
    commission_fen = serializers.IntegerField()
    postage_fen = serializers.IntegerField()
    payable_fen = serializers.IntegerField()


class SellerSettlementsView(APIView):
    """The seller's settlement statement: every settled order and the exact sums."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SettlementStatementSerializer)
    def get(self, request: Request) -> Response:
        statement = seller_settlement_statement(seller=_require_seller(request))
        return Response(SettlementStatementSerializer(statement).data)


class AddressSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=20, help_text="中国大陆手机号，如 13812345678 或 +8613812345678")
    village = serializers.RegexField(r"^[0-9]{12}$", source="village.code", help_text="村的行政区划代码")
    village_name = serializers.CharField(source="village.name", read_only=True)
    township_name = serializers.CharField(source="village.parent.name", read_only=True, default="")
    detail = serializers.CharField(max_length=200)
    is_default = serializers.BooleanField(required=False, default=False)


def _address_input(data: dict[str, Any]) -> AddressInput:
    return AddressInput(
        name=data["name"], phone=data["phone"], village_code=data["village"]["code"], detail=data["detail"]
    )


class AddressListView(APIView):
    """The caller's saved delivery addresses (default first); POST saves one (the first is the default)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AddressSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(AddressSerializer(buyer_addresses(actor=request.user), many=True).data)

    @extend_schema(request=AddressSerializer, responses={201: AddressSerializer})
    def post(self, request: Request) -> Response:
        serializer = AddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assert isinstance(request.user, User)
        address = buyer_address_create(
            user=request.user,
            data=_address_input(serializer.validated_data),
            is_default=serializer.validated_data["is_default"],
        )
        return Response(AddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailView(APIView):
    """One of the caller's addresses: PUT changes it (``is_default: true`` makes it the default), DELETE
    removes it. Another user's address is 404 ``unknown_address``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AddressSerializer, responses=AddressSerializer)
    def put(self, request: Request, address_id: int) -> Response:
        serializer = AddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assert isinstance(request.user, User)
        address = buyer_address_update(
            user=request.user, address_id=address_id, data=_address_input(serializer.validated_data)
        )
        if serializer.validated_data["is_default"]:
            address = buyer_address_default_set(user=request.user, address_id=address.pk)
        return Response(AddressSerializer(address).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, address_id: int) -> Response:
        assert isinstance(request.user, User)
        buyer_address_delete(user=request.user, address_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SellerMoneySerializer(serializers.Serializer):
    to_come_fen = serializers.IntegerField(help_text="待结算：已付款未完成订单中卖家应得（平台担保中）")
    to_come_count = serializers.IntegerField()
    payable_fen = serializers.IntegerField(help_text="可提现：已结算未提取")
    payouts_pending_fen = serializers.IntegerField(help_text="提现处理中")


class SellerMoneyView(APIView):
    """The seller's money: to come (in escrow), payable, payouts pending; in fen."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SellerMoneySerializer)
    def get(self, request: Request) -> Response:
        return Response(SellerMoneySerializer(seller_money(seller=_require_seller(request))).data)


class PayoutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payout
        fields = [
            "id",
            "key",
            "amount_fen",
            "account_name",
            "bank_name",
            "account_number_masked",
            "status",
            "requested_at",
            "decided_at",
            "note",
        ]


class PayoutRequestSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=40, help_text="客户端生成的申请编号：重发同一申请只记一次")
    amount_fen = serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT_FEN)
    account_name = serializers.CharField(max_length=60)
    bank_name = serializers.CharField(max_length=60)
    account_number = serializers.CharField(max_length=40, help_text="12–25 位数字，可含空格")


class SellerPayoutsView(APIView):
    """The seller's payout requests (GET), or a new one to a bank account (POST): the amount leaves the
    payable at once. 409 ``exceeds_credits`` when the payable holds less, ``key_reused`` for a key used
    with other values; 400 ``invalid_account_number``; nothing is written on a refusal. The same request
    sent again answers with the payout made the first time."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PayoutSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            PayoutSerializer(seller_payouts(seller=_require_seller(request))[:500], many=True).data
        )

    @extend_schema(request=PayoutRequestSerializer, responses={201: PayoutSerializer})
    def post(self, request: Request) -> Response:
        seller = _require_seller(request)
        serializer = PayoutRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assert isinstance(request.user, User)
        payout = payout_request(seller=seller, actor=request.user, **serializer.validated_data)
        return Response(PayoutSerializer(payout).data, status=status.HTTP_201_CREATED)


class PayoutDecideSerializer(serializers.Serializer):
    paid = serializers.BooleanField(help_text="true：已付款；false：退回卖家")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PayoutDecideView(APIView):
    """Finance staff (``payout.pay``) mark a payout paid (payouts pending → bank) or reject it (back to
    the seller's payable). 409 ``invalid_transition`` when already decided."""

    permission_classes = [IsAuthenticated, permission_required(Permission.PAYOUT_PAY)]

    @extend_schema(request=PayoutDecideSerializer, responses=PayoutSerializer)
    def post(self, request: Request, payout_id: int) -> Response:
        serializer = PayoutDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assert isinstance(request.user, User)
        decide = payout_mark_paid if serializer.validated_data["paid"] else payout_reject
        payout = decide(payout_id=payout_id, actor=request.user, note=serializer.validated_data["note"])
        return Response(PayoutSerializer(payout).data)
