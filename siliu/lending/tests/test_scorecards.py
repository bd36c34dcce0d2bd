"""Scorecards: bins and points, reasons in plain Chinese, the PSI, training on a synthetic table."""

import datetime
import math
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from siliu.core.roles import Role
from siliu.lending.credit.features import FEATURE_NAMES
from siliu.lending.credit.models import Scorecard, ScorecardKind, ScoreRecord
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
from siliu.lending.credit.selectors import credit_monitoring
from siliu.lending.credit.services import credit_consent_give, scorecard_store
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


def test_monthly_monitoring_gives_the_psi_of_the_score_and_of_each_feature(
    make_user: Callable[..., User],
) -> None:
    """This month's scores against the card's reference: half and half moved to a quarter and three
    quarters, for the score (cut at its deciles) and for cancelled orders (cut at the card's splits);
    the month before has no score and no index."""
    features = dict.fromkeys(FEATURE_NAMES, 0.0)
    reference: dict[str, list[float]] = {name: [0.0] * 4 for name in FEATURE_NAMES}
    reference["score"] = [400, 400, 600, 600]
    reference["orders_cancelled_12m"] = [0, 0, 5, 5]
    card = Scorecard.objects.create(
        version=7,
        kind=ScorecardKind.TRAINED,
        trained_at=timezone.now(),
        bins=EXPERT_BINS,
        reference=reference,
    )
    farmer = make_user(Role.SELLER, username="farmer")
    consent = credit_consent_give(subject=farmer, actor=farmer)
    for score, cancelled in [(400, 0), (600, 0), (600, 0), (600, 5)]:
        ScoreRecord.objects.create(
            subject=farmer,
            scorecard=card,
            consent=consent,
            scored_on=timezone.localdate(),
            score=score,
            features=features | {"orders_cancelled_12m": cancelled},
            points={},
            reasons=[],
            computed_at=timezone.now(),
        )

    this_month, month_before = credit_monitoring(scorecard=card, on=timezone.localdate(), months=2)

    moved = 0.25 * math.log(1.5) - 0.25 * math.log(0.5)
    assert this_month.score_count == 4
    assert this_month.score_psi == pytest.approx(moved)
    assert this_month.feature_psi["orders_cancelled_12m"] == pytest.approx(moved)
    assert this_month.feature_psi["claims_12m"] == 0
    assert (month_before.score_count, month_before.score_psi) == (0, None)


def test_the_expert_card_is_watched_against_its_first_month(make_user: Callable[..., User]) -> None:
    """Version 0 has no hold-out: its first month of scores is the reference, so that month's index is
    0 and a later month's shows how far the scores moved."""
    card = Scorecard.objects.get(version=0)
    farmer = make_user(Role.SELLER, username="farmer")
    consent = credit_consent_give(subject=farmer, actor=farmer)
    today = timezone.localdate()
    last_month = timezone.now() - datetime.timedelta(days=today.day + 1)
    features = dict.fromkeys(FEATURE_NAMES, 0.0)
    for score, computed_at in [(400, last_month), (600, last_month), (600, timezone.now())]:
        ScoreRecord.objects.create(
            subject=farmer,
            scorecard=card,
            consent=consent,
            scored_on=today,
            score=score,
            features=features,
            points={},
            reasons=[],
            computed_at=computed_at,
        )

    this_month, first_month = credit_monitoring(scorecard=card, on=today, months=2)

    assert (first_month.score_count, first_month.score_psi) == (2, 0)
    assert this_month.score_count == 1
    assert this_month.score_psi == pytest.approx((0.0001 - 0.5) * math.log(0.0001 / 0.5) + 0.5 * math.log(2))
    assert this_month.feature_psi["claims_12m"] == 0
