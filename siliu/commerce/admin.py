from django.contrib import admin
from django.http import HttpRequest

from siliu.commerce.models import (
    BuyerAddress,
    Order,
    OrderEvent,
    OrderLine,
    Payout,
    PayoutEvent,
    Product,
    Seller,
    Settlement,
    Shipment,
    TraceBatch,
)
from siliu.core.admin import ReadOnlyAdmin


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    """Sellers with the ID number masked: the encrypted column and its hash are never shown."""

    list_display = ["name", "kind", "id_number_masked", "village", "home_outlet", "status", "verified_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "village__name"]
    exclude = ["id_number_encrypted", "id_number_hash"]
    readonly_fields = ["id_number_masked", "verified_by", "verified_at", "created_at"]
    raw_id_fields = ["user", "village", "home_outlet"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registration validates and encrypts the number: catalog.seller_register


@admin.register(TraceBatch)
class TraceBatchAdmin(admin.ModelAdmin):
    list_display = ["code", "product_name", "seller", "harvested_on", "quantity", "unit", "inspection_result"]
    list_filter = ["inspection_result"]
    search_fields = ["code", "product_name", "seller__name"]
    readonly_fields = ["code", "created_at"]
    raw_id_fields = ["seller"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the trace code is drawn by catalog.trace_batch_create


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "seller",
        "category",
        "direction",
        "price_fen",
        "stock",
        "is_presale",
        "is_active",
    ]
    list_filter = ["category", "direction", "is_presale", "is_active"]
    search_fields = ["name", "seller__name"]
    raw_id_fields = ["seller", "origin_village", "trace_batch"]


# Orders


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ("product", "seller", "quantity", "unit_price_fen", "amount_fen")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders change through their services only; the admin reads them."""

    list_display = ["number", "direction", "buyer", "status", "total_fen", "created_at"]
    list_filter = ["status", "direction", "payment_method"]
    search_fields = ["number", "buyer__username"]
    inlines = [OrderLineInline]


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdmin):
    list_display = ["order", "product", "seller", "quantity", "amount_fen"]
    search_fields = ["order__number"]


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ["order", "seller", "parcel", "goods_fen", "postage_fen"]
    search_fields = ["order__number", "parcel__tracking_number"]


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ["order", "from_status", "to_status", "actor", "occurred_at"]
    list_select_related = ["order", "actor"]  # nullable: the admin's own select_related() leaves it out
    list_filter = ["to_status"]
    search_fields = ["order__number"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = [
        "order",
        "seller",
        "goods_fen",
        "commission_fen",
        "postage_fen",
        "payable_fen",
        "settled_at",
    ]
    search_fields = ["order__number", "seller__name"]


@admin.register(BuyerAddress)
class BuyerAddressAdmin(admin.ModelAdmin):
    """Buyers' saved delivery addresses."""

    list_display = ["user", "name", "village", "is_default"]
    list_select_related = ["user", "village"]
    raw_id_fields = ["user", "village"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    """Payout requests, read only: requested, paid and rejected through the services, which book the
    ledger; the full account number stays encrypted here (finance staff see it on their payout page)."""

    list_display = ["seller", "amount_fen", "bank_name", "account_number_masked", "status", "requested_at"]
    list_filter = ["status"]
    search_fields = ["seller__name", "key"]
    exclude = ["account_number_encrypted"]


@admin.register(PayoutEvent)
class PayoutEventAdmin(ReadOnlyAdmin):
    list_display = ["payout", "from_status", "to_status", "actor", "occurred_at"]
