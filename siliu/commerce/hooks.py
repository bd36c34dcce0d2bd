"""Typed hooks through which commerce tells a higher flow what happened to its money (today: lending).

Commerce never imports lending. Lending registers its handler once at start-up (in :mod:`siliu.hooks`);
commerce calls it inside the transaction that settles an order, after the sellers' payables are booked,
so a loan's sales sweep and the settlement it sweeps from commit or fail together.
"""

import datetime
from collections.abc import Callable, Sequence

from siliu.commerce.models import Settlement

#: Called with the settlements of one order just booked (each seller's payable credited).
SellersSettled = Callable[[Sequence[Settlement], datetime.datetime], None]

_settled: list[SellersSettled] = []


def on_sellers_settled(handler: SellersSettled) -> None:
    if handler not in _settled:
        _settled.append(handler)


def sellers_settled(*, settlements: Sequence[Settlement], now: datetime.datetime) -> None:
    """Tell every registered flow that ``settlements`` were booked (inside the caller's transaction)."""
    if settlements:
        for handler in _settled:
            handler(settlements, now)
