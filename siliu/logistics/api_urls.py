"""The logistics API under ``/api/v1/``, one include per part."""

from django.urls import include, path

urlpatterns = [
    path("", include("siliu.logistics.pricing.api_urls")),
    path("", include("siliu.logistics.parcels.api_urls")),
    path("", include("siliu.logistics.rounds.api_urls")),
    path("", include("siliu.logistics.claims.api_urls")),
    path("", include("siliu.logistics.cases.api_urls")),
    path("", include("siliu.logistics.partners.api_urls")),
    path("", include("siliu.logistics.station.api_urls")),
]
