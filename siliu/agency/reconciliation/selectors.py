"""Reads of reconciliation: which providers a user reconciles or reads, their statements, one statement
with its counts and totals, one mismatch.

Where the permissions hold (ADR 0024): a provider with a county is reconciled and read by that county's
managers (本县: their :class:`~siliu.network.models.CountyPost`); a provider without one only by those who
hold the permission everywhere (finance staff; auditors read everything).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from siliu.agency.catalogue import AgencyTransaction, Provider
from siliu.agency.reconciliation.models import (
    ItemKind,
    ItemStatus,
    Statement,
    StatementItem,
    StatementStatus,
)
from siliu.core.errors import NotFound
from siliu.core.permissions import Permission, Scope, user_scopes
from siliu.core.roles import Actor
from siliu.network.models import CountyPost

#: Who may see reconciliation: those who read it and those who do it.
_READERS = (Permission.AGENCY_READ, Permission.AGENCY_RECONCILE)


def _provider_filter(user: Actor, permission: Permission) -> Q | None:
    """The providers where ``user`` holds ``permission``: ``None`` for all of them, else a filter
    (matching nothing when they hold it nowhere)."""
    scopes = user_scopes(user, permission)
    if Scope.EVERYWHERE in scopes:
        return None
    if Scope.OWN_COUNTY in scopes and isinstance(user, AbstractBaseUser):
        return Q(county__in=CountyPost.objects.filter(user_id=user.pk).values("county_id"))
    return Q(pk__in=[])


def providers_scoped(user: Actor, *permissions: Permission) -> QuerySet[Provider]:
    """The providers where ``user`` holds any of ``permissions`` (by default: reads or reconciles)."""
    within = Q(pk__in=[])
    for permission in permissions or _READERS:
        found = _provider_filter(user, permission)
        if found is None:
            return Provider.objects.all()
        within |= found
    return Provider.objects.filter(within)


def provider_within(user: Actor, permission: Permission, provider: Provider) -> bool:
    """Whether ``user`` holds ``permission`` for ``provider`` (its county's manager, or everywhere)."""
    found = _provider_filter(user, permission)
    return found is None or Provider.objects.filter(found, pk=provider.pk).exists()


def provider_get(*, code: str, actor: Actor) -> Provider:
    """The provider ``code`` if ``actor`` reads or reconciles it.

    Raises
    ------
    NotFound
        ``unknown_provider`` (``provider``): none, or one of another county.
    """
    provider = providers_scoped(actor).select_related("county").filter(code=code).first()
    if provider is None:
        raise NotFound("unknown_provider", _("没有这个委托方"), field="provider")
    return provider


@dataclass(frozen=True)
class ProviderDays:
    """A provider and its latest current statements (newest first)."""

    provider: Provider
    statements: list[Statement]
    open_count: int


def provider_overview(*, actor: Actor, recent: int = 5) -> list[ProviderDays]:
    """The providers ``actor`` reads or reconciles, each with its last ``recent`` statement days and how
    many of its statements are not settled yet."""
    providers = list(providers_scoped(actor).filter(is_active=True).select_related("county").order_by("code"))
    current = (
        Statement.objects.filter(provider__in=providers)
        .exclude(status=StatementStatus.SUPERSEDED)
        .order_by("provider_id", "-business_on")
    )
    by_provider: dict[int, list[Statement]] = {}
    open_counts: dict[int, int] = {}
    for statement in current:
        by_provider.setdefault(statement.provider_id, []).append(statement)
        if statement.status == StatementStatus.OPEN:
            open_counts[statement.provider_id] = open_counts.get(statement.provider_id, 0) + 1
    return [
        ProviderDays(provider, by_provider.get(provider.pk, [])[:recent], open_counts.get(provider.pk, 0))
        for provider in providers
    ]


def provider_statements(*, provider: Provider, limit: int = 60) -> list[Statement]:
    """The provider's statements, newest day first, replaced ones after the one that replaced them."""
    return list(
        Statement.objects.filter(provider=provider)
        .select_related("imported_by", "settled_by")
        .order_by("-business_on", "-imported_at", "-id")[:limit]
    )


def statement_get(*, statement_id: int, actor: Actor, provider: Provider | None = None) -> Statement:
    """The statement ``statement_id`` if ``actor`` reads or reconciles its provider (and it is
    ``provider``'s, when given).

    Raises
    ------
    NotFound
        ``unknown_statement`` (``statement``).
    """
    statement = (
        Statement.objects.select_related("provider", "imported_by", "settled_by", "replaces")
        .filter(pk=statement_id, provider__in=providers_scoped(actor))
        .first()
    )
    if statement is None or (provider is not None and statement.provider_id != provider.pk):
        raise NotFound("unknown_statement", _("没有这份对账单"), field="statement")
    return statement


def item_get(*, item_id: int, actor: Actor, provider: Provider | None = None) -> StatementItem:
    """The statement item ``item_id`` if ``actor`` reads or reconciles its provider.

    Raises
    ------
    NotFound
        ``unknown_mismatch`` (``mismatch``).
    """
    item = (
        StatementItem.objects.select_related("statement__provider", "line", "transaction")
        .filter(pk=item_id, statement__provider__in=providers_scoped(actor))
        .first()
    )
    if item is None or (provider is not None and item.statement.provider_id != provider.pk):
        raise NotFound("unknown_mismatch", _("没有这条对账差错"), field="mismatch")
    return item


@dataclass(frozen=True)
class StatementSummary:
    """A statement's items by kind and its totals, in fen (what the platform owes the provider;
    negative: what the provider owes the platform).

    ``ours_fen``: by our record (our transactions of the day, not reversed); ``theirs_fen``: by their
    lines; ``agreed_fen``: the items settled so far (the net to settle once none is open).
    """

    statement: Statement
    counts: dict[str, int]
    ours_fen: int
    theirs_fen: int
    agreed_fen: int
    open_count: int
    mismatches: list[StatementItem] = field(default_factory=list)

    @property
    def counts_labelled(self) -> list[tuple[str, str, int]]:
        return [(kind.value, str(kind.label), self.counts.get(kind.value, 0)) for kind in ItemKind]

    @property
    def agreed_abs_fen(self) -> int:
        return abs(self.agreed_fen)

    @property
    def settleable(self) -> bool:
        return self.statement.status == StatementStatus.OPEN and self.open_count == 0


def statement_summary(*, statement: Statement) -> StatementSummary:
    """Counts per kind, the totals and the mismatches (open first, then in file order) of ``statement``."""
    items = list(
        statement.items.select_related(
            "line__service", "transaction__service", "transaction__outlet", "resolved_by"
        )
    )
    counts = dict.fromkeys(ItemKind.values, 0)
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    mismatches = sorted(
        (item for item in items if item.kind != ItemKind.MATCHED),
        key=lambda item: (
            item.status != ItemStatus.OPEN,
            item.line.line_number if item.line else 10**9,
            item.pk,
        ),
    )
    return StatementSummary(
        statement=statement,
        counts=counts,
        ours_fen=sum(item.ours_provider_fen or 0 for item in items),
        theirs_fen=sum(item.theirs_provider_fen or 0 for item in items),
        agreed_fen=sum(item.agreed_fen or 0 for item in items),
        open_count=sum(1 for item in items if item.status == ItemStatus.OPEN),
        mismatches=mismatches,
    )


def transactions_of_day(*, provider: Provider, business_on: datetime.date) -> QuerySet[AgencyTransaction]:
    """Every transaction of ``provider`` on ``business_on`` (reversed ones too), by number."""
    return AgencyTransaction.objects.filter(provider=provider, business_on=business_on).select_related(
        "service", "outlet"
    )
