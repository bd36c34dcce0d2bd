"""Writes to the ledger: transfers (single, batched, two-phase), wallets, counter cash, daily close.

Every write goes through one engine, :func:`transfers_create_batch`, which works like TigerBeetle's
``create_transfers``: in one database transaction it locks every account the batch touches in
ascending id order (``SELECT … ORDER BY id FOR UPDATE``), then every pending transfer it resolves,
applies the transfers one by one to the locked rows in memory, and writes the transfers, their
entries and the new counters in a handful of statements. A linked chain whose member fails is
undone in memory before anything is written, so it leaves no trace. The database checks the result
again (``CheckConstraint``s; triggers on PostgreSQL).

The engine has two implementations with one behaviour (ADR 0002): :func:`_evaluate` in Python, used
on SQLite, and on PostgreSQL the PL/pgSQL function ``siliu_create_transfers`` (migration
``0004_postgres_transfer_engine``), called by :func:`_evaluate_in_postgresql` in one statement. The
same tests run against both, and ``tests/test_engines.py`` compares them on random batches.

Idempotency: a transfer's id is chosen by the client and is its primary key. Sending an id again with
the same fields returns the stored transfer (status ``exists``); with other fields it is refused
(``exists_with_different_fields``). When two first sends of one id race on PostgreSQL, the loser's
insert fails on the primary key, which undoes its attempt (its own statement, or its savepoint), and
the whole batch is evaluated again, now seeing the winner's row.
"""

import datetime
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Final

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.bulk import insert_rows, update_rows
from siliu.core.errors import Conflict, DomainError, NotFound, PermissionRefused, ValidationFailed
from siliu.core.events import CASH_MOVED, events_append
from siliu.core.money import MAX_AMOUNT_FEN, format_fen
from siliu.core.permissions import Permission, user_can_at
from siliu.core.roles import Actor, acting_user
from siliu.finance import chart
from siliu.finance.models import (
    TRANSFER_ID_PATTERN,
    Account,
    AccountType,
    CashDayClose,
    CashDayCloseSignOff,
    Entry,
    EntrySide,
    PendingState,
    Transfer,
    TransferKind,
)
from siliu.network.models import Outlet

#: Most transfers one batch may carry (TigerBeetle's batches are ~8,000; ours are one SQL transaction).
BATCH_LIMIT: Final = 1000
_COUNTER_MAX: Final = 2**63 - 1
#: Attempts when a concurrent first send of the same id wins the insert race.
_ATTEMPTS: Final = 3

CATEGORY_CASH_IN: Final = "cash_in"
CATEGORY_CASH_OUT: Final = "cash_out"
CATEGORY_CASH_OVER_SHORT: Final = "cash_over_short"
#: The category commerce books orders under; a villager's order paid in cash debits the station's drawer.
CATEGORY_ORDER: Final = "order"
#: The category commerce books sellers' withdrawals under; one paid in cash credits the outlet's drawer.
CATEGORY_SELLER_WITHDRAW: Final = "seller_withdraw"
#: The category lending books repayments under; one paid in cash at the counter debits the drawer.
CATEGORY_LOAN_REPAYMENT: Final = "loan_repayment"
#: Cash taken into a drawer at the counter, counted toward the day's cap on cash in.
#: The categories agency books under (:mod:`siliu.agency`): a payment taken at the counter (cash into the
#: drawer, or a wallet), a pay-out (cash out of the drawer), the fee's split between station and platform,
#: a reversal, and a provider's settlement.
CATEGORY_AGENCY_PAYMENT: Final = "agency_payment"
CATEGORY_AGENCY_PAYOUT: Final = "agency_payout"
CATEGORY_AGENCY_FEE: Final = "agency_fee"
CATEGORY_AGENCY_REVERSAL: Final = "agency_reversal"
CATEGORY_AGENCY_SETTLEMENT: Final = "agency_settlement"
COUNTER_CASH_IN_CATEGORIES: Final = (
    CATEGORY_CASH_IN,
    CATEGORY_ORDER,
    CATEGORY_LOAN_REPAYMENT,
    CATEGORY_AGENCY_PAYMENT,
)
#: Cash paid out of a drawer at the counter, counted toward the day's cap on cash out.
COUNTER_CASH_OUT_CATEGORIES: Final = (CATEGORY_CASH_OUT, CATEGORY_SELLER_WITHDRAW, CATEGORY_AGENCY_PAYOUT)


@dataclass(frozen=True)
class TransferRequest:
    """One transfer as a client asks for it; accounts are named by code.

    For ``post_pending`` and ``void_pending`` the accounts may be left out (they are the pending
    transfer's) and so may ``amount_fen`` (post the full amount / void it all).
    """

    id: str
    debit_account: str | None = None
    credit_account: str | None = None
    amount_fen: int | None = None
    kind: TransferKind = TransferKind.POSTED
    pending_id: str | None = None
    linked: bool = False
    timeout_seconds: int = 0
    category: str = ""
    reference: str = ""


@dataclass(frozen=True)
class TransferResult:
    """What became of one request: ``status`` is ``created``, ``exists`` or the error's code."""

    index: int
    id: str
    status: str
    transfer: Transfer | None = None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# ---------------------------------------------------------------------------------------------------
# Accounts


def system_account(*, code: str) -> Account:
    """The platform account ``code`` from the chart, created if a flushed database lacks it.

    Raises
    ------
    NotFound
        ``account_not_found`` for a code that is not in the chart of accounts.
    """
    spec = chart.SYSTEM_ACCOUNTS_BY_CODE.get(code)
    if spec is None:
        raise NotFound("account_not_found", _("没有代码为 %(code)s 的账户") % {"code": code}, field="code")
    account, _created = Account.objects.get_or_create(
        code=spec.code,
        defaults={"name": str(spec.name), "type": spec.type, "allows_negative": spec.allows_negative},
    )
    return account


def wallet_open(*, user: AbstractBaseUser) -> Account:
    """The user's wallet (a liability: what the platform owes the user), opened on first use.

    A wallet never goes negative: spending more than it holds is refused with ``exceeds_credits``.
    """
    account, _created = Account.objects.get_or_create(
        code=chart.wallet_code(user_id=user.pk),
        defaults={
            "name": _("%(user)s 的钱包") % {"user": user.get_username()},
            "type": AccountType.LIABILITY,
            "owner_user": user,
            "allows_negative": False,
        },
    )
    return account


