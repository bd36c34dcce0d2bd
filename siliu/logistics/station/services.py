"""Writes at the station: handing a waiting parcel over (取件), accepting a villager's parcel (揽收).

Both go through the scan service (:func:`~siliu.logistics.parcels.services.scans_record`), so the
allowed transitions, de-duplication by event id, the ledger effects and the delivery hooks are the
same as for a scanner's batch."""

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.permissions import Permission, user_can_at
from siliu.core.roles import Actor
from siliu.logistics import hooks
from siliu.logistics.models import EventCode, Parcel, PostagePayment
from siliu.logistics.parcels.services import Address, ScanInput, ScanResult, parcel_create, scans_record
from siliu.logistics.pricing.quotes import QuoteRequest
from siliu.logistics.station.selectors import handover_candidates
from siliu.network.models import Outlet

COLLECTOR_NAME_MAX_LENGTH = 60


def _check_station(actor: Actor, station: Outlet) -> None:
    if not user_can_at(actor, Permission.STATION_OPERATE, station):
        raise PermissionRefused("not_your_outlet", _("只能办理本站的邮件"), field="station")


def _scan_refused(result: ScanResult, field: str) -> None:
    """Raise the refusal of a single scan (nothing was written for it)."""
    if result.status == "not_your_outlet":
        raise PermissionRefused(result.status, result.message, field="station")
    raise Conflict(result.status, result.message or _("扫描未被接受"), field=field)


@transaction.atomic
def station_handover(
    *,
    station: Outlet,
    collector_name: str,
    code: str = "",
    phone: str = "",
    tracking_number: str = "",
    actor: Actor,
    now: datetime.datetime | None = None,
) -> Parcel:
    """Hand a parcel waiting at ``station`` to whoever collects it (取件): the delivery scan (EMI) at
    the station, with the pickup code as proof when it was given, and always the collector's name.

    The parcel is found by its pickup ``code`` or its recipient's ``phone`` (one of the two); when
    more than one waits for that phone (or, rarely, that code) ``tracking_number`` says which.

    Raises
    ------
    PermissionRefused
        ``not_your_outlet`` unless ``actor`` holds ``station.operate`` at ``station``.
    ValidationFailed
        ``collector_name_required`` (field ``collector_name``); what
        :func:`~siliu.logistics.station.selectors.handover_candidates` raises (fields ``code``,
        ``phone``); ``choose_parcel`` / ``unknown_tracking_number`` (field ``tracking_number``).
    Conflict
        What the scan service refuses (``invalid_sequence`` …); nothing is written.
    """
    now = now or timezone.now()
    _check_station(actor, station)
    name = (collector_name or "").strip()
    if not name or len(name) > COLLECTOR_NAME_MAX_LENGTH:
        raise ValidationFailed(
            "collector_name_required",
            _("请填写取件人姓名（最多 %(n)d 个字）") % {"n": COLLECTOR_NAME_MAX_LENGTH},
            field="collector_name",
        )
    match = handover_candidates(station=station, code=code, phone=phone)
    number = (tracking_number or "").strip().upper()
    if number:
        chosen = [parcel for parcel in match.parcels if parcel.tracking_number == number]
        if not chosen:
            raise ValidationFailed(
                "unknown_tracking_number", _("所选邮件不在本站待取列表中"), field="tracking_number"
            )
        parcel = chosen[0]
    elif len(match.parcels) == 1:
        parcel = match.parcels[0]
    else:
        raise ValidationFailed(
            "choose_parcel",
            _("有 %(n)d 件待取邮件，请选择要交付的一件") % {"n": len(match.parcels)},
            field="tracking_number",
        )
    (result,) = scans_record(
        scans=[
            ScanInput(
                event_id=f"handover:{parcel.tracking_number}",
                tracking_number=parcel.tracking_number,
                code=EventCode.DELIVERED,
                outlet_code=station.code,
                occurred_at=now,
                device_id=f"station:{station.code}",
                proof_pickup_code=code.strip() if match.by_code else "",
                proof_signature_name=name,
            )
        ],
        actor=actor,
        now=now,
    )
    if result.status != "created":
        _scan_refused(result, "code" if match.by_code else "phone")
    parcel.refresh_from_db()
    return parcel


@transaction.atomic
def station_parcel_accept(
    *,
    station: Outlet,
    request: QuoteRequest,
    sender: Address,
    recipient: Address,
    postage_payment: PostagePayment,
    sender_user: User | None = None,
    home_pickup: str = "",
    actor: Actor,
    now: datetime.datetime | None = None,
) -> Parcel:
    """Take a villager's parcel at the station (揽收): create it from its quote and accept it there
    (EMA) in one transaction, so the postage is taken now — cash into the station's drawer, or from
    the villager's wallet (``sender_user``, whom the caller has identified) — and the parcel waits as
    a pickup for the station's next round.

    ``home_pickup`` names the home pickup (上门揽收单) the parcel was collected for: it closes with the
    parcel in the same transaction (:func:`~siliu.logistics.hooks.home_pickup_collected`).

    Raises
    ------
    PermissionRefused
        ``not_your_outlet`` unless ``actor`` holds ``station.operate`` at ``station``; what
        :func:`~siliu.logistics.parcels.services.parcel_create` refuses (``cash_needs_counter``).
    ValidationFailed
        ``origin_not_station`` (field ``origin_outlet``); anything the quote or the parcel refuses.
    Conflict
        ``exceeds_credits`` when the wallet cannot pay; what the acceptance scan refuses; what closing
        the home pickup refuses (field ``home_pickup``). A refusal writes nothing: the parcel is not
        created either.
    """
    now = now or timezone.now()
    _check_station(actor, station)
    if request.origin_outlet_code != station.code:
        raise ValidationFailed("origin_not_station", _("揽收网点须为本站"), field="origin_outlet")
    if postage_payment not in (PostagePayment.CASH, PostagePayment.WALLET):
        raise ValidationFailed("invalid", _("揽收只收现金或钱包付费"), field="postage_payment")
    parcel = parcel_create(
        request=request,
        sender=sender,
        recipient=recipient,
        postage_payment=postage_payment,
        sender_user=sender_user,
        actor=actor,
        now=now,
    )
    (result,) = scans_record(
        scans=[
            ScanInput(
                event_id=f"accept:{parcel.tracking_number}",
                tracking_number=parcel.tracking_number,
                code=EventCode.ACCEPTED,
                outlet_code=station.code,
                occurred_at=now,
                device_id=f"station:{station.code}",
            )
        ],
        actor=actor,
        now=now,
    )
    if result.status != "created":
        _scan_refused(result, "origin_outlet")
    parcel.refresh_from_db()
    if reference := (home_pickup or "").strip():
        hooks.home_pickup_collected(reference=reference, parcel=parcel, station=station, actor=actor, now=now)
    return parcel
