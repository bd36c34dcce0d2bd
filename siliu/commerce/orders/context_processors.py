"""Template context of the orders part: the cart's count for the navbar."""

from django.http import HttpRequest

from siliu.commerce.orders.cart import cart_item_count


def cart(request: HttpRequest) -> dict[str, object]:
    """``cart_count``: the units in the visitor's session cart (0 when empty or without a session)."""
    return {"cart_count": cart_item_count(request)}
