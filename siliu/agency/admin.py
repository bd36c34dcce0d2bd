"""Agency's tables in the admin: staff set up providers, their services (amounts, fee, commission
split, per-person limit) and which outlet offers which; transactions and reconciliation (statements,
their lines, items and events) are read, never edited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from siliu.agency.catalogue import AgencyService, AgencyTransaction, OutletService, PayeeDay, Provider
from siliu.agency.pickups import admin as pickups_admin  # noqa: F401  (registers home pickups' tables)
from siliu.agency.reconciliation.models import (
    Statement,
    StatementEvent,
    StatementItem,
    StatementItemEvent,
    StatementLine,
)


class ServiceInline(admin.TabularInline):
    model = AgencyService
    extra = 0
    fields = ["code", "name", "direction", "account_kind", "fee_payer", "station_share_bp", "is_active"]
    show_change_link = True


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "county", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    inlines = [ServiceInline]


class OutletServiceInline(admin.TabularInline):
    model = OutletService
    extra = 0
    autocomplete_fields = ["outlet"]


@admin.register(AgencyService)
class AgencyServiceAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "provider",
        "direction",
        "min_amount_fen",
        "max_amount_fen",
        "fee_fixed_fen",
        "fee_rate_bp",
        "fee_payer",
        "station_share_bp",
        "daily_limit_per_account_fen",
        "is_active",
    ]
    list_filter = ["direction", "provider", "is_active"]
    search_fields = ["code", "name"]
    inlines = [OutletServiceInline]


@admin.register(OutletService)
class OutletServiceAdmin(admin.ModelAdmin):
    list_display = ["outlet", "service", "is_active"]
    list_filter = ["service", "is_active"]
    search_fields = ["outlet__code", "outlet__name", "service__name"]
    autocomplete_fields = ["outlet"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write and nobody edits: the ledger holds their money."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AgencyTransaction)
class AgencyTransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "occurred_at",
        "outlet",
        "service",
        "account_display",
        "amount_fen",
        "fee_fen",
        "status",
    ]
    list_filter = ["direction", "status", "service"]
    search_fields = ["number", "outlet__code"]
    date_hierarchy = "occurred_at"


@admin.register(PayeeDay)
class PayeeDayAdmin(ReadOnlyAdmin):
    list_display = ["service", "business_on", "paid_fen"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = [
        "provider",
        "business_on",
        "status",
        "line_count",
        "total_fen",
        "imported_at",
        "settlement_fen",
    ]
    list_filter = ["status", "provider"]
    date_hierarchy = "business_on"


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    list_display = ["statement", "line_number", "number", "provider_number", "service", "amount_fen"]
    search_fields = ["number", "provider_number"]


@admin.register(StatementItem)
class StatementItemAdmin(ReadOnlyAdmin):
    list_display = ["statement", "kind", "status", "resolution", "agreed_fen", "booked_fen", "resolved_at"]
    list_filter = ["kind", "status", "resolution"]


@admin.register(StatementEvent)
class StatementEventAdmin(ReadOnlyAdmin):
    list_display = ["statement", "kind", "from_status", "to_status", "actor", "occurred_at"]


@admin.register(StatementItemEvent)
class StatementItemEventAdmin(ReadOnlyAdmin):
    list_display = ["item", "from_status", "to_status", "resolution", "actor", "occurred_at"]
