"""Signed proof-of-delivery webhooks to partner couriers: owed inside the delivery scan's transaction,
sent later with retries and exponential backoff, signed with HMAC-SHA256 over the timestamp and body.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from siliu.logistics.models import (
    Parcel,
    ParcelEvent,
    Partner,
    WebhookDelivery,
    WebhookStatus,
)

logger = logging.getLogger(__name__)

#: A webhook is given up (``failed``) after this many unsuccessful attempts.
WEBHOOK_MAX_ATTEMPTS = 10
#: How old a signed timestamp :func:`webhook_signature_verify` accepts by default (replay window).
WEBHOOK_TOLERANCE_SECONDS = 300


def webhook_payload(*, parcel: Parcel, event: ParcelEvent, partner: Partner) -> dict[str, Any]:
    """What the partner is told of a delivery: its number, when, where, and the kind of proof."""
    proof: dict[str, str]
    if event.proof_signature_name:
        proof = {"type": "signature", "signer_name": event.proof_signature_name}
    elif event.proof_pickup_code:
        proof = {"type": "pickup_code"}
    else:
        proof = {"type": "photo"}
    outlet = event.outlet
    return {
        "event": "delivered",
        "partner": partner.code,
        "partner_tracking_number": parcel.partner_tracking_number or parcel.tracking_number,
        "status": "delivered",
        "delivered_at": event.occurred_at.astimezone(datetime.UTC).isoformat(),
        "outlet_code": outlet.code if outlet is not None else "",
        "proof": proof,
    }


def webhook_deliveries_queue(
    *, delivered: Sequence[tuple[Parcel, ParcelEvent]], now: datetime.datetime
) -> list[WebhookDelivery]:
    """Owe each partner whose parcel was just delivered a proof-of-delivery message, due now.

    Called inside the scan's transaction (through :func:`siliu.logistics.partners.tasks.webhooks_owe`,
    which also enqueues the sending once the transaction commits); the message is sent by
    :func:`webhook_deliveries_send`. Partners without a webhook URL are skipped.
    """
    partner_ids = {parcel.partner_id for parcel, _event in delivered if parcel.partner_id is not None}
    if not partner_ids:
        return []
    partners = {
        partner.pk: partner for partner in Partner.objects.filter(pk__in=partner_ids).exclude(webhook_url="")
    }
    owed = [(parcel, event) for parcel, event in delivered if parcel.partner_id in partners]
    if not owed:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                partner=partners[parcel.partner_id],  # type: ignore[index]
                parcel=parcel,
                event=event,
                payload=webhook_payload(parcel=parcel, event=event, partner=partners[parcel.partner_id]),  # type: ignore[index]
                next_attempt_at=now,
            )
            for parcel, event in owed
        ]
    )
    return deliveries


def webhook_body(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def webhook_signature(*, secret: str, timestamp: int | str, body: bytes | str) -> str:
    """``sha256=`` and the hex HMAC-SHA256 with ``secret`` of ``f"{timestamp}.{body}"``."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_signature_verify(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    signature: str,
    *,
    now: datetime.datetime | None = None,
    tolerance_seconds: int = WEBHOOK_TOLERANCE_SECONDS,
) -> bool:
    """Whether a webhook request really comes from Siliu: what a partner runs on each request.

    Siliu sends ``POST`` with a JSON body and two headers:

    - ``X-Siliu-Timestamp``: Unix time in seconds when it was signed;
    - ``X-Siliu-Signature``: ``sha256=`` + hex HMAC-SHA256, keyed with the partner's secret, of the
      timestamp, a full stop and the raw body bytes (``f"{timestamp}.{body}"``).

    Verify over the raw bytes received (before any JSON parsing), compare in constant time, and refuse
    old timestamps so that a captured request cannot be replayed. ``X-Siliu-Delivery`` identifies the
    message: a retry of a message already processed carries the same value.

    Parameters
    ----------
    secret
        The partner's webhook secret.
    timestamp
        The ``X-Siliu-Timestamp`` header, as received.
    body
        The raw request body.
    signature
        The ``X-Siliu-Signature`` header.
    now
        The current time (default: now).
    tolerance_seconds
        Largest accepted difference between ``timestamp`` and ``now``, in seconds; 0 turns the check off.
    """
    text = str(timestamp).strip()
    if not re.fullmatch(r"[0-9]{1,12}", text):
        return False
    if tolerance_seconds:
        current = (now or timezone.now()).timestamp()
        if abs(current - int(text)) > tolerance_seconds:
            return False
    expected = webhook_signature(secret=secret, timestamp=text, body=body)
    return hmac.compare_digest(expected.encode(), (signature or "").strip().encode())


