"""Parcels: what happens to one parcel from the counter to the door.

S10 tracking numbers (``s10``), parcels created at a counter or for an order and cancelled
(``services``), scan batches and what a final delivery sets off (``services``, ``delivery``), cash on
delivery collected and remitted (``cod``), who may see which parcel and the public journey
(``selectors``), labels (``labels``), the sweep that flags late and silent parcels (``exceptions``) and
the background tasks that run it (``tasks``); ``api``, ``views`` and ``urls`` serve them.
"""
