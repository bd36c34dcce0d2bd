"""Reads of the ledger, scoped to the acting user: accounts, statements, wallets, counters, trial balance."""

import datetime
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Aggregate, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.core.errors import NotFound
from siliu.core.people import person_match
from siliu.core.permissions import Permission, user_can, user_can_at
from siliu.finance import chart
from siliu.finance.models import (
    Account,
    AccountType,
    CashDayClose,
    Entry,
    EntrySide,
    PendingState,
    Transfer,
    TransferKind,
)
from siliu.finance.services import (
    CATEGORY_AGENCY_PAYMENT,
    CATEGORY_AGENCY_PAYOUT,
    CATEGORY_AGENCY_REVERSAL,
    CATEGORY_CASH_IN,
    CATEGORY_CASH_OUT,
    CATEGORY_CASH_OVER_SHORT,
    CATEGORY_LOAN_REPAYMENT,
    CATEGORY_ORDER,
    CATEGORY_SELLER_WITHDRAW,
    COUNTER_CASH_IN_CATEGORIES,
    COUNTER_CASH_OUT_CATEGORIES,
    business_day_bounds,
)
from siliu.network.models import Outlet
from siliu.network.selectors import outlets_scoped


def _sees_whole_ledger(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user_can(user, Permission.LEDGER_READ)


def account_get(*, code: str, actor: AbstractBaseUser | AnonymousUser) -> Account:
    """The account ``code`` as ``actor`` may see it: staff and auditors see all accounts, a user their
    own wallet, an outlet's operator its cash drawer.

    Raises
    ------
    NotFound
        ``account_not_found`` when there is no such account or ``actor`` may not see it (the two are
        not told apart, so account codes cannot be probed).
    """
    account = Account.objects.select_related("owner_user", "owner_outlet").filter(code=code).first()
    if account is not None and actor.is_authenticated:
        if _sees_whole_ledger(actor) or account.owner_user_id == actor.pk:
            return account
        if account.owner_outlet is not None and user_can_at(
            actor, Permission.COUNTER_OPERATE, account.owner_outlet
        ):
            return account
    raise NotFound("account_not_found", _("没有代码为 %(code)s 的账户") % {"code": code}, field="code")


def account_entries(*, account: Account) -> QuerySet[Entry]:
    """The account's statement: posted entries, newest first, each with the balance after it."""
    return (
        Entry.objects.filter(account=account)
        .select_related("transfer", "transfer__debit_account", "transfer__credit_account")
        .order_by("-id")
    )


def account_holds(*, account: Account) -> QuerySet[Transfer]:
    """Pending transfers still reserving money on ``account`` (either side), oldest first."""
    return (
        Transfer.objects.filter(kind=TransferKind.PENDING, state=PendingState.PENDING)
        .filter(Q(debit_account=account) | Q(credit_account=account))
        .select_related("debit_account", "credit_account")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class WalletSummary:
    """A user's wallet; ``account`` is ``None`` until the wallet is first used (balance zero)."""

    code: str
    account: Account | None
    balance_fen: int
    available_fen: int
    pending_out_fen: int
    pending_in_fen: int


def wallet_get(*, user: AbstractBaseUser) -> WalletSummary:
    """The user's wallet balance, available balance (less pending outflows) and pending amounts."""
    code = chart.wallet_code(user_id=user.pk)
    account = Account.objects.filter(code=code).first()
    if account is None:
        return WalletSummary(code, None, 0, 0, 0, 0)
    return WalletSummary(
        code=code,
        account=account,
        balance_fen=account.balance_fen,
        available_fen=account.available_fen,
        pending_out_fen=account.pending_out_fen,
        pending_in_fen=account.pending_in_fen,
    )


#: What each kind of counter cash is called on the counter page and its day-close report.
_COUNTER_CASH_LABELS = {
    CATEGORY_CASH_IN: gettext_lazy("钱包存入"),
    CATEGORY_ORDER: gettext_lazy("村民订单现金代付"),
    CATEGORY_CASH_OUT: gettext_lazy("钱包支取"),
    CATEGORY_SELLER_WITHDRAW: gettext_lazy("卖家现金提现"),
    CATEGORY_LOAN_REPAYMENT: gettext_lazy("贷款现金还款"),
    CATEGORY_AGENCY_PAYMENT: gettext_lazy("代收缴费"),
    CATEGORY_AGENCY_PAYOUT: gettext_lazy("代付取款"),
}


@dataclass(frozen=True)
class CounterDayLine:
    """One kind of counter cash on a business day: into the drawer (``cash_in``) or out of it."""

    category: str
    label: str
    cash_in: bool
    amount_fen: int
    count: int


@dataclass(frozen=True)
class CounterDay:
    """An outlet counter's business day: cash taken and paid, what the drawer should hold, the close.

    ``lines`` has one line per kind of counter cash, cash in first; the totals are theirs, the same
    that the caps count (:func:`siliu.finance.services.counter_cash_day_total`).
    """

    outlet: Outlet
    business_on: datetime.date
    lines: tuple[CounterDayLine, ...]
    expected_cash_fen: int
    close: CashDayClose | None

    @property
    def is_closed(self) -> bool:
        return self.close is not None

    @property
    def cash_in_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines if line.cash_in)

    @property
    def cash_in_count(self) -> int:
        return sum(line.count for line in self.lines if line.cash_in)

    @property
    def cash_out_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines if not line.cash_in)

    @property
    def cash_out_count(self) -> int:
        return sum(line.count for line in self.lines if not line.cash_in)


