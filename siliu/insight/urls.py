"""The information flow's pages under ``/insight/`` (the public county page is ``/county/``)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "insight"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("siliu.insight.dashboard.urls")),
    path("", include("siliu.insight.profiles.urls")),
    path("scorecard/", include("siliu.insight.scorecard.urls")),
]
