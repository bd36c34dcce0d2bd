"""A month of requests as anyone may see it: counts by category and township, the share resolved in
time and the average rating. Nothing about a person: no names, phones, texts or photos, and no single
request.

What is counted, for the requests filed in the month (county time):

- the counts: every request but those closed as duplicates of another (one need, counted once);
- resolved in time: of those resolved (rated or not), the share resolved by their due time;
- the average rating: of those rated, to one decimal.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from siliu.appeals.models import DONE_STATUSES, OPEN_STATUSES, Appeal, AppealCategory, AppealStatus
from siliu.logistics.partners.statements import statement_month_bounds
from siliu.network.models import Region, RegionLevel


@dataclass(frozen=True)
class TownshipRow:
    township: Region
    #: Count per category, in :class:`AppealCategory` order.
    counts: list[int]
    total: int


@dataclass(frozen=True)
class MonthFigures:
    month: str
    rows: list[TownshipRow]
    #: Count per category over every township, in :class:`AppealCategory` order.
    category_totals: list[int]
    total: int
    open_count: int
    resolved_count: int
    in_time_count: int
    rated_count: int
    #: Mean rating to one decimal, ``None`` when nothing was rated.
    average_rating: Decimal | None
    categories: list[AppealCategory] = field(default_factory=lambda: list(AppealCategory))

    @property
    def in_time_percent(self) -> int | None:
        """The share resolved in time, in whole percent (half up); ``None`` when none was resolved."""
        if not self.resolved_count:
            return None
        return int(
            (Decimal(100 * self.in_time_count) / self.resolved_count).quantize(Decimal(1), ROUND_HALF_UP)
        )


def this_month(now: datetime.datetime | None = None) -> str:
    return f"{timezone.localdate(now):%Y-%m}"


def month_choices(*, now: datetime.datetime | None = None, count: int = 12) -> list[str]:
    """This month and the ``count - 1`` before it, newest first (``YYYY-MM``)."""
    today = timezone.localdate(now)
    year, month = today.year, today.month
    months = []
    for _step in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def month_figures(*, month: str) -> MonthFigures:
    """The public figures of ``month`` (``YYYY-MM``).

    Raises
    ------
    ValidationFailed
        ``invalid_month`` (``month``).
    """
    start, end = statement_month_bounds(month)
    appeals = Appeal.objects.filter(filed_at__gte=start, filed_at__lt=end).exclude(
        status=AppealStatus.REJECTED
    )
    categories = list(AppealCategory)
    cells: dict[tuple[int, str], int] = {
        (row["township_id"], row["category"]): row["n"]
        for row in appeals.values("township_id", "category").annotate(n=Count("pk"))
    }
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")
    rows = []
    for township in townships:
        counts = [cells.get((township.pk, category.value), 0) for category in categories]
        rows.append(TownshipRow(township=township, counts=counts, total=sum(counts)))
    figures = appeals.aggregate(
        open_count=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        resolved_count=Count("pk", filter=Q(status__in=DONE_STATUSES)),
        in_time_count=Count("pk", filter=Q(status__in=DONE_STATUSES, resolved_at__lte=F("resolve_due_at"))),
        rated_count=Count("pk", filter=Q(rating__isnull=False)),
        average=Avg("rating"),
    )
    average = figures["average"]
    return MonthFigures(
        month=month,
        rows=rows,
        category_totals=[sum(row.counts[i] for row in rows) for i in range(len(categories))],
        total=sum(row.total for row in rows),
        open_count=figures["open_count"],
        resolved_count=figures["resolved_count"],
        in_time_count=figures["in_time_count"],
        rated_count=figures["rated_count"],
        average_rating=None
        if average is None
        else Decimal(str(average)).quantize(Decimal("0.1"), ROUND_HALF_UP),
        categories=categories,
    )
