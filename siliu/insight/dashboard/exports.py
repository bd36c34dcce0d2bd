"""The county summary in words and in files: each figure with its Chinese label, its unit and its trend
as the dashboard shows them (:func:`figure_lines`), and the same lines with the station table as CSV
(UTF-8 with a BOM, so that Excel reads the Chinese) and as an XLSX workbook."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from siliu.core.money import format_fen
from siliu.insight.dashboard.selectors import FIGURE_NAMES, Summary

# How a figure is written: a count with its word, fen, a fraction as a percentage, a plain ratio, a
# figure per 10,000 parcels, or fen per kilogram.
COUNT, FEN, RATE, RATIO, PER_10K, FEN_PER_KG = "count", "fen", "rate", "ratio", "per_10k", "fen_per_kg"


@dataclass(frozen=True)
class Figure:
    """How the pages and files name a figure of :data:`FIGURE_NAMES`."""

    label: str | Promise
    kind: str
    unit: str | Promise = ""  # the word after a count: 单, 件, 个
    current: bool = False  # a balance or count as it stands now, not a sum over the period: no trend


FIGURES: dict[str, Figure] = {
    "orders_up": Figure(gettext_lazy("上行订单（农产品进城）"), COUNT, gettext_lazy("单")),
    "orders_down": Figure(gettext_lazy("下行订单（工业品下乡）"), COUNT, gettext_lazy("单")),
    "gmv_up_fen": Figure(gettext_lazy("上行交易额"), FEN),
    "gmv_down_fen": Figure(gettext_lazy("下行交易额"), FEN),
    "up_down_ratio": Figure(gettext_lazy("进城与下乡交易额之比"), RATIO),
    "commission_fen": Figure(gettext_lazy("平台佣金"), FEN),
    "parcels": Figure(gettext_lazy("收寄邮件"), COUNT, gettext_lazy("件")),
    "parcels_up": Figure(gettext_lazy("出县邮件"), COUNT, gettext_lazy("件")),
    "parcels_down": Figure(gettext_lazy("县内邮件"), COUNT, gettext_lazy("件")),
    "parcels_delivered": Figure(gettext_lazy("妥投邮件"), COUNT, gettext_lazy("件")),
    "on_time_rate": Figure(gettext_lazy("按时妥投率"), RATE),
    "loss_damage_per_10k": Figure(gettext_lazy("丢失损毁（每万件）"), PER_10K),
    "postage_fen": Figure(gettext_lazy("邮费收入"), FEN),
    "postage_per_kg_fen": Figure(gettext_lazy("每千克邮费"), FEN_PER_KG),
    "claims_paid_fen": Figure(gettext_lazy("理赔赔付"), FEN),
    "stations": Figure(gettext_lazy("村级站点"), COUNT, gettext_lazy("个"), current=True),
    "active_stations": Figure(gettext_lazy("有业务的站点"), COUNT, gettext_lazy("个")),
    "agency_count": Figure(gettext_lazy("代理便民业务"), COUNT, gettext_lazy("笔")),
    "agency_fee_fen": Figure(gettext_lazy("代理业务佣金"), FEN),
    "cash_in_fen": Figure(gettext_lazy("柜台现金收入"), FEN),
    "cash_out_fen": Figure(gettext_lazy("柜台现金支出"), FEN),
    "loans_disbursed_fen": Figure(gettext_lazy("贷款发放"), FEN),
    "loans_outstanding_fen": Figure(gettext_lazy("贷款余额（当前）"), FEN, current=True),
    "par30_rate": Figure(gettext_lazy("PAR30（当前）"), RATE, current=True),
}

#: The dashboard's groups of figures, one per flow, and the stations.
FIGURE_GROUPS: tuple[tuple[str, str | Promise, tuple[str, ...]], ...] = (
    (
        "commerce",
        gettext_lazy("商流"),
        ("orders_up", "orders_down", "gmv_up_fen", "gmv_down_fen", "up_down_ratio", "commission_fen"),
    ),
    (
        "logistics",
        gettext_lazy("物流"),
        (
            "parcels",
            "parcels_up",
            "parcels_down",
            "parcels_delivered",
            "on_time_rate",
            "loss_damage_per_10k",
            "postage_fen",
            "postage_per_kg_fen",
            "claims_paid_fen",
        ),
    ),
    (
        "funds",
        gettext_lazy("资金流"),
        ("cash_in_fen", "cash_out_fen", "loans_disbursed_fen", "loans_outstanding_fen", "par30_rate"),
    ),
    ("agency", gettext_lazy("便民服务"), ("agency_count", "agency_fee_fen")),
    ("stations", gettext_lazy("网点"), ("active_stations", "stations")),
)


def figure_text(name: str, value: Any) -> str:
    """A figure as the page writes it: ``¥1,234.56``, ``97.31%``, ``1.25``, ``12 单``; "—" for None."""
    if value is None:
        return "—"
    figure = FIGURES[name]
    if figure.kind == FEN:
        return format_fen(int(value))
    if figure.kind == FEN_PER_KG:
        return _("%(amount)s/千克") % {"amount": format_fen(int(value))}
    if figure.kind == RATE:
        return f"{value * 100:.2f}%"
    if figure.kind in (RATIO, PER_10K):
        return f"{value:.2f}"
    return f"{value:,} {figure.unit}"


def figure_number(name: str, value: Any) -> int | Decimal | None:
    """A figure for a spreadsheet cell, in :func:`figure_unit`: yuan exact to the fen, percentages
    with two decimals, counts as they are."""
    if value is None:
        return None
    kind = FIGURES[name].kind
    if kind in (FEN, FEN_PER_KG):
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
    if kind == RATE:
        return round(Decimal(str(value)) * 100, 2)
    if kind in (RATIO, PER_10K):
        return round(Decimal(str(value)), 2)
    return int(value)


def figure_unit(name: str) -> str:
    """The unit of :func:`figure_number`: 元, %, 元/千克, 每万件, or the count's word."""
    figure = FIGURES[name]
    return {
        FEN: _("元"),
        FEN_PER_KG: _("元/千克"),
        RATE: "%",
        PER_10K: _("每万件"),
        RATIO: "",
    }.get(figure.kind, str(figure.unit))


