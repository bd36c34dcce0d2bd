"""A seller's profile (经营概况) under ``/insight/``."""

from django.urls import URLPattern, URLResolver, path, re_path

from siliu.insight.profiles import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/", views.my_profile_page, name="profile-me"),
    path("sellers/<int:seller_id>/", views.seller_profile_page, name="seller-profile"),
    re_path(r"^me/export\.(?P<kind>xlsx|csv)$", views.my_profile_export, name="profile-me-export"),
    re_path(
        r"^sellers/(?P<seller_id>[0-9]+)/export\.(?P<kind>xlsx|csv)$",
        views.seller_profile_export,
        name="seller-profile-export",
    ),
]