def outlet_cash_open(*, outlet: Outlet) -> Account:
    """The outlet's cash drawer (an asset), opened on first use; it cannot hold less than nothing."""
    account, _created = Account.objects.get_or_create(
        code=chart.outlet_cash_code(outlet_code=outlet.code),
        defaults={
            "name": _("%(outlet)s 现金") % {"outlet": outlet.name},
            "type": AccountType.ASSET,
            "owner_outlet": outlet,
            "allows_negative": False,
        },
    )
    return account


def account_open(
    *,
    code: str,
    name: str,
    type: AccountType,
    allows_negative: bool = False,
    owner_reference: str = "",
    owner_outlet: Outlet | None = None,
) -> Account:
    """Open an account for another flow's object (an order's escrow, a loan), or return it if open.

    Raises
    ------
    Conflict
        ``account_exists_with_different_fields`` when ``code`` is taken by a different account.
    """
    account, created = Account.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "type": type,
            "allows_negative": allows_negative,
            "owner_reference": owner_reference,
            "owner_outlet": owner_outlet,
        },
    )
    if not created and (account.type, account.allows_negative, account.owner_reference) != (
        type,
        allows_negative,
        owner_reference,
    ):
        raise Conflict(
            "account_exists_with_different_fields",
            _("账户 %(code)s 已存在且属性不同") % {"code": code},
            field="code",
        )
    return account


def _lock_accounts(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock accounts in ascending id order, so that two transactions never wait on each other in a ring."""
    return {
        account.pk: account
        for account in Account.objects.filter(pk__in=set(account_ids)).order_by("pk").select_for_update()
    }


# ---------------------------------------------------------------------------------------------------
# The transfer engine

_MESSAGES = {
    "invalid_id": _("转账编号只能包含字母、数字和 . _ : -，最长 64 个字符"),
    "amount_must_be_positive": _("金额必须是大于 0 的整数（分）"),
    "amount_too_large": _("金额超出上限"),
    "accounts_must_be_different": _("借方和贷方不能是同一个账户"),
    "debit_account_required": _("需要借方账户"),
    "credit_account_required": _("需要贷方账户"),
    "pending_id_required": _("确认或撤销预留时需要 pending_id"),
    "pending_id_must_be_empty": _("只有确认或撤销预留时才能填写 pending_id"),
    "pending_id_must_be_different": _("pending_id 不能等于本笔转账的编号"),
    "timeout_reserved_for_pending_transfer": _("只有预留转账可以设置超时"),
    "debit_account_not_found": _("借方账户不存在"),
    "credit_account_not_found": _("贷方账户不存在"),
    "exists_with_different_fields": _("该编号的转账已存在，但内容不同"),
    "exceeds_credits": _("余额不足"),
    "exceeds_debits": _("账户余额不足（不得为负）"),
    "overflows_account": _("账户累计金额溢出"),
    "pending_transfer_not_found": _("要确认或撤销的预留转账不存在"),
    "pending_transfer_not_pending": _("该转账不是预留转账"),
    "pending_transfer_already_posted": _("该预留转账已确认"),
    "pending_transfer_already_voided": _("该预留转账已撤销"),
    "pending_transfer_expired": _("该预留转账已过期"),
    "pending_transfer_has_different_debit_account": _("借方账户与预留转账不一致"),
    "pending_transfer_has_different_credit_account": _("贷方账户与预留转账不一致"),
    "exceeds_pending_transfer_amount": _("确认金额超过预留金额"),
    "pending_transfer_has_different_amount": _("撤销金额必须等于预留金额"),
    "linked_event_failed": _("关联的另一笔转账失败，本笔未执行"),
    "linked_event_chain_open": _("批次最后一笔不能标记为关联（关联链未结束）"),
}

_ERROR_CLASSES: dict[str, type[DomainError]] = {
    "debit_account_not_found": NotFound,
    "credit_account_not_found": NotFound,
    "pending_transfer_not_found": NotFound,
    "exists_with_different_fields": Conflict,
    "exceeds_credits": Conflict,
    "exceeds_debits": Conflict,
    "overflows_account": Conflict,
    "pending_transfer_not_pending": Conflict,
    "pending_transfer_already_posted": Conflict,
    "pending_transfer_already_voided": Conflict,
    "pending_transfer_expired": Conflict,
    "linked_event_failed": Conflict,
}

_FIELDS = {
    "invalid_id": "id",
    "amount_must_be_positive": "amount_fen",
    "amount_too_large": "amount_fen",
    "accounts_must_be_different": "credit_account",
    "debit_account_required": "debit_account",
    "credit_account_required": "credit_account",
    "pending_id_required": "pending_id",
    "pending_id_must_be_empty": "pending_id",
    "pending_id_must_be_different": "pending_id",
    "timeout_reserved_for_pending_transfer": "timeout_seconds",
    "debit_account_not_found": "debit_account",
    "credit_account_not_found": "credit_account",
    "exceeds_pending_transfer_amount": "amount_fen",
    "pending_transfer_has_different_amount": "amount_fen",
    "pending_transfer_has_different_debit_account": "debit_account",
    "pending_transfer_has_different_credit_account": "credit_account",
    "pending_transfer_not_found": "pending_id",
}


def transfer_error(code: str) -> DomainError:
    """The :class:`DomainError` for a transfer result code (HTTP status follows its class)."""
    error_class = _ERROR_CLASSES.get(code, ValidationFailed)
    return error_class(code, str(_MESSAGES[code]), field=_FIELDS.get(code))


def _shape_error(request: TransferRequest) -> str | None:
    """The first problem visible without the database, TigerBeetle's order of checks, or ``None``."""
    if not isinstance(request.id, str) or not transfer_id_is_valid(request.id):
        return "invalid_id"
    resolves = request.kind in (TransferKind.POST_PENDING, TransferKind.VOID_PENDING)
    amount = request.amount_fen
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0):
        return "amount_must_be_positive"
    if amount is not None and amount > MAX_AMOUNT_FEN:
        return "amount_too_large"
    if request.debit_account is not None and request.debit_account == request.credit_account:
        return "accounts_must_be_different"
    if request.timeout_seconds and request.kind != TransferKind.PENDING:
        return "timeout_reserved_for_pending_transfer"
    if resolves:
        if not request.pending_id:
            return "pending_id_required"
        if request.pending_id == request.id:
            return "pending_id_must_be_different"
        return None
    if request.pending_id:
        return "pending_id_must_be_empty"
    if not request.debit_account:
        return "debit_account_required"
    if not request.credit_account:
        return "credit_account_required"
    if amount is None:
        return "amount_must_be_positive"
    return None


