"""Coverage: a village counts as covered in a year by an exhibition held there that year, and by nothing
else; the townships' shares exact; the points the map draws; the public pages and API."""

import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from siliu.network.models import Region
from siliu.network.tests.factories import TownshipFactory, VillageFactory
from siliu.outreach.coverage.selectors import coverage_for_year, coverage_map_data, coverage_years, share_text
from siliu.outreach.exhibitions.services import (
    exhibition_cancel,
    exhibition_create,
    exhibition_hold,
    exhibition_request,
)
from siliu.outreach.models import Exhibition, ExhibitionKind, StampIssue, VenueKind
from siliu.outreach.tests.factories import County, stamp_issue_build

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _planned(
    manager: User, stamp: StampIssue, village: Region, day: datetime.date, *, planned_on: datetime.date
) -> Exhibition:
    return exhibition_create(
        actor=manager,
        village_code=village.code,
        venue_kind=VenueKind.VILLAGE_SQUARE,
        kind=ExhibitionKind.EXHIBITION,
        title=f"{village.name}：邮票上的党史",
        scheduled_on=day,
        stamp_ids=[stamp.pk],
        leader_name="王建国",
        now=_at(planned_on),
    )


def _held(manager: User, stamp: StampIssue, village: Region, day: datetime.date, people: int) -> Exhibition:
    exhibition = _planned(manager, stamp, village, day, planned_on=day - datetime.timedelta(days=7))
    return exhibition_hold(exhibition=exhibition, actor=manager, attendance_count=people, now=_at(day, 18))


@pytest.fixture
def year_of_exhibitions(county: County, manager: User) -> County:
    """王家沟村: two held in 2026 (30 and 50 people); 李家庄村: one held in 2025 (40); 石门村: one
    requested, one planned for later, one cancelled; 柳树湾村 (白马乡): one held in 2026 (25)."""
    stamp = stamp_issue_build()
    wang, li, shimen, liushu = county.villages
    _held(manager, stamp, wang, datetime.date(2026, 3, 5), 30)
    _held(manager, stamp, wang, datetime.date(2026, 10, 1), 50)
    _held(manager, stamp, li, datetime.date(2025, 12, 30), 40)
    _held(manager, stamp, liushu, datetime.date(2026, 1, 1), 25)
    exhibition_request(
        requester=AnonymousUser(),
        village_code=shimen.code,
        venue_kind=VenueKind.VILLAGE_SQUARE,
        contact_name="赵",
        contact_phone="13900000000",
        now=_at(TODAY),
    )
    _planned(manager, stamp, shimen, TODAY + datetime.timedelta(days=3), planned_on=TODAY)
    cancelled = _planned(
        manager, stamp, shimen, datetime.date(2026, 6, 1), planned_on=datetime.date(2026, 5, 1)
    )
    exhibition_cancel(exhibition=cancelled, actor=manager, reason="下雨", now=_at(datetime.date(2026, 6, 1)))
    return county


def test_only_a_held_exhibition_of_the_year_covers_a_village(year_of_exhibitions: County) -> None:
    """2026: 王家沟村 and 柳树湾村 covered; 李家庄村 (held in 2025) and 石门村 (asked, planned,
    cancelled) not."""
    coverage = coverage_for_year(year=2026)
    rows = {
        village.name: (village.covered, village.held_count, village.attendance_total, village.last_held_on)
        for village in coverage.villages
    }
    assert rows == {
        "王家沟村": (True, 2, 80, datetime.date(2026, 10, 1)),
        "李家庄村": (False, 0, 0, None),
        "石门村": (False, 0, 0, None),
        "柳树湾村": (True, 1, 25, datetime.date(2026, 1, 1)),
    }
    assert [(t.name, t.village_count, t.covered_count, t.share) for t in coverage.townships] == [
        ("青龙镇", 3, 1, "33.3%"),
        ("白马乡", 1, 1, "100.0%"),
    ]
    assert (coverage.village_count, coverage.covered_count, coverage.share) == (4, 2, "50.0%")
    assert (coverage.held_count, coverage.attendance_total) == (3, 105)
    assert [village.name for village in coverage.townships[0].uncovered] == ["李家庄村", "石门村"]


def test_last_year_is_counted_on_its_own(year_of_exhibitions: County) -> None:
    """2025 holds only 李家庄村's exhibition of 30 December."""
    coverage = coverage_for_year(year=2025)
    assert [(t.name, t.covered_count, t.share) for t in coverage.townships] == [
        ("青龙镇", 1, "33.3%"),
        ("白马乡", 0, "0.0%"),
    ]
    assert (coverage.held_count, coverage.attendance_total) == (1, 40)


