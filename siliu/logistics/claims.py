"""Claims for lost, damaged and late parcels: submission, compensation by policy, decision, payment.

Services (writes, each one atomic transaction that also appends a :class:`ClaimEvent`) and selectors
(reads, scoped to the acting user) of the claims flow.

Decisions someone will ask about
--------------------------------
Who may claim
    The parcel's sender (its ``sender_user``), or a staff member filing for the sender at the counter.
    Either way the claim is recorded in the sender's name, because compensation is paid into the
    sender's wallet; a parcel sent without a user account cannot be claimed for here.
Who decides and pays
    County managers and staff, never on a claim of their own.
What each kind needs
    A loss claim is for a parcel in the network's hands (accepted, not delivered, not already lost);
    damage only after delivery, with at least one photo; delay when the parcel was delivered after
    its promised time, or is still undelivered with the promised time past. One claim per parcel and
    kind unless the earlier one was rejected.
The claimed loss
    Loss and damage claims state the actual loss in fen (> 0); it caps every basis but the fixed
    multiple of postage; delay claims record 0. ``damage_share_bp`` is the damaged share of the
    contents and only scales a declared (insured) value; for uninsured items the claimed loss
    already is the loss.
Postage
    "Postage" in a rule is what the sender paid for carriage: ``postage_fen − discount_fen`` (neither
    the insurance nor the COD fee is postage).
Rounding
    The only fraction is declared value × damaged share; it is rounded half up to the fen, in integer
    arithmetic (``(2·v·bp + 10000) // 20000``).
Policy date
    The policy in force on the claim's submission date (Asia/Shanghai business day) applies, however
    late the decision; the claim keeps the policy and rule it was approved under.
Zero amounts
    An approval may fix 0 fen (a postage refund of a parcel whose postage was nothing, a rule that
    yields nothing). Paying it closes the claim as paid without a ledger transfer, since the ledger
    refuses zero transfers and there is nothing to move.
Idempotent payment
    The transfer's id ``claim:<id>:compensation`` is its idempotency key. The ledger write and the
    status change share one transaction; should the ledger ever hold the transfer while the claim still
    says approved, paying again finds the identical transfer (``exists``), books nothing more and marks
    the claim paid.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.roles import Actor, Role, acting_user, user_is_staff_or_has_role
from siliu.finance import chart
from siliu.finance.services import MAX_AMOUNT_FEN, system_account, transfer_create, wallet_open
from siliu.logistics import hooks
from siliu.logistics.models import (
    ALLOWED_TRANSITIONS,
    CLAIM_TRANSITIONS,
    OPEN_CLAIM_STATUSES,
    Claim,
    ClaimEvent,
    ClaimKind,
    ClaimStatus,
    CompensationBasis,
    CompensationPolicy,
    CompensationRule,
    EventCode,
    Parcel,
    ParcelEvent,
    ParcelStatus,
)
from siliu.logistics.selectors import JourneyStep, parcel_get, parcels_steps

#: The whole of the contents, in basis points.
ALL_BP = 10_000
DESCRIPTION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 300
EVIDENCE_MAX_COUNT = 20
EVIDENCE_REF_MAX_LENGTH = 200
#: The ledger category of compensation transfers.
CATEGORY_COMPENSATION = "compensation"

#: Statuses in which the parcel is in the network's hands: accepted, not delivered, not lost.
IN_NETWORK_STATUSES = frozenset(before for (before, code) in ALLOWED_TRANSITIONS if code == EventCode.LOST)


class Compensation(NamedTuple):
    """What a claim is worth under a policy: the policy, the first matching rule, the amount."""

    policy: CompensationPolicy
    rule: CompensationRule
    amount_fen: int


def claim_transfer_id(claim: Claim) -> str:
    """The ledger transfer id (and idempotency key) of a claim's compensation."""
    return f"claim:{claim.pk}:compensation"


def claim_reviewer(user: Actor) -> bool:
    """Whether ``user`` may see every claim and decide and pay them: county managers and staff."""
    return user_is_staff_or_has_role(user, Role.COUNTY_MANAGER)


