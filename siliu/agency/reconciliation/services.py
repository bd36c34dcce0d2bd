"""Reconciliation's writes: a provider's daily statement imported and matched, its mismatches resolved
(with what each resolution books), and the day settled (ADR 0024).

The provider's clearing account (``agency:provider:<code>``) owes the provider the sum of
``provider_fen`` of our transactions not reversed (:mod:`siliu.agency.counter.services`). Each resolution
books exactly the change of what is owed, so that for a statement the account's part always equals the
sum of the items' ``agreed_fen``, and the settlement moves that sum between the account and the bank:

- *include* (our transaction, not on their statement) and *ours* (amounts differ, ours stands), and
  *dispute* (their line, not ours): nothing is booked; the first two are settled by our record, the
  third is left out until the provider corrects it.
- *reverse* (our transaction, not on theirs): the transaction is booked back — the provider's part and
  the fee shares (station, platform) return, and the customer is owed their money: into their wallet
  if they paid from it, else to the station's refunds payable (``agency:refunds:<outlet>``), which the
  counter pays back in cash; for a pay-out the customer owes the cash handed over, held as the
  station's recoverable (``agency:recoveries:<outlet>``). The transaction is marked reversed.
- *accept* (their line, not ours) and *theirs* (amounts differ, theirs stands): the difference is booked
  between the clearing account and cash over and short (``cash_over_short``), where the counter's day
  close put the drawer's unexplained surplus or shortfall.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Final

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.agency.catalogue import (
    AgencyTransaction,
    Direction,
    PaidWith,
    Provider,
    TransactionStatus,
)
from siliu.agency.counter.services import amounts_compute, provider_clearing_open
from siliu.agency.reconciliation.models import (
    RESOLUTIONS_BY_KIND,
    ItemKind,
    ItemStatus,
    Resolution,
    Statement,
    StatementEvent,
    StatementEventKind,
    StatementItem,
    StatementItemEvent,
    StatementLine,
    StatementStatus,
)
from siliu.agency.reconciliation.selectors import provider_within, statement_summary, transactions_of_day
from siliu.agency.reconciliation.statement_file import statement_file_parse
from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.events import AGENCY_TRANSACTED, event_append
from siliu.core.money import format_fen
from siliu.core.permissions import Permission
from siliu.core.roles import Actor
from siliu.finance import chart
from siliu.finance.models import Account, AccountType
from siliu.finance.services import (
    CATEGORY_AGENCY_REVERSAL,
    CATEGORY_AGENCY_SETTLEMENT,
    TransferRequest,
    account_open,
    system_account,
    transfers_book,
    wallet_open,
)
from siliu.network.models import Outlet

#: The category of a difference a resolution books between a provider and cash over and short.
CATEGORY_AGENCY_DIFFERENCE: Final = "agency_difference"
REFUNDS_PREFIX: Final = "agency:refunds:"
RECOVERIES_PREFIX: Final = "agency:recoveries:"
NOTE_MAX_LENGTH: Final = 300


def _signed(direction: str, amount_fen: int) -> int:
    """An amount as owed to the provider: a payment's as it is, a pay-out's the other way."""
    return -amount_fen if direction == Direction.PAYOUT else amount_fen


def _reconciler(actor: Actor, provider: Provider) -> User:
    if not provider_within(actor, Permission.AGENCY_RECONCILE, provider):
        raise PermissionRefused("not_allowed", _("只能为本县的委托方对账；未归属县的委托方由财务对账"))
    assert isinstance(actor, User)
    return actor


def _statement_move(
    statement: Statement,
    to: StatementStatus,
    kind: StatementEventKind,
    actor: User,
    now: datetime.datetime,
    note: str = "",
) -> None:
    before = StatementStatus(statement.status)
    if to not in Statement.ALLOWED_TRANSITIONS[before]:
        raise Conflict(
            "statement_closed",
            _("这份对账单%(status)s，不能再变更") % {"status": before.label},
            field="statement",
        )
    statement.status = to
    StatementEvent.objects.create(
        statement=statement,
        kind=kind,
        from_status=before,
        to_status=to,
        actor=actor,
        occurred_at=now,
        note=note[:300],
    )


# --- import ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """An import's statement; ``created`` is false when the same file was there already (nothing done);
    ``replaced`` is the statement it superseded, if any."""

    statement: Statement
    created: bool
    replaced: Statement | None
    counts: dict[str, int]


def _counts(statement: Statement) -> dict[str, int]:
    return statement_summary(statement=statement).counts


@transaction.atomic
def statement_import(
    *,
    provider: Provider,
    business_on: datetime.date,
    content: bytes,
    actor: Actor,
    file_name: str = "",
    now: datetime.datetime | None = None,
) -> ImportResult:
    """Import ``provider``'s statement of ``business_on`` and match it, transaction by transaction, with
    our transactions of that provider and day by number.

    Each line with a transaction of ours not reversed is *matched* when the amounts agree, else
    *amount differs*; a line without one (or whose transaction was reversed) is *missing on our side*;
    a transaction of ours without a line is *missing on theirs*. The same file again (by SHA-256) does
    nothing and returns the statement it made. A different file replaces the day's statement (kept,
    marked superseded) while none of its mismatches is resolved and the day is not settled.

    Raises
    ------
    PermissionRefused
        ``not_allowed``: the provider is not of the actor's county (or has none and the actor is not
        finance staff).
    ValidationFailed
        ``day_not_over`` (``business_on``): only a business day that has ended is reconciled.
    StatementRefused
        ``statement_invalid`` (``file``) naming every faulty line and column.
    Conflict
        ``day_settled`` (``business_on``): the day is settled; ``statement_has_resolutions``
        (``file``): a mismatch of the day's statement is resolved already. Nothing is written when
        refused.
    """
    now = now or timezone.now()
    user = _reconciler(actor, provider)
    if business_on >= timezone.localdate(now):
        raise ValidationFailed("day_not_over", _("只能导入已结束的营业日的对账单"), field="business_on")
    digest = hashlib.sha256(content).hexdigest()
    # One import of a provider at a time: the day's current statement is read and replaced under it.
    Provider.objects.select_for_update().filter(pk=provider.pk).first()
    current = (
        Statement.objects.select_for_update()
        .filter(provider=provider, business_on=business_on)
        .exclude(status=StatementStatus.SUPERSEDED)
        .first()
    )
    if current is not None and current.sha256 == digest:
        return ImportResult(statement=current, created=False, replaced=None, counts=_counts(current))
    if current is not None:
        if current.status == StatementStatus.SETTLED:
            raise Conflict(
                "day_settled",
                _("%(day)s 已结算，不能再导入对账单") % {"day": business_on.isoformat()},
                field="business_on",
            )
        if current.items.filter(status=ItemStatus.RESOLVED).exists():
            raise Conflict(
                "statement_has_resolutions",
                _("这一天的对账单已有差错处理过，不能再替换；请与委托方核对后逐笔处理"),
                field="file",
            )
    lines = statement_file_parse(content=content, provider=provider, business_on=business_on)
    if current is not None:
        _statement_move(
            current, StatementStatus.SUPERSEDED, StatementEventKind.SUPERSEDED, user, now, _("导入了新文件")
        )
        current.save(update_fields=["status"])
    statement = Statement.objects.create(
        provider=provider,
        business_on=business_on,
        sha256=digest,
        file_name=file_name[:200],
        line_count=len(lines),
        total_fen=sum(_signed(line.service.direction, line.amount_fen) for line in lines),
        imported_by=user,
        imported_at=now,
        replaces=current,
    )
    StatementEvent.objects.create(
        statement=statement,
        kind=StatementEventKind.IMPORTED,
        to_status=statement.status,
        actor=user,
        occurred_at=now,
        note=_("%(n)d 行") % {"n": len(lines)},
    )
    rows = StatementLine.objects.bulk_create(
        [
            StatementLine(
                statement=statement,
                line_number=line.line_number,
                number=line.number,
                provider_number=line.provider_number,
                occurred_at=line.occurred_at,
                service=line.service,
                amount_fen=line.amount_fen,
                account_display=line.account_display,
            )
            for line in lines
        ]
    )
    StatementItem.objects.bulk_create(_match(statement, rows))
    return ImportResult(statement=statement, created=True, replaced=current, counts=_counts(statement))


def _match(statement: Statement, rows: list[StatementLine]) -> list[StatementItem]:
    ours = {
        made.number: made
        for made in transactions_of_day(provider=statement.provider, business_on=statement.business_on)
    }
    items: list[StatementItem] = []
    listed: set[str] = set()
    for row in rows:
        made = ours.get(row.number)
        if made is None or made.status != TransactionStatus.DONE:
            items.append(
                StatementItem(
                    statement=statement,
                    kind=ItemKind.MISSING_OURS,
                    status=ItemStatus.OPEN,
                    line=row,
                    transaction=made,
                    theirs_amount_fen=row.amount_fen,
                    theirs_provider_fen=amounts_compute(
                        service=row.service, amount_fen=row.amount_fen
                    ).provider_fen,
                )
            )
            continue
        listed.add(made.number)
        same = made.amount_fen == row.amount_fen
        items.append(
            StatementItem(
                statement=statement,
                kind=ItemKind.MATCHED if same else ItemKind.AMOUNT_DIFFERS,
                status=ItemStatus.AGREED if same else ItemStatus.OPEN,
                line=row,
                transaction=made,
                ours_amount_fen=made.amount_fen,
                theirs_amount_fen=row.amount_fen,
                ours_provider_fen=made.provider_fen,
                # Their amount with our fee: the fee of a transaction stays as the counter charged it.
                theirs_provider_fen=made.provider_fen
                + _signed(made.direction, row.amount_fen - made.amount_fen),
                agreed_fen=made.provider_fen if same else None,
            )
        )
    for made in sorted(ours.values(), key=lambda made: (made.occurred_at, made.number)):
        if made.status == TransactionStatus.DONE and made.number not in listed:
            items.append(
                StatementItem(
                    statement=statement,
                    kind=ItemKind.MISSING_THEIRS,
                    status=ItemStatus.OPEN,
                    transaction=made,
                    ours_amount_fen=made.amount_fen,
                    ours_provider_fen=made.provider_fen,
                )
            )
    return items


# --- resolving -------------------------------------------------------------------------------------


def _difference(*, statement: Statement, item: StatementItem, amount_fen: int) -> list[TransferRequest]:
    """``amount_fen`` more owed to the provider (less, when negative), against cash over and short."""
    if amount_fen == 0:
        return []
    provider = provider_clearing_open(provider=statement.provider).code
    over_short = system_account(code=chart.CASH_OVER_SHORT).code
    return [
        TransferRequest(
            id=f"agency:statement:{statement.pk}:item:{item.pk}",
            debit_account=over_short if amount_fen > 0 else provider,
            credit_account=provider if amount_fen > 0 else over_short,
            amount_fen=abs(amount_fen),
            category=CATEGORY_AGENCY_DIFFERENCE,
            reference=f"agency:statement:{statement.pk}",
        )
    ]


def _customer_account(made: AgencyTransaction) -> Account:
    """Where a transaction booked back leaves the customer's side: their wallet (a payment from it),
    the station's refunds payable (a cash payment) or its recoverable (a pay-out)."""
    outlet: Outlet = made.outlet
    if made.direction == Direction.PAYOUT:
        return account_open(
            code=f"{RECOVERIES_PREFIX}{outlet.code}",
            name=_("%(outlet)s 代理业务待收回客户款") % {"outlet": outlet.name},
            type=AccountType.ASSET,
            owner_outlet=outlet,
        )
    if made.paid_with == PaidWith.WALLET and made.customer is not None:
        return wallet_open(user=made.customer)
    return account_open(
        code=f"{REFUNDS_PREFIX}{outlet.code}",
        name=_("%(outlet)s 代理业务待退客户款") % {"outlet": outlet.name},
        type=AccountType.LIABILITY,
        owner_outlet=outlet,
    )


