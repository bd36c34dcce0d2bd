"""Agency at the station counter: a payment taken (cash or wallet) or a pay-out made (cash), booked in the
ledger, and its reversal the same business day (ADR 0023).

The booking of one transaction, all under the reference ``agency:<number>``:

- the customer's money: a payment debits the drawer (or the customer's wallet) and credits the
  provider's clearing account with what the customer hands over; a pay-out debits the provider's
  clearing account and credits the drawer with what the customer is handed;
- the fee: the station's share and the platform's share, each debited to the provider's clearing account
  and credited to the station's agency account and the agency commission income.

So the clearing account ends up owing the provider exactly ``provider_fen`` for the transaction, which is
what its statement is reconciled and settled against (:mod:`siliu.agency.reconciliation`).
"""

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumValidationError

from siliu.agency.catalogue import (
    BASIS_POINTS,
    PRIVATE_ACCOUNT_KINDS,
    AccountKind,
    AgencyService,
    AgencyTransaction,
    Direction,
    FeePayer,
    OutletService,
    PaidWith,
    PayeeDay,
    Provider,
    TransactionStatus,
)
from siliu.core import ids
from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.events import AGENCY_TRANSACTED, event_append
from siliu.core.identity import id_number_hash, id_number_mask, mobile_validate, resident_id_validate
from siliu.core.money import MAX_AMOUNT_FEN, format_fen
from siliu.core.permissions import Permission, user_can_at
from siliu.core.roles import Actor
from siliu.finance import chart
from siliu.finance.models import Account, AccountType
from siliu.finance.services import (
    CATEGORY_AGENCY_FEE,
    CATEGORY_AGENCY_PAYMENT,
    CATEGORY_AGENCY_PAYOUT,
    CATEGORY_AGENCY_REVERSAL,
    TransferRequest,
    account_open,
    counter_cash_admit,
    system_account,
    transfers_book,
    wallet_open,
)
from siliu.network.models import Outlet

NUMBER_PATTERN = re.compile(r"^AG[0-9]{16}$")
METER_PATTERN = re.compile(r"^[0-9A-Za-z-]{4,30}$")


def agency_number_new(*, now: datetime.datetime | None = None) -> str:
    """A new transaction number: ``AG``, the business date (yymmdd) and ten random digits."""
    return f"AG{timezone.localdate(now or timezone.now()):%y%m%d}{ids.randbelow(10**10):010d}"


