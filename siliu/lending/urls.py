from django.urls import URLPattern, URLResolver, include, path

app_name = "lending"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("siliu.lending.credit.urls")),
]
