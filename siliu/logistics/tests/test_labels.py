"""The label's barcodes read back with a real barcode reader (zbar) from the rendered PDF."""

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from siliu.logistics.models import Parcel
from siliu.logistics.parcels.labels import label_pdf

pytestmark = pytest.mark.django_db

TOOLS = ("pdftoppm", "zbarimg")


@pytest.fixture
def barcode_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"needs {', '.join(missing)} (apt-get install poppler-utils zbar-tools)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def test_label_barcodes_scan_back(
    barcode_tools: None, make_parcel: Callable[..., Parcel], tmp_path: Path, settings: object
) -> None:
    """Rendered at 300 dpi, zbar reads the Code128 tracking number and the QR tracking link."""
    settings.SILIU_PUBLIC_URL = "https://siliu.example"  # type: ignore[attr-defined]
    parcel = make_parcel(cod_amount_fen=0)
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(label_pdf(parcel))
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-singlefile", str(pdf), str(tmp_path / "label")], check=True
    )
    scanned = subprocess.run(
        ["zbarimg", "--quiet", str(tmp_path / "label.png")], capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted(scanned) == sorted(
        [
            f"CODE-128:{parcel.tracking_number}",
            f"QR-Code:https://siliu.example/track/{parcel.tracking_number}",
        ]
    )


@pytest.fixture
def label_font(settings: object) -> None:
    """pdffonts/pdftotext and the embedded font (fonts-wqy-microhei); CI installs both."""
    path = Path(settings.SILIU_PDF_FONT)  # type: ignore[attr-defined]
    missing = [tool for tool in ("pdffonts", "pdftotext") if shutil.which(tool) is None]
    missing += [] if path.exists() else [str(path)]
    if missing:
        reason = f"needs {', '.join(missing)} (apt-get install poppler-utils fonts-wqy-microhei)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def test_label_embeds_its_font(label_font: None, make_parcel: Callable[..., Parcel], tmp_path: Path) -> None:
    """Every font on the label is embedded but Helvetica, which every reader has: a printer with no Chinese
    font (Ghostscript in a CUPS queue) prints the names, the digits and the amounts all the same."""
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(label_pdf(make_parcel(cod_amount_fen=0)))
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    # name type… encoding emb sub uni object generation; a subset's name is prefixed with "ABCDEF+".
    table = [row.split() for row in rows.splitlines()[2:]]
    fonts = {(cells[0].split("+")[-1], cells[-5], cells[-4]) for cells in table}
    assert fonts == {
        ("Helvetica", "no", "no"),
        ("Helvetica-Bold", "no", "no"),
        ("WenQuanYiMicroHei-0", "yes", "yes"),  # reportlab's first subset of up to 256 characters
    }
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "收：李四 +86 139****0002" in text and "河口村 8 号" in text and "重量 1.50 kg" in text
