"""A year of commerce history for the demo county: sellers, produce, trace batches and orders.

Runs after :func:`siliu.demo.generator.demo_county_generate` on the county it made, and writes only
through the services (catalogue, orders, scans, ledger), so the history obeys every rule the live
system does: escrow, settlement, stock, parcel transitions, postage.

Determinism
-----------
Everything is drawn from one ``random.Random`` seeded from the county's seed, in a fixed order, and
every time is an offset from the window's end (:func:`history_window`: noon of the demo's "today") —
never the wall clock, but for the one thing the command asks of it: when the demo is run before noon
of the real today, the history ends at that moment, so nothing lies in the future. The services draw order
numbers, trace codes and pickup codes from :mod:`siliu.core.ids`; while the history is written that
source is a second seeded ``Random`` (:func:`_seeded_identifiers`), so the same seed gives the same
order numbers, tracking numbers, trace codes and transfer ids. (Only the
encrypted ID numbers differ between runs: Fernet tokens carry a time and a random IV by design.)

The history is planned first as plain data and then replayed day by day: the day's orders are
placed, a few cancelled, the day's scans recorded in batches of at most 1,000, the day's receipts
confirmed, orders delivered a week ago and never confirmed completed by
:func:`~siliu.commerce.orders.services.orders_complete_due`, and on the 1st and 16th of each month some
sellers withdraw part of what they are owed.
"""

import contextlib
import datetime
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc

from siliu.commerce.catalog.identity import id_number_validate
from siliu.commerce.catalog.services import product_create, seller_register, seller_verify
from siliu.commerce.models import (
    Category,
    Direction,
    InspectionResult,
    Order,
    OrderStatus,
    PaymentMethod,
    Seller,
    SellerKind,
    Shipment,
)
from siliu.commerce.orders.services import (
    order_cancel,
    order_confirm,
    order_place,
    orders_complete_due,
    payout_request,
    seller_payable_code,
    seller_withdraw,
)
from siliu.commerce.trace.services import trace_batch_create
from siliu.core import ids
from siliu.core.errors import ValidationFailed
from siliu.core.names import person_name
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account
from siliu.finance.services import (
    TransferRequest,
    system_account,
    transfers_book,
    wallet_open,
)
from siliu.logistics.parcels.services import SCAN_BATCH_LIMIT, Address, ScanInput, scans_record
from siliu.network.models import Outlet, OutletKind

