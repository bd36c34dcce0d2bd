"""Admin: staff set up the loan products here."""

from django.contrib import admin

from siliu.lending.models import LoanProduct


@admin.register(LoanProduct)
class LoanProductAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "method",
        "min_amount_fen",
        "max_amount_fen",
        "term_months",
        "annual_rate_bp",
        "is_active",
    ]
    list_filter = ["method", "is_active"]
    search_fields = ["code", "name"]