def counter_day_get(*, outlet: Outlet, business_on: datetime.date | None = None) -> CounterDay:
    """Counter totals of ``outlet`` for a business day (default today, Asia/Shanghai), by kind.

    Cash in is what the day's cap on cash in counts: wallet top-ups and villagers' orders paid in
    cash; cash out: wallet payouts and sellers' withdrawals paid in cash. ``expected_cash_fen`` is the
    drawer's balance at the end of that day (now, for today).
    """
    business_on = business_on or timezone.localdate()
    start, end = business_day_bounds(business_on)
    account = Account.objects.filter(code=chart.outlet_cash_code(outlet_code=outlet.code)).first()
    kinds = [(category, True) for category in COUNTER_CASH_IN_CATEGORIES] + [
        (category, False) for category in COUNTER_CASH_OUT_CATEGORIES
    ]
    totals: dict[str, int | None] = {}
    if account is not None:
        # Only the drawer's transfers: its foreign-key indexes keep this off the whole day's ledger.
        day = Transfer.objects.filter(
            Q(debit_account=account) | Q(credit_account=account), created_at__gte=start, created_at__lt=end
        )
        aggregates: dict[str, Aggregate] = {}
        for category, cash_in in kinds:
            side = Q(debit_account=account) if cash_in else Q(credit_account=account)
            aggregates[f"{category}_fen"] = Sum("amount_fen", filter=Q(side, category=category))
            aggregates[f"{category}_count"] = Count("pk", filter=Q(side, category=category))
        totals = day.aggregate(**aggregates)
        last = Entry.objects.filter(account=account, created_at__lt=end).order_by("-id").first()
        expected = last.balance_fen if last is not None else 0
    else:
        expected = 0
    return CounterDay(
        outlet=outlet,
        business_on=business_on,
        lines=tuple(
            CounterDayLine(
                category=category,
                label=str(_COUNTER_CASH_LABELS[category]),
                cash_in=cash_in,
                amount_fen=totals.get(f"{category}_fen") or 0,
                count=totals.get(f"{category}_count") or 0,
            )
            for category, cash_in in kinds
        ),
        expected_cash_fen=expected,
        close=CashDayClose.objects.filter(outlet=outlet, business_on=business_on)
        .select_related("closed_by")
        .first(),
    )


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name: str
    type: str
    account_count: int
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int

    @property
    def type_label(self) -> str:
        return str(AccountType(self.type).label)

    @property
    def debit_balance_fen(self) -> int:
        """The net balance when it is on the debit side, else 0 (the trial balance's debit column)."""
        return max(self.debits_posted - self.credits_posted, 0)

    @property
    def credit_balance_fen(self) -> int:
        return max(self.credits_posted - self.debits_posted, 0)