def claim_date(claim: Claim) -> datetime.date:
    """The business day (Asia/Shanghai) the claim was submitted: it picks the policy in force."""
    return timezone.localdate(claim.created_at, timezone.get_default_timezone())


def postage_paid_fen(parcel: Parcel) -> int:
    """What the sender paid for carriage: the postage less its discount (no insurance or COD fee)."""
    return parcel.postage_fen - parcel.discount_fen


def _half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, both non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


# ---------------------------------------------------------------------------------------------------
# Compensation


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
    return _compensation(claim, policy, rules, on)


def _compensation(
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


# ---------------------------------------------------------------------------------------------------
# Services


def _event(
    claim: Claim,
    *,
    from_status: str,
    actor: User,
    now: datetime.datetime,
    note: str = "",
) -> None:
    ClaimEvent.objects.create(
        claim=claim,
        from_status=from_status,
        to_status=claim.status,
        actor=actor,
        occurred_at=now,
        note=note[:NOTE_MAX_LENGTH],
    )


def _payee(parcel: Parcel, claimant: Actor) -> User:
    """Whom the claim is for: the sender, whether they file it or staff files it for them."""
    if (
        claimant.is_authenticated
        and parcel.sender_user_id is not None
        and claimant.pk == parcel.sender_user_id
    ):
        assert parcel.sender_user is not None
        return parcel.sender_user
    if not (claimant.is_authenticated and claimant.is_staff):
        raise PermissionRefused("not_sender", _("只有寄件人（或工作人员代寄件人）可以申请理赔"))
    if parcel.sender_user is None:
        raise Conflict(
            "sender_has_no_account",
            _("寄件人没有平台账户，赔款无法入账；请寄件人注册后再申请"),
            field="tracking_number",
        )
    return parcel.sender_user


def _clean_evidence(evidence: Sequence[str]) -> list[str]:
    if isinstance(evidence, str) or not all(isinstance(item, str) for item in evidence):
        raise ValidationFailed("invalid_evidence", _("证据应为照片引用的列表"), field="evidence")
    references = [item.strip() for item in evidence if item.strip()]
    if len(references) > EVIDENCE_MAX_COUNT:
        raise ValidationFailed(
            "too_many_evidence", _("最多 %(n)d 张照片") % {"n": EVIDENCE_MAX_COUNT}, field="evidence"
        )
    if any(len(reference) > EVIDENCE_REF_MAX_LENGTH for reference in references):
        raise ValidationFailed(
            "invalid_evidence",
            _("照片引用最长 %(n)d 个字符") % {"n": EVIDENCE_REF_MAX_LENGTH},
            field="evidence",
        )
    return references


def _check_claimable(parcel: Parcel, kind: ClaimKind, now: datetime.datetime) -> None:
    """Refuse a claim of ``kind`` that the parcel's state does not allow."""
    status = ParcelStatus(parcel.status)
    if kind == ClaimKind.LOSS and status not in IN_NETWORK_STATUSES:
        raise Conflict(
            "loss_not_claimable",
            _("只能对已收寄、尚未妥投的邮件申请丢失理赔（该邮件%(status)s）") % {"status": status.label},
        )
    if kind == ClaimKind.DAMAGE and status != ParcelStatus.DELIVERED:
        raise Conflict(
            "damage_not_claimable",
            _("妥投后才能申请损毁理赔（该邮件%(status)s）") % {"status": status.label},
        )
    if kind == ClaimKind.DELAY:
        if status == ParcelStatus.DELIVERED:
            late = parcel.delivered_at is not None and parcel.delivered_at > parcel.promised_at
        elif status in IN_NETWORK_STATUSES:
            late = now > parcel.promised_at
        else:
            raise Conflict(
                "delay_not_claimable",
                _("该邮件%(status)s，不能申请延误理赔") % {"status": status.label},
            )
        if not late:
            raise Conflict("not_late", _("邮件未超过承诺送达时间，不能申请延误理赔"))


def claim_submit_for_number(*, tracking_number: str, claimant: Actor, **claim: Any) -> Claim:
    """:func:`claim_submit` for the parcel with ``tracking_number`` as the claimant may see it.

    Raises
    ------
    NotFound
        ``unknown_parcel`` on the ``tracking_number`` field when the claimant cannot see such a parcel;
        otherwise what :func:`claim_submit` raises.
    """
    try:
        parcel = parcel_get(number=tracking_number, actor=claimant)
    except NotFound as error:
        raise NotFound(error.code, error.message, field="tracking_number") from None
    return claim_submit(parcel=parcel, claimant=claimant, **claim)


@transaction.atomic
def claim_submit(
    *,
    parcel: Parcel,
    kind: str,
    claimant: Actor,
    claimed_loss_fen: int = 0,
    damage_share_bp: int = ALL_BP,
    description: str = "",
    evidence: Sequence[str] = (),
    now: datetime.datetime | None = None,
) -> Claim:
    """Submit a claim for a lost, damaged or late parcel.

    Parameters
    ----------
    claimant
        Who files it: the parcel's sender, or a staff member filing for the sender. The claim is
        recorded in the sender's name (compensation goes to the sender's wallet); the filer is the
        actor of its first event.
    claimed_loss_fen
        The actual loss in fen; required (> 0) for loss and damage; a delay claim records 0.
    damage_share_bp
        For damage, the damaged share of the contents in basis points (1–10000, 10000 = all); other
        kinds record 10000.
    evidence
        Photo references (at most 20, each up to 200 characters); damage needs at least one. The
        parcel's scan history is attached by the system (:func:`claim_scans`).

    Raises
    ------
    ValidationFailed
        A bad kind, amount, share, description or evidence, naming the field.
    PermissionRefused
        ``not_sender`` when the claimant is neither the sender nor staff.
    Conflict
        ``sender_has_no_account``; ``loss_not_claimable`` (not accepted, delivered or already lost),
        ``damage_not_claimable`` (not delivered), ``delay_not_claimable`` / ``not_late``;
        ``claim_exists`` when a claim of that kind is open or settled for the parcel.
    """
    now = now or timezone.now()
    parcel = (
        Parcel.objects.select_for_update(of=("self",))
        .select_related("product", "sender_user")
        .get(pk=parcel.pk)
    )
    payee = _payee(parcel, claimant)
    if kind not in ClaimKind.values:
        raise ValidationFailed(
            "invalid_claim_kind",
            _("理赔类型应为 %(kinds)s 之一") % {"kinds": ", ".join(ClaimKind.values)},
            field="kind",
        )
    claim_kind = ClaimKind(kind)
    if isinstance(claimed_loss_fen, bool) or not isinstance(claimed_loss_fen, int) or claimed_loss_fen < 0:
        raise ValidationFailed(
            "invalid_amount", _("申报损失应为不小于 0 的整数（分）"), field="claimed_loss_fen"
        )
    if claimed_loss_fen > MAX_AMOUNT_FEN:
        raise ValidationFailed("amount_too_large", _("申报损失超出上限"), field="claimed_loss_fen")
    if claim_kind != ClaimKind.DELAY and claimed_loss_fen == 0:
        raise ValidationFailed(
            "claimed_loss_required", _("丢失或损毁理赔须申报实际损失金额"), field="claimed_loss_fen"
        )
    if claim_kind == ClaimKind.DAMAGE:
        if (
            isinstance(damage_share_bp, bool)
            or not isinstance(damage_share_bp, int)
            or not (0 < damage_share_bp <= ALL_BP)
        ):
            raise ValidationFailed(
                "invalid_damage_share", _("损毁比例应为 1–10000（万分之）"), field="damage_share_bp"
            )
    else:
        damage_share_bp = ALL_BP
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationFailed(
            "too_long", _("说明最多 %(n)d 个字") % {"n": DESCRIPTION_MAX_LENGTH}, field="description"
        )
    references = _clean_evidence(evidence)
    if claim_kind == ClaimKind.DAMAGE and not references:
        raise ValidationFailed("photo_required", _("损毁理赔须附至少一张照片"), field="evidence")
    _check_claimable(parcel, claim_kind, now)
    if Claim.objects.filter(parcel=parcel, kind=claim_kind).exclude(status=ClaimStatus.REJECTED).exists():
        raise Conflict(
            "claim_exists",
            _("该邮件已有%(kind)s理赔，不能重复申请") % {"kind": claim_kind.label},
            field="kind",
        )
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                parcel=parcel,
                kind=claim_kind,
                claimant=payee,
                claimed_loss_fen=claimed_loss_fen if claim_kind != ClaimKind.DELAY else 0,
                damage_share_bp=damage_share_bp,
                description=description,
                evidence=references,
                created_at=now,
            )
    except IntegrityError:  # a concurrent submission of the same kind won the unique constraint
        raise Conflict(
            "claim_exists",
            _("该邮件已有%(kind)s理赔，不能重复申请") % {"kind": claim_kind.label},
            field="kind",
        ) from None
    _event(claim, from_status="", actor=_authenticated(claimant), now=now)
    return claim