def test_a_township_filter_keeps_its_villages(year_of_exhibitions: County) -> None:
    """Only 白马乡 and its one village."""
    coverage = coverage_for_year(year=2026, township_code=year_of_exhibitions.west.code)
    assert [(t.name, t.share) for t in coverage.townships] == [("白马乡", "100.0%")]
    assert [village.name for village in coverage.villages] == ["柳树湾村"]


def test_villages_are_drawn_at_their_station_or_their_township_office(county: County) -> None:
    """王家沟村 at its station; 石门村 (no station) at 青龙镇's office; a village of a township with no
    outlet at all is in the table and not on the map."""
    lonely = VillageFactory.create(
        parent=TownshipFactory.create(parent=county.county, name="无所乡"), name="远山村"
    )
    coverage = coverage_for_year(year=2026)
    points = {village.name: (village.point, village.at_station) for village in coverage.villages}
    assert points["王家沟村"] == ([108.71, 34.21], True)
    assert points["石门村"] == ([108.7, 34.2], False)
    assert points["柳树湾村"] == ([108.4, 34.05], False)
    assert points[lonely.name] == (None, False)
    drawn = coverage_map_data(coverage)["villages"]
    assert [village["name"] for village in drawn] == ["王家沟村", "李家庄村", "石门村", "柳树湾村"]


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (0, 0, "—"),
        (0, 3, "0.0%"),
        (1, 3, "33.3%"),
        (2, 3, "66.7%"),
        (1, 8, "12.5%"),
        (1, 16, "6.3%"),
        (3, 3, "100.0%"),
    ],
)
def test_shares_are_rounded_half_up_in_integers(part: int, whole: int, text: str) -> None:
    """One decimal, half up: 1/16 = 6.25 % → 6.3 %."""
    assert share_text(part, whole) == text


def test_the_years_offered_start_at_the_first_held_exhibition(year_of_exhibitions: County) -> None:
    """2025's exhibition is the first: 2026, 2025."""
    assert coverage_years(today=TODAY) == [2026, 2025]


def test_the_coverage_page_is_public_and_names_nobody(client: Client, county: County, manager: User) -> None:
    """The map's data and the table; no leader, no phone."""
    stamp = stamp_issue_build()
    today = timezone.localdate()
    exhibition = _planned(manager, stamp, county.villages[0], today, planned_on=today)
    exhibition_hold(exhibition=exhibition, actor=manager, attendance_count=33, now=timezone.now())
    response = client.get("/outreach/coverage/")
    assert response.status_code == 200
    text = response.content.decode()
    assert f'data-testid="covered-{county.east.code}">1<' in text
    assert f'data-testid="share-{county.east.code}">33.3%<' in text
    assert "王建国" not in text
    data = json.loads(text.split('id="coverage-map-data" type="application/json">')[1].split("</script>")[0])
    assert [(village["name"], village["covered"]) for village in data["villages"]] == [
        ("王家沟村", True),
        ("李家庄村", False),
        ("石门村", False),
        ("柳树湾村", False),
    ]
    home = client.get("/outreach/").content.decode()
    assert "王家沟村：邮票上的党史" in home and "王建国" not in home


def test_a_year_out_of_range_is_a_bad_request(client: Client, county: County) -> None:
    """1999 or next year: 400 with the message, this year shown."""
    assert client.get("/outreach/coverage/?year=1999").status_code == 400
    assert client.get(f"/outreach/coverage/?year={timezone.localdate().year + 1}").status_code == 400
    assert client.get("/outreach/?township=nope").status_code == 400


def test_the_coverage_api(api_client: APIClient, year_of_exhibitions: County) -> None:
    """GET /api/v1/outreach/coverage?year=2025 → per township, exact."""
    response = api_client.get("/api/v1/outreach/coverage?year=2025")
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["covered_count"], body["village_count"], body["share"]) == (
        2025,
        1,
        4,
        "25.0%",
    )
    assert [(t["name"], t["covered_count"], t["share"]) for t in body["townships"]] == [
        ("青龙镇", 1, "33.3%"),
        ("白马乡", 0, "0.0%"),
    ]
    assert api_client.get("/api/v1/outreach/coverage?township=123456789").status_code == 400
