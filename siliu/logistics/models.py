"""Parcels and everything that prices, routes and tracks them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from siliu.network.models import Outlet


class Zone(models.TextChoices):
    SAME_TOWNSHIP = "same_township", _("同乡镇")
    SAME_COUNTY = "same_county", _("同县")
    SAME_PROVINCE = "same_province", _("同省")
    OTHER_PROVINCE = "other_province", _("跨省")


#: Zones reached through the county hub's trunk links, out of the county network.
TRUNK_ZONES = (Zone.SAME_PROVINCE, Zone.OTHER_PROVINCE)


class Product(models.Model):
    """A postal product with its terms: how it is numbered, priced, promised and compensated."""

    code = models.SlugField(_("产品代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    is_letter = models.BooleanField(_("信函"), default=False)
    is_registered = models.BooleanField(_("挂号"), default=False)
    max_weight_g = models.PositiveIntegerField(_("最大重量（克）"))
    volumetric_divisor = models.PositiveIntegerField(
        _("体积重系数（立方厘米/千克）"), default=0, help_text=_("0 表示不计体积重。")
    )
    insurance_rate_bp = models.PositiveIntegerField(_("保价费率（万分之）"), default=0)
    insurance_min_fen = models.PositiveIntegerField(_("最低保价费（分）"), default=0)
    cod_rate_bp = models.PositiveIntegerField(_("代收货款费率（万分之）"), default=0)
    cod_min_fen = models.PositiveIntegerField(_("最低代收货款手续费（分）"), default=0)
    consolidated_discount_bp = models.PositiveIntegerField(
        _("农村集约投递折扣（万分之）"), default=0, help_text=_("随乡村双向投递班次运输的邮件的邮费折扣。")
    )
    handling_minutes = models.PositiveIntegerField(_("每个节点处理时长（分钟）"), default=30)
    delivery_buffer_minutes = models.PositiveIntegerField(
        _("到达投递网点后承诺投递时长（分钟）"), default=240
    )
    no_scan_alert_hours = models.PositiveIntegerField(_("无扫描告警时长（小时）"), default=24)
    uninsured_cap_fen = models.PositiveBigIntegerField(
        _("未保价赔偿上限（分）"), default=0, help_text=_("快递未保价邮件的赔偿上限；0 表示按邮费倍数规则。")
    )
    is_active = models.BooleanField(_("在售"), default=True)

    class Meta:
        verbose_name = _("寄递产品")
        verbose_name_plural = _("寄递产品")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_weight_g__gt=0), name="product_max_weight_positive"),
            models.CheckConstraint(
                condition=Q(consolidated_discount_bp__lte=10000), name="product_discount_at_most_all"
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)


class TrackingRange(models.Model):
    """A block of S10 serials reserved for a product; numbers are issued in order and never reused."""

    product = models.ForeignKey(
        Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="tracking_ranges"
    )
    service_indicator = models.CharField(_("业务标识"), max_length=2)
    country_code = models.CharField(_("国家代码"), max_length=2, default="CN")
    first_serial = models.PositiveIntegerField(_("起始序号"))
    last_serial = models.PositiveIntegerField(_("结束序号"))
    next_serial = models.PositiveIntegerField(_("下一个序号"))

    class Meta:
        verbose_name = _("邮件号段")
        verbose_name_plural = _("邮件号段")
        ordering = ["product", "service_indicator", "first_serial"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_indicator__regex=r"^[A-Z]{2}$"), name="tracking_range_indicator_letters"
            ),
            models.CheckConstraint(
                condition=Q(country_code__regex=r"^[A-Z]{2}$"), name="tracking_range_country_letters"
            ),
            models.CheckConstraint(
                condition=Q(first_serial__lte=F("last_serial"), last_serial__lte=99_999_999),
                name="tracking_range_bounds",
            ),
            models.CheckConstraint(
                condition=Q(next_serial__gte=F("first_serial"), next_serial__lte=F("last_serial") + 1),
                name="tracking_range_next_within",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_indicator} {self.first_serial:08d}–{self.last_serial:08d}"


class Tariff(models.Model):
    """Postage for a product and zone from a date: first weight, then each further weight step."""

    product = models.ForeignKey(
        Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="tariffs"
    )
    zone = models.CharField(_("区域"), max_length=20, choices=Zone.choices)
    effective_on = models.DateField(_("生效日期"))
    first_weight_g = models.PositiveIntegerField(_("首重（克）"))
    first_fee_fen = models.PositiveIntegerField(_("首重资费（分）"))
    step_weight_g = models.PositiveIntegerField(_("续重单位（克）"))
    step_fee_fen = models.PositiveIntegerField(_("续重资费（分）"))

    class Meta:
        verbose_name = _("资费")
        verbose_name_plural = _("资费")
        ordering = ["product", "zone", "-effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["product", "zone", "effective_on"], name="tariff_one_per_day"),
            models.CheckConstraint(condition=Q(zone__in=Zone.values), name="tariff_zone_valid"),
            models.CheckConstraint(
                condition=Q(first_weight_g__gt=0, step_weight_g__gt=0), name="tariff_weights_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} · {self.get_zone_display()} · {self.effective_on}"


class TrunkRoute(models.Model):
    """How parcels leave the county: from the hub towards a zone, at set times, taking so long."""

    hub = models.ForeignKey(
        Outlet, verbose_name=_("县级中心"), on_delete=models.CASCADE, related_name="trunk_routes"
    )
    zone = models.CharField(_("区域"), max_length=20, choices=Zone.choices)
    departure_times = models.JSONField(_("发车时刻"), default=list)
    transit_minutes = models.PositiveIntegerField(_("干线运输时长（分钟）"))

    class Meta:
        verbose_name = _("干线")
        verbose_name_plural = _("干线")
        constraints = [
            models.UniqueConstraint(fields=["hub", "zone"], name="trunk_route_one_per_zone"),
            models.CheckConstraint(
                condition=Q(zone__in=[zone.value for zone in TRUNK_ZONES]), name="trunk_route_zone_outside"
            ),
            models.CheckConstraint(condition=Q(transit_minutes__gt=0), name="trunk_route_transit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.hub.code} → {self.get_zone_display()}"


class ParcelStatus(models.TextChoices):
    CREATED = "created", _("已下单")
    ACCEPTED = "accepted", _("已收寄")
    IN_TRANSIT = "in_transit", _("运输中")
    AT_DELIVERY_OFFICE = "at_delivery_office", _("到达投递网点")
    OUT_FOR_DELIVERY = "out_for_delivery", _("投递中")
    AWAITING_PICKUP = "awaiting_pickup", _("待自提")
    DELIVERY_FAILED = "delivery_failed", _("投递未成功")
    DELIVERED = "delivered", _("已妥投")
    CANCELLED = "cancelled", _("已取消")
    LOST = "lost", _("已丢失")


class PostagePayment(models.TextChoices):
    WALLET = "wallet", _("钱包（下单时冻结，收寄时扣款）")
    CASH = "cash", _("柜台现金（收寄时收取）")
    ORDER = "order", _("随订单结算")
    PARTNER = "partner", _("合作快递月结")


class ParcelException(models.TextChoices):
    NO_SCAN = "no_scan", _("长时间无扫描")
    OVERDUE = "overdue", _("超过承诺时间")


class Parcel(models.Model):
    """One item in the network, from creation to delivery."""

    tracking_number = models.CharField(
        _("邮件号"),
        max_length=40,
        unique=True,
        help_text=_("邮政邮件为 S10 号码；合作快递的邮件沿用其单号（须符合该合作方登记的格式）。"),
    )
    product = models.ForeignKey(
        Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="parcels"
    )
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("寄件用户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sent_parcels",
    )
    sender_name = models.CharField(_("寄件人"), max_length=60)
    sender_phone = models.CharField(_("寄件人电话"), max_length=16)
    sender_address = models.CharField(_("寄件地址"), max_length=200)
    recipient_name = models.CharField(_("收件人"), max_length=60)
    recipient_phone = models.CharField(_("收件人电话"), max_length=16)
    recipient_address = models.CharField(_("收件地址"), max_length=200)
    origin_outlet = models.ForeignKey(
        Outlet, verbose_name=_("收寄网点"), on_delete=models.PROTECT, related_name="originating_parcels"
    )
    destination_outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("投递网点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="destined_parcels",
        help_text=_("县外邮件为空：经县级中心干线发出。"),
    )
    destination_region_code = models.CharField(_("目的地行政区划代码"), max_length=12)
    is_home_delivery = models.BooleanField(_("按址投递"), default=False)
    weight_g = models.PositiveIntegerField(_("重量（克）"))
    length_mm = models.PositiveIntegerField(_("长（毫米）"), default=0)
    width_mm = models.PositiveIntegerField(_("宽（毫米）"), default=0)
    height_mm = models.PositiveIntegerField(_("高（毫米）"), default=0)
    chargeable_weight_g = models.PositiveIntegerField(_("计费重量（克）"))
    declared_value_fen = models.PositiveBigIntegerField(_("声明价值（分）"), default=0)
    is_insured = models.BooleanField(_("保价"), default=False)
    cod_amount_fen = models.PositiveBigIntegerField(_("代收货款（分）"), default=0)
    is_consolidated = models.BooleanField(_("随农村集约班次"), default=False)
    zone = models.CharField(_("区域"), max_length=20, choices=Zone.choices)
    tariff = models.ForeignKey(Tariff, verbose_name=_("资费"), on_delete=models.PROTECT, related_name="+")
    postage_fen = models.PositiveBigIntegerField(_("邮费（分）"))
    insurance_fee_fen = models.PositiveBigIntegerField(_("保价费（分）"), default=0)
    cod_fee_fen = models.PositiveBigIntegerField(_("代收手续费（分）"), default=0)
    discount_fen = models.PositiveBigIntegerField(_("折扣（分）"), default=0)
    fee_fen = models.PositiveBigIntegerField(_("应付合计（分）"))
    postage_payment = models.CharField(_("付费方式"), max_length=10, choices=PostagePayment.choices)
    path = models.JSONField(_("路由"), default=list)
    promised_at = models.DateTimeField(_("承诺送达时间"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ParcelStatus.choices, default=ParcelStatus.CREATED
    )
    created_at = models.DateTimeField(_("下单时间"))
    accepted_at = models.DateTimeField(_("收寄时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("妥投时间"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("最近扫描时间"), null=True, blank=True)
    last_outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("最近所在网点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pickup_code = models.CharField(_("取件码"), max_length=6, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下单人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=64, blank=True)
    exception = models.CharField(
        _("异常"),
        max_length=10,
        choices=[("", "—"), *ParcelException.choices],
        blank=True,
        default="",
    )
    exception_flagged_at = models.DateTimeField(_("异常标记时间"), null=True, blank=True)
    partner = models.ForeignKey(
        "Partner",
        verbose_name=_("合作快递"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parcels",
    )
    partner_tracking_number = models.CharField(_("合作快递单号"), max_length=40, blank=True)
    manifest = models.ForeignKey(
        "PartnerManifest",
        verbose_name=_("交接清单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parcels",
    )
    cod_collected_at = models.DateTimeField(_("代收货款收取时间"), null=True, blank=True)
    cod_remitted_at = models.DateTimeField(_("代收货款汇出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件")
        verbose_name_plural = _("邮件")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ParcelStatus.values), name="parcel_status_valid"),
            models.CheckConstraint(condition=Q(zone__in=Zone.values), name="parcel_zone_valid"),
            models.CheckConstraint(
                condition=Q(postage_payment__in=PostagePayment.values), name="parcel_postage_payment_valid"
            ),
            models.CheckConstraint(condition=Q(weight_g__gt=0), name="parcel_weight_positive"),
            models.CheckConstraint(
                condition=Q(
                    fee_fen=F("postage_fen") + F("insurance_fee_fen") + F("cod_fee_fen") - F("discount_fen")
                ),
                name="parcel_fee_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(is_insured=False) | Q(declared_value_fen__gt=0), name="parcel_insured_has_value"
            ),
            models.CheckConstraint(
                condition=Q(destination_outlet__isnull=False)
                | Q(zone__in=[zone.value for zone in TRUNK_ZONES]),
                name="parcel_in_county_has_outlet",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="parcel_idempotency_key_once",
            ),
            models.UniqueConstraint(
                fields=["partner", "partner_tracking_number"],
                condition=Q(partner__isnull=False),
                name="parcel_partner_number_once",
            ),
            models.CheckConstraint(
                condition=Q(cod_amount_fen=0) | Q(sender_user__isnull=False),
                name="parcel_cod_has_sender_wallet",
            ),
        ]
        indexes = [
            models.Index(fields=["exception", "exception_flagged_at"], name="parcel_exceptions"),
            models.Index(fields=["status", "promised_at"], name="parcel_status_promise"),
            models.Index(fields=["status", "last_event_at"], name="parcel_status_last_event"),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def charged_at_acceptance_fen(self) -> int:
        """What the sender pays when the parcel is accepted: the fee less the COD fee, which is
        taken from the collected money when it is remitted."""
        return self.fee_fen - self.cod_fee_fen


class EventCode(models.TextChoices):
    """UPU EMSEVENT codes for scans, plus Siliu's own for changes that are not scans."""

    CREATED = "CRT", _("已下单")
    ACCEPTED = "EMA", _("收寄")
    INTO_SORTING = "EDD", _("到达处理中心")
    OUT_OF_SORTING = "EDE", _("离开处理中心")
    AT_DELIVERY_OFFICE = "EMG", _("到达投递网点")
    OUT_FOR_DELIVERY = "EDG", _("开始投递")
    AT_PICKUP_POINT = "EDH", _("到达自提点")
    DELIVERY_FAILED = "EMH", _("投递未成功")
    DELIVERED = "EMI", _("妥投")
    CANCELLED = "CAN", _("取消")
    LOST = "LST", _("确认丢失")


