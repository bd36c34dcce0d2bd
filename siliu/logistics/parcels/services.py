"""Parcels, written: tracking numbers issued, parcels created and cancelled, scan batches recorded."""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core import ids
from siliu.core.bulk import insert_rows, update_rows
from siliu.core.errors import Conflict, DomainError, PermissionRefused, ValidationFailed
from siliu.core.events import PARCEL_SCANNED, events_append
from siliu.core.permissions import Permission, user_can_at, user_outlet_ids
from siliu.core.roles import Actor, acting_user
from siliu.finance import chart
from siliu.finance.models import TransferKind
from siliu.finance.services import (
    TransferRequest,
    outlet_cash_open,
    transfers_book,
    wallet_open,
)
from siliu.logistics import hooks
from siliu.logistics.models import (
    ALLOWED_TRANSITIONS,
    NON_DELIVERY_ACTIONS,
    NON_DELIVERY_REASONS,
    SCAN_CODES,
    EventCode,
    Parcel,
    ParcelEvent,
    ParcelStatus,
    Partner,
    PostagePayment,
    Product,
    TrackingRange,
)
from siliu.logistics.parcels.delivery import delivery_effects
from siliu.logistics.parcels.s10 import s10_format, s10_parse, tracking_number_normalise
from siliu.logistics.pricing.quotes import QuoteRequest, parcel_quote
from siliu.network.models import Outlet

EVENT_COLUMNS = [field.name for field in ParcelEvent._meta.concrete_fields if not field.primary_key]

#: The ``event_id`` of a parcel's ``created`` event is its tracking number followed by this.
CREATED_EVENT_SUFFIX = ":created"
#: Most events one ``POST /api/v1/scans`` may carry.
SCAN_BATCH_LIMIT = 1000
#: How far in the future a device clock may be before its events are refused.
CLOCK_SKEW = datetime.timedelta(minutes=10)
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def phone_normalize(value: str, field: str) -> str:
    """An E.164 phone number with spaces and dashes removed; ``ValidationFailed`` naming ``field``."""
    phone = re.sub(r"[\s-]", "", value or "")
    if not _E164.match(phone):
        raise ValidationFailed(
            "invalid_phone",
            _("电话号码应为 E.164 格式，如 +8613812345678：%(value)s") % {"value": value},
            field=field,
        )
    return phone


