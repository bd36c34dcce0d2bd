"""The start page (``/`` after login): the user's work for today as cards, each app answering for its own.

Core may not import the apps, so each app registers a source of cards at start-up
(:func:`start_cards_register`, called by :mod:`siliu.hooks`); a source returns the cards of the roles it
serves, with figures read by its own selectors and scoped to the user's places, and nothing for a user
it has no work for.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User


@dataclass(frozen=True)
class StartCard:
    """One figure on the start page.

    ``figure`` is the text shown large (a count, or an amount already formatted with ``format_fen``);
    ``url`` the list the figure counts (empty where there is no list yet: the figure is then not a link);
    ``testid`` the card's ``data-testid``; ``mine`` marks the user's own things (their orders, their
    parcels), shown after their work.
    """

    title: str
    figure: str
    url: str
    testid: str
    note: str = ""
    mine: bool = False

    def __post_init__(self) -> None:
        if not self.testid:
            raise ValueError("a start card needs a testid")


#: user → their cards from one app (empty when the app has no work for them).
StartCardSource = Callable[[User], list[StartCard]]
_SOURCES: list[StartCardSource] = []


def start_cards_register(source: StartCardSource) -> None:
    """Add an app's source of start cards (called once per source by :mod:`siliu.hooks`)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def start_cards(*, user: User) -> list[StartCard]:
    """Every registered source's cards for ``user``: their work first, in the order the sources were
    registered, then their own orders and parcels."""
    cards = [card for source in _SOURCES for card in source(user)]
    return [card for card in cards if not card.mine] + [card for card in cards if card.mine]
