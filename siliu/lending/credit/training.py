"""Training a scorecard from a labelled table with optbinning: each feature binned (optimal binning on
the weight of evidence), a logistic regression on the binned features, points scaled 300–850, checked
on a hold-out beside a naive baseline. The result is stored as splits and points (no pickle) and
applied by :func:`~siliu.lending.credit.scorecards.score_apply`.

Loans do not exist on the platform yet, so the table comes from outside (a CSV: the feature columns of
:class:`~siliu.lending.credit.features.CreditFeatures` and ``bad``, 1 for a loan that went 90 days
late) or from :func:`synthetic_table`.
"""

from typing import Any

import numpy as np
import pandas as pd
from optbinning import BinningProcess
from optbinning import Scorecard as OptScorecard
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import train_test_split

from siliu.lending.credit.features import FEATURE_NAMES
from siliu.lending.credit.scorecards import FittedScorecard, bins_validate, score_apply

#: The outcome column: 1 bad (90 days late or written off), 0 good.
OUTCOME = "bad"
#: The naive baseline the card must beat: rank borrowers by their months on the platform alone.
BASELINE_FEATURE = "months_on_platform"
#: How many of the hold-out's rows the card keeps as the reference of the stability index.
REFERENCE_SIZE = 2000


def table_validate(table: pd.DataFrame) -> None:
    """Refuse a table without every feature and the outcome, or with one class only (``ValueError``)."""
    missing = [name for name in (*FEATURE_NAMES, OUTCOME) if name not in table.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    if set(table[OUTCOME].unique()) != {0, 1}:
        raise ValueError(f"'{OUTCOME}' must hold both 0 and 1")


def scorecard_fit(*, table: pd.DataFrame, holdout_share: float = 0.3, seed: int = 0) -> FittedScorecard:
    """Fit a card on ``table`` (features + ``bad``) and measure it on a stratified hold-out.

    Metrics: ``auc`` (of the score ranking bad borrowers low), ``ks`` (Kolmogorov–Smirnov distance of
    the good and bad score distributions), ``gini`` (2·AUC − 1), ``baseline_auc`` (:data:`BASELINE_FEATURE`
    alone), ``sample_count``, ``holdout_count`` and ``bad_rate``."""
    table_validate(table)
    features = table[list(FEATURE_NAMES)].astype(float)
    outcome = table[OUTCOME].astype(int)
    x_train, x_test, y_train, y_test = train_test_split(
        features, outcome, test_size=holdout_share, random_state=seed, stratify=outcome
    )
    process = BinningProcess(variable_names=list(FEATURE_NAMES))
    card = OptScorecard(
        binning_process=process,
        estimator=LogisticRegression(),
        scaling_method="min_max",
        scaling_method_params={"min": 300, "max": 850},
    )
    card.fit(x_train, y_train)
    summary = card.table(style="summary")
    bins: dict[str, dict[str, list[float]]] = {}
    for name in FEATURE_NAMES:
        splits = [round(float(split), 4) for split in card.binning_process_.get_binned_variable(name).splits]
        rows = summary[summary["Variable"] == name]
        points = [round(float(value), 1) for value in rows["Points"].iloc[: len(splits) + 1]]
        bins[name] = {"splits": splits, "points": points}
    bins_validate(bins)
    scores = np.array(
        [score_apply(bins=bins, base_points=0, features=row).score for row in x_test.to_dict("records")]
    )
    auc = float(roc_auc_score(y_test, -scores))
    false_positive, true_positive, _thresholds = roc_curve(y_test, -scores)
    baseline_auc = float(roc_auc_score(y_test, -x_test[BASELINE_FEATURE].to_numpy()))
    metrics: dict[str, float | int | str] = {
        "auc": round(auc, 4),
        "ks": round(float(np.max(true_positive - false_positive)), 4),
        "gini": round(2 * auc - 1, 4),
        "baseline": BASELINE_FEATURE,
        "baseline_auc": round(baseline_auc, 4),
        "sample_count": len(table),
        "holdout_count": len(x_test),
        "bad_rate": round(float(outcome.mean()), 4),
    }
    reference: dict[str, list[float]] = {"score": [float(score) for score in scores[:REFERENCE_SIZE]]}
    for name in FEATURE_NAMES:
        reference[name] = [float(value) for value in x_test[name].iloc[:REFERENCE_SIZE]]
    return FittedScorecard(bins=bins, base_points=0, metrics=metrics, reference=reference)


def synthetic_table(*, count: int = 4000, seed: int = 0) -> pd.DataFrame:
    """A labelled table of ``count`` made-up borrowers, for tests and the demo while there are no loans.

    The hidden risk: log-odds of going bad = −0.5 + 0.45·cancelled + 0.7·claims − 0.3·inflow months
    + 0.25·dispatch days − 0.02·months on platform − 0.01·sales trend; sales and completed orders
    follow the inflow months, and carry no risk of their own; no earlier loans."""
    rng = np.random.default_rng(seed)
    months = rng.integers(0, 60, count)
    inflow = rng.binomial(12, rng.uniform(0.2, 1.0, count))
    completed = rng.poisson(inflow * 3)
    sales = completed * rng.integers(5_000, 50_000, count)
    trend = np.clip(rng.normal(0, 40, count).round(), -100, 300).astype(int)
    cancelled = rng.poisson(1.0, count)
    claims = rng.poisson(0.4, count)
    dispatch = np.round(rng.gamma(2.0, 1.5, count), 1)
    log_odds = (
        -0.5 + 0.45 * cancelled + 0.7 * claims - 0.3 * inflow + 0.25 * dispatch - 0.02 * months - 0.01 * trend
    )
    bad = rng.uniform(size=count) < 1 / (1 + np.exp(-log_odds))
    columns: dict[str, Any] = {
        "sales_12m_fen": sales,
        "sales_trend_percent": trend,
        "orders_completed_12m": completed,
        "orders_cancelled_12m": cancelled,
        "claims_12m": claims,
        "dispatch_days_average": dispatch,
        "months_on_platform": months,
        "wallet_inflow_months_12m": inflow,
        "late_repayments_count": np.zeros(count, dtype=int),
        OUTCOME: bad.astype(int),
    }
    return pd.DataFrame(columns)
