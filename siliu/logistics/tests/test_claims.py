"""Claims: the compensation policy, submission, decision, payment, the API and the pages.

The county is the one in ``conftest``: an express parcel VS11 → VS21 of 1.5 kg costs ¥13.00 postage
(¥10 first kg + ¥3), an ordinary parcel ¥7.50, a 20 g registered letter ¥3.80. Parcels created at
07:30 on Monday 2026-11-23 are accepted at 07:45; express is promised for 20:30 that day.
"""

import datetime
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from siliu.core.errors import Conflict, DomainError, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.finance import chart
from siliu.finance.models import Account, Transfer
from siliu.finance.services import transfer_create, wallet_open
from siliu.logistics.claims.policy import claim_compensation
from siliu.logistics.claims.selectors import claim_review
from siliu.logistics.claims.services import claim_decide, claim_pay, claim_submit, claim_transfer_id
from siliu.logistics.models import (
    Claim,
    ClaimEvent,
    ClaimKind,
    ClaimStatus,
    CompensationBasis,
    CompensationPolicy,
    CompensationRule,
    Parcel,
    ParcelEvent,
    ParcelStatus,
    Product,
)
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.logistics.tests.conftest import at, journey
from siliu.network.models import Outlet

pytestmark = pytest.mark.django_db

MakeParcel = Callable[..., Parcel]
MakeUser = Callable[..., User]


#: When claims are submitted unless a test says otherwise: the morning after.
SUBMITTED_AT = at(9, day=24)
DECIDED_AT = at(10, day=25)


def accept(parcel: Parcel) -> None:
    results = scans_record(
        scans=[ScanInput(f"{parcel.tracking_number}-1", parcel.tracking_number, "EMA", "VS11", at(7, 45))],
        now=at(8),
    )
    assert [result.status for result in results] == ["created"]


#: The journey's final delivery at 17:00, within the express promise of 20:30.
ON_TIME = at(17)


def deliver(parcel: Parcel, delivered_at: datetime.datetime = ON_TIME) -> None:
    number = parcel.tracking_number
    scans = journey(number, f"{number}-", delivered_at=delivered_at)
    results = scans_record(scans=scans, now=delivered_at + datetime.timedelta(minutes=5))
    assert {result.status for result in results} <= {"created", "duplicate"}
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.DELIVERED


@pytest.fixture
def sender(make_user: MakeUser) -> User:
    return make_user(Role.CONSUMER, last_name="王", first_name="丽")


@pytest.fixture
def manager(make_user: MakeUser) -> User:
    return make_user(Role.COUNTY_MANAGER)


@pytest.fixture
def submit(make_parcel: MakeParcel, sender: User) -> Callable[..., Claim]:
    """``submit(kind, claimed_loss_fen=…, **parcel_fields)`` → a claim by ``sender`` on a new parcel that
    is accepted (loss) or delivered (damage; delay, late at 22:00)."""

    def make(
        kind: ClaimKind,
        *,
        claimed_loss_fen: int = 0,
        damage_share_bp: int = 10_000,
        evidence: Sequence[str] = ("photo:box-1.jpg",),
        now: datetime.datetime = SUBMITTED_AT,
        **parcel_fields: Any,
    ) -> Claim:
        parcel = make_parcel(sender_user=sender, **parcel_fields)
        if kind == ClaimKind.LOSS:
            accept(parcel)
        else:
            deliver(parcel, at(22) if kind == ClaimKind.DELAY else at(17))
        return claim_submit(
            parcel=parcel,
            kind=kind,
            claimant=sender,
            claimed_loss_fen=claimed_loss_fen,
            damage_share_bp=damage_share_bp,
            evidence=evidence,
            now=now,
        )

    return make


def amount(claim: Claim) -> tuple[int, int, int]:
    """(policy version, rule priority, amount in fen) of the claim under the policy of its date."""
    policy, rule, amount_fen = claim_compensation(claim=claim)
    return policy.version, rule.priority, amount_fen


def state(claim: Claim) -> tuple[str, int, int, int]:
    """What a refused action must leave alone: status, compensation, event and transfer counts."""
    claim.refresh_from_db()
    return claim.status, claim.compensation_fen, claim.events.count(), Transfer.objects.count()


# ---------------------------------------------------------------------------------------------------
# The policy


def test_policy_v1_rules_are_the_written_table() -> None:
    """Migration 0003 installs v1 from 2026-01-01 with nine rules in priority order."""
    policy = CompensationPolicy.objects.get(version=1)
    assert policy.effective_on == datetime.date(2026, 1, 1)
    rows = [
        (
            r.priority,
            r.claim_kind,
            r.product.code if r.product else None,
            r.is_letter,
            r.is_insured,
            r.basis,
            r.postage_multiple,
        )
        for r in policy.rules.select_related("product").order_by("priority")
    ]
    assert rows == [
        (10, "loss", None, None, True, CompensationBasis.DECLARED_VALUE_PRO_RATA, 0),
        (20, "damage", None, None, True, CompensationBasis.DECLARED_VALUE_PRO_RATA, 0),
        (30, "loss", None, True, False, CompensationBasis.POSTAGE_MULTIPLE, 3),
        (40, "damage", None, True, False, CompensationBasis.POSTAGE_MULTIPLE, 3),
        (50, "loss", "express", None, False, CompensationBasis.ACTUAL_LOSS_CAPPED_AT_PRODUCT_CAP, 0),
        (60, "damage", "express", None, False, CompensationBasis.ACTUAL_LOSS_CAPPED_AT_PRODUCT_CAP, 0),
        (70, "loss", None, None, False, CompensationBasis.ACTUAL_LOSS_CAPPED_AT_POSTAGE_MULTIPLE, 3),
        (80, "damage", None, None, False, CompensationBasis.ACTUAL_LOSS_CAPPED_AT_POSTAGE_MULTIPLE, 3),
        (90, "delay", None, None, None, CompensationBasis.POSTAGE_REFUND, 0),
    ]