def fee_split(*, service: AgencyService, amount_fen: int) -> tuple[int, int, int]:
    """The handling fee of ``amount_fen`` under ``service``'s rules and its split, in fen:
    ``(fee, station's share, platform's share)``.

    The fee is ``fee_fixed_fen + amount × fee_rate_bp / 10,000`` (half up), held between ``fee_min_fen``
    and ``fee_max_fen``; the station's share is ``fee × station_share_bp / 10,000`` (half up), the
    platform has the rest, so the two always add up to the fee.
    """
    fee = service.fee_fixed_fen + (amount_fen * service.fee_rate_bp + BASIS_POINTS // 2) // BASIS_POINTS
    fee = max(fee, service.fee_min_fen)
    if service.fee_max_fen is not None:
        fee = min(fee, service.fee_max_fen)
    station = (fee * service.station_share_bp + BASIS_POINTS // 2) // BASIS_POINTS
    return fee, station, fee - station


@dataclass(frozen=True)
class Amounts:
    """What a transaction of ``amount_fen`` moves under a service's rules, in fen: the fee and its two
    shares, what changes hands with the customer, and what the platform owes the provider for it
    (negative: what the provider owes for a pay-out)."""

    fee_fen: int
    station_fee_fen: int
    platform_fee_fen: int
    customer_fen: int
    provider_fen: int


def amounts_compute(*, service: AgencyService, amount_fen: int) -> Amounts:
    """The amounts of a transaction (:class:`Amounts`): a fee the customer pays is added to a payment and
    taken from a pay-out; one the provider pays is kept out of what the platform remits for a payment
    and added to what the provider owes back for a pay-out. The one rule the counter books, its
    confirmation shows and reconciliation prices a provider's line by."""
    fee, station_fee, platform_fee = fee_split(service=service, amount_fen=amount_fen)
    customer_pays_fee = service.fee_payer == FeePayer.CUSTOMER
    if service.is_payout:
        customer_fen = amount_fen - fee if customer_pays_fee else amount_fen
        provider_fen = -(amount_fen if customer_pays_fee else amount_fen + fee)
    else:
        customer_fen = amount_fen + fee if customer_pays_fee else amount_fen
        provider_fen = amount_fen if customer_pays_fee else amount_fen - fee
    return Amounts(fee, station_fee, platform_fee, customer_fen, provider_fen)


def provider_clearing_open(*, provider: Provider) -> Account:
    """The provider's clearing account (代收代付往来, ``agency:provider:<code>``), opened on first use: a
    liability that goes negative when the provider owes the platform."""
    return account_open(
        code=chart.agency_provider_code(provider_code=provider.code),
        name=_("%(provider)s 代收代付往来") % {"provider": provider.name},
        type=AccountType.LIABILITY,
        allows_negative=True,
    )


def account_normalise(*, kind: str, value: str, field: str = "account") -> str:
    """The customer's identifier at the provider in its canonical form, checked for its kind: a meter
    or household number (4–30 letters, digits or dashes), a mobile number, a resident ID number (check
    digit, birth date, place) or a bank card number (13–19 digits with a valid Luhn check digit).

    Raises
    ------
    ValidationFailed
        ``invalid_account`` (or ``invalid_phone`` / ``invalid_id_number``), naming ``field``.
    """
    text = re.sub(r"\s", "", value or "")
    if kind == AccountKind.MOBILE:
        return mobile_validate(text, field=field)
    if kind == AccountKind.RESIDENT_ID:
        return resident_id_validate(text, field=field)
    if kind == AccountKind.BANK_CARD:
        try:
            if not text.isdigit() or not 13 <= len(text) <= 19:
                raise StdnumValidationError()
            return str(luhn.validate(text))
        except StdnumValidationError:
            raise ValidationFailed(
                "invalid_account", _("银行卡号应为 13–19 位数字且校验位正确"), field=field
            ) from None
    if not METER_PATTERN.fullmatch(text):
        raise ValidationFailed("invalid_account", _("户号应为 4–30 位字母、数字或连字符"), field=field)
    return text.upper()


def account_display(*, kind: str, account: str) -> str:
    """How the identifier is shown on pages and receipts: a card or ID number masked (first 6 and last
    4), a meter or phone number in full (the customer reads it off their bill)."""
    return id_number_mask(account) if kind in PRIVATE_ACCOUNT_KINDS else account


def _offered(*, outlet: Outlet, service_code: str) -> AgencyService:
    service = AgencyService.objects.select_related("provider").filter(code=service_code).first()
    if service is None:
        raise NotFound("unknown_service", _("没有这项代理服务"), field="service")
    offered = OutletService.objects.filter(outlet=outlet, service=service, is_active=True).exists()
    if not (offered and service.is_active and service.provider.is_active and outlet.offers_agency_services):
        raise Conflict(
            "service_not_offered",
            _("%(outlet)s 不办理%(service)s") % {"outlet": outlet.name, "service": service.name},
            field="service",
        )
    return service


def _amount_check(service: AgencyService, amount_fen: object) -> int:
    if (
        not isinstance(amount_fen, int)
        or isinstance(amount_fen, bool)
        or not 0 < amount_fen <= MAX_AMOUNT_FEN
    ):
        raise ValidationFailed("invalid_amount", _("金额应为正数"), field="amount_fen")
    if not service.min_amount_fen <= amount_fen <= service.max_amount_fen:
        raise ValidationFailed(
            "amount_out_of_range",
            _("%(service)s每笔金额应在 %(low)s 至 %(high)s 之间")
            % {
                "service": service.name,
                "low": format_fen(service.min_amount_fen),
                "high": format_fen(service.max_amount_fen),
            },
            field="amount_fen",
        )
    return amount_fen


def _payee_day_take(
    *, service: AgencyService, account_hash: str, amount_fen: int, business_on: datetime.date
) -> None:
    """Count a pay-out against the person's day under ``service``'s daily limit, holding the row
    locked until the transaction ends (after the drawer: the counter's lock order)."""
    if service.daily_limit_per_account_fen is None:
        return
    try:
        with transaction.atomic():
            PayeeDay.objects.get_or_create(
                service=service, account_hash=account_hash, business_on=business_on
            )
    except IntegrityError:
        pass  # a concurrent first pay-out made the row; lock it below
    day = PayeeDay.objects.select_for_update().get(
        service=service, account_hash=account_hash, business_on=business_on
    )
    limit = service.daily_limit_per_account_fen
    if day.paid_fen + amount_fen > limit:
        raise Conflict(
            "exceeds_person_daily_limit",
            _("%(service)s每人每日最多 %(limit)s，此卡（证）今日已领 %(done)s，本笔最多 %(left)s")
            % {
                "service": service.name,
                "limit": format_fen(limit),
                "done": format_fen(day.paid_fen),
                "left": format_fen(max(limit - day.paid_fen, 0)),
            },
            field="amount_fen",
        )
    day.paid_fen += amount_fen
    day.save(update_fields=["paid_fen"])


def _bookings(
    *,
    number: str,
    outlet: Outlet,
    service: AgencyService,
    customer_account: str,
    customer_fen: int,
    station_fee_fen: int,
    platform_fee_fen: int,
    reverse: bool = False,
) -> list[TransferRequest]:
    """The transfers of a transaction (module docstring), or of its reversal (each the other way)."""
    provider = provider_clearing_open(provider=service.provider)
    station = account_open(
        code=chart.agency_station_code(outlet_code=outlet.code),
        name=_("%(outlet)s 代理业务佣金") % {"outlet": outlet.name},
        type=AccountType.LIABILITY,
        owner_outlet=outlet,
    )
    income = system_account(code=chart.AGENCY_COMMISSION_INCOME)
    reference = f"agency:{number}"
    payment = service.direction == Direction.PAYMENT
    legs = [
        (
            "customer",
            (customer_account, provider.code) if payment else (provider.code, customer_account),
            customer_fen,
            CATEGORY_AGENCY_PAYMENT if payment else CATEGORY_AGENCY_PAYOUT,
        ),
        ("station", (provider.code, station.code), station_fee_fen, CATEGORY_AGENCY_FEE),
        ("platform", (provider.code, income.code), platform_fee_fen, CATEGORY_AGENCY_FEE),
    ]
    suffix = ":reversal" if reverse else ""
    return [
        TransferRequest(
            id=f"{reference}:{leg}{suffix}",
            debit_account=credit if reverse else debit,
            credit_account=debit if reverse else credit,
            amount_fen=amount,
            category=CATEGORY_AGENCY_REVERSAL if reverse else category,
            reference=reference,
        )
        for leg, (debit, credit), amount, category in legs
        if amount > 0
    ]


def _same_request(existing: AgencyTransaction, **fields: object) -> bool:
    return all(getattr(existing, name) == value for name, value in fields.items())


@transaction.atomic
def agency_transact(
    *,
    outlet: Outlet,
    service_code: str,
    account: str,
    amount_fen: int,
    actor: Actor,
    paid_with: str = PaidWith.CASH,
    customer: User | None = None,
    customer_name: str = "",
    number: str | None = None,
    now: datetime.datetime | None = None,
) -> AgencyTransaction:
    """Take a payment or make a pay-out of ``service_code`` at ``outlet``'s counter, booked in the ledger.

    A payment is paid in cash into the drawer or from ``customer``'s wallet; a pay-out is paid in cash
    out of the drawer. Cash goes through the counter's gate (:func:`counter_cash_admit`: the drawer
    locked first, the outlet's caps, the closed day); a pay-out also through the person's daily limit
    under the service (by card or ID number, whichever station they go to) and the drawer's cash (the
    drawer cannot go below nothing). ``number`` makes a retry safe: the same number with the same request
    returns the transaction already made.

    Raises
    ------
    PermissionRefused
        ``not_allowed`` without ``agency.operate`` at ``outlet``.
    NotFound
        ``unknown_service`` (``service``).
    ValidationFailed
        ``invalid_amount`` / ``amount_out_of_range`` (``amount_fen``), ``invalid_account`` /
        ``invalid_phone`` / ``invalid_id_number`` (``account``), ``invalid_paid_with`` /
        ``payout_in_cash_only`` / ``wallet_needs_customer`` (``paid_with``), ``nothing_to_pay_out``,
        ``invalid_number``, ``exceeds_transaction_cap``.
    Conflict
        ``service_not_offered`` (``service``), ``outlet_has_no_cash_counter``, ``day_closed``,
        ``exceeds_daily_cap``, ``exceeds_person_daily_limit`` (``amount_fen``), ``exceeds_debits``
        (the drawer holds less cash than the pay-out), ``exceeds_credits`` (the wallet is short),
        ``number_taken`` (``number`` used for a different transaction). Nothing is written when refused.
    """
    now = now or timezone.now()
    if not user_can_at(actor, Permission.AGENCY_OPERATE, outlet):
        raise PermissionRefused("not_allowed", _("只能在自己的站点办理代理业务"))
    assert isinstance(actor, User)
    service = _offered(outlet=outlet, service_code=service_code)
    amount_fen = _amount_check(service, amount_fen)
    normalised = account_normalise(kind=service.account_kind, value=account)
    if paid_with not in PaidWith.values:
        raise ValidationFailed("invalid_paid_with", _("支付方式应为现金或钱包"), field="paid_with")
    if service.is_payout and paid_with != PaidWith.CASH:
        raise ValidationFailed("payout_in_cash_only", _("代付业务只能付现金"), field="paid_with")
    if paid_with == PaidWith.WALLET and customer is None:
        raise ValidationFailed("wallet_needs_customer", _("钱包支付须先找到客户本人"), field="customer")
    if number is not None and not NUMBER_PATTERN.fullmatch(number):
        raise ValidationFailed("invalid_number", _("流水号格式不正确"), field="number")
    amounts = amounts_compute(service=service, amount_fen=amount_fen)
    customer_fen = amounts.customer_fen
    if customer_fen <= 0:
        raise ValidationFailed("nothing_to_pay_out", _("扣除手续费后没有可付的金额"), field="amount_fen")
    account_hash = id_number_hash(f"{service.account_kind}:{normalised}")
    request = {
        "outlet": outlet,
        "service": service,
        "account_hash": account_hash,
        "amount_fen": amount_fen,
        "paid_with": paid_with,
    }
    number = number or agency_number_new(now=now)
    existing = AgencyTransaction.objects.filter(number=number).first()
    if existing is not None:
        if _same_request(existing, **request):
            return existing
        raise Conflict(
            "number_taken", _("流水号 %(number)s 已用于另一笔业务") % {"number": number}, field="number"
        )
    if paid_with == PaidWith.CASH:
        if not outlet.has_cash_counter or not outlet.is_active:
            raise Conflict("outlet_has_no_cash_counter", _("该网点没有现金柜台"), field="paid_with")
        cash = counter_cash_admit(
            outlet=outlet,
            amount_fen=customer_fen,
            cash_in=not service.is_payout,
            transfer_id=f"agency:{number}:customer",
            now=now,
        )
        customer_account = cash.code
        cash.refresh_from_db()  # read under the drawer's lock, not before it
        if service.is_payout and cash.balance_fen < customer_fen:
            raise Conflict(
                "exceeds_debits",
                _("本站现金不足：钱箱账面现有 %(cash)s，本笔要付 %(pay)s")
                % {"cash": format_fen(cash.balance_fen), "pay": format_fen(customer_fen)},
                field="amount_fen",
            )
    else:
        assert customer is not None
        customer_account = wallet_open(user=customer).code
    business_on = timezone.localdate(now)
    if service.is_payout:
        _payee_day_take(
            service=service, account_hash=account_hash, amount_fen=amount_fen, business_on=business_on
        )
    transfers_book(
        _bookings(
            number=number,
            outlet=outlet,
            service=service,
            customer_account=customer_account,
            customer_fen=customer_fen,
            station_fee_fen=amounts.station_fee_fen,
            platform_fee_fen=amounts.platform_fee_fen,
        ),
        actor=actor,
        now=now,
    )
    made = AgencyTransaction.objects.create(
        number=number,
        provider=service.provider,
        direction=service.direction,
        account_display=account_display(kind=service.account_kind, account=normalised),
        customer_name=customer_name.strip()[:40],
        customer=customer,
        fee_fen=amounts.fee_fen,
        fee_payer=service.fee_payer,
        station_fee_fen=amounts.station_fee_fen,
        platform_fee_fen=amounts.platform_fee_fen,
        customer_fen=customer_fen,
        provider_fen=amounts.provider_fen,
        occurred_at=now,
        business_on=business_on,
        operator=actor,
        **request,
    )
    event_append(AGENCY_TRANSACTED, made.number, at=now)
    return made


@transaction.atomic
def agency_transaction_reverse(
    *,
    number: str,
    actor: Actor,
    reason: str,
    now: datetime.datetime | None = None,
) -> AgencyTransaction:
    """Reverse (冲正) a transaction made by mistake, at the counter on its own business day before the day
    is closed: every transfer booked the other way (cash back to the customer, or back into the
    drawer), and a pay-out no longer counts toward the person's daily limit.

    Raises
    ------
    PermissionRefused
        ``not_allowed`` without ``agency.operate`` at the transaction's outlet.
    NotFound
        ``unknown_transaction`` (``number``).
    ValidationFailed
        ``reason_required`` (``reason``).
    Conflict
        ``already_reversed``; ``not_today`` (only on the transaction's business day); ``day_closed``;
        ``exceeds_debits`` when the drawer no longer holds the cash to hand back. Nothing is written
        when refused.
    """
    now = now or timezone.now()
    found = (
        AgencyTransaction.objects.select_related("outlet", "service__provider").filter(number=number).first()
    )
    if found is None:
        raise NotFound("unknown_transaction", _("没有这笔代理业务"), field="number")
    if not user_can_at(actor, Permission.AGENCY_OPERATE, found.outlet):
        raise PermissionRefused("not_allowed", _("只能在自己的站点办理代理业务"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("reason_required", _("请写明冲正原因"), field="reason")
    outlet = found.outlet
    if found.paid_with == PaidWith.CASH:
        cash = counter_cash_admit(
            outlet=outlet,
            amount_fen=found.customer_fen,
            cash_in=found.direction == Direction.PAYOUT,
            transfer_id=f"agency:{number}:customer:reversal",
            now=now,
        )
        customer_account = cash.code
    else:
        assert found.customer is not None
        customer_account = wallet_open(user=found.customer).code
    transaction_row = AgencyTransaction.objects.select_for_update().get(pk=found.pk)
    if transaction_row.status == TransactionStatus.REVERSED:
        raise Conflict("already_reversed", _("这笔业务已冲正"), field="number")
    if transaction_row.business_on != timezone.localdate(now):
        raise Conflict("not_today", _("只能冲正当日的业务；以前的差错在对账时处理"), field="number")
    if transaction_row.direction == Direction.PAYOUT and transaction_row.service.daily_limit_per_account_fen:
        PayeeDay.objects.filter(
            service=transaction_row.service,
            account_hash=transaction_row.account_hash,
            business_on=transaction_row.business_on,
        ).update(paid_fen=F("paid_fen") - transaction_row.amount_fen)
    transfers_book(
        _bookings(
            number=number,
            outlet=outlet,
            service=found.service,
            customer_account=customer_account,
            customer_fen=transaction_row.customer_fen,
            station_fee_fen=transaction_row.station_fee_fen,
            platform_fee_fen=transaction_row.platform_fee_fen,
            reverse=True,
        ),
        actor=actor,
        now=now,
    )
    transaction_row.status = TransactionStatus.REVERSED
    transaction_row.reversed_at = now
    transaction_row.reversal_reason = reason[:200]
    transaction_row.save(update_fields=["status", "reversed_at", "reversal_reason"])
    event_append(AGENCY_TRANSACTED, transaction_row.number, at=now)
    return transaction_row