#: :data:`~siliu.finance.models.TRANSFER_ID_PATTERN` without its anchors, for ``fullmatch``.
_TRANSFER_ID = re.compile(TRANSFER_ID_PATTERN.removeprefix("^").removesuffix("$"))


def transfer_id_is_valid(transfer_id: str) -> bool:
    """Whether ``transfer_id`` is a valid client-chosen id (the database checks the same pattern)."""
    return _TRANSFER_ID.fullmatch(transfer_id) is not None


class _Failed(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


class _Relock(Exception):
    """A pending transfer committed meanwhile names accounts we hold no lock on: start again."""

    def __init__(self, account_ids: set[int]) -> None:
        self.account_ids = account_ids


_COUNTERS = ("debits_posted", "credits_posted", "debits_pending", "credits_pending")


@dataclass
class _Batch:
    """The in-memory state of one batch: locked accounts, known transfers, what to write."""

    now: datetime.datetime
    created_by: AbstractBaseUser | None
    accounts_by_code: dict[str, Account]
    accounts_by_id: dict[int, Account]
    known: dict[str, Transfer]
    new_transfers: list[Transfer] = field(default_factory=list)
    new_entries: list[Entry] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)
    resolved: dict[str, str] = field(default_factory=dict)
    # Undo log of the current chain: (account id, counters) and (pending id, previous resolution).
    # An account touched only by an undone chain stays in ``touched``: rewriting its counters is harmless.
    saved_counters: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    saved_resolutions: dict[str, str | None] = field(default_factory=dict)

    def begin_chain(self) -> tuple[int, int]:
        self.saved_counters.clear()
        self.saved_resolutions.clear()
        return len(self.new_transfers), len(self.new_entries)

    def rollback_chain(self, mark: tuple[int, int]) -> None:
        for account_id, counters in self.saved_counters.items():
            account = self.accounts_by_id[account_id]
            (
                account.debits_posted,
                account.credits_posted,
                account.debits_pending,
                account.credits_pending,
            ) = counters
        for pending_id, previous in self.saved_resolutions.items():
            if previous is None:
                self.resolved.pop(pending_id, None)
            else:
                self.resolved[pending_id] = previous
        for transfer in self.new_transfers[mark[0] :]:
            self.known.pop(transfer.id, None)
        del self.new_transfers[mark[0] :]
        del self.new_entries[mark[1] :]

    def change(self, account: Account, **deltas: int) -> None:
        if account.pk not in self.saved_counters:
            self.saved_counters[account.pk] = (
                account.debits_posted,
                account.credits_posted,
                account.debits_pending,
                account.credits_pending,
            )
        for name, delta in deltas.items():
            value = getattr(account, name) + delta
            if value > _COUNTER_MAX:
                raise _Failed("overflows_account")
            setattr(account, name, value)
        self.touched.add(account.pk)

    def resolve(self, pending: Transfer, state: str) -> None:
        if pending.id not in self.saved_resolutions:
            self.saved_resolutions[pending.id] = self.resolved.get(pending.id)
        self.resolved[pending.id] = state

    def state_of(self, pending: Transfer) -> str:
        return self.resolved.get(pending.id, pending.state)

    def post(self, transfer: Transfer, debit: Account, credit: Account, amount: int) -> None:
        self.change(debit, debits_posted=amount)
        self.change(credit, credits_posted=amount)
        for account, side in ((debit, EntrySide.DEBIT), (credit, EntrySide.CREDIT)):
            self.new_entries.append(
                Entry(
                    account=account,
                    transfer=transfer,
                    side=side,
                    amount_fen=amount,
                    balance_fen=account.balance_fen,
                    created_at=self.now,
                )
            )


def _same_fields(existing: Transfer, request: TransferRequest, batch: _Batch) -> bool:
    """Whether a retry asks for exactly what ``existing`` did (omitted optional fields match anything)."""
    if (
        existing.kind != request.kind
        or existing.pending_transfer_id != (request.pending_id or None)
        or existing.linked != request.linked
        or existing.timeout_seconds != request.timeout_seconds
        or existing.category != request.category
        or existing.reference != request.reference
    ):
        return False
    if request.amount_fen is not None and existing.amount_fen != request.amount_fen:
        return False
    for code, account_id in (
        (request.debit_account, existing.debit_account_id),
        (request.credit_account, existing.credit_account_id),
    ):
        if code is not None:
            account = batch.accounts_by_code.get(code)
            if account is None or account.pk != account_id:
                return False
    return True


