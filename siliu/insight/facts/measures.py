"""What each daily figure counts, and where it is counted.

Every figure is a whole number (a count, fen or grams) of one day in Asia/Shanghai time, kept for an
outlet (``OUTLET_MEASURES``) or a seller (``SELLER_MEASURES``); a period's figure is the sum of its
days. Orders are counted on the day they were placed and only while they stand (not cancelled or
refunded); parcels on the day they were accepted or delivered — on time when they were ready for
the recipient (delivered, or arrived at the pickup point) by the promised time; claims on the day
they were filed (and not rejected) or paid; settlements on the day they were made.

Where a figure is kept:

- an order going down (工业品下乡) at the station it is delivered to; an order going up (农产品进城)
  at the home station of the seller of its first parcel (an order from sellers of two stations counts
  once, at the first; each seller's own part is exact in the seller's figures);
- a parcel's acceptance, postage and weight at the outlet that accepted it; its delivery at the outlet
  that delivered it (the outlet that accepted it, for a parcel leaving the county);
- a claim at the outlet that accepted the parcel;
- a settlement's commission where the order is kept (above); counter cash at its drawer's outlet.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Measure:
    name: str
    label: str | Promise
    unit: str  # "count", "fen" or "g"


OUTLET_MEASURES: tuple[Measure, ...] = (
    Measure("orders_up", _("上行订单（农产品进城）"), "count"),
    Measure("gmv_up_fen", _("上行交易额"), "fen"),
    Measure("orders_down", _("下行订单（工业品下乡）"), "count"),
    Measure("gmv_down_fen", _("下行交易额"), "fen"),
    Measure("commission_fen", _("订单佣金"), "fen"),
    Measure("parcels_up", _("收寄出县邮件"), "count"),
    Measure("parcels_down", _("收寄县内邮件"), "count"),
    Measure("postage_fen", _("邮费"), "fen"),
    Measure("weight_g", _("计费重量"), "g"),
    Measure("parcels_delivered", _("妥投邮件"), "count"),
    Measure("parcels_on_time", _("按承诺时间妥投"), "count"),
    Measure("claims_loss", _("丢失申报"), "count"),
    Measure("claims_damage", _("损毁申报"), "count"),
    Measure("claims_paid_fen", _("赔付金额"), "fen"),
    Measure("cash_in_fen", _("柜台现金收入"), "fen"),
    Measure("cash_out_fen", _("柜台现金支出"), "fen"),
    Measure("agency_count", _("代理便民业务"), "count"),
    Measure("agency_fee_fen", _("代理业务佣金"), "fen"),
)

SELLER_MEASURES: tuple[Measure, ...] = (
    Measure("orders", _("订单"), "count"),
    Measure("gmv_fen", _("销售额"), "fen"),
    Measure("settled_fen", _("已结算货款"), "fen"),
    Measure("commission_fen", _("平台佣金"), "fen"),
    Measure("parcels_sent", _("寄出邮件"), "count"),
    Measure("parcels_delivered", _("妥投邮件"), "count"),
    Measure("parcels_on_time", _("按承诺时间妥投"), "count"),
    Measure("claims", _("理赔申报"), "count"),
    Measure("trace_opens", _("溯源页打开次数"), "count"),
)

OUTLET = "outlet"
SELLER = "seller"


def percent(fraction: float | None, *, digits: int = 1, signed: bool = False) -> str:
    """A rate as the pages write it: ``0.125`` → ``"12.5%"`` (``"+12.5%"`` when ``signed``); ``None``
    (nothing to divide by) → ``"—"``."""
    if fraction is None:
        return "—"
    return f"{fraction * 100:{'+' if signed else ''}.{digits}f}%"
