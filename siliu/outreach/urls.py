"""The outreach pages under ``/outreach/``, one include per part (one namespace, ``outreach``)."""

from django.urls import include, path

app_name = "outreach"

urlpatterns = [
    path("", include("siliu.outreach.coverage.urls")),
    path("", include("siliu.outreach.exhibitions.urls")),
    path("", include("siliu.outreach.stamps.urls")),
]
