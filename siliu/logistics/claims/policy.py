"""What a claim is due under the written compensation policy: the policy in force on the claim's day,
its first matching rule by priority, and the amount, exact to the fen. Reads only.
"""

import datetime
from collections.abc import Iterable
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict
from siliu.logistics.models import (
    Claim,
    ClaimKind,
    CompensationBasis,
    CompensationPolicy,
    CompensationRule,
    Parcel,
)

#: The whole of the contents, in basis points.

ALL_BP = 10_000


class Compensation(NamedTuple):
    """What a claim is worth under a policy: the policy, the first matching rule, the amount."""

    policy: CompensationPolicy
    rule: CompensationRule
    amount_fen: int


def claim_date(claim: Claim) -> datetime.date:
    """The business day (Asia/Shanghai) the claim was submitted: it picks the policy in force."""
    return timezone.localdate(claim.created_at, timezone.get_default_timezone())


def postage_paid_fen(parcel: Parcel) -> int:
    """What the sender paid for carriage: the postage less its discount (no insurance or COD fee)."""
    return parcel.postage_fen - parcel.discount_fen


def _half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, both non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def _rule_matches(rule: CompensationRule, claim: Claim, parcel: Parcel) -> bool:
    """Whether ``rule`` covers the claim. A product cap rule is skipped for a product without a cap:
    a cap of 0 means "compensate by the postage multiple rule" (the product's terms say so)."""
    return (
        rule.claim_kind == claim.kind
        and (rule.product_id is None or rule.product_id == parcel.product_id)
        and (rule.is_letter is None or rule.is_letter == parcel.product.is_letter)
        and (rule.is_insured is None or rule.is_insured == parcel.is_insured)
        and not (
            rule.basis == CompensationBasis.ACTUAL_LOSS_CAPPED_AT_PRODUCT_CAP
            and parcel.product.uninsured_cap_fen == 0
        )
    )


def _rule_amount(rule: CompensationRule, claim: Claim, parcel: Parcel) -> int:
    postage = postage_paid_fen(parcel)
    basis = CompensationBasis(rule.basis)
    if basis == CompensationBasis.DECLARED_VALUE_PRO_RATA:
        share_bp = claim.damage_share_bp if claim.kind == ClaimKind.DAMAGE else ALL_BP
        return min(_half_up(parcel.declared_value_fen * share_bp, ALL_BP), claim.claimed_loss_fen)
    if basis == CompensationBasis.POSTAGE_MULTIPLE:
        return postage * rule.postage_multiple
    if basis == CompensationBasis.ACTUAL_LOSS_CAPPED_AT_POSTAGE_MULTIPLE:
        return min(claim.claimed_loss_fen, postage * rule.postage_multiple)
    if basis == CompensationBasis.ACTUAL_LOSS_CAPPED_AT_PRODUCT_CAP:
        return min(claim.claimed_loss_fen, parcel.product.uninsured_cap_fen)
    assert basis == CompensationBasis.POSTAGE_REFUND
    return postage


def claim_compensation(*, claim: Claim, on: datetime.date | None = None) -> Compensation:
    """The compensation a claim is due: the policy in force on ``on`` (by default the day the claim
    was submitted), its first rule by priority that matches the claim and its parcel, and the amount.

    Reads the policy tables and writes nothing. Amounts are exact to the fen in integer arithmetic:

    - declared value (insured): the declared value, × the damaged share for damage (half up), never
      more than the claimed loss;
    - fixed multiple of postage: postage paid × multiple, whatever the claimed loss;
    - actual loss capped at a multiple of postage: the claimed loss, at most postage paid × multiple;
    - actual loss capped at the product cap: the claimed loss, at most ``product.uninsured_cap_fen``;
    - postage refund: the postage paid.

    Raises
    ------
    Conflict
        ``no_compensation_policy`` when no policy was in force on that day, ``no_compensation_rule``
        when no rule of it covers the claim.
    """
    on = on or claim_date(claim)
    policy = CompensationPolicy.objects.filter(effective_on__lte=on).order_by("-effective_on").first()
    rules = policy.rules.select_related("product").order_by("priority") if policy is not None else ()
    return compensation_under(claim, policy, rules, on)


def compensation_under(
    claim: Claim, policy: CompensationPolicy | None, rules: Iterable[CompensationRule], on: datetime.date
) -> Compensation:
    """:func:`claim_compensation` under ``policy`` (the one in force on ``on``) and its ``rules`` by
    priority."""
    if policy is None:
        raise Conflict("no_compensation_policy", _("%(day)s 没有生效的赔偿政策") % {"day": on.isoformat()})
    parcel = claim.parcel
    for rule in rules:
        if _rule_matches(rule, claim, parcel):
            return Compensation(policy, rule, _rule_amount(rule, claim, parcel))
    raise Conflict(
        "no_compensation_rule",
        _("赔偿政策 v%(version)d 没有适用于该邮件%(kind)s的规则")
        % {"version": policy.version, "kind": ClaimKind(claim.kind).label},
    )