def _booked_back(made: AgencyTransaction) -> list[TransferRequest]:
    """The counter's booking of ``made`` the other way, the customer's side going to
    :func:`_customer_account` instead of the drawer."""
    provider = provider_clearing_open(provider=made.provider).code
    station = account_open(
        code=chart.agency_station_code(outlet_code=made.outlet.code),
        name=_("%(outlet)s 代理业务佣金") % {"outlet": made.outlet.name},
        type=AccountType.LIABILITY,
        owner_outlet=made.outlet,
    ).code
    income = system_account(code=chart.AGENCY_COMMISSION_INCOME).code
    customer = _customer_account(made).code
    payment = made.direction == Direction.PAYMENT
    legs = [
        ("customer", (provider, customer) if payment else (customer, provider), made.customer_fen),
        ("station", (station, provider), made.station_fee_fen),
        ("platform", (income, provider), made.platform_fee_fen),
    ]
    return [
        TransferRequest(
            id=f"agency:{made.number}:{leg}:recon-reversal",
            debit_account=debit,
            credit_account=credit,
            amount_fen=amount,
            category=CATEGORY_AGENCY_REVERSAL,
            reference=f"agency:{made.number}",
        )
        for leg, (debit, credit), amount in legs
        if amount > 0
    ]


@transaction.atomic
def mismatch_resolve(
    *,
    item: StatementItem,
    resolution: str,
    note: str,
    actor: Actor,
    now: datetime.datetime | None = None,
) -> StatementItem:
    """Resolve a mismatch of an open statement, booking what the resolution changes in what is owed to
    the provider (module docstring), and record who, when and why.

    Missing on theirs: ``include`` or ``reverse``; missing on our side: ``accept`` or ``dispute``;
    amount differs: ``ours`` or ``theirs``. A resolution is final.

    Raises
    ------
    PermissionRefused
        ``not_allowed`` outside the actor's county (see :func:`statement_import`).
    ValidationFailed
        ``invalid_resolution`` (``resolution``), ``note_required`` / ``note_too_long`` (``note``).
    Conflict
        ``statement_closed`` (``statement``): settled or superseded; ``already_resolved``
        (``mismatch``): resolved, or a matched pair with nothing to resolve; ``already_reversed``
        (``resolution``): the transaction was reversed meanwhile; a ledger refusal (``exceeds_credits``:
        the station's commission account no longer holds the fee to give back). Nothing is written
        when refused.
    """
    now = now or timezone.now()
    statement = (
        Statement.objects.select_for_update(of=("self",)).select_related("provider").get(pk=item.statement_id)
    )
    user = _reconciler(actor, statement.provider)
    item = StatementItem.objects.select_for_update(of=("self",)).select_related("line").get(pk=item.pk)
    if statement.status != StatementStatus.OPEN:
        raise Conflict(
            "statement_closed",
            _("这份对账单%(status)s，不能再处理差错") % {"status": statement.get_status_display()},
            field="statement",
        )
    if ItemStatus.RESOLVED not in StatementItem.ALLOWED_TRANSITIONS[ItemStatus(item.status)]:
        raise Conflict("already_resolved", _("这条差错已处理（或无需处理）"), field="mismatch")
    allowed = RESOLUTIONS_BY_KIND[item.kind]
    if resolution not in allowed:
        raise ValidationFailed(
            "invalid_resolution",
            _("%(kind)s只能选择：%(choices)s")
            % {
                "kind": item.get_kind_display(),
                "choices": "、".join(str(choice.label) for choice in allowed),
            },
            field="resolution",
        )
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("note_required", _("请写明处理说明"), field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            "note_too_long", _("处理说明最多 %(n)d 个字") % {"n": NOTE_MAX_LENGTH}, field="note"
        )
    ours = item.ours_provider_fen or 0
    theirs = item.theirs_provider_fen or 0
    transfers: list[TransferRequest] = []
    if resolution in (Resolution.INCLUDE, Resolution.OURS):
        agreed, booked = ours, 0
    elif resolution == Resolution.DISPUTE:
        agreed, booked = 0, 0
    elif resolution in (Resolution.ACCEPT, Resolution.THEIRS):
        agreed, booked = theirs, theirs - ours
        transfers = _difference(statement=statement, item=item, amount_fen=booked)
    else:  # Resolution.REVERSE
        agreed, booked = 0, -ours
        assert item.transaction_id is not None
        made = (
            AgencyTransaction.objects.select_for_update(of=("self",))
            .select_related("outlet", "provider", "customer")
            .get(pk=item.transaction_id)
        )
        if made.status != TransactionStatus.DONE:
            raise Conflict("already_reversed", _("这笔业务已冲正"), field="resolution")
        transfers = _booked_back(made)
        made.status = TransactionStatus.REVERSED
        made.reversed_at = now
        made.reversal_reason = (_("对账冲正：") + note)[:200]
        made.save(update_fields=["status", "reversed_at", "reversal_reason"])
        event_append(AGENCY_TRANSACTED, made.number, at=now)
    if transfers:
        transfers_book(transfers, actor=user, now=now)
    before = item.status
    item.status = ItemStatus.RESOLVED
    item.resolution = resolution
    item.note = note
    item.agreed_fen = agreed
    item.booked_fen = booked
    item.resolved_by = user
    item.resolved_at = now
    item.save(
        update_fields=[
            "status",
            "resolution",
            "note",
            "agreed_fen",
            "booked_fen",
            "resolved_by",
            "resolved_at",
        ]
    )
    StatementItemEvent.objects.create(
        item=item,
        from_status=before,
        to_status=item.status,
        resolution=resolution,
        actor=user,
        occurred_at=now,
        note=note,
    )
    return item


