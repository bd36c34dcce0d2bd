"""demo_outreach: the real issues and a year of exhibitions over the demo county, half its townships."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from siliu.core.errors import NotFound
from siliu.network.models import Region, RegionLevel
from siliu.outreach.coverage.selectors import coverage_for_year
from siliu.outreach.demo import REAL_ISSUES, demo_outreach
from siliu.outreach.models import Exhibition, ExhibitionStatus, StampIssue

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


def test_demo_outreach_needs_the_demo_county() -> None:
    """Before ``siliu demo`` there is no county manager to plan anything."""
    with pytest.raises(NotFound):
        demo_outreach(today=TODAY)
    assert StampIssue.objects.count() == 0


def test_demo_outreach_covers_half_the_townships() -> None:
    """The three real issues; held exhibitions in the first half of the townships only; a request, a
    cancelled and a planned one; a second call adds nothing."""
    call_command(
        "demo", "--villages=24", "--seed=5", "--orders=0", "--force", f"--today={TODAY}", stdout=StringIO()
    )  # which calls demo_outreach(today=TODAY, seed=5)
    assert sorted(StampIssue.objects.values_list("series_number", flat=True)) == sorted(
        issue.series_number for issue in REAL_ISSUES
    )
    statuses = sorted(Exhibition.objects.values_list("status", flat=True))
    assert len(statuses) > 3
    assert statuses.count(ExhibitionStatus.REQUESTED) == 1
    assert statuses.count(ExhibitionStatus.CANCELLED) == 1
    assert statuses.count(ExhibitionStatus.PLANNED) == 1
    townships = list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code"))
    visited = {t.code for t in townships[: len(townships) // 2]}
    held = Exhibition.objects.filter(status=ExhibitionStatus.HELD)
    assert {exhibition.village.parent.code for exhibition in held} == visited  # type: ignore[union-attr]
    assert all(exhibition.attendance_count and exhibition.held_on <= TODAY for exhibition in held)  # type: ignore[operator]
    covered = {t.code for t in coverage_for_year(year=2026).townships if t.covered_count}
    assert covered <= visited and covered
    assert demo_outreach(today=TODAY, seed=5) == 0
