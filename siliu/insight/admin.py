"""The information flow's tables in the admin, to look at: they are derived, rebuilt from the flows."""

from django.contrib import admin

from siliu.core.admin import ReadOnlyAdmin
from siliu.insight.models import FactCheck, OutletDay, SellerDay


@admin.register(OutletDay)
class OutletDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "outlet", "measure", "value")
    list_filter = ("measure",)
    date_hierarchy = "day"
    search_fields = ("outlet__code", "outlet__name")


@admin.register(SellerDay)
class SellerDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "seller", "measure", "value")
    list_filter = ("measure",)
    date_hierarchy = "day"
    search_fields = ("seller__name",)


@admin.register(FactCheck)
class FactCheckAdmin(ReadOnlyAdmin):
    list_display = ("checked_at", "day_from", "day_to", "figures", "differences")
