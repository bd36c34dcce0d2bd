"""县域统计 (``/insight/``), its exports, and 县域概况 (``/county/``): exact figures for a small county of
two townships, who may open them, and bad input answered 400 on the page."""

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from siliu.core.roles import Role
from siliu.finance.services import wallet_cash_in
from siliu.insight.dashboard.exports import FIGURE_GROUPS, FIGURES, figure_text
from siliu.insight.dashboard.selectors import FIGURE_NAMES
from siliu.insight.facts.services import events_fold_all
from siliu.insight.models import OutletDay
from siliu.network.models import Outlet, OutletKind, Region
from siliu.network.tests.factories import CountyFactory, OutletFactory, TownshipFactory, VillageFactory

pytestmark = pytest.mark.django_db

#: November 2026; the period before it is 2 to 31 October.
NOVEMBER = "date_from=2026-11-01&date_to=2026-11-30"
IN_NOVEMBER = datetime.date(2026, 11, 5)
IN_OCTOBER = datetime.date(2026, 10, 10)


@dataclass
class County:
    east: Region
    west: Region
    office: Outlet
    first: Outlet  # a station of the east township
    second: Outlet  # a station of the east township
    third: Outlet  # a station of the west township


@pytest.fixture
def county(make_user: Callable[..., User]) -> County:
    """示范县 with two townships: 东镇 (an office and two stations), 西镇 (one station)."""
    east = TownshipFactory.create(code="610124101", name="东镇", parent=CountyFactory.create())
    west = TownshipFactory.create(code="610124102", name="西镇", parent=east.parent)
    operator = make_user(Role.STATION_OPERATOR, username="op", last_name="王秀英")
    return County(
        east=east,
        west=west,
        office=OutletFactory.create(
            code="T0001", name="东镇邮政支局", kind=OutletKind.TOWNSHIP_OFFICE, region=east
        ),
        first=OutletFactory.create(
            code="V0001", name="东村服务站", region=VillageFactory.create(parent=east), operator=operator
        ),
        second=OutletFactory.create(
            code="V0002", name="南村服务站", region=VillageFactory.create(parent=east)
        ),
        third=OutletFactory.create(
            code="V0003", name="西村服务站", region=VillageFactory.create(parent=west)
        ),
    )


def figures(outlet: Outlet, day: datetime.date, **values: int) -> None:
    for measure, value in values.items():
        OutletDay.objects.create(day=day, outlet=outlet, measure=measure, value=value)


@pytest.fixture
def november(county: County) -> County:
    """A month of figures at the east township's stations, and some in October."""
    figures(
        county.first,
        IN_NOVEMBER,
        orders_up=3,
        gmv_up_fen=1_250_000,
        commission_fen=12_500,
        parcels_up=3,
        parcels_down=1,
        postage_fen=1_000,
        weight_g=4_000,
        parcels_delivered=4,
        parcels_on_time=3,
        claims_loss=1,
    )
    figures(county.second, IN_NOVEMBER, orders_down=4, gmv_down_fen=617_250)
    figures(county.first, IN_OCTOBER, orders_up=2, gmv_up_fen=1_000_000)
    return county


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(county: County, make_user: Callable[..., User]) -> Client:
    return client_of(make_user(Role.COUNTY_MANAGER, username="manager", county=county.east.parent))


def test_every_figure_has_a_label_and_a_group() -> None:
    """The page names every figure the selector gives, and lists each in exactly one group."""
    assert sorted(FIGURES) == sorted(FIGURE_NAMES)
    grouped = [name for _key, _title, names in FIGURE_GROUPS for name in names]
    assert sorted(grouped) == sorted(FIGURE_NAMES)


def test_figures_are_written_with_their_units() -> None:
    """Money in ¥ to the fen, rates as percentages, per 10,000 with two decimals, counts with their word."""
    assert figure_text("gmv_up_fen", 1_234_56) == "¥1,234.56"
    assert figure_text("on_time_rate", 0.9731) == "97.31%"
    assert figure_text("loss_damage_per_10k", 2.5) == "2.50"
    assert figure_text("postage_per_kg_fen", 250) == "¥2.50/千克"
    assert figure_text("orders_up", 1234) == "1,234 单"
    assert figure_text("up_down_ratio", None) == "—"


