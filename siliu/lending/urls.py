from django.urls import URLPattern, URLResolver, include, path

from siliu.lending import views

app_name = "lending"

urlpatterns: list[URLPattern | URLResolver] = [
    path("products/", views.products_page, name="products"),
    path("calculator/", views.calculator_page, name="calculator"),
    path("", include("siliu.lending.credit.urls")),
    path("", include("siliu.lending.loans.urls")),
    path("", include("siliu.lending.portfolio.urls")),
]
