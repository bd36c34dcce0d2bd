"""A placeholder picture of a stamp (Pillow): its name, 志号 and face value on a perforated red stamp.

The catalogue never downloads pictures; an issue entered without one gets this, stored like an upload
(:func:`siliu.core.images.image_store`). The text is drawn in ``settings.SILIU_PDF_FONT`` (WenQuanYi Micro
Hei), the font PDFs embed; without it Pillow's own font draws what it can.
"""

import io
import re
from typing import Final

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from siliu.core.money import format_fen

#: Size of the picture in pixels (a stamp's 3:4).
WIDTH_PX: Final = 600
HEIGHT_PX: Final = 800
_PAPER: Final = (250, 246, 236)
_RED: Final = (178, 34, 34)
_GOLD: Final = (244, 208, 63)
_PERFORATION_PX: Final = 14


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(settings.SILIU_PDF_FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def _lines(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width_px: int) -> list[str]:
    """``text`` in lines no wider than ``width_px``, breaking between Chinese characters and never
    inside a run of Latin letters or digits (``100``)."""
    lines: list[str] = []
    line = ""
    for token in re.findall(r"[0-9A-Za-z.\-]+|.", text):
        if line and font.getlength(line + token) > width_px:
            lines.append(line)
            line = token.lstrip()
        else:
            line += token
    return [*lines, line] if line else lines


def stamp_placeholder_png(*, name: str, series_number: str, face_value_fen: int | None) -> bytes:
    """A PNG of a stamp showing ``name``, ``series_number`` and the face value (or 面值待核 when it
    is not recorded)."""
    image = Image.new("RGB", (WIDTH_PX, HEIGHT_PX), _PAPER)
    draw = ImageDraw.Draw(image)
    margin = _PERFORATION_PX * 2
    draw.rectangle((margin, margin, WIDTH_PX - margin, HEIGHT_PX - margin), fill=_RED)
    # Perforations: paper-coloured notches along every edge.
    step = _PERFORATION_PX * 2
    for x in range(step // 2, WIDTH_PX, step):
        for y in (0, HEIGHT_PX):
            draw.ellipse((x - 8, y - 8, x + 8, y + 8), fill=(255, 255, 255))
    for y in range(step // 2, HEIGHT_PX, step):
        for x in (0, WIDTH_PX):
            draw.ellipse((x - 8, y - 8, x + 8, y + 8), fill=(255, 255, 255))
    value = format_fen(face_value_fen) if face_value_fen is not None else _("面值待核")
    draw.text((margin + 24, margin + 20), value, font=_font(40), fill=_GOLD)
    title = _font(52)
    lines = _lines(name, title, WIDTH_PX - 2 * margin - 48) or [""]
    top = HEIGHT_PX // 2 - len(lines) * 36
    for number, line in enumerate(lines[:5]):
        draw.text((WIDTH_PX // 2, top + number * 72), line, font=title, fill=(255, 255, 255), anchor="mm")
    draw.text(
        (WIDTH_PX // 2, HEIGHT_PX - margin - 60),
        _("中国邮政") + "  " + series_number,
        font=_font(34),
        fill=_GOLD,
        anchor="mm",
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
