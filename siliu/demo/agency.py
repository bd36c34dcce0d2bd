"""The demo county's agency catalogue (代理便民服务): the providers a county post office works for, the
services they let its stations handle with fees and commission shares of the kind such agreements
have, and every outlet with the agency flag offering them all.

Fees are commissions the provider pays (nothing on the villager's bill), as is usual for utilities,
social insurance and 助农取款; the mobile top-up pays a share of the amount.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from stdnum import luhn
from stdnum.cn import ric

from siliu.agency.catalogue import (
    AccountKind,
    AgencyService,
    AgencyTransaction,
    Direction,
    FeePayer,
    OutletService,
    Provider,
    ProviderKind,
)
from siliu.agency.counter.services import agency_transact
from siliu.agency.reconciliation.services import statement_import, statement_settle
from siliu.agency.reconciliation.statement_file import statement_file_write
from siliu.core.errors import Conflict
from siliu.demo.commerce_history import HistoryWindow
from siliu.network.models import Outlet, OutletKind, Region


@dataclass(frozen=True)
class _Service:
    code: str
    name: str
    provider: str
    direction: Direction
    account_kind: AccountKind
    min_amount_fen: int
    max_amount_fen: int
    fee_fixed_fen: int = 0
    fee_rate_bp: int = 0
    fee_min_fen: int = 0
    fee_max_fen: int | None = None
    station_share_bp: int = 7000
    daily_limit_per_account_fen: int | None = None


#: (code, name, kind)
PROVIDERS: tuple[tuple[str, str, ProviderKind], ...] = (
    ("state-grid", "国网示范县供电公司", ProviderKind.POWER),
    ("county-water", "示范县自来水有限公司", ProviderKind.WATER),
    ("china-mobile", "中国移动示范县分公司", ProviderKind.TELECOM),
    ("social-insurance", "示范县社会保险经办中心", ProviderKind.SOCIAL_INSURANCE),
    ("agriculture-bureau", "示范县农业农村局（惠农补贴）", ProviderKind.CIVIL_AFFAIRS),
    ("psbc", "中国邮政储蓄银行示范县支行", ProviderKind.BANK),
)

SERVICES: tuple[_Service, ...] = (
    _Service("electricity", "电费", "state-grid", Direction.PAYMENT, AccountKind.METER, 100, 500_000, 50),
    _Service("water", "水费", "county-water", Direction.PAYMENT, AccountKind.METER, 100, 200_000, 30),
    _Service(
        "mobile-top-up",
        "话费充值",
        "china-mobile",
        Direction.PAYMENT,
        AccountKind.MOBILE,
        1_000,
        50_000,
        fee_rate_bp=150,
        station_share_bp=6000,
    ),
    _Service(
        "pension-insurance",
        "城乡居民养老保险缴费",
        "social-insurance",
        Direction.PAYMENT,
        AccountKind.RESIDENT_ID,
        10_000,
        600_000,
        100,
        station_share_bp=8000,
    ),
    _Service(
        "medical-insurance",
        "城乡居民医保缴费",
        "social-insurance",
        Direction.PAYMENT,
        AccountKind.RESIDENT_ID,
        100,
        200_000,
        100,
        station_share_bp=8000,
    ),
    _Service(
        "pension-payout",
        "养老金领取",
        "social-insurance",
        Direction.PAYOUT,
        AccountKind.RESIDENT_ID,
        100,
        500_000,
        100,
        station_share_bp=8000,
        daily_limit_per_account_fen=500_000,
    ),
    _Service(
        "subsidy-payout",
        "惠农补贴领取",
        "agriculture-bureau",
        Direction.PAYOUT,
        AccountKind.RESIDENT_ID,
        100,
        500_000,
        100,
        station_share_bp=8000,
        daily_limit_per_account_fen=1_000_000,
    ),
    _Service(
        "cash-withdrawal",
        "助农取款",
        "psbc",
        Direction.PAYOUT,
        AccountKind.BANK_CARD,
        100,
        200_000,
        fee_rate_bp=30,
        fee_min_fen=30,
        fee_max_fen=300,
        station_share_bp=8000,
        daily_limit_per_account_fen=200_000,
    ),
)


@transaction.atomic
def demo_agency_catalogue_create(*, county: Region | None = None) -> list[AgencyService]:
    """The providers and services above (created once; kept as they are when they exist), offered at
    every active outlet with the agency flag. Returns the services."""
    providers = {
        code: Provider.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "county": county}
        )[0]
        for code, name, kind in PROVIDERS
    }
    services = []
    for spec in SERVICES:
        service, _created = AgencyService.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "provider": providers[spec.provider],
                "direction": spec.direction,
                "account_kind": spec.account_kind,
                "min_amount_fen": spec.min_amount_fen,
                "max_amount_fen": spec.max_amount_fen,
                "fee_fixed_fen": spec.fee_fixed_fen,
                "fee_rate_bp": spec.fee_rate_bp,
                "fee_min_fen": spec.fee_min_fen,
                "fee_max_fen": spec.fee_max_fen,
                "fee_payer": FeePayer.PROVIDER,
                "station_share_bp": spec.station_share_bp,
                "daily_limit_per_account_fen": spec.daily_limit_per_account_fen,
            },
        )
        services.append(service)
    outlets = Outlet.objects.filter(is_active=True, offers_agency_services=True)
    OutletService.objects.bulk_create(
        [OutletService(outlet=outlet, service=service) for outlet in outlets for service in services],
        ignore_conflicts=True,
    )
    return services


#: How the demo's villagers use their station: (service, weight, amounts in fen to draw from).
USAGE: tuple[tuple[str, int, tuple[int, int]], ...] = (
    ("electricity", 30, (3_000, 30_000)),
    ("water", 14, (1_500, 8_000)),
    ("mobile-top-up", 20, (2_000, 10_000)),
    ("pension-insurance", 4, (20_000, 100_000)),
    ("medical-insurance", 4, (40_000, 40_000)),
    ("pension-payout", 12, (15_000, 40_000)),
    ("subsidy-payout", 4, (10_000, 60_000)),
    ("cash-withdrawal", 12, (20_000, 150_000)),
)
#: Agency transactions a station makes on an ordinary day: from this few to this many.
PER_DAY = (0, 4)
HISTORY_DAYS = 30


def _villager_account(rng: random.Random, kind: str) -> str:
    """A number of ``kind`` that passes its checks (drawn, so the same seed draws the same)."""
    if kind == AccountKind.MOBILE:
        return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
    if kind == AccountKind.RESIDENT_ID:
        # Shaanxi counties' codes of the years the villagers were born in (the check reads the place
        # off the code list of the birth year), drawn until one passes; Beijing's Chaoyang never fails.
        for _attempt in range(20):
            born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 45))
            place = rng.choice(("610121", "610321", "610323", "610125"))
            body = f"{place}{born:%Y%m%d}{rng.randrange(1000):03d}"
            number = body + ric.calc_check_digit(body + "0")  # it reads the body off a whole number
            if ric.is_valid(number):
                return number
        body = f"110105{born:%Y%m%d}{rng.randrange(1000):03d}"
        return body + ric.calc_check_digit(body + "0")
    if kind == AccountKind.BANK_CARD:
        body = f"621799{rng.randrange(10**12):012d}"
        return body + luhn.calc_check_digit(body)
    return f"61{rng.randrange(10**8):08d}"


def demo_agency_history(*, seed: int, window: HistoryWindow, days: int = HISTORY_DAYS) -> int:
    """The last ``days`` days of agency at every station with a counter, an operator and the agency flag
    (today up to the window's end included), each transaction made by the station's operator through
    the counter's service at its moment; a pay-out the drawer cannot cover is skipped, as the operator
    would send the villager to the township. Each villager's account is drawn once and reused. Returns
    how many transactions were made."""
    rng = random.Random(f"siliu-demo-agency:{seed}")
    stations = list(
        Outlet.objects.filter(
            kind=OutletKind.VILLAGE_STATION,
            is_active=True,
            has_cash_counter=True,
            offers_agency_services=True,
            operator__isnull=False,
        )
        .select_related("operator")
        .order_by("code")
    )
    services = {service.code: service for service in AgencyService.objects.all()}
    names = [
        name for name in User.objects.filter(username__startswith="c").values_list("last_name", "first_name")
    ]
    weights = [weight for _code, weight, _amounts in USAGE]
    made = 0
    last_day = timezone.localdate(window.end)
    for offset in range(days - 1, -1, -1):
        day = last_day - datetime.timedelta(days=offset)
        for station in stations:
            assert station.operator is not None
            for _draw in range(rng.randint(*PER_DAY)):
                code, _weight, (low, high) = rng.choices(USAGE, weights=weights)[0]
                service = services.get(code)
                if service is None:
                    continue
                amount_fen = rng.randint(low, high) // 100 * 100
                moment = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(8, 30))
                ) + datetime.timedelta(minutes=rng.randrange(9 * 60))
                family, given = rng.choice(names) if names else ("", "")
                account = _villager_account(rng, service.account_kind)
                number = f"AG{day:%y%m%d}{rng.randrange(10**10):010d}"
                if moment > window.end:
                    continue
                try:
                    with transaction.atomic():
                        agency_transact(
                            outlet=station,
                            service_code=code,
                            account=account,
                            amount_fen=amount_fen,
                            customer_name=f"{family}{given}",
                            number=number,
                            actor=station.operator,
                            now=moment,
                        )
                except Conflict:
                    continue  # the drawer is short of cash for this pay-out, or a cap is reached
                made += 1
    return made


#: Days of statements the demo's providers have sent and the county manager has settled, before
#: yesterday's, which waits with its mismatches.
SETTLED_DAYS = 7


def demo_agency_statements(*, window: HistoryWindow) -> int:
    """The providers' daily statements as the county manager would have them: the week before yesterday
    imported, all matched and settled; yesterday's imported and open, the power company's with one of
    our transactions missing from it and another at a different amount, for 代理对账 to resolve. Returns
    how many statements were imported."""
    manager = User.objects.filter(username="county_manager").first()
    if manager is None:
        return 0
    yesterday = timezone.localdate(window.end) - datetime.timedelta(days=1)
    imported = 0
    for provider in Provider.objects.order_by("code"):
        for offset in range(SETTLED_DAYS, -1, -1):
            day = yesterday - datetime.timedelta(days=offset)
            ours = list(
                AgencyTransaction.objects.filter(provider=provider, business_on=day).order_by(
                    "occurred_at", "pk"
                )
            )
            if not ours:
                continue
            drop: list[str] = []
            amounts: dict[str, int] = {}
            if offset == 0 and provider.code == "state-grid" and len(ours) >= 2:
                drop = [ours[0].number]
                amounts = {ours[1].number: ours[1].amount_fen + 1_000}
            content = statement_file_write(provider=provider, business_on=day, drop=drop, amounts=amounts)
            result = statement_import(
                provider=provider,
                business_on=day,
                content=content,
                actor=manager,
                file_name=f"{provider.code}-{day:%Y%m%d}.csv",
                now=window.end,
            )
            imported += 1
            if offset > 0:
                statement_settle(statement=result.statement, actor=manager, now=window.end)
    return imported