def test_insured_loss_pays_the_actual_loss_up_to_the_declared_value(submit: Callable[..., Claim]) -> None:
    """Insured ¥500: a claimed ¥600 loss pays ¥500.00, a claimed ¥300 loss pays ¥300.00."""
    insured = {"declared_value_fen": 50_000, "is_insured": True}
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=60_000, **insured)) == (1, 10, 50_000)
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=30_000, **insured)) == (1, 10, 30_000)


def test_insured_partial_damage_pays_the_damaged_share_of_the_declared_value(
    submit: Callable[..., Claim],
) -> None:
    """Insured ¥500, 40 % damaged: ¥200.00; never more than the claimed ¥150.00."""
    insured = {"declared_value_fen": 50_000, "is_insured": True}
    claim = submit(ClaimKind.DAMAGE, claimed_loss_fen=30_000, damage_share_bp=4000, **insured)
    assert amount(claim) == (1, 20, 20_000)
    capped = submit(ClaimKind.DAMAGE, claimed_loss_fen=15_000, damage_share_bp=4000, **insured)
    assert amount(capped) == (1, 20, 15_000)


def test_pro_rata_rounds_half_up_to_the_fen(submit: Callable[..., Claim]) -> None:
    """¥123.45 × 50 % = 6172.5 fen → 6173; × 33.33 % = 4114.5885 → 4115; × 0.01 % = 1.2345 → 1."""
    insured = {"declared_value_fen": 12_345, "is_insured": True}
    assert (
        amount(submit(ClaimKind.DAMAGE, claimed_loss_fen=99_999, damage_share_bp=5000, **insured))[2] == 6173
    )
    assert (
        amount(submit(ClaimKind.DAMAGE, claimed_loss_fen=99_999, damage_share_bp=3333, **insured))[2] == 4115
    )
    assert amount(submit(ClaimKind.DAMAGE, claimed_loss_fen=99_999, damage_share_bp=1, **insured))[2] == 1


def test_registered_letter_pays_a_fixed_three_times_postage(submit: Callable[..., Claim]) -> None:
    """A 20 g registered letter (¥3.80) pays ¥11.40 for loss or damage, whatever the claimed loss."""
    letter = {"product": "registered", "weight_g": 20}
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=100_000, **letter)) == (1, 30, 1140)
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=100, **letter)) == (1, 30, 1140)
    assert amount(submit(ClaimKind.DAMAGE, claimed_loss_fen=5000, **letter)) == (1, 40, 1140)


def test_insured_letter_follows_the_declared_value(submit: Callable[..., Claim]) -> None:
    """Insurance comes first: an insured registered letter pays its declared value, not 3 × postage."""
    letter = {"product": "registered", "weight_g": 20, "declared_value_fen": 2000, "is_insured": True}
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=5000, **letter)) == (1, 10, 2000)


def test_uninsured_express_is_capped_at_the_product_cap(submit: Callable[..., Claim]) -> None:
    """Express terms cap uninsured items at ¥500: ¥800 claimed pays ¥500.00, ¥123.45 pays ¥123.45."""
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=80_000)) == (1, 50, 50_000)
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=12_345)) == (1, 50, 12_345)
    assert amount(submit(ClaimKind.DAMAGE, claimed_loss_fen=60_000, damage_share_bp=4000)) == (1, 60, 50_000)


def test_uninsured_parcel_is_capped_at_three_times_postage(submit: Callable[..., Claim]) -> None:
    """An ordinary parcel (¥7.50 postage): ¥100 claimed pays ¥22.50, ¥10 claimed pays ¥10.00."""
    parcel = {"product": "parcel"}
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=10_000, **parcel)) == (1, 70, 2250)
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=1000, **parcel)) == (1, 70, 1000)
    assert amount(submit(ClaimKind.DAMAGE, claimed_loss_fen=10_000, **parcel)) == (1, 80, 2250)


def test_product_without_a_cap_falls_back_to_three_times_postage(submit: Callable[..., Claim]) -> None:
    """With the express cap set to 0 ("by the postage multiple"), ¥800 claimed pays 3 × ¥13 = ¥39.00."""
    Product.objects.filter(code="express").update(uninsured_cap_fen=0)
    assert amount(submit(ClaimKind.LOSS, claimed_loss_fen=80_000)) == (1, 70, 3900)


def test_delay_refunds_the_postage_paid(submit: Callable[..., Claim]) -> None:
    """Delivered at 22:00 against 20:30: ¥13.00 back; on a consolidated round, the ¥1.30 discount is kept."""
    assert amount(submit(ClaimKind.DELAY)) == (1, 90, 1300)
    consolidated = submit(ClaimKind.DELAY, is_consolidated=True)
    assert consolidated.parcel.discount_fen == 130
    assert amount(consolidated) == (1, 90, 1170)


def test_a_later_policy_version_does_not_change_earlier_claims(
    submit: Callable[..., Claim], manager: User
) -> None:
    """v2 from 2026-12-01 doubles the delay refund: a claim of 11-24 decided on 12-05 keeps v1's ¥13.00,
    one of 12-02 gets v2's ¥26.00; each claim records the policy and rule it was approved under."""
    v2 = CompensationPolicy.objects.create(version=2, effective_on=datetime.date(2026, 12, 1))
    doubled = CompensationRule.objects.create(
        policy=v2,
        priority=10,
        claim_kind=ClaimKind.DELAY,
        basis=CompensationBasis.POSTAGE_MULTIPLE,
        postage_multiple=2,
    )
    early = submit(ClaimKind.DELAY, now=at(9, day=24))
    late = submit(ClaimKind.DELAY, now=at(9, day=2, month=12))
    decided_at = at(10, day=5, month=12)
    early = claim_decide(claim=early, approve=True, actor=manager, now=decided_at)
    late = claim_decide(claim=late, approve=True, actor=manager, now=decided_at)
    assert (early.policy, early.rule_id, early.compensation_fen) == (
        CompensationPolicy.objects.get(version=1),
        CompensationRule.objects.get(policy__version=1, priority=90).pk,
        1300,
    )
    assert (late.policy, late.rule, late.compensation_fen) == (v2, doubled, 2600)


