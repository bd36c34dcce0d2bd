"""Quotes: the zone, the chargeable weight, the fee and the promised time of a parcel not yet sent."""

import datetime
from dataclasses import dataclass, field
from typing import Final

from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import NotFound, ValidationFailed
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.logistics.models import TRUNK_ZONES, Product, Tariff, Zone
from siliu.logistics.pricing.paths import Leg, fastest_path, local_zone, next_departure
from siliu.logistics.pricing.reference import reference, reference_reload
from siliu.network.models import Outlet, RegionLevel, parse_departure_times

#: Heaviest weight taken anywhere, in grams (a parcel, a manifest row, a unit of goods): one tonne. Far
#: above every postal product's own limit (``Product.max_weight_g``, checked on each quote) and far
#: within the 32-bit weight columns.
MAX_WEIGHT_G: Final = 1_000_000
#: Longest side of a parcel, in millimetres: 3 m, twice the longest parcel the post takes. With it the
#: volume stays below 2.7 × 10¹⁰ mm³, so a volumetric weight fits its 32-bit column for any divisor
#: from 13 up (postal divisors are 6,000 to 12,000).
MAX_SIDE_MM: Final = 3_000


@dataclass(frozen=True)
class QuoteRequest:
    """What a sender tells us before sending. Money in fen, weight in grams, sizes in millimetres."""

    product_code: str
    origin_outlet_code: str
    weight_g: int
    destination_outlet_code: str | None = None
    destination_region_code: str | None = None
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    declared_value_fen: int = 0
    is_insured: bool = False
    cod_amount_fen: int = 0
    is_consolidated: bool = False


@dataclass(frozen=True)
class Quote:
    product: Product
    origin_outlet: Outlet
    destination_outlet: Outlet | None
    destination_region_code: str
    zone: Zone
    tariff: Tariff
    chargeable_weight_g: int
    postage_fen: int
    insurance_fee_fen: int
    cod_fee_fen: int
    discount_fen: int
    path: list[Leg] = field(default_factory=list)
    promised_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def fee_fen(self) -> int:
        return self.postage_fen + self.insurance_fee_fen + self.cod_fee_fen - self.discount_fen


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _rate_fee(amount_fen: int, rate_bp: int, minimum_fen: int) -> int:
    """A fee of ``rate_bp`` basis points of ``amount_fen``, rounded up to the fen, at least the minimum."""
    if amount_fen == 0:
        return 0
    return max(minimum_fen, _ceil_div(amount_fen * rate_bp, 10_000))


def chargeable_weight(
    *, product: Product, weight_g: int, length_mm: int, width_mm: int, height_mm: int
) -> int:
    """The larger of the real weight and the volumetric weight (volume in cm³ ÷ divisor, in kg)."""
    if not product.volumetric_divisor or not (length_mm and width_mm and height_mm):
        return weight_g
    volume_mm3 = length_mm * width_mm * height_mm
    # grams = cm³ / divisor × 1000 = mm³ / 1000 / divisor × 1000 = mm³ / divisor
    return max(weight_g, _ceil_div(volume_mm3, product.volumetric_divisor))


def postage(*, tariff: Tariff, chargeable_weight_g: int) -> int:
    """First-weight fee plus one step fee for each started weight step beyond it."""
    extra_g = max(0, chargeable_weight_g - tariff.first_weight_g)
    return tariff.first_fee_fen + _ceil_div(extra_g, tariff.step_weight_g) * tariff.step_fee_fen


def _township_code(outlet: Outlet) -> str | None:
    region = outlet.region
    if region.level == RegionLevel.VILLAGE:
        return region.code[:9]
    if region.level == RegionLevel.TOWNSHIP:
        return region.code
    return None


def zone_between(*, origin: Outlet, destination: Outlet | None, destination_region_code: str) -> Zone:
    """The tariff zone: same township, same county, same province, or another province."""
    origin_code = origin.region.code
    if destination is not None:
        origin_township, destination_township = _township_code(origin), _township_code(destination)
        if origin_township is not None and origin_township == destination_township:
            return Zone.SAME_TOWNSHIP
    if destination_region_code[:6] == origin_code[:6]:
        return Zone.SAME_COUNTY
    if destination_region_code[:2] == origin_code[:2]:
        return Zone.SAME_PROVINCE
    return Zone.OTHER_PROVINCE


