"""The session cart: product id → quantity, kept in the visitor's session under :data:`CART_KEY`.

One place reads it, so that the cart page, the checkout and the navbar count agree.
"""

from django.http import HttpRequest

CART_KEY = "siliu_cart"
#: The station operator's basket for the villager in front of them (代购), apart from their own cart.
COUNTER_BASKET_KEY = "siliu_counter_basket"


def cart_read(request: HttpRequest, *, key: str = CART_KEY) -> dict[str, int]:
    """The cart in ``request``'s session, product id (as text) → quantity, positive quantities only."""
    cart = request.session.get(key, {}) if hasattr(request, "session") else {}
    read: dict[str, int] = {}
    for key, value in cart.items():
        try:
            quantity = int(value)
        except (TypeError, ValueError):
            continue
        if quantity > 0:
            read[str(key)] = quantity
    return read


def cart_write(request: HttpRequest, cart: dict[str, int], *, key: str = CART_KEY) -> None:
    """Keep ``cart`` in ``request``'s session."""
    request.session[key] = cart


def cart_item_count(request: HttpRequest) -> int:
    """How many units the cart holds (what the navbar shows)."""
    return sum(cart_read(request).values())
