"""The public trace page ``/t/<code>`` (and ``/t/<code>/<tracking_number>`` with the parcel's journey),
and the batch's QR code. Rate-limited, and showing nothing personal."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from siliu.commerce.trace.selectors import (
    trace_batch_get,
    trace_batch_public,
    trace_parcel_journey,
    trace_qr_svg,
)
from siliu.core.errors import NotFound
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