def _required(value: str, field: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("required", _("%(field)s 不能为空") % {"field": field}, field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            "too_long", _("%(field)s 最多 %(n)d 个字") % {"field": field, "n": max_length}, field=field
        )
    return text


def tracking_number_validate(
    number: str, *, field: str = "tracking_number", partner_patterns: list[re.Pattern[str]] | None = None
) -> str:
    """Normalise and validate a number the API was given: an S10 number, or a number in a registered
    partner courier's format.

    Raises
    ------
    ValidationFailed
        ``invalid_tracking_number`` with the reason (shape or check digit of an S10 number).
    """
    text = tracking_number_normalise(number)
    for pattern in partner_number_patterns() if partner_patterns is None else partner_patterns:
        if pattern.match(text):
            return text
    return str(s10_parse(text, field=field))


def partner_number_patterns() -> list[re.Pattern[str]]:
    """The number formats of partner couriers, former ones included: their parcels may still be in
    the network and must stay scannable."""
    return [re.compile(pattern) for pattern in Partner.objects.values_list("number_pattern", flat=True)]


def postage_hold_id(tracking_number: str) -> str:
    return f"parcel:{tracking_number}:postage-hold"


def postage_transfer_id(tracking_number: str) -> str:
    return f"parcel:{tracking_number}:postage"


def tracking_number_issue(*, product: Product) -> str:
    """The next unused S10 number of ``product``'s ranges (locked, so two clerks never share one).

    Raises
    ------
    Conflict
        ``tracking_numbers_exhausted`` when every range of the product is used up.
    """
    return tracking_numbers_issue(product=product, count=1)[0]


@transaction.atomic
def tracking_numbers_issue(*, product: Product, count: int) -> list[str]:
    """The next ``count`` unused S10 numbers of ``product``'s ranges, in order, from the first range
    with room onwards. Each range row is locked until the caller's transaction ends, so call this as
    late as the transaction allows: every parcel of the product waits for that lock.

    Raises
    ------
    Conflict
        ``tracking_numbers_exhausted`` when the product's ranges hold fewer than ``count`` numbers.
    """
    numbers: list[str] = []
    while len(numbers) < count:
        number_range = (
            TrackingRange.objects.select_for_update()
            .filter(product=product, next_serial__lte=F("last_serial"))
            .order_by("service_indicator", "first_serial")
            .first()
        )
        if number_range is None:
            raise Conflict(
                "tracking_numbers_exhausted",
                _("%(product)s 的邮件号段已用完，请配置新号段") % {"product": product.name},
            )
        first = number_range.next_serial
        taken = min(count - len(numbers), number_range.last_serial - first + 1)
        number_range.next_serial = first + taken
        number_range.save(update_fields=["next_serial"])
        numbers.extend(
            s10_format(
                service_indicator=number_range.service_indicator,
                serial=serial,
                country_code=number_range.country_code,
            )
            for serial in range(first, first + taken)
        )
    return numbers


@dataclass(frozen=True)
class Address:
    name: str
    phone: str
    address: str


@transaction.atomic
def parcel_create(
    *,
    request: QuoteRequest,
    sender: Address,
    recipient: Address,
    postage_payment: PostagePayment,
    sender_user: User | None = None,
    is_home_delivery: bool = False,
    partner: Partner | None = None,
    partner_tracking_number: str = "",
    idempotency_key: str = "",
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
) -> Parcel:
    """Create a parcel from its quote: number, price, path and promise fixed now.

    A postal parcel gets the next S10 number of its product. A partner courier's parcel keeps the
    partner's own number (``partner_tracking_number``, which must match the partner's format) as its
    tracking number. With an ``idempotency_key``, the same actor sending the same key again gets the
    parcel created the first time.

    With ``wallet`` payment the fee is held on the sender's wallet (a pending transfer) and taken at
    acceptance; with ``cash`` it is taken at the counter when the parcel is accepted; ``order`` and
    ``partner`` parcels are paid through their order or the partner's monthly bill.

    Raises
    ------
    ValidationFailed
        Bad addresses or phones, a wallet payment without a sender user, or anything the quote refuses.
    Conflict
        ``exceeds_credits`` when the wallet cannot hold the fee; ``tracking_numbers_exhausted``;
        ``duplicate_tracking_number`` when a partner number is already in the network.
    PermissionRefused
        ``cash_needs_counter`` for cash postage taken by someone without ``parcel.accept_cash`` at the
        origin outlet (its operator; not a customer).
    """
    now = now or timezone.now()
    if idempotency_key:
        if len(idempotency_key) > 64:
            raise ValidationFailed("invalid", _("幂等键最多 64 个字符"), field="Idempotency-Key")
        existing = Parcel.objects.filter(
            created_by_id=actor.pk if isinstance(actor, User) else None, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    parcel = parcel_prepare(
        request=request,
        sender=sender,
        recipient=recipient,
        postage_payment=postage_payment,
        sender_user=sender_user,
        is_home_delivery=is_home_delivery,
        partner=partner,
        partner_tracking_number=partner_tracking_number,
        idempotency_key=idempotency_key,
        actor=actor,
        now=now,
    )
    if (
        postage_payment == PostagePayment.CASH
        and actor is not None
        # The outlet's operator as recorded now: the quote's outlet comes from the pricing snapshot.
        and not user_can_at(
            actor,
            Permission.PARCEL_ACCEPT_CASH,
            Outlet.objects.only("operator_id").get(pk=parcel.origin_outlet_id),
        )
    ):
        raise PermissionRefused(
            "cash_needs_counter", _("现金付费只能在网点柜台由工作人员办理"), field="postage_payment"
        )
    parcels_save([parcel], actor=actor, now=now)
    if postage_payment == PostagePayment.WALLET and parcel.charged_at_acceptance_fen:
        assert sender_user is not None
        transfers_book(
            [
                TransferRequest(
                    id=postage_hold_id(parcel.tracking_number),
                    debit_account=wallet_open(user=sender_user).code,
                    credit_account=chart.POSTAGE_INCOME,
                    amount_fen=parcel.charged_at_acceptance_fen,
                    kind=TransferKind.PENDING,
                    category="postage",
                    reference=f"parcel:{parcel.tracking_number}",
                )
            ],
            actor=actor,
            now=now,
        )
    return parcel


def parcel_prepare(
    *,
    request: QuoteRequest,
    sender: Address,
    recipient: Address,
    postage_payment: PostagePayment,
    sender_user: User | None = None,
    is_home_delivery: bool = False,
    partner: Partner | None = None,
    partner_tracking_number: str = "",
    idempotency_key: str = "",
    actor: Actor | None = None,
    now: datetime.datetime,
    ready_at: datetime.datetime | None = None,
) -> Parcel:
    """Check and price a parcel without writing anything: an unsaved :class:`Parcel` for
    :func:`parcels_save`. A postal parcel's tracking number is left empty for ``parcels_save`` to
    issue; a partner's number is checked here. ``ready_at`` (a pre-sale's shipping day) moves the
    promise: the parcel is priced now but promised as if handed in then.

    Raises what :func:`parcel_create` raises, except what only writing can find (exhausted ranges,
    the wallet).
    """
    sender = Address(
        _required(sender.name, "sender_name", 60),
        phone_normalize(sender.phone, "sender_phone"),
        _required(sender.address, "sender_address", 200),
    )
    recipient = Address(
        _required(recipient.name, "recipient_name", 60),
        phone_normalize(recipient.phone, "recipient_phone"),
        _required(recipient.address, "recipient_address", 200),
    )
    if postage_payment == PostagePayment.WALLET and sender_user is None:
        raise ValidationFailed("invalid", _("钱包付费须指定寄件用户"), field="postage_payment")
    quote = parcel_quote(request=request, now=now)
    promised_at = quote.promised_at
    if ready_at is not None and ready_at > now:
        promised_at = parcel_quote(request=request, now=ready_at).promised_at
    tracking_number = ""
    if partner is not None:
        tracking_number = tracking_number_normalise(partner_tracking_number)
        if not re.match(partner.number_pattern, tracking_number):
            raise ValidationFailed(
                "invalid_tracking_number",
                _("单号 %(number)s 不符合 %(partner)s 的单号格式")
                % {"number": tracking_number, "partner": partner.name},
                field="partner_tracking_number",
            )
        if Parcel.objects.filter(tracking_number=tracking_number).exists():
            raise Conflict(
                "duplicate_tracking_number",
                _("单号 %(number)s 已在网内") % {"number": tracking_number},
                field="partner_tracking_number",
            )
    return Parcel(
        tracking_number=tracking_number,
        partner=partner,
        partner_tracking_number=tracking_number,
        created_by_id=actor.pk if isinstance(actor, User) else None,
        idempotency_key=idempotency_key,
        product=quote.product,
        sender_user=sender_user,
        sender_name=sender.name,
        sender_phone=sender.phone,
        sender_address=sender.address,
        recipient_name=recipient.name,
        recipient_phone=recipient.phone,
        recipient_address=recipient.address,
        origin_outlet=quote.origin_outlet,
        destination_outlet=quote.destination_outlet,
        destination_region_code=quote.destination_region_code,
        is_home_delivery=is_home_delivery,
        weight_g=request.weight_g,
        length_mm=request.length_mm,
        width_mm=request.width_mm,
        height_mm=request.height_mm,
        chargeable_weight_g=quote.chargeable_weight_g,
        declared_value_fen=request.declared_value_fen,
        is_insured=request.is_insured,
        cod_amount_fen=request.cod_amount_fen,
        is_consolidated=request.is_consolidated,
        zone=quote.zone,
        tariff=quote.tariff,
        postage_fen=quote.postage_fen,
        insurance_fee_fen=quote.insurance_fee_fen,
        cod_fee_fen=quote.cod_fee_fen,
        discount_fen=quote.discount_fen,
        fee_fen=quote.fee_fen,
        postage_payment=postage_payment,
        path=[leg.as_dict() for leg in quote.path],
        promised_at=promised_at,
        created_at=now,
        pickup_code=f"{ids.randbelow(1_000_000):06d}",
    )


def parcels_save(parcels: Sequence[Parcel], *, actor: Actor | None, now: datetime.datetime) -> None:
    """Write parcels from :func:`parcel_prepare`: S10 numbers issued to the postal ones (products in
    id order, each range row locked till the end of the caller's transaction), the parcels and their
    ``created`` events inserted. Call it late in the transaction; see :func:`tracking_numbers_issue`.

    Raises
    ------
    Conflict
        ``tracking_numbers_exhausted``.
    """
    unnumbered: dict[int, list[Parcel]] = {}
    for parcel in parcels:
        if not parcel.tracking_number:
            unnumbered.setdefault(parcel.product_id, []).append(parcel)
    for product_id in sorted(unnumbered):
        waiting = unnumbered[product_id]
        numbers = tracking_numbers_issue(product=waiting[0].product, count=len(waiting))
        for parcel, number in zip(waiting, numbers, strict=True):
            parcel.tracking_number = number
    Parcel.objects.bulk_create(parcels)
    events = [parcel_created_event(parcel, actor=actor, now=now) for parcel in parcels]
    ParcelEvent.objects.bulk_create(events)


def parcel_created_event(parcel: Parcel, *, actor: Actor | None, now: datetime.datetime) -> ParcelEvent:
    """The unsaved ``created`` event of ``parcel``. Its ``event_id`` is the tracking number followed
    by :data:`CREATED_EVENT_SUFFIX` (an engine that issues the number itself adds it then)."""
    return ParcelEvent(
        parcel=parcel,
        event_id=f"{parcel.tracking_number}{CREATED_EVENT_SUFFIX}",
        code=EventCode.CREATED,
        outlet=parcel.origin_outlet,
        actor=acting_user(actor),
        occurred_at=now,
        recorded_at=now,
    )


@transaction.atomic
def parcel_cancel(
    *, parcel: Parcel, actor: Actor | None = None, now: datetime.datetime | None = None
) -> Parcel:
    """Cancel a parcel that has not been accepted yet, releasing any hold on the sender's wallet.

    Raises
    ------
    Conflict
        ``invalid_transition`` once the parcel has been accepted.
    """
    now = now or timezone.now()
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    new_status = ALLOWED_TRANSITIONS.get((parcel.status, EventCode.CANCELLED))
    if new_status is None:
        raise Conflict(
            "invalid_transition",
            _("%(status)s 的邮件不能取消") % {"status": ParcelStatus(parcel.status).label},
        )
    if parcel.postage_payment == PostagePayment.WALLET and parcel.charged_at_acceptance_fen:
        transfers_book(
            [
                TransferRequest(
                    id=f"parcel:{parcel.tracking_number}:postage-void",
                    kind=TransferKind.VOID_PENDING,
                    pending_id=postage_hold_id(parcel.tracking_number),
                    category="postage",
                    reference=f"parcel:{parcel.tracking_number}",
                )
            ],
            actor=actor,
            now=now,
        )
    parcel.status = new_status
    parcel.save(update_fields=["status"])
    ParcelEvent.objects.create(
        parcel=parcel,
        event_id=f"{parcel.tracking_number}:cancelled",
        code=EventCode.CANCELLED,
        actor=acting_user(actor),
        occurred_at=now,
        recorded_at=now,
    )
    return parcel


# ---------------------------------------------------------------------------------------------------
# Scans


@dataclass(frozen=True)
class ScanInput:
    """One event as a device sends it."""

    event_id: str
    tracking_number: str
    code: str
    outlet_code: str
    occurred_at: datetime.datetime
    device_id: str = ""
    reason_code: str = ""
    action_code: str = ""
    proof_pickup_code: str = ""
    proof_signature_name: str = ""
    proof_photo_ref: str = ""


@dataclass(frozen=True)
class ScanResult:
    """``status`` is ``created``, ``duplicate`` or the refusal's code, with its message."""

    index: int
    event_id: str
    status: str
    message: str = ""
    parcel_status: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("created", "duplicate")


def _replay(codes: Sequence[str]) -> tuple[str, int | None]:
    """Run a timeline of event codes through the transitions; the final status, or the failing index."""
    status = ParcelStatus.CREATED.value
    for index, code in enumerate(codes):
        if code == EventCode.CREATED:
            continue
        after = ALLOWED_TRANSITIONS.get((status, code))
        if after is None:
            return status, index
        status = after
    return status, None


def _check_scan(
    scan: ScanInput,
    parcel: Parcel | None,
    outlet: Outlet | None,
    now: datetime.datetime,
    partner_patterns: list[re.Pattern[str]],
) -> None:
    """Refuse an event that cannot be right whatever else is in the timeline."""
    tracking_number_validate(scan.tracking_number, partner_patterns=partner_patterns)
    if scan.code not in SCAN_CODES:
        raise ValidationFailed(
            "invalid_event_code",
            _("事件代码应为 %(codes)s 之一") % {"codes": ", ".join(SCAN_CODES)},
            field="code",
        )
    if parcel is None:
        raise ValidationFailed(
            "unknown_tracking_number",
            _("没有邮件号为 %(number)s 的邮件") % {"number": scan.tracking_number},
            field="tracking_number",
        )
    if outlet is None:
        raise ValidationFailed(
            "unknown_outlet", _("没有编码为 %(code)s 的网点") % {"code": scan.outlet_code}, field="outlet"
        )
    if scan.occurred_at > now + CLOCK_SKEW:
        raise ValidationFailed("occurred_in_future", _("事件发生时间晚于当前时间"), field="occurred_at")
    if scan.occurred_at < parcel.created_at - CLOCK_SKEW:
        raise ValidationFailed(
            "occurred_before_parcel", _("事件发生时间早于邮件创建时间"), field="occurred_at"
        )
    if scan.code == EventCode.DELIVERY_FAILED:
        if scan.reason_code not in NON_DELIVERY_REASONS:
            raise ValidationFailed(
                "invalid_reason_code",
                _("投递未成功须给出原因代码：%(codes)s") % {"codes": ", ".join(NON_DELIVERY_REASONS)},
                field="reason_code",
            )
        if scan.action_code not in NON_DELIVERY_ACTIONS:
            raise ValidationFailed(
                "invalid_action_code",
                _("投递未成功须给出处理方式：%(codes)s") % {"codes": ", ".join(NON_DELIVERY_ACTIONS)},
                field="action_code",
            )
    if scan.code == EventCode.DELIVERED:
        if not (scan.proof_pickup_code or scan.proof_signature_name or scan.proof_photo_ref):
            raise ValidationFailed(
                "proof_required", _("妥投须有凭证：取件码、签收人或照片"), field="proof_signature_name"
            )
        if scan.proof_pickup_code and scan.proof_pickup_code != parcel.pickup_code:
            raise ValidationFailed("wrong_pickup_code", _("取件码不正确"), field="proof_pickup_code")


def _ledger_effects(
    parcel: Parcel, before: str, after: str, outlet: Outlet | None, drawers: dict[int, str]
) -> list[TransferRequest]:
    """Transfers that a change of status books: the postage at acceptance. ``drawers`` holds the cash
    drawers opened so far by outlet id, so that a batch opens each outlet's once."""
    if before != ParcelStatus.CREATED or after == ParcelStatus.CREATED:
        return []
    amount = parcel.charged_at_acceptance_fen
    reference = f"parcel:{parcel.tracking_number}"
    if amount and parcel.postage_payment == PostagePayment.WALLET:
        return [
            TransferRequest(
                id=postage_transfer_id(parcel.tracking_number),
                kind=TransferKind.POST_PENDING,
                pending_id=postage_hold_id(parcel.tracking_number),
                category="postage",
                reference=reference,
            )
        ]
    if amount and parcel.postage_payment == PostagePayment.CASH:
        outlet = outlet or parcel.origin_outlet
        if outlet.pk not in drawers:
            drawers[outlet.pk] = outlet_cash_open(outlet=outlet).code
        return [
            TransferRequest(
                id=postage_transfer_id(parcel.tracking_number),
                debit_account=drawers[outlet.pk],
                credit_account=chart.POSTAGE_INCOME,
                amount_fen=amount,
                category="postage",
                reference=reference,
            )
        ]
    return []


#: One event in a parcel's timeline: when, its order among equal times, its code, and the outlet of a
#: scan of this batch (``None`` for recorded events: the parcel's ``last_outlet`` already reflects them).
_TimelineItem = tuple[datetime.datetime, int, str, Outlet | None]


@dataclass(frozen=True)
class _ScanBatch:
    """What a batch reads before placing its scans: its parcels (locked, by number), its outlets (by
    code), the event ids already recorded, each parcel's timeline and its status before the batch."""

    parcels: dict[str, Parcel]
    outlets: dict[str, Outlet]
    known_ids: set[str]
    timelines: dict[int, list[_TimelineItem]]
    status_before: dict[int, str]


@transaction.atomic
def scans_record(
    *,
    scans: Sequence[ScanInput],
    actor: Actor | None = None,
    now: datetime.datetime | None = None,
    outlet_checked: bool = False,
) -> list[ScanResult]:
    """Record a batch of scan events from a device, each with its own result.

    A scan is accepted only at an outlet where ``actor`` holds ``parcel.scan`` (a station operator at
    their own station; couriers and county managers anywhere), unless the caller has already checked
    where the actor may scan (``outlet_checked``: a round's depart and arrive scans, checked against
    the round's outlet) or there is no actor (the system). It must have occurred within the parcel's
    life: not before the parcel was created nor after ``now``, give or take :data:`CLOCK_SKEW`.

    Events are placed in each parcel's timeline by ``occurred_at`` (a device offline for hours sends
    them late); an event is accepted only if the whole timeline with it still follows the allowed
    transitions, so a delivery before acceptance is refused while the rest of the batch goes in. An
    ``event_id`` already recorded is a ``duplicate`` and stored once. The parcels' status, last place and
    the ledger effects (postage taken at acceptance) follow in the same transaction.

    The steps: read and lock the batch (:func:`_scan_batch_read`), place each scan in its parcel's
    timeline (:func:`_scan_place`), then write the events, the parcels and the ledger effects together.

    Raises
    ------
    ValidationFailed
        ``batch_empty`` or ``batch_too_large`` for the whole batch. Each refused item carries its
        code instead: ``not_your_outlet``, ``occurred_in_future``, ``occurred_before_parcel``, …
    """
    if not scans:
        raise ValidationFailed("batch_empty", _("批次中没有扫描事件"), field="scans")
    if len(scans) > SCAN_BATCH_LIMIT:
        raise ValidationFailed(
            "batch_too_large", _("每批最多 %(n)d 个扫描事件") % {"n": SCAN_BATCH_LIMIT}, field="scans"
        )
    now = now or timezone.now()
    partner_patterns = partner_number_patterns()
    batch = _scan_batch_read(scans)

    results: list[ScanResult | None] = [None] * len(scans)
    new_events: list[ParcelEvent] = []
    touched: dict[int, Parcel] = {}
    seen_ids: set[str] = set()
    # Earlier occurrences first, so a batch holding a whole journey fits together in any order.
    order = sorted(range(len(scans)), key=lambda index: scans[index].occurred_at)
    # Where the actor may scan, looked up once for the batch (None: anywhere).
    scan_places = None if outlet_checked or actor is None else user_outlet_ids(actor, Permission.PARCEL_SCAN)
    for position, index in enumerate(order):
        scan = scans[index]
        if not scan.event_id or len(scan.event_id) > 64:
            results[index] = ScanResult(
                index, scan.event_id, "invalid_event_id", _("事件编号应为 1–64 个字符")
            )
            continue
        if scan.event_id in batch.known_ids or scan.event_id in seen_ids:
            results[index] = ScanResult(index, scan.event_id, "duplicate")
            continue
        try:
            # Where the actor may scan is checked first: a refused scanner learns nothing of the parcel.
            place = batch.outlets.get(scan.outlet_code)
            if scan_places is not None and (place is None or place.pk not in scan_places):
                raise PermissionRefused("not_your_outlet", _("只能在本网点扫描"), field="outlet")
            parcel, outlet, timeline, status = _scan_place(
                scan, position=position, batch=batch, now=now, partner_patterns=partner_patterns
            )
        except DomainError as error:
            results[index] = ScanResult(index, scan.event_id, error.code, error.message)
            continue
        batch.timelines[parcel.pk] = timeline
        seen_ids.add(scan.event_id)
        parcel.status = status
        touched[parcel.pk] = parcel
        new_events.append(_scan_event(scan, parcel=parcel, outlet=outlet, actor=actor, now=now))
        results[index] = ScanResult(index, scan.event_id, "created", parcel_status=status)

    transfers: list[TransferRequest] = []
    drawers: dict[int, str] = {}
    for parcel in touched.values():
        acceptance_outlet = _parcel_follow_timeline(parcel, batch.timelines[parcel.pk])
        transfers += _ledger_effects(
            parcel, batch.status_before[parcel.pk], parcel.status, acceptance_outlet, drawers
        )
    insert_rows(ParcelEvent, EVENT_COLUMNS, new_events)
    events_append(PARCEL_SCANNED, sorted(touched), at=now)
    newly_delivered = [
        (touched[event.parcel_id], event)
        for event in new_events
        if event.code == EventCode.DELIVERED
        and batch.status_before[event.parcel_id] != ParcelStatus.DELIVERED
    ]
    transfers += delivery_effects(delivered=newly_delivered, now=now)
    update_rows(
        Parcel,
        ["status", "accepted_at", "delivered_at", "last_event_at", "last_outlet"],
        list(touched.values()),
    )
    transfers_book(transfers, actor=actor, now=now)
    hooks.parcels_delivered(parcels=[parcel for parcel, _event in newly_delivered], now=now)
    finished = [result for result in results if result is not None]
    assert len(finished) == len(scans)
    by_parcel = {parcel.tracking_number: parcel.status for parcel in batch.parcels.values()}
    return [
        ScanResult(
            r.index,
            r.event_id,
            r.status,
            r.message,
            by_parcel.get(scans[r.index].tracking_number.strip().upper(), ""),
        )
        for r in finished
    ]


def _scan_batch_read(scans: Sequence[ScanInput]) -> _ScanBatch:
    """Lock the batch's parcels in id order and read what placing its scans needs."""
    numbers = {scan.tracking_number.strip().upper() for scan in scans}
    parcels = {
        parcel.tracking_number: parcel
        # of=("self",): lock the parcels only, not the outlets the join reads (which other batches
        # share, so locking them deadlocks concurrent batches).
        for parcel in Parcel.objects.select_for_update(of=("self",))
        .select_related("origin_outlet")
        .defer("path")
        .filter(tracking_number__in=numbers)
        .order_by("pk")
    }
    outlets = {
        outlet.code: outlet for outlet in Outlet.objects.filter(code__in={scan.outlet_code for scan in scans})
    }
    known_ids = set(
        ParcelEvent.objects.filter(event_id__in=[scan.event_id for scan in scans]).values_list(
            "event_id", flat=True
        )
    )
    timelines: dict[int, list[_TimelineItem]] = {}
    for parcel_id, occurred_at, event_pk, code in ParcelEvent.objects.filter(
        parcel__in=list(parcels.values())
    ).values_list("parcel_id", "occurred_at", "pk", "code"):
        timelines.setdefault(parcel_id, []).append((occurred_at, event_pk, code, None))
    for timeline in timelines.values():
        timeline.sort(key=lambda item: (item[0], item[1]))
    status_before = {parcel.pk: parcel.status for parcel in parcels.values()}
    return _ScanBatch(parcels, outlets, known_ids, timelines, status_before)


def _scan_place(
    scan: ScanInput,
    *,
    position: int,
    batch: _ScanBatch,
    now: datetime.datetime,
    partner_patterns: list[re.Pattern[str]],
) -> tuple[Parcel, Outlet | None, list[_TimelineItem], str]:
    """The scan's parcel and outlet, its parcel's timeline with the scan in place (``position`` breaks
    ties after the recorded events), and the status the timeline ends in.

    Raises
    ------
    DomainError
        What :func:`_check_scan` refuses; ``invalid_transition`` for a cancelled or lost parcel;
        ``invalid_sequence`` when the timeline with the scan breaks the allowed transitions.
    """
    parcel = batch.parcels.get(scan.tracking_number.strip().upper())
    outlet = batch.outlets.get(scan.outlet_code)
    _check_scan(scan, parcel, outlet, now, partner_patterns)
    assert parcel is not None
    if parcel.status in (ParcelStatus.CANCELLED, ParcelStatus.LOST):
        raise Conflict(
            "invalid_transition",
            _("%(status)s 的邮件不能再扫描") % {"status": ParcelStatus(parcel.status).label},
        )
    scanned: _TimelineItem = (scan.occurred_at, 10**18 + position, scan.code, outlet)
    candidate = sorted(
        [*batch.timelines.setdefault(parcel.pk, []), scanned], key=lambda item: (item[0], item[1])
    )
    status, failed_at = _replay([item[2] for item in candidate])
    if failed_at is not None:
        failing = candidate[failed_at]
        raise Conflict(
            "invalid_sequence",
            _("事件顺序不合理：%(status)s 之后不能有 %(event)s")
            % {
                "status": ParcelStatus(_replay([item[2] for item in candidate[:failed_at]])[0]).label,
                "event": EventCode(failing[2]).label,
            },
        )
    return parcel, outlet, candidate, status


def _scan_event(
    scan: ScanInput, *, parcel: Parcel, outlet: Outlet | None, actor: Actor | None, now: datetime.datetime
) -> ParcelEvent:
    """The unsaved event of an accepted scan, its free texts cut to their columns."""
    return ParcelEvent(
        parcel=parcel,
        event_id=scan.event_id,
        code=scan.code,
        outlet=outlet,
        device_id=scan.device_id[:64],
        actor=acting_user(actor),
        occurred_at=scan.occurred_at,
        recorded_at=now,
        reason_code=scan.reason_code,
        action_code=scan.action_code,
        proof_pickup_code=scan.proof_pickup_code,
        proof_signature_name=scan.proof_signature_name[:60],
        proof_photo_ref=scan.proof_photo_ref[:200],
    )


def _parcel_follow_timeline(parcel: Parcel, timeline: list[_TimelineItem]) -> Outlet | None:
    """Set the parcel's acceptance and delivery times, last event and last place from its timeline;
    return the outlet of an acceptance scanned in this batch (``None`` otherwise)."""
    occurred = [item for item in timeline if item[2] != EventCode.CREATED]
    parcel.accepted_at = next((at for at, _pk, code, _o in timeline if code == EventCode.ACCEPTED), None)
    parcel.delivered_at = next((at for at, _pk, code, _o in timeline if code == EventCode.DELIVERED), None)
    parcel.last_event_at = occurred[-1][0] if occurred else None
    last_outlet = occurred[-1][3] if occurred else None
    if last_outlet is not None:
        parcel.last_outlet = last_outlet
    return next((o for _at, _pk, code, o in timeline if code == EventCode.ACCEPTED), None)
