"""Home pickups' API under ``/api/v1/``."""

from django.urls import path

from siliu.agency.pickups import api

urlpatterns = [
    path("pickups", api.HomePickupListView.as_view(), name="home-pickups"),
    path("pickups/quote", api.HomePickupQuoteView.as_view(), name="home-pickup-quote"),
    path("pickups/<str:number>/cancel", api.HomePickupCancelView.as_view(), name="home-pickup-cancel"),
]
