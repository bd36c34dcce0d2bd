"""合作共赢: what each station brought in and for whom, each farmer's income against last year, revenue by
line from the ledger, the exports and the monthly PDF report (the year of ``profile_fixtures``).

In November 2026: VS11 (the cooperative's home) kept the kiwi orders going up and took the postage of
the box it accepted (¥12.00) and the commission of its settlement (¥3.59); VS21 took the two fertiliser
orders going down and the commission of the one delivered and settled (¥5.10 of ¥170.00), whose buyer
is the one villager it served; TS1 accepted that parcel (¥34.50 postage), which no station's line holds.
"""

import csv
import datetime
import io
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from siliu.commerce.tests.conftest import fund, shop  # noqa: F401
from siliu.core.errors import ValidationFailed
from siliu.core.roles import Role
from siliu.insight.models import SellerDay
from siliu.insight.scorecard import views
from siliu.insight.scorecard.report import monthly_report_pdf
from siliu.insight.scorecard.selectors import (
    monthly_report,
    report_month_parse,
    scorecard_build,
    scorecard_year_parse,
)
from siliu.insight.tests.profile_fixtures import Year, year_of_flows  # noqa: F401
from siliu.lending.tests.loan_fixtures import lend, loan_fund, officer  # noqa: F401
from siliu.logistics.tests.conftest import county  # noqa: F401
from siliu.network.models import Region, RegionLevel
from siliu.network.services import region_create

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., User]
TODAY = datetime.date(2026, 12, 15)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """The pages' today is 15 December 2026, whatever the clock says."""
    monkeypatch.setattr(views, "timezone", SimpleNamespace(localdate=lambda: TODAY))
    return TODAY


def _stations(card: Any) -> list[tuple[Any, ...]]:
    return [
        (
            line.code,
            line.commission_fen,
            line.postage_fen,
            line.agency_commission_fen,
            line.brought_in_fen,
            line.villagers,
            line.orders_up,
            line.orders_down,
            line.parcels,
        )
        for line in card.stations
    ]


def test_each_station_what_it_brought_in_and_for_whom(year_of_flows: Year) -> None:  # noqa: F811
    """Commission, postage, agency (nil), villagers served, orders up and down, parcels; the most
    brought in first, or by the column asked."""
    card = scorecard_build(year=2026, today=TODAY, outlet_ids=None)
    assert (card.scope, card.station_sort) == ("示范县", "-brought_in_fen")
    assert _stations(card) == [
        ("VS11", 359, 1200, 0, 1559, 0, 3, 0, 1),
        ("VS21", 510, 0, 0, 510, 1, 0, 2, 0),
        ("VS12", 0, 0, 0, 0, 0, 0, 0, 0),
    ]
    assert card.station_totals == {
        "commission_fen": 869,
        "postage_fen": 1200,
        "agency_commission_fen": 0,
        "brought_in_fen": 2069,
        "villagers": 1,
        "orders": 5,
        "parcels": 1,
    }
    by_name = scorecard_build(year=2026, today=TODAY, outlet_ids=None, station_sort="name")
    assert [line.name for line in by_name.stations] == ["李家沟村服务站", "河口村服务站", "王家村服务站"]
    fewest = scorecard_build(year=2026, today=TODAY, outlet_ids=None, station_sort="villagers")
    assert ([line.code for line in fewest.stations], fewest.station_sort) == (
        ["VS11", "VS12", "VS21"],
        "villagers",
    )
    unknown = scorecard_build(year=2026, today=TODAY, outlet_ids=None, station_sort="-phone")
    assert unknown.station_sort == "-brought_in_fen"
    last_year = scorecard_build(year=2025, today=TODAY, outlet_ids=None)
    assert [line.brought_in_fen for line in last_year.stations] == [0, 0, 0]


