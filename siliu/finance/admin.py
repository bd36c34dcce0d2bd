"""Admin: accounts can be opened and renamed; transfers, entries and closed days are read-only history."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from siliu.core.admin import ReadOnlyAdmin
from siliu.finance.models import Account, CashDayClose, CashDayCloseSignOff, Entry, Transfer

_COUNTERS = ["debits_posted", "credits_posted", "debits_pending", "credits_pending"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "allows_negative", *_COUNTERS]
    list_filter = ["type", "allows_negative"]
    search_fields = ["code", "name", "owner_reference", "owner_user__username", "owner_outlet__code"]
    autocomplete_fields = ["owner_user", "owner_outlet"]
    # Balances move only through transfers.
    readonly_fields = [*_COUNTERS, "created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return list(self.readonly_fields)
        return [*self.readonly_fields, "code", "type", "allows_negative"]


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    fields = ["account", "side", "amount_fen", "balance_fen", "created_at"]
    readonly_fields = ["account", "side", "amount_fen", "balance_fen", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "debit_account",
        "credit_account",
        "amount_fen",
        "state",
        "category",
        "created_at",
    ]
    list_filter = ["kind", "state", "category"]
    search_fields = ["id", "reference", "debit_account__code", "credit_account__code"]
    date_hierarchy = "created_at"
    list_select_related = ["debit_account", "credit_account"]
    inlines = [EntryInline]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "transfer", "side", "amount_fen", "balance_fen", "created_at"]
    list_filter = ["side"]
    search_fields = ["account__code", "transfer__id"]
    list_select_related = ["account", "transfer"]


@admin.register(CashDayClose)
class CashDayCloseAdmin(ReadOnlyAdmin):
    list_display = [
        "outlet",
        "business_on",
        "expected_cash_fen",
        "counted_cash_fen",
        "difference_fen",
        "needs_sign_off",
        "closed_by",
        "closed_at",
    ]
    list_filter = ["business_on", "needs_sign_off"]
    search_fields = ["outlet__code", "outlet__name"]
    list_select_related = ["outlet", "closed_by"]


@admin.register(CashDayCloseSignOff)
class CashDayCloseSignOffAdmin(ReadOnlyAdmin):
    list_display = ["close", "adjustment_transfer", "signed_off_by", "signed_off_at"]
    search_fields = ["close__outlet__code", "close__outlet__name"]
    list_select_related = ["close__outlet", "signed_off_by"]
