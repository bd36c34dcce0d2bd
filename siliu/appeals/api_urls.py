from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("siliu.appeals.patterns.api_urls")),
    path("", include("siliu.appeals.requests.api_urls")),
]
