"""Sellers, products, trace batches and orders: the commerce flow."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from siliu.network.models import Outlet, Region


class SellerKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("农民合作社")
    FAMILY_FARM = "family_farm", _("家庭农场")
    FARMER = "farmer", _("个体农户")
    MERCHANT = "merchant", _("商户")


class SellerStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    VERIFIED = "verified", _("已认证")
    SUSPENDED = "suspended", _("已暂停")


class Seller(models.Model):
    """Someone who sells through the platform, verified by the county manager before selling.

    The identifying number (unified social credit code for cooperatives, family farms and merchants;
    resident ID for individual farmers) is stored encrypted, shown masked, and found by a keyed hash.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="seller"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=SellerKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    village = models.ForeignKey(Region, verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="+")
    home_outlet = models.ForeignKey(
        Outlet, verbose_name=_("发货网点"), on_delete=models.PROTECT, related_name="sellers"
    )
    id_number_encrypted = models.TextField(_("证件号（加密）"))
    id_number_hash = models.CharField(_("证件号检索码"), max_length=64, unique=True)
    id_number_masked = models.CharField(_("证件号"), max_length=24)
    contact_phone = models.CharField(_("联系电话"), max_length=16)
    status = models.CharField(
        _("状态"), max_length=10, choices=SellerStatus.choices, default=SellerStatus.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("卖家")
        verbose_name_plural = _("卖家")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SellerKind.values), name="seller_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=SellerStatus.values), name="seller_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=SellerStatus.VERIFIED) | Q(verified_at__isnull=False),
                name="seller_verified_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    FRUIT = "fruit", _("水果")
    VEGETABLE = "vegetable", _("蔬菜")
    GRAIN = "grain", _("粮油")
    TEA = "tea", _("茶叶")
    HONEY = "honey", _("蜂蜜")
    MUSHROOM = "mushroom", _("菌菇")
    NUT = "nut", _("干果")
    MEAT_EGG = "meat_egg", _("肉禽蛋")
    FERTILISER = "fertiliser", _("化肥农资")
    SEED = "seed", _("种子种苗")
    HOUSEHOLD = "household", _("日用百货")


class Direction(models.TextChoices):
    UPWARD = "upward", _("农产品进城")
    DOWNWARD = "downward", _("工业品下乡")


