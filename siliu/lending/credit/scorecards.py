"""Scorecards as data: the points a feature's value earns, the score, the three reasons in plain
Chinese, the staff's expert card (version 0) and the population stability index. Pure functions: no
database, no optbinning (a trained card is stored as splits and points and applied here)."""

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from siliu.core.money import format_fen
from siliu.lending.credit.features import FEATURE_NAMES, WINDOW_MONTHS

#: feature → {"splits": [...], "points": [...]} (``len(points) == len(splits) + 1``).
Bins = Mapping[str, Mapping[str, Sequence[float]]]

#: The expert card (version 0), the staff's points until a county has loan history; editable in the
#: admin. A higher score is a better borrower.
EXPERT_BASE_POINTS = 400
EXPERT_BINS: dict[str, dict[str, list[float]]] = {
    "sales_12m_fen": {"splits": [100_000, 1_000_000, 5_000_000], "points": [0, 15, 30, 40]},
    "sales_trend_percent": {"splits": [-30, 0, 20], "points": [0, 10, 20, 25]},
    "orders_completed_12m": {"splits": [5, 20, 50], "points": [0, 10, 20, 30]},
    "orders_cancelled_12m": {"splits": [1, 3, 6], "points": [30, 20, 5, 0]},
    "claims_12m": {"splits": [1, 2, 4], "points": [25, 15, 5, 0]},
    "dispatch_days_average": {"splits": [2, 4, 7], "points": [20, 15, 5, 0]},
    "months_on_platform": {"splits": [6, 12, 24], "points": [0, 10, 20, 30]},
    "wallet_inflow_months_12m": {"splits": [4, 8, 11], "points": [0, 15, 30, 40]},
    "late_repayments_count": {"splits": [1, 2], "points": [30, 10, 0]},
}


@dataclass(frozen=True)
class FittedScorecard:
    """A trained card as stored: bins and points, hold-out metrics, the hold-out as PSI reference."""

    bins: dict[str, dict[str, list[float]]]
    base_points: float
    metrics: dict[str, float | int | str]
    reference: dict[str, list[float]]


def bins_validate(bins: Bins) -> None:
    """Refuse a card that does not give points to every bin of every feature (``ValueError``)."""
    if set(bins) != set(FEATURE_NAMES):
        raise ValueError(f"scorecard features {sorted(bins)} are not {sorted(FEATURE_NAMES)}")
    for name, feature in bins.items():
        splits, points = list(feature["splits"]), list(feature["points"])
        if len(points) != len(splits) + 1 or splits != sorted(splits):
            raise ValueError(f"{name}: {len(splits)} splits in order need {len(splits) + 1} points")


def bin_index(splits: Sequence[float], value: float) -> int:
    """The bin of ``value``: the number of splits at or below it (bins are ``[s_i, s_i+1)``)."""
    return bisect.bisect_right(list(splits), value)


@dataclass(frozen=True)
class Scored:
    """A score, the points each feature earned and the three reasons (plain Chinese sentences)."""

    score: int
    points: dict[str, float]
    reasons: list[str]


def score_apply(*, bins: Bins, base_points: float, features: Mapping[str, float]) -> Scored:
    """Score ``features`` with a card: its base plus each feature's points; the reasons are the (at
    most) three features that cost the most points below their best bin, worst first."""
    points = {
        name: float(bins[name]["points"][bin_index(bins[name]["splits"], features[name])])
        for name in FEATURE_NAMES
    }
    lost = {name: max(bins[name]["points"]) - points[name] for name in FEATURE_NAMES}
    worst = sorted((name for name in FEATURE_NAMES if lost[name] > 0), key=lambda name: -lost[name])[:3]
    return Scored(
        score=round(base_points + sum(points.values())),
        points=points,
        reasons=[reason_sentence(name, features[name]) for name in worst],
    )


