"""The public monthly page under ``/appeals/``."""

from django.urls import path

from siliu.appeals.public import views

urlpatterns = [path("monthly/", views.monthly_page, name="monthly")]