def _apply(request: TransferRequest, batch: _Batch) -> tuple[str, Transfer]:
    """Apply one request to the batch's in-memory state; raise :class:`_Failed` with a result code."""
    existing = batch.known.get(request.id)
    if existing is not None:
        if _same_fields(existing, request, batch):
            return "exists", existing
        raise _Failed("exists_with_different_fields")

    pending: Transfer | None = None
    if request.kind in (TransferKind.POST_PENDING, TransferKind.VOID_PENDING):
        assert request.pending_id is not None
        pending = batch.known.get(request.pending_id)
        if pending is None:
            raise _Failed("pending_transfer_not_found")
        if pending.kind != TransferKind.PENDING:
            raise _Failed("pending_transfer_not_pending")
        debit = batch.accounts_by_id[pending.debit_account_id]
        credit = batch.accounts_by_id[pending.credit_account_id]
        if request.debit_account is not None and request.debit_account != debit.code:
            raise _Failed("pending_transfer_has_different_debit_account")
        if request.credit_account is not None and request.credit_account != credit.code:
            raise _Failed("pending_transfer_has_different_credit_account")
        state = batch.state_of(pending)
        if state == PendingState.POSTED:
            raise _Failed("pending_transfer_already_posted")
        if state == PendingState.VOIDED:
            raise _Failed("pending_transfer_already_voided")
        if state == PendingState.EXPIRED or (
            pending.expires_at is not None and pending.expires_at <= batch.now
        ):
            raise _Failed("pending_transfer_expired")
        if request.kind == TransferKind.POST_PENDING:
            amount = pending.amount_fen if request.amount_fen is None else request.amount_fen
            if amount > pending.amount_fen:
                raise _Failed("exceeds_pending_transfer_amount")
        else:
            amount = pending.amount_fen
            if request.amount_fen is not None and request.amount_fen != pending.amount_fen:
                raise _Failed("pending_transfer_has_different_amount")
    else:
        assert request.debit_account is not None and request.credit_account is not None
        assert request.amount_fen is not None
        maybe_debit = batch.accounts_by_code.get(request.debit_account)
        if maybe_debit is None:
            raise _Failed("debit_account_not_found")
        maybe_credit = batch.accounts_by_code.get(request.credit_account)
        if maybe_credit is None:
            raise _Failed("credit_account_not_found")
        debit, credit = maybe_debit, maybe_credit
        amount = request.amount_fen
        # TigerBeetle's debits_must_not_exceed_credits / credits_must_not_exceed_debits, chosen by the
        # account's normal side: only the side that lowers a balance is limited.
        if (
            not debit.allows_negative
            and not debit.is_debit_normal
            and debit.debits_posted + debit.debits_pending + amount > debit.credits_posted
        ):
            raise _Failed("exceeds_credits")
        if (
            not credit.allows_negative
            and credit.is_debit_normal
            and credit.credits_posted + credit.credits_pending + amount > credit.debits_posted
        ):
            raise _Failed("exceeds_debits")

    is_pending = request.kind == TransferKind.PENDING
    transfer = Transfer(
        id=request.id,
        kind=request.kind,
        debit_account_id=debit.pk,
        credit_account_id=credit.pk,
        amount_fen=amount,
        pending_transfer_id=pending.id if pending is not None else None,
        linked=request.linked,
        category=request.category,
        reference=request.reference,
        timeout_seconds=request.timeout_seconds,
        expires_at=(
            batch.now + datetime.timedelta(seconds=request.timeout_seconds)
            if is_pending and request.timeout_seconds
            else None
        ),
        state=PendingState.PENDING if is_pending else "",
        created_by_id=batch.created_by.pk if batch.created_by is not None else None,
        created_at=batch.now,
    )
    if pending is not None:
        batch.change(debit, debits_pending=-pending.amount_fen)
        batch.change(credit, credits_pending=-pending.amount_fen)
        if request.kind == TransferKind.POST_PENDING:
            batch.post(transfer, debit, credit, amount)
            batch.resolve(pending, PendingState.POSTED)
        else:
            batch.resolve(pending, PendingState.VOIDED)
    elif is_pending:
        batch.change(debit, debits_pending=amount)
        batch.change(credit, credits_pending=amount)
    else:
        batch.post(transfer, debit, credit, amount)
    batch.new_transfers.append(transfer)
    batch.known[transfer.id] = transfer
    return "created", transfer


def _chains(requests: Sequence[TransferRequest]) -> list[list[int]]:
    """Indexes grouped into chains: a linked request chains to the next; an unlinked one ends a chain."""
    chains: list[list[int]] = []
    current: list[int] = []
    for index, request in enumerate(requests):
        current.append(index)
        if not request.linked:
            chains.append(current)
            current = []
    if current:
        chains.append(current)
    return chains


def _evaluate(
    requests: Sequence[TransferRequest],
    *,
    now: datetime.datetime,
    created_by: AbstractBaseUser | None,
    extra_account_ids: set[int],
) -> list[TransferResult]:
    """Lock, apply in memory, write. Runs inside a transaction (or savepoint) opened by the caller."""
    results: list[TransferResult | None] = [None] * len(requests)
    shape = [_shape_error(request) for request in requests]

    ids = {request.id for index, request in enumerate(requests) if shape[index] is None}
    pending_ids = {
        request.pending_id
        for index, request in enumerate(requests)
        if shape[index] is None and request.pending_id
    }
    codes: set[str] = set()
    for index, request in enumerate(requests):
        if shape[index] is None:
            codes.update(code for code in (request.debit_account, request.credit_account) if code)
    # One statement locks every account named by code, and those of the pending transfers resolved
    # here (a transfer's accounts never change), in ascending id order.
    wanted = Q(code__in=codes) | Q(pk__in=extra_account_ids)
    if pending_ids:
        resolved_here = Transfer.objects.filter(pk__in=pending_ids)
        wanted |= Q(pk__in=resolved_here.values("debit_account_id"))
        wanted |= Q(pk__in=resolved_here.values("credit_account_id"))
    accounts_by_id = {
        account.pk: account for account in Account.objects.filter(wanted).order_by("pk").select_for_update()
    }
    known = {
        transfer.id: transfer
        for transfer in Transfer.objects.filter(pk__in=ids | pending_ids).order_by("pk").select_for_update()
    }
    # A pending transfer that committed after the first read may name accounts not locked yet; taking
    # them now would break the ascending order, so roll back to the savepoint and start again.
    missing = {
        account_id
        for pending_id in pending_ids
        if pending_id in known
        for account_id in (known[pending_id].debit_account_id, known[pending_id].credit_account_id)
        if account_id not in accounts_by_id
    }
    if missing:
        raise _Relock(missing | set(accounts_by_id))
    batch = _Batch(
        now=now,
        created_by=created_by,
        accounts_by_code={account.code: account for account in accounts_by_id.values()},
        accounts_by_id=accounts_by_id,
        known=known,
    )

    chains = _chains(requests)
    for chain_number, chain in enumerate(chains):
        if chain_number == len(chains) - 1 and requests[chain[-1]].linked:
            for index in chain:
                results[index] = _result(index, requests[index], "linked_event_chain_open")
            continue
        mark = batch.begin_chain()
        chain_results: list[TransferResult] = []
        failed_at: int | None = None
        for index in chain:
            request = requests[index]
            try:
                if shape[index] is not None:
                    raise _Failed(shape[index] or "")
                status, transfer = _apply(request, batch)
            except _Failed as failure:
                failed_at = index
                results[index] = _result(index, request, failure.code)
                break
            chain_results.append(TransferResult(index=index, id=request.id, status=status, transfer=transfer))
        if failed_at is None:
            for result in chain_results:
                results[result.index] = result
            continue
        batch.rollback_chain(mark)
        for index in chain:
            if index != failed_at:
                results[index] = _result(index, requests[index], "linked_event_failed")

    _write(batch)
    return [result for result in results if result is not None]


def _result(index: int, request: TransferRequest, code: str) -> TransferResult:
    return TransferResult(index=index, id=request.id, status=code, error=transfer_error(code))


#: SQLSTATE with which ``siliu_create_transfers`` asks to be called again with more accounts locked.
_RELOCK_SQLSTATE: Final = "SLRLK"
#: The columns ``siliu_create_transfers`` returns for a transfer, in :class:`Transfer`'s field order.
_TRANSFER_ATTNAMES: Final = tuple(field.attname for field in Transfer._meta.concrete_fields)


