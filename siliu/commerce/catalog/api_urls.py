"""Catalogue API under ``/api/v1/``."""

from django.urls import path

from siliu.commerce.catalog import api

urlpatterns = [
    path("products", api.ProductListView.as_view(), name="product-list"),
    path("products/<int:product_id>", api.ProductDetailView.as_view(), name="product-detail"),
    path("products/<int:product_id>/photos", api.ProductPhotoView.as_view(), name="product-photos"),
    path("sellers", api.SellerRegisterView.as_view(), name="seller-register"),
    path("sellers/<int:seller_id>/verify", api.SellerVerifyView.as_view(), name="seller-verify"),
]
