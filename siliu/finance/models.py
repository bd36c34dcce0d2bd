"""The ledger: accounts, transfers between them (TigerBeetle's model), entries, and closed counter days.

Sign conventions (see ``docs/adr/0002-ledger-model.md``): every account keeps four non-negative
counters, ``debits_posted``, ``credits_posted``, ``debits_pending``, ``credits_pending``. Its *balance*
is read on its normal side: ``debits − credits`` for assets and expenses, ``credits − debits`` for
liabilities, income and equity. An account that may not go negative refuses any transfer that would
push its outgoing side (posted + pending) past its incoming posted side; the database checks it too.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

#: Client-chosen transfer ids: letters, digits and ``. _ : -``, at most 64 characters (a UUID fits).
TRANSFER_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"


class AccountType(models.TextChoices):
    ASSET = "asset", _("资产")
    LIABILITY = "liability", _("负债")
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("费用")
    EQUITY = "equity", _("所有者权益")


#: Account types whose balance is debits − credits; the others read credits − debits.
DEBIT_NORMAL_TYPES = frozenset({AccountType.ASSET, AccountType.EXPENSE})
_DEBIT_NORMAL = [AccountType.ASSET.value, AccountType.EXPENSE.value]
_CREDIT_NORMAL = [AccountType.LIABILITY.value, AccountType.INCOME.value, AccountType.EQUITY.value]


class Account(models.Model):
    """A ledger account: a wallet, an outlet's cash drawer, escrow, an income or expense heading."""

    code = models.CharField(_("科目代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    type = models.CharField(_("类型"), max_length=10, choices=AccountType.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所属用户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    owner_outlet = models.ForeignKey(
        "network.Outlet",
        verbose_name=_("所属网点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    owner_reference = models.CharField(
        _("所属对象"),
        max_length=64,
        blank=True,
        help_text=_("其他对象（如订单担保、贷款）的引用，例如 order:123。"),
    )
    allows_negative = models.BooleanField(_("允许负余额"), default=False)
    debits_posted = models.BigIntegerField(_("已入账借方（分）"), default=0)
    credits_posted = models.BigIntegerField(_("已入账贷方（分）"), default=0)
    debits_pending = models.BigIntegerField(_("待定借方（分）"), default=0)
    credits_pending = models.BigIntegerField(_("待定贷方（分）"), default=0)
    created_at = models.DateTimeField(_("开立时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=AccountType.values), name="account_type_valid"),
            models.CheckConstraint(
                condition=Q(debits_posted__gte=0)
                & Q(credits_posted__gte=0)
                & Q(debits_pending__gte=0)
                & Q(credits_pending__gte=0),
                name="account_counters_not_negative",
            ),
            # A credit-normal account that may not go negative (a customer wallet): what leaves it,
            # posted or reserved, never exceeds what has been posted into it. Mirror for debit-normal.
            models.CheckConstraint(
                condition=Q(allows_negative=True)
                | Q(type__in=_DEBIT_NORMAL)
                | Q(credits_posted__gte=F("debits_posted") + F("debits_pending")),
                name="account_debits_within_credits",
            ),
            models.CheckConstraint(
                condition=Q(allows_negative=True)
                | Q(type__in=_CREDIT_NORMAL)
                | Q(debits_posted__gte=F("credits_posted") + F("credits_pending")),
                name="account_credits_within_debits",
            ),
            models.UniqueConstraint(
                fields=["owner_user"],
                condition=Q(code__startswith="wallet:"),
                name="account_one_wallet_per_user",
            ),
            models.UniqueConstraint(
                fields=["owner_outlet"],
                condition=Q(code__startswith="cash:"),
                name="account_one_cash_per_outlet",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_debit_normal(self) -> bool:
        return self.type in DEBIT_NORMAL_TYPES

    @property
    def balance_fen(self) -> int:
        """Posted balance on the account's normal side."""
        if self.is_debit_normal:
            return self.debits_posted - self.credits_posted
        return self.credits_posted - self.debits_posted

    @property
    def pending_out_fen(self) -> int:
        """Reserved by pending transfers on the side that lowers the balance."""
        return self.credits_pending if self.is_debit_normal else self.debits_pending

    @property
    def pending_in_fen(self) -> int:
        """Reserved by pending transfers on the side that raises the balance."""
        return self.debits_pending if self.is_debit_normal else self.credits_pending

    @property
    def available_fen(self) -> int:
        """What can still be spent: the posted balance less pending outflows."""
        return self.balance_fen - self.pending_out_fen


class TransferKind(models.TextChoices):
    POSTED = "posted", _("直接入账")
    PENDING = "pending", _("预留（待定）")
    POST_PENDING = "post_pending", _("确认预留")
    VOID_PENDING = "void_pending", _("撤销预留")


class PendingState(models.TextChoices):
    PENDING = "pending", _("待定")
    POSTED = "posted", _("已确认")
    VOIDED = "voided", _("已撤销")
    EXPIRED = "expired", _("已过期")


class Transfer(models.Model):
    """A movement of ``amount_fen`` from ``debit_account`` to ``credit_account``, never edited.

    ``id`` is chosen by the client and is the idempotency key. A ``pending`` transfer only reserves the
    amount (the ``*_pending`` counters) until a ``post_pending`` transfer posts it (possibly less) or a
    ``void_pending`` one, or its expiry, releases it; ``state`` tracks that and is the one column that
    changes after insert. ``linked`` chains it to the next transfer of the same batch.
    """

    id = models.CharField(_("转账编号"), max_length=64, primary_key=True)
    kind = models.CharField(
        _("类型"), max_length=12, choices=TransferKind.choices, default=TransferKind.POSTED
    )
    debit_account = models.ForeignKey(
        Account, verbose_name=_("借方账户"), on_delete=models.PROTECT, related_name="debit_transfers"
    )
    credit_account = models.ForeignKey(
        Account, verbose_name=_("贷方账户"), on_delete=models.PROTECT, related_name="credit_transfers"
    )
    amount_fen = models.BigIntegerField(_("金额（分）"))
    # No index of its own: ``transfer_pending_resolved_once`` (unique, where not null) serves lookups.
    pending_transfer = models.ForeignKey(
        "self",
        verbose_name=_("对应的预留转账"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolutions",
        db_index=False,
    )
    linked = models.BooleanField(_("与下一笔关联"), default=False)
    category = models.CharField(
        _("业务类别"), max_length=40, blank=True, help_text=_("如 cash_in、cash_out、cash_over_short。")
    )
    reference = models.CharField(_("业务引用"), max_length=100, blank=True)
    timeout_seconds = models.PositiveIntegerField(_("超时（秒）"), default=0)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    state = models.CharField(
        _("预留状态"), max_length=10, choices=PendingState.choices, blank=True, help_text=_("仅预留转账有。")
    )
    resolved_at = models.DateTimeField(_("预留了结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("转账")
        verbose_name_plural = _("转账")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(id__regex=TRANSFER_ID_PATTERN), name="transfer_id_format"),
            models.CheckConstraint(condition=Q(kind__in=TransferKind.values), name="transfer_kind_valid"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")), name="transfer_accounts_different"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=[TransferKind.POST_PENDING, TransferKind.VOID_PENDING])
                    & Q(pending_transfer__isnull=False)
                )
                | (
                    Q(kind__in=[TransferKind.POSTED, TransferKind.PENDING]) & Q(pending_transfer__isnull=True)
                ),
                name="transfer_pending_id_iff_resolution",
            ),
            models.CheckConstraint(
                condition=(Q(kind=TransferKind.PENDING) & Q(state__in=PendingState.values))
                | (~Q(kind=TransferKind.PENDING) & Q(state="")),
                name="transfer_state_iff_pending",
            ),
            models.CheckConstraint(
                condition=Q(kind=TransferKind.PENDING) | (Q(timeout_seconds=0) & Q(expires_at__isnull=True)),
                name="transfer_timeout_only_pending",
            ),
            # A pending transfer is posted or voided at most once, whatever the service layer does.
            models.UniqueConstraint(
                fields=["pending_transfer"],
                condition=Q(pending_transfer__isnull=False),
                name="transfer_pending_resolved_once",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "expires_at"], name="transfer_pending_expiry"),
            models.Index(fields=["reference"], name="transfer_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.id}: {self.debit_account_id} → {self.credit_account_id} {self.amount_fen}"


class EntrySide(models.TextChoices):
    DEBIT = "debit", _("借")
    CREDIT = "credit", _("贷")


class Entry(models.Model):
    """One side of a posted amount on one account, with the account's balance after it.

    Written for ``posted`` and ``post_pending`` transfers (two rows each, one per side); reservations
    and their release show in the ``*_pending`` counters and the transfer's ``state`` instead. So an
    account's ``debits_posted`` and ``credits_posted`` are exactly the sums of its entries.
    """

    # Neither foreign key has an index of its own: ``entry_account_time`` (account, created_at) and
    # ``entry_one_per_side`` (transfer, side) begin with them and serve their lookups. Every index is
    # written twice per posted transfer.
    account = models.ForeignKey(
        Account, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    transfer = models.ForeignKey(
        Transfer, verbose_name=_("转账"), on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    side = models.CharField(_("方向"), max_length=6, choices=EntrySide.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    balance_fen = models.BigIntegerField(_("余额（分）"), help_text=_("本笔后账户在其正常方向上的余额。"))
    created_at = models.DateTimeField(_("记账时间"))

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        ordering = ["account", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=EntrySide.values), name="entry_side_valid"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="entry_amount_positive"),
            models.UniqueConstraint(fields=["transfer", "side"], name="entry_one_per_side"),
        ]
        indexes = [models.Index(fields=["account", "created_at"], name="entry_account_time")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.side} {self.amount_fen}"


class CashDayClose(models.Model):
    """The daily close (日结) of an outlet's counter: counted cash against the ledger's expectation.

    Once a business day is closed, or its close waits for sign-off, no more counter cash is taken or
    paid for it. A close whose difference is over ``SILIU_DAY_CLOSE_SIGNOFF_FEN`` (``needs_sign_off``)
    books nothing until a county manager signs it off (:class:`CashDayCloseSignOff`, which then holds
    the difference's transfer): both rows are history, never updated.
    """

    outlet = models.ForeignKey(
        "network.Outlet", verbose_name=_("网点"), on_delete=models.PROTECT, related_name="cash_day_closes"
    )
    business_on = models.DateField(_("营业日"))
    expected_cash_fen = models.BigIntegerField(_("账面现金（分）"))
    counted_cash_fen = models.BigIntegerField(_("实点现金（分）"))
    difference_fen = models.BigIntegerField(
        _("长短款（分）"), help_text=_("实点减账面：正为长款，负为短款。")
    )
    adjustment_transfer = models.OneToOneField(
        Transfer,
        verbose_name=_("长短款转账"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("日结人"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("日结时间"))
    needs_sign_off = models.BooleanField(
        _("需县级签核"), default=False, help_text=_("长短款超过签核限额：县级管理员签核后才入账。")
    )

    class Meta:
        verbose_name = _("网点日结")
        verbose_name_plural = _("网点日结")
        ordering = ["-business_on", "outlet"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "business_on"], name="cash_day_close_once"),
            models.CheckConstraint(
                condition=Q(counted_cash_fen__gte=0), name="cash_day_close_counted_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(difference_fen=F("counted_cash_fen") - F("expected_cash_fen")),
                name="cash_day_close_difference",
            ),
            models.CheckConstraint(
                condition=(
                    Q(needs_sign_off=True) & ~Q(difference_fen=0) & Q(adjustment_transfer__isnull=True)
                )
                | (Q(needs_sign_off=False) & Q(difference_fen=0) & Q(adjustment_transfer__isnull=True))
                | (Q(needs_sign_off=False) & ~Q(difference_fen=0) & Q(adjustment_transfer__isnull=False)),
                name="cash_day_close_adjustment_iff_difference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.business_on}"

    @property
    def is_pending(self) -> bool:
        """Waiting for a county manager's sign-off (``sign_off`` must be loaded or queried)."""
        return self.needs_sign_off and not hasattr(self, "sign_off")


class CashDayCloseSignOff(models.Model):
    """A county manager's sign-off (签核) of a day close whose difference was over the limit.

    The difference is booked with it (``adjustment_transfer``), as a close under the limit books it.
    """

    close = models.OneToOneField(
        CashDayClose, verbose_name=_("日结"), on_delete=models.PROTECT, related_name="sign_off"
    )
    adjustment_transfer = models.OneToOneField(
        Transfer, verbose_name=_("长短款转账"), on_delete=models.PROTECT, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签核人"), on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(_("签核时间"))

    class Meta:
        verbose_name = _("日结签核")
        verbose_name_plural = _("日结签核")

    def __str__(self) -> str:
        return f"{self.close} ✓ {self.signed_off_by_id}"
