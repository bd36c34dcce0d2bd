"""Training a scorecard from a labelled table with optbinning: each feature binned (optimal binning on
the weight of evidence), a logistic regression on the binned features, points scaled 300–850, checked
on a hold-out beside a naive baseline. The result is stored as splits and points (no pickle) and
applied by :func:`~siliu.lending.credit.scorecards.score_apply`.

The table comes from the platform's own loans (:func:`siliu.lending.loans.history.loans_table`: each
seasoned loan's features as scored when it was applied for, and whether it went 90 days late), from
outside (a CSV: the feature
columns of :class:`~siliu.lending.credit.features.CreditFeatures` and ``bad``) or from
:func:`synthetic_table`.

The policy's cut-offs of a trained card are chosen on its hold-out (:func:`policy_cutoffs`).
"""

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from django.db import transaction
from optbinning import BinningProcess
from optbinning import Scorecard as OptScorecard
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import train_test_split

from siliu.lending.credit.features import FEATURE_NAMES
from siliu.lending.credit.models import Scorecard
from siliu.lending.credit.scorecards import FittedScorecard, bins_validate, score_apply
from siliu.lending.credit.services import scorecard_store

#: The outcome column: 1 bad (90 days late or written off), 0 good.
OUTCOME = "bad"
#: The naive baseline the card must beat: rank borrowers by their months on the platform alone.
BASELINE_FEATURE = "months_on_platform"
#: How many of the hold-out's rows the card keeps as the reference of the stability index.
REFERENCE_SIZE = 2000
#: The fewest labelled loans, and of each outcome, a card is trained on (fewer: refused).
MIN_TRAINING_ROWS: Final = 60
MIN_ROWS_PER_OUTCOME: Final = 8
#: Below the refusal cut-off the hold-out's bad rate is more than this many times its average.
REFUSE_BAD_RATE_MULTIPLE: Final = 2.0
#: The refusal cut-off must leave at least this many hold-out rows below it (else nothing is refused).
REFUSE_MIN_ROWS: Final = 3


def table_validate(table: pd.DataFrame) -> None:
    """Refuse a table without every feature and the outcome, or with one class only (``ValueError``)."""
    missing = [name for name in (*FEATURE_NAMES, OUTCOME) if name not in table.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    if set(table[OUTCOME].unique()) != {0, 1}:
        raise ValueError(f"'{OUTCOME}' must hold both 0 and 1")
    if len(table) < MIN_TRAINING_ROWS:
        raise ValueError(f"{len(table)} rows: at least {MIN_TRAINING_ROWS} are needed to train a card")
    bad = int(table[OUTCOME].sum())
    if min(bad, len(table) - bad) < MIN_ROWS_PER_OUTCOME:
        raise ValueError(
            f"{bad} bad and {len(table) - bad} good rows: at least {MIN_ROWS_PER_OUTCOME} of each are needed"
        )


def policy_cutoffs(*, scores: Sequence[float], bad: Sequence[int]) -> tuple[int, int]:
    """The policy's cut-offs ``(refuse_below, approve_from)`` on a card's hold-out scores and outcomes.

    The rule: ``refuse_below`` is the highest hold-out score under which (strictly below it, at least
    :data:`REFUSE_MIN_ROWS` rows) the bad rate is more than :data:`REFUSE_BAD_RATE_MULTIPLE` times the
    hold-out's average bad rate — the band where a loan is more than twice as likely as the average to
    go 90 days late; when no score qualifies, the lowest hold-out score (nothing in the hold-out is
    refused). ``approve_from`` is the hold-out's upper quartile (the score of the row three quarters up
    the sorted hold-out), never below ``refuse_below``: the best quarter is approved at once (up to its
    limit), those between the two cut-offs wait for a loan officer. (The median was tried first: on a
    card that separates well, the doubled-bad-rate line lands on it and no one is left to review.)

    Raises ``ValueError`` on an empty hold-out."""
    if not scores or len(scores) != len(bad):
        raise ValueError("the hold-out needs scores and outcomes, as many of each")
    pairs = sorted(zip((round(score) for score in scores), bad, strict=True))
    average = sum(bad) / len(pairs)
    refuse_below = pairs[0][0]
    bad_below = 0
    for index, (score, outcome) in enumerate(pairs):
        # Rows 0 … index-1 score below pairs[index] when the score changes here.
        changes = index >= REFUSE_MIN_ROWS and score > pairs[index - 1][0]
        if changes and bad_below / index > REFUSE_BAD_RATE_MULTIPLE * average:
            refuse_below = score
        bad_below += outcome
    upper_quartile = pairs[(3 * len(pairs)) // 4][0]
    return refuse_below, max(upper_quartile, refuse_below)


def scorecard_fit(*, table: pd.DataFrame, holdout_share: float = 0.3, seed: int = 0) -> FittedScorecard:
    """Fit a card on ``table`` (features + ``bad``) and measure it on a stratified hold-out.

    Metrics: ``auc`` (of the score ranking bad borrowers low), ``ks`` (Kolmogorov–Smirnov distance of
    the good and bad score distributions), ``gini`` (2·AUC − 1), ``baseline_auc`` (:data:`BASELINE_FEATURE`
    alone), ``sample_count``, ``holdout_count``, ``bad_rate``, and the policy's cut-offs chosen on the
    hold-out (:func:`policy_cutoffs`): ``refuse_below`` and ``approve_from``.

    Raises ``ValueError`` for a table :func:`table_validate` refuses."""
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
    refuse_below, approve_from = policy_cutoffs(scores=list(scores), bad=list(y_test))
    metrics: dict[str, float | int | str] = {
        "auc": round(auc, 4),
        "ks": round(float(np.max(true_positive - false_positive)), 4),
        "gini": round(2 * auc - 1, 4),
        "baseline": BASELINE_FEATURE,
        "baseline_auc": round(baseline_auc, 4),
        "sample_count": len(table),
        "holdout_count": len(x_test),
        "bad_rate": round(float(outcome.mean()), 4),
        "refuse_below": refuse_below,
        "approve_from": approve_from,
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


@transaction.atomic
def scorecard_train(*, table: pd.DataFrame, seed: int = 0) -> Scorecard:
    """Fit a card on ``table`` (:func:`scorecard_fit`), store it as the next version and set its policy
    cut-offs ``refuse_below`` / ``approve_from`` to those chosen on its hold-out (:func:`policy_cutoffs`).

    Raises ``ValueError`` for a table that cannot be trained on (too few rows, one outcome only)."""
    fitted = scorecard_fit(table=table, seed=seed)
    card = scorecard_store(fitted=fitted)
    card.refuse_below = int(fitted.metrics["refuse_below"])
    card.approve_from = int(fitted.metrics["approve_from"])
    card.save(update_fields=["refuse_below", "approve_from"])
    return card