def test_no_policy_in_force_is_a_conflict(submit: Callable[..., Claim]) -> None:
    """Before v0's first day (2025-01-01) there is no policy to compensate by."""
    claim = submit(ClaimKind.DELAY)
    with pytest.raises(Conflict) as refused:
        claim_compensation(claim=claim, on=datetime.date(2024, 12, 31))
    assert refused.value.code == "no_compensation_policy"


# ---------------------------------------------------------------------------------------------------
# Submitting


def test_submit_records_the_claim_and_its_first_event(make_parcel: MakeParcel, sender: User) -> None:
    """A loss claim on an accepted parcel is submitted in the sender's name with its photos."""
    parcel = make_parcel(sender_user=sender)
    accept(parcel)
    claim = claim_submit(
        parcel=parcel,
        kind=ClaimKind.LOSS,
        claimant=sender,
        claimed_loss_fen=20_000,
        description="  三天没有更新  ",
        evidence=["photo:receipt.jpg", "  "],
        now=SUBMITTED_AT,
    )
    assert (claim.status, claim.claimant, claim.claimed_loss_fen, claim.damage_share_bp) == (
        ClaimStatus.SUBMITTED,
        sender,
        20_000,
        10_000,
    )
    assert (claim.description, claim.evidence, claim.created_at) == (
        "三天没有更新",
        ["photo:receipt.jpg"],
        SUBMITTED_AT,
    )
    assert list(claim.events.values_list("from_status", "to_status", "actor")) == [
        ("", "submitted", sender.pk)
    ]


@pytest.mark.parametrize("clerk_role", [Role.STATION_OPERATOR, Role.COUNTY_MANAGER])
def test_the_origin_operator_or_a_county_manager_files_for_the_sender(
    make_parcel: MakeParcel, sender: User, make_user: MakeUser, clerk_role: Role
) -> None:
    """A claim filed for the sender (``claim.file_for``: the operator of the station the parcel left
    from, or a county manager) is recorded in the sender's name (who is paid), the clerk as actor."""
    clerk = make_user(clerk_role)
    parcel = make_parcel(sender_user=sender)
    if clerk_role == Role.STATION_OPERATOR:
        Outlet.objects.filter(pk=parcel.origin_outlet_id).update(operator=clerk)
        parcel.refresh_from_db()
    accept(parcel)
    claim = claim_submit(
        parcel=parcel, kind=ClaimKind.LOSS, claimant=clerk, claimed_loss_fen=5000, now=SUBMITTED_AT
    )
    assert claim.claimant == sender
    assert claim.events.get().actor == clerk


@pytest.mark.parametrize(
    ("who", "code", "error"),
    [
        ("stranger", "not_sender", PermissionRefused),
        ("courier", "not_sender", PermissionRefused),
        ("staff", "not_sender", PermissionRefused),
        ("other_operator", "not_sender", PermissionRefused),
    ],
)
def test_only_the_sender_or_who_files_for_them_may_claim(
    make_parcel: MakeParcel, sender: User, make_user: MakeUser, who: str, code: str, error: type[DomainError]
) -> None:
    """Another consumer, a courier, staff status alone and another station's operator are refused;
    nothing is written."""
    parcel = make_parcel(sender_user=sender)
    accept(parcel)
    other = {
        "stranger": lambda: make_user(Role.CONSUMER),
        "courier": lambda: make_user(Role.COURIER),
        "staff": lambda: make_user(is_staff=True),
        "other_operator": lambda: make_user(Role.STATION_OPERATOR),
    }[who]()
    with pytest.raises(error) as refused:
        claim_submit(parcel=parcel, kind=ClaimKind.LOSS, claimant=other, claimed_loss_fen=5000)
    assert refused.value.code == code
    assert (Claim.objects.count(), ClaimEvent.objects.count()) == (0, 0)


def test_parcel_without_a_sender_account_cannot_be_claimed(
    make_parcel: MakeParcel, make_user: MakeUser
) -> None:
    """A counter parcel with no sender user has no wallet to pay into: refused even for a county manager."""
    parcel = make_parcel()
    accept(parcel)
    with pytest.raises(Conflict) as refused:
        claim_submit(
            parcel=parcel, kind=ClaimKind.LOSS, claimant=make_user(Role.COUNTY_MANAGER), claimed_loss_fen=5000
        )
    assert refused.value.code == "sender_has_no_account"
    assert Claim.objects.count() == 0


def test_loss_only_while_the_parcel_is_in_the_network(make_parcel: MakeParcel, sender: User) -> None:
    """Loss is refused for a parcel not yet accepted and for a delivered one; nothing changes."""
    created = make_parcel(sender_user=sender)
    delivered = make_parcel(sender_user=sender)
    deliver(delivered)
    for parcel in (created, delivered):
        with pytest.raises(Conflict) as refused:
            claim_submit(
                parcel=parcel, kind=ClaimKind.LOSS, claimant=sender, claimed_loss_fen=5000, now=SUBMITTED_AT
            )
        assert refused.value.code == "loss_not_claimable"
    assert Claim.objects.count() == 0
    assert [Parcel.objects.get(pk=p.pk).status for p in (created, delivered)] == ["created", "delivered"]


def test_damage_only_after_delivery(make_parcel: MakeParcel, sender: User) -> None:
    """Damage on a parcel still in transit is refused."""
    parcel = make_parcel(sender_user=sender)
    accept(parcel)
    with pytest.raises(Conflict) as refused:
        claim_submit(
            parcel=parcel,
            kind=ClaimKind.DAMAGE,
            claimant=sender,
            claimed_loss_fen=5000,
            evidence=["photo:1.jpg"],
            now=SUBMITTED_AT,
        )
    assert refused.value.code == "damage_not_claimable"
    assert Claim.objects.count() == 0


