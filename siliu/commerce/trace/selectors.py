"""Trace batches, read: the public trace page of a code and the journey of a parcel that carries it.

Public reads (:func:`trace_batch_public`, :func:`trace_parcel_journey`) return plain dataclasses that
carry no personal data: no ID number, no phone, no recipient.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from siliu.commerce.models import (
    InspectionResult,
    OrderLine,
    SellerKind,
    SellerStatus,
    Shipment,
    TraceBatch,
    trace_code_normalize,
)
from siliu.core.errors import NotFound
from siliu.logistics.parcels.selectors import PublicJourney, parcel_journey


def trace_url(batch: TraceBatch) -> str:
    """The path printed in the QR code (relative: the site's host is added by the page or label)."""
    return f"/t/{batch.code}"


def trace_qr_svg(*, batch: TraceBatch, base_url: str = "", size_px: int = 200) -> str:
    """An SVG image of the QR code pointing at the batch's public trace page."""
    from reportlab.graphics import renderSVG
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(base_url.rstrip("/") + trace_url(batch))
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size_px, size_px, transform=[size_px / (x1 - x0), 0, 0, size_px / (y1 - y0), 0, 0])
    drawing.add(widget)
    return str(renderSVG.drawToString(drawing))


@dataclass(frozen=True)
class PublicTrace:
    """What anyone holding the trace code may see: farm, place, batch. Nothing personal."""

    code: str
    product_name: str
    seller_name: str
    seller_kind: str
    seller_kind_label: str
    seller_verified: bool
    village: str
    township: str
    county: str
    place: str
    harvested_on: datetime.date
    quantity: int
    unit: str
    inspection_result: str
    inspection_label: str
    inspection_note: str
    certificates: list[str]
    products: list[str]


def trace_batch_get(*, code: str) -> TraceBatch:
    """Raises ``NotFound`` (``unknown_trace_code``, field ``code``) for an unknown code."""
    batch = (
        TraceBatch.objects.select_related("seller__village__parent__parent")  # down to the county
        .filter(code=trace_code_normalize(code))
        .first()
    )
    if batch is None:
        raise NotFound("unknown_trace_code", _("没有溯源码为 %(code)s 的批次") % {"code": code}, field="code")
    return batch


def trace_batch_public(*, code: str) -> PublicTrace:
    """The public view of a trace batch.

    Raises
    ------
    NotFound
        ``unknown_trace_code`` when no batch has the code.
    """
    batch = trace_batch_get(code=code)
    seller = batch.seller
    village = seller.village
    township = village.parent
    county = township.parent if township else None
    return PublicTrace(
        code=batch.code,
        product_name=batch.product_name,
        seller_name=seller.name,
        seller_kind=seller.kind,
        seller_kind_label=str(SellerKind(seller.kind).label),
        seller_verified=seller.status == SellerStatus.VERIFIED,
        village=village.name,
        township=township.name if township else "",
        county=county.name if county else "",
        place=batch.place,
        harvested_on=batch.harvested_on,
        quantity=batch.quantity,
        unit=batch.unit,
        inspection_result=batch.inspection_result,
        inspection_label=str(InspectionResult(batch.inspection_result).label),
        inspection_note=batch.inspection_note,
        certificates=[str(c) for c in batch.certificates],
        products=list(batch.products.filter(is_active=True).order_by("name").values_list("name", flat=True)),
    )


def trace_parcel_journey(*, code: str, tracking_number: str) -> PublicJourney | None:
    """The public journey of parcel ``tracking_number`` if it carries a product of batch ``code``.

    ``None`` when the parcel is unknown or carries nothing of that batch: the two are not told apart,
    so the page cannot be used to probe tracking numbers.
    """
    number = (tracking_number or "").strip().upper()
    shipment = (
        Shipment.objects.filter(parcel__tracking_number=number).values_list("order_id", "seller_id").first()
    )
    if shipment is None:
        return None
    order_id, seller_id = shipment
    carries_batch = OrderLine.objects.filter(
        order_id=order_id, seller_id=seller_id, product__trace_batch__code=trace_code_normalize(code)
    ).exists()
    if not carries_batch:
        return None
    return parcel_journey(number=number)
