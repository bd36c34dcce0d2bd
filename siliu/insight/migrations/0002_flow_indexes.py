"""Indexes on the flows' own tables for what the information flow reads of them (issue #13; measured
by ``bench/insight_bench.py`` on a county of 500,000 orders and 1,000,000 parcels).

- The times a day is counted by (:mod:`siliu.insight.facts.compute`): folding a burst of the outbox
  computes a few days again, and without these each day read every order, parcel, settlement and
  ledger transfer (1,000 events took 144 s; claims are too few to need one).
- A farmer's profile reads its buyers of a year through its shipments: the seller's shipments from
  one index, and each order's buyer, time and status from another without the order's row
  (PostgreSQL only: ``INCLUDE``); and the opens of its trace batches' pages (among the outbox's
  millions of events, the opens of a year were read to count a few batches').

They live here, not in the flows' models, because only the information flow reads by them; Django's
model state does not know them, so ``makemigrations`` stays as it was.
"""

from typing import Any

from django.db import migrations

#: (index, what it is on): built on every database.
INDEXES = (
    ("insight_order_created", "commerce_order (created_at)"),
    ("insight_parcel_accepted", "logistics_parcel (accepted_at)"),
    ("insight_parcel_delivered", "logistics_parcel (delivered_at)"),
    ("insight_settlement_settled", "commerce_settlement (settled_at)"),
    ("insight_transfer_created", "finance_transfer (created_at)"),
    ("insight_shipment_seller_order", "commerce_shipment (seller_id, order_id)"),
    ("insight_event_trace_opened", "core_event (ref, occurred_at) WHERE kind = 'trace.opened'"),
)
#: The same, PostgreSQL only.
POSTGRES_INDEXES = (("insight_order_buyer", "commerce_order (id) INCLUDE (buyer_id, created_at, status)"),)


def _create(apps: Any, schema_editor: Any) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, definition in (*INDEXES, *(POSTGRES_INDEXES if postgres else ())):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def _drop(apps: Any, schema_editor: Any) -> None:
    for name, _definition in (*INDEXES, *POSTGRES_INDEXES):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0001_daily_figures"),
        ("commerce", "0004_seller_tools"),
        ("finance", "0006_day_close_sign_off"),
        ("logistics", "0008_exception_cases"),
    ]

    operations = [migrations.RunPython(_create, _drop, elidable=False)]