def transfer_request_json(request: TransferRequest) -> dict[str, object]:
    """One request as ``siliu_create_transfers`` takes it (other PL/pgSQL engines call it too): its
    fields, or the code of its shape error (checked here, by the Python engine's :func:`_shape_error`)."""
    error = _shape_error(request)
    if error is not None:
        return {"e": error, "l": bool(request.linked)}
    return {
        "i": request.id,
        "d": request.debit_account,
        "c": request.credit_account,
        "a": request.amount_fen,
        "k": str(request.kind),
        "p": request.pending_id or None,
        "l": bool(request.linked),
        "t": request.timeout_seconds,
        "g": request.category,
        "r": request.reference,
    }


def _evaluate_in_postgresql(
    requests: Sequence[TransferRequest],
    *,
    now: datetime.datetime,
    created_by: AbstractBaseUser | None,
    extra_account_ids: set[int],
) -> list[TransferResult]:
    """:func:`_evaluate` as one call of the PL/pgSQL function ``siliu_create_transfers`` (migration
    ``0004_postgres_transfer_engine``): same locks, same order of checks, same result codes, one
    round trip. Shapes are checked here, by the same :func:`_shape_error` as the Python engine."""
    payload = [transfer_request_json(request) for request in requests]
    connection = connections[router.db_for_write(Transfer)]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM siliu_create_transfers(%s::jsonb, %s, %s, %s::bigint[])",
                [
                    json.dumps(payload, separators=(",", ":")),
                    now,
                    created_by.pk if created_by is not None else None,
                    sorted(extra_account_ids),
                ],
            )
            rows = cursor.fetchall()
    except DatabaseError as error:
        cause = error.__cause__
        if getattr(cause, "sqlstate", None) == _RELOCK_SQLSTATE:
            detail = cause.diag.message_detail or ""  # type: ignore[union-attr]
            raise _Relock({int(account_id) for account_id in detail.split(",") if account_id}) from error
        raise
    results: list[TransferResult] = []
    for item, status, *columns in sorted(rows, key=itemgetter(0)):
        index = item - 1
        request = requests[index]
        if status in ("created", "exists"):
            transfer = Transfer.from_db(connection.alias, _TRANSFER_ATTNAMES, columns)
            results.append(TransferResult(index=index, id=request.id, status=status, transfer=transfer))
        else:
            results.append(_result(index, request, status))
    return results


_TRANSFER_FIELDS = (
    "id",
    "kind",
    "debit_account",
    "credit_account",
    "amount_fen",
    "pending_transfer",
    "linked",
    "category",
    "reference",
    "timeout_seconds",
    "expires_at",
    "state",
    "resolved_at",
    "created_by",
    "created_at",
)
_ENTRY_FIELDS = ("account", "transfer", "side", "amount_fen", "balance_fen", "created_at")


def _write(batch: _Batch) -> None:
    """Write the batch's transfers, entries, counters and resolved pending states."""
    if batch.new_transfers:
        insert_rows(Transfer, _TRANSFER_FIELDS, batch.new_transfers)
    if batch.new_entries:
        insert_rows(Entry, _ENTRY_FIELDS, batch.new_entries)
    if batch.touched:
        update_rows(Account, _COUNTERS, [batch.accounts_by_id[pk] for pk in sorted(batch.touched)])
    by_state: dict[str, list[str]] = {}
    for pending_id, state in batch.resolved.items():
        by_state.setdefault(state, []).append(pending_id)
    for state, pending_ids in by_state.items():
        updated = Transfer.objects.filter(pk__in=pending_ids, state=PendingState.PENDING).update(
            state=state, resolved_at=batch.now
        )
        if updated != len(pending_ids):  # the rows are locked: this is a bug, not a race
            raise IntegrityError("pending transfer resolved twice")


def transfers_create_batch(
    *,
    transfers: Sequence[TransferRequest],
    created_by: AbstractBaseUser | None = None,
    now: datetime.datetime | None = None,
) -> list[TransferResult]:
    """Create up to 1,000 transfers in one database transaction, with one result per request.

    Requests are applied in order, each seeing the effect of those before it. A request with
    ``linked=True`` chains to the next one; a chain succeeds or fails as a whole (the failing member
    reports its own code, the others ``linked_event_failed``; a chain left open at the end of the
    batch reports ``linked_event_chain_open``). Unlinked failures do not affect other requests.

    Returns
    -------
    list[TransferResult]
        In request order; ``status`` is ``created``, ``exists`` (an identical retry) or an error code.

    Raises
    ------
    ValidationFailed
        ``batch_empty`` or ``batch_too_large`` (more than :data:`BATCH_LIMIT`), for the whole batch.
    """
    if not transfers:
        raise ValidationFailed("batch_empty", _("批次中没有转账"), field="transfers")
    if len(transfers) > BATCH_LIMIT:
        raise ValidationFailed(
            "batch_too_large", _("每批最多 %(n)d 笔转账") % {"n": BATCH_LIMIT}, field="transfers"
        )
    now = now or timezone.now()
    connection = connections[router.db_for_write(Transfer)]
    evaluate = _evaluate_in_postgresql if connection.vendor == "postgresql" else _evaluate
    # On PostgreSQL the engine is one statement: outside a transaction it is its own transaction,
    # and a failed attempt leaves nothing behind, so it needs neither BEGIN/COMMIT nor a savepoint.
    # A transfer that may move a counter's cash is told to the information flow (the outbox,
    # :mod:`siliu.core.events`) in the same transaction, so such a batch always has one.
    cash_moves = [
        index
        for index, request in enumerate(transfers)
        if any(
            code and code.startswith(chart.OUTLET_CASH_PREFIX)
            for code in (request.debit_account, request.credit_account)
        )
        or (request.kind == TransferKind.POST_PENDING and request.debit_account is None)
    ]
    one_statement = (
        evaluate is _evaluate_in_postgresql
        and connection.get_autocommit()
        and not connection.in_atomic_block
        and not cash_moves
    )
    extra_account_ids: set[int] = set()
    for attempt in range(_ATTEMPTS):
        try:
            if one_statement:
                return evaluate(
                    transfers, now=now, created_by=created_by, extra_account_ids=extra_account_ids
                )
            with transaction.atomic(using=connection.alias):
                results = evaluate(
                    transfers, now=now, created_by=created_by, extra_account_ids=extra_account_ids
                )
                created = [results[index].id for index in cash_moves if results[index].status == "created"]
                events_append(CASH_MOVED, created, at=now)
                return results
        except _Relock as relock:
            extra_account_ids = relock.account_ids
        except IntegrityError:
            # A concurrent first send of one of our ids committed first; evaluate again to see it.
            if attempt == _ATTEMPTS - 1:
                raise
    raise Conflict("retry_later", _("账户正忙，请稍后重试"))