#: Why a delivery did not succeed (UPU non-delivery reasons, abridged).
NON_DELIVERY_REASONS = {
    "10": _("地址不详"),
    "11": _("收件人不在"),
    "12": _("收件人拒收"),
    "13": _("收件人已搬迁"),
    "14": _("无法联系收件人"),
    "20": _("天气或道路原因"),
    "21": _("车辆故障"),
    "30": _("代收货款未付"),
}
#: What was done about it.
NON_DELIVERY_ACTIONS = {
    "RETRY": _("再次投递"),
    "HOLD": _("留站待取"),
    "RETURN": _("退回寄件人"),
}

#: The codes a device may send in ``POST /api/v1/scans``.
SCAN_CODES = (
    EventCode.ACCEPTED,
    EventCode.INTO_SORTING,
    EventCode.OUT_OF_SORTING,
    EventCode.AT_DELIVERY_OFFICE,
    EventCode.OUT_FOR_DELIVERY,
    EventCode.AT_PICKUP_POINT,
    EventCode.DELIVERY_FAILED,
    EventCode.DELIVERED,
)

_MOVING = (ParcelStatus.ACCEPTED, ParcelStatus.IN_TRANSIT, ParcelStatus.DELIVERY_FAILED)
_AT_DESTINATION = (
    ParcelStatus.AT_DELIVERY_OFFICE,
    ParcelStatus.OUT_FOR_DELIVERY,
    ParcelStatus.AWAITING_PICKUP,
    ParcelStatus.DELIVERY_FAILED,
)

