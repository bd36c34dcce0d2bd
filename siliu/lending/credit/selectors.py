"""Credit, read: a borrower's consent in force and latest score, the card in use, and the monthly
stability of the scores and features against the card's reference sample."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User

from siliu.core.errors import NotFound
from siliu.lending.credit.features import FEATURE_NAMES, months_before
from siliu.lending.credit.models import CreditConsent, Scorecard, ScoreRecord
from siliu.lending.credit.scorecards import population_stability_index, quantile_splits


def consent_in_force(*, subject: AbstractBaseUser) -> CreditConsent | None:
    """``subject``'s consent that has not been withdrawn, if any."""
    return CreditConsent.objects.filter(subject_id=subject.pk, withdrawn_at__isnull=True).first()


def scorecard_current() -> Scorecard:
    """The card scores are computed with: the latest version (a trained card once there is one,
    else the expert card, version 0).

    Raises
    ------
    NotFound
        ``no_scorecard`` when not even the expert card is stored.
    """
    card = Scorecard.objects.order_by("-version").first()
    if card is None:
        raise NotFound("no_scorecard", "还没有评分卡")
    return card


def score_latest(*, subject: AbstractBaseUser) -> ScoreRecord | None:
    """``subject``'s most recent score."""
    return (
        ScoreRecord.objects.filter(subject_id=subject.pk)
        .select_related("scorecard")
        .order_by("-computed_at", "-pk")
        .first()
    )


def villager_get(*, username: str) -> User:
    """The active user ``username`` (whom a station operator gives consent for).

    Raises
    ------
    NotFound
        ``unknown_user`` (field ``username``).
    """
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound("unknown_user", "没有这个用户", field="username")
    return user


@dataclass(frozen=True)
class MonthStability:
    """One month's scores against the card's reference: how many, and the PSI of the score and of
    each feature (``None`` with no reference or no score that month)."""

    month: datetime.date
    score_count: int
    score_psi: float | None
    feature_psi: dict[str, float | None]


def credit_monitoring(*, scorecard: Scorecard, on: datetime.date, months: int = 6) -> list[MonthStability]:
    """The last ``months`` calendar months up to ``on``, newest first: the scores computed with
    ``scorecard`` in each and their population stability index against its reference sample (the
    hold-out of a trained card; the expert card has none, so its months show counts only)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    reference = scorecard.reference or {}
    rows = []
    for back in range(months):
        start = months_before(on.replace(day=1), back)
        end = months_before(start, -1)
        records = list(
            ScoreRecord.objects.filter(
                scorecard=scorecard,
                computed_at__gte=datetime.datetime.combine(start, datetime.time(), tzinfo=zone),
                computed_at__lt=datetime.datetime.combine(end, datetime.time(), tzinfo=zone),
            ).values_list("score", "features")
        )
        score_psi: float | None = None
        feature_psi: dict[str, float | None] = dict.fromkeys(FEATURE_NAMES)
        if records and reference.get("score"):
            score_psi = population_stability_index(
                reference["score"],
                [score for score, _features in records],
                quantile_splits(reference["score"]),
            )
            for name in FEATURE_NAMES:
                feature_psi[name] = population_stability_index(
                    reference[name],
                    [features[name] for _score, features in records],
                    scorecard.bins[name]["splits"],
                )
        rows.append(MonthStability(start, len(records), score_psi, feature_psi))
    return rows