@dataclass(frozen=True)
class TrialBalance:
    rows: list[TrialBalanceRow]

    @property
    def total_debits_posted(self) -> int:
        return sum(row.debits_posted for row in self.rows)

    @property
    def total_credits_posted(self) -> int:
        return sum(row.credits_posted for row in self.rows)

    @property
    def total_debits_pending(self) -> int:
        return sum(row.debits_pending for row in self.rows)

    @property
    def total_credits_pending(self) -> int:
        return sum(row.credits_pending for row in self.rows)

    @property
    def total_debit_balance_fen(self) -> int:
        return sum(row.debit_balance_fen for row in self.rows)

    @property
    def total_credit_balance_fen(self) -> int:
        return sum(row.credit_balance_fen for row in self.rows)

    @property
    def is_balanced(self) -> bool:
        """Total debits equal total credits, posted and pending (true by construction; audited here)."""
        return (
            self.total_debits_posted == self.total_credits_posted
            and self.total_debits_pending == self.total_credits_pending
        )


_GROUPS = {
    chart.WALLET_PREFIX: (_("客户钱包"), AccountType.LIABILITY),
    chart.OUTLET_CASH_PREFIX: (_("网点现金"), AccountType.ASSET),
}


def trial_balance() -> TrialBalance:
    """Every account's posted and pending totals; wallets and outlet cash drawers summed as one row each.

    Only for staff and auditors (the API and page check the role).
    """
    grouped: dict[str, list[int]] = {}
    names: dict[str, tuple[str, str]] = {}
    for code, name, type_, *counters in Account.objects.values_list(
        "code", "name", "type", "debits_posted", "credits_posted", "debits_pending", "credits_pending"
    ).order_by("code"):
        key = code
        for prefix, (group_name, group_type) in _GROUPS.items():
            if code.startswith(prefix):
                key, name, type_ = f"{prefix}*", str(group_name), group_type
        sums = grouped.setdefault(key, [0, 0, 0, 0, 0])
        sums[0] += 1
        for position, value in enumerate(counters, start=1):
            sums[position] += value
        names[key] = (name, type_)
    return TrialBalance(
        rows=[
            TrialBalanceRow(key, names[key][0], names[key][1], *sums) for key, sums in sorted(grouped.items())
        ]
    )


def counter_outlets(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Outlet]:
    """Outlets with a cash counter that ``user`` may operate (``counter.operate``: everywhere, or at
    the outlets they operate)."""
    outlets = Outlet.objects.filter(has_cash_counter=True, is_active=True).order_by("code")
    return outlets_scoped(outlets, user=user, permission=Permission.COUNTER_OPERATE)


#: What each kind of drawer movement is called on the counter's list and receipts (never the code).
_DRAWER_KIND_LABELS = {
    **_COUNTER_CASH_LABELS,
    CATEGORY_ORDER: gettext_lazy("代购订单收现"),
    CATEGORY_CASH_OVER_SHORT: gettext_lazy("日结长短款"),
    "postage": gettext_lazy("邮资收现"),
    "cod": gettext_lazy("代收货款"),
    CATEGORY_AGENCY_REVERSAL: gettext_lazy("代理业务冲正"),
}


@dataclass(frozen=True)
class DrawerLine:
    """One movement of an outlet's drawer, as the counter lists it and a receipt prints it.

    ``amount_fen`` is positive; ``cash_in`` says its direction; ``balance_fen`` is the drawer's book
    balance after it (the ledger's running balance). ``customer`` is the villager, masked, when the
    other side is a wallet; ``detail`` the order number for an order.
    """

    transfer_id: str
    at: datetime.datetime
    kind: str
    cash_in: bool
    amount_fen: int
    balance_fen: int
    customer: str
    detail: str
    operator: str


