"""Claims, written: submit, decide, pay. Each is one atomic transaction that appends a ``ClaimEvent``;
the decisions behind the rules are in the package docstring (:mod:`siliu.logistics.claims`).
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.events import claim_status_kind, event_append
from siliu.core.money import MAX_AMOUNT_FEN
from siliu.core.permissions import Permission, user_can, user_can_at
from siliu.core.roles import Actor, acting_user
from siliu.finance import chart
from siliu.finance.services import system_account, transfer_create, wallet_open
from siliu.logistics import hooks

#: The whole of the contents, in basis points.
from siliu.logistics.claims.policy import ALL_BP, claim_compensation
from siliu.logistics.claims.selectors import claim_decidable_by
from siliu.logistics.models import (
    ALLOWED_TRANSITIONS,
    CLAIM_TRANSITIONS,
    Claim,
    ClaimEvent,
    ClaimKind,
    ClaimStatus,
    EventCode,
    Parcel,
    ParcelEvent,
    ParcelStatus,
)
from siliu.logistics.parcels.selectors import parcel_get

DESCRIPTION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 300
EVIDENCE_MAX_COUNT = 20
EVIDENCE_REF_MAX_LENGTH = 200
#: The ledger category of compensation transfers.
CATEGORY_COMPENSATION = "compensation"

#: Statuses in which the parcel is in the network's hands: accepted, not delivered, not lost.
IN_NETWORK_STATUSES = frozenset(before for (before, code) in ALLOWED_TRANSITIONS if code == EventCode.LOST)


def claim_transfer_id(claim: Claim) -> str:
    """The ledger transfer id (and idempotency key) of a claim's compensation."""
    return f"claim:{claim.pk}:compensation"


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
    event_append(claim_status_kind(claim.status), claim.pk, at=now)


def _payee(parcel: Parcel, claimant: Actor) -> User:
    """Whom the claim is for: the sender, whether they file it or someone files it for them
    (``claim.file_for``: the operator of the station the parcel left from, a county manager)."""
    if (
        claimant.is_authenticated
        and parcel.sender_user_id is not None
        and claimant.pk == parcel.sender_user_id
    ):
        assert parcel.sender_user is not None
        return parcel.sender_user
    if not user_can_at(claimant, Permission.CLAIM_FILE_FOR, parcel.origin_outlet):
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
    if not user_can(actor, Permission.CLAIM_DECIDE):
        raise PermissionRefused("not_reviewer", _("只有县级管理员或工作人员可以处理理赔"))
    if actor.pk == claim.claimant_id:
        raise PermissionRefused("own_claim", _("不能处理自己的理赔"))
    if not claim_decidable_by(claim, actor):
        raise PermissionRefused("not_your_county", _("只能处理本县邮件的理赔"))
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
