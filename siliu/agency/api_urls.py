from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("siliu.agency.counter.api_urls")),
    path("", include("siliu.agency.pickups.api_urls")),
    path("", include("siliu.agency.reconciliation.api_urls")),
]