class InspectionResult(models.TextChoices):
    PENDING = "pending", _("待检")
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class TraceBatch(models.Model):
    """A harvest or production batch, identified to the public by a short unguessable trace code."""

    seller = models.ForeignKey(
        Seller, verbose_name=_("卖家"), on_delete=models.PROTECT, related_name="batches"
    )
    code = models.CharField(_("溯源码"), max_length=16, unique=True)
    product_name = models.CharField(_("产品"), max_length=60)
    place = models.CharField(_("地块/产地"), max_length=100)
    harvested_on = models.DateField(_("采收/生产日期"))
    quantity = models.PositiveIntegerField(_("数量"))
    unit = models.CharField(_("单位"), max_length=10)
    inspection_result = models.CharField(
        _("检测结果"), max_length=10, choices=InspectionResult.choices, default=InspectionResult.PENDING
    )
    inspection_note = models.CharField(_("检测说明"), max_length=200, blank=True)
    inspected_on = models.DateField(_("检测日期"), null=True, blank=True)
    certificates = models.JSONField(_("证书"), default=list, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("溯源批次")
        verbose_name_plural = _("溯源批次")
        ordering = ["-harvested_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspection_result__in=InspectionResult.values),
                name="trace_batch_inspection_valid",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="trace_batch_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} {self.code}"


def trace_code_normalize(code: str) -> str:
    """A trace code as stored: trimmed and upper-cased (codes are read off boxes and typed by hand)."""
    return (code or "").strip().upper()


class Product(models.Model):
    """Something for sale: produce going up to the cities, or goods coming down to the villages."""

    seller = models.ForeignKey(
        Seller, verbose_name=_("卖家"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("名称"), max_length=80)
    category = models.CharField(_("品类"), max_length=20, choices=Category.choices)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    unit = models.CharField(_("单位"), max_length=10)
    price_fen = models.PositiveBigIntegerField(_("单价（分）"))
    stock = models.PositiveIntegerField(_("库存"))
    weight_g = models.PositiveIntegerField(_("每单位重量（克）"))
    origin_village = models.ForeignKey(
        Region, verbose_name=_("产地"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("介绍"), blank=True)
    photos = models.JSONField(_("图片"), default=list, blank=True)
    trace_batch = models.ForeignKey(
        TraceBatch,
        verbose_name=_("溯源批次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
    )
    is_presale = models.BooleanField(_("预售"), default=False)
    ships_from = models.DateField(_("发货日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在售"), default=True)
    created_at = models.DateTimeField(_("上架时间"))

    class Meta:
        verbose_name = _("商品")
        verbose_name_plural = _("商品")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=Category.values), name="product_category_valid"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="product_direction_valid"
            ),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="product_price_positive"),
            models.CheckConstraint(condition=Q(weight_g__gt=0), name="product_weight_positive"),
            models.CheckConstraint(
                condition=Q(is_presale=False) | Q(ships_from__isnull=False), name="product_presale_has_date"
            ),
        ]
        indexes = [models.Index(fields=["is_active", "category"], name="product_browse")]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("已下单")
    PAID = "paid", _("已付款")
    SHIPPED = "shipped", _("已发货")
    DELIVERED = "delivered", _("已送达")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    REFUNDED = "refunded", _("已退款")


#: status → the statuses it may move to.
ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PLACED: {OrderStatus.PAID, OrderStatus.CANCELLED},
    OrderStatus.PAID: {OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.REFUNDED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED, OrderStatus.REFUNDED},
    OrderStatus.DELIVERED: {OrderStatus.COMPLETED, OrderStatus.REFUNDED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.CANCELLED: set(),
    OrderStatus.REFUNDED: set(),
}


class PaymentMethod(models.TextChoices):
    WALLET = "wallet", _("钱包")
    COUNTER_CASH = "counter_cash", _("站点现金代付")


class Order(models.Model):
    """One purchase: goods from one or more sellers, one parcel per seller, paid into escrow."""

    number = models.CharField(_("订单号"), max_length=20, unique=True)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("买家"), on_delete=models.PROTECT, related_name="orders"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("下单人"), on_delete=models.PROTECT, related_name="+"
    )
    payment_method = models.CharField(_("付款方式"), max_length=15, choices=PaymentMethod.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    recipient_name = models.CharField(_("收件人"), max_length=60)
    recipient_phone = models.CharField(_("收件人电话"), max_length=16)
    recipient_address = models.CharField(_("收件地址"), max_length=200)
    destination_outlet = models.ForeignKey(
        Outlet, verbose_name=_("投递网点"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destination_region_code = models.CharField(_("目的地行政区划代码"), max_length=12)
    goods_fen = models.PositiveBigIntegerField(_("货款（分）"))
    postage_fen = models.PositiveBigIntegerField(_("邮费（分）"))
    total_fen = models.PositiveBigIntegerField(_("合计（分）"))
    idempotency_key = models.CharField(_("幂等键"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("下单时间"))
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="order_direction_valid"),
            models.CheckConstraint(
                condition=Q(payment_method__in=PaymentMethod.values), name="order_payment_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(total_fen=F("goods_fen") + F("postage_fen")), name="order_total_adds_up"
            ),
            models.UniqueConstraint(
                fields=["placed_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_idempotency_key_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "delivered_at"], name="order_completion_due")]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("商品"), on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(Seller, verbose_name=_("卖家"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))
    unit_price_fen = models.PositiveBigIntegerField(_("单价（分）"))
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(amount_fen=F("unit_price_fen") * F("quantity")), name="order_line_amount_exact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.product_id} × {self.quantity}"


class Shipment(models.Model):
    """The part of an order one seller sends, as one parcel."""

    order = models.ForeignKey(
        Order, verbose_name=_("订单"), on_delete=models.CASCADE, related_name="shipments"
    )
    seller = models.ForeignKey(
        Seller, verbose_name=_("卖家"), on_delete=models.PROTECT, related_name="shipments"
    )
    parcel = models.OneToOneField(
        "logistics.Parcel", verbose_name=_("邮件"), on_delete=models.PROTECT, related_name="shipment"
    )
    goods_fen = models.PositiveBigIntegerField(_("货款（分）"))
    postage_fen = models.PositiveBigIntegerField(_("邮费（分）"))

    class Meta:
        verbose_name = _("发货包裹")
        verbose_name_plural = _("发货包裹")
        constraints = [models.UniqueConstraint(fields=["order", "seller"], name="shipment_one_per_seller")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.seller_id}"


class OrderEvent(models.Model):
    """A change of an order's status, with who made it and why."""

    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=10, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("订单记录")
        verbose_name_plural = _("订单记录")
        ordering = ["order", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.from_status}→{self.to_status}"


class Settlement(models.Model):
    """What one seller got from one completed order: the escrow split exactly to the fen."""

    order = models.ForeignKey(
        Order, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="settlements"
    )
    seller = models.ForeignKey(
        Seller, verbose_name=_("卖家"), on_delete=models.PROTECT, related_name="settlements"
    )
    goods_fen = models.PositiveBigIntegerField(_("货款（分）"))
    commission_fen = models.PositiveBigIntegerField(_("平台佣金（分）"))
    postage_fen = models.PositiveBigIntegerField(_("邮费（分）"))
    payable_fen = models.PositiveBigIntegerField(_("应付卖家（分）"))
    settled_at = models.DateTimeField(_("结算时间"))

    class Meta:
        verbose_name = _("结算")
        verbose_name_plural = _("结算")
        ordering = ["-settled_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "seller"], name="settlement_once_per_seller"),
            models.CheckConstraint(
                condition=Q(goods_fen=F("commission_fen") + F("payable_fen")), name="settlement_adds_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.seller_id} {self.payable_fen}"


class BuyerAddress(models.Model):
    """A delivery address a buyer keeps for checkout: who receives, in which village, where in it.

    The order is delivered to the station serving the village (or, where the village has none, its
    township's office); the street detail is for the recipient and the courier.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="buyer_addresses",
    )
    name = models.CharField(_("收件人"), max_length=60)
    phone = models.CharField(_("手机号"), max_length=16)
    village = models.ForeignKey(Region, verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(_("详细地址"), max_length=200)
    is_default = models.BooleanField(_("默认地址"), default=False)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("收货地址")
        verbose_name_plural = _("收货地址")
        ordering = ["-is_default", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="buyer_address_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.village.name} {self.detail}"


class PayoutStatus(models.TextChoices):
    REQUESTED = "requested", _("待付款")
    PAID = "paid", _("已付款")
    REJECTED = "rejected", _("已退回")


#: status → the statuses it may move to.
PAYOUT_TRANSITIONS: dict[str, set[str]] = {
    PayoutStatus.REQUESTED: {PayoutStatus.PAID, PayoutStatus.REJECTED},
    PayoutStatus.PAID: set(),
    PayoutStatus.REJECTED: set(),
}


class Payout(models.Model):
    """A seller's request to be paid out of their payable to a bank account, paid by finance staff.

    The amount leaves the seller's payable for the payouts-pending account when the request is made
    (so it cannot be spent twice); paying it moves it on to the bank, rejecting it moves it back.
    The full account number is stored encrypted, like the seller's ID number; pages show it masked.
    """

    seller = models.ForeignKey(
        Seller, verbose_name=_("卖家"), on_delete=models.PROTECT, related_name="payouts"
    )
    key = models.CharField(_("申请编号"), max_length=40)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    account_name = models.CharField(_("户名"), max_length=60)
    bank_name = models.CharField(_("开户行"), max_length=60)
    account_number_encrypted = models.TextField(_("账号（加密）"))
    account_number_masked = models.CharField(_("账号"), max_length=32)
    status = models.CharField(
        _("状态"), max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("提现申请")
        verbose_name_plural = _("提现申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PayoutStatus.values), name="payout_status_valid"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(
                condition=Q(status=PayoutStatus.REQUESTED) | Q(decided_at__isnull=False),
                name="payout_decided_has_time",
            ),
            models.UniqueConstraint(fields=["seller", "key"], name="payout_key_once_per_seller"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.amount_fen} {self.status}"


class PayoutEvent(models.Model):
    """A change of a payout's status, with who made it."""

    payout = models.ForeignKey(
        Payout, verbose_name=_("提现申请"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=PayoutStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=PayoutStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("提现记录")
        verbose_name_plural = _("提现记录")
        ordering = ["payout", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.payout_id} {self.from_status}→{self.to_status}"