#: (status before, event code) → status after. Anything else is refused.
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (ParcelStatus.CREATED, EventCode.ACCEPTED): ParcelStatus.ACCEPTED,
    (ParcelStatus.CREATED, EventCode.CANCELLED): ParcelStatus.CANCELLED,
    **{(status, EventCode.INTO_SORTING): ParcelStatus.IN_TRANSIT for status in _MOVING},
    **{(status, EventCode.OUT_OF_SORTING): ParcelStatus.IN_TRANSIT for status in _MOVING},
    (ParcelStatus.AT_DELIVERY_OFFICE, EventCode.OUT_OF_SORTING): ParcelStatus.IN_TRANSIT,
    **{(status, EventCode.AT_DELIVERY_OFFICE): ParcelStatus.AT_DELIVERY_OFFICE for status in _MOVING},
    **{(status, EventCode.OUT_FOR_DELIVERY): ParcelStatus.OUT_FOR_DELIVERY for status in _AT_DESTINATION},
    **{
        (status, EventCode.AT_PICKUP_POINT): ParcelStatus.AWAITING_PICKUP
        for status in (*_AT_DESTINATION, ParcelStatus.ACCEPTED, ParcelStatus.IN_TRANSIT)
    },
    (ParcelStatus.OUT_FOR_DELIVERY, EventCode.DELIVERY_FAILED): ParcelStatus.DELIVERY_FAILED,
    (ParcelStatus.AWAITING_PICKUP, EventCode.DELIVERY_FAILED): ParcelStatus.DELIVERY_FAILED,
    **{(status, EventCode.DELIVERED): ParcelStatus.DELIVERED for status in _AT_DESTINATION},
    **{
        (status, EventCode.LOST): ParcelStatus.LOST
        for status in (ParcelStatus.ACCEPTED, ParcelStatus.IN_TRANSIT, *_AT_DESTINATION)
    },
}