def test_each_farmer_this_year_against_the_same_days_last_year(year_of_flows: Year) -> None:  # noqa: F811
    """Income settled to farmers (the merchant is none); last year's from its figures of June 2025."""
    cooperative = year_of_flows.shop.cooperative
    SellerDay.objects.create(
        seller=cooperative, day=datetime.date(2025, 6, 1), measure="settled_fen", value=10_000
    )
    # After 15 December 2025: not the same days as 2026's up to 15 December.
    SellerDay.objects.create(
        seller=cooperative, day=datetime.date(2025, 12, 20), measure="settled_fen", value=999
    )
    card = scorecard_build(year=2026, today=TODAY, outlet_ids=None)
    assert [
        (line.name, line.income_fen, line.last_income_fen, line.change_fen, line.change_percent)
        for line in card.farmers
    ] == [("王家村猕猴桃专业合作社", 11601, 10_000, 1601, "+16.0%")]
    assert (card.span.last.date_from, card.span.last.date_to) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 15),
    )
    previous = scorecard_build(year=2025, today=TODAY, outlet_ids=None)
    assert [(line.income_fen, line.last_income_fen, line.change_percent) for line in previous.farmers] == [
        (10_999, 0, "—")
    ]


def test_revenue_by_line_is_read_off_the_ledger(year_of_flows: Year) -> None:  # noqa: F811
    """Postage (the kiwis' ¥12.00 and the fertiliser's ¥34.50), commission (¥3.59 + ¥5.10), interest
    (two days on the loan, ¥6.66); no agency or penalty income yet."""
    card = scorecard_build(year=2026, today=TODAY, outlet_ids=None)
    assert year_of_flows.fertiliser_order.postage_fen == 3450
    assert [(line.code, line.amount_fen, line.last_amount_fen) for line in card.revenue] == [
        ("income:postage", 4650, 0),
        ("income:platform_commission", 869, 0),
        ("income:agency_commission", 0, 0),
        ("income:interest", 666, 0),
        ("income:penalty_interest", 0, 0),
    ]
    assert (card.revenue_total.label, card.revenue_total.amount_fen) == ("合计", 6185)


def test_a_county_manager_sees_the_stations_and_farmers_of_their_county(
    year_of_flows: Year,  # noqa: F811
    make_user: MakeUser,
    client: Client,
    today: datetime.date,
) -> None:
    """A manager of another county sees none of them (the ledger's revenue is the platform's)."""
    home = Region.objects.get(code="610199")
    elsewhere = region_create(code="610299", name="邻县", level=RegionLevel.COUNTY, parent=home.parent)
    client.force_login(make_user(Role.COUNTY_MANAGER, county=home))
    page = client.get("/insight/scorecard/")
    assert page.status_code == 200
    card = page.context["card"]
    assert (card.scope, [line.code for line in card.stations], len(card.farmers)) == (
        "示范县",
        ["VS11", "VS21", "VS12"],
        1,
    )
    text = page.content.decode()
    assert 'data-testid="station-VS11"' in text and "¥15.59" in text
    assert f'href="/insight/sellers/{year_of_flows.shop.cooperative.pk}/"' in text
    assert 'href="/insight/scorecard/report-2026-11.pdf"' in text

    client.force_login(make_user(Role.COUNTY_MANAGER, county=elsewhere))
    card = client.get("/insight/scorecard/").context["card"]
    assert (card.scope, card.stations, card.farmers) == ("邻县", [], [])


