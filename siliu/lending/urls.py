from django.urls import URLPattern, path

from siliu.lending import views

app_name = "lending"

urlpatterns: list[URLPattern] = [
    path("products/", views.products_page, name="products"),
    path("calculator/", views.calculator_page, name="calculator"),
]