def _authenticated(user: Actor) -> User:
    acting = acting_user(user)
    assert acting is not None, "checked by the caller"
    return acting


def _require_reviewer(actor: Actor, claim: Claim) -> User:
    if not claim_reviewer(actor):
        raise PermissionRefused("not_reviewer", _("只有县级管理员或工作人员可以处理理赔"))
    if actor.pk == claim.claimant_id:
        raise PermissionRefused("own_claim", _("不能处理自己的理赔"))
    return _authenticated(actor)


def _check_transition(claim: Claim, to_status: ClaimStatus) -> None:
    current = ClaimStatus(claim.status)
    if to_status in CLAIM_TRANSITIONS[current]:
        return
    if to_status == ClaimStatus.PAID and current == ClaimStatus.PAID:
        raise Conflict("claim_already_paid", _("该理赔已赔付，不能重复赔付"))
    if to_status == ClaimStatus.PAID:
        raise Conflict("claim_not_approved", _("%(status)s的理赔不能赔付") % {"status": current.label})
    raise Conflict("claim_already_decided", _("该理赔已%(status)s，不能再决定") % {"status": current.label})


def _parcel_mark_lost(parcel: Parcel, claim: Claim, actor: User, now: datetime.datetime) -> None:
    """Mark the parcel lost along the transitions table, with its event."""
    new_status = ALLOWED_TRANSITIONS.get((parcel.status, EventCode.LOST))
    if new_status is None:
        raise Conflict(
            "invalid_transition",
            _("该邮件%(status)s，不能确认丢失") % {"status": ParcelStatus(parcel.status).label},
        )
    parcel.status = new_status
    parcel.save(update_fields=["status"])
    ParcelEvent.objects.create(
        parcel=parcel,
        event_id=f"claim:{claim.pk}:lost",
        code=EventCode.LOST,
        actor=actor,
        occurred_at=now,
        recorded_at=now,
    )
    hooks.parcel_lost(parcel=parcel, now=now)