def tariff_current(*, product: Product, zone: Zone, on: datetime.date) -> Tariff:
    """The tariff in force on ``on`` for a product and zone (from the :func:`reference` snapshot).

    Raises
    ------
    ValidationFailed
        ``no_tariff`` when the product has no price for that zone.
    """
    tariff = reference().tariff_on(product_id=product.pk, zone=zone, on=on)
    if tariff is None:
        tariff = reference_reload().tariff_on(product_id=product.pk, zone=zone, on=on)
    if tariff is None:
        raise ValidationFailed(
            "no_tariff",
            _("%(product)s 没有%(zone)s的资费") % {"product": product.name, "zone": zone.label},
            field="product",
        )
    return tariff


def outlet_active(code: str) -> Outlet | None:
    """The active outlet ``code`` from the :func:`reference` snapshot (shared: read, never change)."""
    return reference().outlets_by_code.get(code) or reference_reload().outlets_by_code.get(code)


def outlet_active_by_id(pk: int) -> Outlet | None:
    """The active outlet ``pk`` from the :func:`reference` snapshot (shared: read, never change)."""
    return reference().outlets_by_id.get(pk) or reference_reload().outlets_by_id.get(pk)


def _outlet(code: str, field_name: str) -> Outlet:
    outlet = outlet_active(code)
    if outlet is None:
        raise NotFound("unknown_outlet", _("没有编码为 %(code)s 的网点") % {"code": code}, field=field_name)
    return outlet


def _product(code: str) -> Product:
    product = reference().products_by_code.get(code) or reference_reload().products_by_code.get(code)
    if product is None:
        raise ValidationFailed(
            "unknown_product", _("没有代码为 %(code)s 的产品") % {"code": code}, field="product"
        )
    return product


def _trunk_arrival(
    *, origin: Outlet, zone: Zone, ready_at: datetime.datetime, handling_minutes: int
) -> tuple[list[Leg], datetime.datetime]:
    """Path to the county hub, then the trunk towards ``zone``: the legs and the trunk's arrival."""
    snapshot = reference()
    if snapshot.hub is None or zone not in snapshot.trunks_by_zone:
        snapshot = reference_reload()
    hub, trunk = snapshot.hub, snapshot.trunks_by_zone.get(zone)
    if hub is None or trunk is None:
        raise ValidationFailed(
            "no_trunk_route",
            _("县级中心没有发往%(zone)s的干线") % {"zone": zone.label},
            field="destination_region_code",
        )
    legs = fastest_path(origin=origin, destination=hub, ready_at=ready_at, handling_minutes=handling_minutes)
    at_hub = legs[-1].arrives_at if legs else ready_at
    departs_at = next_departure(
        ready_at=at_hub + datetime.timedelta(minutes=handling_minutes),
        departure_times=parse_departure_times(trunk.departure_times),
    )
    arrives_at = departs_at + datetime.timedelta(minutes=trunk.transit_minutes)
    return [*legs, Leg(hub.code, zone.value, departs_at, arrives_at)], arrives_at


