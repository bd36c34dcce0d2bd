"""The demo county's agency catalogue (代理便民服务): the providers a county post office works for, the
services they let its stations handle with fees and commission shares of the kind such agreements
have, and every outlet with the agency flag offering them all.

Fees are commissions the provider pays (nothing on the villager's bill), as is usual for utilities,
social insurance and 助农取款; the mobile top-up pays a share of the amount.
"""

from dataclasses import dataclass

from django.db import transaction

from siliu.agency.catalogue import (
    AccountKind,
    AgencyService,
    Direction,
    FeePayer,
    OutletService,
    Provider,
    ProviderKind,
)
from siliu.network.models import Outlet, Region


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
