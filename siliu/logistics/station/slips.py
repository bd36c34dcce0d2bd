"""The pickup slip (取件单): a 58 mm strip for a receipt printer, put on the parcel's shelf and handed
to the recipient's household. It carries the pickup code, so it is printed only at the station."""

import io

from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from siliu.core.pdf import pdf_font
from siliu.logistics.models import Parcel
from siliu.logistics.parcels.selectors import masked_phone
from siliu.network.models import Outlet

WIDTH, HEIGHT = 58 * mm, 70 * mm


def pickup_slip_pdf(*, parcel: Parcel, station: Outlet) -> bytes:
    """The slip as PDF bytes: station, pickup code, tracking number (and its Code128), recipient."""
    font = pdf_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT))
    pdf.setTitle(f"{parcel.tracking_number} 取件单")
    left, y = 3 * mm, HEIGHT - 7 * mm
    pdf.setFont(font, 10)
    pdf.drawString(left, y, station.name[:16])
    y -= 5 * mm
    pdf.setFont(font, 8)
    pdf.drawString(left, y, "取件码")
    y -= 11 * mm
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(WIDTH / 2, y, parcel.pickup_code)
    y -= 6 * mm
    pdf.setFont(font, 9)
    pdf.drawString(left, y, f"收件人：{parcel.recipient_name[:12]}")
    y -= 4.5 * mm
    pdf.drawString(left, y, masked_phone(parcel.recipient_phone))
    barcode = code128.Code128(parcel.tracking_number, barHeight=10 * mm, barWidth=0.25 * mm, quiet=False)
    y -= 14 * mm
    barcode.drawOn(pdf, (WIDTH - barcode.width) / 2, y)
    y -= 4 * mm
    pdf.setFont("Helvetica", 9)
    pdf.drawCentredString(WIDTH / 2, y, parcel.tracking_number)
    pdf.setFont(font, 7)
    pdf.drawString(left, 3 * mm, "凭取件码或收件人手机号取件")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
