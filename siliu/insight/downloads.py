"""The information flow's tables as files: an Excel workbook with a sheet per table, or one CSV file with
the tables one after the other, and the one way to answer such a download.

A table is ``(title, header, rows)``. Amounts go in as exact yuan (:func:`yuan`, a ``Decimal``): the
workbook formats them ``#,##0.00``, the CSV writes them ``1234.50``.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_YUAN = "#,##0.00"

Table = tuple[str, list[str], list[list[object]]]


def yuan(amount_fen: int) -> Decimal:
    """Fen as exact yuan (a Decimal, never a float)."""
    return Decimal(amount_fen) / 100


def tables_xlsx(heading: Sequence[object], tables: Iterable[Table]) -> bytes:
    """A sheet per table (named by its title), the first row of each ``heading``, then the header."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, header, rows in tables:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(list(heading))
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=3):
            for cell in cells:
                if isinstance(cell.value, Decimal):
                    cell.number_format = _YUAN
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def tables_csv(heading: Sequence[object], tables: Iterable[Table]) -> str:
    """``heading``, then each table after an empty line, under a line with its title."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(heading)
    for title, header, rows in tables:
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow([f"{cell:.2f}" if isinstance(cell, Decimal) else cell for cell in row])
    return out.getvalue()


def table_download(
    *, name: str, kind: str, xlsx: Callable[[], bytes], csv: Callable[[], str]
) -> HttpResponse:
    """``name.xlsx`` from ``xlsx()``, or ``name.csv`` from ``csv()`` in UTF-8 with a byte-order mark (so
    Excel reads the Chinese), as an attachment."""
    if kind == "xlsx":
        response = HttpResponse(xlsx(), content_type=XLSX)
    else:
        response = HttpResponse(csv().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
