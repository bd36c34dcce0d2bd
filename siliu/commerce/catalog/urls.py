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
    path("seller/products/", views.seller_products_page, name="seller-products"),
    path("seller/products/new/", views.seller_product_create_page, name="seller-product-create"),
    path("seller/products/<int:product_id>/", views.seller_product_page, name="seller-product"),
    path(
        "seller/products/<int:product_id>/active/",
        views.seller_product_active_action,
        name="seller-product-active",
    ),
    path(
        "seller/products/<int:product_id>/photos/",
        views.seller_product_photo_action,
        name="seller-product-photo",
    ),
    path(
        "seller/products/<int:product_id>/photos/<int:index>/",
        views.seller_product_photo_arrange_action,
        name="seller-product-photo-arrange",
    ),
]
