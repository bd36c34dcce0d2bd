"""Every hook, registered in one place at start-up (by :class:`siliu.apps.WiringConfig`).

A lower part calls its hooks inside its own transaction; the higher part that registered a handler
reacts in the same transaction. No Django signals. Today the only lower part with hooks is parcels
(:mod:`siliu.logistics.hooks`):

- a final delivery completes the orders it finishes (commerce) and owes partner couriers their proof
  of delivery (logistics' partners);
- a parcel declared lost refunds its part of the order (commerce).
"""


def register() -> None:
    from siliu.commerce.orders import services as orders
    from siliu.logistics import hooks as parcels
    from siliu.logistics.partners import tasks as partners

    parcels.on_parcels_delivered(orders.orders_mark_delivered)
    parcels.on_parcel_deliveries(partners.webhooks_owe)
    parcels.on_parcel_lost(orders.order_refund_for_lost_parcel)
