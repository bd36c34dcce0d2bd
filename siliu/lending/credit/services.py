"""Credit, written: consent given and withdrawn (each with its event), a score computed and kept, a
trained card stored as the next version."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.permissions import Permission, user_can
from siliu.lending.credit.features import credit_features
from siliu.lending.credit.models import (
    CreditConsent,
    CreditConsentEvent,
    CreditConsentEventKind,
    FieldVisit,
    Scorecard,
    ScorecardKind,
    ScoreRecord,
)
from siliu.lending.credit.scorecards import FittedScorecard, score_apply
from siliu.lending.credit.selectors import (
    consent_in_force,
    credit_readable_by,
    field_visit_latest,
    score_latest,
    scorecard_current,
)

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


#: The longest visit note, in characters.
VISIT_NOTE_MAX_LENGTH = 500


@transaction.atomic
def field_visit_record(
    *, subject: AbstractBaseUser, actor: AbstractBaseUser, visited_on: datetime.date, note: str
) -> FieldVisit:
    """Record a station operator's (``credit.visit``) visit to ``subject`` and what they saw.

    The note is shown beside the score to the borrower and the loan officer, so only with the
    borrower's consent in force.

    Raises
    ------
    PermissionRefused
        ``not_allowed`` without ``credit.visit`` or for oneself.
    Conflict
        ``no_consent``.
    ValidationFailed
        ``visit_in_future`` (``visited_on``), ``note_required`` / ``note_too_long`` (``note``).
    """
    if subject.pk == actor.pk or not user_can(actor, Permission.CREDIT_VISIT):
        raise PermissionRefused("not_allowed", _("只有站点运营员可以记录对他人的走访"))
    text = note.strip()
    if not text:
        raise ValidationFailed("note_required", _("请填写走访记录"), field="note")
    if len(text) > VISIT_NOTE_MAX_LENGTH:
        raise ValidationFailed(
            "note_too_long", _("走访记录最多 %(count)s 个字") % {"count": VISIT_NOTE_MAX_LENGTH}, field="note"
        )
    if visited_on > timezone.localdate():
        raise ValidationFailed("visit_in_future", _("走访日期不能晚于今天"), field="visited_on")
    if consent_in_force(subject=subject) is None:
        raise Conflict("no_consent", _("借款人没有同意使用平台数据，不能记录走访"))
    return FieldVisit.objects.create(
        subject_id=subject.pk,
        visited_by_id=actor.pk,
        visited_on=visited_on,
        note=text,
        recorded_at=timezone.now(),
    )


@transaction.atomic
def credit_score(*, user: AbstractBaseUser, on: datetime.date, actor: AbstractBaseUser) -> ScoreRecord:
    """Score ``user`` on the business day ``on`` with the current card and keep the score, its
    feature values, points and three reasons.

    The borrower scores themselves; a loan officer (``credit.read``) any borrower, a county manager a
    seller of their county (:func:`~siliu.lending.credit.selectors.credit_readable_by`).

    Raises
    ------
    PermissionRefused
        ``not_allowed``: someone else's score without ``credit.read`` where they are.
    Conflict
        ``no_consent``: the borrower has no consent in force (manual review only). Nothing is written.
    NotFound
        ``no_scorecard``.
    """
    if not credit_readable_by(subject=user, actor=actor):
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
        field_visit=field_visit_latest(subject=user),
        computed_at=timezone.now(),
    )


def credit_score_today(*, user: AbstractBaseUser, actor: AbstractBaseUser) -> ScoreRecord:
    """``user``'s score for today: the one kept today under the same consent and card, else a new one
    (:func:`credit_score`, whose rules and errors apply). Pages and the API call this, so that reading
    a score many times a day keeps one record."""
    if not credit_readable_by(subject=user, actor=actor):
        raise PermissionRefused("not_allowed", _("没有权限查看他人的信用评分"))
    consent = consent_in_force(subject=user)
    today = timezone.localdate()
    record = score_latest(subject=user)
    if (
        consent is not None
        and record is not None
        and record.scored_on == today
        and record.consent_id == consent.pk
        and record.scorecard_id == scorecard_current().pk
    ):
        return record
    return credit_score(user=user, on=today, actor=actor)


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
