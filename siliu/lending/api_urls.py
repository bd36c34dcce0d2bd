from django.urls import URLResolver, include, path

urlpatterns: list[URLResolver] = [
    path("", include("siliu.lending.credit.api_urls")),
]
