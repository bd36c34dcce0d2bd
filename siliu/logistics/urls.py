"""The logistics pages under ``/logistics/``, one include per part (one namespace, ``logistics``)."""

from django.urls import include, path

app_name = "logistics"

urlpatterns = [
    path("", include("siliu.logistics.parcels.urls")),
    path("rounds/", include("siliu.logistics.rounds.urls")),
    path("", include("siliu.logistics.claims.urls")),
    path("", include("siliu.logistics.cases.urls")),
    path("", include("siliu.logistics.partners.urls")),
    path("station/", include("siliu.logistics.station.urls")),
]
