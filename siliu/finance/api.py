"""Ledger API: transfers (single and batched), accounts and statements, wallets, counter cash, trial balance.

Writes are idempotent: a transfer's id comes from the ``Idempotency-Key`` header or the body's ``id``.
The first send answers 201, an identical retry 200 with the same body.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siliu.core.errors import PermissionRefused, ValidationFailed
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.core.people import people_search
from siliu.core.permissions import Permission, user_can_at
from siliu.core.rest import permission_required
from siliu.finance.models import Account, CashDayClose, CashDayCloseSignOff, Entry, Transfer, TransferKind
from siliu.finance.selectors import (
    account_entries,
    account_get,
    account_holds,
    counter_drawer_get,
    trial_balance,
    wallet_get,
)
from siliu.finance.services import (
    BATCH_LIMIT,
    TransferRequest,
    TransferResult,
    outlet_day_close,
    outlet_day_close_sign_off,
    transfers_create_batch,
    wallet_cash_in,
    wallet_cash_out,
)
from siliu.network.models import Outlet
from siliu.network.selectors import outlet_get

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="转账编号（幂等键），也可在请求体中以 id 给出；建议用 UUID。",
)
CODE_PARAMETER = OpenApiParameter("code", str, OpenApiParameter.PATH)
#: Most statement lines the wallet answers with.
WALLET_STATEMENT_MAX = 200


def _idempotency_key(request: Request, body_id: str | None) -> str:
    """The transfer id from the ``Idempotency-Key`` header or the body; both must agree when both given."""
    header = request.headers.get("Idempotency-Key")
    if header and body_id and header != body_id:
        raise ValidationFailed(
            "idempotency_key_mismatch", _("Idempotency-Key 与请求体中的 id 不一致"), field="id"
        )
    key = header or body_id
    if not key:
        raise ValidationFailed(
            "idempotency_key_required", _("需要 Idempotency-Key 请求头或请求体中的 id"), field="id"
        )
    return key


# --- serializers -----------------------------------------------------------------------------------


class TransferSerializer(serializers.ModelSerializer):
    debit_account = serializers.CharField(source="debit_account.code")
    credit_account = serializers.CharField(source="credit_account.code")
    pending_id = serializers.CharField(source="pending_transfer_id", allow_null=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "kind",
            "debit_account",
            "credit_account",
            "amount_fen",
            "pending_id",
            "linked",
            "category",
            "reference",
            "timeout_seconds",
            "expires_at",
            "state",
            "resolved_at",
            "created_at",
        ]


class TransferInputSerializer(serializers.Serializer):
    id = serializers.CharField(required=False, max_length=64, help_text="转账编号（幂等键）")
    kind = serializers.ChoiceField(choices=TransferKind.choices, default=TransferKind.POSTED)
    debit_account = serializers.CharField(required=False, max_length=64, help_text="借方账户代码")
    credit_account = serializers.CharField(required=False, max_length=64, help_text="贷方账户代码")
    amount_fen = serializers.IntegerField(
        required=False, max_value=MAX_AMOUNT_FEN, help_text="金额（分）；确认预留时省略表示全额"
    )
    pending_id = serializers.CharField(required=False, max_length=64)
    timeout_seconds = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)
    category = serializers.CharField(required=False, default="", allow_blank=True, max_length=40)
    reference = serializers.CharField(required=False, default="", allow_blank=True, max_length=100)


def _transfer_request(data: dict[str, Any], *, id: str) -> TransferRequest:
    """A validated transfer input as the engine's request."""
    return TransferRequest(
        id=id,
        debit_account=data.get("debit_account"),
        credit_account=data.get("credit_account"),
        amount_fen=data.get("amount_fen"),
        kind=TransferKind(data["kind"]),
        pending_id=data.get("pending_id"),
        linked=data.get("linked", False),
        timeout_seconds=data["timeout_seconds"],
        category=data["category"],
        reference=data["reference"],
    )


class BatchItemSerializer(TransferInputSerializer):
    id = serializers.CharField(max_length=64, help_text="转账编号（幂等键）")
    linked = serializers.BooleanField(
        required=False, default=False, help_text="与下一笔组成要么全成、要么全败的链"
    )


