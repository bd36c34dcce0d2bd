"""A seller's profile (经营概况) under ``/insight/``."""

from django.urls import URLPattern, URLResolver, path

from siliu.insight.profiles import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/", views.my_profile_page, name="profile-me"),
    path("sellers/<int:seller_id>/", views.seller_profile_page, name="seller-profile"),
]