def test_the_page_sorts_and_refuses_a_bad_year(
    year_of_flows: Year,  # noqa: F811
    make_user: MakeUser,
    client: Client,
    today: datetime.date,
) -> None:
    """?sort= and ?farmer_sort= sort the tables, the headers link the other way round; a year after this
    one is a 400 with a message; the roles without insight.read are refused."""
    client.force_login(make_user(Role.AUDITOR))
    page = client.get("/insight/scorecard/?year=2026&sort=name")
    assert [line.code for line in page.context["card"].stations] == ["VS12", "VS21", "VS11"]
    [name] = [column for column in page.context["station_columns"] if column.state]
    assert (name.label, name.state, name.url) == ("村级服务站", "ascending", "?year=2026&sort=-name")
    bad = client.get("/insight/scorecard/?year=2027")
    assert bad.status_code == 400
    assert "年份应为 2000 至 2026 之间的四位数" in bad.content.decode()
    client.force_login(year_of_flows.finance)
    assert client.get("/insight/scorecard/").status_code == 200
    for role in (Role.SELLER, Role.LOAN_OFFICER, Role.STATION_OPERATOR):
        client.force_login(make_user(role))
        assert client.get("/insight/scorecard/").status_code == 403


def test_year_and_month_parsing() -> None:
    """The current year by default; nothing before 2000 or after today; a report month up to this one."""
    assert scorecard_year_parse("", today=TODAY) == 2026
    assert scorecard_year_parse("2025", today=TODAY) == 2025
    for bad in ("1999", "2027", "20x6", "-2026"):
        with pytest.raises(ValidationFailed) as refused:
            scorecard_year_parse(bad, today=TODAY)
        assert (refused.value.code, refused.value.field) == ("invalid_year", "year")
    assert report_month_parse(2026, 12, today=TODAY) == datetime.date(2026, 12, 1)
    for year, month in ((2027, 1), (2026, 13), (2026, 0), (1999, 12)):
        with pytest.raises(ValidationFailed):
            report_month_parse(year, month, today=TODAY)


def test_the_exports_hold_the_three_tables(
    year_of_flows: Year,  # noqa: F811
    make_user: MakeUser,
    client: Client,
    today: datetime.date,
) -> None:
    """CSV with a byte-order mark and Excel with a sheet per table, amounts as exact yuan, in the page's
    sort; no phone or ID number."""
    client.force_login(make_user(Role.COUNTY_MANAGER, county=Region.objects.get(code="610199")))
    response = client.get("/insight/scorecard/export.csv?year=2026&sort=name")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="scorecard-2026.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["合作共赢记分卡", "示范县", "2026-01-01 – 2026-12-15"]
    start = rows.index(["村级服务站"])
    assert rows[start + 2 : start + 5] == [
        ["VS12", "李家沟村服务站", "青龙镇", "0.00", "0.00", "0.00", "0.00", "0", "0", "0", "0"],
        ["VS21", "河口村服务站", "柳河乡", "5.10", "0.00", "0.00", "5.10", "1", "0", "2", "0"],
        ["VS11", "王家村服务站", "青龙镇", "3.59", "12.00", "0.00", "15.59", "0", "3", "0", "1"],
    ]
    farmers = rows.index(["农户收入"])
    assert rows[farmers + 2] == [
        "王家村猕猴桃专业合作社",
        "农民合作社",
        "王家村服务站",
        "116.01",
        "0.00",
        "116.01",
        "—",
    ]
    revenue = rows.index(["县域收入（按业务）"])
    assert rows[revenue + 2 : revenue + 8][-1] == ["合计", "61.85", "0.00", "—"]
    assert "13800000011" not in response.content.decode("utf-8-sig")

    workbook = load_workbook(io.BytesIO(client.get("/insight/scorecard/export.xlsx?year=2026").content))
    assert workbook.sheetnames == ["村级服务站", "农户收入", "县域收入（按业务）"]
    stations = [list(row) for row in workbook["村级服务站"].iter_rows(min_row=3, values_only=True)]
    assert stations[0][:7] == ["VS11", "王家村服务站", "青龙镇", 3.59, 12, 0, 15.59]
    revenue_rows = list(workbook["县域收入（按业务）"].iter_rows(min_row=3, values_only=True))
    assert (revenue_rows[0], revenue_rows[-1]) == (
        ("邮费收入（寄递）", 46.5, 0, "—"),
        ("合计", 61.85, 0, "—"),
    )
    assert client.get("/insight/scorecard/export.csv?year=1999").status_code == 400