def transfers_book(
    transfers: Sequence[TransferRequest], *, actor: Actor | None, now: datetime.datetime | None = None
) -> None:
    """Book transfers that must all succeed together with the caller's change, in batches of
    :data:`BATCH_LIMIT`; the first refusal is raised, and the caller's transaction undoes the rest.

    For other flows' services (parcels, orders, the demo), inside their own transaction.
    """
    for start in range(0, len(transfers), BATCH_LIMIT):
        batch = transfers[start : start + BATCH_LIMIT]
        for result in transfers_create_batch(transfers=batch, created_by=acting_user(actor), now=now):
            if result.error is not None:
                raise result.error


def transfer_create(
    *,
    id: str,
    debit_account: str | None = None,
    credit_account: str | None = None,
    amount_fen: int | None = None,
    kind: TransferKind = TransferKind.POSTED,
    pending_id: str | None = None,
    timeout_seconds: int = 0,
    category: str = "",
    reference: str = "",
    created_by: AbstractBaseUser | None = None,
    now: datetime.datetime | None = None,
) -> TransferResult:
    """Create one transfer (a batch of one); see :func:`transfers_create_batch` for the rules.

    Returns
    -------
    TransferResult
        ``status`` ``created``, or ``exists`` when this exact transfer was already made.

    Raises
    ------
    ValidationFailed, NotFound, Conflict
        With the TigerBeetle-style code of the refusal (``exceeds_credits``,
        ``exists_with_different_fields``, ``pending_transfer_already_posted``, …); nothing is written.
    """
    request = TransferRequest(
        id=id,
        debit_account=debit_account,
        credit_account=credit_account,
        amount_fen=amount_fen,
        kind=kind,
        pending_id=pending_id,
        timeout_seconds=timeout_seconds,
        category=category,
        reference=reference,
    )
    (result,) = transfers_create_batch(transfers=[request], created_by=created_by, now=now)
    if result.error is not None:
        raise result.error
    return result


def pending_transfers_expire(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Release pending transfers whose timeout has passed (state ``expired``); return how many.

    Expired transfers can no longer be posted or voided (``pending_transfer_expired``). Accounts are
    locked in ascending id order, then the pending rows, as the transfer engine does, so the sweep
    and a concurrent post of the same pending transfer are serialised and only one of them wins.
    """
    now = now or timezone.now()
    due = list(
        Transfer.objects.filter(kind=TransferKind.PENDING, state=PendingState.PENDING, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", "debit_account_id", "credit_account_id")[:limit]
    )
    if not due:
        return 0
    with transaction.atomic():
        accounts = _lock_accounts(account_id for _pk, debit, credit in due for account_id in (debit, credit))
        pendings = list(
            Transfer.objects.filter(pk__in=[pk for pk, _debit, _credit in due], state=PendingState.PENDING)
            .order_by("pk")
            .select_for_update()
        )
        for pending in pendings:
            accounts[pending.debit_account_id].debits_pending -= pending.amount_fen
            accounts[pending.credit_account_id].credits_pending -= pending.amount_fen
        touched = {pending.debit_account_id for pending in pendings} | {
            pending.credit_account_id for pending in pendings
        }
        update_rows(Account, ("debits_pending", "credits_pending"), [accounts[pk] for pk in sorted(touched)])
        Transfer.objects.filter(pk__in=[pending.pk for pending in pendings]).update(
            state=PendingState.EXPIRED, resolved_at=now
        )
    return len(pendings)


# ---------------------------------------------------------------------------------------------------
# Counter cash and the daily close


def _require_counter_operator(*, actor: AbstractBaseUser | AnonymousUser, outlet: Outlet) -> AbstractBaseUser:
    """``actor`` if it may operate the counter of ``outlet`` (``counter.operate`` there: its operator);
    otherwise :class:`PermissionRefused`."""
    if not isinstance(actor, AbstractBaseUser) or not actor.is_authenticated:
        raise PermissionRefused("not_authenticated", _("请先登录"))
    if user_can_at(actor, Permission.COUNTER_OPERATE, outlet):
        return actor
    raise PermissionRefused("not_outlet_operator", _("只有本网点负责人或工作人员可以操作柜台现金"))


def business_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end (exclusive) of a business day in the local time zone (Asia/Shanghai)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def counter_cash_caps(*, outlet: Outlet) -> tuple[int, int]:
    """The caps on counter cash at ``outlet``, in fen: (per transaction, per business day and direction).

    They depend on the outlet's kind (``settings.SILIU_COUNTER_CASH_CAPS_FEN``; by default a village
    station ¥5,000 / ¥50,000, a township office ¥20,000 / ¥200,000, the county hub ¥100,000 /
    ¥1,000,000).
    """
    caps: dict[str, tuple[int, int]] = settings.SILIU_COUNTER_CASH_CAPS_FEN
    return caps[outlet.kind]


def counter_cash_day_total(*, cash: Account, cash_in: bool, business_on: datetime.date) -> int:
    """Fen taken into (``cash_in``) or paid out of the drawer ``cash`` at the counter on a business day.

    Cash in counts wallet top-ups and villagers' orders paid in cash (:data:`COUNTER_CASH_IN_CATEGORIES`);
    cash out counts wallet payouts and sellers' withdrawals paid in cash
    (:data:`COUNTER_CASH_OUT_CATEGORIES`).
    """
    start, end = business_day_bounds(business_on)
    day = Transfer.objects.filter(created_at__gte=start, created_at__lt=end)
    if cash_in:
        day = day.filter(debit_account=cash, category__in=COUNTER_CASH_IN_CATEGORIES)
    else:
        day = day.filter(credit_account=cash, category__in=COUNTER_CASH_OUT_CATEGORIES)
    total: int | None = day.aggregate(total=Sum("amount_fen"))["total"]
    return total or 0


def _counter_cash_check_caps(
    *, outlet: Outlet, cash: Account, amount_fen: int, cash_in: bool, business_on: datetime.date
) -> None:
    """Refuse an amount over the outlet's caps; the drawer must be locked (:func:`counter_cash_admit`)."""
    per_transaction_fen, per_day_fen = counter_cash_caps(outlet=outlet)
    if amount_fen > per_transaction_fen:
        raise ValidationFailed(
            "exceeds_transaction_cap",
            _("%(kind)s单笔柜台现金最多 %(cap)s")
            % {"kind": outlet.get_kind_display(), "cap": format_fen(per_transaction_fen)},
            field="amount_fen",
        )
    done_fen = counter_cash_day_total(cash=cash, cash_in=cash_in, business_on=business_on)
    if done_fen + amount_fen > per_day_fen:
        message = _("本网点今日柜台现金收入已有 %(done)s，日限额 %(cap)s，本笔最多 %(left)s")
        if not cash_in:
            message = _("本网点今日柜台现金支出已有 %(done)s，日限额 %(cap)s，本笔最多 %(left)s")
        raise Conflict(
            "exceeds_daily_cap",
            message
            % {
                "done": format_fen(done_fen),
                "cap": format_fen(per_day_fen),
                "left": format_fen(max(per_day_fen - done_fen, 0)),
            },
            field="amount_fen",
        )