def webhook_backoff(*, attempt_count: int) -> datetime.timedelta:
    """The wait after the ``attempt_count``-th failure: 1, 2, 4, … minutes."""
    return datetime.timedelta(minutes=2 ** (attempt_count - 1))


@dataclass(frozen=True)
class WebhookSendSummary:
    """How a sending round went: ``retrying`` were rescheduled, ``given_up`` marked failed."""

    attempted: int
    delivered: int
    retrying: int
    given_up: int


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: a POST must reach the registered URL itself."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(delivery: WebhookDelivery, *, now: datetime.datetime, timeout_seconds: float) -> str | None:
    """Send one message; ``None`` on a 2xx answer, else what went wrong. Never raises for the network."""
    partner = delivery.partner
    body = webhook_body(delivery.payload)
    timestamp = int(now.timestamp())
    request = urllib.request.Request(
        partner.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Siliu-Webhook/1",
            "X-Siliu-Delivery": str(delivery.pk),
            "X-Siliu-Timestamp": str(timestamp),
            "X-Siliu-Signature": webhook_signature(
                secret=partner.webhook_secret, timestamp=timestamp, body=body
            ),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout_seconds) as response:
            status = response.status
            response.read(1024)
    except urllib.error.HTTPError as error:
        error.close()
        return f"HTTP {error.code} {error.reason}"
    except (OSError, ValueError, http.client.HTTPException) as error:
        return f"{type(error).__name__}: {error}"
    return None if 200 <= status < 300 else f"HTTP {status}"


def webhook_deliveries_send(
    *, now: datetime.datetime | None = None, limit: int = 100, timeout_seconds: float = 10.0
) -> WebhookSendSummary:
    """POST the proof-of-delivery messages that are due, signed, and record what became of each.

    A 2xx answer marks a message delivered. Anything else (another status, a redirect, a timeout, a
    refused connection) adds an attempt, records the error and schedules the next try after 1, 2, 4, …
    minutes; after :data:`WEBHOOK_MAX_ATTEMPTS` the message is given up (``failed``). Network errors
    are never raised. Messages are claimed in a short transaction (``SKIP LOCKED`` on PostgreSQL, and
    their next attempt pushed past the sending time), so two workers never send the same one at once,
    and no transaction is held open while waiting on a partner's server.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("partner")
            .filter(status=WebhookStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:limit]
        )
        lease_until = now + datetime.timedelta(seconds=timeout_seconds * 2 + 60)
        WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in due]).update(
            next_attempt_at=lease_until
        )
    delivered = retrying = given_up = 0
    for delivery in due:
        error = _post(delivery, now=now, timeout_seconds=timeout_seconds)
        attempts = delivery.attempt_count + 1
        if error is None:
            delivered += 1
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookStatus.DELIVERED,
                attempt_count=F("attempt_count") + 1,
                delivered_at=now,
                last_error="",
            )
            continue
        logger.warning("webhook %s to %s failed: %s", delivery.pk, delivery.partner.code, error)
        if attempts >= WEBHOOK_MAX_ATTEMPTS:
            given_up += 1
            status = WebhookStatus.FAILED
        else:
            retrying += 1
            status = WebhookStatus.PENDING
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=status,
            attempt_count=F("attempt_count") + 1,
            last_error=error[:300],
            next_attempt_at=now + webhook_backoff(attempt_count=attempts),
        )
    return WebhookSendSummary(attempted=len(due), delivered=delivered, retrying=retrying, given_up=given_up)
