"""Shop pages under ``/shop/``: the product list, a product, seller registration and review."""

from django.urls import path

from siliu.commerce.catalog import views

app_name = "shop"

urlpatterns = [
    path("", views.shop_list_page, name="list"),
    path("products/<int:product_id>/", views.shop_product_page, name="product"),
    path("sellers/register/", views.seller_register_page, name="seller-register"),
    path("sellers/review/", views.seller_review_page, name="seller-review"),
    path("sellers/<int:seller_id>/verify/", views.seller_verify_action, name="seller-verify"),
]
