"""Every hook, registered in one place at start-up (by :class:`siliu.apps.WiringConfig`).

A lower part calls its hooks inside its own transaction; the higher part that registered a handler
reacts in the same transaction. No Django signals. The lower parts with hooks are parcels
(:mod:`siliu.logistics.hooks`):

- a final delivery completes the orders it finishes (commerce) and owes partner couriers their proof
  of delivery (logistics' partners);
- a parcel declared lost refunds its part of the order (commerce);
- the buyer of an order is its parcel's recipient, who sees the pickup code (commerce).

Delivery rounds and the station learn of home pickups (上门揽收), which agency keeps: the planner asks
for the pickup stops of the stations it serves, a stored plan marks them planned, the courier's page
reads the villager's phone, and a parcel accepted at the station closes one (all inside the caller's
transaction).

Commerce has one (:mod:`siliu.commerce.hooks`): a settlement paying a seller sweeps its share to the
seller's loan that is due (lending).

Core's permission checks learn here where a user's places are: their county (network), their station
(network), their round (logistics' rounds).

Core's start page (:mod:`siliu.core.start`) gets each app's cards here: the user's work for today, read
by the app that records it, in this order (logistics, finance, commerce, lending).
"""


def register() -> None:
    from siliu.agency import start as agency_start
    from siliu.agency.pickups import selectors as pickups_read
    from siliu.agency.pickups import services as pickups
    from siliu.appeals import start as appeals_start
    from siliu.appeals.messages import services as outbox
    from siliu.appeals.messages import tasks as outbox_tasks
    from siliu.commerce import hooks as commerce
    from siliu.commerce import start as commerce_start
    from siliu.commerce.orders import services as orders
    from siliu.core.permissions import Scope, places_register
    from siliu.core.start import start_cards_register
    from siliu.finance import start as finance_start
    from siliu.insight import start as insight_start
    from siliu.lending.credit.features import late_installments_register
    from siliu.lending.loans import history as loan_history
    from siliu.lending.loans import services as loans
    from siliu.lending.loans import start as loans_start
    from siliu.lending.portfolio import start as portfolio_start
    from siliu.logistics import hooks as parcels
    from siliu.logistics import start as logistics_start
    from siliu.logistics.partners import tasks as partners
    from siliu.logistics.rounds import selectors as rounds
    from siliu.network import selectors as network

    # Where a user's scoped permissions hold (siliu.core.permissions): the app that records it answers.
    places_register(Scope.OWN_COUNTY, network.outlets_in_counties_of)
    places_register(Scope.OWN_OUTLET, network.outlets_operated_by)
    places_register(Scope.OWN_ROUND, rounds.outlets_on_rounds_of)

    parcels.on_parcels_delivered(orders.orders_mark_delivered)
    parcels.on_parcel_deliveries(partners.webhooks_owe)
    parcels.on_parcel_lost(orders.order_refund_for_lost_parcel)
    parcels.on_parcel_recipient(orders.parcel_bought_by)
    parcels.on_round_home_pickups(pickups_read.home_pickup_stops)
    parcels.on_round_plan_stored(pickups.home_pickups_mark_planned)
    parcels.on_home_pickup_contacts(pickups_read.home_pickup_contacts)
    parcels.on_home_pickups_open(pickups_read.home_pickups_open_at)
    parcels.on_home_pickup_collected(pickups.home_pickup_collect)
    commerce.on_sellers_settled(loans.loan_sweep_settlements)
    # Credit's feature "earlier loans' repayment" is read from the loans, which are built on credit.
    late_installments_register(loan_history.late_installment_count)
    # A message written in a transaction is sent by a task once that transaction commits.
    outbox.message_sender_register(outbox_tasks.messages_send_soon)

    # What each app shows a logged-in user on the start page (siliu.core.start).
    start_cards_register(logistics_start.start_cards)
    start_cards_register(finance_start.start_cards)
    start_cards_register(commerce_start.start_cards)
    start_cards_register(portfolio_start.start_cards)
    start_cards_register(loans_start.start_cards)
    start_cards_register(insight_start.start_cards)
    start_cards_register(agency_start.start_cards)
    start_cards_register(appeals_start.start_cards)