class BatchInputSerializer(serializers.Serializer):
    transfers = BatchItemSerializer(many=True, allow_empty=False)


class BatchResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.CharField()
    status = serializers.CharField(help_text="created、exists 或错误代码")
    message = serializers.CharField(required=False)
    transfer = TransferSerializer(required=False)


def _result_data(result: TransferResult) -> dict[str, Any]:
    data: dict[str, Any] = {"index": result.index, "id": result.id, "status": result.status}
    if result.error is not None:
        data["message"] = result.error.message
    if result.transfer is not None:
        data["transfer"] = TransferSerializer(result.transfer).data
    return data


def _transfer_response(result: TransferResult) -> Response:
    assert result.transfer is not None
    transfer = Transfer.objects.select_related("debit_account", "credit_account").get(pk=result.transfer.pk)
    return Response(
        TransferSerializer(transfer).data,
        status=status.HTTP_201_CREATED if result.status == "created" else status.HTTP_200_OK,
    )


class AccountSerializer(serializers.ModelSerializer):
    owner_user = serializers.CharField(source="owner_user.get_username", allow_null=True, default=None)
    owner_outlet = serializers.CharField(source="owner_outlet.code", allow_null=True, default=None)
    balance_fen = serializers.IntegerField()
    available_fen = serializers.IntegerField()

    class Meta:
        model = Account
        fields = [
            "code",
            "name",
            "type",
            "owner_user",
            "owner_outlet",
            "owner_reference",
            "allows_negative",
            "debits_posted",
            "credits_posted",
            "debits_pending",
            "credits_pending",
            "balance_fen",
            "available_fen",
        ]


class EntrySerializer(serializers.ModelSerializer):
    transfer_id = serializers.CharField()
    counterparty = serializers.SerializerMethodField()
    category = serializers.CharField(source="transfer.category")
    reference = serializers.CharField(source="transfer.reference")

    class Meta:
        model = Entry
        fields = [
            "id",
            "transfer_id",
            "side",
            "amount_fen",
            "balance_fen",
            "counterparty",
            "category",
            "reference",
            "created_at",
        ]

    def get_counterparty(self, entry: Entry) -> str:
        transfer = entry.transfer
        other = (
            transfer.credit_account
            if entry.account_id == transfer.debit_account_id
            else transfer.debit_account
        )
        return other.code


class HoldSerializer(serializers.ModelSerializer):
    debit_account = serializers.CharField(source="debit_account.code")
    credit_account = serializers.CharField(source="credit_account.code")

    class Meta:
        model = Transfer
        fields = [
            "id",
            "debit_account",
            "credit_account",
            "amount_fen",
            "reference",
            "expires_at",
            "created_at",
        ]


class CounterCashSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    amount_fen = serializers.IntegerField(max_value=MAX_AMOUNT_FEN, help_text="金额（分）")
    id = serializers.CharField(
        required=False, max_length=64, help_text="幂等键（或用 Idempotency-Key 请求头）"
    )

    def validate_username(self, username: str) -> AbstractBaseUser:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise serializers.ValidationError(_("没有用户名为 %(name)s 的用户") % {"name": username})
        return user


class DayCloseInputSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="营业日（北京时间）")
    counted_cash_fen = serializers.IntegerField(max_value=MAX_AMOUNT_FEN, help_text="实点现金（分）")


class CashDayCloseSerializer(serializers.ModelSerializer):
    outlet = serializers.CharField(source="outlet.code")
    adjustment_transfer = serializers.CharField(source="adjustment_transfer_id", allow_null=True)
    closed_by = serializers.CharField(source="closed_by.get_username")
    needs_sign_off = serializers.BooleanField(help_text="长短款超过签核限额：县级管理员签核后才入账")

    class Meta:
        model = CashDayClose
        fields = [
            "outlet",
            "business_on",
            "expected_cash_fen",
            "counted_cash_fen",
            "difference_fen",
            "adjustment_transfer",
            "closed_by",
            "closed_at",
            "needs_sign_off",
        ]