# --- settling --------------------------------------------------------------------------------------


@transaction.atomic
def statement_settle(
    *, statement: Statement, actor: Actor, now: datetime.datetime | None = None
) -> Statement:
    """Settle a statement's day: one transfer of the agreed net between the provider's clearing account
    and the bank — to the provider when the platform owes it, from it when a day of pay-outs leaves the
    provider owing — and the statement marked settled. A net of nothing moves no money.

    Raises
    ------
    PermissionRefused
        ``not_allowed`` outside the actor's county.
    Conflict
        ``already_settled``; ``statement_closed`` (superseded); ``mismatches_open`` while a mismatch is
        not resolved. Nothing is written when refused.
    """
    now = now or timezone.now()
    statement = (
        Statement.objects.select_for_update(of=("self",)).select_related("provider").get(pk=statement.pk)
    )
    user = _reconciler(actor, statement.provider)
    if statement.status == StatementStatus.SETTLED:
        raise Conflict("already_settled", _("这一天已结算"), field="statement")
    open_count = statement.items.filter(status=ItemStatus.OPEN).count()
    if open_count and statement.status == StatementStatus.OPEN:
        raise Conflict(
            "mismatches_open",
            _("还有 %(n)d 条差错未处理，处理完才能结算") % {"n": open_count},
            field="statement",
        )
    net = int(statement.items.aggregate(net=Sum("agreed_fen"))["net"] or 0)
    _statement_move(
        statement, StatementStatus.SETTLED, StatementEventKind.SETTLED, user, now, format_fen(net)
    )
    transfer_id = ""
    if net:
        provider = provider_clearing_open(provider=statement.provider).code
        bank = system_account(code=chart.BANK).code
        transfer_id = f"agency:settlement:{statement.pk}"
        transfers_book(
            [
                TransferRequest(
                    id=transfer_id,
                    debit_account=provider if net > 0 else bank,
                    credit_account=bank if net > 0 else provider,
                    amount_fen=abs(net),
                    category=CATEGORY_AGENCY_SETTLEMENT,
                    reference=f"agency:statement:{statement.pk}",
                )
            ],
            actor=user,
            now=now,
        )
    statement.settled_by = user
    statement.settled_at = now
    statement.settlement_fen = net
    statement.settlement_transfer_id = transfer_id
    statement.save(
        update_fields=["status", "settled_by", "settled_at", "settlement_fen", "settlement_transfer_id"]
    )
    return statement