def counter_cash_admit(
    *, outlet: Outlet, amount_fen: int, cash_in: bool, transfer_id: str, now: datetime.datetime
) -> Account:
    """Admit cash into (``cash_in``) or out of ``outlet``'s drawer at the counter: the one gate of every
    counter cash movement (wallet top-ups and payouts here; villagers' orders paid in cash and sellers'
    withdrawals paid in cash in commerce).

    It opens the drawer on first use and locks it, alone, before anything else of the caller's: so two
    counter transactions at one outlet are serialised, cannot both fit under the day's cap that only
    one of them fits, and cannot interleave with the day close; and a counter transaction never holds
    another row while it waits for the drawer. The caller books ``transfer_id`` (categories in
    :data:`COUNTER_CASH_IN_CATEGORIES` / :data:`COUNTER_CASH_OUT_CATEGORIES`) in the same transaction,
    which must be open (:func:`django.db.transaction.atomic`): the lock lasts until it ends. A transfer
    already stored under ``transfer_id`` is admitted whatever has happened since (a retry answers with
    it); a bad ``amount_fen`` (not a positive integer) is left to the ledger, which names it.

    Returns
    -------
    Account
        The outlet's drawer, locked until the caller's transaction ends.

    Raises
    ------
    Conflict
        ``day_closed`` when the business day of ``now`` (Asia/Shanghai) is closed at this outlet;
        ``exceeds_daily_cap`` (``amount_fen``) when the outlet's cash in (or out) that day would pass its
        daily cap (:func:`counter_cash_caps`, :func:`counter_cash_day_total`).
    ValidationFailed
        ``exceeds_transaction_cap`` (``amount_fen``) over the outlet's cap per transaction.
    """
    if not transaction.get_connection(router.db_for_write(Account)).in_atomic_block:
        raise transaction.TransactionManagementError(
            "counter_cash_admit must run in the transaction that books the cash"
        )
    cash = outlet_cash_open(outlet=outlet)
    # The day-close and cap checks must see what commits while we wait: take the lock first.
    _lock_accounts([cash.pk])
    if Transfer.objects.filter(pk=transfer_id).exists():
        return cash
    business_on = timezone.localdate(now)
    if CashDayClose.objects.filter(outlet=outlet, business_on=business_on).exists():
        raise Conflict(
            "day_closed",
            _("%(day)s 已日结，不能再办理柜台现金业务") % {"day": business_on.isoformat()},
        )
    if isinstance(amount_fen, int) and not isinstance(amount_fen, bool) and amount_fen > 0:
        _counter_cash_check_caps(
            outlet=outlet, cash=cash, amount_fen=amount_fen, cash_in=cash_in, business_on=business_on
        )
    return cash


def _counter_transfer(
    *,
    outlet: Outlet,
    customer: AbstractBaseUser,
    amount_fen: int,
    id: str,
    actor: AbstractBaseUser | AnonymousUser,
    cash_in: bool,
    now: datetime.datetime | None,
) -> TransferResult:
    operator = _require_counter_operator(actor=actor, outlet=outlet)
    if not outlet.has_cash_counter or not outlet.is_active:
        raise Conflict("outlet_has_no_cash_counter", _("该网点没有现金柜台"), field="code")
    now = now or timezone.now()
    with transaction.atomic():  # a refusal leaves not even the accounts opened on first use
        cash = counter_cash_admit(
            outlet=outlet, amount_fen=amount_fen, cash_in=cash_in, transfer_id=id, now=now
        )
        wallet = wallet_open(user=customer)
        debit, credit = (cash, wallet) if cash_in else (wallet, cash)
        return transfer_create(
            id=id,
            debit_account=debit.code,
            credit_account=credit.code,
            amount_fen=amount_fen,
            category=CATEGORY_CASH_IN if cash_in else CATEGORY_CASH_OUT,
            reference=f"outlet:{outlet.code}",
            created_by=operator,
            now=now,
        )


def wallet_cash_in(
    *,
    outlet: Outlet,
    customer: AbstractBaseUser,
    amount_fen: int,
    id: str,
    actor: AbstractBaseUser | AnonymousUser,
    now: datetime.datetime | None = None,
) -> TransferResult:
    """Take cash at the outlet's counter and top up ``customer``'s wallet (debit cash, credit wallet).

    Raises
    ------
    PermissionRefused
        ``not_outlet_operator`` unless ``actor`` operates this outlet or is staff.
    Conflict
        ``day_closed`` when today's business day (Asia/Shanghai) is already closed at this outlet,
        ``exceeds_daily_cap`` (``amount_fen``) when the outlet's cash in today (top-ups and villagers'
        orders paid in cash) would pass its daily cap (:func:`counter_cash_caps`),
        ``outlet_has_no_cash_counter``, or a transfer error (``exists_with_different_fields``).
    ValidationFailed
        ``exceeds_transaction_cap`` (``amount_fen``) over the outlet's cap per transaction,
        ``amount_must_be_positive``, ``invalid_id``.
    """
    return _counter_transfer(
        outlet=outlet, customer=customer, amount_fen=amount_fen, id=id, actor=actor, cash_in=True, now=now
    )


def wallet_cash_out(
    *,
    outlet: Outlet,
    customer: AbstractBaseUser,
    amount_fen: int,
    id: str,
    actor: AbstractBaseUser | AnonymousUser,
    now: datetime.datetime | None = None,
) -> TransferResult:
    """Pay cash out of the outlet's counter from ``customer``'s wallet (debit wallet, credit cash).

    Raises
    ------
    Conflict
        ``exceeds_credits`` when the wallet's available balance is short, ``exceeds_debits`` when the
        drawer holds less cash than asked, ``exceeds_daily_cap`` when the outlet's cash out today (wallet
        payouts and sellers' withdrawals paid in cash) would pass its daily cap, ``day_closed``,
        ``outlet_has_no_cash_counter``.
    PermissionRefused, ValidationFailed
        As :func:`wallet_cash_in` (``exceeds_transaction_cap`` included).
    """
    return _counter_transfer(
        outlet=outlet, customer=customer, amount_fen=amount_fen, id=id, actor=actor, cash_in=False, now=now
    )


