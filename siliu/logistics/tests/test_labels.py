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
