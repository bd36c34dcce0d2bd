"""Fixtures of the credit tests: the commerce test shop (a kiwi cooperative at VS11) and its history."""

import datetime
from collections.abc import Callable
from itertools import count
from typing import Any

import pytest
from django.contrib.auth.models import User

from siliu.commerce.models import Order, OrderLine, OrderStatus, PaymentMethod, Seller, Shipment
from siliu.commerce.tests.conftest import fund, shop  # noqa: F401
from siliu.finance import chart
from siliu.finance.services import system_account, transfer_create, wallet_open
from siliu.logistics.models import Claim, ClaimKind, ClaimStatus, Parcel
from siliu.logistics.tests.conftest import SHANGHAI, county, make_parcel  # noqa: F401

_numbers = count(1)


def at(day: str, hour: int = 10) -> datetime.datetime:
    """``at("2026-03-10")`` → 10:00 that day in Shanghai."""
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def order_for(make_parcel: Callable[..., Parcel]) -> Callable[..., Order]:  # noqa: F811
    """``order_for(seller, buyer, status=..., created=..., paid=..., completed=..., goods_fen=...,
    accepted=...)`` → an order of one line of the seller's first product, written as it would stand
    (a shipment with a parcel once paid; the parcel accepted at ``accepted``)."""

    def make(
        seller: Seller,
        buyer: User,
        *,
        status: OrderStatus,
        created: str,
        paid: str | None = None,
        completed: str | None = None,
        goods_fen: int = 5980,
        accepted: str | None = None,
    ) -> Order:
        fields: dict[str, Any] = {
            "number": f"T{next(_numbers):08d}",
            "direction": "upward",
            "buyer": buyer,
            "placed_by": buyer,
            "payment_method": PaymentMethod.WALLET,
            "status": status,
            "recipient_name": "张三",
            "recipient_phone": "+8613800000000",
            "recipient_address": "王家村",
            "destination_region_code": "610199001201",
            "goods_fen": goods_fen,
            "postage_fen": 800,
            "total_fen": goods_fen + 800,
            "created_at": at(created),
            "paid_at": at(paid) if paid else None,
            "completed_at": at(completed) if completed else None,
        }
        order = Order.objects.create(**fields)
        product = seller.products.order_by("pk").first()
        assert product is not None
        OrderLine.objects.create(
            order=order,
            product=product,
            seller=seller,
            quantity=1,
            unit_price_fen=goods_fen,
            amount_fen=goods_fen,
        )
        if paid:
            parcel = make_parcel()
            Parcel.objects.filter(pk=parcel.pk).update(accepted_at=at(accepted) if accepted else None)
            Shipment.objects.create(
                order=order, seller=seller, parcel=parcel, goods_fen=goods_fen, postage_fen=800
            )
        return order

    return make


def claim_on(order: Order, *, claimant: User, created: str) -> Claim:
    """A delay claim on the order's (only) parcel, filed on ``created``."""
    return Claim.objects.create(
        parcel=order.shipments.get().parcel,
        kind=ClaimKind.DELAY,
        status=ClaimStatus.SUBMITTED,
        claimant=claimant,
        created_at=at(created),
    )


def inflows_on(user: User, fund: Callable[[User, int], None], days: list[str]) -> None:  # noqa: F811
    """Money into ``user``'s wallet once on each of ``days``, booked at that time (the ledger's history
    is append-only: on PostgreSQL a trigger refuses to re-date an entry)."""
    system_account(code=chart.CAPITAL)
    for index, day in enumerate(days):
        transfer_create(
            id=f"test:fund:{user.pk}:{1000 + index}",
            debit_account=chart.CAPITAL,
            credit_account=wallet_open(user=user).code,
            amount_fen=1000 + index,
            now=at(day),
        )


from siliu.lending.tests.loan_fixtures import lend, loan_fund, officer  # noqa: E402, F401
from siliu.lending.tests.portfolio_fixtures import book, other_county  # noqa: E402, F401
