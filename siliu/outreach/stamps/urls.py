"""The stamp catalogue's pages under ``/outreach/``."""

from django.urls import path

from siliu.outreach.stamps import views

urlpatterns = [
    path("stamps/", views.stamp_list_page, name="stamps"),
    path("stamps/new/", views.stamp_new_page, name="stamp-new"),
]
