"""Trace batches, written: a harvest or production batch and its unique, unguessable trace code."""

import datetime
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siliu.commerce.catalog.services import required_text, seller_check_acts_for
from siliu.commerce.models import (
    InspectionResult,
    Seller,
    SellerStatus,
    TraceBatch,
)
from siliu.core import ids
from siliu.core.errors import Conflict, ValidationFailed
from siliu.core.roles import (
    Actor,
)

#: Trace code alphabet: digits and capitals without the look-alikes 0/O, 1/I/L (31 symbols).
TRACE_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: 31 ** 10 ≈ 8 × 10**14 codes: not guessable at the public rate limit.
TRACE_CODE_LENGTH = 10
_TRACE_CODE_ATTEMPTS = 5


# --- Trace batches -------------------------------------------------------------------------------


def trace_code_new() -> str:
    """A fresh random trace code (not checked for uniqueness)."""
    return "".join(ids.choice(TRACE_CODE_ALPHABET) for _ in range(TRACE_CODE_LENGTH))


@transaction.atomic
def trace_batch_create(
    *,
    seller: Seller,
    actor: Actor,
    product_name: str,
    place: str,
    harvested_on: datetime.date,
    quantity: int,
    unit: str,
    inspection_result: str = InspectionResult.PENDING,
    inspection_note: str = "",
    inspected_on: datetime.date | None = None,
    certificates: Sequence[str] = (),
    now: datetime.datetime,
) -> TraceBatch:
    """Record a harvest or production batch and give it a unique, unguessable trace code.

    Raises
    ------
    PermissionRefused
        ``not_seller`` unless the actor is the seller or a county manager.
    Conflict
        ``seller_suspended`` for a suspended seller.
    ValidationFailed
        ``required``/``too_long`` (``product_name``, ``place``, ``unit``), ``invalid_quantity``,
        ``future_harvest`` (``harvested_on`` after today), ``invalid_inspection_result``,
        ``invalid_inspected_on`` (before the harvest or after today).
    """
    seller_check_acts_for(seller, actor)
    if seller.status == SellerStatus.SUSPENDED:
        raise Conflict("seller_suspended", _("卖家已被暂停"))
    product_name = required_text(product_name, field="product_name", max_length=60)
    place = required_text(place, field="place", max_length=100)
    unit = required_text(unit, field="unit", max_length=10)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed("invalid_quantity", _("数量必须是正整数"), field="quantity")
    if inspection_result not in InspectionResult.values:
        raise ValidationFailed("invalid_inspection_result", _("检测结果不正确"), field="inspection_result")
    if harvested_on > now.date():
        # Pre-sale batches are recorded once picked; the product carries the promised date meanwhile.
        raise ValidationFailed("future_harvest", _("采收日期不能晚于今天"), field="harvested_on")
    if inspected_on is not None and not harvested_on <= inspected_on <= now.date():
        raise ValidationFailed(
            "invalid_inspected_on", _("检测日期应在采收日期与今天之间"), field="inspected_on"
        )
    for _attempt in range(_TRACE_CODE_ATTEMPTS):
        code = trace_code_new()
        if TraceBatch.objects.filter(code=code).exists():
            continue
        try:
            with transaction.atomic():
                return TraceBatch.objects.create(
                    seller=seller,
                    code=code,
                    product_name=product_name,
                    place=place,
                    harvested_on=harvested_on,
                    quantity=quantity,
                    unit=unit,
                    inspection_result=inspection_result,
                    inspection_note=(inspection_note or "").strip()[:200],
                    inspected_on=inspected_on,
                    certificates=[str(c) for c in certificates],
                    created_at=now,
                )
        except IntegrityError:
            continue  # the same code was taken concurrently: draw again
    raise Conflict("trace_code_exhausted", _("未能生成唯一的溯源码，请重试"))
