"""The font of every PDF Siliu prints (parcel labels, route sheets): embedded, so it prints the same anywhere.

A label is printed at a village station by whatever the station has: a browser, a label printer's driver, a
CUPS queue that rasterises with Ghostscript. A font the PDF only names must be supplied by that reader,
and Adobe's ``STSong-Light`` is supplied, if at all, by a Chinese fallback font without Latin letters or
digits: Ghostscript then prints the Chinese and leaves blanks for the weight, the amount to collect and
the house numbers. So the characters a PDF uses are embedded from a TrueType font that has both
(``settings.SILIU_PDF_FONT``, WenQuanYi Micro Hei from Debian's ``fonts-wqy-microhei`` by default).

reportlab embeds TrueType outlines only: the OpenType/CFF Noto and Source Han fonts cannot be used.
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

#: Named, not embedded: what a development machine without the font file falls back to.
REFERENCED_FONT = "STSong-Light"


class PdfFontUnusable(Exception):
    """The configured font file exists but reportlab cannot embed it."""


def pdf_font_load(*, path: str) -> str:
    """Register the TrueType font at ``path`` (a ``.ttf``, or the first face of a ``.ttc``) once per process.

    Returns
    -------
    str
        The name to pass to ``canvas.setFont``.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    PdfFontUnusable
        The file is not a TrueType font reportlab can subset (e.g. an OpenType font with CFF outlines).
    """
    return _registered(str(Path(path).resolve(strict=True)))


@functools.cache
def _registered(path: str) -> str:
    name = f"Siliu-{hashlib.sha256(path.encode()).hexdigest()[:12]}"
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except TTFError as error:
        raise PdfFontUnusable(f"{path}: {error}") from error
    return name


def pdf_font() -> str:
    """The font name for Chinese and Latin text in a PDF: ``settings.SILIU_PDF_FONT``, embedded.

    Where that file is missing, the PDF names ``STSong-Light`` instead, which the reader must supply; the
    system check ``siliu.E001`` refuses that in production (``SILIU_DEBUG=0``) and warns elsewhere.

    Raises
    ------
    PdfFontUnusable
        The file exists but cannot be embedded (the same system check reports it at start-up).
    """
    try:
        return pdf_font_load(path=settings.SILIU_PDF_FONT)
    except FileNotFoundError:
        if REFERENCED_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(REFERENCED_FONT))
        return REFERENCED_FONT