def test_the_manager_sees_the_month_exactly(november: County, manager: Client) -> None:
    """Every figure of the month as words with its unit, its trend against October, and the stations."""
    response = manager.get(f"/insight/?{NOVEMBER}")
    assert response.status_code == 200
    page = response.content.decode()
    shown = {
        line.name: (line.text, line.trend_text)
        for group in response.context["groups"]
        for line in group["lines"]
    }
    assert shown["orders_up"] == ("3 单", "↑ 50.0%")
    assert shown["gmv_up_fen"] == ("¥12,500.00", "↑ 25.0%")
    assert shown["gmv_down_fen"] == ("¥6,172.50", "—")
    assert shown["up_down_ratio"] == ("2.03", "—")
    assert shown["commission_fen"] == ("¥125.00", "—")
    assert shown["parcels"] == ("4 件", "—")
    assert shown["on_time_rate"] == ("75.00%", "—")
    assert shown["loss_damage_per_10k"] == ("2500.00", "—")
    assert shown["postage_per_kg_fen"] == ("¥2.50/千克", "—")
    assert shown["active_stations"] == ("2 个", "↑ 100.0%")
    assert shown["stations"] == ("3 个", "—")
    assert shown["cash_in_fen"] == ("¥0.00", "—")
    assert '<div class="fs-5 siliu-amount" data-testid="value-gmv_up_fen">¥12,500.00</div>' in page
    assert "上期 ¥10,000.00" in page
    assert [station.code for station in response.context["stations"]] == ["V0001", "V0002", "V0003"]
    assert [
        (station["code"], station["orders"], station["parcels"], station["level"])
        for station in response.context["stations_map"]["stations"]
    ] == [("V0001", 3, 4, 3), ("V0002", 4, 0, 2), ("V0003", 0, 0, 0)]
    assert 'href="/insight/export.xlsx?date_from=2026-11-01&amp;date_to=2026-11-30"' in page


def test_counter_cash_reaches_the_dashboard_through_the_outbox(county: County, manager: Client) -> None:
    """Cash paid in at a station's counter is folded into the figures and shown to the fen."""
    villager = User.objects.create(username="villager")
    wallet_cash_in(
        outlet=county.first,
        customer=villager,
        amount_fen=12_345,
        id="cash-1",
        actor=User.objects.get(username="op"),
        now=datetime.datetime(2026, 11, 10, 2, 0, tzinfo=datetime.UTC),
    )
    assert events_fold_all() == 1
    response = manager.get(f"/insight/?{NOVEMBER}")
    assert (
        '<div class="fs-5 siliu-amount" data-testid="value-cash_in_fen">¥123.45</div>'
        in response.content.decode()
    )


def test_a_township_narrows_the_figures_and_the_stations(november: County, manager: Client) -> None:
    """西镇 has no business in November: its figures are zero and its one station is listed."""
    response = manager.get(f"/insight/?{NOVEMBER}&township=610124102")
    assert response.status_code == 200
    assert response.context["summary"].figures["gmv_up_fen"] == 0
    assert [station.code for station in response.context["stations"]] == ["V0003"]
    assert '<option value="610124102" selected>西镇</option>' in response.content.decode()


def test_without_insight_read_the_page_and_exports_are_refused(
    county: County, make_user: Callable[..., User]
) -> None:
    """A seller gets the 403 page; nobody logged in is sent to log in."""
    seller = client_of(make_user(Role.SELLER))
    for path in ("/insight/", "/insight/export.csv", "/insight/export.xlsx"):
        response = seller.get(path)
        assert response.status_code == 403
        assert "没有权限" in response.content.decode()
        assert Client().get(path)["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-13-01", "日期应为 YYYY-MM-DD"),
        ("date_from=2026-11-30&date_to=2026-11-01", "起始日期不能晚于截止日期"),
        ("date_from=2020-01-01&date_to=2026-11-30", "一次最多查看 1098 天"),
        ("township=999999999", "没有这个乡镇"),
    ],
)
def test_bad_input_is_shown_on_the_page_with_400(
    county: County, manager: Client, query: str, message: str
) -> None:
    """The form stays, with the message; no figures."""
    response = manager.get(f"/insight/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        f'<div class="alert alert-warning" role="alert" data-testid="insight-error">{message}</div>' in page
    )
    assert 'data-testid="insight-form"' in page
    assert "summary" not in response.context
    assert manager.get(f"/insight/export.csv?{query}").content.decode() == message


