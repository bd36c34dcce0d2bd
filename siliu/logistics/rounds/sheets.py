"""Route sheets: one A4 page per vehicle that the driver carries, with the stops in order."""

import io
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from siliu.core.pdf import pdf_font
from siliu.logistics.models import RoundPlan

WIDTH, HEIGHT = A4
#: Stops that fit on a page below the heading; a longer route continues on the next page.
ROWS_PER_PAGE = 30


def route_sheets_pdf(*, plan: RoundPlan, route_index: int | None = None) -> bytes:
    """The route sheets of ``plan`` as PDF bytes: every route, or only ``route_index``.

    Each route starts on a new page: vehicle, times, distance, then a row per stop (arrival, station,
    parcels to drop and collect, load after the stop) with space for the station's signature.
    """
    font = pdf_font()
    routes: list[dict[str, Any]] = plan.result.get("routes", [])
    chosen = list(enumerate(routes)) if route_index is None else [(route_index, routes[route_index])]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{plan.outlet.code} {plan.planned_on} {_('路单')}")
    left = 15 * mm
    for index, route in chosen:
        rows = route["stops"] or [None]
        for start in range(0, len(rows), ROWS_PER_PAGE):
            top = HEIGHT - 18 * mm
            pdf.setFont(font, 15)
            pdf.drawString(left, top, _("投递路单 · %(outlet)s") % {"outlet": plan.result["outlet"]["name"]})
            pdf.setFont(font, 10)
            pdf.drawRightString(WIDTH - left, top, f"{plan.planned_on:%Y-%m-%d}  #{plan.pk}-{index + 1}")
            pdf.drawString(
                left,
                top - 8 * mm,
                _("车辆：%(name)s（载重 %(kg)s kg）  出车 %(start)s  回站 %(end)s  %(km)s 公里  %(trips)d 趟")
                % {
                    "name": route["vehicle"]["name"],
                    "kg": route["vehicle"]["capacity_kg"],
                    "start": route["starts_at"],
                    "end": route["ends_at"],
                    "km": route["distance_km"],
                    "trips": route["trip_count"],
                },
            )
            y = top - 18 * mm
            headings = [
                _("序"),
                _("趟"),
                _("到达"),
                _("服务站"),
                _("送件"),
                _("收件"),
                _("离站载重"),
                _("签收"),
            ]
            columns = [0, 10, 20, 38, 110, 128, 146, 170]
            pdf.setFont(font, 9)
            for heading, column in zip(headings, columns, strict=True):
                pdf.drawString(left + column * mm, y, heading)
            pdf.line(left, y - 2 * mm, WIDTH - left, y - 2 * mm)
            y -= 8 * mm
            for number, stop in enumerate(rows[start : start + ROWS_PER_PAGE], start=start + 1):
                if stop is None:
                    pdf.drawString(left, y, _("本车今日无站点"))
                    break
                values = [
                    str(number),
                    str(stop["trip"]),
                    stop["arrives_at"],
                    (
                        _("上门揽收 %(label)s") % {"label": stop["home_pickup"]["label"]}
                        if stop.get("home_pickup")
                        else f"{stop['name']}（{stop['code']}）"
                    )[:30],
                    f"{stop['delivery_count']} / {stop['delivery_kg']}kg",
                    f"{stop['pickup_count']} / {stop['pickup_kg']}kg",
                    f"{stop['load_after_kg']} kg",
                    "________",
                ]
                for value, column in zip(values, columns, strict=True):
                    pdf.drawString(left + column * mm, y, value)
                y -= 7.5 * mm
            pdf.showPage()
    if not chosen:
        pdf.setFont(font, 12)
        pdf.drawString(left, HEIGHT - 18 * mm, _("本计划没有线路"))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
