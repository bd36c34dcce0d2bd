"""The loan's life: applications and their decisions, loans with their installments, repayments,
collection notes and the nightly runs (issue #10, ADR 0021).

Amounts are integer fen. An installment's dates are kept twice: ``due_on`` for people, ``due_day`` (the
proleptic ordinal, :meth:`datetime.date.toordinal`) for the nightly run's set-based arithmetic, which
must read the same on SQLite and PostgreSQL.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    REVIEW = "review", _("待审核")
    SECOND_REVIEW = "second_review", _("待复核")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    "": {
        ApplicationStatus.REVIEW,
        ApplicationStatus.SECOND_REVIEW,
        ApplicationStatus.APPROVED,
        ApplicationStatus.REFUSED,
    },
    ApplicationStatus.REVIEW: {
        ApplicationStatus.SECOND_REVIEW,
        ApplicationStatus.APPROVED,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.SECOND_REVIEW: {
        ApplicationStatus.APPROVED,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.APPROVED: set(),
    ApplicationStatus.REFUSED: set(),
    ApplicationStatus.WITHDRAWN: set(),
}


class DecisionBand(models.TextChoices):
    """Where the policy put an application when it was filed (ADR 0021)."""

    AUTO_APPROVE = "auto_approve", _("自动批准")
    REVIEW = "review", _("信贷员审核")
    REFUSE = "refuse", _("评分过低")
    MANUAL = "manual", _("无评分，人工审核")


class LoanApplication(models.Model):
    """A borrower's request for a loan of a product, as filed, scored and decided."""

    number = models.CharField(_("申请编号"), max_length=20, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("借款人"), on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    outlet = models.ForeignKey(
        "network.Outlet",
        verbose_name=_("受理网点"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("卖家的发货网点，或代村民申请的站点；县级管理员按它所在的县复核。"),
    )
    product = models.ForeignKey(
        "lending.LoanProduct", verbose_name=_("贷款产品"), on_delete=models.PROTECT, related_name="+"
    )
    amount_fen = models.BigIntegerField(_("申请金额（分）"))
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    harvest_months = models.JSONField(_("收获月份"), default=list, blank=True)
    purpose = models.CharField(_("用途"), max_length=200)
    status = models.CharField(_("状态"), max_length=15, choices=ApplicationStatus.choices)
    band = models.CharField(_("评分档位"), max_length=15, choices=DecisionBand.choices)
    score = models.IntegerField(_("信用分"), null=True, blank=True)
    score_record = models.ForeignKey(
        "lending.ScoreRecord",
        verbose_name=_("评分记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reasons = models.JSONField(_("主要原因"), default=list, blank=True)
    auto_limit_fen = models.BigIntegerField(_("自动批准额度（分）"), default=0)
    filed_at = models.DateTimeField(_("申请时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("贷款申请")
        verbose_name_plural = _("贷款申请")
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["status", "filed_at"], name="loan_application_queue")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="loan_application_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="loan_application_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(band__in=DecisionBand.values), name="loan_application_band_valid"
            ),
            # The one who reviews cannot also give the second approval.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(reviewed_by__isnull=True)
                | ~Q(approved_by=F("reviewed_by")),
                name="loan_application_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class LoanApplicationEvent(models.Model):
    """A change of an application's status, with who made it and why."""

    application = models.ForeignKey(
        LoanApplication, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=15, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=15, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("贷款申请记录")
        verbose_name_plural = _("贷款申请记录")
        ordering = ["application", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.from_status}→{self.to_status}"


class LoanStatus(models.TextChoices):
    CONTRACTED = "contracted", _("待签约放款")
    ACTIVE = "active", _("还款中")
    CLOSED = "closed", _("已结清")
    WRITTEN_OFF = "written_off", _("已核销")
    CANCELLED = "cancelled", _("已取消")


LOAN_TRANSITIONS: dict[str, set[str]] = {
    "": {LoanStatus.CONTRACTED},
    LoanStatus.CONTRACTED: {LoanStatus.ACTIVE, LoanStatus.CANCELLED},
    LoanStatus.ACTIVE: {LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF},
    LoanStatus.CLOSED: set(),
    LoanStatus.WRITTEN_OFF: set(),
    LoanStatus.CANCELLED: set(),
}


class LoanClass(models.TextChoices):
    """The five-category classification of a loan by its days past due (五级分类)."""

    NORMAL = "normal", _("正常")
    SPECIAL_MENTION = "special_mention", _("关注")
    SUBSTANDARD = "substandard", _("次级")
    DOUBTFUL = "doubtful", _("可疑")
    LOSS = "loss", _("损失")


class Loan(models.Model):
    """A loan contracted from an approved application: its terms as signed, its state, and what the
    nightly run last found (days past due, class, provision). Its principal receivable is the ledger
    account ``loan:<number>``."""

    number = models.CharField(_("合同编号"), max_length=20, unique=True)
    application = models.OneToOneField(
        LoanApplication, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="loan"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("借款人"), on_delete=models.PROTECT, related_name="+"
    )
    outlet = models.ForeignKey(
        "network.Outlet", verbose_name=_("受理网点"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "lending.LoanProduct", verbose_name=_("贷款产品"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("还款方式"), max_length=20)
    amount_fen = models.BigIntegerField(_("合同金额（分）"), help_text=_("随借随还为授信额度。"))
    annual_rate_bp = models.PositiveIntegerField(_("年利率（基点）"))
    penalty_rate_bp = models.PositiveIntegerField(_("罚息年利率（基点）"))
    grace_days = models.PositiveSmallIntegerField(_("宽限期（天）"))
    sweep_share_bp = models.PositiveIntegerField(_("销售回款扣还比例（基点）"))
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    harvest_months = models.JSONField(_("收获月份"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=15, choices=LoanStatus.choices)
    contracted_at = models.DateTimeField(_("合同生成时间"))
    disbursed_at = models.DateTimeField(_("放款时间"), null=True, blank=True)
    start_on = models.DateField(_("起息日"), null=True, blank=True)
    maturity_on = models.DateField(_("到期日"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结清/核销时间"), null=True, blank=True)
    principal_outstanding_fen = models.BigIntegerField(_("未还本金（分）"), default=0)
    days_past_due = models.PositiveIntegerField(_("逾期天数"), default=0)
    classification = models.CharField(
        _("五级分类"), max_length=20, choices=LoanClass.choices, default=LoanClass.NORMAL
    )
    provision_fen = models.BigIntegerField(_("损失准备（分）"), default=0)

    class Meta:
        verbose_name = _("贷款")
        verbose_name_plural = _("贷款")
        ordering = ["-contracted_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "classification"], name="loan_status_class"),
            models.Index(fields=["borrower", "status"], name="loan_borrower_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=LoanStatus.values), name="loan_status_valid"),
            models.CheckConstraint(
                condition=Q(classification__in=LoanClass.values), name="loan_classification_valid"
            ),
            models.CheckConstraint(
                condition=Q(principal_outstanding_fen__gte=0) & Q(provision_fen__gte=0),
                name="loan_outstanding_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class LoanEvent(models.Model):
    """A change of a loan's status, with who made it and why."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=15, choices=LoanStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=15, choices=LoanStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("贷款记录")
        verbose_name_plural = _("贷款记录")
        ordering = ["loan", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.from_status}→{self.to_status}"


class LoanInstallment(models.Model):
    """One installment of a loan: what falls due on ``due_on`` and what has been accrued and paid.

    ``interest_accrued_fen`` grows night by night to ``interest_fen`` on the due date (for a credit line,
    ``interest_fen`` itself grows by the day on what is drawn). ``penalty_fen`` is the penalty interest
    accrued on the installment's overdue principal. What is owed now is accrued less paid."""

    loan = models.ForeignKey(
        Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="installments"
    )
    n = models.PositiveSmallIntegerField(_("期次"))
    period_start_on = models.DateField(_("计息起日"))
    due_on = models.DateField(_("到期日"))
    due_day = models.IntegerField(_("到期日序号"))
    period_days = models.PositiveIntegerField(_("本期天数"))
    principal_fen = models.BigIntegerField(_("应还本金（分）"))
    interest_fen = models.BigIntegerField(_("应还利息（分）"))
    interest_accrued_fen = models.BigIntegerField(_("已计提利息（分）"), default=0)
    accrued_through_day = models.IntegerField(_("计提至（日序号）"))
    penalty_fen = models.BigIntegerField(_("罚息（分）"), default=0)
    penalty_through_day = models.IntegerField(_("罚息计至（日序号）"))
    principal_paid_fen = models.BigIntegerField(_("已还本金（分）"), default=0)
    interest_paid_fen = models.BigIntegerField(_("已还利息（分）"), default=0)
    penalty_paid_fen = models.BigIntegerField(_("已还罚息（分）"), default=0)
    settled_on = models.DateField(_("还清日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")
        ordering = ["loan", "n"]
        indexes = [models.Index(fields=["settled_on", "due_day"], name="loan_installment_open_due")]
        constraints = [
            models.UniqueConstraint(fields=["loan", "n"], name="loan_installment_number_once"),
            models.CheckConstraint(
                condition=Q(principal_fen__gte=0) & Q(interest_fen__gte=0) & Q(penalty_fen__gte=0),
                name="loan_installment_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(principal_paid_fen__gte=0)
                & Q(principal_paid_fen__lte=F("principal_fen"))
                & Q(interest_paid_fen__gte=0)
                & Q(interest_paid_fen__lte=F("interest_accrued_fen"))
                & Q(interest_accrued_fen__lte=F("interest_fen"))
                & Q(penalty_paid_fen__gte=0)
                & Q(penalty_paid_fen__lte=F("penalty_fen")),
                name="loan_installment_never_paid_beyond_owed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}#{self.n}"

    @property
    def principal_owed_fen(self) -> int:
        return self.principal_fen - self.principal_paid_fen

    @property
    def interest_owed_fen(self) -> int:
        return self.interest_accrued_fen - self.interest_paid_fen

    @property
    def penalty_owed_fen(self) -> int:
        return self.penalty_fen - self.penalty_paid_fen

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.interest_fen


class RepaymentSource(models.TextChoices):
    AUTO_DEBIT = "auto_debit", _("到期自动扣款")
    WALLET = "wallet", _("钱包还款")
    COUNTER_CASH = "counter_cash", _("站点现金还款")
    SWEEP = "sweep", _("销售回款扣还")


class LoanRepayment(models.Model):
    """Money collected for a loan, how, and how it was split (penalty → interest → principal);
    ``allocations`` lists each installment's share: ``[{"n", "penalty_fen", "interest_fen",
    "principal_fen"}]``."""

    loan = models.ForeignKey(
        Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="repayments"
    )
    source = models.CharField(_("还款方式"), max_length=15, choices=RepaymentSource.choices)
    transfer_prefix = models.CharField(_("记账编号"), max_length=56, unique=True)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    penalty_fen = models.BigIntegerField(_("罚息（分）"))
    interest_fen = models.BigIntegerField(_("利息（分）"))
    principal_fen = models.BigIntegerField(_("本金（分）"))
    is_early = models.BooleanField(_("提前还款"), default=False)
    allocations = models.JSONField(_("分配"), default=list)
    outlet = models.ForeignKey(
        "network.Outlet",
        verbose_name=_("收款网点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reference = models.CharField(_("来源"), max_length=64, blank=True, help_text=_("销售回款的订单号。"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("还款时间"))
    business_on = models.DateField(_("营业日"))

    class Meta:
        verbose_name = _("还款")
        verbose_name_plural = _("还款")
        ordering = ["-paid_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0)
                & Q(amount_fen=F("penalty_fen") + F("interest_fen") + F("principal_fen")),
                name="loan_repayment_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(source__in=RepaymentSource.values), name="loan_repayment_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.transfer_prefix


class CollectionNoteKind(models.TextChoices):
    CALL = "call", _("电话")
    VISIT = "visit", _("上门")
    PROMISE = "promise", _("承诺还款")


class LoanCollectionNote(models.Model):
    """A loan officer's call or visit about an overdue loan, and any promise to pay."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("方式"), max_length=10, choices=CollectionNoteKind.choices)
    note = models.CharField(_("记录"), max_length=300)
    promised_on = models.DateField(_("承诺还款日"), null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("催收记录")
        verbose_name_plural = _("催收记录")
        ordering = ["loan", "-written_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CollectionNoteKind.values), name="loan_note_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.kind}"


class LendingNight(models.Model):
    """One nightly run for a business day and what it did (the officer's page shows the last)."""

    business_on = models.DateField(_("营业日"), unique=True)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"))
    loan_count = models.PositiveIntegerField(_("在贷笔数"))
    interest_accrued_fen = models.BigIntegerField(_("计提利息（分）"))
    penalty_accrued_fen = models.BigIntegerField(_("计提罚息（分）"))
    debited_count = models.PositiveIntegerField(_("自动扣款笔数"))
    debited_fen = models.BigIntegerField(_("自动扣款金额（分）"))
    provision_change_fen = models.BigIntegerField(_("损失准备变动（分）"))

    class Meta:
        verbose_name = _("日终批处理")
        verbose_name_plural = _("日终批处理")
        ordering = ["-business_on"]

    def __str__(self) -> str:
        return str(self.business_on)
