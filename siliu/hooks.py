"""Every cross-flow hook, registered in one place at start-up (from the higher app's ``ready()``).

A lower flow (logistics) calls its hooks inside its own transaction; the higher flow (commerce)
reacts in the same transaction. No Django signals.
"""


def register() -> None:
    from siliu.commerce import services as commerce
    from siliu.logistics import hooks as logistics

    logistics.on_parcels_delivered(commerce.orders_mark_delivered)
    logistics.on_parcel_lost(commerce.order_refund_for_lost_parcel)
