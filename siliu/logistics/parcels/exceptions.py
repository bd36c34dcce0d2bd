"""The exception sweep: parcels silent for too long, and parcels past their promised time."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from siliu.logistics.models import Parcel, ParcelException, ParcelStatus, Product

#: Statuses of parcels still on their way (not delivered, cancelled or lost).
OPEN_STATUSES = (
    ParcelStatus.ACCEPTED,
    ParcelStatus.IN_TRANSIT,
    ParcelStatus.AT_DELIVERY_OFFICE,
    ParcelStatus.OUT_FOR_DELIVERY,
    ParcelStatus.AWAITING_PICKUP,
    ParcelStatus.DELIVERY_FAILED,
)
#: Open parcels the sweep watches: not those waiting at a pickup point, which have arrived and wait for
#: their recipient (neither silent nor late); the station lists them for return after
#: ``SILIU_PICKUP_RETURN_DAYS``.
SWEPT_STATUSES = tuple(status for status in OPEN_STATUSES if status != ParcelStatus.AWAITING_PICKUP)


@transaction.atomic
def parcel_exceptions_flag(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Flag open parcels without a scan for longer than their product allows (``no_scan``, which wins)
    or past their promise (``overdue``); clear flags that no longer hold. Returns the counts flagged.

    Silence is checked whatever the parcel's age: a parcel nobody has scanned for five weeks is long
    past its promise too, and it is the silence that says it may be lost, so ``no_scan`` wins over
    ``overdue`` (a late parcel still being scanned is only ``overdue``). A flag keeps the time it was
    first raised, so the county manager's list shows how long a parcel has been in trouble. A parcel
    waiting at a pickup point is not swept (:data:`SWEPT_STATUSES`).
    """
    now = now or timezone.now()
    open_parcels = Parcel.objects.filter(status__in=SWEPT_STATUSES).annotate(
        last_seen=Coalesce("last_event_at", "accepted_at", "created_at")
    )
    Parcel.objects.exclude(status__in=SWEPT_STATUSES).exclude(exception="").update(
        exception="", exception_flagged_at=None
    )
    silent = Q()
    for product_id, hours in Product.objects.values_list("pk", "no_scan_alert_hours"):
        silent |= Q(product_id=product_id, last_seen__lt=now - datetime.timedelta(hours=hours))
    silent_parcels = open_parcels.filter(silent) if silent else open_parcels.none()
    silent_ids = silent_parcels.values("pk")
    Parcel.objects.filter(pk__in=silent_ids).exclude(exception=ParcelException.NO_SCAN).update(
        exception=ParcelException.NO_SCAN, exception_flagged_at=now
    )
    heard = open_parcels.exclude(pk__in=silent_ids)
    overdue = heard.filter(promised_at__lt=now)
    overdue_ids = overdue.values("pk")
    Parcel.objects.filter(pk__in=overdue_ids).exclude(exception=ParcelException.OVERDUE).update(
        exception=ParcelException.OVERDUE, exception_flagged_at=now
    )
    heard.exclude(pk__in=overdue_ids).exclude(exception="").update(exception="", exception_flagged_at=None)
    return {
        ParcelException.OVERDUE.value: overdue.count(),
        ParcelException.NO_SCAN.value: silent_parcels.count(),
    }