# --- views -----------------------------------------------------------------------------------------


class TransferCreateView(APIView):
    """Create one transfer (staff). Error codes follow TigerBeetle's (``exceeds_credits``, …)."""

    permission_classes = [permission_required(Permission.LEDGER_POST)]

    @extend_schema(
        request=TransferInputSerializer,
        responses={201: TransferSerializer, 200: TransferSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request) -> Response:
        serializer = TransferInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        (result,) = transfers_create_batch(
            transfers=[_transfer_request(data, id=_idempotency_key(request, data.get("id")))],
            created_by=request.user,  # type: ignore[arg-type]
        )
        if result.error is not None:
            raise result.error
        return _transfer_response(result)


class TransferBatchView(APIView):
    """Create up to 1,000 transfers in one database transaction (staff), with a result per item."""

    permission_classes = [permission_required(Permission.LEDGER_POST)]

    @extend_schema(
        request=BatchInputSerializer,
        responses={
            200: inline_serializer("TransferBatchResults", {"results": BatchResultSerializer(many=True)})
        },
    )
    def post(self, request: Request) -> Response:
        items = request.data.get("transfers") if isinstance(request.data, dict) else None
        if isinstance(items, list) and len(items) > BATCH_LIMIT:
            raise ValidationFailed(
                "batch_too_large", _("每批最多 %(n)d 笔转账") % {"n": BATCH_LIMIT}, field="transfers"
            )
        serializer = BatchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        requests = [_transfer_request(item, id=item["id"]) for item in serializer.validated_data["transfers"]]
        results = transfers_create_batch(transfers=requests, created_by=request.user)  # type: ignore[arg-type]
        # The serializer shows account codes: load them in two queries, not two per transfer.
        prefetch_related_objects(
            [result.transfer for result in results if result.transfer is not None],
            "debit_account",
            "credit_account",
        )
        return Response({"results": [_result_data(result) for result in results]})


class AccountDetailView(APIView):
    """An account's counters and balance (own wallet, own outlet's cash; everything for staff/auditors)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AccountSerializer, parameters=[CODE_PARAMETER])
    def get(self, request: Request, code: str) -> Response:
        return Response(AccountSerializer(account_get(code=code, actor=request.user)).data)


class AccountEntriesView(generics.ListAPIView):
    """An account's statement: entries newest first, each with the running balance after it."""

    permission_classes = [IsAuthenticated]
    serializer_class = EntrySerializer

    @extend_schema(parameters=[CODE_PARAMETER])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return account_entries(account=account_get(code=self.kwargs["code"], actor=self.request.user))


class WalletView(APIView):
    """The caller's wallet: balance, available balance, pending holds and the latest statement lines."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": WALLET_STATEMENT_MAX},
                description="账单条数（默认 20，最多 200）",
            )
        ],
        responses=inline_serializer(
            "Wallet",
            {
                "code": serializers.CharField(),
                "balance_fen": serializers.IntegerField(),
                "available_fen": serializers.IntegerField(),
                "pending_out_fen": serializers.IntegerField(),
                "pending_in_fen": serializers.IntegerField(),
                "holds": HoldSerializer(many=True),
                "statement": EntrySerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        limit = serializers.IntegerField(min_value=1, max_value=WALLET_STATEMENT_MAX, default=20)
        limit_value = limit.run_validation(request.query_params.get("limit", 20))
        wallet = wallet_get(user=request.user)  # type: ignore[arg-type]
        holds: list[Transfer] = []
        statement: list[Entry] = []
        if wallet.account is not None:
            holds = list(account_holds(account=wallet.account))
            statement = list(account_entries(account=wallet.account)[:limit_value])
        return Response(
            {
                "code": wallet.code,
                "balance_fen": wallet.balance_fen,
                "available_fen": wallet.available_fen,
                "pending_out_fen": wallet.pending_out_fen,
                "pending_in_fen": wallet.pending_in_fen,
                "holds": HoldSerializer(holds, many=True).data,
                "statement": EntrySerializer(statement, many=True).data,
            }
        )


def _counter_outlet(request: Request, code: str) -> Outlet:
    """The outlet whose counter the request works, refused (403) before its body is read unless the
    user holds ``counter.operate`` there: a stranger learns nothing from the answer to the body."""
    outlet = outlet_get(code=code)
    if not user_can_at(request.user, Permission.COUNTER_OPERATE, outlet):
        raise PermissionRefused("not_outlet_operator", _("只有本网点负责人可以操作柜台现金"))
    return outlet


class _CounterCashView(APIView):
    permission_classes = [permission_required(Permission.COUNTER_OPERATE)]
    cash_in = True

    def post(self, request: Request, code: str) -> Response:
        outlet = _counter_outlet(request, code)
        serializer = CounterCashSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = wallet_cash_in if self.cash_in else wallet_cash_out
        result = service(
            outlet=outlet,
            customer=serializer.validated_data["username"],
            amount_fen=serializer.validated_data["amount_fen"],
            id=_idempotency_key(request, serializer.validated_data.get("id")),
            actor=request.user,
        )
        return _transfer_response(result)


class CashInView(_CounterCashView):
    """Take cash at the outlet's counter into a user's wallet (the outlet's operator or staff)."""

    cash_in = True

    @extend_schema(
        request=CounterCashSerializer,
        responses={201: TransferSerializer, 200: TransferSerializer},
        parameters=[CODE_PARAMETER, IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)


class CashOutView(_CounterCashView):
    """Pay cash out of the outlet's counter from a user's wallet (the outlet's operator or staff)."""

    cash_in = False

    @extend_schema(
        request=CounterCashSerializer,
        responses={201: TransferSerializer, 200: TransferSerializer},
        parameters=[CODE_PARAMETER, IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request, code: str) -> Response:
        return super().post(request, code)


class CloseDayView(APIView):
    """Close the outlet's business day (日结): counted cash against expected, difference booked."""

    permission_classes = [permission_required(Permission.COUNTER_OPERATE)]

    @extend_schema(
        request=DayCloseInputSerializer, responses={201: CashDayCloseSerializer}, parameters=[CODE_PARAMETER]
    )
    def post(self, request: Request, code: str) -> Response:
        outlet = _counter_outlet(request, code)
        serializer = DayCloseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        close = outlet_day_close(
            outlet=outlet,
            business_on=serializer.validated_data["date"],
            counted_cash_fen=serializer.validated_data["counted_cash_fen"],
            actor=request.user,
        )
        return Response(CashDayCloseSerializer(close).data, status=status.HTTP_201_CREATED)


class TrialBalanceRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="账户代码；wallet:* 与 cash:* 为同类账户合计")
    name = serializers.CharField()
    type = serializers.CharField()
    account_count = serializers.IntegerField()
    debits_posted = serializers.IntegerField()
    credits_posted = serializers.IntegerField()
    debits_pending = serializers.IntegerField()
    credits_pending = serializers.IntegerField()
    debit_balance_fen = serializers.IntegerField()
    credit_balance_fen = serializers.IntegerField()


class TrialBalanceView(APIView):
    """The trial balance for auditors and staff: per account (wallets and drawers summed) and totals."""

    permission_classes = [permission_required(Permission.LEDGER_READ)]

    @extend_schema(
        responses=inline_serializer(
            "TrialBalance",
            {
                "rows": TrialBalanceRowSerializer(many=True),
                "total_debits_posted": serializers.IntegerField(),
                "total_credits_posted": serializers.IntegerField(),
                "total_debits_pending": serializers.IntegerField(),
                "total_credits_pending": serializers.IntegerField(),
                "total_debit_balance_fen": serializers.IntegerField(),
                "total_credit_balance_fen": serializers.IntegerField(),
                "is_balanced": serializers.BooleanField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        balance = trial_balance()
        return Response(
            {
                "rows": TrialBalanceRowSerializer(balance.rows, many=True).data,
                "total_debits_posted": balance.total_debits_posted,
                "total_credits_posted": balance.total_credits_posted,
                "total_debits_pending": balance.total_debits_pending,
                "total_credits_pending": balance.total_credits_pending,
                "total_debit_balance_fen": balance.total_debit_balance_fen,
                "total_credit_balance_fen": balance.total_credit_balance_fen,
                "is_balanced": balance.is_balanced,
            }
        )


# --- the counter: villager lookup, the day's drawer, the day close's sign-off ------------------------


class PersonSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField(help_text="姓名（遮挡：张*）")
    phone = serializers.CharField(help_text="手机号（遮挡：138****1234）")
    resident_id = serializers.CharField(help_text="身份证号（遮挡：610102********1234）")


class PeopleSearchView(APIView):
    """Find villagers by mobile number (whole or last 4+ digits), name, or resident ID (whole); masked."""

    permission_classes = [permission_required(Permission.COUNTER_OPERATE)]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, OpenApiParameter.QUERY, description="手机号、姓名或身份证号")],
        responses={200: PersonSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        matches = people_search(query=request.query_params.get("q", ""), actor=request.user)
        return Response(PersonSerializer(matches, many=True).data)


class DrawerLineSerializer(serializers.Serializer):
    transfer_id = serializers.CharField(help_text="流水号（转账编号）")
    at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="业务（文字）")
    cash_in = serializers.BooleanField()
    amount_fen = serializers.IntegerField()
    balance_fen = serializers.IntegerField(help_text="本笔后钱箱账面余额（分）")
    customer = serializers.CharField(help_text="客户（遮挡）")
    detail = serializers.CharField()
    operator = serializers.CharField()


class DateQuerySerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="营业日（北京时间），默认今天")


class CounterTransactionsView(APIView):
    """The day's movements of the outlet's drawer with the running book balance, and the totals."""

    permission_classes = [permission_required(Permission.COUNTER_OPERATE)]

    @extend_schema(
        parameters=[CODE_PARAMETER, DateQuerySerializer],
        responses=inline_serializer(
            "CounterDrawer",
            {
                "outlet": serializers.CharField(),
                "business_on": serializers.DateField(),
                "opening_fen": serializers.IntegerField(),
                "cash_in_fen": serializers.IntegerField(),
                "cash_out_fen": serializers.IntegerField(),
                "closing_fen": serializers.IntegerField(),
                "lines": DrawerLineSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request, code: str) -> Response:
        outlet = _counter_outlet(request, code)
        query = DateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        drawer = counter_drawer_get(outlet=outlet, business_on=query.validated_data.get("date"))
        return Response(
            {
                "outlet": outlet.code,
                "business_on": drawer.business_on,
                "opening_fen": drawer.opening_fen,
                "cash_in_fen": drawer.cash_in_fen,
                "cash_out_fen": drawer.cash_out_fen,
                "closing_fen": drawer.closing_fen,
                "lines": DrawerLineSerializer(drawer.lines, many=True).data,
            }
        )


class SignOffInputSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="待签核日结的营业日")


class DayCloseSignOffSerializer(serializers.ModelSerializer):
    outlet = serializers.CharField(source="close.outlet.code")
    business_on = serializers.DateField(source="close.business_on")
    difference_fen = serializers.IntegerField(source="close.difference_fen")
    adjustment_transfer = serializers.CharField(source="adjustment_transfer_id")
    signed_off_by = serializers.CharField(source="signed_off_by.get_username")

    class Meta:
        model = CashDayCloseSignOff
        fields = [
            "outlet",
            "business_on",
            "difference_fen",
            "adjustment_transfer",
            "signed_off_by",
            "signed_off_at",
        ]


class DayCloseSignOffView(APIView):
    """A county manager signs off a day close whose difference was over the limit, booking the difference."""

    permission_classes = [permission_required(Permission.COUNTER_SIGN_OFF)]

    @extend_schema(
        request=SignOffInputSerializer,
        responses={201: DayCloseSignOffSerializer},
        parameters=[CODE_PARAMETER],
    )
    def post(self, request: Request, code: str) -> Response:
        outlet = outlet_get(code=code)
        serializer = SignOffInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sign_off = outlet_day_close_sign_off(
            outlet=outlet, business_on=serializer.validated_data["date"], actor=request.user
        )
        return Response(DayCloseSignOffSerializer(sign_off).data, status=status.HTTP_201_CREATED)
