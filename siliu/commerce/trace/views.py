"""The public trace page ``/t/<code>`` (and ``/t/<code>/<tracking_number>`` with the parcel's journey),
and the batch's QR code. Rate-limited, and showing nothing personal. And the seller's form that records
a batch from the product page (``/t/batches/new/<product id>``)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from siliu.commerce.catalog.selectors import product_of_seller_get
from siliu.commerce.catalog.services import product_update
from siliu.commerce.trace.selectors import (
    trace_batch_get,
    trace_batch_public,
    trace_parcel_journey,
    trace_qr_svg,
)
from siliu.commerce.trace.services import trace_batch_create
from siliu.core.errors import DomainError, NotFound, ValidationFailed
from siliu.core.events import TRACE_OPENED, event_append
from siliu.core.ratelimit import page_wait, rate_limited_page, too_many_requests


def trace_page(request: HttpRequest, code: str, tracking_number: str = "") -> HttpResponse:
    """Farm, batch, harvest and inspection; with a tracking number of a parcel carrying the batch, its
    journey too. An unknown or unrelated tracking number shows the batch alone."""
    wait = page_wait(request)
    if wait is not None:
        return too_many_requests(request, wait, template="commerce/trace/batch.html", context={"code": code})
    try:
        trace = trace_batch_public(code=code)
    except NotFound as error:
        return render(
            request, "commerce/trace/batch.html", {"code": code, "error": error.message}, status=404
        )
    journey = trace_parcel_journey(code=code, tracking_number=tracking_number) if tracking_number else None
    # A buyer opened the batch's page: the seller sees how often (the information flow's figures).
    event_append(TRACE_OPENED, trace.code, at=timezone.now())
    return render(
        request,
        "commerce/trace/batch.html",
        {"code": trace.code, "trace": trace, "journey": journey, "tracking_number": tracking_number},
    )


@rate_limited_page()
def trace_qr_image(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code (SVG) printed on the box, pointing at this site's trace page."""
    try:
        batch = trace_batch_get(code=code)
    except NotFound:
        return HttpResponse(status=404)
    svg = trace_qr_svg(batch=batch, base_url=request.build_absolute_uri("/"))
    return HttpResponse(svg, content_type="image/svg+xml")


def _date(value: str, *, field: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("invalid_date", _("日期格式应为 YYYY-MM-DD"), field=field) from None


@require_POST
@login_required
def batch_create_action(request: HttpRequest, product_id: int) -> HttpResponse:
    """Record a batch from the seller's product page and link it to the product (the batch's name and
    unit are the product's); a refusal is shown on that page."""
    try:
        product = product_of_seller_get(product_id=product_id, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    now = timezone.now()
    try:
        harvested_on = _date(request.POST.get("harvested_on", ""), field="harvested_on")
        if harvested_on is None:
            raise ValidationFailed("required", _("请填写采收日期"), field="harvested_on")
        quantity = request.POST.get("quantity", "").strip()
        with transaction.atomic():
            batch = trace_batch_create(
                seller=product.seller,
                actor=request.user,
                product_name=product.name[:60],
                place=request.POST.get("place", ""),
                harvested_on=harvested_on,
                quantity=int(quantity) if quantity.isdigit() else -1,
                unit=product.unit,
                inspection_result=request.POST.get("inspection_result", ""),
                inspection_note=request.POST.get("inspection_note", ""),
                inspected_on=_date(request.POST.get("inspected_on", ""), field="inspected_on"),
                now=now,
            )
            product_update(product=product, actor=request.user, changes={"trace_batch": batch})
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _("已添加溯源批次 %(code)s") % {"code": batch.code})
    return redirect("shop:seller-product", product_id=product_id)
