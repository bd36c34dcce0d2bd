"""Scorecards: bins and points, reasons in plain Chinese, the PSI, training on a synthetic table."""

import math

import pytest
from django.core.management import call_command

from siliu.lending.credit.features import FEATURE_NAMES
from siliu.lending.credit.models import Scorecard, ScorecardKind
from siliu.lending.credit.scorecards import (
    EXPERT_BASE_POINTS,
    EXPERT_BINS,
    bin_index,
    bins_validate,
    population_stability_index,
    quantile_splits,
    reason_sentence,
    score_apply,
)
from siliu.lending.credit.services import scorecard_store
from siliu.lending.credit.training import scorecard_fit, synthetic_table


def test_a_value_on_a_split_falls_in_the_bin_above() -> None:
    """Bins are [s_i, s_i+1): 1 cancelled order is in the second bin, 0 in the first."""
    assert [bin_index([1, 3, 6], value) for value in (0, 1, 2.9, 3, 6, 100)] == [0, 1, 1, 2, 3, 3]


def test_the_stored_expert_card_is_the_one_in_the_code(db: None) -> None:
    """The data migration wrote version 0 with the staff's points."""
    card = Scorecard.objects.get(version=0)
    assert (card.kind, card.base_points, card.bins) == (ScorecardKind.EXPERT, EXPERT_BASE_POINTS, EXPERT_BINS)
    bins_validate(card.bins)


def test_a_card_missing_a_feature_or_a_point_is_refused() -> None:
    """Every feature, and one point more than splits."""
    with pytest.raises(ValueError, match="features"):
        bins_validate({name: EXPERT_BINS[name] for name in FEATURE_NAMES[1:]})
    with pytest.raises(ValueError, match="claims_12m"):
        bins_validate({**EXPERT_BINS, "claims_12m": {"splits": [1, 2], "points": [1]}})


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        ("sales_12m_fen", 0, "近12个月在平台上没有卖出货物"),
        ("sales_12m_fen", 85_050, "近12个月在平台上只卖出¥850.50的货"),
        ("sales_trend_percent", -40, "近6个月的销售额比之前6个月少了40%"),
        ("sales_trend_percent", 0, "近6个月的销售额没有增长"),
        ("orders_completed_12m", 3, "近12个月只完成了3笔订单"),
        ("orders_cancelled_12m", 3, "近12个月有3笔订单被取消"),
        ("claims_12m", 2, "近12个月有2个寄出的包裹被申请理赔"),
        ("dispatch_days_average", 4.25, "从收到货款到交寄包裹平均要4.2天"),
        ("months_on_platform", 0, "来平台还不到1个月"),
        ("months_on_platform", 5, "来平台才5个月"),
        ("wallet_inflow_months_12m", 8, "近12个月有4个月钱包没有收入"),
        ("late_repayments_count", 1, "以前的贷款有1期没有按时还"),
    ],
)
def test_each_reason_is_a_plain_sentence(name: str, value: float, sentence: str) -> None:
    """What a farmer reads, not a feature name."""
    assert reason_sentence(name, value) == sentence


def test_a_borrower_in_every_best_bin_has_no_reason() -> None:
    """Nothing cost points: the maximum score and no reasons."""
    best = dict.fromkeys(FEATURE_NAMES, 0.0) | {
        "sales_12m_fen": 9_000_000,
        "sales_trend_percent": 50,
        "orders_completed_12m": 80,
        "months_on_platform": 40,
        "wallet_inflow_months_12m": 12,
    }
    scored = score_apply(bins=EXPERT_BINS, base_points=EXPERT_BASE_POINTS, features=best)
    assert (scored.score, scored.reasons) == (670, [])


def test_psi_of_known_shares() -> None:
    """Half and half against a quarter and three quarters: (0.25−0.5)·ln(0.5) + (0.75−0.5)·ln(1.5)."""
    expected = [0, 0, 1, 1]
    actual = [0, 1, 1, 1]
    assert population_stability_index(expected, actual, [0.5]) == pytest.approx(
        -0.25 * math.log(0.5) + 0.25 * math.log(1.5)
    )
    assert population_stability_index(expected, expected, [0.5]) == 0
    # an empty bin counts as 0.0001 of the sample, not as nothing (which would be infinite)
    assert population_stability_index([0, 1], [1, 1], [0.5]) == pytest.approx(
        (0.0001 - 0.5) * math.log(0.0001 / 0.5) + 0.5 * math.log(2)
    )
    with pytest.raises(ValueError):
        population_stability_index([], [1], [0.5])


def test_quantile_splits_cut_into_equal_groups() -> None:
    """Deciles of 1..100 are 11, 21, … 91 (each a group's first value)."""
    assert quantile_splits(list(range(1, 101))) == [11, 21, 31, 41, 51, 61, 71, 81, 91]
    assert quantile_splits([5, 5, 5]) == []


@pytest.fixture(scope="module")
def fitted() -> object:
    return scorecard_fit(table=synthetic_table(count=3000, seed=1), seed=1)


def test_training_ranks_a_hidden_risk_better_than_the_naive_baseline(fitted: object) -> None:
    """On made-up borrowers whose risk follows a known function, the hold-out AUC is well above 0.5 and
    above ranking by months on the platform alone; KS and Gini agree with it."""
    metrics = fitted.metrics  # type: ignore[attr-defined]
    assert metrics["auc"] > 0.75
    assert metrics["auc"] > metrics["baseline_auc"] + 0.1
    assert metrics["gini"] == pytest.approx(2 * metrics["auc"] - 1, abs=1e-4)
    assert 0 < metrics["ks"] < 1
    assert (metrics["sample_count"], metrics["holdout_count"]) == (3000, 900)
    bins_validate(fitted.bins)  # type: ignore[attr-defined]


def test_more_cancelled_orders_never_earn_more_points(fitted: object) -> None:
    """The trained points follow the hidden risk: a bin of more cancelled orders earns no more points."""
    points = fitted.bins["orders_cancelled_12m"]["points"]  # type: ignore[attr-defined]
    assert points == sorted(points, reverse=True)


def test_a_trained_card_is_stored_as_the_next_version(db: None, fitted: object) -> None:
    """Version 1 after the expert card, with its metrics and reference sample."""
    card = scorecard_store(fitted=fitted)  # type: ignore[arg-type]
    assert (card.version, card.kind) == (1, ScorecardKind.TRAINED)
    assert card.metrics["auc"] == fitted.metrics["auc"]  # type: ignore[attr-defined]
    assert len(card.reference["score"]) == 900


def test_the_train_command_stores_a_card(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    """``siliu lending_train --synthetic 1000`` prints the metrics of the version it stored."""
    call_command("lending_train", synthetic=1000)
    assert Scorecard.objects.order_by("-version").first().version == 1  # type: ignore[union-attr]
    assert capsys.readouterr().out.startswith("scorecard v1: AUC ")
