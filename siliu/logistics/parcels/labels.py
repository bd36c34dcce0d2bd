"""The 100 × 150 mm parcel label: Code128 number, QR code, sorting code, masked parties."""

import io

from django.conf import settings
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from siliu.core.money import format_fen
from siliu.core.pdf import pdf_font
from siliu.logistics.models import Parcel
from siliu.logistics.parcels.selectors import masked_phone

WIDTH, HEIGHT = 100 * mm, 150 * mm


def sorting_code(parcel: Parcel) -> tuple[str, str]:
    """The code and the words a sorter reads: township and village of the destination outlet."""
    outlet = parcel.destination_outlet
    if outlet is None:
        return parcel.destination_region_code[:6], parcel.get_zone_display()
    region = outlet.region
    code = region.code
    if len(code) == 12:
        return (
            f"{code[6:9]}-{code[9:]}",
            f"{region.parent.name if region.parent else ''} {region.name}".strip(),
        )
    return code[6:9] or code, region.name


def tracking_url(parcel: Parcel) -> str:
    base = getattr(settings, "SILIU_PUBLIC_URL", "").rstrip("/")
    return f"{base}/track/{parcel.tracking_number}"


def label_pdf(parcel: Parcel) -> bytes:
    """The label as PDF bytes: one 100 × 150 mm page."""
    font = pdf_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT))
    pdf.setTitle(parcel.tracking_number)
    left, top = 5 * mm, HEIGHT - 6 * mm

    pdf.setFont(font, 11)
    pdf.drawString(left, top - 4 * mm, f"四流 Siliu  {parcel.product.name}")
    pdf.setFont(font, 8)
    pdf.drawRightString(WIDTH - left, top - 4 * mm, parcel.get_zone_display())

    code, words = sorting_code(parcel)
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawString(left, top - 16 * mm, code)
    pdf.setFont(font, 12)
    pdf.drawString(left + 45 * mm, top - 15 * mm, words[:14])

    barcode = code128.Code128(parcel.tracking_number, barHeight=18 * mm, barWidth=0.33 * mm, quiet=True)
    barcode.drawOn(pdf, (WIDTH - barcode.width) / 2, top - 42 * mm)
    pdf.setFont("Helvetica", 11)
    pdf.drawCentredString(WIDTH / 2, top - 47 * mm, parcel.tracking_number)

    pdf.line(left, top - 50 * mm, WIDTH - left, top - 50 * mm)
    y = top - 56 * mm
    for heading, name, phone, address in (
        ("收", parcel.recipient_name, parcel.recipient_phone, parcel.recipient_address),
        ("寄", parcel.sender_name, parcel.sender_phone, parcel.sender_address),
    ):
        pdf.setFont(font, 10)
        pdf.drawString(left, y, f"{heading}：{name}  {masked_phone(phone)}")
        pdf.setFont(font, 8)
        pdf.drawString(left + 6 * mm, y - 4.5 * mm, address[:34])
        if len(address) > 34:
            pdf.drawString(left + 6 * mm, y - 8.5 * mm, address[34:68])
        y -= 16 * mm

    pdf.line(left, y + 3 * mm, WIDTH - left, y + 3 * mm)
    pdf.setFont(font, 10)
    pdf.drawString(left, y - 2 * mm, f"重量 {parcel.weight_g / 1000:.2f} kg")
    if parcel.cod_amount_fen:
        pdf.setFont(font, 12)
        pdf.drawString(left, y - 8 * mm, f"代收货款 {format_fen(parcel.cod_amount_fen)}")
    pdf.setFont(font, 8)
    pdf.drawString(left, y - 14 * mm, f"承诺送达 {parcel.promised_at.astimezone():%Y-%m-%d %H:%M}")
    if parcel.is_insured:
        pdf.drawString(left, y - 18 * mm, f"保价 {format_fen(parcel.declared_value_fen)}")

    qr = QrCodeWidget(tracking_url(parcel))
    x0, y0, x1, y1 = qr.getBounds()
    size = 30 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, WIDTH - left - size, 5 * mm)
    pdf.setFont(font, 7)
    pdf.drawString(left, 6 * mm, "扫码查询轨迹，手机号已隐藏")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
