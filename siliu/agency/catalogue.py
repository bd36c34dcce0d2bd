"""The agency catalogue (代理便民服务): providers, the services they let stations handle with their fee and
commission rules, and which outlet offers which (issue #14).

Staff keep these in the admin; the demo county has a set (:mod:`siliu.demo.agency`). A service is a
*payment* (the customer pays the provider through the station: electricity, water, a mobile top-up,
a social insurance contribution) or a *payout* (the provider pays the customer through the station: a
pension, a subsidy, a cash withdrawal from a bank card, 助农取款).

The handling fee of a transaction is ``fee_fixed_fen + amount × fee_rate_bp / 10,000`` (rounded half
up), held between ``fee_min_fen`` and ``fee_max_fen``; ``fee_payer`` says who pays it. Paid by the
customer, it is on top of a payment (or taken from a payout); paid by the provider, it is kept out of
what the platform remits (or added to what the provider owes back), i.e. the provider's commission.
Either way it is the agency's income, split between the station (``station_share_bp``) and the
platform (the rest), in whole fen.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

BASIS_POINTS = 10_000


class ProviderKind(models.TextChoices):
    POWER = "power", _("供电公司")
    WATER = "water", _("供水公司")
    TELECOM = "telecom", _("通信运营商")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险经办机构")
    CIVIL_AFFAIRS = "civil_affairs", _("民政、农业农村部门（补贴）")
    BANK = "bank", _("银行")


class Provider(models.Model):
    """A company or office on whose behalf stations take payments or make pay-outs; the platform owes it
    (or is owed by it) through one clearing account, settled day by day against its statement."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类别"), max_length=20, choices=ProviderKind.choices)
    county = models.ForeignKey(
        "network.Region",
        verbose_name=_("所属县"),
        on_delete=models.PROTECT,
        related_name="agency_providers",
        help_text=_("由该县县域经理对账、结算；留空表示由全网财务对账。"),
        null=True,
        blank=True,
    )
    contact = models.CharField(_("对账联系人及电话"), max_length=80, blank=True)
    is_active = models.BooleanField(_("合作中"), default=True)

    class Meta:
        verbose_name = _("代理业务委托方")
        verbose_name_plural = _("代理业务委托方")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProviderKind.values), name="agency_provider_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    PAYMENT = "payment", _("代收（缴费）")
    PAYOUT = "payout", _("代付（取款、发放）")


class AccountKind(models.TextChoices):
    """What identifies the customer at the provider, and so how it is checked and shown."""

    METER = "meter", _("户号")
    MOBILE = "mobile", _("手机号")
    RESIDENT_ID = "resident_id", _("身份证号")
    BANK_CARD = "bank_card", _("银行卡号")


#: Account kinds that are personal data: stored as a keyed hash and a masked form, never in full.
PRIVATE_ACCOUNT_KINDS = frozenset({AccountKind.RESIDENT_ID, AccountKind.BANK_CARD})


class FeePayer(models.TextChoices):
    CUSTOMER = "customer", _("客户")
    PROVIDER = "provider", _("委托方")


class AgencyService(models.Model):
    """One service a provider lets stations handle, with its amounts, fee and commission split."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    provider = models.ForeignKey(
        Provider, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="services"
    )
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    account_kind = models.CharField(_("客户标识"), max_length=12, choices=AccountKind.choices)
    min_amount_fen = models.BigIntegerField(_("单笔最低（分）"), default=1)
    max_amount_fen = models.BigIntegerField(_("单笔最高（分）"))
    fee_fixed_fen = models.BigIntegerField(_("每笔固定手续费（分）"), default=0)
    fee_rate_bp = models.PositiveIntegerField(_("按金额手续费（万分之）"), default=0)
    fee_min_fen = models.BigIntegerField(_("手续费下限（分）"), default=0)
    fee_max_fen = models.BigIntegerField(_("手续费上限（分）"), null=True, blank=True)
    fee_payer = models.CharField(_("手续费由谁付"), max_length=10, choices=FeePayer.choices)
    station_share_bp = models.PositiveIntegerField(
        _("站点分成（万分之）"), help_text=_("手续费（佣金）中归站点的份额，其余归平台。")
    )
    daily_limit_per_account_fen = models.BigIntegerField(
        _("每人每日限额（分）"),
        null=True,
        blank=True,
        help_text=_("代付业务同一卡号或身份证号每个营业日最多领取的金额；留空不限。"),
    )
    is_active = models.BooleanField(_("可办理"), default=True)

    class Meta:
        verbose_name = _("代理服务")
        verbose_name_plural = _("代理服务")
        ordering = ["provider__code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="agency_service_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(account_kind__in=AccountKind.values), name="agency_service_account_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(fee_payer__in=FeePayer.values), name="agency_service_fee_payer_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_amount_fen__gte=1, max_amount_fen__gte=F("min_amount_fen")),
                name="agency_service_amount_range",
            ),
            models.CheckConstraint(
                condition=Q(fee_fixed_fen__gte=0, fee_min_fen__gte=0)
                & (Q(fee_max_fen__isnull=True) | Q(fee_max_fen__gte=F("fee_min_fen"))),
                name="agency_service_fee_range",
            ),
            models.CheckConstraint(
                condition=Q(station_share_bp__lte=BASIS_POINTS), name="agency_service_share_range"
            ),
            models.CheckConstraint(
                condition=Q(daily_limit_per_account_fen__isnull=True) | Q(daily_limit_per_account_fen__gte=1),
                name="agency_service_daily_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_payout(self) -> bool:
        return self.direction == Direction.PAYOUT


class OutletService(models.Model):
    """A service offered at an outlet (the station's catalogue)."""

    outlet = models.ForeignKey(
        "network.Outlet", verbose_name=_("网点"), on_delete=models.CASCADE, related_name="agency_services"
    )
    service = models.ForeignKey(
        AgencyService, verbose_name=_("代理服务"), on_delete=models.CASCADE, related_name="outlets"
    )
    is_active = models.BooleanField(_("可办理"), default=True)

    class Meta:
        verbose_name = _("网点代理服务")
        verbose_name_plural = _("网点代理服务")
        ordering = ["outlet__code", "service__code"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "service"], name="agency_outlet_service_once")
        ]

    def __str__(self) -> str:
        return f"{self.outlet} · {self.service}"