def test_delay_needs_the_promise_broken(make_parcel: MakeParcel, sender: User) -> None:
    """Delivered on time, or undelivered before 20:30: refused; undelivered at 21:00: accepted."""
    on_time = make_parcel(sender_user=sender)
    deliver(on_time, at(17))
    moving = make_parcel(sender_user=sender)
    accept(moving)
    for parcel, now in ((on_time, SUBMITTED_AT), (moving, at(20, 29))):
        with pytest.raises(Conflict) as refused:
            claim_submit(parcel=parcel, kind=ClaimKind.DELAY, claimant=sender, now=now)
        assert refused.value.code == "not_late"
    assert Claim.objects.count() == 0
    claim = claim_submit(parcel=moving, kind=ClaimKind.DELAY, claimant=sender, now=at(21))
    assert claim.status == ClaimStatus.SUBMITTED


def test_one_open_claim_per_parcel_and_kind(make_parcel: MakeParcel, sender: User, manager: User) -> None:
    """A second loss claim is refused while the first stands; after a rejection a new one is accepted."""
    parcel = make_parcel(sender_user=sender)
    accept(parcel)
    first = claim_submit(parcel=parcel, kind=ClaimKind.LOSS, claimant=sender, claimed_loss_fen=5000)
    with pytest.raises(Conflict) as refused:
        claim_submit(parcel=parcel, kind=ClaimKind.LOSS, claimant=sender, claimed_loss_fen=9000)
    assert refused.value.code == "claim_exists"
    assert (Claim.objects.count(), ClaimEvent.objects.count()) == (1, 1)
    claim_decide(claim=first, approve=False, actor=manager, note="已找到邮件")
    second = claim_submit(parcel=parcel, kind=ClaimKind.LOSS, claimant=sender, claimed_loss_fen=9000)
    assert second.status == ClaimStatus.SUBMITTED


