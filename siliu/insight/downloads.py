"""The information flow's tables as files: one way to answer an XLSX or CSV download."""

from collections.abc import Callable

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
