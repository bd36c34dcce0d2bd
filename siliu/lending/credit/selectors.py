"""Credit, read: a borrower's consent in force and latest score, the card in use, and the monthly
stability of the scores and features against the card's reference sample."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.commerce.catalog.selectors import seller_for, seller_user_ids_at
from siliu.core.errors import NotFound
from siliu.core.people import person_get
from siliu.core.permissions import Permission, user_outlet_ids
from siliu.lending.credit.features import FEATURE_NAMES, months_before
from siliu.lending.credit.models import CreditConsent, FieldVisit, Scorecard, ScoreRecord
from siliu.lending.credit.scorecards import population_stability_index, quantile_splits


def consent_in_force(*, subject: AbstractBaseUser) -> CreditConsent | None:
    """``subject``'s consent that has not been withdrawn, if any."""
    return CreditConsent.objects.filter(subject_id=subject.pk, withdrawn_at__isnull=True).first()


def field_visit_latest(*, subject: AbstractBaseUser) -> FieldVisit | None:
    """The most recent station operator's visit to ``subject``."""
    return FieldVisit.objects.filter(subject_id=subject.pk).order_by("-visited_on", "-pk").first()


def credit_readable_by(*, subject: AbstractBaseUser, actor: AbstractBaseUser) -> bool:
    """Whether ``actor`` may read ``subject``'s score: their own; anyone's with ``credit.read``
    everywhere (loan officers); in a county manager's county, a seller whose home outlet is there (a
    villager without a shop has no place on the platform, so only loan officers read theirs)."""
    if subject.pk == actor.pk:
        return True
    outlets = user_outlet_ids(actor, Permission.CREDIT_READ)
    if outlets is None:
        return True
    seller = seller_for(actor=subject)  # type: ignore[arg-type]
    return seller is not None and seller.home_outlet_id in outlets


@dataclass(frozen=True)
class Borrower:
    """A borrower a loan officer may look at: who, since when they consent, their latest score."""

    user: User
    consent_given_at: datetime.datetime
    latest: ScoreRecord | None


def credit_borrowers(*, actor: AbstractBaseUser) -> list[Borrower]:
    """The borrowers with a consent in force whose scores ``actor`` may read
    (:func:`credit_readable_by`), newest consent first, with their latest score."""
    consents = (
        CreditConsent.objects.filter(withdrawn_at__isnull=True)
        .select_related("subject")
        .order_by("-given_at")
    )
    outlets = user_outlet_ids(actor, Permission.CREDIT_READ)
    if outlets is not None:
        sellers = seller_user_ids_at(outlet_ids=outlets)
        consents = consents.filter(subject_id__in=sellers)
    rows = []
    for consent in consents[:200]:
        rows.append(Borrower(consent.subject, consent.given_at, score_latest(subject=consent.subject)))
    return rows


def consents_in_force(*, subject_ids: list[int]) -> set[int]:
    """Which of ``subject_ids`` have a consent in force."""
    return set(
        CreditConsent.objects.filter(subject_id__in=subject_ids, withdrawn_at__isnull=True).values_list(
            "subject_id", flat=True
        )
    )


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
        raise NotFound("no_scorecard", _("还没有评分卡"))
    return card


def score_latest(*, subject: AbstractBaseUser) -> ScoreRecord | None:
    """``subject``'s most recent score."""
    return (
        ScoreRecord.objects.filter(subject_id=subject.pk)
        .select_related("scorecard")
        .order_by("-computed_at", "-pk")
        .first()
    )


def person_for_credit(*, user_id: int) -> User:
    """The active user ``user_id`` whom a station operator found (``/api/v1/people``, the consent
    page's search) and acts for, or whose score a loan officer reads.

    Raises
    ------
    NotFound
        ``unknown_person`` (field ``person``).
    """
    user = person_get(user_id=user_id)
    if user is None:
        raise NotFound("unknown_person", _("没有这个人"), field="person")
    return user


@dataclass(frozen=True)
class MonthStability:
    """One month's scores against the card's reference: how many, and the PSI of the score and of
    each feature (``None`` with no reference or no score that month)."""

    month: datetime.date
    score_count: int
    score_psi: float | None
    feature_psi: dict[str, float | None]


def _month_records(scorecard: Scorecard, month: datetime.date) -> list[tuple[int, dict[str, float]]]:
    """(score, features) of the scores computed with ``scorecard`` in the calendar ``month``."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return list(
        ScoreRecord.objects.filter(
            scorecard=scorecard,
            computed_at__gte=datetime.datetime.combine(month, datetime.time(), tzinfo=zone),
            computed_at__lt=datetime.datetime.combine(months_before(month, -1), datetime.time(), tzinfo=zone),
        ).values_list("score", "features")
    )


def monitoring_reference(*, scorecard: Scorecard) -> dict[str, list[float]]:
    """What a month is compared with: a trained card's hold-out; for the expert card, which has none,
    the scores of its first month in use (empty before the first score)."""
    if scorecard.reference:
        return dict(scorecard.reference)
    first = ScoreRecord.objects.filter(scorecard=scorecard).order_by("computed_at").first()
    if first is None:
        return {}
    month = timezone.localtime(first.computed_at).date().replace(day=1)
    records = _month_records(scorecard, month)
    reference: dict[str, list[float]] = {"score": [float(score) for score, _features in records]}
    for name in FEATURE_NAMES:
        reference[name] = [float(features[name]) for _score, features in records]
    return reference


def credit_monitoring(*, scorecard: Scorecard, on: datetime.date, months: int = 6) -> list[MonthStability]:
    """The last ``months`` calendar months up to ``on``, newest first: how many scores were computed
    with ``scorecard`` in each and their population stability index against
    :func:`monitoring_reference`, the score cut at the reference's deciles and each feature at the
    card's splits (``None`` in a month without scores, or before there is a reference)."""
    reference = monitoring_reference(scorecard=scorecard)
    rows = []
    for back in range(months):
        month = months_before(on.replace(day=1), back)
        records = _month_records(scorecard, month)
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
        rows.append(MonthStability(month, len(records), score_psi, feature_psi))
    return rows
