"""People's requests' pages under ``/appeals/``: requests, recurring needs, the public monthly page."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "appeals"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("siliu.appeals.public.urls")),
    path("", include("siliu.appeals.patterns.urls")),
    path("", include("siliu.appeals.requests.urls")),
]
