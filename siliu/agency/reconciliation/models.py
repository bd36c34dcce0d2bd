"""Reconciliation (对账) of a provider's daily statement against our transactions (ADR 0024).

A :class:`Statement` is one file a provider sent for one business day, with its :class:`StatementLine`
rows. Importing it pairs its lines with our transactions of that provider and day by number, and each
pair (or lone line, or lone transaction) is a :class:`StatementItem`: *matched*, or a mismatch — *amount
differs*, *missing on our side*, *missing on theirs* — that a county manager resolves. Each resolution
fixes what the item is settled at (``agreed_fen``); once every mismatch is resolved the day is settled
for the sum of them.

Statuses follow ``ALLOWED_TRANSITIONS``; every change appends a :class:`StatementEvent` or a
:class:`StatementItemEvent` in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siliu.agency.catalogue import AgencyService, AgencyTransaction, Provider


class StatementStatus(models.TextChoices):
    OPEN = "open", _("对账中")
    SETTLED = "settled", _("已结算")
    SUPERSEDED = "superseded", _("已被新文件替换")


class Statement(models.Model):
    """A provider's statement of one business day, as imported (the file's fingerprint, who and when),
    and its settlement. At most one statement of a provider and day is not superseded."""

    ALLOWED_TRANSITIONS = {
        StatementStatus.OPEN: {StatementStatus.SETTLED, StatementStatus.SUPERSEDED},
        StatementStatus.SETTLED: set(),
        StatementStatus.SUPERSEDED: set(),
    }

    provider = models.ForeignKey(
        Provider, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="statements"
    )
    business_on = models.DateField(_("对账日"))
    status = models.CharField(
        _("状态"), max_length=12, choices=StatementStatus.choices, default=StatementStatus.OPEN
    )
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    line_count = models.PositiveIntegerField(_("行数"))
    total_fen = models.BigIntegerField(_("对账单金额合计（分）"), help_text=_("代收为正、代付为负。"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"))
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("替换的对账单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结算人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("结算时间"), null=True, blank=True)
    settlement_fen = models.BigIntegerField(
        _("结算金额（分）"), null=True, blank=True, help_text=_("正数为付给委托方，负数为委托方付给平台。")
    )
    settlement_transfer_id = models.CharField(_("结算转账"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("委托方对账单")
        verbose_name_plural = _("委托方对账单")
        ordering = ["-business_on", "provider__code", "-imported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=StatementStatus.values), name="agency_statement_status_valid"
            ),
            models.UniqueConstraint(
                fields=["provider", "business_on"],
                condition=~Q(status=StatementStatus.SUPERSEDED),
                name="agency_statement_one_current_per_day",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=StatementStatus.SETTLED,
                    settled_at__isnull=False,
                    settled_by__isnull=False,
                    settlement_fen__isnull=False,
                )
                | (
                    ~Q(status=StatementStatus.SETTLED)
                    & Q(settled_at__isnull=True, settled_by__isnull=True, settlement_fen__isnull=True)
                ),
                name="agency_statement_settled_with_time_and_amount",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="agency_statement_sha256"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.business_on}"


class StatementLine(models.Model):
    """One row of a statement file, as the provider wrote it (amounts in fen)."""

    statement = models.ForeignKey(
        Statement, verbose_name=_("对账单"), on_delete=models.CASCADE, related_name="lines"
    )
    line_number = models.PositiveIntegerField(_("文件行号"))
    number = models.CharField(_("流水号"), max_length=24)
    provider_number = models.CharField(_("委托方流水号"), max_length=40)
    occurred_at = models.DateTimeField(_("交易时间"))
    service = models.ForeignKey(
        AgencyService, verbose_name=_("业务"), on_delete=models.PROTECT, related_name="statement_lines"
    )
    amount_fen = models.BigIntegerField(_("金额（分）"))
    account_display = models.CharField(_("客户标识"), max_length=40)

    class Meta:
        verbose_name = _("对账单明细行")
        verbose_name_plural = _("对账单明细行")
        ordering = ["statement", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="agency_statement_line_number_once"),
            models.UniqueConstraint(
                fields=["statement", "line_number"], name="agency_statement_line_position_once"
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gte=1), name="agency_statement_line_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.line_number} {self.number}"


class ItemKind(models.TextChoices):
    MATCHED = "matched", _("一致")
    AMOUNT_DIFFERS = "amount_differs", _("金额不符")
    MISSING_OURS = "missing_ours", _("我方无此笔")
    MISSING_THEIRS = "missing_theirs", _("委托方无此笔")


class ItemStatus(models.TextChoices):
    AGREED = "agreed", _("无需处理")
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")


class Resolution(models.TextChoices):
    INCLUDE = "include", _("按我方记录结算（委托方补记）")
    REVERSE = "reverse", _("冲正我方交易（柜台退款）")
    ACCEPT = "accept", _("按委托方记录入账（计入长短款）")
    DISPUTE = "dispute", _("提出异议，不结算（委托方更正）")
    OURS = "ours", _("以我方金额为准")
    THEIRS = "theirs", _("以委托方金额为准（差额入长短款）")


#: The resolutions a mismatch of each kind can take.
RESOLUTIONS_BY_KIND: dict[str, tuple[Resolution, ...]] = {
    ItemKind.MISSING_THEIRS: (Resolution.INCLUDE, Resolution.REVERSE),
    ItemKind.MISSING_OURS: (Resolution.ACCEPT, Resolution.DISPUTE),
    ItemKind.AMOUNT_DIFFERS: (Resolution.OURS, Resolution.THEIRS),
}


class StatementItem(models.Model):
    """A line and our transaction paired by number, or one of them alone, and what it is settled at.

    ``ours_provider_fen`` / ``theirs_provider_fen``: what the platform owes the provider for it by our
    record and by theirs (negative: what the provider owes for a pay-out). ``agreed_fen`` is what goes
    into the day's settlement: set on import for a matched pair, by the resolution for a mismatch.
    ``booked_fen`` is what the resolution booked to the provider's clearing account (positive: owed
    more), so that the account keeps owing exactly the agreed sum.
    """

    ALLOWED_TRANSITIONS = {
        ItemStatus.AGREED: set(),
        ItemStatus.OPEN: {ItemStatus.RESOLVED},
        ItemStatus.RESOLVED: set(),
    }

    statement = models.ForeignKey(
        Statement, verbose_name=_("对账单"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ItemKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices)
    line = models.OneToOneField(
        StatementLine,
        verbose_name=_("对账单行"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="item",
    )
    transaction = models.ForeignKey(
        AgencyTransaction,
        verbose_name=_("我方流水"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_items",
    )
    ours_amount_fen = models.BigIntegerField(_("我方金额（分）"), null=True, blank=True)
    theirs_amount_fen = models.BigIntegerField(_("委托方金额（分）"), null=True, blank=True)
    ours_provider_fen = models.BigIntegerField(_("我方应付委托方（分）"), null=True, blank=True)
    theirs_provider_fen = models.BigIntegerField(_("委托方所列应付（分）"), null=True, blank=True)
    agreed_fen = models.BigIntegerField(_("结算金额（分）"), null=True, blank=True)
    booked_fen = models.BigIntegerField(_("调整入账（分）"), default=0)
    resolution = models.CharField(_("处理方式"), max_length=10, choices=Resolution.choices, blank=True)
    note = models.CharField(_("处理说明"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("对账明细")
        verbose_name_plural = _("对账明细")
        ordering = ["statement", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="agency_item_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ItemStatus.values), name="agency_item_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(resolution="") | Q(resolution__in=Resolution.values),
                name="agency_item_resolution_valid",
            ),
            # A matched pair is agreed at once; a mismatch is open until resolved, then has its
            # resolution, its amount and who resolved it when.
            models.CheckConstraint(
                condition=Q(kind=ItemKind.MATCHED, status=ItemStatus.AGREED, agreed_fen__isnull=False)
                | Q(
                    ~Q(kind=ItemKind.MATCHED),
                    status=ItemStatus.OPEN,
                    agreed_fen__isnull=True,
                    resolution="",
                    resolved_at__isnull=True,
                )
                | Q(
                    ~Q(kind=ItemKind.MATCHED),
                    ~Q(resolution=""),
                    status=ItemStatus.RESOLVED,
                    agreed_fen__isnull=False,
                    resolved_at__isnull=False,
                    resolved_by__isnull=False,
                ),
                name="agency_item_status_consistent",
            ),
            models.CheckConstraint(
                condition=Q(kind=ItemKind.MISSING_THEIRS, line__isnull=True, transaction__isnull=False)
                | Q(kind=ItemKind.MISSING_OURS, line__isnull=False)
                | Q(
                    kind__in=[ItemKind.MATCHED, ItemKind.AMOUNT_DIFFERS],
                    line__isnull=False,
                    transaction__isnull=False,
                ),
                name="agency_item_sides_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.get_kind_display()}"

    @property
    def number(self) -> str:
        if self.line is not None:
            return self.line.number
        return self.transaction.number if self.transaction is not None else ""

    @property
    def resolutions(self) -> tuple[Resolution, ...]:
        """The resolutions this item can take (none once resolved, none for a matched pair)."""
        return RESOLUTIONS_BY_KIND.get(self.kind, ()) if self.status == ItemStatus.OPEN else ()


class StatementEventKind(models.TextChoices):
    IMPORTED = "imported", _("导入")
    SUPERSEDED = "superseded", _("被新文件替换")
    SETTLED = "settled", _("结算")


class StatementEvent(models.Model):
    """One step of a statement, appended, never changed."""

    statement = models.ForeignKey(
        Statement, verbose_name=_("对账单"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=StatementEventKind.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=StatementStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=StatementStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT)
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("对账单记录")
        verbose_name_plural = _("对账单记录")
        ordering = ["statement", "occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=StatementEventKind.values), name="agency_statement_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.kind}"


class StatementItemEvent(models.Model):
    """A mismatch's resolution: who, when, how and why; appended, never changed."""

    item = models.ForeignKey(
        StatementItem, verbose_name=_("对账明细"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=ItemStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ItemStatus.choices)
    resolution = models.CharField(_("处理方式"), max_length=10, choices=Resolution.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT)
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("对账明细处理记录")
        verbose_name_plural = _("对账明细处理记录")
        ordering = ["item", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.from_status}→{self.to_status}"


__all__ = [
    "RESOLUTIONS_BY_KIND",
    "ItemKind",
    "ItemStatus",
    "Resolution",
    "Statement",
    "StatementEvent",
    "StatementEventKind",
    "StatementItem",
    "StatementItemEvent",
    "StatementLine",
    "StatementStatus",
]