@transaction.atomic
def claim_decide(
    *,
    claim: Claim,
    approve: bool,
    actor: Actor,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Claim:
    """Approve or reject a submitted claim.

    Approval fixes the policy, rule and compensation (:func:`claim_compensation` on the claim's
    date); approving a loss also marks the parcel lost (a ``LST`` event ``claim:<id>:lost``), which
    the parcel's transitions must allow. A rejection needs a note saying why. Rejected claims free
    the parcel for a new claim of that kind.

    Raises
    ------
    PermissionRefused
        ``not_reviewer`` unless the actor is a county manager or staff; ``own_claim``.
    ValidationFailed
        ``note_required`` for a rejection without a note, ``too_long``.
    Conflict
        ``claim_already_decided``; ``no_compensation_policy`` / ``no_compensation_rule``;
        ``invalid_transition`` when a lost parcel's status no longer allows it (delivered meanwhile).
    """
    now = now or timezone.now()
    decider = _require_reviewer(actor, claim)
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed("too_long", _("说明最多 %(n)d 个字") % {"n": NOTE_MAX_LENGTH}, field="note")
    if not approve and not note:
        raise ValidationFailed("note_required", _("驳回须说明理由"), field="note")
    # Parcel before claim, the order claim_submit takes them in.
    parcel = Parcel.objects.select_for_update(of=("self",)).select_related("product").get(pk=claim.parcel_id)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    claim.parcel = parcel
    target = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    _check_transition(claim, target)
    before = claim.status
    if approve:
        claim.policy, claim.rule, claim.compensation_fen = claim_compensation(claim=claim)
        if claim.kind == ClaimKind.LOSS:
            _parcel_mark_lost(parcel, claim, decider, now)
    claim.status = target
    claim.decided_by = decider
    claim.decided_at = now
    claim.decision_note = note
    claim.save(
        update_fields=[
            "status",
            "policy",
            "rule",
            "compensation_fen",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
    )
    _event(claim, from_status=before, actor=decider, now=now, note=note)
    return claim


@transaction.atomic
def claim_pay(*, claim: Claim, actor: Actor, now: datetime.datetime | None = None) -> Claim:
    """Pay an approved claim: a ledger transfer of the compensation from compensation expense to the
    claimant's wallet, id ``claim:<id>:compensation``, category ``compensation``; the claim becomes
    paid. A claim approved at 0 fen becomes paid with no transfer.

    The transfer id is the idempotency key: if the ledger already holds this exact transfer (an
    earlier attempt), it is not booked again and the claim is marked paid.

    Raises
    ------
    PermissionRefused
        ``not_reviewer``, ``own_claim``.
    Conflict
        ``claim_already_paid`` (nothing changes), ``claim_not_approved``; a ledger refusal
        (``exists_with_different_fields`` if a different transfer holds the id).
    """
    now = now or timezone.now()
    payer = _require_reviewer(actor, claim)
    claim = Claim.objects.select_for_update(of=("self",)).select_related("claimant").get(pk=claim.pk)
    _check_transition(claim, ClaimStatus.PAID)
    if claim.compensation_fen > 0:
        system_account(code=chart.COMPENSATION_EXPENSE)
        result = transfer_create(
            id=claim_transfer_id(claim),
            debit_account=chart.COMPENSATION_EXPENSE,
            credit_account=wallet_open(user=claim.claimant).code,
            amount_fen=claim.compensation_fen,
            category=CATEGORY_COMPENSATION,
            reference=f"claim:{claim.pk}",
            created_by=payer,
            now=now,
        )
        note = _("转账 %(id)s") % {"id": result.id}
        if result.status == "exists":
            note += " " + _("（此前已记账，未重复转账）")
    else:
        note = _("赔偿金额为 0，无需转账")
    before = claim.status
    claim.status = ClaimStatus.PAID
    claim.paid_at = now
    claim.save(update_fields=["status", "paid_at"])
    _event(claim, from_status=before, actor=payer, now=now, note=note)
    return claim


# ---------------------------------------------------------------------------------------------------
# Selectors


#: The ``status`` filter for claims still needing a decision or a payment.
OPEN = "open"


def claim_list(
    *,
    user: Actor,
    status: str | None = None,
    kind: str | None = None,
    mine: bool = False,
) -> QuerySet[Claim]:
    """Claims the user may see, newest first: their own, or every claim for county managers and staff
    (only their own with ``mine``). ``status`` may be ``open``: submitted or approved.

    Raises
    ------
    ValidationFailed
        ``invalid_status`` / ``invalid_claim_kind`` for a filter value that does not exist.
    """
    claims = Claim.objects.select_related(
        "parcel", "parcel__product", "claimant", "policy", "rule", "decided_by"
    ).order_by("-created_at", "-pk")
    if not user.is_authenticated:
        return claims.none()
    if mine or not claim_reviewer(user):
        claims = claims.filter(claimant_id=user.pk)
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
        policy, rule, amount_fen = _compensation(claim, in_force, rules, on)
    except Conflict as error:
        return ClaimReview(claim, None, None, None, error.message, scans)
    return ClaimReview(claim, amount_fen, policy, rule, "", scans)
