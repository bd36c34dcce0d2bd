"""What follows a final delivery scan, inside the scan's transaction.

:func:`siliu.logistics.services.scans_record` calls :func:`delivery_effects` with every parcel that
became delivered in the batch; it returns the ledger transfers to book with the batch (cash on delivery
collected into the delivering outlet's cash) and queues what must happen later (proof of delivery to a
partner courier).
"""

import datetime
from collections.abc import Sequence

from siliu.finance.services import TransferRequest

# Modules, not names: ``partners`` imports ``services``, which imports this module while it loads.
from siliu.logistics import cod, partners
from siliu.logistics.models import Parcel, ParcelEvent


def delivery_effects(
    *, delivered: Sequence[tuple[Parcel, ParcelEvent]], now: datetime.datetime
) -> list[TransferRequest]:
    """Effects of final delivery for each (parcel, its EMI event); the transfers to book.

    - Cash on delivery: the collection transfer into the delivering outlet's cash drawer, and the
      parcel's ``cod_collected_at`` (:func:`siliu.logistics.cod.cod_collect`).
    - Partner parcels: a signed proof-of-delivery message owed to the partner, due ``now``
      (:func:`siliu.logistics.partners.webhook_deliveries_queue`).

    The parcels are locked by the caller; the events are saved (they have ids).
    """
    if not delivered:
        return []
    transfers = cod.cod_collect(delivered=delivered)
    partners.webhook_deliveries_queue(delivered=delivered, now=now)
    return transfers