def outlet_day_close(
    *,
    outlet: Outlet,
    business_on: datetime.date,
    counted_cash_fen: int,
    actor: AbstractBaseUser | AnonymousUser,
    now: datetime.datetime | None = None,
) -> CashDayClose:
    """Close an outlet's business day (日结): compare counted cash with the ledger, book the difference.

    Expected cash is the drawer account's posted balance now; so a day can only be closed while no
    counter cash has moved after it (close yesterday before today's first customer, or close today).
    A surplus is booked debit cash / credit cash over-short, a shortage the other way round. After
    the close, counter cash for that business day is refused. A difference over
    ``settings.SILIU_DAY_CLOSE_SIGNOFF_FEN`` either way books nothing yet: the close waits for a
    county manager's sign-off (:func:`outlet_day_close_sign_off`), and the day stays closed to cash.

    Raises
    ------
    PermissionRefused
        ``not_outlet_operator``.
    ValidationFailed
        ``invalid_amount`` for a negative count, ``amount_too_large`` beyond ``MAX_AMOUNT_FEN``,
        ``date_in_future``.
    Conflict
        ``day_already_closed``, ``later_day_closed``, ``later_cash_movements``.
    """
    operator = _require_counter_operator(actor=actor, outlet=outlet)
    if isinstance(counted_cash_fen, bool) or not isinstance(counted_cash_fen, int) or counted_cash_fen < 0:
        raise ValidationFailed(
            "invalid_amount", _("实点现金必须是不小于 0 的整数（分）"), field="counted_cash_fen"
        )
    if counted_cash_fen > MAX_AMOUNT_FEN:
        raise ValidationFailed("amount_too_large", _("实点现金超出上限"), field="counted_cash_fen")
    now = now or timezone.now()
    if business_on > timezone.localdate(now):
        raise ValidationFailed("date_in_future", _("不能为未来的日期日结"), field="date")
    with transaction.atomic():
        cash = outlet_cash_open(outlet=outlet)
        over_short = system_account(code=chart.CASH_OVER_SHORT)
        cash = _lock_accounts([cash.pk, over_short.pk])[cash.pk]
        closes = CashDayClose.objects.filter(outlet=outlet)
        if closes.filter(business_on=business_on).exists():
            raise Conflict("day_already_closed", _("%(day)s 已经日结") % {"day": business_on.isoformat()})
        if closes.filter(business_on__gt=business_on).exists():
            raise Conflict("later_day_closed", _("之后的营业日已经日结"))
        _start, end = business_day_bounds(business_on)
        if Entry.objects.filter(account=cash, created_at__gte=end).exists():
            raise Conflict(
                "later_cash_movements", _("该日之后已有现金收付，无法再为该日点钞日结"), field="date"
            )
        expected = cash.balance_fen
        difference = counted_cash_fen - expected
        needs_sign_off = abs(difference) > settings.SILIU_DAY_CLOSE_SIGNOFF_FEN
        adjustment = None
        if difference and not needs_sign_off:
            adjustment = _day_close_adjust(
                outlet=outlet, business_on=business_on, difference_fen=difference, actor=operator, now=now
            )
        return CashDayClose.objects.create(
            outlet=outlet,
            business_on=business_on,
            expected_cash_fen=expected,
            counted_cash_fen=counted_cash_fen,
            difference_fen=difference,
            adjustment_transfer=adjustment,
            needs_sign_off=needs_sign_off,
            closed_by_id=operator.pk,
            closed_at=now,
        )


def _day_close_adjust(
    *,
    outlet: Outlet,
    business_on: datetime.date,
    difference_fen: int,
    actor: AbstractBaseUser,
    now: datetime.datetime,
) -> Transfer:
    """Book a close's difference: a surplus debit cash / credit over-short, a shortage the other way."""
    surplus = difference_fen > 0
    cash_code = chart.outlet_cash_code(outlet_code=outlet.code)
    result = transfer_create(
        id=f"close:{outlet.code}:{business_on.isoformat()}",
        debit_account=cash_code if surplus else chart.CASH_OVER_SHORT,
        credit_account=chart.CASH_OVER_SHORT if surplus else cash_code,
        amount_fen=abs(difference_fen),
        category=CATEGORY_CASH_OVER_SHORT,
        reference=f"outlet:{outlet.code}",
        created_by=actor,
        now=now,
    )
    assert result.transfer is not None  # transfer_create raises on error
    return result.transfer


def outlet_day_close_sign_off(
    *,
    outlet: Outlet,
    business_on: datetime.date,
    actor: AbstractBaseUser | AnonymousUser,
    now: datetime.datetime | None = None,
) -> CashDayCloseSignOff:
    """A county manager signs off (签核) a day close whose difference was over the limit, and the
    difference is booked as a close under the limit books it.

    Raises
    ------
    PermissionRefused
        ``not_county_manager`` unless ``actor`` holds ``counter.sign_off`` at ``outlet`` (its county).
    NotFound
        ``day_close_not_found`` when that day of that outlet is not closed.
    Conflict
        ``not_pending_sign_off`` when the close needs no sign-off or is signed off already.
    """
    if not isinstance(actor, AbstractBaseUser) or not user_can_at(actor, Permission.COUNTER_SIGN_OFF, outlet):
        raise PermissionRefused("not_county_manager", _("只有本县的县级管理员可以签核日结"))
    now = now or timezone.now()
    with transaction.atomic():
        cash = outlet_cash_open(outlet=outlet)
        over_short = system_account(code=chart.CASH_OVER_SHORT)
        _lock_accounts([cash.pk, over_short.pk])
        close = CashDayClose.objects.filter(outlet=outlet, business_on=business_on).first()
        if close is None:
            raise NotFound(
                "day_close_not_found",
                _("%(day)s 尚未日结") % {"day": business_on.isoformat()},
                field="date",
            )
        if not close.needs_sign_off or CashDayCloseSignOff.objects.filter(close=close).exists():
            raise Conflict("not_pending_sign_off", _("该日结无需签核或已签核"), field="date")
        adjustment = _day_close_adjust(
            outlet=outlet, business_on=business_on, difference_fen=close.difference_fen, actor=actor, now=now
        )
        return CashDayCloseSignOff.objects.create(
            close=close, adjustment_transfer=adjustment, signed_off_by_id=actor.pk, signed_off_at=now
        )
