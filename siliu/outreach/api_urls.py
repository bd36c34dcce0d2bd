"""The outreach API under ``/api/v1/``, one include per part."""

from django.urls import include, path

urlpatterns = [
    path("", include("siliu.outreach.stamps.api_urls")),
    path("", include("siliu.outreach.exhibitions.api_urls")),
    path("", include("siliu.outreach.coverage.api_urls")),
]