@dataclass(frozen=True)
class FigureLine:
    """One figure of a summary as the page and the files show it."""

    name: str
    label: str
    value: Any
    previous: Any
    trend: float | None  # 0.125 is +12.5 %; None where there is none (or the figure is a balance now)
    current: bool

    @property
    def text(self) -> str:
        return figure_text(self.name, self.value)

    @property
    def previous_text(self) -> str:
        return figure_text(self.name, self.previous)

    @property
    def direction(self) -> str:
        """``up``, ``down``, ``flat`` or "" (no trend)."""
        if self.trend is None:
            return ""
        return "up" if self.trend > 0 else "down" if self.trend < 0 else "flat"

    @property
    def change_text(self) -> str:
        """The size of the change: ``12.5%``, or "—"."""
        return "—" if self.trend is None else f"{abs(self.trend) * 100:.1f}%"

    @property
    def trend_text(self) -> str:
        """``↑ 12.5%``, ``↓ 3.0%``, ``→ 0.0%``, or "—"."""
        if self.trend is None:
            return "—"
        arrow = {"up": "↑", "down": "↓", "flat": "→"}[self.direction]
        return f"{arrow} {self.change_text}"

    @property
    def trend_percent(self) -> Decimal | None:
        """The trend in percent with one decimal (12.5), for a cell."""
        return None if self.trend is None else round(Decimal(str(self.trend)) * 100, 1)


def figure_lines(summary: Summary, names: Sequence[str] = FIGURE_NAMES) -> list[FigureLine]:
    """The summary's figures among ``names`` (a public summary has fewer), in that order."""
    lines = []
    for name in names:
        if name not in summary.figures:
            continue
        figure = FIGURES[name]
        lines.append(
            FigureLine(
                name=name,
                label=str(figure.label),
                value=summary.figures[name],
                previous=summary.previous_figures.get(name),
                trend=None if figure.current else summary.trends.get(name),
                current=figure.current,
            )
        )
    return lines


def _scope(summary: Summary) -> str:
    return summary.township.name if summary.township is not None else _("全县")


def _headers() -> tuple[list[str], list[str]]:
    figures = [_("指标"), _("名称"), _("本期"), _("上期"), _("单位"), _("变化（%）")]
    stations = [_("站点编码"), _("站点"), _("乡镇"), _("订单"), _("邮件")]
    return figures, stations


def _figure_row(line: FigureLine) -> list[Any]:
    return [
        line.name,
        line.label,
        figure_number(line.name, line.value),
        figure_number(line.name, line.previous),
        figure_unit(line.name),
        line.trend_percent,
    ]


def _periods(summary: Summary) -> list[list[str]]:
    return [
        [_("范围"), _scope(summary)],
        [_("本期"), f"{summary.period.date_from:%Y-%m-%d} – {summary.period.date_to:%Y-%m-%d}"],
        [_("上期"), f"{summary.previous.date_from:%Y-%m-%d} – {summary.previous.date_to:%Y-%m-%d}"],
    ]


def summary_csv(summary: Summary) -> str:
    """The period, the figures (name, label, this period, the one before, unit, change) and the station
    table, one after the other, as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    figure_header, station_header = _headers()
    writer.writerows(_periods(summary))
    writer.writerow([])
    writer.writerow(figure_header)
    for line in figure_lines(summary):
        writer.writerow(["" if cell is None else cell for cell in _figure_row(line)])
    writer.writerow([])
    writer.writerow(station_header)
    for station in summary.stations:
        writer.writerow([station.code, station.name, station.township, station.orders, station.parcels])
    return out.getvalue()


_NUMBER_FORMATS = {FEN: "#,##0.00", FEN_PER_KG: "#,##0.00", RATE: "0.00", RATIO: "0.00", PER_10K: "0.00"}


def summary_xlsx(summary: Summary) -> bytes:
    """Sheets 指标 (the period, then a row per figure: name, label, this period, the one before, unit,
    change in percent) and 站点 (a row per station: code, name, township, orders, parcels)."""
    workbook = Workbook()
    figures = workbook.active
    assert figures is not None
    figures.title = _("指标")
    figure_header, station_header = _headers()
    for row in _periods(summary):
        figures.append(row)
    figures.append([])
    figures.append(figure_header)
    for line in figure_lines(summary):
        figures.append(_figure_row(line))
        number_format = _NUMBER_FORMATS.get(FIGURES[line.name].kind)
        if number_format:
            for column in (3, 4):
                figures.cell(row=figures.max_row, column=column).number_format = number_format
        figures.cell(row=figures.max_row, column=6).number_format = "0.0"
    figures.column_dimensions["A"].width = 24
    figures.column_dimensions["B"].width = 26
    stations = workbook.create_sheet(_("站点"))
    stations.append(station_header)
    for station in summary.stations:
        stations.append([station.code, station.name, station.township, station.orders, station.parcels])
    stations.column_dimensions["B"].width = 24
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