def reason_sentence(name: str, value: float) -> str:
    """What ``value`` of feature ``name`` says, as a sentence a farmer understands."""
    count = int(value)
    if name == "sales_12m_fen":
        if count == 0:
            return _("近%(months)s个月在平台上没有卖出货物") % {"months": WINDOW_MONTHS}
        return _("近%(months)s个月在平台上只卖出%(amount)s的货") % {
            "months": WINDOW_MONTHS,
            "amount": format_fen(count),
        }
    if name == "sales_trend_percent":
        if count < 0:
            return _("近6个月的销售额比之前6个月少了%(percent)s%%") % {"percent": -count}
        if count == 0:
            return _("近6个月的销售额没有增长")
        return _("近6个月的销售额只比之前6个月多了%(percent)s%%") % {"percent": count}
    if name == "orders_completed_12m":
        if count == 0:
            return _("近%(months)s个月没有完成的订单") % {"months": WINDOW_MONTHS}
        return _("近%(months)s个月只完成了%(count)s笔订单") % {"months": WINDOW_MONTHS, "count": count}
    if name == "orders_cancelled_12m":
        return _("近%(months)s个月有%(count)s笔订单被取消") % {"months": WINDOW_MONTHS, "count": count}
    if name == "claims_12m":
        return _("近%(months)s个月有%(count)s个寄出的包裹被申请理赔") % {
            "months": WINDOW_MONTHS,
            "count": count,
        }
    if name == "dispatch_days_average":
        return _("从收到货款到交寄包裹平均要%(days)s天") % {"days": f"{value:.1f}"}
    if name == "months_on_platform":
        if count == 0:
            return _("来平台还不到1个月")
        return _("来平台才%(count)s个月") % {"count": count}
    if name == "wallet_inflow_months_12m":
        return _("近%(months)s个月有%(count)s个月钱包没有收入") % {
            "months": WINDOW_MONTHS,
            "count": WINDOW_MONTHS - count,
        }
    if name == "late_repayments_count":
        return _("以前的贷款有%(count)s期没有按时还") % {"count": count}
    raise KeyError(name)


#: Shares below this count as this (an empty bin would make the index infinite).
PSI_FLOOR = 1e-4


def population_stability_index(
    expected: Sequence[float], actual: Sequence[float], bins: Sequence[float]
) -> float:
    """PSI = Σ (a − e) · ln(a / e) over the bins given by the splits ``bins``, where e and a are the
    shares of ``expected`` and ``actual`` in each bin (floored at :data:`PSI_FLOOR`). Below 0.1 the
    population is stable, 0.1–0.25 it moved, above 0.25 the card should be looked at again.

    Raises ``ValueError`` when either sample is empty."""
    if not expected or not actual:
        raise ValueError("both samples need values")
    count = len(bins) + 1
    shares = []
    for sample in (expected, actual):
        counts = [0] * count
        for value in sample:
            counts[bin_index(bins, value)] += 1
        shares.append([max(number / len(sample), PSI_FLOOR) for number in counts])
    return sum((a - e) * math.log(a / e) for e, a in zip(shares[0], shares[1], strict=True))


def quantile_splits(values: Sequence[float], parts: int = 10) -> list[float]:
    """Splits cutting ``values`` into ``parts`` groups of about equal size (duplicates dropped)."""
    ordered = sorted(values)
    if not ordered:
        return []
    splits = {ordered[len(ordered) * part // parts] for part in range(1, parts)}
    return sorted(splits - {ordered[0]})


def bins_table(bins: Bins) -> list[dict[str, Any]]:
    """Each feature's bins as rows ``{"feature", "low", "high", "points"}`` for the model page
    (``None`` for an open end)."""
    rows = []
    for name in FEATURE_NAMES:
        splits = list(bins[name]["splits"])
        edges: list[float | None] = [None, *splits, None]
        for index, points in enumerate(bins[name]["points"]):
            rows.append({"feature": name, "low": edges[index], "high": edges[index + 1], "points": points})
    return rows
