"""The font PDFs are set in, and the checks that production has it."""

import io
import os
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from siliu.core.checks import pdf_font_check
from siliu.core.pdf import REFERENCED_FONT, PdfFontUnusable, pdf_font, pdf_font_load


@pytest.fixture
def configured_font(settings: Any) -> str:
    """The configured font file; CI installs it (fonts-wqy-microhei), elsewhere its absence skips."""
    path: str = settings.SILIU_PDF_FONT
    if not Path(path).exists():
        reason = f"needs {path} (apt-get install fonts-wqy-microhei)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def test_pdf_font_is_the_configured_truetype_font(configured_font: str) -> None:
    """The configured file is registered as a TrueType font, whose used characters reportlab embeds."""
    font = pdfmetrics.getFont(pdf_font())
    assert isinstance(font, TTFont)
    assert font.face.filename == str(Path(configured_font).resolve())
    assert pdf_font() == pdf_font_load(path=configured_font)  # registered once, under one name


def test_pdf_font_has_chinese_and_latin(configured_font: str) -> None:
    """The font draws the label's Chinese, digits, Latin letters and the yuan sign from its own glyphs."""
    face = pdfmetrics.getFont(pdf_font()).face
    text = "收寄重量代收货款承诺送达保价扫码 0123456789 Siliu kg ¥.:-"
    assert [character for character in text if ord(character) not in face.charToGlyph] == []


def test_missing_font_file_names_the_reader_font(settings: Any, tmp_path: Path) -> None:
    """Without the file (a development machine), PDFs name Adobe's STSong-Light instead of failing."""
    settings.SILIU_PDF_FONT = str(tmp_path / "absent.ttc")
    assert pdf_font() == REFERENCED_FONT
    pdf = canvas.Canvas(io.BytesIO())
    pdf.setFont(pdf_font(), 10)
    pdf.drawString(0, 0, "收 8 号")


def test_unusable_font_file_is_refused(settings: Any, tmp_path: Path) -> None:
    """A file that is no TrueType font raises, rather than printing labels in a font that is not there."""
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"not a font at all")
    settings.SILIU_PDF_FONT = str(junk)
    with pytest.raises(PdfFontUnusable):
        pdf_font()


def test_font_check_passes_with_the_font(configured_font: str) -> None:
    """With the configured font present, the check says nothing."""
    assert pdf_font_check(None) == []


@pytest.mark.parametrize(("debug", "expected"), [(True, "siliu.W001"), (False, "siliu.E001")])
def test_font_check_missing_file(settings: Any, tmp_path: Path, debug: bool, expected: str) -> None:
    """A missing font is a warning in development and an error in production, which then will not start."""
    settings.DEBUG = debug
    settings.SILIU_PDF_FONT = str(tmp_path / "absent.ttc")
    assert [message.id for message in pdf_font_check(None)] == [expected]


def test_font_check_unusable_file(settings: Any, tmp_path: Path) -> None:
    """A file reportlab cannot embed is an error everywhere."""
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"not a font at all")
    settings.SILIU_PDF_FONT = str(junk)
    assert [message.id for message in pdf_font_check(None)] == ["siliu.E002"]
