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


@transaction.atomic
def parcel_exceptions_flag(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Flag open parcels past their promise (``overdue``, which wins) or without a scan for longer than
    their product allows (``no_scan``); clear flags that no longer hold. Returns the counts flagged.

    A flag keeps the time it was first raised, so the county manager's list shows how long a parcel
    has been in trouble.
    """
    now = now or timezone.now()
    open_parcels = Parcel.objects.filter(status__in=OPEN_STATUSES)
    Parcel.objects.exclude(status__in=OPEN_STATUSES).exclude(exception="").update(
        exception="", exception_flagged_at=None
    )
    overdue = open_parcels.filter(promised_at__lt=now)
    overdue.exclude(exception=ParcelException.OVERDUE).update(
        exception=ParcelException.OVERDUE, exception_flagged_at=now
    )
    silent = Q()
    for product_id, hours in Product.objects.values_list("pk", "no_scan_alert_hours"):
        silent |= Q(product_id=product_id, last_seen__lt=now - datetime.timedelta(hours=hours))
    not_overdue = open_parcels.filter(promised_at__gte=now).annotate(
        last_seen=Coalesce("last_event_at", "accepted_at", "created_at")
    )
    silent_parcels = not_overdue.filter(silent) if silent else not_overdue.none()
    silent_parcels.exclude(exception=ParcelException.NO_SCAN).update(
        exception=ParcelException.NO_SCAN, exception_flagged_at=now
    )
    not_overdue.exclude(pk__in=silent_parcels.values("pk")).exclude(exception="").update(
        exception="", exception_flagged_at=None
    )
    return {
        ParcelException.OVERDUE.value: overdue.count(),
        ParcelException.NO_SCAN.value: silent_parcels.count(),
    }
