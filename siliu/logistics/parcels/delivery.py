"""What follows a final delivery scan, inside the scan's transaction.

:func:`siliu.logistics.parcels.services.scans_record` calls :func:`delivery_effects` with every parcel that
became delivered in the batch; it returns the ledger transfers to book with the batch (cash on delivery
collected into the delivering outlet's cash) and tells the parts that registered a delivery hook
(proof of delivery owed to a partner courier).
"""

import datetime
from collections.abc import Sequence

from siliu.finance.services import TransferRequest
from siliu.logistics import hooks
from siliu.logistics.models import Parcel, ParcelEvent
from siliu.logistics.parcels.cod import cod_collect


def delivery_effects(
    *, delivered: Sequence[tuple[Parcel, ParcelEvent]], now: datetime.datetime
) -> list[TransferRequest]:
    """Effects of final delivery for each (parcel, its EMI event); the transfers to book.

    - Cash on delivery: the collection transfer into the delivering outlet's cash drawer, and the
      parcel's ``cod_collected_at`` (:func:`siliu.logistics.parcels.cod.cod_collect`).
    - Every handler registered with :func:`siliu.logistics.hooks.on_parcel_deliveries`: for partner
      parcels, a signed proof-of-delivery message owed to the partner, due ``now``
      (:func:`siliu.logistics.partners.tasks.webhooks_owe`).

    The parcels are locked by the caller; the events are saved (they have ids).
    """
    if not delivered:
        return []
    transfers = cod_collect(delivered=delivered)
    hooks.parcel_deliveries(delivered=delivered, now=now)
    return transfers