def test_a_township_of_another_county_is_refused(
    county: County, manager: Client, make_user: Callable[..., User]
) -> None:
    """A county manager chooses among their county's townships only; an auditor among all."""
    other = TownshipFactory.create(code="610125101", name="外镇", parent=CountyFactory.create(code="610125"))
    OutletFactory.create(code="V0009", region=VillageFactory.create(parent=other))
    response = manager.get("/insight/?township=610125101")
    assert response.status_code == 400
    assert [township.name for township in response.context["townships"]] == ["东镇", "西镇"]
    auditor = client_of(make_user(Role.AUDITOR))
    response = auditor.get("/insight/?township=610125101")
    assert response.status_code == 200
    assert [township.name for township in response.context["townships"]] == ["东镇", "西镇", "外镇"]


def test_the_public_page_shows_no_cash_no_loans_and_no_person(november: County) -> None:
    """Anyone sees trade, parcels and stations; the counters' cash, the loans and the operator's name
    are not on the page."""
    figures(november.first, IN_NOVEMBER, cash_in_fen=50_000)
    response = Client().get(f"/county/?{NOVEMBER}")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="value-gmv_up_fen">¥12,500.00</div>' in page
    hidden_words = (
        "cash_in_fen",
        "¥500.00",
        "柜台现金",
        "贷款",
        "PAR30",
        "group-funds",
        "王秀英",
        "export.csv",
    )
    for hidden in hidden_words:
        assert hidden not in page, hidden
    assert "东村服务站" in page
    assert Client().get("/county/?date_from=bad").status_code == 400


def test_the_public_page_is_rate_limited(county: County, throttle_rates: Callable[..., None]) -> None:
    """Past the public rate a visitor gets 429 with Retry-After."""
    throttle_rates(public="2/min")
    client = Client()
    assert [client.get("/county/").status_code for _ in range(3)] == [200, 200, 429]


def test_the_csv_export_holds_the_figures_and_stations(november: County, manager: Client) -> None:
    """UTF-8 with a BOM; a row per figure (name, label, this period, the one before, unit, change)."""
    response = manager.get(f"/insight/export.csv?{NOVEMBER}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="insight-county-20261101-20261130.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["范围", "全县"]
    assert rows[1] == ["本期", "2026-11-01 – 2026-11-30"]
    assert ["gmv_up_fen", "上行交易额", "12500.00", "10000.00", "元", "25.0"] in rows
    assert ["on_time_rate", "按时妥投率", "75.00", "", "%", ""] in rows
    assert ["V0001", "东村服务站", "东镇", "3", "4"] in rows
    assert len([row for row in rows if row and row[0] in FIGURE_NAMES]) == len(FIGURE_NAMES)


def test_the_xlsx_export_holds_the_figures_and_stations(november: County, manager: Client) -> None:
    """Sheet 指标 with the amounts in yuan as numbers, sheet 站点 with a row per station."""
    response = manager.get(f"/insight/export.xlsx?{NOVEMBER}&township=610124101")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["指标", "站点"]
    sheet = workbook["指标"]
    assert sheet["B1"].value == "东镇"
    rows = {row[0]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert rows["gmv_up_fen"] == ("gmv_up_fen", "上行交易额", 12500, 10000, "元", 25)
    assert rows["gmv_down_fen"][2] == Decimal("6172.5")
    stations = list(workbook["站点"].iter_rows(values_only=True))
    assert stations == [
        ("站点编码", "站点", "乡镇", "订单", "邮件"),
        ("V0001", "东村服务站", "东镇", 3, 4),
        ("V0002", "南村服务站", "东镇", 4, 0),
    ]


def test_the_menu_leads_to_the_statistics(
    county: County, manager: Client, make_user: Callable[..., User]
) -> None:
    """县域统计 and 合作共赢 for readers of the figures, 经营概况 for sellers, 县域概况 in every footer."""
    page = manager.get("/").content.decode()
    assert '<a class="nav-link" href="/insight/">县域统计</a>' in page
    assert '<a class="nav-link" href="/insight/scorecard/">合作共赢</a>' in page
    assert "/insight/me/" not in page
    page = client_of(make_user(Role.SELLER)).get("/").content.decode()
    assert '<a class="nav-link" href="/insight/me/">经营概况</a>' in page
    assert "/insight/scorecard/" not in page
    assert '<a href="/county/">县域概况</a>' in Client().get("/").content.decode()
