"""Periodic background work, all in one place.

``siliu scheduler`` (started by ``siliu serve``) enqueues each task at its interval; the task worker
runs it. Every task here is safe to run twice at once, so a second scheduler (say, during a deploy)
costs a little work and breaks nothing. In production run one ``siliu scheduler`` process, or call
the tasks' management commands from cron instead.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    task: str  # dotted path of a django-tasks task
    every_seconds: int


SCHEDULE: tuple[Periodic, ...] = (
    Periodic("siliu.finance.tasks.pending_transfers_expire_task", every_seconds=60),
    Periodic("siliu.logistics.partners.tasks.webhooks_deliver", every_seconds=60),
    Periodic("siliu.logistics.parcels.tasks.parcel_exceptions_sweep", every_seconds=600),
    Periodic("siliu.logistics.parcels.tasks.cod_remit", every_seconds=3600),
    Periodic("siliu.commerce.orders.tasks.orders_complete_due_task", every_seconds=3600),
    Periodic("siliu.lending.loans.tasks.lending_nights_due_task", every_seconds=3600),
    Periodic("siliu.insight.facts.tasks.events_fold_task", every_seconds=10),
    Periodic("siliu.insight.facts.tasks.yesterday_check_task", every_seconds=3600),
    Periodic("siliu.appeals.messages.tasks.messages_send_task", every_seconds=60),
    Periodic("siliu.appeals.requests.tasks.appeals_escalate_task", every_seconds=600),
)
