"""Coverage of the county by held exhibitions in a calendar year (Asia/Shanghai business days).

A village is covered in a year when an exhibition held in it that year is recorded (status held, its
``held_on`` in the year); requested, planned and cancelled ones do not count. A township's share is its
covered villages over its villages. A village is drawn where its active village station is, or, where it
has none, at its township's office; a village with neither is in the table and not on the map.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import ValidationFailed
from siliu.network.models import Outlet, OutletKind, Region, RegionLevel
from siliu.outreach.models import Exhibition, ExhibitionStatus

#: The first year the coverage is asked about.
FIRST_YEAR = 2000


def share_text(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with one decimal, rounded half up in integers
    (``1, 3`` → ``"33.3%"``; ``"—"`` of nothing)."""
    if whole <= 0:
        return "—"
    per_mille = (2 * part * 1000 + whole) // (2 * whole)
    return f"{per_mille // 10}.{per_mille % 10}%"


@dataclass(frozen=True)
class VillageCoverage:
    code: str
    name: str
    township_code: str
    township_name: str
    held_count: int
    attendance_total: int
    last_held_on: datetime.date | None
    #: [longitude, latitude], or ``None`` when the village has no station and its township no office.
    point: list[float] | None
    #: Whether ``point`` is the village's own station (else its township's office).
    at_station: bool

    @property
    def covered(self) -> bool:
        return self.held_count > 0


@dataclass(frozen=True)
class TownshipCoverage:
    code: str
    name: str
    villages: list[VillageCoverage] = field(default_factory=list)

    @property
    def village_count(self) -> int:
        return len(self.villages)

    @property
    def covered_count(self) -> int:
        return sum(1 for village in self.villages if village.covered)

    @property
    def share(self) -> str:
        return share_text(self.covered_count, self.village_count)

    @property
    def uncovered(self) -> list[VillageCoverage]:
        return [village for village in self.villages if not village.covered]


@dataclass(frozen=True)
class Coverage:
    year: int
    townships: list[TownshipCoverage]

    @property
    def villages(self) -> list[VillageCoverage]:
        return [village for township in self.townships for village in township.villages]

    @property
    def village_count(self) -> int:
        return sum(township.village_count for township in self.townships)

    @property
    def covered_count(self) -> int:
        return sum(township.covered_count for township in self.townships)

    @property
    def share(self) -> str:
        return share_text(self.covered_count, self.village_count)

    @property
    def held_count(self) -> int:
        return sum(village.held_count for village in self.villages)

    @property
    def attendance_total(self) -> int:
        return sum(village.attendance_total for village in self.villages)


def coverage_year_check(year: int | str | None, *, today: datetime.date | None = None) -> int:
    """The year asked about: this year when none is given.

    Raises
    ------
    ValidationFailed
        ``invalid_year`` (``year``) unless it is a year from 2000 to this one.
    """
    this_year = (today or timezone.localdate()).year
    if year in (None, ""):
        return this_year
    try:
        number = int(str(year))
    except ValueError:
        number = 0
    if not FIRST_YEAR <= number <= this_year:
        raise ValidationFailed(
            "invalid_year",
            _("年份应在 %(first)d 到 %(last)d 之间") % {"first": FIRST_YEAR, "last": this_year},
            field="year",
        )
    return number


def coverage_years(*, today: datetime.date | None = None) -> list[int]:
    """The years a filter offers: from the first exhibition held (or this year) to this year, newest
    first."""
    this_year = (today or timezone.localdate()).year
    first = (
        Exhibition.objects.filter(status=ExhibitionStatus.HELD)
        .order_by("held_on")
        .values_list("held_on", flat=True)
    ).first()
    start = max(FIRST_YEAR, min(first.year, this_year)) if first else this_year
    return list(range(this_year, start - 1, -1))


def coverage_for_year(*, year: int, township_code: str = "") -> Coverage:
    """Every village of every township (or of the township with ``township_code``) and whether an
    exhibition was held there in ``year``, with the points to draw them at."""
    townships = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")
    villages = Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code")
    if township_code:
        townships = townships.filter(code=township_code)
        villages = villages.filter(parent__code=township_code)
    held = {
        row["village_id"]: row
        for row in Exhibition.objects.filter(status=ExhibitionStatus.HELD, held_on__year=year)
        .values("village_id")
        .annotate(count=Count("id"), people=Sum("attendance_count"), last=Max("held_on"))
    }
    points: dict[tuple[str, int], list[float]] = {}
    for kind, region_id, longitude, latitude in (
        Outlet.objects.filter(
            is_active=True, kind__in=[OutletKind.VILLAGE_STATION, OutletKind.TOWNSHIP_OFFICE]
        )
        .order_by("-code")  # the lowest code wins where a place has two
        .values_list("kind", "region_id", "longitude", "latitude")
    ):
        points[(kind, region_id)] = [float(longitude), float(latitude)]
    by_township: dict[int, TownshipCoverage] = {
        township.pk: TownshipCoverage(code=township.code, name=township.name) for township in townships
    }
    for village in villages:
        township = by_township.get(village.parent_id or 0)
        if township is None:
            continue
        station = points.get((OutletKind.VILLAGE_STATION, village.pk))
        office = points.get((OutletKind.TOWNSHIP_OFFICE, village.parent_id or 0))
        row = held.get(village.pk)
        township.villages.append(
            VillageCoverage(
                code=village.code,
                name=village.name,
                township_code=township.code,
                township_name=township.name,
                held_count=row["count"] if row else 0,
                attendance_total=(row["people"] or 0) if row else 0,
                last_held_on=row["last"] if row else None,
                point=station or office,
                at_station=station is not None,
            )
        )
    return Coverage(year=year, townships=[township for township in by_township.values() if township.villages])


def coverage_map_data(coverage: Coverage) -> dict[str, Any]:
    """The villages with a point, shaped for ``coverage.js``: name, township, covered or not, how many
    exhibitions were held there."""
    return {
        "villages": [
            {
                "code": village.code,
                "name": village.name,
                "township": village.township_name,
                "covered": village.covered,
                "held": village.held_count,
                "value": village.point,
            }
            for village in coverage.villages
            if village.point is not None
        ],
        "labels": {"covered": _("已举办"), "uncovered": _("尚未举办"), "held": _("场次")},
    }
