"""The contract PDF, read back with pdftotext: the amount, its capitals, the schedule's first row."""
# ruff: noqa: F811  (the fixtures are imported from borrower_fixtures and named as arguments)

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from siliu.lending.loans.contract import contract_pdf
from siliu.lending.loans.models import Loan, LoanInstallment
from siliu.lending.tests.borrower_fixtures import contract, lend_today  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "contract.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_a_signed_contract_prints_the_terms_and_the_stored_schedule(
    lend_today: Callable[..., Loan], tmp_path: Path
) -> None:
    """10,000.00 (壹万元整) at 12 %, first row: 1, its due date, 788.49 principal + 100.00 interest."""
    loan = lend_today()
    first = LoanInstallment.objects.get(loan=loan, n=1)
    text = pdf_text(contract_pdf(loan=loan), tmp_path)
    squeezed = " ".join(text.split())
    assert loan.number in text
    assert "¥10,000.00" in text and "壹万元整" in text
    assert "四流平台 贷款资金" in squeezed
    assert "12%" in text and "等额本息" in text
    assert f"1 {first.due_on.isoformat()} ¥788.49 ¥100.00 ¥888.49" in squeezed
    assert "先冲抵罚息，再冲抵利息，最后冲抵本金" in squeezed
    assert "年利率 ÷ 360" in squeezed


def test_an_unsigned_contract_previews_the_schedule(contract: Callable[..., Loan], tmp_path: Path) -> None:
    """Before signing: the schedule is a preview from today, no signed date."""
    loan = contract()
    text = " ".join(pdf_text(contract_pdf(loan=loan), tmp_path).split())
    assert "预览" in text and "¥788.49 ¥100.00 ¥888.49" in text
    assert "签约日期：________" in text


def test_the_contract_is_served_to_the_borrower(lend_today: Callable[..., Loan]) -> None:
    """GET …/contract.pdf: a PDF."""
    loan = lend_today()
    client = Client()
    client.force_login(loan.borrower)
    response = client.get(f"/lending/loans/{loan.number}/contract.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
