"""Orders: a buyer's money held in escrow until the goods arrive.

Placing an order (one transaction: stock, one parcel per seller, the escrow hold), its two writers
(``writers``: Python, and one PL/pgSQL call on PostgreSQL), cancellation, the hooks parcels call on
delivery and loss, confirmation and settlement to the seller, withdrawal (``services``); the buyer's
and the seller's views of them (``selectors``); the cart, the seller centre and the station operator's
order for a villager (``views``); the auto-completion task (``tasks``).
"""
