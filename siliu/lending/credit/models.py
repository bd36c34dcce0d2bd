"""Credit's tables: consents, scorecards and the scores computed with them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CreditConsent(models.Model):
    """A borrower's consent to the use of their platform data for credit, with the very text shown.

    At most one consent of a subject is in force (``withdrawn_at`` empty); withdrawing keeps the row."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("授权人"), on_delete=models.PROTECT, related_name="+"
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("本人，或为村民代办的站点运营员。"),
    )
    text = models.TextField(_("同意书全文"))
    text_version = models.CharField(_("同意书版本"), max_length=20)
    given_at = models.DateTimeField(_("同意时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("数据使用同意书")
        verbose_name_plural = _("数据使用同意书")
        constraints = [
            models.UniqueConstraint(
                fields=["subject"], condition=Q(withdrawn_at__isnull=True), name="credit_consent_one_in_force"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="credit_consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="credit_consent_withdrawn_with_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.text_version}"


class CreditConsentEventKind(models.TextChoices):
    GIVEN = "given", _("同意")
    WITHDRAWN = "withdrawn", _("撤回")


class CreditConsentEvent(models.Model):
    """What happened to a consent, by whom and when (written in the same transaction)."""

    consent = models.ForeignKey(
        CreditConsent, verbose_name=_("同意书"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=10, choices=CreditConsentEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("同意书事件")
        verbose_name_plural = _("同意书事件")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CreditConsentEventKind.values), name="credit_consent_event_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consent_id} {self.kind}"


class FieldVisit(models.Model):
    """A station operator's visit to a borrower (farm, shop, home) and what they saw, in their words.

    Shown beside the score to the borrower and the loan officer; not scored (free text)."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("借款人"), on_delete=models.PROTECT, related_name="+"
    )
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("走访日期"))
    note = models.TextField(_("走访记录"), max_length=500)
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes = [models.Index(fields=["subject", "-visited_on"], name="field_visit_subject_recent")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.visited_on}"


class ScorecardKind(models.TextChoices):
    EXPERT = "expert", _("专家评分卡")
    TRAINED = "trained", _("模型评分卡")


class Scorecard(models.Model):
    """A versioned scorecard: points per bin of each feature (``bins``), and how well it ranked a
    hold-out sample (``metrics``). Version 0 is the staff's expert card."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=ScorecardKind.choices)
    trained_at = models.DateTimeField(_("建立时间"))
    base_points = models.IntegerField(_("基础分"), default=0)
    #: feature name → {"splits": [s1, s2, …], "points": [p0, p1, …, pn]}: a value v falls in bin
    #: i = number of splits ≤ v (bins [s_i, s_i+1), the first open below, the last open above).
    bins = models.JSONField(_("分箱与分值"))
    #: {"auc", "ks", "gini", "baseline_auc", "baseline", "sample_count", "bad_rate"} on the hold-out.
    metrics = models.JSONField(_("检验指标"), default=dict, blank=True)
    #: the hold-out's scores and feature values, the reference of the stability index.
    reference = models.JSONField(_("参照样本"), default=dict, blank=True)
    #: The policy's cut-offs on this card's scale (ADR 0021): an application scoring at least
    #: ``approve_from`` is approved at once up to its limit; below ``refuse_below`` it is refused.
    approve_from = models.IntegerField(_("自动批准分数线"), default=600)
    refuse_below = models.IntegerField(_("拒绝分数线"), default=480)

    class Meta:
        verbose_name = _("评分卡")
        verbose_name_plural = _("评分卡")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ScorecardKind.values), name="scorecard_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind=ScorecardKind.EXPERT, version=0)
                | (~Q(kind=ScorecardKind.EXPERT) & Q(version__gt=0)),
                name="scorecard_expert_is_version_zero",
            ),
            models.CheckConstraint(
                condition=Q(refuse_below__lte=F("approve_from")), name="scorecard_cutoffs_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.kind}"


class ScoreRecord(models.Model):
    """A score computed for a borrower: the feature values, the points each earned and the three
    reasons shown to the borrower and to the loan officer."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评分对象"), on_delete=models.PROTECT, related_name="+"
    )
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("评分卡"), on_delete=models.PROTECT, related_name="scores"
    )
    consent = models.ForeignKey(
        CreditConsent, verbose_name=_("同意书"), on_delete=models.PROTECT, related_name="scores"
    )
    scored_on = models.DateField(_("评分日期"))
    score = models.IntegerField(_("分数"))
    features = models.JSONField(_("特征值"))
    points = models.JSONField(_("各项分值"))
    reasons = models.JSONField(_("主要原因"))
    field_visit = models.ForeignKey(
        FieldVisit,
        verbose_name=_("最近走访"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("评分时最近的一次走访（不计分，供参考）。"),
    )
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("信用评分")
        verbose_name_plural = _("信用评分")
        indexes = [models.Index(fields=["subject", "-computed_at"], name="score_subject_recent")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.score}"
