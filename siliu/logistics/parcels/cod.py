"""Cash on delivery (代收货款): collected at the final delivery, remitted to the sender less the fee.

Money path, every step a ledger transfer named after the parcel so that each happens once:

1. At the final delivery scan (inside the scan's transaction, via :mod:`siliu.logistics.parcels.delivery`) the
   recipient's cash goes into the delivering outlet's cash drawer and is owed onwards:
   ``parcel:<number>:cod-collect`` debit ``cash:<outlet>``, credit ``cod_payable``.
2. Once the delivery is final — ``hold_hours`` after it, and no claim on the parcel open — the sweep
   :func:`cod_remit_due` pays the sender, keeping the COD fee (which the sender did not pay at
   acceptance, see :attr:`Parcel.charged_at_acceptance_fen`), as one linked chain:
   ``parcel:<number>:cod-remit`` debit ``cod_payable``, credit the sender's wallet, amount − fee;
   ``parcel:<number>:cod-fee`` debit ``cod_payable``, credit postage income, the fee.
   Should the fee exceed the amount collected (a tiny COD amount under the fee's minimum), all of the
   amount goes to the fee and the rest of the fee is taken from the sender's wallet
   (``parcel:<number>:cod-fee-wallet``); if the wallet cannot pay it, the parcel waits for the next sweep.

Partner parcels never carry COD (see :mod:`siliu.logistics.partners.services`).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.bulk import update_rows
from siliu.finance import chart
from siliu.finance.models import Account, AccountType
from siliu.finance.services import (
    TransferRequest,
    account_open,
    outlet_cash_open,
    transfers_create_batch,
    wallet_open,
)
from siliu.logistics.models import OPEN_CLAIM_STATUSES, Claim, Parcel, ParcelEvent, ParcelStatus

#: The liability holding COD money between collection and remittance.
COD_PAYABLE = "cod_payable"
CATEGORY_COD = "cod"
#: Parcels per sweep transaction (at most three transfers each, within the ledger's batch of 1,000).
REMIT_BATCH_LIMIT = 300


def cod_payable_open() -> Account:
    """The COD payable account (a liability that never goes negative), opened on first use."""
    return account_open(
        code=COD_PAYABLE, name=_("代收货款（待汇寄件人）"), type=AccountType.LIABILITY, allows_negative=False
    )


def cod_collect_id(tracking_number: str) -> str:
    return f"parcel:{tracking_number}:cod-collect"


def cod_remit_id(tracking_number: str) -> str:
    return f"parcel:{tracking_number}:cod-remit"


def cod_fee_id(tracking_number: str) -> str:
    return f"parcel:{tracking_number}:cod-fee"


def cod_fee_wallet_id(tracking_number: str) -> str:
    return f"parcel:{tracking_number}:cod-fee-wallet"


def cod_collect(*, delivered: Sequence[tuple[Parcel, ParcelEvent]]) -> list[TransferRequest]:
    """The collection transfers for the COD parcels among those just delivered, and their
    ``cod_collected_at`` (the delivery's ``occurred_at``) saved.

    Runs inside the scan's transaction with the parcels locked; the caller books the transfers there
    too, so a collection exists exactly when the delivery does. The money goes into the cash drawer
    of the outlet that scanned the delivery.
    """
    collecting = [
        (parcel, event)
        for parcel, event in delivered
        if parcel.cod_amount_fen > 0 and parcel.cod_collected_at is None
    ]
    if not collecting:
        return []
    payable = cod_payable_open()
    drawers: dict[int, str] = {}  # by outlet id: a batch delivered at one outlet opens its drawer once
    transfers = []
    for parcel, event in collecting:
        outlet = event.outlet or parcel.destination_outlet
        assert outlet is not None, "a delivery scan always names its outlet"
        if outlet.pk not in drawers:
            drawers[outlet.pk] = outlet_cash_open(outlet=outlet).code
        transfers.append(
            TransferRequest(
                id=cod_collect_id(parcel.tracking_number),
                debit_account=drawers[outlet.pk],
                credit_account=payable.code,
                amount_fen=parcel.cod_amount_fen,
                category=CATEGORY_COD,
                reference=f"parcel:{parcel.tracking_number}",
            )
        )
        parcel.cod_collected_at = event.occurred_at
    # The scan's own bulk update writes a fixed list of fields; this one is ours.
    update_rows(Parcel, ["cod_collected_at"], [parcel for parcel, _event in collecting])
    return transfers


@dataclass(frozen=True)
class CodRemittance:
    """What a sweep did: parcels remitted, fen paid to senders and kept as fees, parcels refused
    (tracking number → the ledger's refusal code, e.g. ``exceeds_credits``)."""

    remitted: list[str] = field(default_factory=list)
    paid_fen: int = 0
    fee_fen: int = 0
    refused: dict[str, str] = field(default_factory=dict)


def _remittance(parcel: Parcel, *, payable: str, wallet: str) -> list[TransferRequest]:
    """The linked chain that settles one parcel's COD: the sender's share, the fee."""
    number = parcel.tracking_number
    fee_from_collection = min(parcel.cod_fee_fen, parcel.cod_amount_fen)
    parts = [
        (cod_remit_id(number), payable, wallet, parcel.cod_amount_fen - fee_from_collection),
        (cod_fee_id(number), payable, chart.POSTAGE_INCOME, fee_from_collection),
        (cod_fee_wallet_id(number), wallet, chart.POSTAGE_INCOME, parcel.cod_fee_fen - fee_from_collection),
    ]
    chain = [part for part in parts if part[3] > 0]
    return [
        TransferRequest(
            id=transfer_id,
            debit_account=debit,
            credit_account=credit,
            amount_fen=amount,
            linked=index < len(chain) - 1,
            category=CATEGORY_COD,
            reference=f"parcel:{number}",
        )
        for index, (transfer_id, debit, credit, amount) in enumerate(chain)
    ]


@transaction.atomic
def cod_remit_due(
    *, now: datetime.datetime | None = None, hold_hours: int = 24, limit: int = REMIT_BATCH_LIMIT
) -> CodRemittance:
    """Remit the COD of parcels whose delivery is final to their senders' wallets, less the COD fee.

    A delivery is final ``hold_hours`` after it happened, if no claim on the parcel is submitted or
    approved. Up to ``limit`` parcels are settled in one transaction, each as one linked chain of
    transfers (see the module's docstring) and its ``cod_remitted_at`` set; a chain the ledger refuses
    leaves its parcel for the next sweep and is reported in ``refused``. Safe to run twice at once:
    the parcels are locked (``SKIP LOCKED`` on PostgreSQL), and the transfer ids make every payment
    happen once.
    """
    now = now or timezone.now()
    if not 0 < limit <= REMIT_BATCH_LIMIT:
        raise ValueError(f"limit is 1 to {REMIT_BATCH_LIMIT}, not {limit}")
    open_claims = Claim.objects.filter(parcel=OuterRef("pk"), status__in=OPEN_CLAIM_STATUSES)
    due = list(
        Parcel.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("sender_user")
        .filter(
            cod_amount_fen__gt=0,
            status=ParcelStatus.DELIVERED,
            cod_collected_at__isnull=False,
            cod_remitted_at__isnull=True,
            delivered_at__lte=now - datetime.timedelta(hours=hold_hours),
        )
        .filter(~Exists(open_claims))
        .order_by("pk")[:limit]
    )
    if not due:
        return CodRemittance()
    payable = cod_payable_open().code
    wallets: dict[int, str] = {}  # by user id: a seller's many parcels open the wallet once
    chains: list[tuple[Parcel, list[TransferRequest]]] = []
    for parcel in due:
        sender = parcel.sender_user
        assert sender is not None, "COD parcels have a sender wallet (parcel_cod_has_sender_wallet)"
        if sender.pk not in wallets:
            wallets[sender.pk] = wallet_open(user=sender).code
        chains.append((parcel, _remittance(parcel, payable=payable, wallet=wallets[sender.pk])))
    results = iter(
        transfers_create_batch(transfers=[request for _parcel, chain in chains for request in chain], now=now)
    )
    remitted: list[Parcel] = []
    refused: dict[str, str] = {}
    for parcel, chain in chains:
        outcome = [next(results) for _request in chain]
        failures = [
            result.status for result in outcome if not result.ok and result.status != "linked_event_failed"
        ]
        if failures:
            refused[parcel.tracking_number] = failures[0]
        else:
            remitted.append(parcel)
    Parcel.objects.filter(pk__in=[parcel.pk for parcel in remitted]).update(cod_remitted_at=now)
    return CodRemittance(
        remitted=[parcel.tracking_number for parcel in remitted],
        paid_fen=sum(
            parcel.cod_amount_fen - min(parcel.cod_fee_fen, parcel.cod_amount_fen) for parcel in remitted
        ),
        fee_fen=sum(parcel.cod_fee_fen for parcel in remitted),
        refused=refused,
    )