@dataclass(frozen=True)
class Drawer:
    """An outlet's drawer over a business day: opening balance, each movement, the totals."""

    outlet: Outlet
    business_on: datetime.date
    opening_fen: int
    lines: tuple[DrawerLine, ...]

    @property
    def cash_in_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines if line.cash_in)

    @property
    def cash_out_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines if not line.cash_in)

    @property
    def closing_fen(self) -> int:
        """The book balance at the end of the day (after its last movement): opening + in − out."""
        return self.lines[-1].balance_fen if self.lines else self.opening_fen


def _drawer_line(entry: Entry, cash: Account) -> DrawerLine:
    transfer = entry.transfer
    other = transfer.credit_account if transfer.debit_account_id == cash.pk else transfer.debit_account
    customer = ""
    if other.owner_user is not None:
        match = person_match(other.owner_user)
        customer = " ".join(part for part in (match.name, match.phone) if part)
    detail = ""
    if transfer.reference.startswith("order:"):
        detail = _("订单 %(number)s") % {"number": transfer.reference.removeprefix("order:")}
    elif transfer.reference.startswith("agency:"):
        detail = _("代理业务 %(number)s") % {"number": transfer.reference.removeprefix("agency:")}
    elif transfer.reference.startswith("loan:"):
        detail = _("贷款 %(number)s") % {"number": transfer.reference.removeprefix("loan:")}
    label = _DRAWER_KIND_LABELS.get(transfer.category)
    cash_in = entry.side == EntrySide.DEBIT
    if transfer.category == CATEGORY_CASH_OVER_SHORT:
        label = gettext_lazy("日结长款") if cash_in else gettext_lazy("日结短款")
    operator = transfer.created_by
    return DrawerLine(
        transfer_id=transfer.pk,
        at=entry.created_at,
        kind=str(label or (_("其他现金收入") if cash_in else _("其他现金支出"))),
        cash_in=cash_in,
        amount_fen=entry.amount_fen,
        balance_fen=entry.balance_fen,
        customer=customer,
        detail=detail,
        operator=(f"{operator.last_name}{operator.first_name}" or operator.get_username())
        if operator
        else "",
    )


def _drawer_entries(cash: Account) -> QuerySet[Entry]:
    return Entry.objects.filter(account=cash).select_related(
        "transfer__created_by",
        "transfer__debit_account__owner_user__profile",
        "transfer__credit_account__owner_user__profile",
    )


def counter_drawer_get(*, outlet: Outlet, business_on: datetime.date | None = None) -> Drawer:
    """The movements of ``outlet``'s drawer on a business day (default today, Asia/Shanghai), oldest
    first, each with the book balance after it; the opening balance is the balance after the last
    movement before the day. The caller checks that the actor may see this outlet's counter.
    """
    business_on = business_on or timezone.localdate()
    cash = Account.objects.filter(code=chart.outlet_cash_code(outlet_code=outlet.code)).first()
    if cash is None:
        return Drawer(outlet=outlet, business_on=business_on, opening_fen=0, lines=())
    start, end = business_day_bounds(business_on)
    before = Entry.objects.filter(account=cash, created_at__lt=start).order_by("-id").first()
    entries = _drawer_entries(cash).filter(created_at__gte=start, created_at__lt=end).order_by("id")
    return Drawer(
        outlet=outlet,
        business_on=business_on,
        opening_fen=before.balance_fen if before is not None else 0,
        lines=tuple(_drawer_line(entry, cash) for entry in entries),
    )


def counter_line_get(*, outlet: Outlet, transfer_id: str) -> DrawerLine:
    """One movement of ``outlet``'s drawer, for its receipt.

    Raises
    ------
    NotFound
        ``transaction_not_found`` when the transfer did not move this outlet's drawer.
    """
    cash = Account.objects.filter(code=chart.outlet_cash_code(outlet_code=outlet.code)).first()
    entry = _drawer_entries(cash).filter(transfer_id=transfer_id).first() if cash is not None else None
    if entry is None or cash is None:
        raise NotFound("transaction_not_found", _("本网点没有这笔现金业务"), field="transfer_id")
    return _drawer_line(entry, cash)


