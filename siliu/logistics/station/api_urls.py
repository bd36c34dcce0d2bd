"""The station's API under ``/api/v1/``."""

from django.urls import path

from siliu.logistics.station import api

urlpatterns = [
    path("station/handovers", api.HandoverView.as_view(), name="station-handovers"),
    path("station/acceptances", api.StationAcceptView.as_view(), name="station-acceptances"),
]