class PaidWith(models.TextChoices):
    CASH = "cash", _("现金")
    WALLET = "wallet", _("钱包")


class TransactionStatus(models.TextChoices):
    DONE = "done", _("已办理")
    REVERSED = "reversed", _("已冲正")


class AgencyTransaction(models.Model):
    """One payment or pay-out handled at a station, as booked in the ledger (reference
    ``agency:<number>``) and as the provider's statement will list it (by ``number``).

    ``amount_fen`` is the bill or the sum paid out; ``fee_fen`` the handling fee, split into
    ``station_fee_fen`` and ``platform_fee_fen``; ``customer_fen`` what changed hands with the customer
    (a payment: amount + fee when the customer pays it; a pay-out: amount − fee when the customer pays
    it); ``provider_fen`` what the provider is owed for it (negative: what it owes the platform).
    """

    number = models.CharField(_("流水号"), max_length=24, unique=True)
    outlet = models.ForeignKey(
        "network.Outlet", verbose_name=_("网点"), on_delete=models.PROTECT, related_name="agency_transactions"
    )
    service = models.ForeignKey(
        AgencyService, verbose_name=_("代理服务"), on_delete=models.PROTECT, related_name="transactions"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="transactions"
    )
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    account_display = models.CharField(_("客户标识"), max_length=40)
    account_hash = models.CharField(_("客户标识查找散列"), max_length=64, db_index=True)
    customer_name = models.CharField(_("客户姓名"), max_length=40, blank=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客户账户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agency_transactions",
    )
    paid_with = models.CharField(_("支付方式"), max_length=10, choices=PaidWith.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    fee_fen = models.BigIntegerField(_("手续费（分）"))
    fee_payer = models.CharField(_("手续费由谁付"), max_length=10, choices=FeePayer.choices)
    station_fee_fen = models.BigIntegerField(_("站点分成（分）"))
    platform_fee_fen = models.BigIntegerField(_("平台分成（分）"))
    customer_fen = models.BigIntegerField(_("客户实付/实收（分）"))
    provider_fen = models.BigIntegerField(_("应付委托方（分）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=TransactionStatus.choices, default=TransactionStatus.DONE
    )
    occurred_at = models.DateTimeField(_("办理时间"))
    business_on = models.DateField(_("营业日"))
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办"),
        on_delete=models.PROTECT,
        related_name="agency_transactions_handled",
    )
    reversed_at = models.DateTimeField(_("冲正时间"), null=True, blank=True)
    reversal_reason = models.CharField(_("冲正原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("代理业务流水")
        verbose_name_plural = _("代理业务流水")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "business_on"]),
            models.Index(fields=["outlet", "business_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="agency_transaction_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(paid_with__in=PaidWith.values), name="agency_transaction_paid_with_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransactionStatus.values), name="agency_transaction_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gte=1, fee_fen__gte=0, customer_fen__gte=1),
                name="agency_transaction_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(fee_fen=F("station_fee_fen") + F("platform_fee_fen"), station_fee_fen__gte=0),
                name="agency_transaction_fee_split",
            ),
            models.CheckConstraint(
                condition=Q(direction="payment") | Q(paid_with="cash"), name="agency_payout_in_cash"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PayeeDay(models.Model):
    """What one card or ID number has drawn in pay-outs on a business day: the row a pay-out locks to
    hold the per-person daily limit, whichever station the person goes to."""

    service = models.ForeignKey(AgencyService, verbose_name=_("代理服务"), on_delete=models.CASCADE)
    account_hash = models.CharField(_("客户标识查找散列"), max_length=64)
    business_on = models.DateField(_("营业日"))
    paid_fen = models.BigIntegerField(_("已领取（分）"), default=0)

    class Meta:
        verbose_name = _("代付每日累计")
        verbose_name_plural = _("代付每日累计")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "account_hash", "business_on"], name="agency_payee_day_once"
            ),
            models.CheckConstraint(condition=Q(paid_fen__gte=0), name="agency_payee_day_paid_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.business_on}"