def parcel_quote(*, request: QuoteRequest, now: datetime.datetime | None = None) -> Quote:
    """Price and promise a parcel without creating anything.

    The parcel is ready to leave the origin after the product's handling time; it follows the fastest
    path by timetable; the promise is the arrival at the delivery outlet (or the end of the trunk) plus
    the product's delivery time.

    Raises
    ------
    ValidationFailed
        For an unknown product, bad weight or sizes (``invalid_size``: a side beyond
        :data:`MAX_SIDE_MM`), an amount beyond :data:`~siliu.core.money.MAX_AMOUNT_FEN`
        (``amount_too_large``), an insured parcel without a value, no destination, or a destination
        the network cannot reach or price.
    NotFound
        ``unknown_outlet`` for an origin or destination outlet that does not exist.
    """
    now = now or timezone.now()
    product = _product(request.product_code)
    if not 0 < request.weight_g <= product.max_weight_g:
        raise ValidationFailed(
            "invalid_weight",
            _("%(product)s 的重量应在 1 到 %(max)d 克之间")
            % {"product": product.name, "max": product.max_weight_g},
            field="weight_g",
        )
    for side in ("length_mm", "width_mm", "height_mm"):
        if not 0 <= getattr(request, side) <= MAX_SIDE_MM:
            raise ValidationFailed(
                "invalid_size", _("边长应在 0 到 %(max)d 毫米之间") % {"max": MAX_SIDE_MM}, field=side
            )
    for amount in ("declared_value_fen", "cod_amount_fen"):
        if not 0 <= getattr(request, amount) <= MAX_AMOUNT_FEN:
            raise ValidationFailed(
                "amount_too_large" if getattr(request, amount) > 0 else "invalid",
                _("金额应在 0 到 %(max)d 分之间") % {"max": MAX_AMOUNT_FEN},
                field=amount,
            )
    if request.is_insured and request.declared_value_fen <= 0:
        raise ValidationFailed("invalid", _("保价邮件须填写声明价值"), field="declared_value_fen")
    if request.cod_amount_fen and product.is_letter:
        raise ValidationFailed("invalid", _("信函不能代收货款"), field="cod_amount_fen")
    origin = _outlet(request.origin_outlet_code, "origin_outlet")
    destination: Outlet | None = None
    if request.destination_outlet_code:
        destination = _outlet(request.destination_outlet_code, "destination_outlet")
        region_code = destination.region.code
    elif request.destination_region_code:
        region_code = request.destination_region_code
        if not (region_code.isdigit() and len(region_code) in (6, 9, 12)):
            raise ValidationFailed(
                "invalid", _("目的地行政区划代码应为 6、9 或 12 位数字"), field="destination_region_code"
            )
    else:
        raise ValidationFailed("invalid", _("须填写投递网点或目的地行政区划代码"), field="destination_outlet")
    zone = zone_between(origin=origin, destination=destination, destination_region_code=region_code)
    if destination is None and zone not in TRUNK_ZONES:
        raise ValidationFailed("invalid", _("县内邮件须指定投递网点"), field="destination_outlet")
    local_today = now.astimezone(local_zone()).date()
    tariff = tariff_current(product=product, zone=zone, on=local_today)
    weight = chargeable_weight(
        product=product,
        weight_g=request.weight_g,
        length_mm=request.length_mm,
        width_mm=request.width_mm,
        height_mm=request.height_mm,
    )
    base = postage(tariff=tariff, chargeable_weight_g=weight)
    ready_at = now + datetime.timedelta(minutes=product.handling_minutes)
    if destination is not None:
        path = fastest_path(
            origin=origin,
            destination=destination,
            ready_at=ready_at,
            handling_minutes=product.handling_minutes,
        )
        arrives_at = path[-1].arrives_at if path else ready_at
    else:
        path, arrives_at = _trunk_arrival(
            origin=origin, zone=zone, ready_at=ready_at, handling_minutes=product.handling_minutes
        )
    return Quote(
        product=product,
        origin_outlet=origin,
        destination_outlet=destination,
        destination_region_code=region_code,
        zone=zone,
        tariff=tariff,
        chargeable_weight_g=weight,
        postage_fen=base,
        insurance_fee_fen=_rate_fee(
            request.declared_value_fen, product.insurance_rate_bp, product.insurance_min_fen
        )
        if request.is_insured
        else 0,
        cod_fee_fen=_rate_fee(request.cod_amount_fen, product.cod_rate_bp, product.cod_min_fen),
        discount_fen=base * product.consolidated_discount_bp // 10_000 if request.is_consolidated else 0,
        path=path,
        promised_at=arrives_at + datetime.timedelta(minutes=product.delivery_buffer_minutes),
    )
