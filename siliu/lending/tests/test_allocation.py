"""How a collection is split (penalty → interest → principal), as properties over random debts."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siliu.lending.loans.allocation import Allocation, Owed, allocate, owed_total

PARTS = ("penalty_fen", "interest_fen", "principal_fen")


@st.composite
def debts(draw: st.DrawFn) -> list[Owed]:
    """1–12 installments, the first ``k`` due: what each owes now in each part."""
    count = draw(st.integers(1, 12))
    due_count = draw(st.integers(0, count))
    amount = st.integers(0, 200_000)
    return [
        Owed(
            n=n,
            due=n <= due_count,
            penalty_fen=draw(amount),
            interest_fen=draw(amount),
            principal_fen=draw(amount),
        )
        for n in range(1, count + 1)
    ]


def taken(allocations: list[Allocation], part: str, items: list[Owed]) -> int:
    numbers = {item.n for item in items}
    return sum(getattr(a, part) for a in allocations if a.n in numbers)


def owing(items: list[Owed], allocations: list[Allocation], part: str) -> int:
    """What ``items`` still owe in ``part`` after the allocations."""
    return sum(getattr(item, part) for item in items) - taken(allocations, part, items)


@settings(max_examples=300, deadline=None)
@given(owed=debts(), amount=st.integers(0, 3_000_000), early=st.booleans())
def test_an_allocation_never_takes_more_than_is_owed(owed: list[Owed], amount: int, early: bool) -> None:
    """Each part of each installment gets at most what it owes; the total is min(amount, owed total)."""
    allocations = allocate(owed=owed, amount_fen=amount, early=early)
    by_n = {item.n: item for item in owed}
    for allocation in allocations:
        item = by_n[allocation.n]
        assert early or item.due
        for part in PARTS:
            assert 0 <= getattr(allocation, part) <= getattr(item, part)
    assert len({a.n for a in allocations}) == len(allocations)
    assert all(a.total_fen > 0 for a in allocations)
    assert sum(a.total_fen for a in allocations) == min(amount, owed_total(owed, early=early))


@settings(max_examples=300, deadline=None)
@given(owed=debts(), amount=st.integers(0, 3_000_000), early=st.booleans())
def test_an_allocation_follows_the_order(owed: list[Owed], amount: int, early: bool) -> None:
    """No interest while a due installment still owes penalty, no principal while it owes interest;
    due installments oldest first; nothing not yet due while anything due is owed; early principal
    from the last installment backwards."""
    allocations = allocate(owed=owed, amount_fen=amount, early=early)
    due = [item for item in owed if item.due]
    later = [item for item in owed if not item.due]
    if taken(allocations, "interest_fen", due):
        assert owing(due, allocations, "penalty_fen") == 0
    if taken(allocations, "principal_fen", due):
        assert owing(due, allocations, "interest_fen") == 0
    if sum(a.total_fen for a in allocations if a.n in {item.n for item in later}):
        assert sum(owing(due, allocations, part) for part in PARTS) == 0
    if taken(allocations, "interest_fen", later):
        assert owing(later, allocations, "penalty_fen") == 0
    if taken(allocations, "principal_fen", later):
        assert owing(later, allocations, "interest_fen") == 0
    # Within a part, an installment is taken from only once every earlier one (later ones, for early
    # principal) is cleared of that part.
    by_n = {a.n: a for a in allocations}
    for part, items in (
        ("penalty_fen", due),
        ("interest_fen", due),
        ("principal_fen", due),
        ("penalty_fen", later),
        ("interest_fen", later),
        ("principal_fen", list(reversed(later))),
    ):
        for index, item in enumerate(items):
            if item.n in by_n and getattr(by_n[item.n], part):
                for before in items[:index]:
                    got = getattr(by_n[before.n], part) if before.n in by_n else 0
                    assert got == getattr(before, part), (part, before.n, item.n)


def test_a_worked_example_takes_penalty_then_interest_then_principal() -> None:
    """150 fen over two due installments (penalty 10 + 10, interest 40 + 40, principal 100 + 100) and
    one not due: penalty 20, interest 80, then 50 of the oldest principal; nothing from the third."""
    owed = [
        Owed(n=1, due=True, penalty_fen=10, interest_fen=40, principal_fen=100),
        Owed(n=2, due=True, penalty_fen=10, interest_fen=40, principal_fen=100),
        Owed(n=3, due=False, penalty_fen=0, interest_fen=5, principal_fen=100),
    ]
    assert allocate(owed=owed, amount_fen=150, early=False) == [
        Allocation(1, 10, 40, 50),
        Allocation(2, 10, 40, 0),
    ]
    assert allocate(owed=owed, amount_fen=340, early=True) == [
        Allocation(1, 10, 40, 100),
        Allocation(2, 10, 40, 100),
        Allocation(3, 0, 5, 35),
    ]


def test_a_negative_amount_is_refused() -> None:
    """A negative amount raises ValueError."""
    with pytest.raises(ValueError, match="must not be negative"):
        allocate(owed=[], amount_fen=-1, early=False)
