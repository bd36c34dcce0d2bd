"""Agency's pages under ``/agency/``: the station counter's services, reconciliation, home pickups."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "agency"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("siliu.agency.counter.urls")),
    path("", include("siliu.agency.pickups.urls")),
    path("", include("siliu.agency.reconciliation.urls")),
]
