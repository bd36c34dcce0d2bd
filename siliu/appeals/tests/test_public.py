"""The public monthly page: counts by category and township exact, the share resolved in time, the
average rating, and no personal data."""

import datetime
from typing import Any

import pytest
from django.test import Client

from siliu.appeals.models import Appeal
from siliu.appeals.public.selectors import month_figures
from siliu.appeals.requests.services import (
    appeal_file,
    appeal_file_for_villager,
    appeal_rate,
    appeal_reject_duplicate,
    appeal_resolve,
)
from siliu.appeals.tests.conftest import NOW, County
from siliu.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def file(county: County, village: str, category: str, at: datetime.datetime) -> Appeal:
    return appeal_file(
        requester=county.villager,
        category=category,
        village_code=getattr(county, village).code,
        text="张三说的事",
        now=at,
    )


@pytest.fixture
def november(county: County) -> list[Appeal]:
    """November 2026: 清水乡 three deliveries and a price, 红山镇 a suggestion; one delivery a duplicate;
    two resolved (one in time, rated 5; one late, rated 2); one filed 31 October (not counted)."""
    start = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)  # 08:00 in the county
    appeals = [
        file(county, "east", "delivery", start),
        file(county, "west", "delivery", start + DAY),
        file(county, "east", "delivery", start + 2 * DAY),
        file(county, "west", "price", start + 3 * DAY),
        file(county, "south", "suggestion", start + 4 * DAY),
    ]
    appeal_reject_duplicate(appeal=appeals[2], actor=county.operator, duplicate_of_id=appeals[0].pk, now=NOW)
    appeal_resolve(appeal=appeals[0], actor=county.operator, resolution="好了", now=start + 2 * DAY)
    appeal_rate(appeal=appeals[0], actor=county.villager, rating=5, now=start + 3 * DAY)
    appeal_resolve(appeal=appeals[1], actor=county.manager, resolution="好了", now=start + 9 * DAY)
    appeal_rate(appeal=appeals[1], actor=county.villager, rating=2, now=start + 10 * DAY)
    # 31 October, 23:00 in the county: October's.
    file(county, "east", "complaint", datetime.datetime(2026, 10, 31, 15, tzinfo=datetime.UTC))
    return appeals


def test_the_month_s_counts_are_exact(county: County, november: list[Appeal]) -> None:
    """By township and category, duplicates left out, October's left out; 1 of 2 resolved in time; the
    average of 5 and 2 is 3.5."""
    figures = month_figures(month="2026-11")
    rows = {row.township.name: row.counts for row in figures.rows}
    assert rows == {"清水乡": [2, 0, 0, 1, 0, 0], "红山镇": [0, 0, 0, 0, 0, 1]}
    assert figures.category_totals == [2, 0, 0, 1, 0, 1]
    assert (figures.total, figures.open_count, figures.resolved_count, figures.in_time_count) == (4, 2, 2, 1)
    assert (figures.in_time_percent, figures.rated_count, str(figures.average_rating)) == (50, 2, "3.5")
    october = month_figures(month="2026-10")
    assert (october.total, october.in_time_percent, october.average_rating) == (1, None, None)


def test_a_bad_month_is_refused_on_its_field(county: County) -> None:
    """``2026-13``: refused on ``month``; the page answers 400."""
    with pytest.raises(ValidationFailed) as refused:
        month_figures(month="2026-13")
    assert refused.value.field == "month"
    assert Client().get("/appeals/monthly/?month=2026-13").status_code == 400


def test_the_public_page_shows_no_personal_data(county: County, november: list[Appeal]) -> None:
    """Anonymous: the figures, and no name, phone, text or request number."""
    appeal_file_for_villager(
        operator=county.operator,
        counter=county.east_station,
        phone="13912345678",
        category="pickup",
        village_code=county.east.code,
        text="李四的包裹",
        now=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC),
    )
    response = Client().get("/appeals/monthly/?month=2026-11")
    assert response.status_code == 200
    page = response.content.decode()
    for private in (
        "13912345678",
        "139****5678",
        "13800000001",
        "张三",
        "李四",
        "villager",
        "op_east",
        "东村",
    ):
        assert private not in page
    assert "清水乡" in page and 'data-testid="total">5<' in page


def test_the_public_page_is_rate_limited(county: County, throttle_rates: Any) -> None:
    """Past the public rate: 429 with Retry-After, like 县域概况."""
    throttle_rates(public="2/min")
    client = Client()
    answers = [client.get("/appeals/monthly/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
