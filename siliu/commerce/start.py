"""Commerce's cards on the start page (:mod:`siliu.core.start`): villagers' orders to hand over at a
station, the seller's orders to pack and money to come, sellers awaiting verification in a county, and
everyone's own orders and parcels."""

from django.contrib.auth.models import User
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from siliu.commerce.catalog.selectors import seller_for, seller_list_for_review
from siliu.commerce.models import PayoutStatus, SellerStatus
from siliu.commerce.orders.selectors import (
    buyer_progress,
    orders_to_hand_over,
    payouts_for_finance,
    seller_money,
    seller_shipments_to_pack,
)
from siliu.core.money import format_fen
from siliu.core.permissions import Permission, Scope, user_can, user_scopes
from siliu.core.start import StartCard
from siliu.logistics.station.selectors import parcels_waiting, stations_of


def start_cards(user: User) -> list[StartCard]:
    """A station operator's villagers' orders arrived at their station (``order.for_villager`` there);
    a verified seller's orders to pack and money in escrow; the sellers a county manager has to verify
    (``seller.verify`` in their county); the payouts finance staff have to pay (``payout.pay``); then
    the user's own orders and parcels."""
    cards: list[StartCard] = []
    if Scope.OWN_OUTLET in user_scopes(user, Permission.ORDER_FOR_VILLAGER):
        cards += [
            StartCard(
                title=_("村民订单待交付"),
                figure=str(orders_to_hand_over(parcels=parcels_waiting(station=station)).count()),
                url=f"{reverse('logistics:station-handover')}?station={station.code}",
                testid="start-orders-to-hand-over",
                note=_("货已到本站、等村民来取的订单"),
            )
            for station in stations_of(actor=user)
            if station.operator_id == user.pk
        ]
    seller = seller_for(actor=user)
    if seller is not None and seller.status == SellerStatus.VERIFIED:
        money = seller_money(seller=seller)
        dashboard = reverse("orders:seller-dashboard")
        cards += [
            StartCard(
                title=_("待打包"),
                figure=str(seller_shipments_to_pack(seller=seller).count()),
                url=dashboard,
                testid="start-to-pack",
                note=_("已付款、待交寄的包裹"),
            ),
            StartCard(
                title=_("待结算货款"),
                figure=format_fen(money.to_come_fen),
                url=dashboard,
                testid="start-money-to-come",
                note=_("%(count)s 个包裹的货款在担保中") % {"count": money.to_come_count},
            ),
        ]
    if Scope.OWN_COUNTY in user_scopes(user, Permission.SELLER_VERIFY):
        cards.append(
            StartCard(
                title=_("待审核卖家"),
                figure=str(seller_list_for_review(actor=user).count()),
                url=reverse("shop:seller-review"),
                testid="start-sellers-pending",
            )
        )
    if user_can(user, Permission.PAYOUT_PAY):
        requested = payouts_for_finance(actor=user, status=PayoutStatus.REQUESTED)
        cards.append(
            StartCard(
                title=_("待付提现"),
                figure=str(requested.count()),
                url=reverse("orders:payouts"),
                testid="start-payouts",
                note=_("合计 %(amount)s")
                % {"amount": format_fen(requested.aggregate(s=Sum("amount_fen"))["s"] or 0)},
            )
        )
    progress = buyer_progress(actor=user)
    orders_url = reverse("orders:orders")
    cards += [
        StartCard(
            title=_("我的订单"),
            figure=str(progress.order_count),
            url=orders_url,
            testid="start-my-orders",
            note=_("进行中"),
            mine=True,
        ),
        StartCard(
            title=_("我的包裹"),
            figure=str(progress.parcel_count),
            url=orders_url,
            testid="start-my-parcels",
            note=_("运输中"),
            mine=True,
        ),
    ]
    return cards
