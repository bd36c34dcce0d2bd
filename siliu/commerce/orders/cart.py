"""The session cart: product id → quantity, kept in the visitor's session under :data:`CART_KEY`.

One place reads it, so that the cart page, the checkout and the navbar count agree.
"""

from django.http import HttpRequest

CART_KEY = "siliu_cart"


def cart_read(request: HttpRequest) -> dict[str, int]:
    """The cart in ``request``'s session, product id (as text) → quantity, positive quantities only."""
    cart = request.session.get(CART_KEY, {}) if hasattr(request, "session") else {}
    read: dict[str, int] = {}
    for key, value in cart.items():
        try:
            quantity = int(value)
        except (TypeError, ValueError):
            continue
        if quantity > 0:
            read[str(key)] = quantity
    return read


def cart_write(request: HttpRequest, cart: dict[str, int]) -> None:
    """Keep ``cart`` in ``request``'s session."""
    request.session[CART_KEY] = cart


def cart_item_count(request: HttpRequest) -> int:
    """How many units the cart holds (what the navbar shows)."""
    return sum(cart_read(request).values())