@pytest.mark.parametrize(
    ("kind", "fields", "code", "field"),
    [
        ("theft", {"claimed_loss_fen": 5000}, "invalid_claim_kind", "kind"),
        (ClaimKind.LOSS, {"claimed_loss_fen": 0}, "claimed_loss_required", "claimed_loss_fen"),
        (ClaimKind.LOSS, {"claimed_loss_fen": -1}, "invalid_amount", "claimed_loss_fen"),
        (ClaimKind.LOSS, {"claimed_loss_fen": 5000, "evidence": ["x" * 201]}, "invalid_evidence", "evidence"),
        (ClaimKind.LOSS, {"claimed_loss_fen": 5000, "description": "长" * 2001}, "too_long", "description"),
        (ClaimKind.DAMAGE, {"claimed_loss_fen": 5000}, "photo_required", "evidence"),
        (
            ClaimKind.DAMAGE,
            {"claimed_loss_fen": 5000, "damage_share_bp": 0, "evidence": ["p"]},
            "invalid_damage_share",
            "damage_share_bp",
        ),
    ],
)
def test_bad_claim_input_is_refused_naming_the_field(
    make_parcel: MakeParcel, sender: User, kind: str, fields: dict[str, Any], code: str, field: str
) -> None:
    """Each bad input is a ValidationFailed for its field, and no claim is written."""
    parcel = make_parcel(sender_user=sender)
    deliver(parcel)
    with pytest.raises(ValidationFailed) as refused:
        claim_submit(parcel=parcel, kind=kind, claimant=sender, **fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Claim.objects.count() == 0


# ---------------------------------------------------------------------------------------------------
# Deciding


def test_decide_is_for_county_managers_and_staff_not_on_their_own_claims(
    submit: Callable[..., Claim], make_user: MakeUser, make_parcel: MakeParcel, manager: User
) -> None:
    """A consumer, a courier and the claimant-manager are refused; nothing changes."""
    claim = submit(ClaimKind.DELAY)
    own_parcel = make_parcel(sender_user=manager)
    deliver(own_parcel, at(22))
    own = claim_submit(parcel=own_parcel, kind=ClaimKind.DELAY, claimant=manager, now=SUBMITTED_AT)
    before = state(claim)
    for actor in (claim.claimant, make_user(Role.COURIER)):
        with pytest.raises(PermissionRefused) as refused:
            claim_decide(claim=claim, approve=True, actor=actor)
        assert refused.value.code == "not_reviewer"
    with pytest.raises(PermissionRefused) as refused:
        claim_decide(claim=own, approve=True, actor=manager)
    assert refused.value.code == "own_claim"
    assert state(claim) == before
    assert own.events.count() == 1


def test_approval_fixes_policy_rule_and_amount(submit: Callable[..., Claim], manager: User) -> None:
    """Approving an uninsured express damage claim fixes ¥120.00 under v1 rule 60, with its event."""
    claim = submit(ClaimKind.DAMAGE, claimed_loss_fen=12_000)
    claim = claim_decide(claim=claim, approve=True, actor=manager, note="照片清楚", now=DECIDED_AT)
    claim.refresh_from_db()
    assert (claim.status, claim.policy.version, claim.rule.priority, claim.compensation_fen) == (  # type: ignore[union-attr]
        ClaimStatus.APPROVED,
        1,
        60,
        12_000,
    )
    assert (claim.decided_by, claim.decided_at, claim.decision_note) == (manager, DECIDED_AT, "照片清楚")
    assert list(claim.events.values_list("from_status", "to_status", "actor", "note")) == [
        ("", "submitted", claim.claimant_id, ""),
        ("submitted", "approved", manager.pk, "照片清楚"),
    ]
    assert claim.parcel.status == ParcelStatus.DELIVERED


def test_rejection_needs_a_note_and_decides_once(submit: Callable[..., Claim], manager: User) -> None:
    """Rejecting without a note is refused; with one it is final: a second decision is a conflict."""
    claim = submit(ClaimKind.DELAY)
    with pytest.raises(ValidationFailed) as refused:
        claim_decide(claim=claim, approve=False, actor=manager, note="  ")
    assert (refused.value.code, refused.value.field) == ("note_required", "note")
    claim = claim_decide(claim=claim, approve=False, actor=manager, note="按时妥投记录有误，已更正")
    assert (claim.status, claim.compensation_fen, claim.policy) == (ClaimStatus.REJECTED, 0, None)
    before = state(claim)
    with pytest.raises(Conflict) as again:
        claim_decide(claim=claim, approve=True, actor=manager)
    assert again.value.code == "claim_already_decided"
    assert state(claim) == before


def test_loss_approval_marks_the_parcel_lost_with_an_event(
    submit: Callable[..., Claim], manager: User
) -> None:
    """The parcel goes accepted → lost with an LST event claim:<id>:lost; later scans are refused."""
    claim = submit(ClaimKind.LOSS, claimed_loss_fen=30_000)
    claim_decide(claim=claim, approve=True, actor=manager, now=DECIDED_AT)
    parcel = Parcel.objects.get(pk=claim.parcel_id)
    assert parcel.status == ParcelStatus.LOST
    event = ParcelEvent.objects.get(event_id=f"claim:{claim.pk}:lost")
    assert (event.parcel_id, event.code, event.actor, event.occurred_at) == (
        parcel.pk,
        "LST",
        manager,
        DECIDED_AT,
    )
    late_scan = scans_record(
        scans=[ScanInput("found-1", parcel.tracking_number, "EDD", "HUB", at(9, day=25))], now=DECIDED_AT
    )
    assert late_scan[0].status == "invalid_transition"


def test_loss_approval_of_a_parcel_delivered_meanwhile_is_refused(
    submit: Callable[..., Claim], manager: User
) -> None:
    """The parcel turned up and was delivered: approving the loss is refused and nothing changes."""
    claim = submit(ClaimKind.LOSS, claimed_loss_fen=30_000)
    deliver(claim.parcel, at(17))
    before = state(claim)
    with pytest.raises(Conflict) as refused:
        claim_decide(claim=claim, approve=True, actor=manager, now=DECIDED_AT)
    assert refused.value.code == "invalid_transition"
    assert state(claim) == before
    assert Parcel.objects.get(pk=claim.parcel_id).status == ParcelStatus.DELIVERED
    assert not ParcelEvent.objects.filter(code="LST").exists()


# ---------------------------------------------------------------------------------------------------
# Paying


def test_pay_books_one_transfer_to_the_claimants_wallet(submit: Callable[..., Claim], manager: User) -> None:
    """¥300.00 from compensation expense to the sender's wallet, id claim:<id>:compensation."""
    claim = submit(ClaimKind.LOSS, claimed_loss_fen=30_000, declared_value_fen=50_000, is_insured=True)
    claim_decide(claim=claim, approve=True, actor=manager, now=DECIDED_AT)
    transfers_before = Transfer.objects.count()
    paid = claim_pay(claim=claim, actor=manager, now=at(11, day=25))
    assert (paid.status, paid.paid_at) == (ClaimStatus.PAID, at(11, day=25))
    assert Transfer.objects.count() == transfers_before + 1
    transfer = Transfer.objects.select_related("debit_account", "credit_account").get(
        id=claim_transfer_id(claim)
    )
    assert transfer.id == f"claim:{claim.pk}:compensation"
    assert (
        transfer.debit_account.code,
        transfer.credit_account.code,
        transfer.amount_fen,
        transfer.category,
        transfer.reference,
    ) == (
        chart.COMPENSATION_EXPENSE,
        f"wallet:{claim.claimant_id}",
        30_000,
        "compensation",
        f"claim:{claim.pk}",
    )
    assert wallet_open(user=claim.claimant).balance_fen == 30_000
    assert Account.objects.get(code=chart.COMPENSATION_EXPENSE).balance_fen == 30_000
    assert list(claim.events.values_list("to_status", flat=True)) == ["submitted", "approved", "paid"]


def test_paying_twice_is_refused_and_changes_nothing(submit: Callable[..., Claim], manager: User) -> None:
    """The second payment is a conflict: one transfer, the wallet credited once, no new event."""
    claim = submit(ClaimKind.DELAY)
    claim_decide(claim=claim, approve=True, actor=manager)
    claim_pay(claim=claim, actor=manager)
    before = state(claim)
    with pytest.raises(Conflict) as refused:
        claim_pay(claim=claim, actor=manager)
    assert refused.value.code == "claim_already_paid"
    assert state(claim) == before
    assert wallet_open(user=claim.claimant).balance_fen == 1300


def test_pay_retry_after_the_ledger_booked_is_safe(submit: Callable[..., Claim], manager: User) -> None:
    """If the transfer is already in the ledger (a crash before the status was saved), paying books
    nothing more and marks the claim paid."""
    claim = submit(ClaimKind.DELAY)
    claim_decide(claim=claim, approve=True, actor=manager)
    transfer_create(
        id=claim_transfer_id(claim),
        debit_account=chart.COMPENSATION_EXPENSE,
        credit_account=wallet_open(user=claim.claimant).code,
        amount_fen=1300,
        category="compensation",
        reference=f"claim:{claim.pk}",
    )
    transfers_before = Transfer.objects.count()
    paid = claim_pay(claim=claim, actor=manager)
    assert paid.status == ClaimStatus.PAID
    assert Transfer.objects.count() == transfers_before
    assert wallet_open(user=claim.claimant).balance_fen == 1300
    assert "此前已记账" in paid.events.get(to_status="paid").note


def test_pay_needs_an_approved_claim_and_a_reviewer(
    submit: Callable[..., Claim], manager: User, make_user: MakeUser
) -> None:
    """Submitted and rejected claims cannot be paid; a consumer cannot pay; nothing changes."""
    submitted = submit(ClaimKind.DELAY)
    rejected = submit(ClaimKind.LOSS, claimed_loss_fen=5000)
    claim_decide(claim=rejected, approve=False, actor=manager, note="重复申请")
    for claim in (submitted, rejected):
        before = state(claim)
        with pytest.raises(Conflict) as refused:
            claim_pay(claim=claim, actor=manager)
        assert refused.value.code == "claim_not_approved"
        assert state(claim) == before
    claim_decide(claim=submitted, approve=True, actor=manager)
    before = state(submitted)
    with pytest.raises(PermissionRefused):
        claim_pay(claim=submitted, actor=make_user(Role.CONSUMER))
    assert state(submitted) == before


def test_zero_compensation_is_paid_without_a_transfer(submit: Callable[..., Claim], manager: User) -> None:
    """Under a policy whose delay rule yields nothing, approval fixes ¥0.00 and paying closes the claim
    with no ledger transfer."""
    nothing = CompensationPolicy.objects.create(version=2, effective_on=datetime.date(2026, 11, 1))
    CompensationRule.objects.create(
        policy=nothing, priority=10, claim_kind=ClaimKind.DELAY, basis=CompensationBasis.POSTAGE_MULTIPLE
    )
    claim = submit(ClaimKind.DELAY)
    claim = claim_decide(claim=claim, approve=True, actor=manager)
    assert (claim.compensation_fen, claim.policy) == (0, nothing)
    transfers_before = Transfer.objects.count()
    paid = claim_pay(claim=claim, actor=manager)
    assert paid.status == ClaimStatus.PAID
    assert Transfer.objects.count() == transfers_before
    assert not Transfer.objects.filter(id=claim_transfer_id(claim)).exists()


def test_review_shows_the_computed_compensation_before_the_decision(
    submit: Callable[..., Claim], manager: User
) -> None:
    """A submitted claim's review computes ¥22.50 by v1 rule 70 and carries the scan history."""
    claim = submit(ClaimKind.LOSS, claimed_loss_fen=10_000, product="parcel")
    review = claim_review(claim=claim)
    assert (review.compensation_fen, review.rule.priority if review.rule else None) == (2250, 70)
    assert [step.code for step in review.scans] == ["CRT", "EMA"]


# ---------------------------------------------------------------------------------------------------
# API


def _json(response: Any) -> Any:
    return response.json()


def test_api_submit_returns_the_claim_with_its_scan_history(
    api_client: APIClient, make_parcel: MakeParcel, sender: User
) -> None:
    """POST /api/v1/claims → 201 with the claim, the parcel's scans and no phone numbers."""
    parcel = make_parcel(sender_user=sender, declared_value_fen=50_000, is_insured=True)
    deliver(parcel)
    api_client.force_authenticate(sender)
    response = api_client.post(
        reverse("api:claim-list"),
        {
            "tracking_number": parcel.tracking_number.lower(),
            "kind": "damage",
            "claimed_loss_fen": 30_000,
            "damage_share_bp": 4000,
            "description": "外箱压坏",
            "evidence": ["photo:box.jpg"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = _json(response)
    assert (body["tracking_number"], body["kind"], body["status"], body["claimant"]) == (
        parcel.tracking_number,
        "damage",
        "submitted",
        "王丽",
    )
    assert (
        body["claimed_loss_fen"],
        body["damage_share_bp"],
        body["evidence"],
        body["compensation_fen"],
    ) == (
        30_000,
        4000,
        ["photo:box.jpg"],
        0,
    )
    assert [scan["code"] for scan in body["scans"]] == ["CRT", "EMA", "EDD", "EDE", "EMG", "EDG", "EMI"]
    assert body["parcel"]["declared_value_fen"] == 50_000
    assert "+86" not in response.content.decode()
    assert [event["to_status"] for event in body["history"]] == ["submitted"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"tracking_number": "", "kind": "loss", "claimed_loss_fen": 5000}, "tracking_number"),
        ({"tracking_number": "EA123456789CN", "kind": "loss", "claimed_loss_fen": 5000}, "tracking_number"),
        ({"kind": "theft", "claimed_loss_fen": 5000}, "kind"),
        ({"kind": "damage", "claimed_loss_fen": 5000, "damage_share_bp": 0}, "damage_share_bp"),
        ({"kind": "loss", "claimed_loss_fen": "lots"}, "claimed_loss_fen"),
        ({"kind": "loss", "claimed_loss_fen": 0}, "claimed_loss_fen"),
        ({"kind": "loss", "claimed_loss_fen": 5000, "evidence": "photo.jpg"}, "evidence"),
    ],
)
def test_api_submit_bad_input_is_400_naming_the_field(
    api_client: APIClient, make_parcel: MakeParcel, sender: User, payload: dict[str, Any], field: str
) -> None:
    """Bad input answers 400 with the field at fault; no claim is written."""
    parcel = make_parcel(sender_user=sender)
    accept(parcel)
    api_client.force_authenticate(sender)
    body = {"tracking_number": parcel.tracking_number, **payload}
    response = api_client.post(reverse("api:claim-list"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in _json(response)["errors"]
    assert Claim.objects.count() == 0


def test_api_submit_refusals(
    api_client: APIClient, make_parcel: MakeParcel, sender: User, make_user: MakeUser
) -> None:
    """Anonymous 401; a stranger cannot see the parcel (404); an auditor sees it but is not the sender
    (403); a loss claim on a delivered parcel is 409."""
    parcel = make_parcel(sender_user=sender)
    deliver(parcel)
    url = reverse("api:claim-list")
    body = {"tracking_number": parcel.tracking_number, "kind": "loss", "claimed_loss_fen": 5000}
    assert api_client.post(url, body, format="json").status_code == 401
    api_client.force_authenticate(make_user(Role.CONSUMER))
    stranger = api_client.post(url, body, format="json")
    assert (stranger.status_code, _json(stranger)["code"]) == (404, "unknown_parcel")
    assert "tracking_number" in _json(stranger)["errors"]
    api_client.force_authenticate(make_user(Role.AUDITOR))
    auditor = api_client.post(url, body, format="json")
    assert (auditor.status_code, _json(auditor)["code"]) == (403, "not_sender")
    api_client.force_authenticate(sender)
    delivered = api_client.post(url, body, format="json")
    assert (delivered.status_code, _json(delivered)["code"]) == (409, "loss_not_claimable")
    assert Claim.objects.count() == 0


def test_api_list_shows_own_claims_and_everything_to_managers(
    api_client: APIClient,
    submit: Callable[..., Claim],
    make_parcel: MakeParcel,
    make_user: MakeUser,
    manager: User,
) -> None:
    """The sender sees their two claims, another sender only theirs, the manager all three, paginated."""
    mine = [submit(ClaimKind.DELAY), submit(ClaimKind.LOSS, claimed_loss_fen=5000)]
    other_sender = make_user(Role.CONSUMER)
    other_parcel = make_parcel(sender_user=other_sender)
    deliver(other_parcel, at(22))
    theirs = claim_submit(parcel=other_parcel, kind=ClaimKind.DELAY, claimant=other_sender, now=SUBMITTED_AT)
    url = reverse("api:claim-list")
    api_client.force_authenticate(mine[0].claimant)
    body = _json(api_client.get(url))
    assert (body["count"], sorted(item["id"] for item in body["results"])) == (2, sorted(c.pk for c in mine))
    api_client.force_authenticate(other_sender)
    assert [item["id"] for item in _json(api_client.get(url))["results"]] == [theirs.pk]
    api_client.force_authenticate(manager)
    assert _json(api_client.get(url))["count"] == 3
    assert _json(api_client.get(url, {"kind": "loss"}))["count"] == 1
    paged = _json(api_client.get(url, {"page_size": 2}))
    assert (len(paged["results"]), paged["next"] is not None) == (2, True)
    bad = api_client.get(url, {"status": "lost"})
    assert (bad.status_code, "status" in _json(bad)["errors"]) == (400, True)


def test_api_detail_is_for_the_claimant_and_managers(
    api_client: APIClient, submit: Callable[..., Claim], make_user: MakeUser, manager: User
) -> None:
    """The claimant and a manager read the claim with its scans; a stranger and an unknown id get 404."""
    claim = submit(ClaimKind.LOSS, claimed_loss_fen=5000)
    url = reverse("api:claim-detail", args=[claim.pk])
    api_client.force_authenticate(claim.claimant)
    body = _json(api_client.get(url))
    assert (body["id"], [scan["code"] for scan in body["scans"]]) == (claim.pk, ["CRT", "EMA"])
    api_client.force_authenticate(manager)
    assert api_client.get(url).status_code == 200
    api_client.force_authenticate(make_user(Role.CONSUMER))
    assert _json(api_client.get(url))["code"] == "claim_not_found"
    api_client.force_authenticate(manager)
    assert api_client.get(reverse("api:claim-detail", args=[claim.pk + 1000])).status_code == 404


def test_api_decide(api_client: APIClient, submit: Callable[..., Claim], manager: User) -> None:
    """Sender 403; bad body 400; rejection without a note 400; approval 200 with ¥500.00 (express cap);
    a second decision 409; unknown claim 404."""
    claim = submit(ClaimKind.LOSS, claimed_loss_fen=80_000)
    url = reverse("api:claim-decide", args=[claim.pk])
    api_client.force_authenticate(claim.claimant)
    assert api_client.post(url, {"approve": True}, format="json").status_code == 403
    api_client.force_authenticate(manager)
    missing = api_client.post(url, {}, format="json")
    assert (missing.status_code, "approve" in _json(missing)["errors"]) == (400, True)
    no_note = api_client.post(url, {"approve": False}, format="json")
    assert (no_note.status_code, _json(no_note)["code"], "note" in _json(no_note)["errors"]) == (
        400,
        "note_required",
        True,
    )
    approved = api_client.post(url, {"approve": True, "note": "核实丢失"}, format="json")
    assert approved.status_code == 200, approved.content
    body = _json(approved)
    assert (body["status"], body["compensation_fen"], body["policy_version"], body["rule_priority"]) == (
        "approved",
        50_000,
        1,
        50,
    )
    assert body["parcel"]["status"] == ParcelStatus.LOST
    assert [scan["code"] for scan in body["scans"]][-1] == "LST"
    again = api_client.post(url, {"approve": False, "note": "改判"}, format="json")
    assert (again.status_code, _json(again)["code"]) == (409, "claim_already_decided")
    unknown = api_client.post(
        reverse("api:claim-decide", args=[claim.pk + 1000]), {"approve": True}, format="json"
    )
    assert unknown.status_code == 404


def test_api_pay(api_client: APIClient, submit: Callable[..., Claim], manager: User) -> None:
    """Sender 403; paying a submitted claim 409; after approval 200 with the transfer id; again 409."""
    claim = submit(ClaimKind.DELAY)
    url = reverse("api:claim-pay", args=[claim.pk])
    api_client.force_authenticate(claim.claimant)
    assert api_client.post(url).status_code == 403
    api_client.force_authenticate(manager)
    early = api_client.post(url)
    assert (early.status_code, _json(early)["code"]) == (409, "claim_not_approved")
    claim_decide(claim=claim, approve=True, actor=manager)
    paid = api_client.post(url)
    assert paid.status_code == 200, paid.content
    assert (_json(paid)["status"], _json(paid)["transfer_id"]) == ("paid", f"claim:{claim.pk}:compensation")
    again = api_client.post(url)
    assert (again.status_code, _json(again)["code"]) == (409, "claim_already_paid")
    assert Transfer.objects.filter(category="compensation").count() == 1
    assert api_client.post(reverse("api:claim-pay", args=[claim.pk + 1000])).status_code == 404


# ---------------------------------------------------------------------------------------------------
# Pages


def test_claim_form_submits_a_claim(client: Client, make_parcel: MakeParcel, sender: User) -> None:
    """The sender types the loss in yuan and a damaged share in percent; the claim is stored in fen
    and basis points and the browser goes to the claim's page."""
    parcel = make_parcel(sender_user=sender)
    deliver(parcel)
    client.force_login(sender)
    form = client.get(reverse("logistics:claim-new"), {"number": parcel.tracking_number})
    assert form.status_code == 200
    assert parcel.tracking_number in form.content.decode()
    response = client.post(
        reverse("logistics:claim-new"),
        {
            "tracking_number": parcel.tracking_number,
            "kind": "damage",
            "claimed_loss": "123.45",
            "damage_share": "40",
            "description": "外箱压坏",
            "evidence": "photo:1.jpg\n\nphoto:2.jpg\n",
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("logistics:claim-detail", args=[claim.pk])
    assert (claim.kind, claim.claimed_loss_fen, claim.damage_share_bp, claim.evidence) == (
        "damage",
        12_345,
        4000,
        ["photo:1.jpg", "photo:2.jpg"],
    )
    page = client.get(response["Location"]).content.decode()
    assert "photo:2.jpg" in page
    assert "¥123.45" in page


def test_claim_form_shows_refusals_under_their_field(
    client: Client, make_parcel: MakeParcel, sender: User
) -> None:
    """A loss claim on a delivered parcel answers 409 with the reason; a bad amount 400; nothing stored."""
    parcel = make_parcel(sender_user=sender)
    deliver(parcel)
    client.force_login(sender)
    url = reverse("logistics:claim-new")
    refused = client.post(
        url, {"tracking_number": parcel.tracking_number, "kind": "loss", "claimed_loss": "50"}
    )
    assert refused.status_code == 409
    assert "只能对已收寄、尚未妥投的邮件申请丢失理赔" in refused.content.decode()
    bad = client.post(
        url, {"tracking_number": parcel.tracking_number, "kind": "loss", "claimed_loss": "1.234"}
    )
    assert bad.status_code == 400
    assert 'data-testid="error-claimed_loss"' in bad.content.decode()
    assert Claim.objects.count() == 0


def test_my_claims_lists_only_mine(client: Client, submit: Callable[..., Claim], make_user: MakeUser) -> None:
    """The sender's list shows their claim; another user's list does not; anonymous users log in first."""
    claim = submit(ClaimKind.DELAY)
    url = reverse("logistics:claim-list")
    assert client.get(url).status_code == 302
    client.force_login(claim.claimant)
    assert claim.parcel.tracking_number in client.get(url).content.decode()
    client.force_login(make_user(Role.CONSUMER))
    assert claim.parcel.tracking_number not in client.get(url).content.decode()


def test_review_page_decides_and_pays(client: Client, submit: Callable[..., Claim], manager: User) -> None:
    """The manager sees the computed ¥500.00 and the scan history, approves, then pays; a consumer is
    refused the page and the buttons (403)."""
    claim = submit(ClaimKind.LOSS, claimed_loss_fen=80_000)
    review_url = reverse("logistics:claim-review")
    client.force_login(claim.claimant)
    assert client.get(review_url).status_code == 403
    assert (
        client.post(reverse("logistics:claim-decide", args=[claim.pk]), {"decision": "approve"}).status_code
        == 403
    )
    assert client.post(reverse("logistics:claim-pay", args=[claim.pk])).status_code == 403
    client.force_login(manager)
    page = client.get(review_url).content.decode()
    assert f'data-testid="claim-{claim.pk}"' in page
    assert "¥500.00" in page
    assert 'data-testid="scan-history"' in page
    assert 'data-testid="decide-form"' in page
    decided = client.post(
        reverse("logistics:claim-decide", args=[claim.pk]),
        {"decision": "approve", "note": "核实丢失", "next": review_url},
    )
    assert (decided.status_code, decided["Location"]) == (302, review_url)
    claim.refresh_from_db()
    assert (claim.status, claim.compensation_fen) == (ClaimStatus.APPROVED, 50_000)
    assert 'data-testid="pay-form"' in client.get(review_url).content.decode()
    paid = client.post(reverse("logistics:claim-pay", args=[claim.pk]), {"next": "https://evil.example/"})
    assert (paid.status_code, paid["Location"]) == (302, review_url)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    again = client.post(reverse("logistics:claim-pay", args=[claim.pk]), follow=True)
    assert "该理赔已赔付，不能重复赔付" in again.content.decode()
    assert Transfer.objects.filter(category="compensation").count() == 1


def test_review_page_queries_do_not_grow_with_the_claims(
    client: Client, submit: Callable[..., Claim], manager: User
) -> None:
    """Four claims' compensations and scan histories take the queries that one claim's take."""
    client.force_login(manager)

    def review_page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("logistics:claim-review")).status_code == 200
        return len(queries)

    submit(ClaimKind.DELAY)
    one = review_page_queries()
    submit(ClaimKind.DELAY)
    submit(ClaimKind.LOSS, claimed_loss_fen=5000)
    submit(ClaimKind.DAMAGE, claimed_loss_fen=5000)
    assert review_page_queries() == one


# ---------------------------------------------------------------------------------------------------
# Concurrency (PostgreSQL)


def _in_threads(work: Callable[[], str], count: int = 8) -> list[str]:
    """Run ``work`` in ``count`` threads at once, each on its own connection."""
    barrier = threading.Barrier(count)

    def run(_number: int) -> str:
        try:
            barrier.wait()
            return work()
        except DomainError as error:
            return error.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_claims_and_payments_happen_once(submit: Callable[..., Claim], manager: User) -> None:
    """Eight simultaneous loss claims on one parcel make one claim; eight simultaneous payments of it
    book one transfer and credit the wallet once."""
    first = submit(ClaimKind.LOSS, claimed_loss_fen=30_000, declared_value_fen=50_000, is_insured=True)
    claim_decide(claim=first, approve=False, actor=manager, note="请重新申报")
    parcel, sender = first.parcel, first.claimant

    def claim() -> str:
        claim_submit(parcel=parcel, kind=ClaimKind.LOSS, claimant=sender, claimed_loss_fen=30_000)
        return "created"

    assert sorted(_in_threads(claim)) == ["claim_exists"] * 7 + ["created"]
    second = Claim.objects.get(parcel=parcel, status=ClaimStatus.SUBMITTED)
    claim_decide(claim=second, approve=True, actor=manager)

    def pay() -> str:
        return claim_pay(claim=second, actor=manager).status

    assert sorted(_in_threads(pay)) == ["claim_already_paid"] * 7 + ["paid"]
    assert Transfer.objects.filter(category="compensation").count() == 1
    assert wallet_open(user=sender).balance_fen == 30_000
    assert list(second.events.values_list("to_status", flat=True)) == ["submitted", "approved", "paid"]