@dataclass(frozen=True)
class DayCloseReport:
    """The day close (日结) report: the drawer's day and, once counted, the count and its difference."""

    drawer: Drawer
    close: CashDayClose | None
    counted_fen: int | None = None

    @property
    def expected_fen(self) -> int:
        return self.close.expected_cash_fen if self.close else self.drawer.closing_fen

    @property
    def difference_fen(self) -> int | None:
        if self.close:
            return self.close.difference_fen
        return None if self.counted_fen is None else self.counted_fen - self.expected_fen

    @property
    def needs_sign_off(self) -> bool:
        """Whether the difference is over ``SILIU_DAY_CLOSE_SIGNOFF_FEN`` (a county manager signs off)."""
        difference = self.difference_fen
        return difference is not None and abs(difference) > settings.SILIU_DAY_CLOSE_SIGNOFF_FEN


def day_close_report(
    *, outlet: Outlet, business_on: datetime.date, counted_fen: int | None = None
) -> DayCloseReport:
    """The report of ``outlet``'s business day for its close: opening, cash in, cash out, expected,
    and (``counted_fen`` before the close, the close's own figures after it) counted and difference."""
    close = (
        CashDayClose.objects.filter(outlet=outlet, business_on=business_on)
        .select_related("closed_by", "sign_off__signed_off_by")
        .first()
    )
    drawer = counter_drawer_get(outlet=outlet, business_on=business_on)
    if close is not None and close.adjustment_transfer_id:
        # The close's own adjustment is the count, not the day's business.
        drawer = Drawer(
            outlet=outlet,
            business_on=business_on,
            opening_fen=drawer.opening_fen,
            lines=tuple(line for line in drawer.lines if line.transfer_id != close.adjustment_transfer_id),
        )
    return DayCloseReport(drawer=drawer, close=close, counted_fen=counted_fen)


def day_closes_pending(*, actor: AbstractBaseUser | AnonymousUser) -> QuerySet[CashDayClose]:
    """Day closes waiting for ``actor``'s sign-off: over the limit, not signed off, at the outlets
    where ``actor`` holds ``counter.sign_off`` (a county manager: their county), oldest first."""
    outlets = outlets_scoped(Outlet.objects.all(), user=actor, permission=Permission.COUNTER_SIGN_OFF)
    return (
        CashDayClose.objects.filter(needs_sign_off=True, sign_off__isnull=True, outlet__in=outlets)
        .select_related("outlet", "closed_by")
        .order_by("business_on", "outlet__code")
    )


def account_inflow_months(
    *, codes: Collection[str], since: datetime.datetime, until: datetime.datetime
) -> set[datetime.date]:
    """The months (their first day, in the business time zone) in which money came into any of the
    accounts ``codes`` (a credit entry: wallets and payables are liabilities) in ``[since, until)``."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return {
        created_at.astimezone(zone).date().replace(day=1)
        for created_at in Entry.objects.filter(
            account__code__in=codes, side=EntrySide.CREDIT, created_at__gte=since, created_at__lt=until
        ).values_list("created_at", flat=True)
    }


def wallet_balances(*, user_ids: Collection[int]) -> dict[int, int]:
    """What each of ``user_ids``' wallets holds and may spend now (posted credits less posted and
    pending debits), in fen; users without a wallet are left out. One query (lending's nightly run)."""
    codes = {chart.wallet_code(user_id=user_id): user_id for user_id in user_ids}
    rows = Account.objects.filter(code__in=codes).values_list(
        "code", "credits_posted", "debits_posted", "debits_pending"
    )
    return {codes[code]: credits - debits - pending for code, credits, debits, pending in rows}