class ParcelEvent(models.Model):
    """Something that happened to a parcel: a scan from a device, or a change made in the system.

    ``event_id`` is the client's own id for the event (a scanner makes one per scan), so a device that
    sends the same batch twice stores each event once. ``occurred_at`` is when it happened on the
    ground; ``recorded_at`` when the server heard of it, hours later for a device that was offline.
    """

    parcel = models.ForeignKey(
        Parcel, verbose_name=_("邮件"), on_delete=models.CASCADE, related_name="events"
    )
    event_id = models.CharField(_("事件编号"), max_length=64, unique=True)
    code = models.CharField(_("事件代码"), max_length=3, choices=EventCode.choices)
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("网点"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    device_id = models.CharField(_("设备"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("发生时间"))
    recorded_at = models.DateTimeField(_("记录时间"))
    reason_code = models.CharField(_("原因代码"), max_length=10, blank=True)
    action_code = models.CharField(_("处理方式"), max_length=10, blank=True)
    proof_pickup_code = models.CharField(_("取件码"), max_length=6, blank=True)
    proof_signature_name = models.CharField(_("签收人"), max_length=60, blank=True)
    proof_photo_ref = models.CharField(_("照片引用"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("邮件事件")
        verbose_name_plural = _("邮件事件")
        ordering = ["parcel", "occurred_at", "id"]
        indexes = [models.Index(fields=["parcel", "occurred_at"], name="parcel_event_timeline")]
        constraints = [
            models.CheckConstraint(condition=Q(code__in=EventCode.values), name="parcel_event_code_valid"),
            models.CheckConstraint(
                condition=~Q(code=EventCode.DELIVERY_FAILED) | ~Q(reason_code=""),
                name="parcel_event_failure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id} {self.code} {self.occurred_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------------
# Partner couriers (邮快合作)


class Partner(models.Model):
    """Another express company that hands parcels to the county hub for the last mile."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    number_pattern = models.CharField(
        _("单号格式（正则）"), max_length=100, help_text=_("如 ^SF[0-9]{12}$；不得与 S10 号码重叠。")
    )
    webhook_url = models.URLField(_("妥投回传地址"), blank=True)
    webhook_secret = models.CharField(_("回传签名密钥"), max_length=128, blank=True)
    is_active = models.BooleanField(_("合作中"), default=True)

    class Meta:
        verbose_name = _("合作快递")
        verbose_name_plural = _("合作快递")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PartnerManifest(models.Model):
    """One handover of a partner's parcels at the hub (a CSV file or an API call)."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("合作快递"), on_delete=models.PROTECT, related_name="manifests"
    )
    reference = models.CharField(_("交接单号"), max_length=64)
    received_at = models.DateTimeField(_("接收时间"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.PROTECT, null=True, blank=True
    )
    parcel_count = models.PositiveIntegerField(_("邮件数"), default=0)

    class Meta:
        verbose_name = _("交接清单")
        verbose_name_plural = _("交接清单")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["partner", "reference"], name="partner_manifest_once")]

    def __str__(self) -> str:
        return f"{self.partner.code} {self.reference}"


class WebhookStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("已放弃")


class WebhookDelivery(models.Model):
    """A proof-of-delivery message owed to a partner, retried until it is acknowledged."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("合作快递"), on_delete=models.CASCADE, related_name="webhooks"
    )
    parcel = models.ForeignKey(
        Parcel, verbose_name=_("邮件"), on_delete=models.CASCADE, related_name="webhooks"
    )
    event = models.OneToOneField(
        ParcelEvent, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="webhook"
    )
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=WebhookStatus.choices, default=WebhookStatus.PENDING
    )
    attempt_count = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("妥投回传")
        verbose_name_plural = _("妥投回传")
        ordering = ["next_attempt_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=WebhookStatus.values), name="webhook_status_valid")
        ]

    def __str__(self) -> str:
        return f"{self.partner.code} {self.parcel.tracking_number} {self.status}"


# ---------------------------------------------------------------------------------------------------
# Claims


class ClaimKind(models.TextChoices):
    LOSS = "loss", _("丢失")
    DAMAGE = "damage", _("损毁")
    DELAY = "delay", _("延误")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已核准")
    REJECTED = "rejected", _("已驳回")
    PAID = "paid", _("已赔付")


CLAIM_TRANSITIONS: dict[str, set[str]] = {
    ClaimStatus.SUBMITTED: {ClaimStatus.APPROVED, ClaimStatus.REJECTED},
    ClaimStatus.APPROVED: {ClaimStatus.PAID},
    ClaimStatus.REJECTED: set(),
    ClaimStatus.PAID: set(),
}

#: Claims still awaiting a decision or a payment; they hold back a COD remittance.
OPEN_CLAIM_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED)


class CompensationBasis(models.TextChoices):
    DECLARED_VALUE_PRO_RATA = "declared_value_pro_rata", _("按声明价值（部分损毁按比例）")
    ACTUAL_LOSS_CAPPED_AT_POSTAGE_MULTIPLE = "actual_loss_capped", _("按实际损失，以邮费倍数为上限")
    POSTAGE_MULTIPLE = "postage_multiple", _("固定为邮费倍数")
    POSTAGE_REFUND = "postage_refund", _("退还邮费")
    ACTUAL_LOSS_CAPPED_AT_PRODUCT_CAP = "actual_loss_product_cap", _("按实际损失，以产品条款上限为限")


class CompensationPolicy(models.Model):
    """A version of the compensation rules, in force from a date; claims keep the version they used."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    effective_on = models.DateField(_("生效日期"), unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("赔偿政策")
        verbose_name_plural = _("赔偿政策")
        ordering = ["-effective_on"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_on})"


class CompensationRule(models.Model):
    """One row of a policy: for this kind of claim on such a parcel, compensate on this basis.

    The most specific matching row wins (lowest ``priority``); ``product`` and ``is_insured`` left
    empty match any.
    """

    policy = models.ForeignKey(
        CompensationPolicy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="rules"
    )
    priority = models.PositiveIntegerField(_("优先级"))
    claim_kind = models.CharField(_("理赔类型"), max_length=10, choices=ClaimKind.choices)
    product = models.ForeignKey(
        Product, verbose_name=_("产品"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_letter = models.BooleanField(_("仅信函"), null=True, blank=True)
    is_insured = models.BooleanField(_("是否保价"), null=True, blank=True)
    basis = models.CharField(_("计算方式"), max_length=30, choices=CompensationBasis.choices)
    postage_multiple = models.PositiveIntegerField(_("邮费倍数"), default=0)

    class Meta:
        verbose_name = _("赔偿规则")
        verbose_name_plural = _("赔偿规则")
        ordering = ["policy", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="compensation_rule_priority_unique"),
            models.CheckConstraint(
                condition=Q(basis__in=CompensationBasis.values), name="compensation_basis_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} #{self.priority} {self.claim_kind} {self.basis}"


class Claim(models.Model):
    """A claim for a lost, damaged or late parcel, its decision and its compensation."""

    parcel = models.ForeignKey(
        Parcel, verbose_name=_("邮件"), on_delete=models.PROTECT, related_name="claims"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=ClaimKind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="claims"
    )
    claimed_loss_fen = models.PositiveBigIntegerField(_("申报损失（分）"), default=0)
    damage_share_bp = models.PositiveIntegerField(
        _("损毁比例（万分之）"), default=10_000, help_text=_("部分损毁时的损失比例，10000 表示全部。")
    )
    description = models.TextField(_("说明"), blank=True)
    evidence = models.JSONField(_("证据（照片引用等）"), default=list, blank=True)
    policy = models.ForeignKey(
        CompensationPolicy, verbose_name=_("适用政策"), on_delete=models.PROTECT, null=True, blank=True
    )
    rule = models.ForeignKey(
        CompensationRule, verbose_name=_("适用规则"), on_delete=models.PROTECT, null=True, blank=True
    )
    compensation_fen = models.PositiveBigIntegerField(_("赔偿金额（分）"), default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.CharField(_("决定说明"), max_length=300, blank=True)
    paid_at = models.DateTimeField(_("赔付时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("理赔")
        verbose_name_plural = _("理赔")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ClaimKind.values), name="claim_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            models.CheckConstraint(
                condition=Q(damage_share_bp__lte=10_000), name="claim_damage_share_at_most_all"
            ),
            models.UniqueConstraint(
                fields=["parcel", "kind"],
                condition=~Q(status=ClaimStatus.REJECTED),
                name="claim_one_open_per_parcel_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parcel.tracking_number} {self.get_kind_display()} {self.get_status_display()}"


class ClaimEvent(models.Model):
    """A change of a claim's status, with who made it and why."""

    claim = models.ForeignKey(Claim, verbose_name=_("理赔"), on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=10, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ClaimStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT)
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("理赔记录")
        verbose_name_plural = _("理赔记录")
        ordering = ["claim", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.from_status}→{self.to_status}"


# ---------------------------------------------------------------------------------------------------
# Delivery rounds (农村双向投递班次)


class Vehicle(models.Model):
    """A van kept at an outlet for its delivery rounds, and the courier who drives it.

    A courier's round (本班次) is their van's routes: they scan and read parcels at the van's outlet and
    at the stops of today's routes of the van, and nowhere else.

    A ``capacity_g`` of 0 is storable (a van being refitted) but refused when a round is planned.
    """

    outlet = models.ForeignKey(
        Outlet, verbose_name=_("所属网点"), on_delete=models.PROTECT, related_name="vehicles"
    )
    name = models.CharField(_("名称"), max_length=40)
    capacity_g = models.PositiveIntegerField(_("载重（克）"))
    shift_starts_at = models.TimeField(_("班次开始"))
    shift_ends_at = models.TimeField(_("班次结束"))
    cost_per_km_fen = models.PositiveIntegerField(_("每公里成本（分）"), default=150)
    max_trips = models.PositiveSmallIntegerField(_("每班最多趟数"), default=1)
    is_active = models.BooleanField(_("在用"), default=True)
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投递员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vehicles_driven",
        help_text=_("驾驶这辆车的投递员：他只能在这辆车的班次上扫描、查看邮件。"),
    )

    class Meta:
        verbose_name = _("投递车辆")
        verbose_name_plural = _("投递车辆")
        ordering = ["outlet", "name"]
        constraints = [
            models.UniqueConstraint(fields=["outlet", "name"], name="vehicle_name_unique_per_outlet"),
            models.CheckConstraint(
                condition=Q(shift_ends_at__gt=F("shift_starts_at")), name="vehicle_shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(max_trips__gte=1), name="vehicle_at_least_one_trip"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet.code} {self.name}"


class RoadDistance(models.Model):
    """Road distance and driving time from one outlet to another, imported from a CSV of outlet pairs.

    Directed: the way back is its own row; when only one way is imported, planning uses it both ways.
    """

    from_outlet = models.ForeignKey(
        Outlet, verbose_name=_("起点"), on_delete=models.CASCADE, related_name="road_distances_from"
    )
    to_outlet = models.ForeignKey(
        Outlet, verbose_name=_("终点"), on_delete=models.CASCADE, related_name="road_distances_to"
    )
    distance_m = models.PositiveIntegerField(_("道路里程（米）"))
    duration_s = models.PositiveIntegerField(_("行驶时间（秒）"))

    class Meta:
        verbose_name = _("道路里程")
        verbose_name_plural = _("道路里程")
        ordering = ["from_outlet", "to_outlet"]
        constraints = [
            models.UniqueConstraint(fields=["from_outlet", "to_outlet"], name="road_distance_unique_pair"),
            models.CheckConstraint(condition=~Q(from_outlet=F("to_outlet")), name="road_distance_not_loop"),
        ]

    def __str__(self) -> str:
        return f"{self.from_outlet_id} → {self.to_outlet_id}: {self.distance_m} m"


class RoundPlanStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


#: status → the statuses it may move to.
ROUND_PLAN_TRANSITIONS: dict[str, set[str]] = {
    RoundPlanStatus.QUEUED: {RoundPlanStatus.RUNNING, RoundPlanStatus.FAILED},
    RoundPlanStatus.RUNNING: {RoundPlanStatus.DONE, RoundPlanStatus.FAILED},
    RoundPlanStatus.DONE: set(),
    RoundPlanStatus.FAILED: set(),
}


class RoundPlan(models.Model):
    """The delivery rounds of one outlet for one day, planned in the background.

    ``result`` holds the plan as :func:`siliu.logistics.rounds.planning.plan_result` writes it: the
    routes with their stops in order, the totals and the stations left out with the reason.
    """

    outlet = models.ForeignKey(
        Outlet, verbose_name=_("网点"), on_delete=models.PROTECT, related_name="round_plans"
    )
    planned_on = models.DateField(_("投递日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RoundPlanStatus.choices, default=RoundPlanStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    seconds = models.PositiveIntegerField(_("计算时长（秒）"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error_message = models.CharField(_("错误信息"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投递班次计划")
        verbose_name_plural = _("投递班次计划")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RoundPlanStatus.values), name="round_plan_status_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="round_plan_progress_at_most_100"),
            models.CheckConstraint(condition=Q(seconds__gt=0), name="round_plan_seconds_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet.code} {self.planned_on} {self.status}"


class ExceptionCaseStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    RESOLVED = "resolved", _("已解决")


class ExceptionCase(models.Model):
    """The handling of a parcel the exception sweep flagged: who has it, what was done, how it ended.

    Opened by the first action on a flagged parcel; at most one open case per parcel. The flag itself
    stays the sweep's (``Parcel.exception``): a case records the work, not the state of the parcel.
    """

    ALLOWED_TRANSITIONS = {
        ExceptionCaseStatus.OPEN: {ExceptionCaseStatus.RESOLVED},
        ExceptionCaseStatus.RESOLVED: set(),
    }

    parcel = models.ForeignKey(
        Parcel, verbose_name=_("邮件"), on_delete=models.PROTECT, related_name="exception_cases"
    )
    kind = models.CharField(_("异常"), max_length=10, choices=ParcelException.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExceptionCaseStatus.choices, default=ExceptionCaseStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exception_cases",
    )
    claim = models.ForeignKey(
        "Claim",
        verbose_name=_("理赔"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exception_cases",
    )
    resolution = models.CharField(_("处理结果"), max_length=300, blank=True)
    opened_at = models.DateTimeField(_("立案时间"))
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("异常处理")
        verbose_name_plural = _("异常处理")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExceptionCaseStatus.values), name="exception_case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ParcelException.values), name="exception_case_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ExceptionCaseStatus.OPEN, resolved_at__isnull=True, resolution="")
                | Q(status=ExceptionCaseStatus.RESOLVED, resolved_at__isnull=False) & ~Q(resolution=""),
                name="exception_case_resolved_with_time_and_text",
            ),
            models.UniqueConstraint(
                fields=["parcel"],
                condition=Q(status=ExceptionCaseStatus.OPEN),
                name="exception_case_one_open_per_parcel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parcel.tracking_number} {self.get_kind_display()} {self.get_status_display()}"


class ExceptionCaseEventKind(models.TextChoices):
    OPENED = "opened", _("立案")
    ASSIGNED = "assigned", _("指派")
    NOTE = "note", _("备注")
    CONTACTED = "contacted", _("联系")
    CLAIM_OPENED = "claim_opened", _("代申请理赔")
    RESOLVED = "resolved", _("解决")


class ExceptionCaseEvent(models.Model):
    """One step of a case, appended, never changed: who did what, when, and their words."""

    case = models.ForeignKey(
        ExceptionCase, verbose_name=_("异常处理"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=ExceptionCaseEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT)
    occurred_at = models.DateTimeField(_("时间"))
    text = models.CharField(_("内容"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("异常处理记录")
        verbose_name_plural = _("异常处理记录")
        ordering = ["case", "occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ExceptionCaseEventKind.values), name="exception_case_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"
