"""Claims, read: the lists a claimant and a reviewer see, one claim, its scans and history, and the
review of a claim with the compensation the policy gives it.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, NotFound, ValidationFailed
from siliu.core.permissions import Permission, user_can, user_can_at, user_outlet_ids
from siliu.core.roles import Actor

#: The whole of the contents, in basis points.
from siliu.logistics.claims.policy import claim_date, compensation_under
from siliu.logistics.models import (
    OPEN_CLAIM_STATUSES,
    Claim,
    ClaimEvent,
    ClaimKind,
    ClaimStatus,
    CompensationPolicy,
    CompensationRule,
)
from siliu.logistics.parcels.selectors import JourneyStep, parcels_steps


def claim_reviewer(user: Actor) -> bool:
    """Whether ``user`` reviews others' claims (``claim.read``: county managers in their county,
    auditors everywhere)."""
    return user_can(user, Permission.CLAIM_READ)


def claim_decidable_by(claim: Claim, actor: Actor) -> bool:
    """Whether ``actor`` may decide and pay ``claim`` (``claim.decide`` where its parcel starts or
    ends); never their own claim."""
    parcel = claim.parcel
    return actor.pk != claim.claimant_id and any(
        user_can_at(actor, Permission.CLAIM_DECIDE, outlet)
        for outlet in (parcel.origin_outlet, parcel.destination_outlet)
    )


#: The ``status`` filter for claims still needing a decision or a payment.
OPEN = "open"


def claim_list(
    *,
    user: Actor,
    status: str | None = None,
    kind: str | None = None,
    mine: bool = False,
) -> QuerySet[Claim]:
    """Claims the user may see, newest first: their own, and for reviewers (``claim.read``) those whose
    parcel starts or ends where they hold it (only their own with ``mine``). ``status`` may be
    ``open``: submitted or approved.

    Raises
    ------
    ValidationFailed
        ``invalid_status`` / ``invalid_claim_kind`` for a filter value that does not exist.
    """
    claims = Claim.objects.select_related(
        "parcel",
        "parcel__product",
        "parcel__origin_outlet",
        "parcel__destination_outlet",
        "claimant",
        "policy",
        "rule",
        "decided_by",
    ).order_by("-created_at", "-pk")
    if not user.is_authenticated:
        return claims.none()
    if mine or not claim_reviewer(user):
        claims = claims.filter(claimant_id=user.pk)
    elif (places := user_outlet_ids(user, Permission.CLAIM_READ)) is not None:
        claims = claims.filter(
            Q(claimant_id=user.pk)
            | Q(parcel__origin_outlet_id__in=places)
            | Q(parcel__destination_outlet_id__in=places)
        )
    if status == OPEN:
        claims = claims.filter(status__in=OPEN_CLAIM_STATUSES)
    elif status:
        if status not in ClaimStatus.values:
            raise ValidationFailed(
                "invalid_status",
                _("状态应为 %(values)s 之一") % {"values": ", ".join([OPEN, *ClaimStatus.values])},
                field="status",
            )
        claims = claims.filter(status=status)
    if kind:
        if kind not in ClaimKind.values:
            raise ValidationFailed(
                "invalid_claim_kind",
                _("理赔类型应为 %(kinds)s 之一") % {"kinds": ", ".join(ClaimKind.values)},
                field="kind",
            )
        claims = claims.filter(kind=kind)
    return claims


def claims_to_decide(*, user: Actor) -> QuerySet[Claim]:
    """Open claims (submitted or approved: to decide or to pay) that ``user`` may decide: where they hold
    ``claim.decide`` at the parcel's origin or destination (everywhere, or their county), never their
    own."""
    places = user_outlet_ids(user, Permission.CLAIM_DECIDE)
    if not user.is_authenticated or places == frozenset():
        return Claim.objects.none()
    claims = Claim.objects.filter(status__in=OPEN_CLAIM_STATUSES).exclude(claimant_id=user.pk)
    if places is not None:
        claims = claims.filter(
            Q(parcel__origin_outlet_id__in=places) | Q(parcel__destination_outlet_id__in=places)
        )
    return claims


def claim_get(*, user: Actor, claim_id: int) -> Claim:
    """One claim the user may see.

    Raises
    ------
    NotFound
        ``claim_not_found`` when there is none or it is someone else's (not told apart).
    """
    claim = claim_list(user=user).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("claim_not_found", _("没有编号为 %(id)s 的理赔") % {"id": claim_id})
    return claim


def claim_scans(*, claim: Claim) -> list[JourneyStep]:
    """The evidence the system attaches to every claim: the parcel's events in the order they
    happened, with places and times and no personal data (the public journey)."""
    return parcels_steps(parcel_ids=[claim.parcel_id]).get(claim.parcel_id, [])


def claim_history(*, claim: Claim) -> QuerySet[ClaimEvent]:
    """The claim's status changes, oldest first."""
    return claim.events.select_related("actor").order_by("occurred_at", "pk")


@dataclass(frozen=True)
class ClaimReview:
    """A claim as a county manager weighs it: the compensation (fixed once approved, else what the
    policy would give now), or why none can be computed, and the scan history."""

    claim: Claim
    compensation_fen: int | None
    policy: CompensationPolicy | None
    rule: CompensationRule | None
    compensation_error: str
    scans: list[JourneyStep]


def claim_review(*, claim: Claim) -> ClaimReview:
    """The review of one claim (see :class:`ClaimReview`); a rejected claim has no compensation."""
    return claim_reviews(claims=[claim])[0]


def claim_reviews(*, claims: Sequence[Claim]) -> list[ClaimReview]:
    """The reviews of a page of claims, in order, in a few queries whatever their number: the
    policies with their rules once, and the scans of all their parcels together."""
    policies: list[CompensationPolicy] = []
    if any(claim.status == ClaimStatus.SUBMITTED for claim in claims):
        rules = CompensationRule.objects.select_related("product").order_by("priority")
        policies = list(
            CompensationPolicy.objects.order_by("-effective_on").prefetch_related(Prefetch("rules", rules))
        )
    steps = parcels_steps(parcel_ids={claim.parcel_id for claim in claims})
    return [_review(claim, policies, steps.get(claim.parcel_id, [])) for claim in claims]


def _review(claim: Claim, policies: Sequence[CompensationPolicy], scans: list[JourneyStep]) -> ClaimReview:
    """One claim's review; ``policies`` are every policy, latest first, with their rules fetched."""
    if claim.status in (ClaimStatus.APPROVED, ClaimStatus.PAID):
        return ClaimReview(claim, claim.compensation_fen, claim.policy, claim.rule, "", scans)
    if claim.status == ClaimStatus.REJECTED:
        return ClaimReview(claim, None, None, None, "", scans)
    on = claim_date(claim)
    in_force = next((policy for policy in policies if policy.effective_on <= on), None)
    rules = in_force.rules.all() if in_force is not None else ()
    try:
        policy, rule, amount_fen = compensation_under(claim, in_force, rules, on)
    except Conflict as error:
        return ClaimReview(claim, None, None, None, error.message, scans)
    return ClaimReview(claim, amount_fen, policy, rule, "", scans)


def claim_count_for_parcels(
    *, parcel_ids: Sequence[int], since: datetime.datetime, until: datetime.datetime
) -> int:
    """How many claims were filed on ``parcel_ids`` in ``[since, until)``, whatever their outcome
    (credit counts the claims against a seller's shipments)."""
    return Claim.objects.filter(parcel_id__in=parcel_ids, created_at__gte=since, created_at__lt=until).count()
