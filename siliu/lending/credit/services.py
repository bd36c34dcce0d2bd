"""Credit, written: consent given and withdrawn (each with its event), a score computed and kept, a
trained card stored as the next version."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, PermissionRefused
from siliu.core.permissions import Permission, user_can
from siliu.lending.credit.features import credit_features
from siliu.lending.credit.models import (
    CreditConsent,
    CreditConsentEvent,
    CreditConsentEventKind,
    Scorecard,
    ScorecardKind,
    ScoreRecord,
)
from siliu.lending.credit.scorecards import FittedScorecard, score_apply
from siliu.lending.credit.selectors import consent_in_force, scorecard_current

#: The consent as shown on the page and stored verbatim with its version; a new wording is a new version.
CONSENT_VERSION = "2026-12"
CONSENT_TEXT = (
    "本人同意四流平台使用本人在平台上近12个月的数据为本人评定信用分，用于贷款审核："
    "销售额及其变化、完成和取消的订单、寄出包裹的理赔、从收款到发货的天数、在平台的月数、"
    "钱包每月是否有收入、以前贷款的还款情况，以及站点运营员的走访记录。"
    "平台不使用性别、民族、年龄和出生地，也不从身份证号推算这些信息。"
    "本人可以随时撤回同意；撤回后平台不再为本人评分，贷款只能人工审核。"
)


def _may_act_for(*, subject: AbstractBaseUser, actor: AbstractBaseUser) -> None:
    if subject.pk != actor.pk and not user_can(actor, Permission.CREDIT_CONSENT_FOR):
        raise PermissionRefused("not_your_consent", _("只能为自己，或由站点运营员为村民办理同意书"))


@transaction.atomic
def credit_consent_give(*, subject: AbstractBaseUser, actor: AbstractBaseUser) -> CreditConsent:
    """Record ``subject``'s consent to the use of their platform data, with the text shown
    (:data:`CONSENT_TEXT`, version :data:`CONSENT_VERSION`) and a ``given`` event.

    The subject gives it, or a station operator (``credit.consent_for``) for a villager.

    Raises
    ------
    PermissionRefused
        ``not_your_consent``: someone else's consent, without ``credit.consent_for``.
    Conflict
        ``consent_in_force``: the subject's earlier consent has not been withdrawn.
    """
    _may_act_for(subject=subject, actor=actor)
    if (
        CreditConsent.objects.select_for_update()
        .filter(subject_id=subject.pk, withdrawn_at__isnull=True)
        .exists()
    ):
        raise Conflict("consent_in_force", _("已经同意过，无需重复同意"))
    now = timezone.now()
    consent = CreditConsent.objects.create(
        subject_id=subject.pk,
        given_by_id=actor.pk,
        text=CONSENT_TEXT,
        text_version=CONSENT_VERSION,
        given_at=now,
    )
    CreditConsentEvent.objects.create(
        consent=consent, kind=CreditConsentEventKind.GIVEN, actor_id=actor.pk, occurred_at=now
    )
    return consent


@transaction.atomic
def credit_consent_withdraw(*, subject: AbstractBaseUser, actor: AbstractBaseUser) -> CreditConsent:
    """Withdraw ``subject``'s consent in force (kept, with when and by whom, and a ``withdrawn``
    event); from then on there is no score, only manual review.

    Raises
    ------
    PermissionRefused
        ``not_your_consent`` as for :func:`credit_consent_give`.
    Conflict
        ``no_consent``: nothing to withdraw.
    """
    _may_act_for(subject=subject, actor=actor)
    consent = (
        CreditConsent.objects.select_for_update()
        .filter(subject_id=subject.pk, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None:
        raise Conflict("no_consent", _("没有生效的同意书"))
    now = timezone.now()
    consent.withdrawn_at = now
    consent.withdrawn_by_id = actor.pk
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    CreditConsentEvent.objects.create(
        consent=consent, kind=CreditConsentEventKind.WITHDRAWN, actor_id=actor.pk, occurred_at=now
    )
    return consent


@transaction.atomic
def credit_score(*, user: AbstractBaseUser, on: datetime.date, actor: AbstractBaseUser) -> ScoreRecord:
    """Score ``user`` on the business day ``on`` with the current card and keep the score, its
    feature values, points and three reasons.

    The borrower scores themselves; a loan officer (``credit.read``) scores a borrower.

    Raises
    ------
    PermissionRefused
        ``not_allowed``: someone else's score without ``credit.read``.
    Conflict
        ``no_consent``: the borrower has no consent in force (manual review only). Nothing is written.
    NotFound
        ``no_scorecard``.
    """
    if user.pk != actor.pk and not user_can(actor, Permission.CREDIT_READ):
        raise PermissionRefused("not_allowed", _("没有权限查看他人的信用评分"))
    consent = consent_in_force(subject=user)
    if consent is None:
        raise Conflict("no_consent", _("没有数据使用同意书，不评分，只能人工审核"))
    card = scorecard_current()
    features = credit_features(user=user, on=on).as_dict()
    scored = score_apply(bins=card.bins, base_points=card.base_points, features=features)
    return ScoreRecord.objects.create(
        subject_id=user.pk,
        scorecard=card,
        consent=consent,
        scored_on=on,
        score=scored.score,
        features=features,
        points=scored.points,
        reasons=scored.reasons,
        computed_at=timezone.now(),
    )


@transaction.atomic
def scorecard_store(*, fitted: FittedScorecard) -> Scorecard:
    """Store a trained card as the next version (the expert card stays version 0)."""
    latest = Scorecard.objects.select_for_update().aggregate(version=Max("version"))["version"] or 0
    return Scorecard.objects.create(
        version=latest + 1,
        kind=ScorecardKind.TRAINED,
        trained_at=timezone.now(),
        base_points=round(fitted.base_points),
        bins=fitted.bins,
        metrics=fitted.metrics,
        reference=fitted.reference,
    )