@pytest.fixture
def pdf_tools(settings: Any) -> None:
    """pdftotext and the embedded font (fonts-wqy-microhei); CI installs both."""
    missing = [] if shutil.which("pdftotext") else ["pdftotext"]
    missing += [] if Path(settings.SILIU_PDF_FONT).exists() else [str(settings.SILIU_PDF_FONT)]
    if missing:
        reason = f"needs {', '.join(missing)} (apt-get install poppler-utils fonts-wqy-microhei)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_monthly_report(year_of_flows: Year) -> None:  # noqa: F811
    """November against October: figures, the stations and farmers that did most, revenue by line."""
    report = monthly_report(month=datetime.date(2026, 11, 1), today=TODAY, outlet_ids=None)
    figures = {figure.name: (figure.value, figure.previous, figure.change_shown) for figure in report.figures}
    assert figures["orders_up"] == (2, 1, "+100.0%")
    assert figures["gmv_up_fen"] == (17940, 5980, "+200.0%")
    assert figures["gmv_down_fen"] == (25500, 0, "—")
    assert figures["on_time_rate"] == (1.0, None, "—")
    assert figures["loans_outstanding_fen"] == (950_666, None, "—")
    assert [line.code for line in report.stations] == ["VS11", "VS21"]
    assert [(line.name, line.income_fen) for line in report.farmers] == [("王家村猕猴桃专业合作社", 11601)]
    assert [line.amount_fen for line in report.revenue] == [4650, 869, 0, 666, 0]
    december = monthly_report(month=datetime.date(2026, 12, 1), today=TODAY, outlet_ids=None)
    assert (december.period.date_to, december.previous.date_from) == (TODAY, datetime.date(2026, 11, 1))
    assert [figure.change_shown for figure in december.figures][:2] == ["-100.0%", "-100.0%"]
    assert (december.stations, december.farmers) == ([], [])


def test_the_monthly_report_pdf(
    year_of_flows: Year,  # noqa: F811
    pdf_tools: None,
    make_user: MakeUser,
    client: Client,
    today: datetime.date,
    tmp_path: Path,
) -> None:
    """report-2026-11.pdf is a PDF whose text names the county, the month and its figures; ?month= leads
    to it; a month to come is a 400; a seller is refused."""
    client.force_login(make_user(Role.COUNTY_MANAGER, county=Region.objects.get(code="610199")))
    response = client.get("/insight/scorecard/report-2026-11.pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
    text = _text(response.content, tmp_path)
    assert "示范县 2026年11月 经营月报" in text
    assert "¥179.40" in text and "¥116.01" in text and "王家村服务站" in text and "+200.0%" in text
    redirect = client.get("/insight/scorecard/report.pdf?month=2026-11")
    assert (redirect.status_code, redirect["Location"]) == (302, "/insight/scorecard/report-2026-11.pdf")
    assert client.get("/insight/scorecard/report.pdf?month=11-2026").status_code == 400
    assert client.get("/insight/scorecard/report-2027-01.pdf").status_code == 400
    client.force_login(year_of_flows.shop.cooperative.user)
    assert client.get("/insight/scorecard/report-2026-11.pdf").status_code == 403


def test_a_county_without_stations_still_reports(
    make_user: MakeUser, pdf_tools: None, tmp_path: Path
) -> None:
    """A county manager posted nowhere: empty tables and a report that says so, not an error."""
    card = scorecard_build(year=2026, today=TODAY, outlet_ids=frozenset())
    assert (card.scope, card.stations, card.farmers) == ("（无辖区）", [], [])
    report = monthly_report(month=datetime.date(2026, 11, 1), today=TODAY, outlet_ids=frozenset())
    text = _text(monthly_report_pdf(report), tmp_path)
    assert "本月没有村级服务站的业务" in text and "本月没有农户结算货款" in text
