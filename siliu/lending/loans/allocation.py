"""How money collected for a loan is split: pure functions, no database (ADR 0021).

The order is the issue's and the contract's: first every penalty owed, then every interest owed, then
principal, each oldest installment first. What is not yet due is taken only when the borrower repays
early (``early=True``): the interest accrued to the day on the current installment, then principal from
the last installment backwards (the term shortens; the installments left keep their dates).
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Owed:
    """What one installment owes now, in fen; ``due`` when its due date has come."""

    n: int
    due: bool
    penalty_fen: int
    interest_fen: int
    principal_fen: int

    @property
    def total_fen(self) -> int:
        return self.penalty_fen + self.interest_fen + self.principal_fen


@dataclass(frozen=True)
class Allocation:
    """One installment's share of a collection, in fen."""

    n: int
    penalty_fen: int = 0
    interest_fen: int = 0
    principal_fen: int = 0

    @property
    def total_fen(self) -> int:
        return self.penalty_fen + self.interest_fen + self.principal_fen


def owed_total(owed: Sequence[Owed], *, early: bool) -> int:
    """What a collection may take at most: what is due, or (``early``) everything owed now."""
    return sum(item.total_fen for item in owed if item.due or early)


def allocate(*, owed: Sequence[Owed], amount_fen: int, early: bool) -> list[Allocation]:
    """Split ``amount_fen`` over ``owed`` (installments in order of ``n``): penalty, then interest,
    then principal; due installments oldest first; with ``early``, then the interest owed on the
    installments not yet due, then their principal from the last backwards.

    Never takes more than an installment owes in any part; what is left over is not allocated (the
    caller collects only the sum of the allocations).

    Raises
    ------
    ValueError
        A negative amount.
    """
    if amount_fen < 0:
        raise ValueError("amount_fen must not be negative")
    ordered = sorted(owed, key=lambda item: item.n)
    due = [item for item in ordered if item.due]
    later = [item for item in ordered if not item.due] if early else []
    taken: dict[int, dict[str, int]] = {
        item.n: {"penalty": 0, "interest": 0, "principal": 0} for item in ordered
    }
    left = amount_fen
    plan: list[tuple[Sequence[Owed], str]] = [
        (due, "penalty"),
        (due, "interest"),
        (due, "principal"),
        (later, "penalty"),
        (later, "interest"),
        (list(reversed(later)), "principal"),
    ]
    for items, part in plan:
        for item in items:
            if left == 0:
                break
            take = min(left, getattr(item, f"{part}_fen") - taken[item.n][part])
            if take > 0:
                taken[item.n][part] += take
                left -= take
    return [
        Allocation(item.n, parts["penalty"], parts["interest"], parts["principal"])
        for item in ordered
        if sum((parts := taken[item.n]).values())
    ]