DEFAULT_ORDER_COUNT = 2000
MAX_ORDER_COUNT = 50_000
#: How many of the seller logins s0001… become sellers (fewer if fewer logins exist).
SELLER_TARGET = 40
#: The history is the twelve months before the demo's "today" (:func:`history_window`). Each parcel is
#: priced by the tariff in force on its day (2025's from migration ``logistics.0006``, 2026's from
#: ``logistics.0002``); none is in force before 2025-01-01, so "today" cannot be earlier than this.
FIRST_TODAY = datetime.date(2026, 1, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The demo's "now" on its "today": noon, so the day already has orders, scans and receipts.
DEMO_NOON = datetime.time(12)
#: Sellers register and list their products in the weeks before the first order.
CATALOG_LEAD = datetime.timedelta(days=40)


@dataclass(frozen=True)
class HistoryWindow:
    """The twelve months of the history: from ``start`` (midnight a year before "today") to ``end``."""

    start: datetime.datetime
    end: datetime.datetime

    @property
    def catalog_start(self) -> datetime.datetime:
        """When the first sellers register."""
        return self.start - CATALOG_LEAD

    @property
    def days(self) -> list[datetime.date]:
        """Every day of the history, the first and "today" included."""
        first = self.start.date()
        return [
            first + datetime.timedelta(days=offset) for offset in range((self.end.date() - first).days + 1)
        ]


def history_window(*, today: datetime.date, now: datetime.datetime | None = None) -> HistoryWindow:
    """The history ending on ``today`` at noon (local time), or at ``now`` when that is earlier the
    same day (a demo run in the morning has nothing in its future). Without ``now`` the window
    depends on ``today`` alone, which keeps the demo deterministic.

    Raises
    ------
    ValidationFailed
        ``invalid_today`` (field ``today``) before :data:`FIRST_TODAY`.
    """
    if today < FIRST_TODAY:
        raise ValidationFailed(
            "invalid_today",
            _("--today 不能早于 %(first)s（更早没有资费）/ --today cannot be before %(first)s (no tariff)")
            % {"first": FIRST_TODAY.isoformat()},
            field="today",
        )
    end = datetime.datetime.combine(today, DEMO_NOON, tzinfo=SHANGHAI)
    if now is not None and now.astimezone(SHANGHAI).date() == today:
        end = min(end, now.astimezone(SHANGHAI))
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return HistoryWindow(
        start=datetime.datetime.combine(year_ago, datetime.time(0), tzinfo=SHANGHAI), end=end
    )


#: Shares of the orders and of their outcomes.
UPWARD_SHARE = 0.62
OUT_OF_COUNTY_SHARE = 0.7
CANCEL_SHARE = 0.04
CONFIRM_SHARE = 0.75
#: At least this many days before the end always hold a few orders (see :func:`_placement_times`).
RECENT_DAYS = 6
DAY = datetime.timedelta(days=1)
#: Share of the consumer logins that live in town and buy produce with their wallets; the rest are
#: villagers whose station operator orders goods for them against cash at the counter.
CITY_CONSUMER_SHARE = 0.4
#: Heaviest parcel of the logistics products used upward (``ecommerce``) and downward (``parcel``).
PARCEL_MAX_WEIGHT_G = {Direction.UPWARD: 30_000, Direction.DOWNWARD: 40_000}
CITY_WALLET_TOP_UP_FEN = 1_000_000  # ¥10,000 each, once, from capital: the demo's buyers never run dry

#: Where produce goes when it leaves the county (district codes and a street there).
#: The demo county's province (陕西, 61): the first of the destinations below are in it.
PROVINCE_PREFIX = "61"
#: Hours from leaving the sorting office to arriving where the parcel is delivered: in the county, in
#: the province (the trunk to Xi'an, 12 h), elsewhere in the country (30 h). Drawn so that most parcels
#: arrive within the promise the tariffs' trunk routes give, and some do not.
TRANSIT_HOURS: dict[str, tuple[float, float]] = {"county": (3, 20), "province": (6, 22), "country": (14, 40)}
OUT_OF_COUNTY_DESTINATIONS = (
    ("610113", "陕西省西安市雁塔区 科技路"),
    ("610102", "陕西省西安市新城区 解放路"),
    ("610402", "陕西省咸阳市秦都区 人民路"),
    ("110105", "北京市朝阳区 建国路"),
    ("310115", "上海市浦东新区 世纪大道"),
    ("440305", "广东省深圳市南山区 科技园路"),
    ("510107", "四川省成都市武侯区 人民南路"),
    ("330106", "浙江省杭州市西湖区 文三路"),
    ("420106", "湖北省武汉市武昌区 中山路"),
)
#: Area codes (with a birth date after their creation) that resident ID numbers are drawn from.
RESIDENT_AREA_CODES = ("610328", "610100", "610323", "610324", "610326", "610327", "610329", "610330")


@dataclass(frozen=True)
class _Goods:
    """A product a seller of some kind lists; prices in fen, weight of one unit in grams."""

    name: str
    category: str
    unit: str
    price_fen: tuple[int, int]
    weight_g: int
    #: Trace batches: the produce's name, the batch unit and the harvest months (upward only).
    batch_name: str = ""
    batch_unit: str = "公斤"
    harvest_months: tuple[int, ...] = ()
    certificate: str = ""
    description: str = ""


UPWARD_GOODS: dict[str, tuple[_Goods, ...]] = {
    "猕猴桃": (
        _Goods("徐香猕猴桃 5斤装", Category.FRUIT, "箱", (3980, 5980), 2600, "徐香猕猴桃", "公斤", (9, 10),
               "绿色食品证书", "秦岭北麓沙壤土，当季现摘，软熟即食"),
        _Goods("翠香猕猴桃 10斤装", Category.FRUIT, "箱", (7900, 9900), 5200, "翠香猕猴桃", "公斤", (9,),
               "绿色食品证书", "果肉翠绿，酸甜适口"),
        _Goods("红阳猕猴桃 3斤礼盒", Category.FRUIT, "盒", (6800, 8800), 1700, "红阳猕猴桃", "公斤", (8, 9),
               "", "红心品种，礼盒装"),
    ),
    "苹果": (
        _Goods("红富士苹果 10斤装", Category.FRUIT, "箱", (4990, 6990), 5300, "红富士苹果", "公斤", (10, 11),
               "无公害农产品证书", "高原苹果，脆甜多汁"),
        _Goods("秦冠苹果 20斤装", Category.FRUIT, "箱", (5980, 7980), 10_400, "秦冠苹果", "公斤", (10,),
               "", "耐储存，老品种"),
    ),
    "蜂蜜": (
        _Goods("秦岭土蜂蜜 500克", Category.HONEY, "瓶", (6800, 9800), 700, "土蜂蜜", "公斤", (8, 9),
               "", "中华蜂百花蜜，一年一取"),
        _Goods("洋槐蜜 1000克", Category.HONEY, "瓶", (7800, 11800), 1300, "洋槐蜜", "公斤", (5,),
               "", "槐花季采收，色浅清香"),
    ),
    "茶叶": (
        _Goods("富硒绿茶 250克", Category.TEA, "罐", (8800, 16800), 400, "富硒绿茶", "公斤", (4,),
               "有机产品认证", "明前采摘，栗香浓郁"),
        _Goods("秦岭毛尖 100克", Category.TEA, "盒", (5800, 9800), 200, "秦岭毛尖", "公斤", (3, 4),
               "", "一芽一叶"),
    ),
    "大米": (
        _Goods("稻花香大米 5公斤", Category.GRAIN, "袋", (4500, 6900), 5200, "稻花香稻谷", "吨", (9, 10),
               "", "当年新米，山泉水灌溉"),
        _Goods("黑米 2.5公斤", Category.GRAIN, "袋", (3900, 5900), 2600, "黑米稻谷", "吨", (10,),
               "", "杂粮粥好搭档"),
    ),
    "香菇": (
        _Goods("秦岭香菇干 500克", Category.MUSHROOM, "袋", (4500, 6800), 600, "段木香菇", "公斤", (3, 4, 10),
               "", "段木栽培，肉厚味浓"),
        _Goods("黑木耳 250克", Category.MUSHROOM, "袋", (3200, 4800), 300, "黑木耳", "公斤", (6, 7),
               "", "秋耳，泡发率高"),
    ),
    "核桃": (
        _Goods("薄皮核桃 2斤装", Category.NUT, "袋", (3900, 5900), 1100, "核桃", "公斤", (9,),
               "", "纸皮易剥，当年新货"),
        _Goods("核桃仁 500克", Category.NUT, "袋", (4800, 6800), 600, "核桃", "公斤", (9,), "", "手工剥仁"),
    ),
    "土鸡蛋": (
        _Goods("散养土鸡蛋 30枚", Category.MEAT_EGG, "盒", (3600, 4500), 2000, "散养土鸡蛋", "枚", (),
               "", "林下散养，每日现捡"),
    ),
}  # fmt: skip
DOWNWARD_GOODS: dict[str, tuple[_Goods, ...]] = {
    "农资": (
        _Goods("复合肥 25公斤", Category.FERTILISER, "袋", (9_500, 12_800), 25_300),
        _Goods("尿素 20公斤", Category.FERTILISER, "袋", (6_800, 8_500), 20_300),
        _Goods("有机肥 25公斤", Category.FERTILISER, "袋", (3_800, 5_200), 25_300),
        _Goods("猕猴桃专用叶面肥 1升", Category.FERTILISER, "瓶", (2_800, 3_800), 1_200),
    ),
    "种子": (
        _Goods("玉米种子 郑单958 2公斤", Category.SEED, "袋", (3_800, 5_500), 2_100),
        _Goods("小麦种子 西农979 10公斤", Category.SEED, "袋", (4_500, 6_500), 10_200),
        _Goods("蔬菜种子组合 10种", Category.SEED, "套", (1_500, 2_500), 200),
        _Goods("马铃薯种薯 10公斤", Category.SEED, "袋", (3_200, 4_800), 10_200),
    ),
    "日用品": (
        _Goods("洗衣粉 3公斤", Category.HOUSEHOLD, "袋", (2_490, 3_290), 3_100),
        _Goods("卫生纸 10卷", Category.HOUSEHOLD, "提", (1_990, 2_990), 1_500),
        _Goods("电饭锅 4升", Category.HOUSEHOLD, "台", (15_900, 22_900), 3_600),
        _Goods("保温暖壶 3.2升", Category.HOUSEHOLD, "个", (3_900, 5_900), 1_800),
        _Goods("LED 节能灯泡 6只装", Category.HOUSEHOLD, "盒", (2_500, 3_500), 600),
    ),
}
MERCHANT_SHOP_NAMES = {"农资": "农资店", "种子": "种子站", "日用品": "百货商店"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CommerceHistorySummary:
    """What :func:`commerce_history_generate` created."""

    seller_count: int
    product_count: int
    batch_count: int
    order_count: int
    #: Orders by final status, for every status with at least one order.
    status_counts: dict[str, int]
    withdrawal_count: int


# --- the plan (no database) ----------------------------------------------------------------------


@dataclass
class _SellerPlan:
    username: str
    kind: str
    name: str
    id_number: str
    station_code: str  # the home outlet's code
    village_code: str
    phone: str
    registered_at: datetime.datetime
    products: list[int] = field(default_factory=list)  # indexes into the product plan


@dataclass
class _ProductPlan:
    seller: int
    goods: _Goods
    direction: str
    price_fen: int
    listed_at: datetime.datetime
    stock: int = 0
    place: str = ""
    harvested_on: datetime.date | None = None
    inspection: str = InspectionResult.PASSED
    presale_ships_from: datetime.date | None = None


@dataclass
class _OrderPlan:
    placed_at: datetime.datetime
    direction: str
    buyer: str
    placed_by: str
    lines: list[tuple[int, int]]  # (product index, quantity)
    destination_outlet_code: str | None
    destination_region_code: str | None
    recipient: Address
    cancel_after: datetime.timedelta | None = None
    confirm_after: datetime.timedelta | None = None  # None: left to auto-complete
    #: Per seller index: the journey as (offset from acceptance-ready, event code, outlet code).
    journeys: dict[int, list[tuple[datetime.timedelta, str, str]]] = field(default_factory=dict)


def _hours(rng: random.Random, low: float, high: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=round(rng.uniform(low, high) * 60))


def _uscc(rng: random.Random, *, kind: str, serial: int) -> str:
    # 9 = registered with the market regulator; 3 = cooperative, 1 = enterprise, 2 = sole trader.
    authority = {SellerKind.COOPERATIVE.value: "93", SellerKind.MERCHANT.value: "92"}.get(kind, "91")
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = f"{authority}610199MA6{''.join(rng.choice(alphabet) for _ in range(4))}{serial % 100:02d}"
    return id_number_validate(kind=kind, id_number=body + uscc.calc_check_digit(body))


def _resident_id(rng: random.Random) -> str:
    while True:
        born = datetime.date(1958, 1, 1) + datetime.timedelta(days=rng.randrange(32 * 365))
        body = f"{rng.choice(RESIDENT_AREA_CODES)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        try:
            return id_number_validate(
                kind=SellerKind.FARMER, id_number=body + ric.calc_check_digit(body + "0")
            )
        except ValidationFailed:
            continue  # an area code not yet in use on that birth date: draw again


def _season_opening(month: int, *, window: HistoryWindow) -> datetime.date:
    """The first harvest day (the 20th of ``month``) on or after the first day of the history."""
    start = window.start.date()
    opening = datetime.date(start.year, month, 20)
    return opening if opening >= start else opening.replace(year=start.year + 1)


def _catalog_plan(
    *, rng: random.Random, seller_users: Sequence[User], stations: Sequence[Outlet], window: HistoryWindow
) -> tuple[list[_SellerPlan], list[_ProductPlan]]:
    """Sellers of each kind at their village stations (merchants at township offices), and their goods."""
    count = min(SELLER_TARGET, len(seller_users))
    merchant_count = max(1, count // 5) if count >= 2 else 0
    producer_count = count - merchant_count
    kinds = [SellerKind.MERCHANT] * merchant_count + [
        (SellerKind.COOPERATIVE, SellerKind.FAMILY_FARM, SellerKind.FARMER)[index % 3]
        for index in range(producer_count)
    ]
    rng.shuffle(kinds)
    users = rng.sample(list(seller_users), count)
    used_stations = rng.sample(list(stations), min(len(stations), count))
    specialties = list(UPWARD_GOODS)
    shops = list(DOWNWARD_GOODS)
    sellers: list[_SellerPlan] = []
    products: list[_ProductPlan] = []
    for index, (user, kind) in enumerate(zip(users, kinds, strict=True)):
        station = used_stations[index % len(used_stations)]
        village = station.region
        registered_at = window.catalog_start + _hours(rng, 0, 20 * 24)
        id_number = (
            _resident_id(rng) if kind == SellerKind.FARMER else _uscc(rng, kind=kind, serial=index + 1)
        )
        phone = f"+86139{rng.randrange(10**8):08d}"
        person = person_name(user)
        if kind == SellerKind.MERCHANT:
            office = station.parent_outlet or station  # the township office of the seller's village
            shop = shops[index % len(shops)]
            township = office.region.name if office.kind == OutletKind.TOWNSHIP_OFFICE else village.name
            name = f"{township}{person}{MERCHANT_SHOP_NAMES[shop]}"
            plan = _SellerPlan(
                user.username, kind, name, id_number, office.code, village.code, phone, registered_at
            )
            goods = [(item, Direction.DOWNWARD) for item in rng.sample(DOWNWARD_GOODS[shop], 3)]
        else:
            specialty = rng.choice(specialties)
            name = {
                SellerKind.COOPERATIVE: f"{village.name}{specialty}专业合作社",
                SellerKind.FAMILY_FARM: f"{person}{specialty}家庭农场",
                SellerKind.FARMER: f"{village.name}{person}",
            }[kind]
            plan = _SellerPlan(
                user.username, kind, name, id_number, station.code, village.code, phone, registered_at
            )
            choices = UPWARD_GOODS[specialty]
            goods = [
                (item, Direction.UPWARD) for item in rng.sample(choices, min(len(choices), rng.randint(1, 2)))
            ]
        for item, direction in goods:
            product = _ProductPlan(
                seller=index,
                goods=item,
                direction=direction,
                price_fen=rng.randrange(item.price_fen[0], item.price_fen[1] + 1, 10),
                listed_at=registered_at + _hours(rng, 30, 72),
            )
            if direction == Direction.UPWARD:
                product.place = f"{village.name}{rng.choice('一二三四五六')}组 {rng.randint(1, 40)} 号地块"
                months = item.harvest_months or (rng.randint(1, 12),)
                # The last harvest before the catalogue opened (a year earlier if that day is yet to come).
                catalog_start = window.catalog_start
                harvested_on = datetime.date(catalog_start.year, rng.choice(months), rng.randint(1, 28))
                if harvested_on >= catalog_start.date():
                    harvested_on = harvested_on.replace(year=catalog_start.year - 1)
                product.harvested_on = harvested_on
                product.inspection = (
                    InspectionResult.PENDING if rng.random() < 0.1 else InspectionResult.PASSED
                )
                if item.harvest_months and rng.random() < 0.15:
                    # A pre-sale of the coming harvest: orders before then ship on that day.
                    product.presale_ships_from = _season_opening(item.harvest_months[0], window=window)
            plan.products.append(len(products))
            products.append(product)
        sellers.append(plan)
    return sellers, products


def _journey(
    rng: random.Random,
    *,
    origin: str,
    sorting: str,
    destination: str,
    transit: tuple[float, float],
    pickup: bool,
) -> list[tuple[datetime.timedelta, str, str]]:
    """EMA at the origin, through sorting, to EMI at the destination: offsets from when it is ready.

    At a village station (``pickup``) the parcel waits for its recipient (EDH) and is handed over
    (EMI) within two and a half days, so the last days' parcels are still waiting when the history
    ends: the station's list of parcels to collect is not empty on the day the demo is run.
    """
    clock = _hours(rng, 1, 26)
    steps = [(clock, "EMA", origin)]
    clock += _hours(rng, 2, 8)
    steps.append((clock, "EDD", sorting))
    clock += _hours(rng, 1, 6)
    steps.append((clock, "EDE", sorting))
    clock += _hours(rng, *transit)
    steps.append((clock, "EMG", destination))
    clock += _hours(rng, 0.5, 4)
    steps.append((clock, "EDG", destination))
    if pickup:
        clock += _hours(rng, 0.2, 1)
        steps.append((clock, "EDH", destination))
        clock += _hours(rng, 0.5, 60)
        steps.append((clock, "EMI", destination))
        return steps
    if rng.random() < 0.03:
        clock += _hours(rng, 0.5, 3)
        steps.append((clock, "EMH", destination))
        clock += _hours(rng, 16, 26)
        steps.append((clock, "EDG", destination))
    clock += _hours(rng, 0.3, 5)
    steps.append((clock, "EMI", destination))
    return steps


def _placement_times(rng: random.Random, count: int, *, window: HistoryWindow) -> list[datetime.datetime]:
    """``count`` times over the year, busier in the harvest and new-year months, daytime and evening;
    one drawn after the window's end moves a day back."""
    month_weight = {
        1: 1.4,
        2: 1.0,
        3: 0.8,
        4: 1.0,
        5: 0.9,
        6: 0.9,
        7: 0.8,
        8: 0.9,
        9: 1.2,
        10: 1.4,
        11: 1.5,
        12: 1.5,
    }
    days = window.days
    # The last days always have a few orders, so "today" has parcels on the road and receipts due.
    recent = min(count, max(3, count // 50))
    picked = rng.choices(days, weights=[month_weight[day.month] for day in days], k=count - recent)
    picked += rng.choices(days[-RECENT_DAYS:], k=recent)
    times = []
    for day in picked:
        at = datetime.datetime.combine(day, datetime.time(7), tzinfo=SHANGHAI)
        at += datetime.timedelta(minutes=rng.randrange(15 * 60))
        times.append(at - DAY if at >= window.end else at)
    return sorted(times)


def _fit_parcels(
    lines: list[tuple[int, int]], *, products: Sequence[_ProductPlan], max_weight_g: int
) -> list[tuple[int, int]]:
    """Fewer units (then fewer lines) until each seller's parcel is within the product's weight limit."""
    fitted = list(lines)
    while True:
        weights: dict[int, int] = {}
        for index, quantity in fitted:
            seller = products[index].seller
            weights[seller] = weights.get(seller, 0) + quantity * products[index].goods.weight_g
        over = [seller for seller, weight in weights.items() if weight > max_weight_g]
        if not over:
            return fitted
        position = max(
            (position for position, (index, _q) in enumerate(fitted) if products[index].seller in over),
            key=lambda position: fitted[position][1],
        )
        index, quantity = fitted[position]
        if quantity > 1:
            fitted[position] = (index, quantity - 1)
        elif len(fitted) > 1:
            del fitted[position]
        else:
            return fitted  # one unit of one product: the goods are made to fit (see the catalogue)


def _orders_plan(
    *,
    rng: random.Random,
    count: int,
    sellers: Sequence[_SellerPlan],
    products: Sequence[_ProductPlan],
    city_buyers: Sequence[User],
    villagers: Sequence[tuple[User, Outlet]],
    hub_code: str,
    offices_by_station: dict[str, str],
    station_codes: Sequence[str],
    window: HistoryWindow,
) -> list[_OrderPlan]:
    upward = [index for index, product in enumerate(products) if product.direction == Direction.UPWARD]
    downward = [index for index, product in enumerate(products) if product.direction == Direction.DOWNWARD]
    orders: list[_OrderPlan] = []
    station_set = set(station_codes)
    times = _placement_times(rng, count, window=window)
    # A few orders are cancelled before they ship, never among the last days' (those show the road).
    early = [position for position, at in enumerate(times) if at < window.end - RECENT_DAYS * DAY]
    cancelled = set(rng.sample(early, min(len(early), max(1, round(count * CANCEL_SHARE)))))
    for position, placed_at in enumerate(times):
        going_up = bool(upward and city_buyers) and (
            not (downward and villagers) or rng.random() < UPWARD_SHARE
        )
        if not going_up and not (downward and villagers):
            break  # no buyers or goods at all (a county without consumers or sellers)
        pool = upward if going_up else downward
        chosen = rng.sample(pool, min(len(pool), 1 if rng.random() < 0.8 else 2))
        lines = _fit_parcels(
            [(index, 1 if rng.random() < 0.7 else rng.randint(2, 4)) for index in sorted(chosen)],
            products=products,
            max_weight_g=PARCEL_MAX_WEIGHT_G[Direction.UPWARD if going_up else Direction.DOWNWARD],
        )
        if going_up:
            buyer = rng.choice(city_buyers)
            name = person_name(buyer)
            if rng.random() < OUT_OF_COUNTY_SHARE:
                region, street = rng.choice(OUT_OF_COUNTY_DESTINATIONS)
                outlet_code = None
                transit = TRANSIT_HOURS["province" if region[:2] == PROVINCE_PREFIX else "country"]
                recipient = Address(
                    name, f"+86138{rng.randrange(10**8):08d}", f"{street} {rng.randint(1, 300)} 号"
                )
            else:
                region, outlet_code = None, rng.choice([hub_code, *station_codes])
                transit = TRANSIT_HOURS["county"]
                recipient = Address(name, f"+86138{rng.randrange(10**8):08d}", "示范县 网点自提")
            order = _OrderPlan(
                placed_at=placed_at,
                direction=Direction.UPWARD,
                buyer=buyer.username,
                placed_by=buyer.username,
                lines=lines,
                destination_outlet_code=outlet_code,
                destination_region_code=region,
                recipient=recipient,
            )
            destination = outlet_code or hub_code  # out of the county: the hub hands over to the trunk
        else:
            villager, station = rng.choice(villagers)
            phone = f"+86137{rng.randrange(10**8):08d}"
            order = _OrderPlan(
                placed_at=placed_at,
                direction=Direction.DOWNWARD,
                buyer=villager.username,
                placed_by=station.operator.username if station.operator else "",
                lines=lines,
                destination_outlet_code=station.code,
                destination_region_code=None,
                recipient=Address(person_name(villager), phone, f"{station.name} 代收"),
            )
            destination, transit = station.code, TRANSIT_HOURS["county"]
        if position in cancelled:
            order.cancel_after = _hours(rng, 0.2, 1)
        else:
            for seller in sorted({products[index].seller for index, _quantity in lines}):
                origin = sellers[seller].station_code
                # Down the county: sorted at the township office when the merchant is there, else the hub.
                local_office = offices_by_station.get(destination)
                sorting = origin if not going_up and origin == local_office else hub_code
                order.journeys[seller] = _journey(
                    rng,
                    origin=origin,
                    sorting=sorting,
                    destination=destination,
                    transit=transit,
                    pickup=destination in station_set,
                )
            if rng.random() < CONFIRM_SHARE:
                order.confirm_after = _hours(rng, 1, 6 * 24)
        orders.append(order)
    return orders


# --- replay ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _seeded_identifiers(seed: int) -> Iterator[None]:
    """Order numbers, trace codes and pickup codes drawn from ``seed`` while the history is written."""
    with ids.seeded(f"siliu-demo-identifiers:{seed}"):
        yield


@transaction.atomic
def commerce_history_generate(
    *,
    seed: int,
    window: HistoryWindow,
    order_count: int = DEFAULT_ORDER_COUNT,
    progress: Progress | None = None,
) -> CommerceHistorySummary:
    """Write a year of commerce history into the demo county generated with ``seed``.

    Parameters
    ----------
    seed
        The county's seed; the same seed (and county) always gives the same history.
    window
        The twelve months it covers (:func:`history_window`): every time lies inside.
    order_count
        Orders to plan, 0 to :data:`MAX_ORDER_COUNT` (0: sellers and products only).
    progress
        Called with a line of text as each stage starts and every 500 orders.

    Raises
    ------
    ValidationFailed
        ``invalid`` (field ``orders``) for an order count out of range.
    """
    if (
        isinstance(order_count, bool)
        or not isinstance(order_count, int)
        or not 0 <= order_count <= MAX_ORDER_COUNT
    ):
        raise ValidationFailed(
            "invalid",
            _("--orders 应为 0–%(max)d 的整数 / --orders must be an integer 0–%(max)d")
            % {"max": MAX_ORDER_COUNT},
            field="orders",
        )
    with _seeded_identifiers(seed):
        return _generate(
            seed=seed, order_count=order_count, window=window, say=progress or (lambda line: None)
        )


def _generate(*, seed: int, order_count: int, window: HistoryWindow, say: Progress) -> CommerceHistorySummary:
    rng = random.Random(f"siliu-demo-commerce:{seed}")
    outlets = list(Outlet.objects.select_related("region", "operator", "parent_outlet").order_by("code"))
    hub = next(outlet for outlet in outlets if outlet.kind == OutletKind.COUNTY_HUB)
    stations = [outlet for outlet in outlets if outlet.kind == OutletKind.VILLAGE_STATION]
    offices_by_station = {
        station.code: station.parent_outlet.code for station in stations if station.parent_outlet is not None
    }
    users = {user.username: user for user in User.objects.filter(username__regex=r"^[cs][0-9]{4}$")}
    seller_users = [users[name] for name in sorted(users) if name.startswith("s")]
    consumers = [users[name] for name in sorted(users) if name.startswith("c")]
    manager = User.objects.filter(groups__name=Role.COUNTY_MANAGER.value).order_by("pk").first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if manager is None or admin is None:
        raise ValidationFailed("invalid", _("示范县缺少县级管理员或 admin 账号"), field="seed")

    sellers, products = _catalog_plan(rng=rng, seller_users=seller_users, stations=stations, window=window)
    # The demo's `seller` login owns the first shop (in place of the sNNNN user drawn for it), so that
    # whoever tries that login finds a seller centre with products and orders (issue #12).
    demo_seller = User.objects.filter(username=Role.SELLER.value).first()
    if demo_seller is not None and sellers:
        sellers[0].username = demo_seller.username
        users[demo_seller.username] = demo_seller
    city_count = round(len(consumers) * CITY_CONSUMER_SHARE)
    city_buyers = consumers[:city_count]
    counters = [station for station in stations if station.has_cash_counter and station.operator is not None]
    villagers = [(user, counters[index % len(counters)]) for index, user in enumerate(consumers[city_count:])]
    villagers = villagers if counters else []
    plans = _orders_plan(
        rng=rng,
        count=order_count,
        sellers=sellers,
        products=products,
        city_buyers=city_buyers,
        villagers=villagers,
        hub_code=hub.code,
        offices_by_station=offices_by_station,
        station_codes=[station.code for station in stations],
        window=window,
    )
    for plan in plans:
        for index, quantity in plan.lines:
            products[index].stock += quantity
    for product in products:
        product.stock += rng.randint(20, 300)  # what is left on the shelf today

    say(
        _("卖家：%(count)d 个（合作社、家庭农场、农户、商户）… / sellers: %(count)d…")
        % {"count": len(sellers)}
    )
    seller_rows = _sellers_write(sellers=sellers, users=users, outlets=outlets, manager=manager)
    say(_("商品与溯源批次：%(count)d 个商品… / products: %(count)d…") % {"count": len(products)})
    product_ids, batch_count = _products_write(products=products, sellers=sellers, seller_rows=seller_rows)
    say(_("钱包充值：%(count)d 个城里买家… / wallets: %(count)d buyers…") % {"count": len(city_buyers)})
    _wallets_fund(buyers=city_buyers, admin=admin, at=window.start - DAY)

    withdrawals = _replay(
        plans=plans,
        products=products,
        product_ids=product_ids,
        seller_rows=seller_rows,
        users=users,
        rng=rng,
        say=say,
        window=window,
    )
    if demo_seller is not None and seller_rows:
        _payout_ask(seller=seller_rows[0], now=window.end - datetime.timedelta(hours=1))
    statuses = dict(Order.objects.order_by().values_list("status").annotate(count=Count("pk")))
    return CommerceHistorySummary(
        seller_count=len(seller_rows),
        product_count=len(product_ids),
        batch_count=batch_count,
        order_count=len(plans),
        status_counts={status: statuses[status] for status in OrderStatus.values if status in statuses},
        withdrawal_count=withdrawals,
    )


def _sellers_write(
    *, sellers: Sequence[_SellerPlan], users: dict[str, User], outlets: Sequence[Outlet], manager: User
) -> list[Seller]:
    by_code = {outlet.code: outlet for outlet in outlets}
    villages = {outlet.region.code: outlet.region for outlet in outlets}
    rows = []
    for plan in sellers:
        seller = seller_register(
            user=users[plan.username],
            kind=plan.kind,
            name=plan.name,
            id_number=plan.id_number,
            village=villages[plan.village_code],
            home_outlet=by_code[plan.station_code],
            contact_phone=plan.phone,
            now=plan.registered_at,
        )
        verified_at = plan.registered_at + datetime.timedelta(days=1, hours=2)
        rows.append(seller_verify(seller=seller, actor=manager, approve=True, now=verified_at))
    return rows


def _products_write(
    *, products: Sequence[_ProductPlan], sellers: Sequence[_SellerPlan], seller_rows: Sequence[Seller]
) -> tuple[list[int], int]:
    ids: list[int] = []
    batch_count = 0
    for product in products:
        seller = seller_rows[product.seller]
        actor = seller.user
        batch = None
        if product.direction == Direction.UPWARD and product.harvested_on is not None:
            goods = product.goods
            kilograms = max(product.stock * goods.weight_g // 1000, 1)
            quantity = {"吨": max(kilograms // 1000, 1), "枚": product.stock * 30}.get(
                goods.batch_unit, kilograms
            )
            harvest_evening = datetime.datetime.combine(
                product.harvested_on, datetime.time(18), tzinfo=SHANGHAI
            )
            batch = trace_batch_create(
                seller=seller,
                actor=actor,
                product_name=goods.batch_name or goods.name,
                place=product.place,
                harvested_on=product.harvested_on,
                quantity=quantity,
                unit=goods.batch_unit,
                inspection_result=product.inspection,
                inspection_note=_("农药残留快速检测合格")
                if product.inspection == InspectionResult.PASSED
                else "",
                certificates=[goods.certificate] if goods.certificate else [],
                now=max(product.listed_at - datetime.timedelta(hours=2), harvest_evening),
            )
            batch_count += 1
        row = product_create(
            seller=seller,
            actor=actor,
            name=product.goods.name,
            category=product.goods.category,
            direction=product.direction,
            unit=product.goods.unit,
            price_fen=product.price_fen,
            stock=product.stock,
            weight_g=product.goods.weight_g,
            description=product.goods.description,
            trace_batch=batch,
            is_presale=product.presale_ships_from is not None,
            ships_from=product.presale_ships_from,
            now=product.listed_at,
        )
        ids.append(row.pk)
    return ids, batch_count


def _wallets_fund(*, buyers: Sequence[User], admin: User, at: datetime.datetime) -> None:
    """Town buyers top up their wallets once (a bank transfer in, booked from capital by staff)."""
    system_account(code=chart.CAPITAL)
    requests = [
        TransferRequest(
            id=f"demo:top-up:{buyer.username}",
            debit_account=chart.CAPITAL,
            credit_account=wallet_open(user=buyer).code,
            amount_fen=CITY_WALLET_TOP_UP_FEN,
            category="demo_top_up",
            reference=f"user:{buyer.username}",
        )
        for buyer in buyers
    ]
    transfers_book(requests, actor=admin, now=at)


@dataclass
class _Placed:
    number: str
    plan: _OrderPlan
    #: Seller index → (tracking number, the time from which its journey counts).
    parcels: dict[int, tuple[str, datetime.datetime]]


def _replay(
    *,
    plans: Sequence[_OrderPlan],
    products: Sequence[_ProductPlan],
    product_ids: Sequence[int],
    seller_rows: Sequence[Seller],
    users: dict[str, User],
    rng: random.Random,
    say: Progress,
    window: HistoryWindow,
) -> int:
    """Play the year forward one day at a time, "today" until the window's end; returns how many
    withdrawals were made. Orders fall due for completion at the end of each day, as the periodic
    task would complete them, and once more at the window's end, so none is left for the live task."""
    operators = {
        user.username: user
        for user in User.objects.filter(username__in={plan.placed_by for plan in plans} - set(users))
    }
    people = {**users, **operators}
    seller_index = {seller.pk: index for index, seller in enumerate(seller_rows)}
    by_day: dict[datetime.date, list[_OrderPlan]] = {}
    for plan in plans:
        by_day.setdefault(plan.placed_at.date(), []).append(plan)
    scans: dict[datetime.date, list[tuple[datetime.datetime, ScanInput]]] = {}
    actions: dict[
        datetime.date, list[tuple[datetime.datetime, str, str, str]]
    ] = {}  # (at, kind, number, user)
    placed_count = 0
    withdrawals = 0
    next_report = 500
    for day in window.days:
        day_end = min(datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=SHANGHAI), window.end)
        placed: list[_Placed] = []
        for plan in by_day.get(day, []):
            order = order_place(
                buyer=people[plan.buyer],
                placed_by=people[plan.placed_by],
                lines=[(product_ids[index], quantity) for index, quantity in plan.lines],
                recipient=plan.recipient,
                destination_outlet_code=plan.destination_outlet_code,
                destination_region_code=plan.destination_region_code,
                payment_method=PaymentMethod.WALLET
                if plan.direction == Direction.UPWARD
                else PaymentMethod.COUNTER_CASH,
                now=plan.placed_at,
            )
            placed.append(_Placed(order.number, plan, {}))
        if placed:
            shipments = Shipment.objects.filter(
                order__number__in=[item.number for item in placed]
            ).values_list("order__number", "seller_id", "parcel__tracking_number")
            tracking: dict[tuple[str, int], str] = {
                (number, seller_index[seller_id]): parcel for number, seller_id, parcel in shipments
            }
            for item in placed:
                _schedule(
                    item, tracking=tracking, products=products, scans=scans, actions=actions, end=window.end
                )
            placed_count += len(placed)
            while placed_count >= next_report:
                say(_("订单 %(done)d/%(total)d…") % {"done": next_report, "total": len(plans)})
                next_report += 500
        today_actions = sorted(actions.pop(day, []))
        for at, kind, number, username in today_actions:
            if kind == "cancel":
                order_cancel(number=number, actor=people[username], now=at, reason=_("买家改变主意"))
        today_scans = [scan for _at, scan in sorted(scans.pop(day, []), key=lambda item: item[0])]
        for start in range(0, len(today_scans), SCAN_BATCH_LIMIT):
            batch = today_scans[start : start + SCAN_BATCH_LIMIT]
            results = scans_record(scans=batch, now=max(scan.occurred_at for scan in batch))
            refused = [result for result in results if not result.ok]
            if refused:
                raise RuntimeError(f"demo scan refused: {refused[0]}")
        for at, kind, number, username in today_actions:
            if kind == "confirm":
                order_confirm(number=number, actor=people[username], now=at)
        orders_complete_due(now=day_end, limit=10_000)
        if day.day in (1, 16):
            withdrawals += _withdrawals(
                rng=rng, seller_rows=seller_rows, now=day_end - datetime.timedelta(hours=6)
            )
    if placed_count % 500:
        say(_("订单 %(done)d/%(total)d…") % {"done": placed_count, "total": len(plans)})
    return withdrawals


def _schedule(
    item: _Placed,
    *,
    tracking: dict[tuple[str, int], str],
    products: Sequence[_ProductPlan],
    scans: dict[datetime.date, list[tuple[datetime.datetime, ScanInput]]],
    actions: dict[datetime.date, list[tuple[datetime.datetime, str, str, str]]],
    end: datetime.datetime,
) -> None:
    """File the order's cancel, scans and confirmation under the days they happen (before ``end``)."""
    plan = item.plan
    if plan.cancel_after is not None:
        at = plan.placed_at + plan.cancel_after
        if at < end:
            actions.setdefault(at.date(), []).append((at, "cancel", item.number, plan.placed_by))
        return
    ready = plan.placed_at
    ships_from = [
        day for index, _quantity in plan.lines if (day := products[index].presale_ships_from) is not None
    ]
    if ships_from and max(ships_from) > plan.placed_at.date():
        ready = datetime.datetime.combine(max(ships_from), datetime.time(8), tzinfo=SHANGHAI)
    delivered = ready
    for seller, journey in plan.journeys.items():
        number = tracking[(item.number, seller)]
        for step, (offset, code, outlet) in enumerate(journey, start=1):
            at = ready + offset
            delivered = max(delivered, at)
            if at >= end:
                break
            extra: dict[str, str] = {}
            if code == "EMI":
                extra["proof_signature_name"] = plan.recipient.name
            elif code == "EMH":
                extra = {"reason_code": "11", "action_code": "RETRY"}
            scan = ScanInput(f"demo-{number}-{step}", number, code, outlet, at, device_id="demo-pda", **extra)
            scans.setdefault(at.date(), []).append((at, scan))
    if plan.confirm_after is not None:
        at = delivered + plan.confirm_after
        if at < end:
            actions.setdefault(at.date(), []).append((at, "confirm", item.number, plan.placed_by))


#: The demo seller's bank account, for the payout request the `finance` login finds waiting.
DEMO_PAYOUT_ACCOUNT = ("中国邮政储蓄银行示范县支行", "6210 9840 0000 1234 567")


def _payout_ask(*, seller: Seller, now: datetime.datetime) -> None:
    """The demo seller asks for half of what it is owed, in whole yuan, to be paid to its bank account an
    hour before the history ends: the `finance` login has a payout to pay."""
    payable = Account.objects.filter(code=seller_payable_code(seller)).first()
    amount = (payable.balance_fen if payable else 0) // 2 // 100 * 100
    if amount == 0:
        return
    bank_name, account_number = DEMO_PAYOUT_ACCOUNT
    payout_request(
        seller=seller,
        actor=seller.user,
        key=f"demo-{now:%Y%m%d}",
        amount_fen=amount,
        account_name=seller.name,
        bank_name=bank_name,
        account_number=account_number,
        now=now,
    )


def _withdrawals(*, rng: random.Random, seller_rows: Sequence[Seller], now: datetime.datetime) -> int:
    """About half the sellers owed more than ¥100 take out 50–90 % of it to their wallets."""
    balances = {
        account.code: account.balance_fen
        for account in Account.objects.filter(
            code__in=[seller_payable_code(seller) for seller in seller_rows]
        )
    }
    made = 0
    for seller in seller_rows:
        owed = balances.get(seller_payable_code(seller), 0)
        if owed < 10_000 or rng.random() < 0.5:
            continue
        amount = owed * rng.randint(50, 90) // 100
        seller_withdraw(
            seller=seller, amount_fen=amount, to="wallet", actor=seller.user, id=f"demo-{now:%Y%m%d}", now=now
        )
        made += 1
    return made
